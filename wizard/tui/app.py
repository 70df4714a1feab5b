"""The wizard's Textual app: one worker walks the person through the steps."""
from __future__ import annotations

import importlib
from collections.abc import Callable

import httpx
from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from wizard.core.secrets import install_log_scrubbing
from wizard.tui import crash
from wizard.tui.screens.apply import ApplyScreen
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.form_step import FormStepScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.state import AppSettings, StepResult, WizardState

StepFactory = Callable[[str], Screen[StepResult]]

# Steps that need more than fields: (handler, step id) -> "module:class". They are imported
# when the handler is chosen, so python-telegram-bot does not slow down the start.
CUSTOM_STEPS: dict[tuple[str, str], str] = {
    ("slack", "webhook"): "wizard.tui.screens.slack:SlackWebhookScreen",
    ("hipchat", "server"): "wizard.tui.screens.hipchat:HipChatServerScreen",
    ("hipchat", "token"): "wizard.tui.screens.hipchat:HipChatTokenScreen",
    ("telegram", "bot"): "wizard.tui.screens.telegram:TelegramBotScreen",
    ("telegram", "chat"): "wizard.tui.screens.telegram:TelegramChatScreen",
    ("telegram", "format"): "wizard.tui.screens.telegram:TelegramFormatScreen",
}


def step_screen_class(handler: str, step_id: str) -> type[FormStepScreen]:
    """The screen class of one handler step: a custom one, else the generic form."""
    where = CUSTOM_STEPS.get((handler, step_id))
    if where is None:
        return FormStepScreen
    module, _, name = where.partition(":")
    screen_class: type[FormStepScreen] = getattr(importlib.import_module(module), name)
    return screen_class


class WizardApp(App[None]):
    """Connect, choose a handler, follow its steps, review, apply and test."""

    TITLE = "kapacitor-wizard"
    CSS_PATH = "app.tcss"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    def __init__(self, settings: AppSettings | None = None) -> None:
        super().__init__()
        install_log_scrubbing()  # httpx logs request URLs, and those hold tokens
        self.state = WizardState(settings or AppSettings())
        self._http: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        """For direct checks against chat services (not Kapacitor); made on first use."""
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=10.0)
        return self._http

    def _handle_exception(self, error: Exception) -> None:
        # Textual's report shows local variables, which hold tokens and passwords.
        crash.handle_exception(self, error)

    def on_mount(self) -> None:
        self.run_flow()

    async def on_unmount(self) -> None:
        if self._http is not None:
            await self._http.aclose()
        client = self.state.client
        if client is not None:
            await client.aclose()

    def steps(self) -> list[tuple[str, StepFactory]]:
        """The flow as it stands: it grows once a handler is chosen."""
        state = self.state
        steps: list[tuple[str, StepFactory]] = [
            ("connect", lambda p: ConnectScreen(state, progress=p)),
            ("handlers", lambda p: HandlersScreen(state, progress=p)),
        ]
        spec = state.handler
        if spec is None:
            return steps
        for step in spec.steps if state.intent.kind == "configure" else ():
            screen_class = step_screen_class(spec.name, step.id)
            steps.append((step.id, lambda p, s=step, c=screen_class: c(state, s, progress=p)))
        steps += [
            ("review", lambda p: ReviewScreen(state, progress=p)),
            ("apply", lambda p: ApplyScreen(state, progress=p)),
            ("done", lambda p: DoneScreen(state, progress=p)),
        ]
        return steps

    @work(exclusive=True, group="flow")
    async def run_flow(self) -> None:
        index = 0
        while True:
            steps = self.steps()
            index = max(0, min(index, len(steps) - 1))
            step_id, make = steps[index]
            progress = self._progress(index, len(steps))
            result = await self.push_screen_wait(make(progress))
            if result is None:
                continue
            if result.name == "back":
                index = max(0, index - 1)
            elif result.name == "home":
                self.state.handler = None
                index = 1
            elif result.name == "jump":
                ids = [sid for sid, _ in self.steps()]
                index = ids.index(result.target) if result.target in ids else index
            else:
                index += 1
                if step_id == "done":
                    index = 1

    def _progress(self, index: int, total: int) -> str:
        if self.state.handler is None or index < 2:
            return ""
        return f"Step {index - 1} of {total - 2}"
