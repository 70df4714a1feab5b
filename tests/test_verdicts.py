"""Honest verdicts of Kapacitor's service test, and the direct checks of SMTP and HTTP services,
against real servers on 127.0.0.1 (an SMTP sink, an HTTP receiver)."""
from __future__ import annotations

import socket

import httpx
import pytest

from tests.fakes.receivers import HttpReceiver
from tests.fakes.smtp_sink import SinkSettings, SmtpSink
from wizard.services import direct
from wizard.handlers.registry import HANDLERS, HandlerSpec
from wizard.kapacitor.client import ServiceTestResult
from wizard.text.secrets import Scrubber, Secret

PASSWORD = "FAKE-smtp-password"


def handler(name: str) -> HandlerSpec:
    return HANDLERS[name]


def smtp_settings(sink: SmtpSink | None, **changes: object) -> direct.SmtpSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": sink.port if sink else free_port(),
        "username": "kapacitor",
        "password": Secret(PASSWORD),
        "from": "kapacitor@example.com",
        "to": ["oncall@example.com"],
        "no-verify": True,  # the sink's certificate is self-signed
    }
    values.update(changes)
    settings = direct.SmtpSettings.from_values(values)
    assert isinstance(settings, direct.SmtpSettings), settings
    return settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- the verdict of Kapacitor's own test --------------------------------------------


def test_smtp_success_says_the_mail_was_only_queued_and_points_to_the_direct_check() -> None:
    spec = handler("smtp")
    verdict = direct.test_verdict(spec, ServiceTestResult(True, ""), direct_hint=direct.cli_direct_hint(spec))
    assert verdict.ok and not verdict.proven
    assert "does not show that the alert was delivered" in verdict.headline
    assert spec.test_proves.split()[0].lower() in verdict.detail.lower()
    assert "--direct-check" in verdict.detail


def test_a_handler_whose_test_proves_delivery_keeps_the_plain_success() -> None:
    verdict = direct.test_verdict(handler("slack"), ServiceTestResult(True, ""))
    assert verdict.proven and verdict.headline == "Kapacitor sent the test alert through Slack."


# -- SMTP -------------------------------------------------------------------------


async def test_smtp_check_logs_in_over_starttls_and_delivers_the_test_mail() -> None:
    with SmtpSink() as sink:
        result = await direct.check_smtp(smtp_settings(sink), Scrubber())
    assert result.ok, result.lines()
    assert any("STARTTLS: the connection is now encrypted" in line for line in result.steps)
    assert any("accepted the login of kapacitor" in line for line in result.steps)
    assert "accepted the test mail for oncall@example.com" in result.summary
    [mail] = sink.mails
    assert mail.tls and mail.login == "kapacitor" and mail.recipients == ["oncall@example.com"]
    assert b"Subject: Test mail from kapacitor-wizard" in mail.data


async def test_smtp_login_refused_is_one_line_without_the_password() -> None:
    with SmtpSink(SinkSettings(refuse_logins=True)) as sink:
        result = await direct.check_smtp(smtp_settings(sink), Scrubber())
    assert not result.ok
    assert "refused the login of kapacitor: 535" in result.summary
    assert "Kapacitor's own test reports success even then" in result.summary
    assert sink.mails == []
    assert all(PASSWORD not in line and "\n" not in line for line in result.lines())


async def test_smtp_server_down_says_nothing_accepts_connections() -> None:
    result = await direct.check_smtp(smtp_settings(None), Scrubber())
    assert not result.ok
    assert "connection refused" in result.summary and "127.0.0.1:" in result.summary


async def test_smtp_without_starttls_sends_no_password_in_clear_to_a_remote_server() -> None:
    with SmtpSink(SinkSettings(starttls=False)) as sink:
        # 127.0.0.1 stands for a remote server here: no host may receive the password unencrypted.
        result = await direct.check_smtp(smtp_settings(sink), Scrubber(), plain_auth_hosts=frozenset())
    assert not result.ok
    assert any("STARTTLS: not offered" in line for line in result.steps)
    assert "the password would travel unencrypted: the check did not send it" in result.summary
    assert sink.logins == [] and sink.mails == []


async def test_smtp_without_starttls_and_without_login_still_delivers_and_says_it_is_unencrypted() -> None:
    with SmtpSink(SinkSettings(starttls=False, auth=False)) as sink:
        result = await direct.check_smtp(smtp_settings(sink, username="", password=""), Scrubber())
    assert result.ok
    assert any("mail travels unencrypted" in line for line in result.steps)
    assert [m.tls for m in sink.mails] == [False]


async def test_smtp_refused_recipient_is_named() -> None:
    with SmtpSink(SinkSettings(refused_recipients={"gone@example.com"})) as sink:
        settings = smtp_settings(sink, to=["oncall@example.com", "gone@example.com"])
        result = await direct.check_smtp(settings, Scrubber())
    assert not result.ok
    assert any("refused the recipient gone@example.com: 550" in line for line in result.steps)
    assert "for oncall@example.com only" in result.summary


def test_smtp_settings_say_what_is_missing() -> None:
    assert "No recipients" in str(direct.SmtpSettings.from_values({"from": "a@example.com"}))
    assert "No sender address" in str(direct.SmtpSettings.from_values({"to": ["a@example.com"]}))
    assert "not a whole number" in str(direct.SmtpSettings.from_values({"from": "a@b.c", "to": "a@b.c", "port": "25.5"}))


async def test_smtp_without_the_stored_password_asks_for_it() -> None:
    result = await direct.check_smtp(smtp_settings(None, password=""), Scrubber())
    assert not result.ok and "A password is needed" in result.summary


# -- HTTP POST --------------------------------------------------------------------


async def test_http_post_sends_kapacitors_alert_shape_with_the_configured_headers_and_says_what_answered() -> None:
    spec = handler("httppost")
    with HttpReceiver() as receiver:
        receiver.set_answer(200, {"ok": True}, headers={"Server": "alert-gateway/2"})
        values = {
            "url": receiver.url + "/alerts",
            "headers": Secret("Authorization=Bearer FAKE-httppost-token"),
            "basic-auth": Secret('{"username": "kapacitor", "password": "FAKE-basic-password"}'),
        }
        request = direct.http_post_request(spec, values)
        assert isinstance(request, direct.HttpPost)
        question = direct.http_consent_question(spec, request)
        assert "paged" in question and "FAKE" not in question
        async with httpx.AsyncClient() as http:
            result = await direct.check_http_post(http, request, Scrubber())
        [sent] = receiver.received
    assert result.ok, result.lines()
    assert "answered HTTP 200" in result.summary and "alert-gateway/2" in result.summary
    assert sent.headers["Authorization"].startswith("Basic ")  # basic-auth wins over a header of the same name
    assert sent.json["level"] == "OK" and set(sent.json) >= {"id", "message", "time", "data", "previousLevel"}


async def test_http_post_error_status_is_a_failure_though_kapacitor_would_call_it_success() -> None:
    with HttpReceiver() as receiver:
        receiver.set_answer(404, "no such hook", "text/plain")
        request = direct.http_post_request(handler("httppost"), {"url": receiver.url + "/nothing"})
        assert isinstance(request, direct.HttpPost)
        async with httpx.AsyncClient() as http:
            result = await direct.check_http_post(http, request, Scrubber())
    assert not result.ok and "answered HTTP 404" in result.summary


async def test_http_post_to_a_closed_port_says_connection_refused_without_the_password() -> None:
    url = f"http://user:FAKE-url-password@127.0.0.1:{free_port()}/alerts"
    request = direct.http_post_request(handler("httppost"), {"url": url})
    assert isinstance(request, direct.HttpPost)
    async with httpx.AsyncClient() as http:
        result = await direct.check_http_post(http, request, Scrubber())
    assert not result.ok and "connection refused" in result.summary
    assert all("FAKE-url-password" not in line for line in result.lines())


def test_a_template_url_cannot_be_checked() -> None:
    problem = direct.http_post_request(handler("httppost"), {"url": "http://alerts.example.com/{{.ID}}"})
    assert isinstance(problem, str) and "template" in problem


# -- the command line ---------------------------------------------------------------


def test_cli_test_success_for_smtp_says_what_kapacitor_did_not_check() -> None:
    import io

    from wizard.commands.common import report_test

    out, err = io.StringIO(), io.StringIO()
    spec = handler("smtp")
    assert report_test(spec.title, ServiceTestResult(True, ""), out, err, spec=spec) == 0
    text = out.getvalue()
    assert "does not show that the alert was delivered" in text and "--direct-check" in text
    assert "Kapacitor sent a test alert" not in text


async def test_cli_direct_check_sends_the_mail_and_masks_the_password() -> None:
    import io

    from wizard.commands.direct import run_direct_check

    out, err = io.StringIO(), io.StringIO()
    with SmtpSink(SinkSettings(refuse_logins=True)) as sink:
        values = direct.check_values(
            handler("smtp"),
            {"host": "127.0.0.1", "port": sink.port, "username": "kapacitor", "password": True,
             "from": "kapacitor@example.com", "to": ["oncall@example.com"], "no-verify": True},
            frozenset({"password"}),
            {"password": Secret(PASSWORD)},
        )
        status = await run_direct_check(handler("smtp"), values, Scrubber(), out, err=err)
    assert status == 1
    assert "direct check failed: The server refused the login of kapacitor" in err.getvalue()
    assert PASSWORD not in out.getvalue() + err.getvalue()


async def test_cli_direct_check_without_a_stored_password_asks_for_it() -> None:
    import io

    from wizard.commands.direct import run_direct_check

    out, err = io.StringIO(), io.StringIO()
    values = direct.check_values(handler("smtp"), {"username": "kapacitor", "password": True}, frozenset({"password"}))
    assert await run_direct_check(handler("smtp"), values, Scrubber(), out, err=err) == 2
    assert "needs password" in err.getvalue()


def test_a_stored_secret_kapacitor_does_not_show_is_asked_for_before_an_http_check() -> None:
    from wizard.text.secrets import StructuredSecret

    spec = handler("httppost")
    stored = {"endpoint": "ops", "url": "http://127.0.0.1:9/alerts", "headers": True, "basic-auth": False}
    values = direct.check_values(spec, stored, frozenset({"basic-auth"}))
    assert direct.missing_secrets(spec, values) == ("headers",)
    typed = direct.check_values(spec, stored, frozenset({"basic-auth"}), {"headers": StructuredSecret({"X-Token": "FAKE-header-token"})})
    assert direct.missing_secrets(spec, typed) == ()
    request = direct.http_post_request(spec, typed)
    assert isinstance(request, direct.HttpPost) and request.headers == (("X-Token", "FAKE-header-token"),)
    assert "FAKE" not in request.describe()


# -- the wizard's screens ---------------------------------------------------------------


async def choose_handler(pilot, name: str) -> None:
    from textual.widgets import OptionList

    from tests.tui_helpers import wait_for, wait_for_screen
    from wizard.tui.screens.connect import ConnectScreen
    from wizard.tui.screens.handlers import HandlersScreen

    await wait_for_screen(pilot, ConnectScreen)
    await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)
    options = pilot.app.screen.query_one(OptionList)
    ids = lambda: [options.get_option_at_index(i).id for i in range(options.option_count)]  # noqa: E731
    row = lambda: next((i for i, key in enumerate(ids()) if key == name or key.startswith(f"{name}/")), None)  # noqa: E731
    await wait_for(pilot, lambda: row() is not None, what=f"{name} in the handler list")
    options.highlighted = row()
    options.focus()
    await pilot.press("enter")
    if HANDLERS[name].list_key:  # a list section opens its elements; Enter edits the built-in one
        from wizard.tui.screens.workspaces import WorkspacesScreen

        await wait_for_screen(pilot, WorkspacesScreen)
        await pilot.press("enter")


async def fill_step(pilot, step_id: str, values: dict[str, object]) -> None:
    from textual.widgets import Checkbox, Input

    from tests.tui_helpers import wait_for

    await wait_for(pilot, lambda: getattr(getattr(pilot.app.screen, "step", None), "id", None) == step_id,
                   what=f"the {step_id} step")
    for name, value in values.items():
        widget = pilot.app.screen.query_one(f"#input-{name}")
        if isinstance(widget, Checkbox):
            widget.value = bool(value)
        else:
            assert isinstance(widget, Input)
            widget.value = str(value)
    await pilot.pause()
    await pilot.click("#next")


async def test_smtp_done_step_says_what_kapacitors_test_did_not_prove_and_the_direct_check_finds_the_refused_login() -> None:
    from tests.fakes.kapacitor import KapacitorFake
    from tests.tui_helpers import screen_text, shows, wait_for, wait_for_screen
    from wizard.kapacitor.client import ConnectionSettings
    from wizard.tui.app import WizardApp
    from wizard.tui.screens.apply import ApplyScreen
    from wizard.tui.screens.direct import DirectCheckScreen
    from wizard.tui.screens.done import DoneScreen
    from wizard.tui.screens.review import ReviewScreen
    from wizard.tui.state import AppSettings

    spec = HANDLERS["smtp"]
    with KapacitorFake(version="1.8.3") as kapacitor, SmtpSink(SinkSettings(starttls=False, refuse_logins=True)) as sink:
        app = WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url)))
        async with app.run_test(size=(100, 40)) as pilot:
            await choose_handler(pilot, "smtp")
            await fill_step(pilot, "server", {"host": "127.0.0.1", "port": sink.port, "username": "kapacitor",
                                              "password": PASSWORD, "from": "kapacitor@example.com"})
            await fill_step(pilot, "recipients", {"to": "oncall@example.com"})
            await fill_step(pilot, "which", {})
            await wait_for_screen(pilot, ReviewScreen)
            await pilot.press("enter")
            await wait_for_screen(pilot, ApplyScreen)
            await wait_for(pilot, lambda: shows(pilot, "does not show that the alert was delivered"),
                           what="the honest verdict on the Apply step")
            assert not shows(pilot, "Kapacitor sent the test alert")
            await pilot.click("#finish")
            await wait_for_screen(pilot, DoneScreen)
            # Kapacitor reported success although the server refuses the login: the Done step says so.
            assert shows(pilot, f"Kapacitor's {spec.title} test reported success, which does not show that the alert was delivered")
            assert shows(pilot, "did not wait for the mail server")
            assert not shows(pilot, "Kapacitor delivered its test alert")
            await pilot.click("#direct-check")
            await wait_for_screen(pilot, DirectCheckScreen)
            assert shows(pilot, f"Mail server 127.0.0.1:{sink.port}, logging in as kapacitor")
            await pilot.click("#run")
            await wait_for(pilot, lambda: shows(pilot, "refused the login of kapacitor: 535"), what="the refused login")
            assert PASSWORD not in screen_text(pilot)
    assert sink.logins[-1] == ("kapacitor", PASSWORD) and sink.mails == []


async def test_pushover_direct_post_is_sent_only_after_the_person_agrees() -> None:
    from tests.fakes.kapacitor import KapacitorFake
    from tests.tui_helpers import screen_text, shows, wait_for, wait_for_screen
    from wizard.kapacitor.client import ConnectionSettings
    from wizard.tui.app import WizardApp
    from wizard.tui.screens.apply import ApplyScreen
    from wizard.tui.screens.base import ConfirmScreen
    from wizard.tui.screens.direct import DirectCheckScreen
    from wizard.tui.screens.done import DoneScreen
    from wizard.tui.screens.review import ReviewScreen
    from wizard.tui.state import AppSettings

    token, user = "azGDORePK8gMaC0QOYAMyEEuzJnyUi", "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
    with KapacitorFake(version="1.8.3") as kapacitor, HttpReceiver() as pushover:
        pushover.set_answer(200, {"status": 1, "request": "647d2300"})
        kapacitor.set_file_values("pushover", {"url": pushover.url + "/1/messages.json"})
        app = WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url)))
        async with app.run_test(size=(100, 40)) as pilot:
            await choose_handler(pilot, "pushover")
            await fill_step(pilot, "keys", {"user-key": user, "token": token})
            await wait_for_screen(pilot, ReviewScreen)
            await pilot.press("enter")
            await wait_for_screen(pilot, ApplyScreen)
            await wait_for(pilot, lambda: shows(pilot, "does not show that the alert was delivered"), what="the verdict")
            await pilot.click("#finish")
            await wait_for_screen(pilot, DoneScreen)
            assert shows(pilot, "Kapacitor does not read the answer")
            kapacitors_test = len(pushover.received)
            await pilot.click("#direct-check")
            await wait_for_screen(pilot, DirectCheckScreen)
            await pilot.click("#run")
            await wait_for_screen(pilot, ConfirmScreen)
            assert shows(pilot, "may be notified or paged") and token not in screen_text(pilot)
            await pilot.click("#no")
            await wait_for(pilot, lambda: shows(pilot, "Nothing was sent."), what="the refusal")
            assert len(pushover.received) == kapacitors_test
            await pilot.click("#run")
            await wait_for_screen(pilot, ConfirmScreen)
            await pilot.click("#yes")
            await wait_for(pilot, lambda: shows(pilot, "Pushover queued the notification"), what="Pushover's answer")
            assert token not in screen_text(pilot) and user not in screen_text(pilot)
        sent = pushover.received[-1]
    assert len(pushover.received) == kapacitors_test + 1
    assert sent.path == "/1/messages.json" and b"priority=-1" in sent.body_raw and f"token={token}".encode() in sent.body_raw


def run_cli(argv: list[str], monkeypatch, capsys, stdin: str = "") -> tuple[int, str, str]:
    import io
    import sys

    from wizard.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def test_apply_smtp_direct_check_finds_the_refused_login_that_kapacitors_test_hides(monkeypatch, capsys, tmp_path) -> None:
    from tests.fakes.kapacitor import KapacitorFake

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    with KapacitorFake(version="1.8.3") as kapacitor, SmtpSink(SinkSettings(refuse_logins=True)) as sink:
        code, out, err = run_cli(
            ["apply", "smtp", "--url", kapacitor.url, "--set", "host=127.0.0.1", "--set", f"port={sink.port}",
             "--set", "username=kapacitor", "--set-env", "password=SMTP_PASSWORD", "--set", "no-verify=true",
             "--set", "from=kapacitor@example.com", "--set", "to=oncall@example.com", "--test", "--direct-check"],
            monkeypatch, capsys,
        )
    assert code == 1, out + err
    assert "does not show that the alert was delivered" in out
    assert "STARTTLS: the connection is now encrypted" in out
    assert "direct check failed: The server refused the login of kapacitor: 535" in err
    assert PASSWORD not in out + err


def test_apply_httppost_direct_check_posts_with_the_configured_headers(monkeypatch, capsys, tmp_path) -> None:
    from tests.fakes.kapacitor import KapacitorFake

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    with KapacitorFake(version="1.8.3") as kapacitor, HttpReceiver() as receiver:
        receiver.set_answer(503, "maintenance", "text/plain")
        code, out, err = run_cli(
            ["apply", "httppost", "--url", kapacitor.url, "--set", f"url={receiver.url}/alerts", "--set", "headers=-",
             "--test", "--direct-check"],
            monkeypatch, capsys, stdin='{"X-Token": "FAKE-header-secret-77"}\n',
        )
        ours = [r for r in receiver.received if r.headers.get("X-Token")]
    # Kapacitor's test calls a 503 a success; the direct POST, with the endpoint's header, does not.
    assert code == 1, out + err
    assert "does not show that the alert was delivered" in out
    assert "answered HTTP 503" in err
    assert len(ours) == 1 and ours[0].path == "/alerts" and ours[0].json["level"] == "OK"
    assert "FAKE-header-secret-77" not in out + err


async def test_zenoss_json_rpc_refusal_is_a_failure_though_the_status_is_200() -> None:
    with HttpReceiver() as receiver:
        receiver.set_answer(200, {"result": {"success": False, "msg": "bad severity"}, "tid": 1, "type": "rpc"})
        values = {"url": receiver.url + "/zport/dmd/evconsole_router", "username": "kapacitor",
                  "password": Secret("FAKE-zenoss-password")}
        request = direct.http_post_request(handler("zenoss"), values)
        assert isinstance(request, direct.HttpPost)
        async with httpx.AsyncClient() as http:
            result = await direct.check_http_post(http, request, Scrubber())
        [sent] = receiver.received
    assert not result.ok and "the event was refused (bad severity)" in result.summary
    assert sent.headers["Authorization"].startswith("Basic ") and sent.json["method"] == "add_event"


async def test_smtp_certificate_that_cannot_be_verified_is_named() -> None:
    with SmtpSink() as sink:
        result = await direct.check_smtp(smtp_settings(sink, **{"no-verify": False}), Scrubber())
    assert not result.ok
    assert "TLS certificate of 127.0.0.1 could not be verified" in result.summary and "no-verify" in result.summary
    assert sink.logins == []


async def test_smtp_server_that_never_answers_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings = smtp_settings(None, port=silent.getsockname()[1])
        result = await direct.check_smtp(settings, Scrubber(), timeout=0.2)
    assert not result.ok and "did not answer within 0.2 seconds" in result.summary


async def test_the_smtp_recipients_step_checks_the_mail_server_before_anything_is_saved() -> None:
    from tests.fakes.kapacitor import KapacitorFake
    from tests.tui_helpers import screen_text, shows, wait_for
    from wizard.kapacitor.client import ConnectionSettings
    from wizard.tui.app import WizardApp
    from wizard.tui.screens.direct import DirectCheckStep
    from wizard.tui.state import AppSettings

    with KapacitorFake(version="1.8.3") as kapacitor, SmtpSink() as sink:
        app = WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url)))
        async with app.run_test(size=(80, 24)) as pilot:
            await choose_handler(pilot, "smtp")
            await fill_step(pilot, "server", {"host": "127.0.0.1", "port": sink.port, "username": "kapacitor",
                                              "password": PASSWORD, "from": "kapacitor@example.com"})
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, DirectCheckStep), what="the recipients step")
            pilot.app.screen.query_one("#input-to").value = "oncall@example.com"
            pilot.app.screen.query_one("#input-no-verify").value = True  # the sink's certificate is self-signed
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: shows(pilot, "accepted the test mail for oncall@example.com"), what="the mail")
            assert PASSWORD not in screen_text(pilot)
    assert [m.recipients for m in sink.mails] == [["oncall@example.com"]] and sink.mails[0].tls
    assert kapacitor.config_posts() == []  # nothing was saved in Kapacitor


async def test_the_httppost_step_posts_only_after_the_person_agrees() -> None:
    from tests.fakes.kapacitor import KapacitorFake
    from tests.tui_helpers import screen_text, shows, wait_for, wait_for_screen
    from wizard.kapacitor.client import ConnectionSettings
    from wizard.tui.app import WizardApp
    from wizard.tui.screens.base import ConfirmScreen
    from wizard.tui.screens.direct import DirectCheckStep
    from wizard.tui.state import AppSettings

    with KapacitorFake(version="1.8.3") as kapacitor, HttpReceiver() as receiver:
        app = WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url)))
        async with app.run_test(size=(100, 40)) as pilot:
            await choose_handler(pilot, "httppost")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, DirectCheckStep), what="the endpoint step")
            pilot.app.screen.query_one("#input-url").value = receiver.url + "/alerts"
            pilot.app.screen.query_one("#input-headers").value = "X-Token=FAKE-header-token-88"
            await pilot.press("ctrl+t")
            await wait_for_screen(pilot, ConfirmScreen)
            assert shows(pilot, f"POST {receiver.url}/alerts (JSON with the configured") and shows(pilot, "paged")
            await pilot.click("#no")
            await wait_for(pilot, lambda: shows(pilot, "Nothing was sent."), what="the refusal")
            assert receiver.received == []
            await pilot.press("ctrl+t")
            await wait_for_screen(pilot, ConfirmScreen)
            await pilot.click("#yes")
            await wait_for(pilot, lambda: shows(pilot, "answered HTTP 200"), what="the receiver's answer")
            assert not shows(pilot, "FAKE-header-token-88")
    [sent] = receiver.received
    assert sent.headers["X-Token"] == "FAKE-header-token-88" and sent.json["level"] == "OK"
    assert kapacitor.config_posts() == []
