"""Step 2: every handler with what Kapacitor has for it now; choosing one starts its flow."""
from __future__ import annotations

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from wizard.changes import summary
from wizard.text.errors import WizardError
from wizard.handlers.registry import GUIDE_URL, HANDLERS, SLACK, HandlerSpec, HandlerStatus, handler_status
from wizard.changes.elements import list_section
from wizard.tui.screens.base import StepScreen
from wizard.tui.screens.reset import ResetScreen
from wizard.tui.state import NEXT, Intent, StepResult
from wizard.tui.widgets.error_text import titled


def _row(option_id: str | None) -> tuple[HandlerSpec, str] | None:
    """The handler and workspace a row of the list stands for."""
    if option_id is None:
        return None
    name, _, workspace = option_id.partition("/")
    return HANDLERS[name], workspace


class HandlersScreen(StepScreen):
    """Every handler this Kapacitor has and its current state, read from Kapacitor."""

    CSS_PATH = "handlers.tcss"
    step_title = "Choose a handler"
    help_text = (
        "Each row shows what Kapacitor has now: whether the handler is enabled, and which options "
        "are set. Secrets (tokens, webhook URLs) are never shown: Kapacitor only says whether one "
        "is set.\n\nChoose a handler with the arrow keys and Enter to set it up, or to change it. "
        "Press **e** to enable or disable the highlighted handler without retyping anything, and "
        "**x** to reset some of its options to the values in kapacitor.conf. "
        "Press **r** to read the state again.\n\nHipChat, Slack and Telegram come first: their "
        "guides check tokens and webhooks live and find a Telegram chat by themselves. The other "
        "handlers follow by name, each with the steps and links to where its key or address is made; "
        "a handler this Kapacitor does not have (BigPanda and Zenoss on 1.5) is not listed.\n\nHandlers with "
        "several elements (Slack and Discord workspaces, HTTP post endpoints, Kafka clusters, MQTT brokers) "
        "have a row for each; press **w** on one of them to list, add or remove them (Slack's from any other row).\n\n"
        f"The steps follow Kapacitor's guide: [Set up event handlers]({GUIDE_URL})."
    )
    BINDINGS = [
        # Short labels: every key, Refresh and Quit too, fits in the footer at 80 columns.
        Binding("e", "toggle_enabled", "On/off"),
        Binding("x", "reset", "Reset"),
        Binding("w", "workspaces", "Workspaces"),
        Binding("r", "refresh", "Refresh"),
        # Alert topics: listed on the Done step and in the README, kept off the full footer.
        Binding("t", "topics", "Topics", show=False),
    ]

    def compose_body(self) -> ComposeResult:
        yield Static("Where should Kapacitor send alerts? Choose a handler to set it up or change it.", classes="intro")
        yield OptionList(id="handler-list")
        yield Static("", id="handlers-error")

    def on_mount(self) -> None:
        self.fill()
        self.query_one(OptionList).focus()

    def statuses(self) -> list[HandlerStatus]:
        """One status per handler, then one per named Slack workspace after its handler."""
        result = []
        for spec in HANDLERS.values():
            elements = self.state.config.get(spec.section)
            if not elements:
                continue
            element = self.state.element(spec, "") or elements[0]
            result.append(handler_status(spec, element.options, element.redacted))
            if spec.list_key:
                key = spec.list_key
                for named in sorted((e for e in elements if e is not element), key=lambda e: str(e.options.get(key, ""))):
                    result.append(handler_status(spec, named.options, named.redacted))
        return result

    def fill(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        statuses = self.statuses()
        titles = [f"{s.spec.title} ({s.workspace})" if s.workspace else s.spec.title for s in statuses]
        width = max([10] + [len(t) + 2 for t in titles])
        firsts = {s.spec.name: s for s in reversed(statuses)}
        for status, title in zip(statuses, titles):
            spec = status.spec
            # A grid, so a long line of details wraps under itself and not under the title.
            line = Table.grid(padding=(0, 2), expand=True)
            line.add_column(width=width - 2, no_wrap=True)
            line.add_column(width=10, no_wrap=True)
            line.add_column(ratio=1)
            line.add_row(
                Text(title, "bold"),
                Text("● enabled" if status.enabled else "○ disabled", "green" if status.enabled else "")
                if self._has_enabled(status) else Text(""),
                Text(self._details(status)),
            )
            if status.workspace:
                # The first row of a list section (httppost's `example`) describes the handler.
                names_it = list_section(spec.section, spec.list_key or "").names_it(status.workspace)
                first = firsts[spec.name] is status
                description = spec.summary if first else f"Alert rules choose it with {names_it}."
                option_id = f"{spec.name}/{status.workspace}"
            else:
                description = spec.summary
                option_id = spec.name
            # The description keeps its indent when it wraps.
            described = Group(line, Padding(Text(description, "dim"), (0, 0, 0, 2)))
            options.add_option(Option(described, id=option_id))
        if not options.option_count:
            options.add_option(Option("Kapacitor offers none of these handlers.", disabled=True))
        options.highlighted = min(highlighted, options.option_count - 1) if highlighted is not None else 0

    def _has_enabled(self, status: HandlerStatus) -> bool:
        """HTTP post endpoints have no on/off switch: each one is always there for the rules that name it."""
        element = self.state.element(status.spec, status.workspace)
        return element is None or "enabled" in element.options

    def _details(self, status: HandlerStatus) -> str:
        element = self.state.element(status.spec, status.workspace)
        if element is None:
            return "not configured yet"
        # An element's key (httppost's endpoint name) is in the row's title already.
        shown = {k: v for k, v in element.options.items() if k != status.spec.list_key}
        return summary.details(status.spec, shown, element.redacted) or "not configured yet"

    @on(OptionList.OptionSelected)
    def choose(self, event: OptionList.OptionSelected) -> None:
        row = _row(event.option.id)
        if row is not None and row[0].list_key and row[0] is not SLACK:
            # A list section: its element list, with add and remove beside edit.
            self.open_elements(*row)
        elif row is not None:
            self.state.start_flow(*row)
            self.dismiss(NEXT)

    def _highlighted_row(self) -> tuple[HandlerSpec, str] | None:
        """The handler and workspace of the highlighted row."""
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return _row(options.get_option_at_index(options.highlighted).id)

    def action_toggle_enabled(self) -> None:
        """Enable or disable the highlighted handler without going through its steps."""
        row = self._highlighted_row()
        if row is None:
            return
        spec, workspace = row
        element = self.state.element(spec, workspace)
        enabled = bool(element and element.options.get("enabled"))
        # Kapacitor refuses to enable a handler without its first required option (Slack's and
        # HipChat's url, Telegram's token): say so here rather than after a review.
        needed = next((o for o in spec.options if o.required), None)
        if not enabled and needed is not None and not (element and element.options.get(needed.name)):
            self.notify(f"{spec.title} has no {needed.label.lower()} yet: press Enter to set it up.", severity="warning")
            return
        self.state.start_flow(spec, workspace, Intent("toggle", enable=not enabled))
        self.dismiss(NEXT)

    def action_reset(self) -> None:
        """Remove API settings of chosen options, so kapacitor.conf's values apply again."""
        row = self._highlighted_row()
        if row is None or self.state.target is None or self.state.target.kind != "api":
            self.notify("Resetting to kapacitor.conf needs a connection to Kapacitor's API.", severity="warning")
            return
        spec, workspace = row

        def chosen(options: tuple[str, ...] | None) -> None:
            if options:
                self.state.start_flow(spec, workspace, Intent("reset", resets=options))
                self.dismiss(NEXT)

        self.app.push_screen(ResetScreen(spec, workspace), chosen)

    def action_workspaces(self) -> None:
        """List, add, edit or remove the highlighted list section's elements (Slack's workspaces
        from any other row); editing or adding continues into the handler's steps."""
        row = self._highlighted_row()
        if row is not None and row[0].list_key:
            self.open_elements(*row)
        else:
            self.open_elements(SLACK)

    def open_elements(self, spec: HandlerSpec, highlight: str | None = None) -> None:
        from wizard.tui.screens.workspaces import WorkspacesScreen

        if not self.state.config.get(spec.section):
            self.notify(f"This Kapacitor has no {spec.title} section.", severity="warning")
            return

        def done(result: StepResult | None) -> None:
            # Editing or adding a workspace started a new flow for it.
            if result is not None and result.name == "next" and self.state.flow is not None:
                self.dismiss(NEXT)
            else:
                self.state.end_flow()
                self.fill()

        self.state.end_flow()
        self.app.push_screen(WorkspacesScreen(self.state, spec, highlight=highlight, progress=self.progress), done)

    def action_topics(self) -> None:
        """Route alerts here: the highlighted handler's topic handlers."""
        from wizard.tui.screens.topics import TopicsScreen

        row = self._highlighted_row()
        if row is not None:
            self.app.push_screen(TopicsScreen(self.state, *row, progress=self.progress))

    def action_refresh(self) -> None:
        self.refresh_config()

    @work(exclusive=True, group="refresh")
    async def refresh_config(self) -> None:
        error = self.query_one("#handlers-error", Static)
        assert self.state.target is not None
        try:
            self.state.config = await self.state.target.read_config()
        except WizardError as err:
            error.update(Text.assemble(*titled(err), " ", err.hint))
            return
        error.update("")
        self.fill()
        self.notify("Read the handlers' state again.")
