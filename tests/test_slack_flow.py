"""The Slack flow end to end: the real app, driven by Pilot, against a Kapacitor stand-in
that really posts its test alert to a Slack receiver on 127.0.0.1."""
from __future__ import annotations

import logging

import pytest
from textual.widgets import Button, Input

from tests.tui_helpers import input_value, paste, screen_text, shows, wait_for, wait_for_screen
from wizard.kapacitor.client import ConnectionSettings
from wizard.text.secrets import Secret
from wizard.tui.app import WizardApp
from wizard.handlers.registry import TEST_MESSAGE
from wizard.tui.screens.apply import ApplyScreen
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.form_step import FormStepScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.screens.base import ConfirmScreen
from wizard.tui.screens.slack import SlackWebhookScreen
from wizard.tui.state import AppSettings

SIZE = (100, 34)


def make_app(url: str, **connection: object) -> WizardApp:
    return WizardApp(AppSettings(ConnectionSettings(url=url, **connection)))  # type: ignore[arg-type]


async def connect_and_choose_slack(pilot, screens: list[str] | None = None) -> None:
    await wait_for_screen(pilot, ConnectScreen)
    await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)
    if screens is not None:
        screens.append(screen_text(pilot))
    await pilot.press("down", "enter")  # HipChat, Slack, Telegram: Slack is second
    await wait_for_screen(pilot, SlackWebhookScreen)


async def fill_slack_steps(pilot, webhook: str, channel: str, screens: list[str] | None = None) -> None:
    await paste(pilot, webhook)
    if screens is not None:
        screens.append(screen_text(pilot))
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen.step.id == "channel", what="the channel step")
    await paste(pilot, channel)
    if screens is not None:
        screens.append(screen_text(pilot))
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen.step.id == "extras", what="the extras step")
    if screens is not None:
        screens.append(screen_text(pilot))
    await pilot.press("enter", "enter")  # username, then icon emoji: both left as they are
    await wait_for_screen(pilot, ReviewScreen)
    if screens is not None:
        screens.append(screen_text(pilot))


def apply_finished(pilot) -> bool:
    screen = pilot.app.screen
    return isinstance(screen, ApplyScreen) and not any(
        w.is_running for w in pilot.app.workers if w.node is screen
    )


async def test_first_time_slack_setup_end_to_end(kapacitor, slack_receiver):
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await connect_and_choose_slack(pilot)
        await fill_slack_steps(pilot, slack_receiver.webhook_url, "#alerts")
        review = screen_text(pilot)
        assert "url" in review and "not set" in review and "set" in review
        assert "#alerts" in review
        await pilot.press("enter")  # Apply and send a test alert
        await wait_for(pilot, lambda: apply_finished(pilot), what="apply and test to finish")
        text = screen_text(pilot)
        assert shows(pilot, "Kapacitor sent the test alert through Slack")
        await pilot.press("enter")  # Finish
        await wait_for_screen(pilot, DoneScreen)
        done = screen_text(pilot)
        assert ".slack()" in done and ".channel('#alerts')" in done
        await pilot.press("c")
        assert pilot.app.clipboard == ".slack()\n.channel('#alerts')"

    posts = kapacitor.config_posts()
    assert [p.path for p in posts] == ["/kapacitor/v1/config/slack/"]
    assert posts[0].json == {"set": {"enabled": True, "url": slack_receiver.webhook_url, "channel": "#alerts"}}
    assert len(slack_receiver.received) == 1
    message = slack_receiver.received[0].json
    assert message["channel"] == "#alerts"
    assert message["attachments"][0]["text"] == TEST_MESSAGE


async def test_escape_goes_back_and_keeps_what_was_typed(kapacitor, slack_receiver):
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await connect_and_choose_slack(pilot)
        await fill_slack_steps(pilot, slack_receiver.webhook_url, "#ops")
        await pilot.press("escape")  # review -> extras
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "step", None) and pilot.app.screen.step.id == "extras")
        await pilot.press("escape")  # extras -> channel
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "step", None) and pilot.app.screen.step.id == "channel")
        assert input_value(pilot, "#input-channel") == "#ops"
        await pilot.press("escape")
        await wait_for_screen(pilot, SlackWebhookScreen)
        assert input_value(pilot, "#input-url") == slack_receiver.webhook_url
    assert kapacitor.config_posts() == []


async def test_invalid_channel_is_refused_at_the_field(kapacitor, slack_receiver):
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await connect_and_choose_slack(pilot)
        await paste(pilot, slack_receiver.webhook_url)
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.screen.step.id == "channel")
        await paste(pilot, "alerts")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, FormStepScreen) and pilot.app.screen.step.id == "channel"
        assert "Start with # for a channel" in screen_text(pilot)
        assert input_value(pilot, "#input-channel") == "alerts"


async def test_webhook_must_be_https_and_other_hosts_only_warn(kapacitor):
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await connect_and_choose_slack(pilot)
        await paste(pilot, "http://hooks.example.com/services/T/B/X")
        await pilot.press("enter")
        # Plain http:// to another host needs a yes first; "Change it" returns to the field.
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SlackWebhookScreen))
        assert shows(pilot, "Use https://, or confirm that hooks.example.com is a relay you trust.")
        field = pilot.app.screen.query_one("#input-url", Input)
        field.value = "https://relay.example.com/slack/T0/B0"
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.screen.step.id == "channel")


async def test_direct_webhook_test_before_saving(kapacitor, slack_receiver):
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await connect_and_choose_slack(pilot)
        await paste(pilot, slack_receiver.webhook_url)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "Slack accepted the test message" in screen_text(pilot))
        assert len(slack_receiver.received) == 1
        slack_receiver.answer_no_team()
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "no_team" in screen_text(pilot))
        assert shows(pilot, "the webhook was removed or the URL is mistyped")
    assert kapacitor.config_posts() == []  # nothing saved by a direct test


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("refused", "Kapacitor unreachable"),
        ("401", "Not authorized"),
        ("403", "Config overrides disabled"),
        ("500", "Kapacitor answered HTTP 500"),
    ],
)
async def test_connect_failures_are_explained_and_input_kept(kapacitor, setup, expected):
    url = kapacitor.url
    if setup == "refused":
        kapacitor.close()
    elif setup == "401":
        kapacitor.auth = ("admin", "s3cret-pass")
    elif setup == "403":
        kapacitor.overrides_disabled = True
    elif setup == "500":
        kapacitor.force_status = 500
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ConnectScreen)
        pilot.app.screen.query_one("#username", Input).value = "operator"
        await pilot.press("enter")
        await wait_for(pilot, lambda: shows(pilot, expected), what=expected)
        assert isinstance(pilot.app.screen, ConnectScreen)
        assert input_value(pilot, "#url") == url
        assert input_value(pilot, "#username") == "operator"
        # The connect button works again for a retry.
        assert not pilot.app.screen.query_one("#connect", Button).disabled


async def test_credentials_from_settings_reach_kapacitor(kapacitor):
    kapacitor.auth = ("admin", "s3cret-pass")
    app = make_app(kapacitor.url, username="admin", password=Secret("s3cret-pass"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for_screen(pilot, HandlersScreen)
        assert "Kapacitor 1.5.7" in screen_text(pilot)


async def test_apply_rejected_by_kapacitor_is_shown_and_everything_kept(kapacitor, slack_receiver):
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await connect_and_choose_slack(pilot)
        await fill_slack_steps(pilot, slack_receiver.webhook_url, "#alerts")
        kapacitor.force_status = 400
        await pilot.press("enter")
        await wait_for(pilot, lambda: apply_finished(pilot))
        text = screen_text(pilot)
        assert "Kapacitor rejected the request" in text
        assert "Rejected by Kapacitor" not in text  # said once, not twice
        assert "Nothing was changed" in text
        kapacitor.force_status = None
        await pilot.press("escape")
        await wait_for_screen(pilot, ReviewScreen)
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "step", None) and pilot.app.screen.step.id == "channel")
        assert input_value(pilot, "#input-channel") == "#alerts"


async def test_failing_service_test_is_reported_as_a_failure(kapacitor, slack_receiver):
    slack_receiver.answer_no_team()
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await connect_and_choose_slack(pilot)
        await fill_slack_steps(pilot, slack_receiver.webhook_url, "#alerts")
        await pilot.press("enter")
        await wait_for(pilot, lambda: apply_finished(pilot))
        text = screen_text(pilot)
        assert "Kapacitor's test alert failed" in text
        assert "no_team" in text
        assert "Kapacitor sent the test alert" not in text
        # Fix settings leads back to the first Slack step, with the settings kept.
        await pilot.click("#fix")
        await wait_for_screen(pilot, SlackWebhookScreen)


async def test_no_secret_on_any_screen_in_any_error_or_in_the_log(kapacitor, slack_receiver, caplog):
    caplog.set_level(logging.DEBUG)
    webhook = slack_receiver.webhook_url
    secret_part = webhook.split("/services/")[1]
    screens: list[str] = []
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await connect_and_choose_slack(pilot, screens)
        await fill_slack_steps(pilot, webhook, "#alerts", screens)
        # Kapacitor's error will echo the full webhook URL: the receiver is gone.
        slack_receiver.close()
        await pilot.press("enter")
        await wait_for(pilot, lambda: apply_finished(pilot))
        screens.append(screen_text(pilot))
        assert "connection refused" in screens[-1]
    assert kapacitor.config_posts()[0].json["set"]["url"] == webhook  # it really was sent
    for text in screens:
        assert secret_part not in text
    assert secret_part not in caplog.text


async def test_undo_on_the_done_screen_restores_the_previous_values(kapacitor, slack_receiver):
    kapacitor.set_file_values("slack", {"channel": "#old"})
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await connect_and_choose_slack(pilot)
        await fill_slack_steps(pilot, slack_receiver.webhook_url, "#new")
        await pilot.press("enter")
        await wait_for(pilot, lambda: apply_finished(pilot))
        await pilot.press("enter")
        await wait_for_screen(pilot, DoneScreen)
        await pilot.press("u")
        await wait_for(pilot, lambda: shows(pilot, "Restored"), what="the undo result")
        assert shows(pilot, "channel")
    restore = kapacitor.config_posts()[-1].json
    assert restore["set"] == {"enabled": False, "url": "", "channel": "#old"}
