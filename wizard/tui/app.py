"""The wizard's Textual app: one worker walks the person through the steps."""
from __future__ import annotations

import importlib

import httpx
from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from wizard.changes import flow
from wizard.text.secrets import install_log_scrubbing
from wizard.tui import crash
from wizard.tui.screens.apply import ApplyScreen
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.form_step import FormStepScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.state import AppSettings, StepResult, WizardState

# Steps that need more than fields: (handler, step id) -> "module:class". They are imported
# when the handler is chosen, so python-telegram-bot does not slow down the start.
CUSTOM_STEPS: dict[tuple[str, str], str] = {
    ("slack", "way"): "wizard.tui.screens.slack:SlackWayScreen",
    ("slack", "webhook"): "wizard.tui.screens.slack:SlackWebhookScreen",
    ("slack", "app"): "wizard.tui.screens.slack:SlackAppScreen",
    ("slack", "app-channel"): "wizard.tui.screens.slack:SlackAppChannelScreen",
    ("hipchat", "server"): "wizard.tui.screens.hipchat:HipChatServerScreen",
    ("hipchat", "token"): "wizard.tui.screens.hipchat:HipChatTokenScreen",
    ("telegram", "bot"): "wizard.tui.screens.telegram:TelegramBotScreen",
    ("telegram", "chat"): "wizard.tui.screens.telegram:TelegramChatScreen",
    ("telegram", "format"): "wizard.tui.screens.telegram:TelegramFormatScreen",
    ("smtp", "recipients"): "wizard.tui.screens.direct:DirectCheckStep",
    ("httppost", "endpoint"): "wizard.tui.screens.direct:DirectCheckStep",
    ("pushover", "keys"): "wizard.tui.screens.direct:DirectCheckStep",
    ("zenoss", "api"): "wizard.tui.screens.direct:DirectCheckStep",
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

    async def action_quit(self) -> None:
        """Ctrl+Q: a running end-to-end proof first deletes its temporary task (topics screen)."""
        for screen in list(self.screen_stack):
            finish = getattr(screen, "finish_before_leaving", None)
            if finish is not None:
                await finish()
        self.exit()

    def make_step(self, step_id: str, progress: str) -> Screen[StepResult]:
        """The screen of one step of the route."""
        state = self.state
        if step_id == flow.CONNECT:
            return ConnectScreen(state, progress=progress)
        if step_id == flow.HANDLERS:
            return HandlersScreen(state, progress=progress)
        if step_id == flow.REVIEW:
            return ReviewScreen(state, progress=progress)
        if step_id == flow.APPLY:
            return ApplyScreen(state, progress=progress)
        if step_id == flow.DONE:
            return DoneScreen(state, progress=progress)
        spec = state.current.handler
        step = next(s for s in state.current.steps() if s.id == step_id)
        return step_screen_class(spec.name, step.id)(state, step, progress=progress)

    @work(exclusive=True, group="flow")
    async def run_flow(self) -> None:
        """Show the step `flow.next_step` names, again and again; back on the handler list
        the current flow ends, so every choice there starts afresh."""
        current = flow.CONNECT
        while True:
            steps = flow.route(self.state.flow)
            result = await self.push_screen_wait(self.make_step(current, self._progress(steps, current)))
            if result is None:
                continue
            current = flow.next_step(flow.route(self.state.flow), current, result.name, result.target)
            if current in (flow.CONNECT, flow.HANDLERS):
                self.state.end_flow()

    def _progress(self, steps: tuple[str, ...], current: str) -> str:
        if self.state.flow is None or current not in steps[2:]:
            return ""
        return f"Step {steps.index(current) - 1} of {len(steps) - 2}"
