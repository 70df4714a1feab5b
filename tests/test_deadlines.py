"""`--timeout` bounds each exchange with a server as a whole, however slowly the server sends.

Every stand-in here trickles: it sends a byte now and then (tests/fakes/faulty.py, TRICKLES and
SMTP_TRICKLES), so no single read ever waits long enough to time out, and each answer would
take twenty minutes or more to finish. With `--timeout 1` each command and each client must
END within BOUND seconds (timeout × k + slack, generous so that a busy machine cannot fail
it), with exit status 1 and one clear line that says what did not finish in time.

The other tests read the number of seconds in the message: the direct checks and the chat
services honour `--timeout`, not a fixed 10 seconds.
"""
from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.fakes.faulty import SMTP_TRICKLE_NAMES, FaultyServer, FaultySmtpServer
from tests.fakes.kapacitor import KapacitorFake
from tests.fakes.telegram import TelegramBotApiFake
from tests.tui_helpers import screen_text
from wizard.text.secrets import Scrubber, Secret

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

TIMEOUT = 1.0
BOUND = 15.0
"""Seconds a command may take with --timeout 1 (a few exchanges, start-up on a busy machine);
the stand-ins would hold it for twenty minutes or more."""
ROOT = Path(__file__).resolve().parents[1]
WEBHOOK = "https://hooks.slack.com/services/T0DEAD/B0DEAD/deadlineWebhookSecret42"
WITHIN = r"did not (finish answering|answer) within 1 second\b"
FINISH = r"did not finish answering within 1 second\b"


# -- running a command as a person does -----------------------------------------------------


def run(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str, float]:
    """`kapacitor-wizard argv` in its own process; (status, stdout, stderr, seconds). A command
    still running after BOUND seconds fails the test (and is killed)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KAPACITOR_", "SLACK_", "TELEGRAM_"))}
    environment.update(PYTHONPATH=str(ROOT), **(env or {}))
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "wizard", *argv],
            capture_output=True, text=True, timeout=BOUND, env=environment, stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as hung:
        pytest.fail(f"kapacitor-wizard {' '.join(argv)} was still running after {BOUND:g} s: {hung.stderr!r}")
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def one_error_line(status: int, out: str, err: str, pattern: str) -> str:
    """Exit 1 with a single `kapacitor-wizard: …` line on stderr that matches `pattern`."""
    assert status == 1, (status, out, err)
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("kapacitor-wizard: ") and re.search(pattern, lines[0]), lines[0]
    assert len(lines[0]) < 600
    return lines[0]


@pytest.fixture
def kapacitor_side():
    """Kapacitor behind a stand-in that trickles whatever request a test names."""
    with KapacitorFake() as kapacitor, FaultyServer("kapacitor", kapacitor.url) as faulty:
        yield faulty


# -- Kapacitor: show, apply … --test ----------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "pattern", "said"),
    [
        ("trickle-body", r"^GET /kapacitor/v1/config$", FINISH),
        ("endless-json", r"^GET /kapacitor/v1/config$", FINISH),
        ("trickle-answer", r"^GET /kapacitor/v1/ping$", WITHIN),
    ],
    ids=["trickled-config", "endless-config", "trickled-ping"],
)
def test_show_ends_within_the_timeout_when_kapacitor_trickles(kapacitor_side: FaultyServer, fault: str, pattern: str, said: str):
    kapacitor_side.set_fault(fault, pattern)
    status, out, err, _ = run("show", "--url", kapacitor_side.url, "--timeout", "1")
    line = one_error_line(status, out, err, said)
    assert "Kapacitor" in line and "--timeout" in line
    assert kapacitor_side.faulted


def test_apply_test_ends_within_the_timeout_when_the_service_test_trickles(kapacitor_side: FaultyServer):
    kapacitor_side.set_fault("trickle-body", r"^POST /kapacitor/v1/service-tests/slack$")
    status, out, err, _ = run(
        "apply", "slack", "--channel", "#alerts", "--test", "--url", kapacitor_side.url, "--timeout", "1",
        env={"SLACK_WEBHOOK_URL": WEBHOOK},
    )
    line = one_error_line(status, out, err, FINISH)
    assert "POST /kapacitor/v1/service-tests/slack" in line
    assert "deadlineWebhookSecret42" not in out + err


# -- the direct checks: SMTP and HTTP POST ------------------------------------------------------


def smtp_args(kapacitor_url: str, port: int) -> tuple[str, ...]:
    return (
        "apply", "smtp", "--url", kapacitor_url, "--timeout", "1", "--set", "host=127.0.0.1", "--set", f"port={port}",
        "--set", "from=kapacitor@example.com", "--set", "to=oncall@example.com", "--direct-check",
    )


@pytest.mark.parametrize(
    ("fault", "trickle_seconds", "said"),
    [
        ("trickle-banner", 0.3, FINISH + r" \(its greeting\)"),
        ("endless-220", 0, r"more than 100 lines as its greeting"),
    ],
    ids=["banner-a-byte-at-a-time", "endless-220-lines-at-once"],
)
def test_apply_smtp_direct_check_ends_within_the_timeout(kapacitor, fault: str, trickle_seconds: float, said: str):
    with FaultySmtpServer(fault, trickle_seconds=trickle_seconds) as server:
        status, out, err, _ = run(*smtp_args(kapacitor.url, server.port))
    line = one_error_line(status, out, err, said)
    assert line.startswith("kapacitor-wizard: direct check failed: The server at 127.0.0.1:")
    assert server.connections == 1


def test_apply_smtp_direct_check_honours_the_timeout_it_is_given(kapacitor):
    """A mail server that accepts the connection and says nothing: --timeout 1, not a fixed 10 s."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        status, out, err, _ = run(*smtp_args(kapacitor.url, silent.getsockname()[1]))
    one_error_line(status, out, err, r"did not answer within 1 second \(its greeting\)")


def test_apply_httppost_direct_check_ends_within_the_timeout(kapacitor):
    with FaultyServer("slack") as endpoint:
        endpoint.set_fault("trickle-body", r"^POST /alerts$")
        status, out, err, _ = run(
            "apply", "httppost", "--url", kapacitor.url, "--timeout", "1", "--set", f"url={endpoint.url}/alerts",
            "--direct-check",
        )
        assert endpoint.faulted
    line = one_error_line(status, out, err, FINISH)
    assert line.startswith("kapacitor-wizard: direct check failed: ")


# -- Telegram: detect-chat-id, the client, and the long poll ----------------------------------


@pytest.fixture
def telegram_side():
    with TelegramBotApiFake() as telegram, FaultyServer("telegram", telegram.url) as faulty:
        faulty.token = telegram.token  # type: ignore[attr-defined]
        yield faulty


def test_detect_chat_id_ends_within_the_timeout_when_get_me_trickles(telegram_side: FaultyServer):
    telegram_side.set_fault("trickle-body", r"/getMe$")
    # The --timeout before the command bounds each exchange; the one after it is the wait for a chat.
    status, out, err, _ = run(
        "--timeout", "1", "detect-chat-id", "--timeout", "60", "--telegram-api-url", telegram_side.url,
        env={"TELEGRAM_BOT_TOKEN": telegram_side.token},  # type: ignore[attr-defined]
    )
    line = one_error_line(status, out, err, FINISH + r" \(getMe\)")
    assert "Telegram" in line
    assert telegram_side.token.split(":")[1] not in out + err  # type: ignore[attr-defined]


async def test_telegram_client_ends_within_its_timeout_when_get_me_trickles(telegram_side: FaultyServer):
    from wizard.services.telegram import TelegramClient, TelegramUnreachable

    telegram_side.set_fault("trickle-answer", r"/getMe$")
    async with TelegramClient(telegram_side.token, telegram_side.url, timeout=TIMEOUT) as client:  # type: ignore[attr-defined]
        with pytest.raises(TelegramUnreachable) as caught:
            await asyncio.wait_for(client.check_token(), BOUND)
    assert re.search(WITHIN + r" \(getMe\)", caught.value.message), caught.value.message


async def test_a_long_poll_ends_within_its_poll_time_plus_the_timeout(telegram_side: FaultyServer):
    from wizard.services.telegram import TelegramClient, TelegramUnreachable

    telegram_side.set_fault("trickle-body", r"/getUpdates$")
    async with TelegramClient(telegram_side.token, telegram_side.url, timeout=TIMEOUT) as client:  # type: ignore[attr-defined]
        with pytest.raises(TelegramUnreachable) as caught:
            await asyncio.wait_for(client.get_updates_snapshot(timeout=2), BOUND)
    assert "did not finish answering within 3 seconds (getUpdates)" in caught.value.message


async def test_a_long_poll_may_wait_longer_than_the_timeout(telegram_side: FaultyServer):
    """Long polling keeps working: Telegram holds getUpdates for its poll time (the stand-in does
    too), longer than --timeout, and the answer is taken."""
    from wizard.services.telegram import TelegramClient

    async with TelegramClient(telegram_side.token, telegram_side.url, timeout=TIMEOUT) as client:  # type: ignore[attr-defined]
        updates = await client.get_updates_snapshot(timeout=3)  # the stand-in holds it for 3 s
    assert updates == ()
    assert [r for r in telegram_side.requests if r.endswith("/getUpdates")] == [f"POST /bot{telegram_side.token}/getUpdates"]  # type: ignore[attr-defined]


# -- Slack, HipChat and the direct HTTP check as clients ------------------------------------------


@pytest.fixture
def trickling():
    with FaultyServer("slack") as faulty:
        faulty.set_fault("trickle-body")
        yield faulty


async def test_slack_webhook_check_ends_within_the_timeout(trickling: FaultyServer):
    from wizard.services.slack import SlackWebhookFailed, send_test_message

    async with httpx.AsyncClient() as http:
        with pytest.raises(SlackWebhookFailed) as caught:
            await asyncio.wait_for(
                send_test_message(http, Secret(trickling.url + "/services/T0/B0/X"), scrub=Scrubber(), timeout=TIMEOUT), BOUND
            )
    assert re.search(FINISH, caught.value.message) and "Slack webhook" in caught.value.message


async def test_slack_app_check_ends_within_the_timeout(trickling: FaultyServer):
    from wizard.services.slack import SlackAppFailed, check_bot_token

    async with httpx.AsyncClient() as http:
        with pytest.raises(SlackAppFailed) as caught:
            await asyncio.wait_for(
                check_bot_token(http, Secret("xoxb-fake-token"), api_base=trickling.url, timeout=TIMEOUT), BOUND
            )
    assert re.search(FINISH + r" \(auth\.test\)", caught.value.message), caught.value.message


async def test_hipchat_check_ends_within_the_timeout(trickling: FaultyServer):
    from wizard.services.hipchat import HipChatUnreachable, send_test_notification

    async with httpx.AsyncClient() as http:
        with pytest.raises(HipChatUnreachable) as caught:
            await asyncio.wait_for(
                send_test_notification(http, trickling.url + "/v2/room", "ops", Secret("hipchatTokenDeadline0123456789"),
                                       timeout=TIMEOUT),
                BOUND,
            )
    assert re.search(FINISH, caught.value.message) and "hipchatTokenDeadline" not in str(caught.value)


async def test_direct_http_post_check_ends_within_the_timeout(trickling: FaultyServer):
    from wizard.services import direct
    from wizard.handlers.registry import HANDLERS

    request = direct.http_post_request(HANDLERS["httppost"], {"url": trickling.url + "/alerts"})
    assert isinstance(request, direct.HttpPost)
    async with httpx.AsyncClient() as http:
        result = await asyncio.wait_for(direct.check_http_post(http, request, Scrubber(), timeout=TIMEOUT), BOUND)
    assert not result.ok and re.search(FINISH, result.summary), result.summary


@pytest.mark.parametrize(
    ("fault", "step"),
    [("trickle-banner", "its greeting"), ("endless-220", "its greeting"), ("trickle-ehlo", "its answer to EHLO")],
)
async def test_direct_smtp_check_ends_within_the_timeout(fault: str, step: str):
    """Each step (the greeting, EHLO) has the whole timeout, however slowly its reply comes."""
    from wizard.services import direct

    assert fault in SMTP_TRICKLE_NAMES
    with FaultySmtpServer(fault) as server:
        settings = direct.SmtpSettings("127.0.0.1", server.port, "", None, "kapacitor@example.com", ("oncall@example.com",))
        result = await asyncio.wait_for(direct.check_smtp(settings, Scrubber(), timeout=TIMEOUT), BOUND)
    assert not result.ok and re.search(f"{FINISH} \\({step}\\)", result.summary), result.summary


async def test_kapacitor_client_ends_within_the_timeout_when_the_config_never_ends(kapacitor_side: FaultyServer):
    from wizard.text.errors import KapacitorUnreachable
    from wizard.kapacitor.client import ConnectionSettings, KapacitorClient

    kapacitor_side.set_fault("endless-json", r"^GET /kapacitor/v1/config$")
    async with KapacitorClient(ConnectionSettings(url=kapacitor_side.url, timeout=TIMEOUT)) as client:
        await client.ping()
        with pytest.raises(KapacitorUnreachable) as caught:
            await asyncio.wait_for(client.get_config(), BOUND)
    assert re.search(FINISH + r" \(GET /kapacitor/v1/config\)", caught.value.message), caught.value.message


# -- the wizard's screens: the connection settings carry the timeout -------------------------------


def flat_screen(pilot) -> str:
    """The screen's text on one line, without frames (a message wraps inside its box)."""
    return " ".join(screen_text(pilot).translate(str.maketrans("", "", "│╭╮╰╯─▊▎▔▁▏▕")).split())


def wizard_app(kapacitor_url: str, timeout: float):
    from wizard.kapacitor.client import ConnectionSettings
    from wizard.tui.app import WizardApp
    from wizard.tui.state import AppSettings

    return WizardApp(AppSettings(ConnectionSettings(url=kapacitor_url, timeout=timeout)))


async def test_the_connect_step_ends_within_the_timeout_when_kapacitor_trickles(kapacitor_side: FaultyServer):
    from tests.tui_helpers import shows, wait_for, wait_for_screen
    from wizard.tui.screens.connect import ConnectScreen

    # Ping, the first exchange, trickles: the app shares its event loop with that exchange, so on
    # a busy machine a later, healthy one might not fit into one second.
    kapacitor_side.set_fault("trickle-body", r"^GET /kapacitor/v1/ping$")
    async with wizard_app(kapacitor_side.url, TIMEOUT).run_test(size=(100, 40)) as pilot:  # it connects at once
        await wait_for_screen(pilot, ConnectScreen)
        await wait_for(
            pilot, lambda: re.search(WITHIN, flat_screen(pilot)), timeout=BOUND,
            what="the connect step to give up on the trickled answer",
        )
        assert isinstance(pilot.app.screen, ConnectScreen) and pilot.app.is_running
        assert shows(pilot, "--timeout sets how long one exchange may take")
        assert kapacitor_side.faulted


async def test_the_slack_check_on_its_step_honours_the_timeout(kapacitor, trickling: FaultyServer):
    """The connection settings' timeout (here 2 s) bounds the webhook check too, not a fixed 10 s."""
    from textual.widgets import OptionList

    from tests.tui_helpers import paste, shows, wait_for, wait_for_screen
    from wizard.tui.screens.handlers import HandlersScreen
    from wizard.tui.screens.slack import SlackWebhookScreen

    async with wizard_app(kapacitor.url, 2.0).run_test(size=(100, 40)) as pilot:
        await pilot.press("enter")
        await wait_for_screen(pilot, HandlersScreen)
        options = pilot.app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index("slack")
        options.focus()
        await pilot.press("enter")
        await wait_for_screen(pilot, SlackWebhookScreen)
        await paste(pilot, f"{trickling.url}/services/T0DEAD/B0DEAD/deadlineWebhookSecret42")
        await pilot.press("ctrl+t")
        await wait_for(
            pilot, lambda: shows(pilot, "did not finish answering within 2 seconds"), timeout=BOUND,
            what="the webhook check to give up on the trickled answer",
        )
        assert trickling.faulted and not shows(pilot, "deadlineWebhookSecret42")
