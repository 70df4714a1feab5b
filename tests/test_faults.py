"""The fault matrix: every command, and every networked step of the wizard, against servers
that misbehave the way proxies, gateways and broken servers do (tests/fakes/faulty.py).

Each command must end with exit status 1 and a single line on stderr that names the
service and the fault, with no traceback and no secret anywhere: not in its output, not
in the undo records. The wizard's steps must show the problem on the step, stay alive,
keep what was typed, and show no secret. The messages must come from the wizard's own
error handling (they name the service and the HTTP status or the fault), not from a
last-resort handler for unexpected exceptions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import wizard.core.hipchat as hipchat_core
import wizard.core.slack as slack_core
import wizard.core.telegram as telegram_core
from tests.fakes.faulty import FAULT_NAMES, REDIRECT_USERINFO, FaultyServer
from tests.fakes.kapacitor import KapacitorFake
from tests.fakes.telegram import TelegramBotApiFake
from wizard.cli import main

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

TIMEOUT = "0.5"
"""Kapacitor's timeout in these tests (seconds): the slow faults hold their answer far longer."""

KAPACITOR_USER = "operator"
KAPACITOR_PASSWORD = "kapPass-7Hq2-secret"
WEBHOOK = "https://hooks.slack.com/services/T0FAULT/B0FAULT/webhookSecretPart42xyz"
HIPCHAT_TOKEN = "hipchatTokenSecret0123456789abcdef"

# What the one stderr line must name for each fault (besides the service).
FAULT_WORDS = {
    "slow": r"did not answer",
    "stalled-body": r"did not answer",
    "500": r"HTTP 500",
    "html": r"HTML page",
    # JSON in answer to ping means "not Kapacitor", with what was sent.
    "malformed-json": r"JSON that does not parse",
    "wrong-shape": r"Unexpected answer .*HTTP 200|does not look like Kapacitor \(HTTP 200 .*with JSON",
    "reset": r"reset the connection",
    "oversized": r"larger than 1 MiB",
    "401": r"401",
    "403": r"403",
    "404": r"404",
    "409": r"409",
    "429": r"HTTP 429|429 Too Many Requests|slow down.* 7 s",
    "redirect": r"redirect.*elsewhere\.invalid",
}
assert set(FAULT_WORDS) == set(FAULT_NAMES)

SERVICE_WORDS = {"kapacitor": r"Kapacitor", "telegram": r"Telegram|bot's updates"}

# detect-chat-id and --detect print a pairing code to stderr while they wait.
PAIRING_LINES = re.compile(r"^(Pairing code: |Send it \(or any message\))")


@dataclass(frozen=True)
class Command:
    name: str
    argv: tuple[str, ...]
    service: str
    """Which server misbehaves: kapacitor or telegram."""
    pattern: str
    """The requests that get the fault (``METHOD /path``, re.search)."""

    def __str__(self) -> str:
        return self.name


COMMANDS = (
    Command("show", ("show",), "kapacitor", r"^GET /kapacitor/v1/config$"),
    Command("show (ping)", ("show",), "kapacitor", r"^GET /kapacitor/v1/ping$"),
    Command("apply slack", ("apply", "slack", "--channel", "#alerts"), "kapacitor", r"^POST /kapacitor/v1/config/slack/$"),
    Command("apply slack --test", ("apply", "slack", "--channel", "#alerts", "--test"), "kapacitor", r"^POST /kapacitor/v1/service-tests/slack$"),
    Command("apply telegram", ("apply", "telegram", "--chat-id", "12345"), "kapacitor", r"^GET /kapacitor/v1/config$"),
    Command(
        "apply hipchat",
        ("apply", "hipchat", "--hipchat-url", "https://chat.example.com", "--room", "ops"),
        "kapacitor",
        r"^POST /kapacitor/v1/config/hipchat/$",
    ),
    Command("apply telegram --detect", ("apply", "telegram", "--detect", "--detect-timeout", "1"), "telegram", r"/getMe$"),
    Command("detect-chat-id", ("detect-chat-id", "--timeout", "1"), "telegram", r"/getUpdates$"),
    Command("undo", ("undo",), "kapacitor", r"^(GET|POST) /kapacitor/v1/config/slack"),
)


@pytest.fixture
def quick_telegram(monkeypatch):
    """Telegram timeouts short enough for the slow faults to end quickly."""
    monkeypatch.setattr(telegram_core, "CONNECT_TIMEOUT", 0.5)
    monkeypatch.setattr(telegram_core, "READ_TIMEOUT", 0.5)
    monkeypatch.setattr(telegram_core, "UPDATES_READ_TIMEOUT", 0.2)  # well within detect's 1 s
    monkeypatch.setattr(telegram_core, "IDLE_INTERVAL", 0.05)


@pytest.fixture
def secrets_in_env(monkeypatch, telegram_api: TelegramBotApiFake) -> tuple[str, ...]:
    monkeypatch.setenv("KAPACITOR_USERNAME", KAPACITOR_USER)
    monkeypatch.setenv("KAPACITOR_PASSWORD", KAPACITOR_PASSWORD)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", WEBHOOK)
    monkeypatch.setenv("HIPCHAT_TOKEN", HIPCHAT_TOKEN)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram_api.token)
    for name in ("KAPACITOR_URL",):
        monkeypatch.delenv(name, raising=False)
    return (KAPACITOR_PASSWORD, WEBHOOK.rsplit("/", 1)[1], HIPCHAT_TOKEN, telegram_api.token.split(":")[1], REDIRECT_USERINFO)


def state_files_text() -> str:
    import os

    root = Path(os.environ["XDG_STATE_HOME"])
    return "".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("fault", FAULT_NAMES)
@pytest.mark.parametrize("command", COMMANDS, ids=str)
def test_every_command_against_every_fault(command: Command, fault: str, telegram_api, secrets_in_env, quick_telegram, capsys):
    with KapacitorFake(auth=(KAPACITOR_USER, KAPACITOR_PASSWORD)) as kapacitor, \
            FaultyServer("kapacitor", kapacitor.url) as kapacitor_side, \
            FaultyServer("telegram", telegram_api.url) as telegram_side:
        base = ["--url", kapacitor_side.url, "--timeout", TIMEOUT]
        if command.name == "undo":
            # Something to undo: an apply that went through.
            assert main(["apply", "slack", "--channel", "#before", *base]) == 0
            capsys.readouterr()
        faulty = kapacitor_side if command.service == "kapacitor" else telegram_side
        faulty.set_fault(fault, command.pattern)
        # detect-chat-id talks to Telegram only; its --timeout is how long it waits for a chat.
        argv = [*command.argv, *([] if command.name == "detect-chat-id" else base)]
        if command.service == "telegram" or command.name.startswith("apply telegram"):
            argv += ["--telegram-api-url", telegram_side.url]

        status = main(argv)

        out, err = capsys.readouterr()
        assert faulty.faulted, f"the fault was never reached: {faulty.requests}"
    lines = [line for line in err.splitlines() if line.strip() and not PAIRING_LINES.match(line)]
    assert status == 1, (status, out, err)
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("kapacitor-wizard: ")
    assert re.search(FAULT_WORDS[fault], line), line
    assert re.search(SERVICE_WORDS[command.service], line), line
    assert "bug" not in line.lower()  # the core's own error, not a last-resort handler
    assert len(line) < 600
    assert "Traceback" not in out + err
    stored = state_files_text()
    for secret in secrets_in_env:
        assert secret not in out
        assert secret not in err
        assert secret not in stored
