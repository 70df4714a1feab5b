"""One secret boundary: every spelling of a secret, and any URL's password, stay out of what is shown.

Kapacitor echoes bad values Go-quoted (`invalid url "https://hooks.slack.com/\\x1b…"`), httpx
percent-encodes, JSON escapes, Python reprs: whichever way a secret comes back, it is masked.
"""
from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from tests.fakes.kapacitor import KapacitorFake
from tests.fakes.kapacitor import go_quote as standin_go_quote
from wizard.cli import main
from wizard.text.errors import WizardError
from wizard.kapacitor.client import ConnectionSettings, KapacitorClient
from wizard.text.secrets import (
    MASK,
    MIN_SECRET_LENGTH,
    Scrubber,
    Secret,
    go_quote,
    install_log_scrubbing,
    mask_userinfo,
    secret_forms,
    split_userinfo,
    unexpected_error_line,
)

# Characters that secrets pasted from anywhere can hold: controls, quotes, backslashes,
# percent signs, spaces of every kind, non-ASCII letters, emoji, format characters.
AWKWARD = "\x00\x07\x08\t\n\x0b\x0c\r\x1b\x7f\x85\u00a0\u00ad\u200b\u2028\"'\\%+&<>/:@ é中😀\U000e0001"
awkward_text = st.text(alphabet=st.one_of(st.sampled_from(AWKWARD), st.characters()), min_size=8, max_size=40)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "SLACK_WEBHOOK_URL",
                 "TELEGRAM_BOT_TOKEN", "HIPCHAT_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def no_form_of(secret: str, text: str) -> bool:
    return not any(form in text for form in secret_forms(secret))


# -- the scrubber ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(secret=awkward_text, data=st.data())
def test_every_spelling_of_a_secret_is_masked(secret, data):
    forms = sorted(secret_forms(secret))
    form = data.draw(st.sampled_from(forms), label="form")
    before, after = "Kapacitor said: ", " (check the value)"
    assume(no_form_of(secret, before + MASK + after))
    scrub = Scrubber()
    scrub.add(Secret(secret))
    shown = scrub(before + form + after)
    assert no_form_of(secret, shown)
    assert shown.startswith("Kapacitor said:") and shown.endswith("(check the value)")
    assert no_form_of(secret, scrub.line(before + form + after))


@settings(max_examples=200, deadline=None)
@given(secret=awkward_text)
def test_the_spellings_are_what_json_go_and_python_write(secret):
    forms = secret_forms(secret)
    assert json.dumps(secret)[1:-1] in forms
    assert json.dumps(secret, ensure_ascii=False)[1:-1] in forms
    assert go_quote(secret)[1:-1] in forms
    assert repr(secret)[1:-1] in forms
    # A Go error inside a JSON body, as Kapacitor answers it.
    assert json.dumps(go_quote(secret)[1:-1])[1:-1] in forms


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.one_of(st.sampled_from(AWKWARD), st.characters())))
def test_go_quote_agrees_with_the_kapacitor_standin_and_escapes_everything_unprintable(text):
    quoted = go_quote(text)
    assert quoted == standin_go_quote(text)
    assert quoted.startswith('"') and quoted.endswith('"')
    assert all(ch.isprintable() for ch in quoted)


def test_go_quote_follows_strconv_quote():
    # Expected values are what Go's strconv.Quote (and fmt's %q) print.
    assert go_quote("bell\a back\b ff\f nl\n cr\r tab\t vt\v") == '"bell\\a back\\b ff\\f nl\\n cr\\r tab\\t vt\\v"'
    assert go_quote('esc\x1b nul\x00 del\x7f "q" \\') == '"esc\\x1b nul\\x00 del\\x7f \\"q\\" \\\\"'
    assert go_quote("café 中 😀") == '"café 中 😀"'
    assert go_quote("nbsp\u00a0 c1\x85 shy\u00ad tag\U000e0001") == '"nbsp\\u00a0 c1\\u0085 shy\\u00ad tag\\U000e0001"'


@settings(max_examples=300, deadline=None)
@given(secret=awkward_text, data=st.data())
def test_a_secret_cut_short_or_put_on_one_line_is_still_masked(secret, data):
    """Answers are often shortened (`…`) and put on one line before they are scrubbed."""
    from wizard.services import replies as answers

    form = data.draw(st.sampled_from(sorted(secret_forms(secret))), label="form")
    least = max(MIN_SECRET_LENGTH, len(form) // 3)
    assume(len(form) > least)
    size = data.draw(st.integers(least, len(form) - 1), label="cut")
    scrub = Scrubber()
    scrub.add(secret)
    shown = scrub(f"invalid url {form[:size]}…")
    assert form[:size] not in shown
    flat = scrub(answers.one_line(f"invalid url {form} here"))
    assert no_form_of(secret, flat)
    assert " ".join(form.split()) not in flat or len(" ".join(form.split())) < MIN_SECRET_LENGTH


def test_short_values_are_not_masked_in_running_text():
    scrub = Scrubber()
    scrub.add("abc")
    assert scrub("abc and abcdef") == "abc and abcdef"


def test_scrubbed_line_has_no_line_breaks_or_control_characters():
    scrub = Scrubber()
    scrub.add(Secret("tok\nen-123456"))
    line = scrub.line("first\nsecond\x1b[2J tok\nen-123456 \r\nthird")
    assert line == f"first second [2J {MASK} third"


def test_a_url_password_is_masked_wherever_the_url_goes():
    assert mask_userinfo("http://admin:hunter22@kapacitor:9092/x") == f"http://admin:{MASK}@kapacitor:9092/x"
    assert mask_userinfo("user only: http://admin@kapacitor:9092") == "user only: http://admin@kapacitor:9092"
    assert mask_userinfo('GET "https://u:p@ss@host/bot"') == f'GET "https://u:{MASK}@host/bot"'
    assert split_userinfo("http://admin:p%40ss@kapacitor:9092/x") == ("http://kapacitor:9092/x", "admin", "p@ss")
    scrub = Scrubber()
    scrub.add_url("http://admin:hunter22@kapacitor:9092")
    # Known: masked even without its URL. Short or unknown: still masked inside any URL.
    assert scrub("auth failed for hunter22") == f"auth failed for {MASK}"
    assert scrub("see https://bob:pw@example.org/") == f"see https://bob:{MASK}@example.org/"


def test_every_secret_made_is_masked_in_crash_reports():
    from wizard.text.secrets import GLOBAL_SCRUBBER

    token = Secret("123456:never-registered-by-a-screen")
    assert GLOBAL_SCRUBBER(f"Bot[token={token.reveal()}]") == f"Bot[token={MASK}]"


# -- python-telegram-bot's own log --------------------------------------------------------------


class _HtmlAnswer(BaseHTTPRequestHandler):
    """A proxy's error page where the Bot API should be."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def html_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlAnswer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_python_telegram_bot_prints_no_traceback_of_its_own(html_server, capsys):
    from telegram import Bot

    install_log_scrubbing()
    token = "123456789:AAH-python-telegram-bot-token"
    bot = Bot(token, base_url=f"{html_server}/bot")
    with pytest.raises(Exception):
        await bot.get_me()
    logging.getLogger("telegram.request.BaseRequest").exception("a record of its own")
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert token not in err


# -- the libraries' exceptions: python-telegram-bot, httpx ---------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tail=awkward_text)
@example(tail="AAH\x1bsecret\"quoted\\")
def test_a_bot_token_is_in_no_error_of_python_telegram_bot(tail, html_server):
    from tests.fakes.telegram import TelegramBotApiFake
    from wizard.services.telegram import TelegramClient

    token = "123456789:" + tail

    async def check(api_url: str) -> str:
        async with TelegramClient(Secret(token), api_url, connect_timeout=2.0, read_timeout=2.0) as client:
            try:
                await client.check_token()
            except WizardError as err:
                return f"{err.message} {err.hint}"
        return ""

    with TelegramBotApiFake() as telegram_api:
        for api_url in (telegram_api.url, html_server):
            shown = asyncio.run(check(api_url))
            assert no_form_of(token, shown)
            assert no_form_of(tail, shown) or len(tail) < MIN_SECRET_LENGTH


@settings(max_examples=25, deadline=None)
@given(tail=awkward_text)
def test_a_webhook_is_in_no_error_of_httpx(tail):
    import httpx

    from wizard.services.slack import send_test_message

    webhook = "http://127.0.0.1:9/services/T000/B000/" + tail  # port 9: nothing listens

    async def send() -> str:
        async with httpx.AsyncClient(timeout=2.0) as http:
            try:
                await send_test_message(http, Secret(webhook))
            except WizardError as err:
                return f"{err.message} {err.hint}"
            except Exception as err:  # reaches a person only through the report of unexpected errors
                return unexpected_error_line(err)
        return ""

    assert no_form_of(webhook, asyncio.run(send()))


@settings(max_examples=200, deadline=None)
@given(password=awkward_text)
def test_a_url_password_is_masked_in_the_review_and_any_text(password):
    from urllib.parse import quote

    from wizard.changes.plan import Change

    written = quote(password, safe="", errors="surrogatepass")  # as it stands in a URL
    url = f"http://bot:{written}@127.0.0.1:8081/bot"
    change = Change("url", "https://api.telegram.org/bot", url)
    shown = change.describe_after()
    assert shown == f"http://bot:{MASK}@127.0.0.1:8081/bot"
    scrub = Scrubber()
    scrub.add_url(url)
    assert no_form_of(written, scrub(f"POST {url}/sendMessage failed: {written}"))


# -- end to end: Kapacitor's Go-quoted echo, the command line -------------------------------------


WEBHOOK = "https://hooks.slack.com/services/T000/B000/"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tail=awkward_text)
@example(tail="XXXX\x1b[31mred\x07")
@example(tail='XXXX"quoted"\\back\u00e9\u00a0')
def test_kapacitors_go_quoted_echo_of_a_webhook_shows_no_form_of_it(tail):
    webhook = WEBHOOK + tail + "\x07"  # a control character: Kapacitor refuses the URL and quotes it back

    async def write() -> WizardError:
        with KapacitorFake() as kapacitor:
            async with KapacitorClient(ConnectionSettings(url=kapacitor.url)) as client:
                try:
                    await client.update_element("slack", set={"enabled": True, "url": Secret(webhook)})
                except WizardError as err:
                    return err
        raise AssertionError("Kapacitor accepted a URL with a control character")

    error = asyncio.run(write())
    shown = f"{error.message} {error.hint}"
    assert "invalid url" in shown
    assert no_form_of(webhook, shown)


def run_cli(argv, monkeypatch, capsys, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tail=awkward_text)
@example(tail="XXXX%zz-bad-escape")
@example(tail="XXXX\u00a0\u200bend")
def test_no_form_of_a_webhook_reaches_the_command_lines_output(tail, monkeypatch, capsys):
    webhook = WEBHOOK + tail
    with KapacitorFake() as kapacitor:
        code, out, err = run_cli(
            ["apply", "slack", "--url", kapacitor.url, "--webhook-url", "-", "--test"], monkeypatch, capsys,
            stdin=webhook + "\n",
        )
        code_env, out_env, err_env = run_cli(
            ["apply", "slack", "--webhook-url", "-", "--format", "env"], monkeypatch, capsys, stdin=webhook + "\n",
        )
    stripped = webhook.strip()
    for text in (out + err, out_env + err_env):
        assert no_form_of(stripped, text)
        assert "Traceback" not in text


def test_a_bad_escape_reaches_kapacitor_and_its_echo_is_masked(monkeypatch, capsys):
    webhook = WEBHOOK + 'XXXX%zz"q\\é'
    with KapacitorFake() as kapacitor:
        code, out, err = run_cli(
            ["apply", "slack", "--url", kapacitor.url, "--webhook-url", "-"], monkeypatch, capsys, stdin=webhook + "\n",
        )
        assert kapacitor.config_posts(), "the URL should have reached Kapacitor"
    assert code == 1
    assert "invalid url" in err.lower()
    assert no_form_of(webhook, out + err)


def test_show_masks_the_password_of_the_kapacitor_url(monkeypatch, capsys):
    password = "s3cret-Pass"
    with KapacitorFake(auth=("admin", password)) as kapacitor:
        port = kapacitor.port
        url = f"http://admin:{password}@127.0.0.1:{port}"
        code, out, err = run_cli(["--url", url, "show"], monkeypatch, capsys)
    assert code == 0, err
    assert f"at http://admin:{MASK}@127.0.0.1:{port}" in out
    assert password not in out + err


def test_connection_errors_and_bad_options_mask_the_password(monkeypatch, capsys):
    password = "s3cret-Pass"
    with KapacitorFake(auth=("admin", "another-one")) as kapacitor:
        url = f"http://admin:{password}@127.0.0.1:{kapacitor.port}"
        code, out, err = run_cli(["--url", url, "show"], monkeypatch, capsys)
        assert code == 1
        assert password not in out + err
        with pytest.raises(SystemExit) as exit_status:
            main(["--url", url, "--no-such-option", url, "show"])
        assert exit_status.value.code == 2
        out, err = capsys.readouterr()
        assert f"http://admin:{MASK}@127.0.0.1" in err  # argparse echoes the value it did not expect
        assert password not in out + err
        for misspelled in (["--pasword", password], [f"--kapacitor-pasword={password}"]):
            with pytest.raises(SystemExit):
                main(["show", "--url", kapacitor.url, *misspelled])
            out, err = capsys.readouterr()
            assert "unrecognized arguments" in err and password not in out + err
        monkeypatch.setenv("SLACK_WEBHOOK_URL", WEBHOOK + "XXXX")
        code, out, err = run_cli(["apply", "slack", "--url", url, "--dry-run"],
                                 monkeypatch, capsys)
        monkeypatch.delenv("SLACK_WEBHOOK_URL")
        assert password not in out + err


def test_a_password_in_the_bot_api_url_stays_out_of_undo_records_and_dry_runs(monkeypatch, capsys, tmp_path):
    first, second = "FirstPass-111", "SecondPass-222"
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAH-token-for-the-undo-test")
    with KapacitorFake() as kapacitor:
        outputs = []
        for password in (first, second):
            api = f"http://bot:{password}@127.0.0.1:{kapacitor.port}"
            code, out, err = run_cli(
                ["apply", "telegram", "--url", kapacitor.url, "--chat-id", "12345", "--telegram-api-url", api, "--dry-run"],
                monkeypatch, capsys,
            )
            outputs.append(out + err)
            code, out, err = run_cli(
                ["apply", "telegram", "--url", kapacitor.url, "--chat-id", "12345", "--telegram-api-url", api],
                monkeypatch, capsys,
            )
            assert code == 0, err
            outputs.append(out + err)
        code, out, err = run_cli(["undo", "--url", kapacitor.url, "--dry-run"], monkeypatch, capsys)
        outputs.append(out + err)
        code, out, err = run_cli(["undo", "--url", kapacitor.url, "--list"], monkeypatch, capsys)
        outputs.append(out + err)
        code, out, err = run_cli(["show", "--url", kapacitor.url], monkeypatch, capsys)
        outputs.append(out + err)
    records = [p.read_text(encoding="utf-8") for p in Path(tmp_path).rglob("*.json")]
    assert records, "every apply keeps an undo record"
    for text in records + outputs:
        assert first not in text and second not in text, text


# -- the wizard: a password in the Kapacitor URL ---------------------------------------------------


async def test_the_wizard_shows_no_password_given_in_the_kapacitor_url():
    from textual.widgets import Input

    from tests.tui_helpers import screen_text, shows, wait_for, wait_for_screen
    from wizard.tui.app import WizardApp
    from wizard.tui.screens.connect import ConnectScreen
    from wizard.tui.screens.handlers import HandlersScreen
    from wizard.tui.state import AppSettings

    password = "url-Pa55word"
    with KapacitorFake(auth=("admin", password)) as kapacitor:
        url = f"http://admin:{password}@127.0.0.1:{kapacitor.port}"
        app = WizardApp(AppSettings(connection=ConnectionSettings.from_environment({}, url=url)))
        async with app.run_test(size=(100, 34)) as pilot:
            await wait_for(pilot, lambda: shows(pilot, "Kapacitor 1.5.7 answers"), what="the connection")
            assert isinstance(app.screen, ConnectScreen)
            assert app.screen.query_one("#url", Input).value == kapacitor.url
            assert app.screen.query_one("#username", Input).value == "admin"
            assert password not in screen_text(pilot)
            await pilot.press("enter")
            await wait_for_screen(pilot, HandlersScreen)  # the URL's credentials were used
            assert password not in screen_text(pilot)
