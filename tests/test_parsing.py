"""Every option and field becomes a checked value or a one-line refusal, before any I/O."""
from __future__ import annotations

import io
import ipaddress
import os
import subprocess
import sys
import threading
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Input, Static

from tests.tui_helpers import paste, shows, wait_for, wait_for_screen
from wizard.cli import main
from wizard.commands.common import UsageError, read_secret
from wizard.conf import document as conffile
from wizard.services import hipchat
from wizard.text import checks as validators
from wizard.handlers.registry import HANDLERS
from wizard.kapacitor.client import ConnectionSettings
from wizard.tui.app import WizardApp
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.state import AppSettings

TOKEN = "123456789:AAHfakeTokenForTheParsingTests_0123"
WEBHOOK = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"
ENV_NAMES = (
    "KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD",
    "SLACK_WEBHOOK_URL", "TELEGRAM_BOT_TOKEN", "HIPCHAT_TOKEN",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def run_cli(argv, monkeypatch, capsys, stdin: str = ""):
    """Run the command in this process; argparse's refusals end in SystemExit, the rest return."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_refusal(code, err: str, option: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert option in lines[0], err


# -- the command line -----------------------------------------------------------------

BAD_OPTIONS = [
    # (what the case is, the arguments with {url} for the stand-in's address, the option named)
    ("javascript: URL", ["--url", "javascript:alert(1)", "show"], "--url"),
    ("mailto: URL", ["--url", "mailto:ops@example.com", "show"], "--url"),
    ("unclosed IPv6 bracket", ["--url", "http://[::1", "show"], "--url"),
    ("IPv6 without brackets", ["--url", "http://::1:9092", "show"], "--url"),
    ("port above 65535", ["--url", "http://localhost:99999", "show"], "--url"),
    ("port 0", ["--url", "http://localhost:0", "show"], "--url"),
    ("port not a number", ["--url", "http://localhost:abc", "show"], "--url"),
    ("newline in the URL", ["--url", "http://local\nhost:9092", "show"], "--url"),
    ("BEL in the URL", ["--url", "http://localhost:9092\x07", "show"], "--url"),
    ("URL after the subcommand", ["show", "--url", "http://[::1"], "--url"),
    ("ftp URL", ["--url", "ftp://localhost:9092", "show"], "--url"),
    ("timeout nan", ["--url", "{url}", "--timeout", "nan", "show"], "--timeout"),
    ("timeout negative", ["--url", "{url}", "--timeout", "-5", "show"], "--timeout"),
    ("timeout zero", ["--url", "{url}", "--timeout", "0", "show"], "--timeout"),
    ("timeout infinite", ["--url", "{url}", "--timeout", "inf", "show"], "--timeout"),
    ("timeout not a number", ["show", "--url", "{url}", "--timeout", "abc"], "--timeout"),
    ("timeout in full-width digits", ["show", "--url", "{url}", "--timeout", "１０"], "--timeout"),
    ("detect timeout zero", ["apply", "telegram", "--url", "{url}", "--detect", "--detect-timeout", "0"], "--detect-timeout"),
    ("detect-chat-id timeout nan", ["detect-chat-id", "--timeout", "nan"], "--timeout"),
    ("Bot API address ftp", ["apply", "telegram", "--url", "{url}", "--chat-id", "1", "--telegram-api-url", "ftp://x"], "--telegram-api-url"),
    ("Bot API address bad port", ["detect-chat-id", "--telegram-api-url", "http://127.0.0.1:99999"], "--telegram-api-url"),
    ("Slack channel with BEL", ["apply", "slack", "--url", "{url}", "--channel", "#al\x07erts"], "--channel"),
    ("Slack channel too long", ["apply", "slack", "--url", "{url}", "--channel", "#" + "a" * 81], "--channel"),
    ("Slack username with newline", ["apply", "slack", "--url", "{url}", "--username", "alert\nbot"], "--username"),
    ("newline in a username for --format env", ["apply", "slack", "--username", "a\nb", "--format", "env"], "--username"),
    ("Slack icon with ESC", ["apply", "slack", "--url", "{url}", "--icon-emoji", ":be\x1bll:"], "--icon-emoji"),
    ("Slack workspace with ESC", ["apply", "slack", "--url", "{url}", "--workspace", "te\x1bam"], "--workspace"),
    ("HipChat room with BEL", ["apply", "hipchat", "--url", "{url}", "--subdomain", "example-hi", "--room", "o\x07ps"], "--room"),
    ("HipChat room too long", ["apply", "hipchat", "--url", "{url}", "--subdomain", "example-hi", "--room", "r" * 51], "--room"),
    ("HipChat server with port 0", ["apply", "hipchat", "--url", "{url}", "--hipchat-url", "https://chat.example.com:0", "--room", "ops"], "--hipchat-url"),
    ("HipChat server with BEL", ["apply", "hipchat", "--url", "{url}", "--hipchat-url", "https://chat.example.com/\x07", "--room", "ops"], "--hipchat-url"),
    ("chat id in Arabic-Indic digits", ["apply", "telegram", "--url", "{url}", "--chat-id", "-١٠٠١٢٣"], "--chat-id"),
    ("chat id in full-width digits", ["apply", "telegram", "--url", "{url}", "--chat-id", "１２３"], "--chat-id"),
    ("chat id -0", ["apply", "telegram", "--url", "{url}", "--chat-id", "-0"], "--chat-id"),
    ("chat id beyond 64 bits", ["apply", "telegram", "--url", "{url}", "--chat-id", "9223372036854775808"], "--chat-id"),
    ("Kapacitor password with BEL", ["show", "--url", "{url}", "--password", "pa\x07ss"], "--kapacitor-password"),
    ("Kapacitor user with a colon", ["show", "--url", "{url}", "--username", "a:b"], "--kapacitor-username"),
]


@pytest.mark.parametrize(("argv", "option"), [case[1:] for case in BAD_OPTIONS], ids=[case[0] for case in BAD_OPTIONS])
def test_bad_options_are_refused_in_one_line_before_any_request(kapacitor, monkeypatch, capsys, argv, option):
    # The secrets each command needs come from the environment, as a secret must (never the command line).
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", WEBHOOK)
    monkeypatch.setenv("HIPCHAT_TOKEN", "abc")
    argv = [arg.replace("{url}", kapacitor.url) for arg in argv]
    code, out, err = run_cli(argv, monkeypatch, capsys)
    assert_one_line_refusal(code, err, option)
    assert kapacitor.requests == []
    assert TOKEN not in err and "pa\x07ss" not in err and "ab\x07c" not in err


BAD_SECRETS = [
    # (what the case is, the arguments, the secret on standard input, the option named)
    ("webhook URL with BEL", ["apply", "slack", "--url", "{url}", "--webhook-url", "-"], WEBHOOK + "\x07", "--webhook-url"),
    ("HipChat token with BEL", ["apply", "hipchat", "--url", "{url}", "--subdomain", "example-hi", "--room", "ops", "--token", "-"],
     "ab\x07c", "--token"),
    ("Telegram token in Arabic-Indic digits", ["apply", "telegram", "--url", "{url}", "--token", "-", "--chat-id", "1"],
     "١٢٣٤٥:AAHfakeTokenForTheParsingTests_0123", "--token"),
]


@pytest.mark.parametrize(("argv", "secret", "option"), [case[1:] for case in BAD_SECRETS], ids=[case[0] for case in BAD_SECRETS])
def test_bad_secrets_are_refused_in_one_line_without_echo(kapacitor, monkeypatch, capsys, argv, secret, option):
    argv = [arg.replace("{url}", kapacitor.url) for arg in argv]
    code, out, err = run_cli(argv, monkeypatch, capsys, secret)
    assert_one_line_refusal(code, err, option)
    assert kapacitor.requests == []
    assert secret.strip() not in err and "ab\x07c" not in err


@pytest.mark.parametrize(
    ("argv", "phrase"),
    [(["--bogus"], "unrecognized arguments"), (["apply", "hipchat", "--subdomain"], "expected one argument")],
)
def test_argparse_errors_are_one_line_too(monkeypatch, capsys, argv, phrase):
    code, out, err = run_cli(argv, monkeypatch, capsys)
    assert_one_line_refusal(code, err, phrase)


@pytest.mark.parametrize(
    "value",
    ["javascript:alert(1)", "http://[::1", "http://localhost:99999", "http://local\nhost:9092", "http://localhost:9092\x07"],
)
def test_kapacitor_url_from_the_environment_gets_the_same_check(monkeypatch, capsys, value):
    monkeypatch.setenv("KAPACITOR_URL", value)
    code, out, err = run_cli(["show"], monkeypatch, capsys)
    assert_one_line_refusal(code, err, "KAPACITOR_URL")


def test_kapacitor_password_from_the_environment_is_refused_without_echo(monkeypatch, capsys):
    monkeypatch.setenv("KAPACITOR_PASSWORD", "hunter\x072")
    code, out, err = run_cli(["show", "--url", "http://127.0.0.1:9"], monkeypatch, capsys)
    assert_one_line_refusal(code, err, "KAPACITOR_PASSWORD")
    assert "hunter" not in err


def test_host_and_port_without_a_scheme_are_still_accepted():
    assert ConnectionSettings.from_environment({"KAPACITOR_URL": "kapacitor:9092"}).url == "http://kapacitor:9092"
    assert ConnectionSettings.from_environment({}, url="http://[::1]:9092/").url == "http://[::1]:9092"


@pytest.fixture
def files(tmp_path):
    """A directory, a FIFO, a text file that is no certificate, and a missing path."""
    fifo = tmp_path / "kapacitor.fifo"
    os.mkfifo(fifo)
    not_pem = tmp_path / "passwd"
    not_pem.write_text("root:x:0:0:root:/root:/bin/sh\n")
    return {"dir": str(tmp_path), "fifo": str(fifo), "not_pem": str(not_pem), "missing": str(tmp_path / "missing.pem")}


@pytest.mark.parametrize(
    ("argv", "option", "phrase"),
    [
        (["--ca-cert", "{missing}", "show"], "--ca-cert", "does not exist"),
        (["--ca-cert", "{dir}", "show"], "--ca-cert", "folder"),
        (["--ca-cert", "{not_pem}", "show"], "--ca-cert", "no PEM certificate"),
        (["--ca-cert", "/etc/passwd", "show"], "--ca-cert", "no PEM certificate"),
        (["--ca-cert", "{fifo}", "show"], "--ca-cert", "not a regular file"),
        (["--config-file", "{dir}"], "--config-file", "folder"),
        (["--config-file", "/dev/null", "apply", "slack", "--webhook-url", "-"], "--config-file", "device"),
        (["--config-file", "{missing}/kapacitor.conf"], "--config-file", "does not exist"),
    ],
)
def test_files_are_checked_without_reading_them(monkeypatch, capsys, files, argv, option, phrase):
    code, out, err = run_cli([arg.format(**files) for arg in argv], monkeypatch, capsys)
    assert_one_line_refusal(code, err, option)
    assert phrase in err


def run_subprocess(args, stdin: bytes = b"", timeout: float = 60):
    """The real command in its own process, so a read that blocks fails the test instead of hanging it."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    return subprocess.run(
        [sys.executable, "-m", "wizard", *args], input=stdin, capture_output=True, timeout=timeout, env=env,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--config-file", "{fifo}", "apply", "slack", "--webhook-url", "-", "--dry-run"],
        ["apply", "slack", "--config-file", "{fifo}", "--webhook-url", "-", "--dry-run"],
        ["--config-file", "{fifo}"],  # the wizard itself: refused before the terminal is taken over
    ],
    ids=["global", "per-apply", "wizard"],
)
def test_a_fifo_as_config_file_is_refused_at_once(files, args):
    done = run_subprocess([a.replace("{fifo}", files["fifo"]) for a in args])
    err = done.stderr.decode()
    assert_one_line_refusal(done.returncode, err, "--config-file")
    assert "named pipe" in err


def secret_from_stdin(data: bytes):
    return run_subprocess(["apply", "slack", "--webhook-url", "-", "--format", "env", "--show-secrets"], stdin=data)


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (b"\xff\xfe" + WEBHOOK.encode(), "not UTF-8"),
        (WEBHOOK.encode("utf-16"), "not UTF-8"),
        (WEBHOOK.encode() + b"\nsomething else\n", "more than one line"),
        (WEBHOOK.encode() + b"\x07\n", "control character"),
        (b"\n", "empty"),
    ],
    ids=["latin-1 bytes", "utf-16", "second line", "BEL", "empty"],
)
def test_secrets_from_standard_input_must_be_one_line_of_utf8(data, phrase):
    done = secret_from_stdin(data)
    err = done.stderr.decode()
    assert_one_line_refusal(done.returncode, err, "")
    assert phrase in err
    assert WEBHOOK not in err + done.stdout.decode()


@pytest.mark.parametrize("ending", [b"", b"\n", b"\r\n", b"\n\n"])
def test_a_secret_on_one_line_with_a_trailing_line_break_is_read(ending):
    done = secret_from_stdin(WEBHOOK.encode() + ending)
    assert done.returncode == 0, done.stderr.decode()
    assert f"KAPACITOR_SLACK_0_URL={WEBHOOK}" in done.stdout.decode().splitlines()


def test_read_secret_refuses_control_characters_from_the_environment():
    with pytest.raises(UsageError) as info:
        read_secret(None, "SLACK_WEBHOOK_URL", io.StringIO(), {"SLACK_WEBHOOK_URL": WEBHOOK + "\x1b[2J"})
    assert "SLACK_WEBHOOK_URL" in str(info.value) and WEBHOOK not in str(info.value)
    assert read_secret(None, "SLACK_WEBHOOK_URL", io.StringIO(), {"SLACK_WEBHOOK_URL": f" {WEBHOOK}\n"}).reveal() == WEBHOOK


def test_env_lines_refuse_a_value_they_cannot_carry_and_name_the_option():
    with pytest.raises(conffile.EnvValueError) as info:
        conffile.env_lines("slack", {"username": "alert\nbot"})
    assert "slack.username" in info.value.message and "alert" not in info.value.message
    with pytest.raises(conffile.EnvValueError) as info:
        conffile.env_lines("telegram", {"token": "1:SECRET\x07"}, show_secrets=False)
    assert "SECRET" not in info.value.message
    assert conffile.env_lines("slack", {"username": "Kapacitor ⚠ alerts"}) == ["KAPACITOR_SLACK_0_USERNAME=Kapacitor ⚠ alerts"]


# -- the validators ------------------------------------------------------------------------

TRICKY = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from(list("\x00\x07\n\r\t\x1b\x7f\x85\u2028\u202e\ufeff\ud800٠١٢３４-:@[]/.#%") + ["http://", "https://", "[::1]", ":9092"]),
    ),
    max_size=30,
).map("".join)
"""Text with control characters, surrogates, non-ASCII digits and pieces of addresses."""
ALL_VALIDATORS = [
    validators.http_url, validators.kapacitor_url, validators.slack_webhook_url, validators.slack_channel,
    validators.slack_icon_emoji, validators.slack_username, validators.slack_workspace, validators.telegram_token,
    validators.telegram_chat_id, validators.telegram_parse_mode, validators.hipchat_room, validators.hipchat_token,
    validators.any_text, validators.no_control_chars, validators.basic_auth_user, hipchat.server_url,
    lambda text: validators.positive_seconds(text, 3600),
]


@given(TRICKY, st.sampled_from(ALL_VALIDATORS))
def test_validators_never_raise(text, validate):
    verdict = validate(text)
    assert isinstance(verdict.value, str)
    if verdict.ok:
        assert not validators.control_character(verdict.value)


URLISH = st.builds(
    lambda scheme, host, port, path: scheme + host + port + path,
    st.sampled_from(["http://", "https://", "", "HTTP://", "javascript:", "ftp://"]),
    st.one_of(st.sampled_from(["localhost", "[::1]", "::1", "[::1", "kapacitor.example.com", "a..b", "127.0.0.1"]), TRICKY),
    st.one_of(st.just(""), st.builds(lambda p: f":{p}", st.one_of(st.integers(-5, 70000).map(str), TRICKY))),
    st.sampled_from(["", "/", "/kapacitor", "/a b", "/\x07"]),
)


@given(URLISH)
def test_an_accepted_url_follows_the_rules(text):
    verdict = validators.kapacitor_url(text)
    if not verdict.ok:
        return
    url = verdict.value
    assert not any(c.isspace() for c in url) and not validators.control_character(url, strict=True)
    parts = urlsplit(url)
    assert parts.scheme.lower() in ("http", "https") and parts.hostname
    assert parts.port is None or 1 <= parts.port <= 65535
    if ":" in parts.hostname:
        assert f"[{parts.hostname}]" in parts.netloc
        ipaddress.IPv6Address(parts.hostname)
    assert validators.kapacitor_url(url).value == url


@given(URLISH)
def test_an_accepted_url_is_one_httpx_can_request(text):
    verdict = validators.kapacitor_url(text)
    if verdict.ok:
        url = httpx.URL(verdict.value)
        assert httpx.Request("GET", url.join("/kapacitor/v1/ping")).url.host == url.host


@given(st.one_of(TRICKY, st.integers(-(2**64), 2**64).map(str), st.from_regex(r"-?[0-9٠-٩０-９]{1,22}", fullmatch=True)))
def test_an_accepted_chat_id_is_an_ascii_64_bit_integer_or_a_channel(text):
    verdict = validators.telegram_chat_id(text)
    if not verdict.ok:
        return
    value = verdict.value
    if value.startswith("@"):
        assert value[1:].replace("_", "").isascii() and value[1:].replace("_", "").isalnum()
        return
    assert value.isascii() and value.lstrip("-").isdigit()
    assert -(2**63) <= int(value) <= 2**63 - 1 and int(value) != 0
    assert value != "-0"


@pytest.mark.parametrize("text", ["-0", "0", "١٢٣", "１２３", "9223372036854775808", "-9223372036854775809", "12\x07"])
def test_chat_ids_that_telegram_cannot_have_are_refused(text):
    assert not validators.telegram_chat_id(text).ok


@pytest.mark.parametrize("text", ["-1001234567890", "111", "9223372036854775807", "-9223372036854775808", "@alerts_channel"])
def test_real_chat_ids_are_accepted(text):
    assert validators.telegram_chat_id(text).value == text


def text_options():
    for spec in HANDLERS.values():
        for option in spec.options:
            if option.kind is str:
                yield pytest.param(option, id=f"{spec.name}.{option.name}")


@pytest.mark.parametrize("option", text_options())
@pytest.mark.parametrize("bad", ["\x07", "#ops\x07", "ops\nops", "ops\x1b[31m", "\u202eops"])
def test_every_text_option_of_every_handler_refuses_control_characters(option, bad):
    assert not option.validate(bad).ok


# -- the wizard ------------------------------------------------------------------------------


async def test_connect_step_refuses_a_bad_url_at_the_field_and_keeps_it(kapacitor):
    app = WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url)))
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_for_screen(pilot, ConnectScreen)
        await wait_for(pilot, lambda: shows(pilot, "answers"), what="the first attempt")
        asked = len(kapacitor.requests)
        url = app.screen.query_one("#url", Input)
        message = app.screen.query_one("#url-error", Static)
        for typed, phrase in (("http://[::1", "IPv6"), (kapacitor.url + "\x07", "control character")):
            url.focus()
            url.value = ""
            await pilot.pause()
            await paste(pilot, typed)
            await pilot.press("enter")
            await wait_for(pilot, lambda: shows(pilot, phrase), what=f"the message for {typed!r}")
            assert message.display and url.has_class("-invalid")
            assert url.value == typed
            assert isinstance(app.screen, ConnectScreen) and app.is_running
        assert len(kapacitor.requests) == asked
        # Mending the address clears the message and connects.
        url.value = ""
        await paste(pilot, kapacitor.url)
        assert not message.display
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConnectScreen), what="the next step")


class FifoGuard:
    """If the test is still running after 30 seconds, opens the FIFO's writing end, so a reader
    blocked on it by a regression gets end-of-file and the test fails rather than hangs."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        if self.done.wait(30):
            return
        while not self.done.wait(0.2):
            try:
                os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:  # no reader: nothing is blocked
                pass

    def __enter__(self) -> FifoGuard:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()


async def test_wizard_started_with_a_fifo_config_file_says_so_and_stays_responsive(files):
    with FifoGuard(files["fifo"]):
        app = WizardApp(AppSettings(ConnectionSettings(url="http://127.0.0.1:9"), config_file=files["fifo"]))
        async with app.run_test(size=(100, 34)) as pilot:
            await wait_for_screen(pilot, ConnectScreen)
            error = app.screen.query_one("#file-error", Static)
            await wait_for(pilot, lambda: shows(pilot, "named pipe"), what="the FIFO refusal")
            assert isinstance(app.screen, ConnectScreen)
            # Offered the FIFO from the file route too: refused the same way, the path kept.
            path = app.screen.query_one("#config-path", Input)
            path.value = files["fifo"]
            error.update("")
            path.focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: shows(pilot, "named pipe"), what="the FIFO refusal again")
            assert path.value == files["fifo"] and isinstance(app.screen, ConnectScreen)


async def test_a_form_step_refuses_a_control_character_at_the_field_and_keeps_the_text(kapacitor, slack_receiver):
    from tests.test_slack_flow import connect_and_choose_slack

    app = WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url)))
    async with app.run_test(size=(100, 34)) as pilot:
        await connect_and_choose_slack(pilot)
        await paste(pilot, slack_receiver.webhook_url)
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "step", None) and app.screen.step.id == "channel", what="the channel step")
        await paste(pilot, "#al\x07erts")
        await pilot.press("enter")
        await wait_for(pilot, lambda: shows(pilot, "control character (U+0007)"), what="the refusal under the channel")
        assert app.screen.step.id == "channel"
        assert app.screen.query_one("#input-channel", Input).value == "#al\x07erts"
    assert kapacitor.config_posts() == []
