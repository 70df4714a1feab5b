"""Slack workspaces (Kapacitor 1.5+): list, edit, add and remove them.

Opened from the handler list. Edit and add close this screen with a new flow for the
Slack handler and the chosen workspace; the Slack steps, review and apply follow.
"""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from wizard.core.errors import WizardError
from wizard.core.handlers import SLACK
from wizard.core.workspaces import (
    FILE_WORKSPACE_NOTE,
    RESTART_CAVEAT,
    Workspace,
    check_new_workspace,
    check_remove,
    find_workspace,
    list_workspaces,
)
from wizard.tui.screens.base import ConfirmScreen, StepScreen
from wizard.tui.state import NEXT, WizardState
from wizard.tui.widgets.error_text import titled

DEFAULT_ID = "@default"
"""Option id of the default element (workspace ""), which cannot be an empty id."""


class WorkspacesScreen(StepScreen):
    """Every Slack workspace Kapacitor has, with its state and what can be done with it."""

    CSS_PATH = "workspaces.tcss"
    step_title = "Slack workspaces"
    help_text = (
        "Kapacitor 1.5 and newer can post to several Slack workspaces. Each has its own webhook "
        "URL and default channel. An alert rule picks one with `.workspace('name')`; alerts that "
        "name none go to the **default workspace**.\n\n"
        "- **Enter** edits the highlighted workspace.\n"
        "- **a** adds a workspace: give it a name, then set up its webhook in the Slack steps. "
        "Kapacitor creates it when you apply.\n"
        "- **d** removes the highlighted workspace, after asking.\n"
        "- **r** reads the list again.\n\n"
        "The wizard refuses what Kapacitor 1.5 handles badly: a name already in use (Kapacitor "
        "drops the request), a second default workspace (Kapacitor silently sends alerts that "
        "name no workspace to the new one), and names with characters other than letters, "
        "digits, `_`, `-` and `+`.\n\n"
        "A removed workspace keeps answering (test alerts, and rules that name it) until "
        "kapacitord is restarted. A workspace from kapacitor.conf cannot be removed over HTTP."
    )
    BINDINGS = [
        Binding("a", "add", "Add"),
        Binding("d", "remove", "Remove"),
        Binding("delete", "remove", "Remove", show=False),
        Binding("r", "refresh", "Refresh"),
    ]

    def __init__(self, state: WizardState, *, progress: str = "") -> None:
        super().__init__(state, progress=progress)
        self.workspaces: list[Workspace] = []

    def compose_body(self) -> ComposeResult:
        yield Static(
            "Alert rules pick a workspace with .workspace('name'); alerts that name none go to "
            "the default workspace. Enter edits, a adds, d removes.",
            classes="intro",
        )
        yield OptionList(id="workspace-list")
        with Horizontal(classes="list-actions"):
            yield Button("Edit", id="edit", variant="primary")
            yield Button("Add…", id="add")
            yield Button("Remove…", id="remove", variant="warning")
        with Vertical(id="add-form"):
            yield Label("New workspace name", classes="field--label")
            yield Input(placeholder="team2 (letters, digits, _ - +)", id="new-name")
            yield Static("", id="new-name-message", classes="field--message")
            yield Checkbox("Make this the default workspace (alerts that name no workspace go here)", id="make-default")
            with Horizontal(classes="list-actions"):
                yield Button("Continue", id="add-continue", variant="primary")
                yield Button("Cancel", id="add-cancel")
        yield Static("", id="workspaces-message")

    def on_mount(self) -> None:
        form = self.query_one("#add-form")
        form.border_title = "Add a workspace"
        form.display = False
        self.fill()
        self.query_one(OptionList).focus()

    # -- the list ----------------------------------------------------------------

    def fill(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        self.workspaces = list_workspaces(self.state.config.get(SLACK.section, []))
        width = max([len(w.label) for w in self.workspaces] + [10])
        for ws in self.workspaces:
            line = Text.assemble(
                (f"{ws.label:<{width}}  ", "bold"),
                ("★ default  " if ws.default else "           ", "yellow"),
                ("● enabled " if ws.enabled else "○ disabled", "green" if ws.enabled else ""),
                "  ",
                ("webhook set" if ws.url_set else "not configured yet", "" if ws.url_set else "dim"),
                f"  ·  {ws.channel}" if ws.channel else "",
            )
            options.add_option(Option(line, id=ws.name or DEFAULT_ID))
        if not self.workspaces:
            options.add_option(Option("This Kapacitor has no Slack section.", disabled=True))
        count = options.option_count
        options.highlighted = min(highlighted, count - 1) if highlighted is not None else 0

    def selected(self) -> Workspace | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.workspaces:
            return None
        option = options.get_option_at_index(options.highlighted)
        name = "" if option.id == DEFAULT_ID else option.id
        return next((w for w in self.workspaces if w.name == name), None)

    def _say(self, text: str | Text, kind: str = "") -> None:
        message = self.query_one("#workspaces-message", Static)
        message.set_classes(f"-{kind}" if kind else "")
        message.update(text)

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
        self.state.start_flow(SLACK, workspace.name)
        self.dismiss(NEXT)

    # -- add ---------------------------------------------------------------------

    @on(Button.Pressed, "#add")
    def action_add(self) -> None:
        form = self.query_one("#add-form")
        form.display = True
        self._say("")
        self.query_one("#new-name", Input).focus()
        form.scroll_visible()

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
        message.update(error or warning)

    def _check_name(self) -> tuple[str, bool]:
        """Check the typed name; True when it may be added (the reason is shown otherwise)."""
        name = self.query_one("#new-name", Input).value
        make_default = self.query_one("#make-default", Checkbox).value
        verdict = check_new_workspace(name, self.state.config.get(SLACK.section, []), make_default)
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
        self.state.start_flow(SLACK, name)
        draft = self.state.draft()
        draft["default"] = self.query_one("#make-default", Checkbox).value
        self.dismiss(NEXT)

    # -- remove ------------------------------------------------------------------

    @on(Button.Pressed, "#remove")
    def action_remove(self) -> None:
        workspace = self.selected()
        if workspace is None:
            return
        verdict = check_remove(workspace.name, self.state.config.get(SLACK.section, []))
        if not verdict.ok:
            self._say(verdict.error, "error")
            return
        self.confirm_and_remove(workspace)

    @work(exclusive=True, group="remove")
    async def confirm_and_remove(self, workspace: Workspace) -> None:
        name = workspace.name
        question = (
            f"Remove the Slack workspace {name} from Kapacitor?\n\n"
            f"Alert rules that name it (.workspace('{name}')) will fail to send once kapacitord "
            "restarts."
            + ("\n\nIt is the default workspace: alerts that name no workspace go back to the "
               "default element." if workspace.default else "")
        )
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes=f"Remove {name}", no="Cancel")):
            self._say("Nothing was removed.")
            return
        client = self.state.client
        if client is None:
            self._say(f"Removing needs Kapacitor's HTTP API. In kapacitor.conf, delete the [[slack]] table of {name} and restart kapacitord.", "error")
            return
        try:
            await client.remove_elements(SLACK.section, [name])
        except WizardError as err:
            self._say(Text.assemble(*titled(err), " ", err.hint), "error")
            return
        try:
            self.state.config = await client.get_config()
        except WizardError as err:
            self._say(Text.assemble(f"Removed {name}. ", *titled(err)), "error")
            return
        self.fill()
        if find_workspace(self.state.config.get(SLACK.section, []), name) is not None:
            self._say(FILE_WORKSPACE_NOTE.format(name=name), "warning")
        else:
            self._say(f"Removed {name}. " + RESTART_CAVEAT.format(name=name), "ok")
        self.query_one(OptionList).focus()

    # -- refresh -----------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_config()

    @work(exclusive=True, group="refresh")
    async def refresh_config(self) -> None:
        client = self.state.client
        if client is None:
            return
        try:
            self.state.config = await client.get_config()
        except WizardError as err:
            self._say(Text.assemble(*titled(err), " ", err.hint), "error")
            return
        self.fill()
        self._say("Read the workspaces again.")

    def action_back(self) -> None:
        if self.query_one("#add-form").display and self.focused is not None and self.focused.id in (
            "new-name", "make-default", "add-continue", "add-cancel"
        ):
            self.cancel_add()
            return
        super().action_back()
