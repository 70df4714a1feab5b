"""What every step shares: a title bar with progress, Escape to go back, F1 for help."""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, LoadingIndicator, Static
from textual.worker import Worker, WorkerState

from wizard.text.secrets import GLOBAL_SCRUBBER, mask_userinfo
from wizard.tui.state import BACK, StepResult, WizardState

if TYPE_CHECKING:
    from wizard.tui.app import WizardApp


class StepScreen(Screen[StepResult]):
    """A step of the wizard. Subclasses yield their body from `compose_body`."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
    ]
    # 80×24 is the design size: below 30 rows the screen gets the -short class and its
    # spacing and buttons tighten (app.tcss), so the field in use and the buttons fit.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    DEFAULT_CSS = """
    StepScreen #step-problem {
        display: none;
        color: $text-error;
    }
    StepScreen #step-problem.-shown {
        display: block;
    }
    """

    step_title = ""
    help_text = "Escape goes back one step and keeps what you typed. Ctrl+Q quits."

    def __init__(self, state: WizardState, *, progress: str = "") -> None:
        super().__init__()
        self.state = state
        self.progress = progress

    @property
    def wizard(self) -> WizardApp:
        from wizard.tui.app import WizardApp

        return cast(WizardApp, self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="titlebar"):
            yield Static(self.step_title, id="step-title")
            yield Static(self.progress_line(), id="step-progress")
            yield Static("", id="step-problem", markup=False)
        with VerticalScroll(id="step-body"):
            yield from self.compose_body()
        # Ctrl+P still opens the palette; its hint would push keys such as Quit off at 80 columns.
        yield Footer(show_command_palette=False)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def progress_line(self) -> str:
        target = self.state.target
        if target is not None and target.kind == "file":
            where = f"writing {self.state.settings.config_file}"
        else:
            where = mask_userinfo(self.state.settings.connection.url)
            where += f" (Kapacitor {self.state.version})" if self.state.version else ""
        parts = [p for p in (self.progress, where) if p]
        return "  ·  ".join(parts)

    def action_back(self) -> None:
        self.dismiss(BACK)

    # -- unexpected errors in the step's background work ----------------------------

    def run_worker(self, *args: Any, **kwargs: Any) -> Worker[Any]:
        """Every worker of a step (`@work` comes here too) reports a failure to the step
        (`show_unexpected_error`) instead of ending the app, so nothing typed is lost."""
        kwargs["exit_on_error"] = False
        for problem in self.query("#step-problem"):  # a new attempt: the old failure is history
            problem.remove_class("-shown")
        return super().run_worker(*args, **kwargs)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state == WorkerState.ERROR and error is not None and not isinstance(error, asyncio.CancelledError):
            self.show_unexpected_error(error)

    def show_unexpected_error(self, error: BaseException) -> None:
        """One scrubbed line under the title; the step stays as it was."""
        if not any(w.is_running for w in self.workers if w.node is self):
            for indicator in self.query(LoadingIndicator):
                indicator.display = False
        what = GLOBAL_SCRUBBER.line(f"{type(error).__name__}: {error}")
        text = f"Something went wrong: {what}. What you entered is kept: try again, or press Escape to go back."
        for problem in self.query("#step-problem").results(Static):  # none once the step is closing
            problem.update(text)
            problem.add_class("-shown")

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.step_title or "Help", self.help_text))


class HelpScreen(ModalScreen[None]):
    """The guide's full text for one step, with its links."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("f1", "close", "Close", show=False)]
    VERTICAL_BREAKPOINTS = StepScreen.VERTICAL_BREAKPOINTS
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > Vertical {
        width: 80%;
        max-width: 96;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    HelpScreen #help-title {
        text-style: bold;
        color: $text-accent;
        margin-bottom: 1;
    }
    HelpScreen Markdown {
        height: auto;
        margin: 0;
        padding: 0;
    }
    /* The text scrolls inside the panel; the Close button always shows below it. */
    HelpScreen VerticalScroll {
        height: auto;
        max-height: 22;
    }
    HelpScreen Button {
        margin-top: 1;
    }
    HelpScreen.-short > Vertical {
        width: 100%;
        padding: 0 1;
    }
    HelpScreen.-short VerticalScroll {
        max-height: 16;
    }
    HelpScreen.-short Button {
        height: 1;
        border: none !important;
        min-width: 8;
        padding: 0 2;
    }
    """

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll():
                yield Static(self.title_text, id="help-title", markup=False)
                from textual.widgets import Markdown  # markdown-it loads when help is first shown

                yield Markdown(self.text)
            yield Button("Close", id="close-help", variant="primary")

    def on_mount(self) -> None:
        # Arrow keys and PageDown scroll a text longer than the panel; Enter on Close is a Tab away.
        self.query_one(VerticalScroll).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question for actions that cannot be taken back."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }
    ConfirmScreen > Vertical {
        width: 70%;
        max-width: 80;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    ConfirmScreen #confirm-buttons {
        height: auto;
        margin-top: 1;
    }
    ConfirmScreen Button {
        margin-right: 2;
    }
    """

    def __init__(self, question: str, yes: str = "Yes", no: str = "Cancel") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        from textual.containers import Horizontal

        with Vertical():
            yield Static(self.question)
            with Horizontal(id="confirm-buttons"):
                yield Button(self.yes, id="yes", variant="warning")
                yield Button(self.no, id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_cancel(self) -> None:
        self.dismiss(False)
