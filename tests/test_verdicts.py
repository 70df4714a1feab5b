"""Honest verdicts of Kapacitor's service test, and the direct checks of SMTP and HTTP services,
against real servers on 127.0.0.1 (an SMTP sink, an HTTP receiver)."""
from __future__ import annotations

import socket

import httpx
import pytest

from tests.fakes.receivers import HttpReceiver
from tests.fakes.smtp_sink import SinkSettings, SmtpSink
from wizard.core import direct
from wizard.core.handlers import HANDLERS, HandlerSpec, OptionSpec
from wizard.core.kapacitor import ServiceTestResult
from wizard.core.secrets import MASK, Scrubber, Secret

PASSWORD = "FAKE-smtp-password"


STAND_INS = {
    "smtp": HandlerSpec(
        name="smtp", title="SMTP", section="smtp", summary="", service_test="smtp", steps=(),
        options=(OptionSpec("host", "Host"), OptionSpec("password", "Password", secret=True)),
        test_proves="Kapacitor queued the mail; it does not report whether the server accepted it.",
        direct_check="smtp",
    ),
    "httppost": HandlerSpec(
        name="httppost", title="HTTP POST", section="httppost", summary="", service_test="httppost", steps=(),
        options=(OptionSpec("url", "URL"), OptionSpec("headers", "Headers", dict, secret=True)),
        list_key="endpoint",
        test_proves="Kapacitor posted to the test's own URL and counts any answer as success.",
        direct_check="http-post",
    ),
}


def handler(name: str) -> HandlerSpec:
    return HANDLERS.get(name) or STAND_INS[name]


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
