"""Slack's steps that need more than a form: the choice of way (Kapacitor 1.6+), the webhook
with a direct test message, and the Slack app's bot token with a direct check, before anything is saved."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, LoadingIndicator, RadioButton, RadioSet, Static

from wizard.text.errors import WizardError
from wizard.text.secrets import Secret
from wizard.services.slack import check_bot_token, post_app_message, send_test_message
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
        if verdict.confirm:
            self.ask_to_confirm(field, verdict, then=self.action_check_webhook)
            return
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
                self.wizard.http, url, channel=channel, username=username, icon_emoji=icon, scrub=self.state.scrub,
                timeout=self.state.settings.timeout,
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

    def check_cancelled(self) -> None:
        self.query_one("#check-result", Static).update("Test message cancelled.")

    def keeps_secret(self, name: str) -> bool:
        # Coming from the Slack app way, the stored url is chat.postMessage: a webhook URL is needed.
        element = self.state.element()
        return not (name == "url" and element is not None and element.is_set("token"))


class SlackWayScreen(FormStepScreen):
    """Incoming webhook or Slack app (bot token): offered when Kapacitor has Slack's token option."""

    def compose_extra(self) -> ComposeResult:
        way = self.state.current.way or "webhook"
        with RadioSet(id="slack-way"):
            yield RadioButton("Incoming webhook", value=way == "webhook", id="way-webhook")
            yield RadioButton("Slack app with a bot token (xoxb-…)", value=way == "app", id="way-app")

    BINDINGS = [
        Binding("up", "choose('webhook')", "Webhook"),
        Binding("down", "choose('app')", "Slack app"),
    ]

    def action_choose(self, way: str) -> None:
        # Enter stays on Next: ↑/↓ pick the way, Enter goes on with it.
        self.query_one(f"#way-{way}", RadioButton).value = True

    @on(RadioSet.Changed, "#slack-way")
    def way_chosen(self, event: RadioSet.Changed) -> None:
        self.state.current.way = "app" if event.pressed.id == "way-app" else "webhook"


class _SlackAppCheck(FormStepScreen):
    """The app way's direct check: auth.test names the bot and workspace; with a channel,
    a sample goes through chat.postMessage and Slack's own ok/error is the verdict."""

    BINDINGS = [Binding("ctrl+t", "check_app", "Check with Slack")]
    CHECK_LABEL = "Check the token with Slack now (Ctrl+T)"

    def compose_extra(self) -> ComposeResult:
        with Horizontal(classes="check-actions"):
            yield Button(self.CHECK_LABEL, id="check-app")
            yield LoadingIndicator(id="check-progress")
        yield Static("", id="check-result", classes="check-result")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#check-progress").display = False

    @on(Button.Pressed, "#check-app")
    def action_check_app(self) -> None:
        if not self.validate_all():
            return
        draft = self.state.draft()
        token = str(draft.get("token") or "").strip()
        if not token:
            self.query_one("#check-result", Static).update(
                "The bot token is kept in Kapacitor and cannot be read back; paste it to check it here.")
            return
        self.check_app(Secret(token), str(draft.get("channel") or ""))

    @work(exclusive=True, group="check")
    async def check_app(self, token: Secret, channel: str) -> None:
        result = self.query_one("#check-result", Static)
        progress = self.query_one("#check-progress")
        result.set_classes("check-result")
        result.update("Asking Slack… (Escape cancels)")
        progress.display = True
        api = self.state.settings.slack_api_url
        try:
            timeout = self.state.settings.timeout
            who = await check_bot_token(self.wizard.http, token, api_base=api, scrub=self.state.scrub, timeout=timeout)
            if channel:
                await post_app_message(
                    self.wizard.http, token, channel, api_base=api, scrub=self.state.scrub, timeout=timeout
                )
        except WizardError as err:
            result.update(Text.assemble(("✗ ", "bold"), err.message, " ", err.hint))
            result.add_class("-error")
        else:
            posted = f" Slack accepted a sample message in {channel}: check it there." if channel else ""
            result.update(f"✓ {who}{posted}")
            result.add_class("-ok")
        finally:
            progress.display = False
            result.scroll_visible()

    def check_cancelled(self) -> None:
        self.query_one("#check-result", Static).update("Check cancelled.")


class SlackAppScreen(_SlackAppCheck):
    """Paste the Slack app's bot token; a webhook-way element needs a new one."""


class SlackAppChannelScreen(_SlackAppCheck):
    """The app's channel; Ctrl+T posts a sample there with the token typed before."""

    CHECK_LABEL = "Post a sample message to this channel now (Ctrl+T)"
