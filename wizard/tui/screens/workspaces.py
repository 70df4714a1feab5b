"""The elements of a list section: Slack and Discord workspaces, HTTP post endpoints, Kafka
clusters, MQTT brokers. List, edit, add and remove them.

Opened from the handler list. Edit, add and remove close this screen with a new flow for the
handler and the chosen element; its steps (for edit and add), review and apply follow. What Kapacitor handles
badly is refused or explained here first (wizard/changes/elements.py).
"""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from wizard.changes import summary
from wizard.text.errors import WizardError
from wizard.handlers.registry import SLACK, HandlerSpec
from wizard.kapacitor.client import Element
from wizard.changes.elements import (
    ListElement,
    check_new_element,
    check_remove_element,
    list_elements,
    list_section,
)
from wizard.tui.screens.base import StepScreen
from wizard.tui.state import NEXT, Intent, WizardState
from wizard.tui.widgets.error_text import titled

DEFAULT_ID = "@default"
"""Option id of the default workspace (key ""), which cannot be an empty id."""


class WorkspacesScreen(StepScreen):
    """Every element of one list section Kapacitor has, with its state and what can be done with it."""

    CSS_PATH = "workspaces.tcss"
    BINDINGS = [
        Binding("a", "add", "Add"),
        Binding("d", "remove", "Remove"),
        Binding("delete", "remove", "Remove", show=False),
        Binding("r", "refresh", "Refresh"),
    ]

    def __init__(self, state: WizardState, spec: HandlerSpec = SLACK, *, highlight: str | None = None, progress: str = "") -> None:
        super().__init__(state, progress=progress)
        self.spec = spec
        self.rules = list_section(spec.section, spec.list_key or "workspace")
        self.highlight = highlight
        self.workspaces: list[ListElement] = []
        self.step_title = self.rules.title
        self.help_text = self._help()

    def _help(self) -> str:
        rules = self.rules
        noun, plural = rules.noun, rules.plural
        lines = [
            f"Kapacitor can send {self.spec.title} alerts through several {plural}. An alert rule picks "
            f"one with `{rules.names_it('name')}`"
            + (f"; alerts that name none go to the **default {noun}**." if rules.defaults else "."),
            "",
            f"- **Enter** edits the highlighted {noun}.",
            f"- **a** adds {rules.article} {noun}: give it a name, then set it up in the steps that follow. "
            "Kapacitor creates it when you apply.",
            f"- **d** removes the highlighted {noun}: the review shows what goes, and Undo on the last "
            "step adds it again (its secrets must be typed again).",
            "- **r** reads the list again.",
            "",
            "The wizard refuses what Kapacitor handles badly: a name already in use (Kapacitor drops "
            "the request without an answer), names with characters other than letters, digits, `_`, "
            "`-` and `+`, and renaming (Kapacitor cannot change a name).",
        ]
        if rules.defaults == "at-most-one":
            lines.append(
                f"A second default {noun} is refused too: Kapacitor silently sends alerts that name no "
                f"{noun} to the new one."
            )
        if rules.defaults == "exactly-one":
            lines.append(f"With two {plural} or more, Kapacitor needs exactly one of them to be the default.")
        if rules.builtin:
            lines.append(
                f"\n**{rules.builtin}** is built into Kapacitor: removing it only drops the changes made "
                "to it (it goes back to its defaults and stays)."
            )
        if rules.kept_until_restart:
            lines.append(f"\nA removed {noun} keeps answering (test alerts, and rules that name it) until kapacitord is restarted.")
        lines.append(f"A {noun} from kapacitor.conf cannot be removed over HTTP.")
        return "\n".join(lines)

    def compose_body(self) -> ComposeResult:
        rules = self.rules
        intro = f"Alert rules pick {rules.article} {rules.noun} with {rules.names_it('name')}"
        if rules.defaults:
            intro += f"; alerts that name none go to the default {rules.noun}"
        yield Static(intro + ". Enter edits, a adds, d removes.", classes="intro")
        yield OptionList(id="workspace-list")
        with Horizontal(classes="list-actions"):
            yield Button("Edit", id="edit", variant="primary")
            yield Button("Add…", id="add")
            yield Button("Remove…", id="remove", variant="warning")
        with Vertical(id="add-form"):
            yield Label(f"New {rules.noun} name", classes="field--label")
            yield Input(placeholder="team2 (letters, digits, _ - +)", id="new-name")
            yield Static("", id="new-name-message", classes="field--message")
            checkbox = Checkbox(f"Make it the default (alerts that name no {rules.noun} go here)", id="make-default")
            checkbox.display = bool(rules.defaults)
            yield checkbox
            with Horizontal(classes="list-actions"):
                yield Button("Continue", id="add-continue", variant="primary")
                yield Button("Cancel", id="add-cancel")
        yield Static("", id="workspaces-message")

    def on_mount(self) -> None:
        form = self.query_one("#add-form")
        form.border_title = f"Add {self.rules.article} {self.rules.noun}"
        form.display = False
        self.fill()
        if self.highlight is not None:
            options = self.query_one(OptionList)
            index = next((i for i, w in enumerate(self.workspaces) if w.name == self.highlight), None)
            if index is not None:
                options.highlighted = index
        self.query_one(OptionList).focus()

    @property
    def elements(self) -> list[Element]:
        return self.state.config.get(self.spec.section, [])

    # -- the list ----------------------------------------------------------------

    def fill(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        self.workspaces = list_elements(self.elements, self.rules)
        width = max([len(w.label) for w in self.workspaces] + [10])
        for ws in self.workspaces:
            # The key is the row's title, not a detail.
            shown = {k: v for k, v in ws.element.options.items() if k != self.rules.key}
            details = summary.details(self.spec, shown, ws.element.redacted) or "not configured yet"
            line = Text.assemble(
                (f"{ws.label:<{width}}  ", "bold"),
                ("★ default  " if ws.default else "           ", "yellow") if self.rules.defaults else "",
                ("● enabled " if ws.enabled else "○ disabled", "green" if ws.enabled else "") if ws.enabled is not None else "",
                "  ",
                (details, "dim" if details == "not configured yet" else ""),
            )
            options.add_option(Option(line, id=ws.name or DEFAULT_ID))
        if not self.workspaces:
            options.add_option(Option(f"This Kapacitor has no {self.spec.title} section.", disabled=True))
        count = options.option_count
        options.highlighted = min(highlighted, count - 1) if highlighted is not None else 0

    def selected(self) -> ListElement | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.workspaces:
            return None
        option = options.get_option_at_index(options.highlighted)
        name = "" if option.id == DEFAULT_ID else option.id
        return next((w for w in self.workspaces if w.name == name), None)

    def _say(self, text: str | Text, kind: str = "") -> None:
        message = self.query_one("#workspaces-message", Static)
        message.set_classes(f"-{kind}" if kind else "")
        message.update(self.state.scrub(text) if isinstance(text, str) else text)

    # -- edit --------------------------------------------------------------------

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit()

    @on(Button.Pressed, "#edit")
    def action_edit(self) -> None:
        workspace = self.selected()
        if workspace is None:
            return
        self.state.start_flow(self.spec, workspace.name)
        self.dismiss(NEXT)

    # -- add ---------------------------------------------------------------------

    @on(Button.Pressed, "#add")
    def action_add(self) -> None:
        form = self.query_one("#add-form")
        form.display = True
        self._say("")
        self.query_one("#new-name", Input).focus()
        form.scroll_visible()
        # Kapacitor drops a request that adds an existing name: check against what it has now.
        self.refresh_config(quiet=True)

    @on(Button.Pressed, "#add-cancel")
    def cancel_add(self) -> None:
        self.query_one("#add-form").display = False
        self._show_name_verdict("", "")
        self.query_one(OptionList).focus()

    def _show_name_verdict(self, error: str, warning: str) -> None:
        message = self.query_one("#new-name-message", Static)
        field = self.query_one("#new-name", Input)
        field.set_class(bool(error), "-invalid")
        message.set_classes("field--message " + ("-error" if error else "-warning" if warning else ""))
        message.update(self.state.scrub(error or warning))

    def _check_name(self) -> tuple[str, bool]:
        """Check the typed name; True when it may be added (the reason is shown otherwise)."""
        name = self.query_one("#new-name", Input).value
        make_default = self.query_one("#make-default", Checkbox).value and bool(self.rules.defaults)
        api = self.state.target is None or self.state.target.kind == "api"
        verdict = check_new_element(self.rules, name, self.elements, make_default, api=api)
        self._show_name_verdict(verdict.error, verdict.warning)
        return verdict.value, verdict.ok

    @on(Input.Changed, "#new-name")
    @on(Checkbox.Changed, "#make-default")
    def recheck(self) -> None:
        if self.query_one("#new-name-message", Static).has_class("-error"):
            self._check_name()

    @on(Input.Submitted, "#new-name")
    @on(Button.Pressed, "#add-continue")
    def continue_add(self) -> None:
        name, ok = self._check_name()
        if not ok:
            self.query_one("#new-name", Input).focus()
            return
        self.state.start_flow(self.spec, name)
        draft = self.state.draft()
        draft[self.rules.key] = name
        if self.rules.defaults:
            # `add` starts from zero values: the element is the default only when asked for.
            draft["default"] = self.query_one("#make-default", Checkbox).value
        self.dismiss(NEXT)

    # -- remove ------------------------------------------------------------------

    @on(Button.Pressed, "#remove")
    def action_remove(self) -> None:
        workspace = self.selected()
        if workspace is None:
            return
        verdict = check_remove_element(self.rules, workspace.name, self.elements)
        if not verdict.ok:
            self._say(verdict.error, "error")
            return
        if self.state.client is None:
            self._say(
                f"Removing needs Kapacitor's HTTP API. In kapacitor.conf, delete the [[{self.rules.section}]] "
                f"table of {workspace.name} and restart kapacitord.",
                "error",
            )
            return
        # Like every other write: the Review step shows what goes, Apply keeps an undo record.
        self.state.start_flow(self.spec, workspace.name, Intent("remove"))
        self.dismiss(NEXT)

    # -- refresh -----------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_config()

    @work(exclusive=True, group="refresh")
    async def refresh_config(self, quiet: bool = False) -> None:
        client = self.state.client
        if client is None:
            return
        try:
            self.state.config = await client.get_config()
        except WizardError as err:
            self._say(Text.assemble(*titled(err), " ", err.hint), "error")
            return
        self.fill()
        if not quiet:
            self._say(f"Read the {self.rules.plural} again.")

    def action_back(self) -> None:
        if self.query_one("#add-form").display and self.focused is not None and self.focused.id in (
            "new-name", "make-default", "add-continue", "add-cancel"
        ):
            self.cancel_add()
            return
        super().action_back()


ElementsScreen = WorkspacesScreen
"""The same screen under the name that fits every list section."""
