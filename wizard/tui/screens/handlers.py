"""Step 2: every handler with what Kapacitor has for it now; choosing one starts its flow."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from wizard.core.errors import WizardError
from wizard.core.handlers import HANDLERS, HandlerStatus, handler_status
from wizard.tui.screens.base import StepScreen
from wizard.tui.state import NEXT


class HandlersScreen(StepScreen):
    """The three handlers and their current state, read from Kapacitor."""

    CSS_PATH = "handlers.tcss"
    step_title = "Choose a handler"
    help_text = (
        "Each row shows what Kapacitor has now: whether the handler is enabled, and which options "
        "are set. Secrets (tokens, webhook URLs) are never shown: Kapacitor only says whether one "
        "is set.\n\nChoose a handler with the arrow keys and Enter to set it up, or to change it. "
        "Press **r** to read the state again."
    )
    BINDINGS = [Binding("r", "refresh", "Refresh")]

    def compose_body(self) -> ComposeResult:
        yield Static("Where should Kapacitor send alerts? Choose a handler to set it up or change it.", classes="intro")
        yield OptionList(id="handler-list")
        yield Static("", id="handlers-error")

    def on_mount(self) -> None:
        self.fill()
        self.query_one(OptionList).focus()

    def statuses(self) -> list[HandlerStatus]:
        result = []
        for spec in HANDLERS.values():
            elements = self.state.config.get(spec.section)
            if not elements:
                continue
            element = self.state.element(spec, "") or elements[0]
            result.append(handler_status(spec, element.options, element.redacted))
        return result

    def fill(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for status in self.statuses():
            spec = status.spec
            line = Text.assemble(
                (f"{spec.title:<10}", "bold"),
                ("● enabled " if status.enabled else "○ disabled", "green" if status.enabled else "dim"),
                "  ",
                self._details(status),
            )
            options.add_option(Option(Text.assemble(line, "\n", (f"  {spec.summary}", "dim")), id=spec.name))
        if not options.option_count:
            options.add_option(Option("Kapacitor offers none of these handlers.", disabled=True))
        options.highlighted = highlighted if highlighted is not None else 0

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
        if event.option.id is None:
            return
        self.state.handler = HANDLERS[event.option.id]
        self.state.workspace = ""
        self.dismiss(NEXT)

    def action_refresh(self) -> None:
        self.refresh_config()

    @work(exclusive=True, group="refresh")
    async def refresh_config(self) -> None:
        error = self.query_one("#handlers-error", Static)
        assert self.state.client is not None
        try:
            self.state.config = await self.state.client.get_config()
        except WizardError as err:
            error.update(Text.assemble((err.title, "bold"), ": ", err.message, " ", err.hint))
            return
        error.update("")
        self.fill()
        self.notify("Read the handlers' state again.")
