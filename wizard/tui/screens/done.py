"""Done: what was written where, and the TICKscript line that uses the handler."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Markdown, Static

from wizard.tui.screens.base import StepScreen
from wizard.tui.state import HOME, WizardState


class DoneScreen(StepScreen):
    CSS_PATH = "done.tcss"
    help_text = (
        "Settings written through Kapacitor's API take effect at once and are kept in Kapacitor's "
        "data directory across restarts. They win over kapacitor.conf for the same options.\n\n"
        "Use the handler in a TICKscript alert with the line shown, for example:\n\n"
        "```\nstream\n    |from()\n        .measurement('cpu')\n    |alert()\n"
        "        .crit(lambda: \"usage_idle\" < 10)\n        .slack()\n```"
    )

    def __init__(self, state: WizardState, *, progress: str = "") -> None:
        super().__init__(state, progress=progress)
        assert state.handler is not None
        self.spec = state.handler
        self.step_title = f"{self.spec.title} is set up"

    def compose_body(self) -> ComposeResult:
        plan = self.state.applied
        url = self.state.settings.connection.url
        if plan is not None and not plan.empty:
            names = ", ".join(c.option for c in plan.changes)
            written = f"Written to Kapacitor at `{url}`: `{plan.path}` ({names})."
        else:
            written = f"Kapacitor at `{url}` already had these settings; nothing was written."
        result = self.state.test_result
        tested = (
            "Kapacitor delivered its test alert."
            if result and result.success
            else "Kapacitor's test alert did not go through; see the previous step."
        )
        element = self.state.element()
        values = dict(element.options) if element else {}
        values.update({k: v for k, v in self.state.draft().items() if not self.spec.option(k).secret})
        tick = "\n".join(" " * 8 + line for line in self.spec.tickscript(values).splitlines())
        yield Markdown(
            f"{written}\n\n{tested}\n\n"
            "The change is live now and survives restarts; API settings win over kapacitor.conf.\n\n"
            f"Use it in a TICKscript alert:\n\n```\nstream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" < 10)\n{tick}\n```",
            id="done-text",
        )
        with Horizontal(classes="step-actions"):
            yield Button("Set up another handler", id="home", variant="primary")
            yield Button("Quit", id="quit")

    def on_mount(self) -> None:
        self.query_one("#home", Button).focus()

    @on(Button.Pressed, "#home")
    def home(self) -> None:
        self.dismiss(HOME)

    @on(Button.Pressed, "#quit")
    def quit(self) -> None:
        self.app.exit()
