"""The Telegram core against the Bot API stand-in, through python-telegram-bot."""
from __future__ import annotations

import asyncio
import logging
from contextlib import aclosing
from datetime import datetime, timezone

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fakes.telegram import BotProfile, TelegramBotApiFake
from wizard.text.errors import ValidationError, WizardError
from wizard.text.secrets import Secret
from wizard.services.telegram import (
    PAIRING_ALPHABET,
    BacklogFull,
    CandidatesUpdated,
    NetworkTrouble,
    PollConflict,
    RateLimited,
    TelegramBotBlocked,
    TelegramChatMigrated,
    TelegramChatNotFound,
    TelegramClient,
    TelegramError,
    TelegramParseError,
    TelegramTokenRejected,
    TelegramUnreachable,
    TelegramWebhookActive,
    Waiting,
    WebhookActive,
    bot_api_base,
    candidates_from_updates,
    detect_chats,
    make_pairing_code,
    sample_alert_text,
    validate_chat_id,
)

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

WRONG_TOKEN = "987654321:AAHwrongTokenThatTelegramDoesNotKnow_xyz"


def client_for(fake: TelegramBotApiFake, token: str | None = None) -> TelegramClient:
    return TelegramClient(token or fake.token, fake.url)


async def events_until(client, predicate, *, pairing_code=None, timeout=5.0, **options):
    """Collect discovery events until `predicate(event)` holds."""
    options.setdefault("poll_timeout", 2)
    options.setdefault("idle_interval", 0.02)
    seen = []
    stream = client.discover_chats(pairing_code, **options)
    try:
        async with aclosing(stream), asyncio.timeout(timeout):
            async for event in stream:
                seen.append(event)
                if predicate(event):
                    break
    except TimeoutError:
        pass  # the caller checks what was seen
    return seen


def raw_get_updates(fake: TelegramBotApiFake) -> list[dict]:
    answer = httpx.get(f"{fake.api_base}{fake.token}/getUpdates").json()
    assert answer["ok"], answer
    return answer["result"]


# ---------------------------------------------------------------------------- token


async def test_token_ok_gives_bot_name_link_and_privacy(telegram_api):
    async with client_for(telegram_api) as client:
        info = await client.check_token()
    assert info.username == "kapacitor_alerts_bot"
    assert info.first_name == "Kapacitor Alerts"
    assert info.mention == "@kapacitor_alerts_bot"
    assert info.link == "https://t.me/kapacitor_alerts_bot"
    assert info.privacy_mode is True
    assert info.group_command("AB12CD") == "/start@kapacitor_alerts_bot AB12CD"
    assert info.start_link("AB12CD") == "https://t.me/kapacitor_alerts_bot?start=AB12CD"
    assert "Privacy mode is on" in info.pairing_hint("AB12CD")


async def test_privacy_off_is_reported():
    profile = BotProfile(username="reads_all_bot", can_read_all_group_messages=True)
    with TelegramBotApiFake(bot=profile) as fake:
        async with client_for(fake) as client:
            info = await client.check_token()
    assert info.privacy_mode is False
    assert "Privacy mode" not in info.pairing_hint()


async def test_wrong_token_is_reported_without_the_token(telegram_api):
    async with client_for(telegram_api, WRONG_TOKEN) as client:
        with pytest.raises(TelegramTokenRejected) as caught:
            await client.check_token()
    err = caught.value
    assert isinstance(err, WizardError)
    assert "token is wrong" in err.message
    assert WRONG_TOKEN not in str(err) and WRONG_TOKEN not in repr(err)
    assert "987654321" not in str(err)


async def test_unreachable_api_is_retryable_and_names_the_host():
    with TelegramBotApiFake() as fake:
        url, token = fake.url, fake.token
    async with TelegramClient(token, url, connect_timeout=1.0) as client:
        with pytest.raises(TelegramUnreachable) as caught:
            await client.check_token()
    assert caught.value.retryable
    assert "127.0.0.1" in caught.value.message
    assert token not in str(caught.value)


async def test_client_repr_hides_the_token(telegram_api):
    client = TelegramClient(Secret(telegram_api.token), telegram_api.url)
    assert telegram_api.token not in repr(client)
    assert telegram_api.token not in str(client)
    assert bot_api_base(telegram_api.url) == f"{telegram_api.url}/bot"


async def test_token_stays_out_of_library_logs(telegram_api, caplog):
    caplog.set_level(logging.DEBUG)
    async with client_for(telegram_api) as client:
        await client.check_token()
    async with client_for(telegram_api, WRONG_TOKEN) as client:
        with pytest.raises(TelegramTokenRejected):
            await client.check_token()
    assert caplog.records, "httpx/PTB log their requests at these levels"
    assert telegram_api.token not in caplog.text
    assert WRONG_TOKEN not in caplog.text


# ---------------------------------------------------------------------------- webhook


async def test_webhook_is_detected_and_removed(telegram_api):
    telegram_api.set_webhook("https://hooks.example.org/telegram/secret-path")
    async with client_for(telegram_api) as client:
        assert await client.webhook_url() == "https://hooks.example.org/telegram/secret-path"
        events = await events_until(client, lambda e: False)
        assert len(events) == 1 and isinstance(events[0], WebhookActive)
        assert events[0].host == "hooks.example.org"
        assert "hooks.example.org" in events[0].message
        await client.remove_webhook()
        assert await client.webhook_url() is None
    assert telegram_api.webhook_url == ""
    assert telegram_api.requests_for("deleteWebhook")[-1].params.get("drop_pending_updates") in (
        None, False,
    )


async def test_webhook_set_while_polling_stops_discovery(telegram_api):
    async with client_for(telegram_api) as client:
        async def set_later():
            await asyncio.to_thread(telegram_api.wait_for_long_poll)
            telegram_api.set_webhook("https://other.example.com/hook")

        task = asyncio.create_task(set_later())
        events = await events_until(client, lambda e: isinstance(e, WebhookActive))
        await task
    assert isinstance(events[-1], WebhookActive)
    assert events[-1].host == "other.example.com"


async def test_detect_chats_reports_an_active_webhook(telegram_api):
    telegram_api.set_webhook("https://hooks.example.org/x")
    with pytest.raises(TelegramWebhookActive) as caught:
        await detect_chats(telegram_api.token, telegram_api.url, timeout=2)
    assert caught.value.host == "hooks.example.org"


# ---------------------------------------------------------------------------- discovery


def seed_all_chat_kinds(fake: TelegramBotApiFake) -> None:
    fake.inject_message(fake.add_private_chat(111, "Ada", last_name="Lovelace", username="ada"), "/start")
    fake.inject_message(fake.add_group(-222, "Ops team"), "/start@kapacitor_alerts_bot")
    fake.inject_message(fake.add_supergroup(-100333, "SRE", username="sre_room"), "hello")
    fake.inject_message(fake.add_channel(-100444, "Alerts", username="alerts_chan"), "post", kind="channel_post")
    fake.inject_my_chat_member(fake.add_group(-555, "Quiet group"), new_status="member")


async def test_discovery_lists_every_kind_of_chat_newest_first(telegram_api):
    seed_all_chat_kinds(telegram_api)
    async with client_for(telegram_api) as client:
        events = await events_until(client, lambda e: isinstance(e, CandidatesUpdated))
    found = events[-1].candidates
    assert [c.id for c in found] == [-555, -100444, -100333, -222, 111]
    by_id = {c.id: c for c in found}
    assert by_id[111].type == "private" and by_id[111].title == "Ada Lovelace"
    assert by_id[111].username == "ada"
    assert by_id[-222].type == "group" and by_id[-222].title == "Ops team"
    assert by_id[-100333].type == "supergroup" and by_id[-100333].username == "sre_room"
    assert by_id[-100444].type == "channel" and by_id[-100444].chat_id == "-100444"
    assert by_id[-555].title == "Quiet group"
    assert all(isinstance(c.last_seen, datetime) and c.last_seen.tzinfo for c in found)


async def test_discovery_marks_the_pairing_chat_and_dedupes(telegram_api):
    group = telegram_api.add_group(-222, "Ops team")
    telegram_api.inject_message(telegram_api.add_private_chat(111, "Ada"), "hi")
    telegram_api.inject_message(group, "/start@kapacitor_alerts_bot k7m2qp")
    telegram_api.inject_message(group, "another message", kind="edited_message")
    async with client_for(telegram_api) as client:
        events = await events_until(
            client, lambda e: isinstance(e, CandidatesUpdated), pairing_code="K7M2QP"
        )
    found = events[-1].candidates
    assert [c.id for c in found] == [-222, 111]
    assert events[-1].paired is not None and events[-1].paired.id == -222
    assert not next(c for c in found if c.id == 111).has_pairing_code


async def test_discovery_leaves_every_update_in_place(telegram_api):
    seed_all_chat_kinds(telegram_api)
    before = raw_get_updates(telegram_api)
    assert len(before) == 5
    async with client_for(telegram_api) as client:
        await events_until(client, lambda e: False, timeout=1.0)
    after = raw_get_updates(telegram_api)
    assert after == before
    polls = telegram_api.requests_for("getUpdates")
    assert polls, "the client polled"
    for request in polls:
        assert "offset" not in request.params
        assert "allowed_updates" not in request.params
    assert telegram_api.allowed_updates is None


async def test_new_message_while_polling_shows_up(telegram_api):
    async with client_for(telegram_api) as client:
        async def send_later():
            await asyncio.to_thread(telegram_api.wait_for_long_poll)
            telegram_api.inject_message(telegram_api.add_private_chat(42, "Grace"), "/start QW3RTY")

        task = asyncio.create_task(send_later())
        events = await events_until(
            client, lambda e: e.paired is not None, pairing_code="QW3RTY", poll_timeout=10
        )
        await task
    assert isinstance(events[0], CandidatesUpdated) and events[0].candidates == ()
    assert isinstance(events[1], Waiting) and "QW3RTY" in events[1].hint
    assert events[-1].paired.id == 42
    assert 42 in events[-1].new_chat_ids


async def test_new_message_shows_up_when_old_updates_are_pending(telegram_api):
    """The queue is never confirmed, so Telegram answers at once; arrivals still show."""
    telegram_api.inject_message(telegram_api.add_private_chat(111, "Ada"), "old")
    async with client_for(telegram_api) as client:
        stream = client.discover_chats("ZX9ZX9", poll_timeout=5, idle_interval=0.02)
        async with aclosing(stream):
            first = await anext(stream)
            assert [c.id for c in first.candidates] == [111]
            telegram_api.inject_message(telegram_api.add_group(-9, "New group"), "/start@x ZX9ZX9")
            async with asyncio.timeout(5):
                async for event in stream:
                    if event.paired is not None:
                        break
    assert event.paired.id == -9
    assert [c.id for c in event.candidates][:1] == [-9]
    assert len(raw_get_updates(telegram_api)) == 2


async def test_migrated_group_is_offered_under_its_new_id(telegram_api):
    group = telegram_api.add_group(-222, "Ops team")
    telegram_api.inject_message(group, "/start@kapacitor_alerts_bot PAIR22")
    telegram_api.inject_migration(-222, -100222)
    async with client_for(telegram_api) as client:
        events = await events_until(
            client, lambda e: isinstance(e, CandidatesUpdated), pairing_code="PAIR22"
        )
    found = events[-1].candidates
    assert [c.id for c in found] == [-100222]
    assert found[0].type == "supergroup"
    assert found[0].migrated_from == -222
    assert found[0].has_pairing_code
    assert found[0].title == "Ops team"


def test_migration_seen_only_from_the_old_group():
    updates = [
        {"update_id": 1, "message": {"message_id": 1, "date": 1_700_000_000,
                                     "chat": {"id": -5, "type": "group", "title": "Old"},
                                     "migrate_to_chat_id": -1005}},
    ]
    [only] = candidates_from_updates(updates)
    assert only.id == -1005 and only.migrated_from == -5 and only.type == "supergroup"


async def test_forum_supergroup_is_flagged(telegram_api):
    telegram_api.inject_message(telegram_api.add_supergroup(-1007, "Dev", is_forum=True), "/start@x")
    async with client_for(telegram_api) as client:
        events = await events_until(client, lambda e: isinstance(e, CandidatesUpdated))
    [forum] = events[-1].candidates
    assert forum.is_forum
    assert any("General" in note for note in forum.notes)


def test_bot_removed_from_chat_is_marked():
    chat = {"id": -5, "type": "group", "title": "G"}
    bot = {"id": 1, "is_bot": True, "first_name": "B"}
    person = {"id": 2, "is_bot": False, "first_name": "P"}
    updates = [{
        "update_id": 9,
        "my_chat_member": {
            "chat": chat, "from": person, "date": 1_700_000_000,
            "old_chat_member": {"status": "member", "user": bot},
            "new_chat_member": {"status": "left", "user": bot},
        },
    }]
    [gone] = candidates_from_updates(updates)
    assert gone.bot_removed and gone.notes


async def test_rate_limit_waits_and_keeps_candidates(telegram_api):
    telegram_api.inject_message(telegram_api.add_private_chat(111, "Ada"), "hi")
    async with client_for(telegram_api) as client:
        stream = client.discover_chats(None, poll_timeout=2, idle_interval=0.02)
        async with aclosing(stream):
            first = await anext(stream)
            assert [c.id for c in first.candidates] == [111]
            telegram_api.rate_limit_next(retry_after=1)
            limited = await anext(stream)
            started = asyncio.get_running_loop().time()
            telegram_api.inject_message(telegram_api.add_group(-3, "Later"), "hello")
            after = await anext(stream)
            waited = asyncio.get_running_loop().time() - started
    assert isinstance(limited, RateLimited)
    assert limited.retry_after == 1
    assert [c.id for c in limited.candidates] == [111]
    assert isinstance(after, CandidatesUpdated)
    assert {c.id for c in after.candidates} == {111, -3}
    assert waited >= 0.9


async def test_conflict_is_reported_and_polling_goes_on(telegram_api):
    telegram_api.inject_message(telegram_api.add_private_chat(111, "Ada"), "hi")
    async with client_for(telegram_api) as client:
        stream = client.discover_chats(None, poll_timeout=2, idle_interval=0.02, conflict_delay=0.05)
        async with aclosing(stream):
            await anext(stream)
            telegram_api.conflict_next()
            conflict = await anext(stream)
            telegram_api.inject_message(telegram_api.add_group(-3, "Later"), "hello")
            after = await anext(stream)
    assert isinstance(conflict, PollConflict)
    assert "Another program" in conflict.message
    assert [c.id for c in conflict.candidates] == [111]
    assert {c.id for c in after.candidates} == {111, -3}


async def test_network_error_is_reported_with_candidates_kept(telegram_api):
    telegram_api.inject_message(telegram_api.add_private_chat(111, "Ada"), "hi")
    telegram_api.fail_next("getUpdates", 502, "Bad Gateway")
    async with client_for(telegram_api) as client:
        events = await events_until(client, lambda e: isinstance(e, CandidatesUpdated))
        assert isinstance(events[0], NetworkTrouble) and events[0].candidates == ()
        assert [c.id for c in events[-1].candidates] == [111]

        stream = client.discover_chats(None, poll_timeout=2, idle_interval=0.02)
        async with aclosing(stream):
            await anext(stream)
            telegram_api.fail_next("getUpdates", 502, "Bad Gateway")
            trouble = await anext(stream)
    assert isinstance(trouble, NetworkTrouble)
    assert trouble.retry_in > 0
    assert [c.id for c in trouble.candidates] == [111]
    assert telegram_api.token not in trouble.message


async def test_full_backlog_is_reported(telegram_api):
    chat = telegram_api.add_private_chat(111, "Ada")
    for n in range(100):
        telegram_api.inject_message(chat, f"message {n}")
    async with client_for(telegram_api) as client:
        events = await events_until(client, lambda e: isinstance(e, BacklogFull))
    assert "100" in events[-1].message


async def test_poll_chats_hands_events_to_a_callback(telegram_api):
    telegram_api.inject_message(telegram_api.add_private_chat(111, "Ada"), "/start CODE12")
    got = []
    found = asyncio.Event()

    async def on_event(event):
        got.append(event)
        if event.paired:
            found.set()

    async with client_for(telegram_api) as client:
        task = asyncio.create_task(client.poll_chats("CODE12", on_event, idle_interval=0.02))
        await asyncio.wait_for(found.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert got[0].paired.id == 111


async def test_detect_chats_returns_the_pairing_chat(telegram_api):
    telegram_api.inject_message(telegram_api.add_private_chat(111, "Ada"), "hi")

    async def later():
        # Updates are pending, so Telegram answers at once: no long poll to wait for.
        await asyncio.sleep(0.3)
        telegram_api.inject_message(telegram_api.add_group(-7, "Ops"), "/start@b P4IR3D")

    task = asyncio.create_task(later())
    found = await detect_chats(
        telegram_api.token, telegram_api.url, timeout=5, pairing_code="P4IR3D", idle_interval=0.02
    )
    await task
    assert found[0].id == -7 and found[0].has_pairing_code
    assert {c.id for c in found} == {111, -7}


async def test_detect_chats_wrong_token(telegram_api):
    with pytest.raises(TelegramTokenRejected) as caught:
        await detect_chats(WRONG_TOKEN, telegram_api.url, timeout=1)
    assert WRONG_TOKEN not in str(caught.value)


async def test_detect_chats_times_out_with_nothing(telegram_api):
    assert await detect_chats(telegram_api.token, telegram_api.url, timeout=1.2) == []


# ---------------------------------------------------------------------------- sample alert


async def test_sample_alert_is_delivered_with_options(telegram_api):
    telegram_api.add_group(-222, "Ops team")
    async with client_for(telegram_api) as client:
        sent = await client.send_sample_alert(
            "-222", "Markdown", disable_web_page_preview=True, disable_notification=True
        )
        html = await client.send_sample_alert(-222, "html")
    assert sent.chat_id == -222 and sent.chat_title == "Ops team"
    first, second = telegram_api.sent_messages
    assert first.parse_mode == "Markdown" and first.disable_web_page_preview
    assert first.disable_notification and "CRITICAL" in first.text
    assert second.parse_mode == "HTML" and "<b>CRITICAL</b>" in second.text
    assert not second.disable_web_page_preview


async def test_sample_alert_to_a_channel_name(telegram_api):
    telegram_api.add_channel(-100444, "Alerts", username="alerts_chan")
    async with client_for(telegram_api) as client:
        sent = await client.send_sample_alert("@alerts_chan", None)
    assert sent.chat_id == -100444
    assert telegram_api.sent_messages[0].parse_mode is None


@pytest.mark.parametrize("mode", ["Markdown", "HTML", None])
def test_sample_alert_text_is_valid_for_its_parse_mode(mode):
    from tests.fakes.telegram import check_entities

    check_entities(sample_alert_text(mode), mode)


async def test_sample_alert_errors_are_clear_sentences(telegram_api):
    telegram_api.add_private_chat(111, "Ada")
    telegram_api.block(111)
    telegram_api.add_group(-222, "Ops team")
    telegram_api.inject_migration(-222, -100222)
    async with client_for(telegram_api) as client:
        with pytest.raises(TelegramChatNotFound) as not_found:
            await client.send_sample_alert("-999", "Markdown")
        with pytest.raises(TelegramBotBlocked) as blocked:
            await client.send_sample_alert("111", "Markdown")
        with pytest.raises(TelegramParseError) as parse:
            await client.send_sample_alert("-100222", "Markdown", text="*CRITICAL cpu_usage")
        with pytest.raises(TelegramChatMigrated) as migrated:
            await client.send_sample_alert("-222", "Markdown")
        with pytest.raises(ValidationError):
            await client.send_sample_alert("not a chat", "Markdown")
    assert "chat not found" in not_found.value.message
    assert "blocked by the user" in blocked.value.message
    assert "can't parse entities" in parse.value.message
    assert migrated.value.new_chat_id == -100222
    assert "-100222" in migrated.value.message
    for err in (not_found, blocked, parse, migrated):
        assert telegram_api.token not in str(err.value)
        assert isinstance(err.value, TelegramError)


async def test_token_never_in_any_error_text(telegram_api):
    """Errors whose server text echoes the request URL still come out clean."""
    token = telegram_api.token
    leaky = f"Bad Request: POST {telegram_api.api_base}{token}/sendMessage failed"
    telegram_api.add_group(-222, "Ops team")
    telegram_api.fail_next("sendMessage", 400, leaky)
    telegram_api.fail_next("getWebhookInfo", 403, f"Forbidden: {token}")
    telegram_api.fail_next("getUpdates", 502, f"Bad Gateway for bot{token}")
    telegram_api.fail_next("getMe", 404, f"Not Found: /bot{token}/getMe")
    async with client_for(telegram_api) as client:
        errors = []
        for call in (
            lambda: client.send_sample_alert("-222"),
            client.webhook_url,
            client.get_updates_snapshot,
            client.check_token,
        ):
            with pytest.raises(TelegramError) as caught:
                await call()
            errors.append(caught.value)
    for err in errors:
        for text in (str(err), repr(err), err.message, err.hint):
            assert token not in text
            assert token.split(":")[1] not in text


# ---------------------------------------------------------------------------- plain values


def test_pairing_code_is_short_and_unambiguous():
    codes = {make_pairing_code() for _ in range(50)}
    assert len(codes) > 45
    for code in codes:
        assert len(code) == 6
        assert set(code) <= set(PAIRING_ALPHABET)
        assert not set(code) & set("0O1IL")


@pytest.mark.parametrize("good", ["-1001234567890", "123456", "@alerts_chan", " -5 ", "@Abcde"])
def test_validate_chat_id_accepts(good):
    assert validate_chat_id(good) is None


@pytest.mark.parametrize("bad", ["", "abc", "@abc", "@" + "a" * 33, "12.5", "@al-erts", "- 5", "0", "-0", "１２３", "٣٤٥"])
def test_validate_chat_id_refuses(bad):
    assert isinstance(validate_chat_id(bad), str)


@given(st.text())
def test_validate_chat_id_never_raises(text):
    result = validate_chat_id(text)
    assert result is None or (isinstance(result, str) and result)


@given(st.one_of(
    # No Telegram chat has the id 0, so it is refused.
    st.integers(min_value=-(10**15), max_value=10**15).filter(bool).map(str),
    st.from_regex(r"@[A-Za-z][A-Za-z0-9_]{4,31}", fullmatch=True),
))
def test_validate_chat_id_accepted_values_round_trip(value):
    assert validate_chat_id(value) is None
    assert validate_chat_id(value.strip()) is None
    if not value.startswith("@"):
        assert str(int(value)) == value


def test_candidates_from_updates_is_pure_and_orders_newest_first():
    def message(update_id, chat, date, text="x"):
        return {"update_id": update_id,
                "message": {"message_id": update_id, "date": date, "chat": chat, "text": text}}

    ada = {"id": 1, "type": "private", "first_name": "Ada"}
    ops = {"id": -2, "type": "group", "title": "Ops"}
    updates = [message(1, ada, 100), message(2, ops, 200), message(3, ada, 300, "code ABC123")]
    first = candidates_from_updates(updates, "abc123")
    assert [c.id for c in first] == [1, -2]
    assert first[0].has_pairing_code and first[0].last_seen == datetime.fromtimestamp(300, timezone.utc)
    assert candidates_from_updates(list(reversed(updates)), "abc123") == first
    assert candidates_from_updates([], None) == []


def test_fake_accepts_kapacitor_service_test_request(telegram_api):
    """Kapacitor posts JSON to `<url><token>/sendMessage` with its `url` option = `<api>/bot`."""
    telegram_api.add_group(-222, "Ops team")
    kapacitor_url = bot_api_base(telegram_api.url)
    answer = httpx.post(
        f"{kapacitor_url}{telegram_api.token}/sendMessage",
        json={
            "chat_id": "-222", "text": "test telegram message", "parse_mode": "Markdown",
            "disable_web_page_preview": True, "disable_notification": False,
        },
    )
    assert answer.status_code == 200 and answer.json()["ok"]
    [sent] = telegram_api.sent_messages
    assert sent.chat_id == -222 and sent.disable_web_page_preview
    assert telegram_api.requests_for("sendMessage")[0].content_type == "application/json"
