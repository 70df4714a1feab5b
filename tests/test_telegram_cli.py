"""`detect-chat-id` and `apply telegram` against the Bot API and Kapacitor stand-ins."""
from __future__ import annotations

import io
import json
import stat
import sys

import httpx
import pytest

from tests.fakes.telegram import DEFAULT_TOKEN
from wizard.cli import main
from wizard.services import telegram as telegram_core
from wizard.handlers.registry import TEST_MESSAGE

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

CODE = "PAIR42"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(telegram_core, "make_pairing_code", lambda: CODE)


def run(argv, monkeypatch, capsys, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def chats(fake) -> None:
    fake.add_private_chat(111, "Alice", last_name="Liddell", username="alice")
    fake.add_group(-222, "Old ops group")
    fake.add_supergroup(-100333, "Ops", is_forum=True)
    fake.add_channel(-100444, "Alerts", username="alerts_channel")
    fake.inject_message(111, "hello")
    fake.inject_message(-222, "/start@kapacitor_alerts_bot")
    fake.inject_my_chat_member(-100333, new_status="member")
    fake.inject_message(-100444, f"pairing {CODE}", kind="channel_post")


def raw_updates(fake) -> list[dict]:
    return httpx.get(f"{fake.api_base}{fake.token}/getUpdates").json()["result"]


def test_detect_chat_id_json_lists_every_chat_and_consumes_nothing(telegram_api, monkeypatch, capsys):
    chats(telegram_api)
    before = raw_updates(telegram_api)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram_api.token)
    code, out, err = run(
        ["detect-chat-id", "--telegram-api-url", telegram_api.url, "--json", "--timeout", "5"],
        monkeypatch, capsys,
    )
    assert code == 0, err
    found = json.loads(out)
    assert [c["id"] for c in found] == [-100444, -100333, -222, 111]  # newest first
    by_id = {c["id"]: c for c in found}
    assert by_id[-100444]["paired"] is True and by_id[-100444]["type"] == "channel"
    assert by_id[111]["title"] == "Alice Liddell" and by_id[111]["type"] == "private"
    assert by_id[-100333]["is_forum"] is True
    assert by_id[-222]["type"] == "group"
    assert f"Pairing code: {CODE}" in err
    # The bot is known by then: the group command names it, no placeholder.
    assert f"/start@kapacitor_alerts_bot {CODE}" in err and "<yourbot>" not in err
    assert raw_updates(telegram_api) == before  # nothing was confirmed
    assert all("offset" not in r.params for r in telegram_api.requests_for("getUpdates"))
    assert telegram_api.token not in out + err


def test_detect_chat_id_reads_the_token_from_stdin_and_prints_a_table(telegram_api, monkeypatch, capsys):
    telegram_api.add_group(-222, "Old ops group")
    telegram_api.inject_message(-222, f"/start@kapacitor_alerts_bot {CODE}")
    telegram_api.inject_migration(-222, -100999)
    code, out, err = run(
        ["--telegram-api-url", telegram_api.url, "detect-chat-id", "--token", "-", "--timeout", "5"],
        monkeypatch, capsys, stdin=telegram_api.token + "\n",
    )
    assert code == 0, err
    assert "-100999" in out and "supergroup" in out and "Old ops group" in out
    assert "-222 " not in out.split("note:")[0]  # listed under its new id only
    assert "* sent the pairing code" in out


def test_detect_chat_id_with_nothing_says_why_and_fails(telegram_api, monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram_api.token)
    code, out, err = run(
        ["detect-chat-id", "--telegram-api-url", telegram_api.url, "--timeout", "1"],
        monkeypatch, capsys,
    )
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    assert code == 1
    assert "No chat wrote to the bot within 1 seconds" in err
    assert out == ""


def test_detect_chat_id_wrong_token_is_one_line(telegram_api, monkeypatch, capsys):
    wrong = "987654321:AAHwrongTokenThatTelegramDoesNotKnow_xyz"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", wrong)
    code, out, err = run(
        ["detect-chat-id", "--telegram-api-url", telegram_api.url, "--timeout", "1"],
        monkeypatch, capsys,
    )
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith("kapacitor-wizard: Telegram says the bot token is wrong.")
    assert wrong not in err
    assert "Waiting" not in err and "Pairing code" not in err  # the token is judged before anything waits


def test_detect_chat_id_without_a_token_is_a_usage_error(monkeypatch, capsys):
    code, out, err = run(["detect-chat-id"], monkeypatch, capsys)
    assert code == 2
    assert "No bot token" in err


def test_apply_telegram_dry_run_prints_the_masked_request(kapacitor, telegram_api, monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram_api.token)
    code, out, err = run(
        ["apply", "telegram", "--url", kapacitor.url,
         "--chat-id", "-100444", "--disable-notification", "--telegram-api-url", telegram_api.url, "--dry-run"],
        monkeypatch, capsys,
    )
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    assert code == 0, err
    assert f"POST {kapacitor.url}/kapacitor/v1/config/telegram/" in out
    body = json.loads(out[out.index("{"): out.rindex("}") + 1])
    assert body == {"set": {
        "enabled": True, "url": f"{telegram_api.url}/bot", "token": "•••", "chat-id": "-100444",
        "parse-mode": "Markdown", "disable-notification": True,
    }}
    assert "nothing was written" in out
    assert telegram_api.token not in out + err
    assert kapacitor.config_posts() == []


def test_apply_telegram_detects_writes_and_tests(kapacitor, telegram_api, monkeypatch, capsys):
    chats(telegram_api)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram_api.token)
    code, out, err = run(
        ["apply", "telegram", "--url", kapacitor.url, "--telegram-api-url", telegram_api.url,
         "--detect", "--detect-timeout", "5", "--parse-mode", "html", "--test"],
        monkeypatch, capsys,
    )
    assert code == 0, err
    assert "Chat found: -100444" in err
    assert [p.json for p in kapacitor.config_posts()] == [{"set": {
        "enabled": True, "url": f"{telegram_api.url}/bot", "token": telegram_api.token,
        "chat-id": "-100444", "parse-mode": "HTML",
    }}]
    assert "Kapacitor sent a test alert through Telegram" in out
    sent = telegram_api.sent_messages[-1]
    assert (sent.chat_id, sent.text, sent.parse_mode) == (-100444, TEST_MESSAGE, "HTML")
    assert telegram_api.token not in out + err


def test_apply_telegram_without_a_token_keeps_the_stored_one(kapacitor, telegram_api, monkeypatch, capsys):
    telegram_api.add_private_chat(111, "Alice")
    telegram_api.add_supergroup(-100333, "Ops")
    first = ["apply", "telegram", "--url", kapacitor.url, "--telegram-api-url", telegram_api.url]
    code, out, err = run(first + ["--token", "-", "--chat-id", "111"], monkeypatch, capsys, stdin=DEFAULT_TOKEN + "\n")
    assert code == 0, err
    code, out, err = run(
        ["apply", "telegram", "--url", kapacitor.url, "--chat-id", "-100333", "--disable-web-page-preview", "--test"],
        monkeypatch, capsys,
    )
    assert code == 0, err
    assert kapacitor.config_posts()[-1].json == {"set": {"chat-id": "-100333", "disable-web-page-preview": True}}
    sent = telegram_api.sent_messages[-1]
    assert sent.chat_id == -100333 and sent.disable_web_page_preview is True


def test_apply_telegram_failing_test_exits_non_zero_with_one_line(kapacitor, telegram_api, monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram_api.token)
    code, out, err = run(
        ["apply", "telegram", "--url", kapacitor.url, "--telegram-api-url", telegram_api.url,
         "--chat-id", "555", "--test"],
        monkeypatch, capsys,
    )
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "test alert failed" in lines[0] and "chat not found" in lines[0]
    assert telegram_api.token not in out + err


@pytest.mark.parametrize(
    ("argv", "message", "token"),
    [
        (["--token", "-", "--chat-id", "1"], "--token: A bot token looks like", "not-a-token"),
        (["--token", "-", "--chat-id", "alerts"], "--chat-id: A chat id is a number", DEFAULT_TOKEN),
        (["--token", "-", "--chat-id", "1", "--parse-mode", "MarkdownV2"], "--parse-mode: Kapacitor accepts only", DEFAULT_TOKEN),
        (["--chat-id", "1"], "No bot token", ""),
        (["--token", "-"], "No chat id", DEFAULT_TOKEN),
        (["--detect"], "--detect needs the bot token", ""),
    ],
)
def test_apply_telegram_refuses_bad_values_with_one_line(kapacitor, monkeypatch, capsys, argv, message, token):
    code, out, err = run(["apply", "telegram", "--url", kapacitor.url, *argv], monkeypatch, capsys, stdin=token)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], err
    assert DEFAULT_TOKEN not in err
    assert kapacitor.config_posts() == []


def test_apply_telegram_into_a_kapacitor_conf_and_as_environment_variables(tmp_path, monkeypatch, capsys):
    token = "123456789:AAFakeFakeFakeFakeFakeFakeFakeFake12"
    conf = tmp_path / "kapacitor.conf"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["apply", "telegram", "--config-file", str(conf), "--chat-id", "-1001234567890"]) == 0
    text = conf.read_text()
    assert f'token = "{token}"' in text and 'chat-id = "-1001234567890"' in text
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600  # a new file holds a token
    assert main(["apply", "telegram", "--chat-id", "@alerts_channel", "--format", "env"]) == 0
    out = capsys.readouterr().out
    assert "KAPACITOR_TELEGRAM_CHAT_ID=@alerts_channel" in out and "KAPACITOR_TELEGRAM_TOKEN=<set; --show-secrets to print>" in out
    assert token not in out
