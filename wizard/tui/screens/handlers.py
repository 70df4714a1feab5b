"""Step 2: every handler with what Kapacitor has for it now; choosing one starts its flow."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from wizard.core.errors import WizardError
from wizard.core.handlers import GUIDE_URL, HANDLERS, SLACK, HandlerStatus, handler_status
from wizard.tui.screens.base import StepScreen
from wizard.tui.screens.reset import ResetScreen
from wizard.tui.state import NEXT, Intent, StepResult, jump


class HandlersScreen(StepScreen):
    """The three handlers and their current state, read from Kapacitor."""

    CSS_PATH = "handlers.tcss"
    step_title = "Choose a handler"
    help_text = (
        "Each row shows what Kapacitor has now: whether the handler is enabled, and which options "
        "are set. Secrets (tokens, webhook URLs) are never shown: Kapacitor only says whether one "
        "is set.\n\nChoose a handler with the arrow keys and Enter to set it up, or to change it. "
        "Press **e** to enable or disable the highlighted handler without retyping anything, and "
        "**x** to reset some of its options to the values in kapacitor.conf. "
        "Press **r** to read the state again.\n\nSlack workspaces other than the default one "
        "(Kapacitor 1.5+) have their own rows; press **w** to list, add or remove them.\n\n"
        f"The steps follow Kapacitor's guide: [Set up event handlers]({GUIDE_URL})."
    )
    BINDINGS = [
        Binding("e", "toggle_enabled", "Enable/disable"),
        # Short labels: every key fits in the footer at 100 columns.
        Binding("x", "reset", "Reset options"),
        Binding("w", "workspaces", "Workspaces"),
        Binding("r", "refresh", "Refresh"),
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
                for named in sorted((e for e in elements if e is not element), key=lambda e: e.workspace):
                    result.append(handler_status(spec, named.options, named.redacted))
        return result

    def fill(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        statuses = self.statuses()
        titles = [f"{s.spec.title} ({s.workspace})" if s.workspace else s.spec.title for s in statuses]
        width = max([10] + [len(t) + 2 for t in titles])
        for status, title in zip(statuses, titles):
            spec = status.spec
            line = Text.assemble(
                (f"{title:<{width}}", "bold"),
                ("● enabled " if status.enabled else "○ disabled", "green" if status.enabled else ""),
                "  ",
                self._details(status),
            )
            if status.workspace:
                summary = f"  Alert rules choose it with .workspace('{status.workspace}')."
                option_id = f"{spec.name}/{status.workspace}"
            else:
                summary = f"  {spec.summary}"
                option_id = spec.name
            options.add_option(Option(Text.assemble(line, "\n", (summary, "dim")), id=option_id))
        if not options.option_count:
            options.add_option(Option("Kapacitor offers none of these handlers.", disabled=True))
        options.highlighted = min(highlighted, options.option_count - 1) if highlighted is not None else 0

    def _details(self, status: HandlerStatus) -> str:
        if not status.configured:
            return "not configured yet"
        parts = [
            f"{name}: set" if name in status.secrets else name
            for name in status.options_set
            if name not in ("enabled", "default", "workspace")
        ]
        return "configured; " + ", ".join(parts)

    @on(OptionList.OptionSelected)
    def choose(self, event: OptionList.OptionSelected) -> None:
        if self._select(event.option.id):
            self.state.intent = Intent("configure")
            self.dismiss(NEXT)

    def _select(self, option_id: str | None) -> bool:
        """Make the handler (and workspace) of a row the current one."""
        if option_id is None:
            return False
        name, _, workspace = option_id.partition("/")
        self.state.handler = HANDLERS[name]
        self.state.workspace = workspace
        return True

    def _highlighted_id(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def action_toggle_enabled(self) -> None:
        """Enable or disable the highlighted handler without going through its steps."""
        if not self._select(self._highlighted_id()):
            return
        element = self.state.element()
        enabled = bool(element and element.options.get("enabled"))
        self.state.intent = Intent("toggle", enable=not enabled)
        self.dismiss(jump("review"))

    def action_reset(self) -> None:
        """Remove API settings of chosen options, so kapacitor.conf's values apply again."""
        option_id = self._highlighted_id()
        if option_id is None or self.state.target is None or self.state.target.kind != "api":
            self.notify("Resetting to kapacitor.conf needs a connection to Kapacitor's API.", severity="warning")
            return
        self._select(option_id)
        assert self.state.handler is not None

        def chosen(options: tuple[str, ...] | None) -> None:
            if options:
                self.state.intent = Intent("reset", resets=options)
                self.dismiss(jump("review"))

        self.app.push_screen(ResetScreen(self.state.handler, self.state.workspace), chosen)

    def action_workspaces(self) -> None:
        """List, add, edit or remove Slack workspaces; editing or adding continues into Slack's steps."""
        from wizard.tui.screens.workspaces import WorkspacesScreen

        if not self.state.config.get(SLACK.section):
            self.notify("This Kapacitor has no Slack section.", severity="warning")
            return

        def done(result: StepResult | None) -> None:
            if result is not None and result.name == "next" and self.state.handler is not None:
                self.dismiss(NEXT)
            else:
                self.fill()

        self.app.push_screen(WorkspacesScreen(self.state, progress=self.progress), done)

    def action_refresh(self) -> None:
        self.refresh_config()

    @work(exclusive=True, group="refresh")
    async def refresh_config(self) -> None:
        error = self.query_one("#handlers-error", Static)
        assert self.state.target is not None
        try:
            self.state.config = await self.state.target.read_config()
        except WizardError as err:
            error.update(Text.assemble((err.title, "bold"), ": ", err.message, " ", err.hint))
            return
        error.update("")
        self.fill()
        self.notify("Read the handlers' state again.")
