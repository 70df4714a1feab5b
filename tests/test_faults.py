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

import wizard.services.hipchat as hipchat_core
import wizard.services.slack as slack_core
import wizard.services.telegram as telegram_core
from tests.fakes.faulty import FAULT_NAMES, REDIRECT_USERINFO, FaultyServer
from tests.fakes.kapacitor import KapacitorFake
from tests.fakes.telegram import TelegramBotApiFake
from wizard.cli import main

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

TIMEOUT = "1"
"""The timeout of each exchange in these tests (seconds): the slow faults hold their answer far
longer. It bounds a whole exchange, through the forwarding stand-in, so it leaves room for a
busy machine."""
TUI_TIMEOUT = 2.0
"""The same for the wizard's steps, whose exchanges share the event loop with the app's own
rendering."""

KAPACITOR_USER = "operator"
KAPACITOR_PASSWORD = "kapPass-7Hq2-secret"
WEBHOOK = "https://hooks.slack.com/services/T0FAULT/B0FAULT/webhookSecretPart42xyz"
HIPCHAT_TOKEN = "hipchatTokenSecret0123456789abcdef"

# What the one stderr line must name for each fault (besides the service).
FAULT_WORDS = {
    "slow": r"did not answer",
    "stalled-body": r"did not finish answering",
    "500": r"HTTP 500|answered 500",
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
    "429": r"429.* 7 s|slow down.* 7 s",
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
    # Waits longer than one exchange may take, so that a poll that fails is seen while waiting.
    Command("detect-chat-id", ("detect-chat-id", "--timeout", "2"), "telegram", r"/getUpdates$"),
    Command("undo", ("undo",), "kapacitor", r"^(GET|POST) /kapacitor/v1/config/slack"),
)


@pytest.fixture
def quick_telegram(monkeypatch):
    """Telegram timeouts short enough for the slow faults to end quickly."""
    monkeypatch.setattr(telegram_core, "CONNECT_TIMEOUT", 0.5)
    monkeypatch.setattr(telegram_core, "READ_TIMEOUT", 0.5)
    monkeypatch.setattr(telegram_core, "IDLE_INTERVAL", 0.05)


@dataclass
class Servers:
    kapacitor: KapacitorFake
    telegram: TelegramBotApiFake
    kapacitor_side: FaultyServer
    telegram_side: FaultyServer


@pytest.fixture(scope="module")
def shared_servers():
    """One set of servers for the whole command matrix (starting them per run doubles its time)."""
    with KapacitorFake(auth=(KAPACITOR_USER, KAPACITOR_PASSWORD)) as kapacitor, TelegramBotApiFake() as telegram, \
            FaultyServer("kapacitor", kapacitor.url) as kapacitor_side, FaultyServer("telegram", telegram.url) as telegram_side:
        yield Servers(kapacitor, telegram, kapacitor_side, telegram_side)


@pytest.fixture
def servers(shared_servers: Servers) -> Servers:
    """The shared servers as new: no overrides in Kapacitor, no fault."""
    shared_servers.kapacitor.reset_overrides()
    for side in (shared_servers.kapacitor_side, shared_servers.telegram_side):
        side.set_fault(None)
        side.faulted.clear()
        side.requests.clear()
    return shared_servers


@pytest.fixture
def secrets_in_env(monkeypatch, servers: Servers) -> tuple[str, ...]:
    telegram_api = servers.telegram
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
def test_every_command_against_every_fault(command: Command, fault: str, servers: Servers, secrets_in_env, quick_telegram, capsys):
    kapacitor_side, telegram_side = servers.kapacitor_side, servers.telegram_side
    base = ["--url", kapacitor_side.url, "--timeout", TIMEOUT]
    if command.name == "undo":
        # Something to undo: an apply that went through.
        assert main(["apply", "slack", "--channel", "#before", *base]) == 0
        capsys.readouterr()
    faulty = kapacitor_side if command.service == "kapacitor" else telegram_side
    faulty.set_fault(fault, command.pattern)
    # detect-chat-id talks to Telegram only; its --timeout is how long it waits for a chat, and
    # the one before it how long each exchange may take.
    argv = ["--timeout", TIMEOUT, *command.argv] if command.name == "detect-chat-id" else [*command.argv, *base]
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


# ---------------------------------------------------------------- Slack and HipChat direct checks


@pytest.fixture
def quick_direct_checks(monkeypatch):
    monkeypatch.setattr(slack_core, "TIMEOUT", 0.5)
    monkeypatch.setattr(hipchat_core, "TIMEOUT", 0.5)


@pytest.mark.parametrize("fault", FAULT_NAMES)
@pytest.mark.parametrize("service", ["slack", "hipchat"])
async def test_direct_checks_against_every_fault(service: str, fault: str, quick_direct_checks):
    import httpx

    from wizard.text.errors import WizardError
    from wizard.text.secrets import Scrubber, Secret

    with FaultyServer(service) as faulty:
        faulty.set_fault(fault)
        async with httpx.AsyncClient() as http:
            with pytest.raises(WizardError) as caught:
                if service == "slack":
                    await slack_core.send_test_message(http, Secret(faulty.url + "/services/T0/B0/" + HIPCHAT_TOKEN), scrub=Scrubber())
                else:
                    await hipchat_core.send_test_notification(http, faulty.url + "/v2/room", "ops", Secret(HIPCHAT_TOKEN), scrub=Scrubber())
        assert faulty.faulted
    text = str(caught.value)
    assert "\n" not in text and len(text) < 600
    assert re.search(FAULT_WORDS[fault], text), text
    assert re.search(r"Slack|HipChat", text), text
    assert HIPCHAT_TOKEN not in text and REDIRECT_USERINFO not in text


# ---------------------------------------------------------------- the cases named one by one


async def kapacitor_error(answer_pattern: str, status: int, body, content_type: str = "application/json", call=None):
    """What the Kapacitor client raises when `answer_pattern` gets this answer."""
    from wizard.text.errors import KapacitorError
    from wizard.kapacitor.client import ConnectionSettings, KapacitorClient

    with FaultyServer("kapacitor") as faulty:
        faulty.set_answer(answer_pattern, status, body, content_type)
        async with KapacitorClient(ConnectionSettings(url=faulty.url, timeout=2)) as client:
            with pytest.raises(KapacitorError) as caught:
                await client.ping()
                await (call or (lambda c: c.get_config()))(client)
    return caught.value


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"sections": []}, "sections is a list, expected an object"),
        ({"sections": {"slack": {"elements": [{"options": None, "redacted": None}]}}}, "sections.slack.elements[0].options is null"),
        ({"sections": {"slack": {"elements": [1]}}}, "sections.slack.elements[0] is a number, expected an object"),
        ({"sections": {"slack": {"elements": [{"options": {}, "redacted": [3]}]}}}, "redacted[0] is a number"),
        ([1, 2], "the answer is a list, expected an object"),
    ],
)
async def test_kapacitor_config_of_the_wrong_shape_is_named(body, named):
    error = await kapacitor_error(r"^GET /kapacitor/v1/config$", 200, body)
    assert error.message.startswith("Unexpected answer from Kapacitor (HTTP 200) to GET /kapacitor/v1/config: ")
    assert named in error.message
    assert error.status == 200


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"success": "yes", "message": ""}, "success is a string, expected true or false"),
        ({"message": "sent"}, "success is missing"),
        ({"success": False, "message": ["x"]}, "message is a list"),
    ],
)
async def test_kapacitor_service_test_answers_of_the_wrong_shape_are_named(body, named):
    error = await kapacitor_error(r"/service-tests/slack$", 200, body, call=lambda c: c.run_service_test("slack"))
    assert error.message.startswith("Unexpected answer from Kapacitor (HTTP 200) to POST /kapacitor/v1/service-tests/slack: ")
    assert named in error.message


async def test_kapacitor_service_test_list_of_the_wrong_shape_is_named():
    error = await kapacitor_error(r"/service-tests$", 200, {"services": [{"options": {}}]}, call=lambda c: c.list_service_tests())
    assert "services[0].name is missing" in error.message


async def test_a_long_multi_line_error_text_is_one_line_and_cut():
    text = "panic: runtime error\n\tgoroutine 1 [running]:\n" + "main.main()\n" * 500
    error = await kapacitor_error(r"^GET /kapacitor/v1/config$", 500, {"error": text})
    assert "\n" not in str(error) and "\t" not in str(error)
    assert "panic: runtime error goroutine 1 [running]: main.main()" in error.message
    assert error.message.endswith("…") and len(error.message) < 300


async def test_a_10_mb_answer_is_an_error_not_a_10_mb_message():
    error = await kapacitor_error(r"^GET /kapacitor/v1/config$", 200, b"[" + b"1," * 5_000_000 + b"1]")
    assert "larger than 1 MiB" in error.message and len(str(error)) < 400


async def test_a_redirect_names_the_host_and_never_the_password_in_it():
    from wizard.kapacitor.client import ConnectionSettings, KapacitorClient

    with FaultyServer("kapacitor") as faulty:
        faulty.set_fault("redirect", "/config")
        async with KapacitorClient(ConnectionSettings(url=faulty.url)) as client:
            await client.ping()
            with pytest.raises(Exception) as caught:
                await client.get_config()
    text = str(caught.value)
    assert "redirected GET /kapacitor/v1/config to elsewhere.invalid:8443 (HTTP 307)" in text
    assert "does not follow redirects" in text
    assert REDIRECT_USERINFO not in text and "proxyuser" not in text


async def test_retry_after_is_named():
    error = await kapacitor_error(r"^GET /kapacitor/v1/config$", 429, b"slow down")
    assert "429" in error.message  # Retry-After is sent by the fault below
    with FaultyServer("kapacitor") as faulty:
        faulty.set_fault("429", "/config")
        from wizard.kapacitor.client import ConnectionSettings, KapacitorClient

        async with KapacitorClient(ConnectionSettings(url=faulty.url)) as client:
            with pytest.raises(Exception) as caught:
                await client.get_config()
    assert "asks to wait 7 seconds (Retry-After)" in str(caught.value)


async def test_a_kapacitor_address_with_an_invalid_port_is_named():
    from wizard.text.errors import KapacitorUnreachable
    from wizard.kapacitor.client import ConnectionSettings, KapacitorClient

    async with KapacitorClient(ConnectionSettings(url="http://127.0.0.1:99999")) as client:
        with pytest.raises(KapacitorUnreachable) as caught:
            await client.ping()
    assert "invalid port" in str(caught.value)
    assert "ExceptionGroup" not in str(caught.value)


async def telegram_error(pattern: str, status: int, body, call):
    with TelegramBotApiFake() as api, FaultyServer("telegram", api.url) as faulty:
        faulty.set_answer(pattern, status, body)
        async with telegram_core.TelegramClient(api.token, faulty.url) as client:
            with pytest.raises(telegram_core.TelegramError) as caught:
                await call(client)
    error = caught.value
    assert api.token not in str(error) and api.token.split(":")[1] not in str(error)
    return error


async def test_telegram_ok_false_with_http_200_is_unexpected():
    error = await telegram_error("/getMe$", 200, {"ok": False, "description": "maintenance"}, lambda c: c.check_token())
    assert isinstance(error, telegram_core.TelegramUnexpected)
    assert error.message.startswith("Unexpected answer from the Telegram Bot API at 127.0.0.1 (HTTP 200) to getMe:")
    assert '"ok" is false' in error.message and "maintenance" in error.message


async def test_telegram_get_updates_result_that_is_not_a_list_is_unexpected():
    error = await telegram_error("/getUpdates$", 200, {"ok": True, "result": {"update_id": 1}}, lambda c: c.get_updates_snapshot())
    assert "(HTTP 200) to getUpdates: result is an object, expected a list" in error.message


async def test_telegram_update_without_date_is_unexpected():
    update = {"update_id": 7, "message": {"message_id": 1, "chat": {"id": 5, "type": "private"}, "text": "hi"}}
    error = await telegram_error("/getUpdates$", 200, {"ok": True, "result": [update]}, lambda c: c.get_updates_snapshot())
    assert "result[0].message.date is missing" in error.message


async def test_telegram_get_me_without_the_bots_id_is_unexpected():
    error = await telegram_error("/getMe$", 200, {"ok": True, "result": {"is_bot": True}}, lambda c: c.check_token())
    assert isinstance(error, telegram_core.TelegramUnexpected) and "(HTTP 200)" in error.message


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (200, b"<html><title>Proxy login</title></html>", "an HTML page (Proxy login)"),
        (200, b'{"ok": true, "result": {', "JSON that does not parse"),
        (502, b"<html><title>502 Bad Gateway</title>" + b"x" * 5000 + b"</html>", "answered HTTP 502: an HTML page (502 Bad Gateway)"),
    ],
)
async def test_telegram_html_and_broken_json_are_named_in_one_line(status, body, words):
    error = await telegram_error("/getMe$", status, body, lambda c: c.check_token())
    assert words in error.message
    assert "\n" not in str(error) and len(str(error)) < 400


async def test_an_invalid_port_in_the_bot_api_url_is_named_plainly(telegram_api, capsys, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram_api.token)
    try:
        status = main(["detect-chat-id", "--telegram-api-url", "http://127.0.0.1:99999", "--timeout", "1"])
    except SystemExit as refused:  # the option's own check refuses it before any request
        status = refused.code
    err = capsys.readouterr().err
    assert status in (1, 2)
    line = err.strip().splitlines()[-1]
    assert "port" in line and "ExceptionGroup" not in err and "Unknown error in HTTP implementation" not in err


async def test_the_core_names_an_invalid_port_in_the_bot_api_url():
    async with telegram_core.TelegramClient("123456789:AAHfakeTokenForTestsOnly_abcdefghijklmn", "http://127.0.0.1:99999") as client:
        with pytest.raises(telegram_core.TelegramUnreachable) as caught:
            await client.check_token()
    assert "invalid port" in caught.value.message


# ---------------------------------------------------------------- the wizard's steps, through Pilot

SIZE = (100, 40)
_FRAME = str.maketrans("", "", "│╭╮╰╯─▊▎▔▁▏▕")


def flat_screen(pilot) -> str:
    from tests.tui_helpers import screen_text

    return " ".join(screen_text(pilot).translate(_FRAME).split())


def screen_busy(pilot) -> bool:
    return any(w.is_running for w in pilot.app.workers if w.node is pilot.app.screen and w.group != "discover")


async def shows_fault(pilot, faulty: FaultyServer, fault: str, hits_before: int, secrets: tuple[str, ...]) -> None:
    """The step got the fault, finished, shows the fault on screen, is alive, and shows no secret."""
    from tests.tui_helpers import wait_for

    await wait_for(pilot, lambda: len(faulty.faulted) > hits_before, what=f"the {fault} request")
    await wait_for(
        pilot,
        lambda: not screen_busy(pilot) and re.search(FAULT_WORDS[fault], flat_screen(pilot)),
        what=f"the {fault} message on screen",
    )
    assert pilot.app.is_running
    svg = pilot.app.export_screenshot()
    assert "Traceback" not in svg
    for secret in secrets:
        assert secret not in svg, (fault, secret)


def tui_secrets(telegram_token: str = "") -> tuple[str, ...]:
    found = (KAPACITOR_PASSWORD, HIPCHAT_TOKEN, WEBHOOK.rsplit("/", 1)[1], REDIRECT_USERINFO)
    return found + ((telegram_token.split(":")[1],) if telegram_token else ())


def wizard_app(kapacitor_url: str, telegram_api_url: str = "https://api.telegram.org", **connection):
    from wizard.kapacitor.client import ConnectionSettings
    from wizard.tui.app import WizardApp
    from wizard.tui.state import AppSettings

    return WizardApp(AppSettings(ConnectionSettings(url=kapacitor_url, timeout=TUI_TIMEOUT, **connection), telegram_api_url=telegram_api_url))


async def test_connect_step_against_every_fault():
    from textual.widgets import Input

    from tests.tui_helpers import input_value, wait_for_screen
    from wizard.text.secrets import Secret
    from wizard.tui.screens.connect import ConnectScreen

    with KapacitorFake(auth=(KAPACITOR_USER, KAPACITOR_PASSWORD)) as kapacitor, FaultyServer("kapacitor", kapacitor.url) as faulty:
        app = wizard_app(faulty.url, username=KAPACITOR_USER, password=Secret(KAPACITOR_PASSWORD))
        faulty.set_fault(FAULT_NAMES[0], r"^GET /kapacitor/v1/config$")  # the wizard connects at once
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_screen(pilot, ConnectScreen)
            for number, fault in enumerate(FAULT_NAMES):
                faulty.set_fault(fault, r"^GET /kapacitor/v1/config$")
                hits = 0 if number == 0 else len(faulty.faulted)
                if number:
                    pilot.app.screen.query_one("#url", Input).focus()
                    await pilot.press("enter")
                await shows_fault(pilot, faulty, fault, hits, tui_secrets())
                assert isinstance(pilot.app.screen, ConnectScreen)
                assert input_value(pilot, "#url") == faulty.url
                assert input_value(pilot, "#username") == KAPACITOR_USER
                assert input_value(pilot, "#password") == KAPACITOR_PASSWORD


async def test_slack_direct_check_against_every_fault(kapacitor, quick_direct_checks):
    from tests.tui_helpers import input_value, paste, wait_for_screen
    from wizard.tui.screens.handlers import HandlersScreen
    from wizard.tui.screens.slack import SlackWebhookScreen

    with FaultyServer("slack") as faulty:
        webhook = f"{faulty.url}/services/T0FAULT/B0FAULT/{WEBHOOK.rsplit('/', 1)[1]}"
        async with wizard_app(kapacitor.url).run_test(size=SIZE) as pilot:
            await pilot.press("enter")
            await wait_for_screen(pilot, HandlersScreen)
            await pilot.press("down", "enter")  # HipChat, Slack, Telegram: Slack is second
            await wait_for_screen(pilot, SlackWebhookScreen)
            await paste(pilot, webhook)
            for fault in FAULT_NAMES:
                faulty.set_fault(fault)
                hits = len(faulty.faulted)
                await pilot.press("ctrl+t")
                await shows_fault(pilot, faulty, fault, hits, tui_secrets())
                assert shows_on(pilot, "Slack")
                assert input_value(pilot, "#input-url") == webhook
    assert kapacitor.config_posts() == []


def shows_on(pilot, word: str) -> bool:
    return word in flat_screen(pilot)


async def test_hipchat_direct_check_against_every_fault(kapacitor, quick_direct_checks):
    from textual.widgets import OptionList

    from tests.tui_helpers import input_value, paste, wait_for_screen
    from wizard.tui.screens.handlers import HandlersScreen
    from wizard.tui.screens.hipchat import HipChatServerScreen, HipChatTokenScreen

    with FaultyServer("hipchat") as faulty:
        async with wizard_app(kapacitor.url).run_test(size=SIZE) as pilot:
            await pilot.press("enter")
            await wait_for_screen(pilot, HandlersScreen)
            options = pilot.app.screen.query_one(OptionList)
            options.highlighted = options.get_option_index("hipchat")
            options.focus()
            await pilot.press("enter")
            await wait_for_screen(pilot, HipChatServerScreen)
            await paste(pilot, faulty.url)
            await pilot.press("enter")
            await wait_for_screen(pilot, HipChatTokenScreen)
            await paste(pilot, "ops")
            await pilot.press("enter")
            await paste(pilot, HIPCHAT_TOKEN)
            for fault in FAULT_NAMES:
                faulty.set_fault(fault)
                hits = len(faulty.faulted)
                await pilot.press("ctrl+t")
                await shows_fault(pilot, faulty, fault, hits, tui_secrets())
                assert shows_on(pilot, "HipChat")
                assert input_value(pilot, "#input-room") == "ops"
                assert input_value(pilot, "#input-token") == HIPCHAT_TOKEN
    assert kapacitor.config_posts() == []


async def reach_telegram_token_step(pilot) -> None:
    from textual.widgets import OptionList

    from tests.tui_helpers import wait_for_screen
    from wizard.tui.screens.handlers import HandlersScreen
    from wizard.tui.screens.telegram import TelegramBotScreen

    await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)
    options = pilot.app.screen.query_one(OptionList)
    options.highlighted = options.get_option_index("telegram")
    options.focus()
    await pilot.press("enter")
    await wait_for_screen(pilot, TelegramBotScreen)


async def test_telegram_token_check_against_every_fault(kapacitor, telegram_api, quick_telegram, monkeypatch):
    from tests.tui_helpers import input_value, paste
    from wizard.tui.screens.telegram import TelegramBotScreen

    monkeypatch.setattr(TelegramBotScreen, "check_delay", 0.05)
    with FaultyServer("telegram", telegram_api.url) as faulty:
        async with wizard_app(kapacitor.url, faulty.url).run_test(size=SIZE) as pilot:
            await reach_telegram_token_step(pilot)
            for number, fault in enumerate(FAULT_NAMES):
                faulty.set_fault(fault, r"/getMe$")
                hits = len(faulty.faulted)
                if number == 0:
                    await paste(pilot, telegram_api.token)  # checked as soon as it is pasted
                else:
                    await pilot.press("ctrl+t")
                await shows_fault(pilot, faulty, fault, hits, tui_secrets(telegram_api.token))
                assert isinstance(pilot.app.screen, TelegramBotScreen)
                assert input_value(pilot, "#input-token") == telegram_api.token


# Discovery retries what may pass (timeouts, 5xx, resets, 409, 429) by itself, so those come last.
DISCOVERY_FAULTS = ("wrong-shape", "html", "malformed-json", "oversized", "redirect", "403", "500")


async def test_telegram_chat_discovery_against_faults(kapacitor, telegram_api, quick_telegram, monkeypatch):
    from textual.widgets import Input

    from tests.tui_helpers import input_value, paste, wait_for, wait_for_screen
    from wizard.tui.screens.telegram import TelegramBotScreen, TelegramChatScreen

    monkeypatch.setattr(TelegramBotScreen, "check_delay", 0.05)
    monkeypatch.setattr(TelegramChatScreen, "poll_timeout", 1)
    monkeypatch.setattr(TelegramChatScreen, "idle_interval", 0.02)
    with FaultyServer("telegram", telegram_api.url) as faulty:
        async with wizard_app(kapacitor.url, faulty.url).run_test(size=SIZE) as pilot:
            await reach_telegram_token_step(pilot)
            await paste(pilot, telegram_api.token)
            await wait_for(pilot, lambda: "Token works" in flat_screen(pilot), what="the token check")
            for number, fault in enumerate(DISCOVERY_FAULTS):
                faulty.set_fault(fault, r"/getUpdates$")
                hits = len(faulty.faulted)
                if number == 0:
                    await pilot.press("enter")
                    await wait_for_screen(pilot, TelegramChatScreen)
                    pilot.app.screen.query_one("#input-chat-id", Input).value = "-100777"
                else:
                    await pilot.press("ctrl+r")
                await shows_fault(pilot, faulty, fault, hits, tui_secrets(telegram_api.token))
                assert isinstance(pilot.app.screen, TelegramChatScreen)
                assert input_value(pilot, "#input-chat-id") == "-100777"


APPLY_WRITE_FAULTS = ("slow", "500", "html", "reset", "redirect")
APPLY_TEST_FAULTS = ("wrong-shape", "oversized", "stalled-body", "429")


async def test_apply_step_against_faults_in_the_write_and_in_the_test(slack_receiver):
    from textual.widgets import Button

    from tests.test_slack_flow import connect_and_choose_slack, fill_slack_steps
    from tests.tui_helpers import input_value, wait_for, wait_for_screen
    from wizard.tui.screens.apply import ApplyScreen
    from wizard.tui.screens.review import ReviewScreen

    with KapacitorFake() as kapacitor, FaultyServer("kapacitor", kapacitor.url) as faulty:
        async with wizard_app(faulty.url).run_test(size=SIZE) as pilot:
            await connect_and_choose_slack(pilot)
            await fill_slack_steps(pilot, slack_receiver.webhook_url, "#alerts")
            for fault in APPLY_WRITE_FAULTS:
                faulty.set_fault(fault, r"^POST /kapacitor/v1/config/slack/$")
                hits = len(faulty.faulted)
                await pilot.press("enter")  # Apply on the review
                await wait_for_screen(pilot, ApplyScreen)
                await shows_fault(pilot, faulty, fault, hits, tui_secrets() + (slack_receiver.WEBHOOK_PATH,))
                await pilot.press("escape")
                await wait_for_screen(pilot, ReviewScreen)
            await pilot.press("escape", "escape")
            await wait_for(pilot, lambda: getattr(pilot.app.screen, "step", None) and pilot.app.screen.step.id == "channel")
            assert input_value(pilot, "#input-channel") == "#alerts"
            await pilot.press("enter", "enter", "enter")
            await wait_for_screen(pilot, ReviewScreen)
            for number, fault in enumerate(APPLY_TEST_FAULTS):
                faulty.set_fault(fault, r"^POST /kapacitor/v1/service-tests/slack$")
                hits = len(faulty.faulted)
                if number == 0:
                    await pilot.press("enter")  # the write goes through, the test meets the fault
                    await wait_for_screen(pilot, ApplyScreen)
                else:
                    pilot.app.screen.query_one("#retry", Button).press()
                await shows_fault(pilot, faulty, fault, hits, tui_secrets() + (slack_receiver.WEBHOOK_PATH,))
                assert pilot.app.screen.query_one("#retry", Button).display
    assert len([p for p in kapacitor.config_posts() if p.path == "/kapacitor/v1/config/slack/"]) == 1
