"""The Telegram flow end to end: the real app, driven by Pilot, against the Bot API stand-in
and a Kapacitor stand-in whose service test really posts to that Bot API."""
from __future__ import annotations

import logging

import httpx
import pytest
from textual.widgets import DataTable, OptionList

from tests.fakes.telegram import TelegramBotApiFake
from tests.tui_helpers import input_value, paste, screen_text, shows, wait_for, wait_for_screen
from wizard.handlers.registry import TEST_MESSAGE
from wizard.kapacitor.client import ConnectionSettings
from wizard.tui.app import WizardApp
from wizard.tui.screens.apply import ApplyScreen
from wizard.tui.screens.base import ConfirmScreen
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.screens.telegram import TelegramBotScreen, TelegramChatScreen, TelegramFormatScreen
from wizard.tui.state import AppSettings

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

SIZE = (100, 34)
WRONG_TOKEN = "987654321:AAHwrongTokenThatTelegramDoesNotKnow_xyz"


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    """Short long-polls so that leaving a screen and the stand-in's shutdown stay fast."""
    monkeypatch.setattr(TelegramChatScreen, "poll_timeout", 1)
    monkeypatch.setattr(TelegramChatScreen, "idle_interval", 0.02)
    monkeypatch.setattr(TelegramBotScreen, "check_delay", 0.05)


def make_app(kapacitor, telegram_api: TelegramBotApiFake) -> WizardApp:
    return WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url), telegram_api_url=telegram_api.url))


def chat_screen(pilot) -> TelegramChatScreen:
    screen = pilot.app.screen
    assert isinstance(screen, TelegramChatScreen), screen
    return screen


def table_ids(pilot) -> list[str]:
    table = chat_screen(pilot).query_one("#chats", DataTable)
    return [row.key.value for row in table.ordered_rows]


async def choose_telegram(pilot, screens: list[str] | None = None) -> None:
    await wait_for_screen(pilot, ConnectScreen)
    await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)
    options = pilot.app.screen.query_one(OptionList)
    options.highlighted = options.get_option_index("telegram")
    await pilot.press("enter")
    await wait_for_screen(pilot, TelegramBotScreen)
    if screens is not None:
        screens.append(screen_text(pilot))


async def to_chat_step(pilot, token: str, screens: list[str] | None = None) -> TelegramChatScreen:
    await choose_telegram(pilot, screens)
    await paste(pilot, token)
    await wait_for(pilot, lambda: shows(pilot, "Token works"), what="the token check")
    if screens is not None:
        screens.append(screen_text(pilot))
    await pilot.press("enter")
    await wait_for_screen(pilot, TelegramChatScreen)
    return chat_screen(pilot)


async def to_format_step(pilot, token: str, chat_id: str) -> None:
    screen = await to_chat_step(pilot, token)
    screen.fields[0].query_one("Input").value = chat_id
    screen.fields[0].focus_input()
    await pilot.press("enter")
    await wait_for_screen(pilot, TelegramFormatScreen)


def apply_finished(pilot) -> bool:
    screen = pilot.app.screen
    return isinstance(screen, ApplyScreen) and not any(w.is_running for w in pilot.app.workers if w.node is screen)


def discovering(pilot) -> bool:
    return any(w.is_running for w in pilot.app.workers if w.group == "discover")


def raw_get_updates(fake: TelegramBotApiFake) -> list[dict]:
    answer = httpx.get(f"{fake.api_base}{fake.token}/getUpdates").json()
    assert answer["ok"], answer
    return answer["result"]


# ---------------------------------------------------------------------------- the whole way


async def test_from_token_to_kapacitors_own_test_alert(kapacitor, telegram_api, caplog):
    caplog.set_level(logging.DEBUG)
    telegram_api.add_private_chat(111, "Alice", username="alice")
    telegram_api.add_group(-222, "Ops")
    telegram_api.inject_message(-222, "hello everyone")
    screens: list[str] = []
    app = make_app(kapacitor, telegram_api)
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_chat_step(pilot, telegram_api.token, screens)
        assert shows(pilot, "Kapacitor Alerts (@kapacitor_alerts_bot)")
        assert "https://t.me/kapacitor_alerts_bot" in screens[-1]
        assert "Privacy mode is on" in screens[-1]
        await wait_for(pilot, lambda: table_ids(pilot) == ["-222"], what="the group in the list")
        telegram_api.inject_message(111, f"/start {screen.pairing_code}")
        await wait_for(pilot, lambda: table_ids(pilot) == ["111", "-222"], what="the private chat, newest first")
        await wait_for(pilot, lambda: input_value(pilot, "#input-chat-id") == "111", what="the paired chat preselected")
        assert shows(pilot, "★ code")
        screens.append(screen_text(pilot))
        await pilot.press("enter")
        await wait_for_screen(pilot, TelegramFormatScreen)
        assert not discovering(pilot)
        await pilot.click("#input-disable-notification")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: shows(pilot, "Telegram delivered the sample alert"), what="the sample alert")
        sample = telegram_api.sent_messages[-1]
        assert (sample.chat_id, sample.parse_mode, sample.disable_notification) == (111, "Markdown", True)
        assert "CRITICAL" in sample.text
        screens.append(screen_text(pilot))
        await pilot.click("#next")
        await wait_for_screen(pilot, ReviewScreen)
        screens.append(screen_text(pilot))
        assert "chat-id" in screens[-1] and "Markdown" in screens[-1]
        await pilot.press("enter")
        await wait_for(pilot, lambda: apply_finished(pilot), what="apply and test to finish")
        screens.append(screen_text(pilot))
        assert shows(pilot, "Kapacitor sent the test alert through Telegram")
        await pilot.press("enter")
        await wait_for_screen(pilot, DoneScreen)
        screens.append(screen_text(pilot))

    posts = kapacitor.config_posts()
    assert [p.path for p in posts] == ["/kapacitor/v1/config/telegram/"]
    assert posts[0].json == {"set": {
        "enabled": True,
        "url": f"{telegram_api.url}/bot",
        "token": telegram_api.token,
        "chat-id": "111",
        "parse-mode": "Markdown",
        "disable-notification": True,
    }}
    received = telegram_api.sent_messages[-1]
    assert received.chat_id == 111
    assert received.text == TEST_MESSAGE
    assert received.parse_mode == "Markdown"
    assert received.disable_notification is True and received.disable_web_page_preview is False
    assert telegram_api.requests_for("sendMessage")[-1].content_type == "application/json"  # Kapacitor's request
    for text in screens:
        assert telegram_api.token not in text
        assert telegram_api.token.split(":")[1] not in text
    assert telegram_api.token.split(":")[1] not in caplog.text


# ---------------------------------------------------------------------------- discovery


async def test_every_kind_of_chat_is_listed_and_no_update_is_consumed(kapacitor, telegram_api):
    api = telegram_api
    api.add_private_chat(111, "Alice", last_name="Liddell")
    api.add_group(-222, "Small group")
    api.add_supergroup(-100333, "Big group", username="big_group")
    api.add_channel(-100444, "Alerts channel", username="alerts_channel")
    api.add_group(-555, "Just added")
    api.inject_message(111, "hi")
    api.inject_message(-222, "/start@kapacitor_alerts_bot")
    api.inject_message(-100333, "/start@kapacitor_alerts_bot")
    api.inject_message(-100444, "post", kind="channel_post")
    api.inject_my_chat_member(-555, new_status="member")
    injected = api.pending_updates
    app = make_app(kapacitor, api)
    async with app.run_test(size=SIZE) as pilot:
        await to_chat_step(pilot, api.token)
        await wait_for(pilot, lambda: len(table_ids(pilot)) == 5, what="five chats")
        assert table_ids(pilot) == ["-555", "-100444", "-100333", "-222", "111"]
        text = screen_text(pilot)
        for kind in ("private", "group", "supergroup", "channel"):
            assert kind in text
        for name in ("Alice Liddell", "Small group", "Big group", "@big_group", "Alerts channel", "Just added"):
            assert name in text
        # A message that arrives while the screen is open joins the list at the top.
        api.add_private_chat(666, "Bob")
        api.inject_message(666, "me too")
        await wait_for(pilot, lambda: table_ids(pilot)[:1] == ["666"], what="the new chat")
        await pilot.press("escape")
        await wait_for_screen(pilot, TelegramBotScreen)
    assert len(raw_get_updates(api)) == len(injected) + 1  # every update is still there
    assert all("offset" not in r.params for r in api.requests_for("getUpdates"))
    assert all("allowed_updates" not in r.params for r in api.requests_for("getUpdates"))


async def test_group_upgraded_to_a_supergroup_is_offered_under_its_new_id(kapacitor, telegram_api):
    api = telegram_api
    api.add_group(-222, "Ops")
    app = make_app(kapacitor, api)
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_chat_step(pilot, api.token)
        api.inject_message(-222, f"/start@kapacitor_alerts_bot {screen.pairing_code}")
        api.inject_migration(-222, -100999)
        await wait_for(pilot, lambda: table_ids(pilot) == ["-100999"], what="the supergroup only")
        await wait_for(pilot, lambda: input_value(pilot, "#input-chat-id") == "-100999")
        assert shows(pilot, "This group became a supergroup; use the new id -100999")


async def test_forum_warns_that_alerts_land_in_general(kapacitor, telegram_api):
    api = telegram_api
    api.add_supergroup(-100777, "Team", is_forum=True)
    api.inject_message(-100777, "/start@kapacitor_alerts_bot")
    app = make_app(kapacitor, api)
    async with app.run_test(size=SIZE) as pilot:
        await to_chat_step(pilot, api.token)
        await wait_for(pilot, lambda: table_ids(pilot) == ["-100777"])
        chat_screen(pilot).query_one("#chats", DataTable).focus()
        await pilot.press("down", "up")
        await wait_for(pilot, lambda: shows(pilot, "alerts land in General"), what="the forum warning")
        await pilot.press("enter")  # Enter on the list takes the selected chat
        await wait_for_screen(pilot, TelegramFormatScreen)
        assert pilot.app.state.draft()["chat-id"] == "-100777"


async def test_webhook_is_removed_only_after_confirmation(kapacitor, telegram_api):
    api = telegram_api
    api.add_private_chat(111, "Alice")
    api.inject_message(111, "hello")
    hook = "https://hooks.example.net/telegram/secret-path"
    api.set_webhook(hook)
    app = make_app(kapacitor, api)
    async with app.run_test(size=SIZE) as pilot:
        await to_chat_step(pilot, api.token)
        await wait_for(pilot, lambda: shows(pilot, "webhook at hooks.example.net"), what="the webhook notice")
        assert shows(pilot, "Telegram refuses getUpdates")
        # Cancel: the webhook stays, and the chat id can be typed by hand.
        await pilot.click("#remove-webhook")
        await wait_for_screen(pilot, ConfirmScreen)
        assert shows(pilot, "stops receiving this bot's updates")
        await pilot.click("#no")
        await wait_for_screen(pilot, TelegramChatScreen)
        await wait_for(pilot, lambda: shows(pilot, "was left in place"))
        assert api.webhook_url == hook and api.requests_for("deleteWebhook") == []
        # Confirm: removed (pending updates kept), and discovery starts.
        await pilot.click("#remove-webhook")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#yes")
        await wait_for_screen(pilot, TelegramChatScreen)
        await wait_for(pilot, lambda: table_ids(pilot) == ["111"], what="discovery after removal")
        assert api.webhook_url == ""
        assert not api.requests_for("deleteWebhook")[-1].params.get("drop_pending_updates")
    assert len(raw_get_updates(api)) == 1


async def test_typing_the_chat_id_by_hand_works_while_polling(kapacitor, telegram_api):
    telegram_api.add_private_chat(111, "Alice")
    telegram_api.inject_message(111, "hello")
    app = make_app(kapacitor, telegram_api)
    async with app.run_test(size=SIZE) as pilot:
        await to_chat_step(pilot, telegram_api.token)
        await wait_for(pilot, lambda: table_ids(pilot) == ["111"])
        await paste(pilot, "@alerts_channel")
        await pilot.press("enter")
        await wait_for_screen(pilot, TelegramFormatScreen)
        assert pilot.app.state.draft()["chat-id"] == "@alerts_channel"


async def test_rate_limit_and_conflict_are_shown_and_the_list_kept(kapacitor, telegram_api):
    api = telegram_api
    api.add_private_chat(111, "Alice")
    api.inject_message(111, "hello")
    app = make_app(kapacitor, api)
    async with app.run_test(size=SIZE) as pilot:
        await to_chat_step(pilot, api.token)
        await wait_for(pilot, lambda: table_ids(pilot) == ["111"])
        api.rate_limit_next(1)
        await wait_for(pilot, lambda: shows(pilot, "Telegram asks to slow down"), what="the 429")
        assert shows(pilot, "The list so far is kept")
        assert table_ids(pilot) == ["111"] and "Alice" in screen_text(pilot)
        api.conflict_next()
        await wait_for(pilot, lambda: shows(pilot, "Another program is reading this bot's updates"), what="the 409")
        assert table_ids(pilot) == ["111"]
        # Polling goes on by itself afterwards.
        api.add_private_chat(222, "Bob")
        api.inject_message(222, "hi")
        await wait_for(pilot, lambda: table_ids(pilot) == ["222", "111"], timeout=10)


async def test_escape_while_waiting_stops_the_poll(kapacitor, telegram_api):
    app = make_app(kapacitor, telegram_api)
    async with app.run_test(size=SIZE) as pilot:
        await to_chat_step(pilot, telegram_api.token)
        await wait_for(pilot, lambda: shows(pilot, "Waiting for a message"), what="the waiting notice")
        assert shows(pilot, "24 hours")
        assert telegram_api.wait_for_long_poll(timeout=5)
        assert discovering(pilot)
        await pilot.press("escape")
        await wait_for_screen(pilot, TelegramBotScreen)
        await wait_for(pilot, lambda: not discovering(pilot), what="the poll to stop")
        assert not [w for w in pilot.app.workers if w.group == "discover"]
        # The token typed before is kept.
        assert input_value(pilot, "#input-token") == telegram_api.token


# ---------------------------------------------------------------------------- the token


async def test_wrong_token_is_shown_at_the_field_and_kept(kapacitor, telegram_api):
    app = make_app(kapacitor, telegram_api)
    async with app.run_test(size=SIZE) as pilot:
        await choose_telegram(pilot)
        await paste(pilot, WRONG_TOKEN)
        await wait_for(pilot, lambda: shows(pilot, "Telegram says the bot token is wrong"), what="the 401")
        assert input_value(pilot, "#input-token") == WRONG_TOKEN
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(pilot.app.screen, TelegramBotScreen)
        assert input_value(pilot, "#input-token") == WRONG_TOKEN
        assert WRONG_TOKEN.split(":")[1] not in screen_text(pilot)


async def test_unreachable_bot_api_offers_a_retry(kapacitor, telegram_api):
    token = telegram_api.token
    app = WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url), telegram_api_url="http://127.0.0.1:9"))
    async with app.run_test(size=SIZE) as pilot:
        await choose_telegram(pilot)
        await paste(pilot, token)
        await wait_for(pilot, lambda: shows(pilot, "Could not reach the Telegram Bot API"), what="the network error")
        assert shows(pilot, "Press Ctrl+T to retry")
        assert input_value(pilot, "#input-token") == token
        await pilot.press("enter")  # a second Next goes on without the check
        await wait_for_screen(pilot, TelegramChatScreen)
        await wait_for(pilot, lambda: shows(pilot, "Could not reach"), what="the error on the chat step")
        assert shows(pilot, "type the chat id") or shows(pilot, "Search again")


async def test_a_kept_token_means_typing_the_chat_id(kapacitor, telegram_api):
    answer = httpx.post(
        f"{kapacitor.url}/kapacitor/v1/config/telegram/",
        json={"set": {"enabled": True, "token": telegram_api.token, "chat-id": "111", "url": f"{telegram_api.url}/bot"}},
    )
    assert answer.status_code == 204, answer.text
    telegram_api.add_private_chat(111, "Alice")
    telegram_api.add_private_chat(333, "Carol")
    app = make_app(kapacitor, telegram_api)
    async with app.run_test(size=SIZE) as pilot:
        await choose_telegram(pilot)
        assert shows(pilot, "never reveals a stored token")
        await pilot.press("enter")
        await wait_for_screen(pilot, TelegramChatScreen)
        assert shows(pilot, "Type the chat id below")
        assert not discovering(pilot)
        assert input_value(pilot, "#input-chat-id") == "111"
        pilot.app.screen.query_one("#input-chat-id").value = "333"
        await pilot.press("enter")
        await wait_for_screen(pilot, TelegramFormatScreen)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: shows(pilot, "the wizard cannot send a sample itself"))
        await pilot.click("#next")
        await wait_for_screen(pilot, ReviewScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: apply_finished(pilot))
        assert shows(pilot, "Kapacitor sent the test alert through Telegram")
    assert kapacitor.config_posts()[-1].json == {"set": {"chat-id": "333", "parse-mode": "Markdown"}}
    assert telegram_api.sent_messages[-1].chat_id == 333


# ---------------------------------------------------------------------------- the sample alert


async def test_sample_alert_errors_are_explained_and_a_new_supergroup_id_offered(kapacitor, telegram_api):
    api = telegram_api
    api.add_private_chat(111, "Alice")
    api.add_private_chat(112, "Bob")
    api.block(112)
    api.add_group(-222, "Ops")
    api.inject_migration(-222, -100999)
    app = make_app(kapacitor, api)
    async with app.run_test(size=SIZE) as pilot:
        await to_format_step(pilot, api.token, "555")
        draft = pilot.app.state.draft()

        async def sample(expected: str) -> None:
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: shows(pilot, expected), what=expected)

        await sample("Telegram says: chat not found")
        draft["chat-id"] = "112"
        await sample("The bot was blocked by the user")
        draft["chat-id"] = "111"
        api.fail_next(
            "sendMessage", 400, "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 9"
        )
        await sample("can't parse entities")
        draft["chat-id"] = "-222"
        await sample("upgraded to a supergroup")
        await pilot.click("#use-new-id")
        assert draft["chat-id"] == "-100999"
        await sample("Telegram delivered the sample alert")
    assert api.sent_messages[-1].chat_id == -100999
    assert kapacitor.config_posts() == []  # a direct check saves nothing
