"""Reconfiguring a handler Kapacitor already has: prefilled, secrets kept, only changes sent,
enable/disable, reset to kapacitor.conf, and overrides disabled at apply time."""
from __future__ import annotations

from textual.widgets import Input, SelectionList

from tests.tui_helpers import input_value, paste, screen_text, shows, wait_for, wait_for_screen
from wizard.kapacitor.client import ConnectionSettings
from wizard.tui.app import WizardApp
from wizard.tui.screens.apply import ApplyScreen
from wizard.tui.screens.base import ConfirmScreen
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.reset import ResetScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.screens.slack import SlackWebhookScreen
from wizard.tui.state import AppSettings

SIZE = (100, 34)


def configured_slack(kapacitor, slack_receiver) -> None:
    """Slack as kapacitor.conf sets it up: enabled, a webhook, channel #ops."""
    kapacitor.set_file_values("slack", {"enabled": True, "url": slack_receiver.webhook_url, "channel": "#ops"})


async def open_handlers(pilot) -> None:
    await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)
    await pilot.press("down")  # Slack


def finished(pilot) -> bool:
    screen = pilot.app.screen
    return isinstance(screen, ApplyScreen) and not any(w.is_running for w in pilot.app.workers if w.node is screen)


async def test_existing_handler_opens_prefilled_and_sends_only_the_change(kapacitor, slack_receiver):
    configured_slack(kapacitor, slack_receiver)
    async with WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url))).run_test(size=SIZE) as pilot:
        await open_handlers(pilot)
        assert shows(pilot, "webhook set")
        await pilot.press("enter")
        await wait_for_screen(pilot, SlackWebhookScreen)
        assert input_value(pilot, "#input-url") == ""  # the secret is not known, only that it is set
        assert shows(pilot, "leave empty to keep it")
        await pilot.press("enter")  # keep the webhook
        await wait_for(pilot, lambda: pilot.app.screen.step.id == "channel")
        assert input_value(pilot, "#input-channel") == "#ops"
        pilot.app.screen.query_one("#input-channel", Input).value = "#alerts"
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.screen.step.id == "extras")
        await pilot.press("enter", "enter")
        await wait_for_screen(pilot, ReviewScreen)
        assert shows(pilot, "unchanged")  # the kept webhook
        await pilot.press("enter")
        await wait_for(pilot, lambda: finished(pilot))
        assert shows(pilot, "Kapacitor sent the test alert")
    # Only the channel; the kept secret is never sent (not even as `true`).
    assert [p.json for p in kapacitor.config_posts()] == [{"set": {"channel": "#alerts"}}]
    assert slack_receiver.received[-1].json["channel"] == "#alerts"


async def test_nothing_changed_sends_nothing_but_the_test(kapacitor, slack_receiver):
    configured_slack(kapacitor, slack_receiver)
    async with WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url))).run_test(size=SIZE) as pilot:
        await open_handlers(pilot)
        await pilot.press("enter")
        await wait_for_screen(pilot, SlackWebhookScreen)
        await pilot.press("enter", "enter", "enter", "enter")
        await wait_for_screen(pilot, ReviewScreen)
        assert shows(pilot, "Nothing to change")
        await pilot.press("enter")
        await wait_for(pilot, lambda: finished(pilot))
    assert kapacitor.config_posts() == []
    assert len(slack_receiver.received) == 1


async def test_disable_and_enable_without_retyping(kapacitor, slack_receiver):
    configured_slack(kapacitor, slack_receiver)
    async with WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url))).run_test(size=SIZE) as pilot:
        await open_handlers(pilot)
        await pilot.press("e")
        await wait_for_screen(pilot, ReviewScreen)
        assert shows(pilot, "enabled yes no")
        await pilot.press("enter")
        await wait_for(pilot, lambda: finished(pilot))
        assert shows(pilot, "Slack is disabled")
        await pilot.press("enter")
        await wait_for_screen(pilot, DoneScreen)
        assert shows(pilot, "Slack is disabled")
        await pilot.press("enter")  # set up another handler
        await wait_for_screen(pilot, HandlersScreen)
        await pilot.press("down", "e")
        await wait_for_screen(pilot, ReviewScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: finished(pilot))
        assert shows(pilot, "Kapacitor sent the test alert")
    assert [p.json for p in kapacitor.config_posts()] == [{"set": {"enabled": False}}, {"set": {"enabled": True}}]
    assert len(slack_receiver.received) == 1  # no test alert while disabled


async def test_reset_to_kapacitor_conf_after_a_confirmation_that_names_the_options(kapacitor, slack_receiver):
    configured_slack(kapacitor, slack_receiver)
    async with WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url))).run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for_screen(pilot, HandlersScreen)
        await pilot.app.state.client.update_element("slack", set={"channel": "#override"})
        await pilot.press("down", "x")
        await wait_for_screen(pilot, ResetScreen)
        selection = pilot.app.screen.query_one(SelectionList)
        selection.select("channel")
        await pilot.click("#reset")
        await wait_for_screen(pilot, ConfirmScreen)
        assert shows(pilot, "Remove the API settings of channel?")
        await pilot.click("#yes")
        await wait_for_screen(pilot, ReviewScreen)
        assert shows(pilot, "from kapacitor.conf")
        await pilot.press("enter")
        await wait_for(pilot, lambda: finished(pilot))
    assert kapacitor.config_posts()[-1].json == {"delete": ["channel"]}
    # Kapacitor shows the file's value again.
    element = [e for e in (await _config(kapacitor))["slack"] if e.workspace == ""][0]
    assert element.options["channel"] == "#ops"


async def _config(kapacitor):
    from wizard.kapacitor.client import KapacitorClient

    async with KapacitorClient(ConnectionSettings(url=kapacitor.url)) as client:
        return await client.get_config()


async def test_overrides_disabled_at_apply_offers_the_file(kapacitor, slack_receiver, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the file route's default path is ./kapacitor.conf here
    configured_slack(kapacitor, slack_receiver)
    async with WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url))).run_test(size=SIZE) as pilot:
        await open_handlers(pilot)
        await pilot.press("e")
        await wait_for_screen(pilot, ReviewScreen)
        kapacitor.overrides_disabled = True
        await pilot.press("enter")
        await wait_for(pilot, lambda: finished(pilot))
        assert shows(pilot, "Config overrides disabled") and shows(pilot, "[config-override]")
        assert shows(pilot, "Write kapacitor.conf instead")
        await pilot.press("enter")  # the offered button has the focus
        await wait_for_screen(pilot, ReviewScreen)
        assert shows(pilot, "kapacitor.conf")
    assert kapacitor.config_posts()[-1].json == {"set": {"enabled": False}}  # refused, nothing stored


async def test_a_stored_chat_upgraded_to_a_supergroup_is_offered_under_its_new_id(kapacitor, telegram_api, monkeypatch):
    from wizard.tui.screens.telegram import TelegramBotScreen, TelegramChatScreen

    monkeypatch.setattr(TelegramChatScreen, "poll_timeout", 1)
    monkeypatch.setattr(TelegramBotScreen, "check_delay", 0.05)
    telegram_api.add_group(-4001, "Ops")
    telegram_api.add_supergroup(-1004001, "Ops")
    telegram_api.inject_migration(-4001, -1004001)
    kapacitor.set_file_values(
        "telegram",
        {"enabled": True, "token": telegram_api.token, "chat-id": "-4001", "url": telegram_api.api_base, "parse-mode": "Markdown"},
    )
    app = WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url), telegram_api_url=telegram_api.url))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for_screen(pilot, HandlersScreen)
        await pilot.press("down", "down", "enter")
        await wait_for_screen(pilot, TelegramBotScreen)
        await paste(pilot, telegram_api.token)
        await wait_for(pilot, lambda: shows(pilot, "Token works"), what="the token check")
        await pilot.press("enter")
        await wait_for_screen(pilot, TelegramChatScreen)
        chat = pilot.app.screen
        chat.fields[0].query_one("Input").value = "-4001"  # the id Kapacitor has
        chat.fields[0].focus_input()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, TelegramChatScreen))
        await pilot.press("enter")  # format: as it is
        await wait_for_screen(pilot, ReviewScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: finished(pilot) and pilot.app.screen.new_chat_id, what="the new id offered")
        assert shows(pilot, "Use the new chat id -1004001")
        await pilot.press("enter")  # the offered button has the focus
        await wait_for_screen(pilot, ReviewScreen)
        assert shows(pilot, "chat-id -4001 -1004001")
        await pilot.press("enter")
        await wait_for(pilot, lambda: finished(pilot))
        assert shows(pilot, "Kapacitor sent the test alert through Telegram")
    assert kapacitor.config_posts()[-1].json == {"set": {"chat-id": "-1004001"}}
    assert telegram_api.sent_messages[-1].chat_id == -1004001
