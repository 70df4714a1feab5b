"""Slack's webhook step: the form plus a direct test message before anything is saved."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, LoadingIndicator, Static

from wizard.core.errors import WizardError
from wizard.core.secrets import Secret
from wizard.core.slack import send_test_message
from wizard.tui.screens.form_step import FormStepScreen


class SlackWebhookScreen(FormStepScreen):
    """Paste the webhook URL; optionally post a test message to it right away."""

    BINDINGS = [Binding("ctrl+t", "check_webhook", "Test webhook")]

    def compose_extra(self) -> ComposeResult:
        with Horizontal(classes="check-actions"):
            yield Button("Send a test message to this webhook now (Ctrl+T)", id="check-webhook")
            yield LoadingIndicator(id="check-progress")
        yield Static("", id="check-result", classes="check-result")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#check-progress").display = False

    @on(Button.Pressed, "#check-webhook")
    def action_check_webhook(self) -> None:
        field = self.fields[0]
        verdict = field.check()
        if not verdict.ok:
            field.focus_input()
            return
        if not verdict.value:
            field.show_error("The webhook URL is kept in Kapacitor and cannot be read back; paste it to test it here.")
            return
        draft = self.state.draft()
        self.check_webhook(
            Secret(verdict.value),
            str(draft.get("channel") or ""),
            str(draft.get("username") or ""),
            str(draft.get("icon-emoji") or ""),
        )

    @work(exclusive=True, group="check")
    async def check_webhook(self, url: Secret, channel: str, username: str, icon: str) -> None:
        result = self.query_one("#check-result", Static)
        progress = self.query_one("#check-progress")
        result.set_classes("check-result")
        result.update("Posting a test message to the webhook… (Escape cancels)")
        progress.display = True
        try:
            await send_test_message(
                self.wizard.http, url, channel=channel, username=username, icon_emoji=icon, scrub=self.state.scrub
            )
        except WizardError as err:
            result.update(Text.assemble(("✗ ", "bold"), err.message, " ", err.hint))
            result.add_class("-error")
        else:
            result.update("✓ Slack accepted the test message. Check the channel, then go on.")
            result.add_class("-ok")
        finally:
            progress.display = False
            result.scroll_visible()

    def action_back(self) -> None:
        # Escape first stops a running check; a second Escape goes back.
        if any(w.is_running for w in self.workers if w.group == "check"):
            self.workers.cancel_group(self, "check")
            self.query_one("#check-progress").display = False
            self.query_one("#check-result", Static).update("Test message cancelled.")
            return
        super().action_back()
