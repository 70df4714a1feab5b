"""What Kapacitor's own service test proves, said honestly, and checks of the service itself.

Kapacitor's service test reports success without delivery for several handlers: SMTP only
queues the mail, HTTP POST counts any answer (and posts to the test's own URL), Pushover
and Zenoss read only the status. `test_verdict` says exactly what a success proves, the
same words on the Apply and Done steps and on the command line.

The direct checks go to the service themselves, without Kapacitor:

- SMTP: connect, EHLO, STARTTLS (when offered; port 465 is TLS from the start), AUTH when a
  user name is set, and a test mail to the configured recipients.
- HTTP POST: one test alert shaped like Kapacitor's to the configured URL. It may page
  someone, so it is only sent after the person agreed (`http_consent_question`).

Every text goes through the caller's Scrubber with the secrets used learned first.
"""
from __future__ import annotations

import asyncio
import json
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import httpx

from wizard.services import replies
from wizard.services import deadline
from wizard.handlers.registry import TEST_MESSAGE, HandlerSpec
from wizard.kapacitor.client import ServiceTestResult
from wizard.text.secrets import Scrubber, Secret, StructuredSecret, mask_received
from wizard.text.checks import LOOPBACK_HOSTS

SMTP = "smtp"
HTTP_POST = "http-post"

TIMEOUT = 10.0
"""How long one exchange of a direct check (an HTTP POST, one SMTP step) may take in all
(seconds), unless the caller gives `--timeout`'s."""

CHECK_SUBJECT = "Test mail from kapacitor-wizard"
CHECK_BODY = (
    "Test mail from kapacitor-wizard's direct check: if you can read this, the mail server "
    "accepts and delivers mail from Kapacitor's sender address to this recipient."
)


# -- what Kapacitor's own test proves ------------------------------------------------

def unproven(spec: HandlerSpec) -> bool:
    """Whether a success of Kapacitor's service test is less than delivery for this handler."""
    return bool(spec.test_proves)


CHECK_BUTTON = "Direct check…"
"""The Done step's button that opens the direct check."""


def check_description(spec: HandlerSpec) -> str:
    """What the direct check does, in one or two sentences."""
    if spec.direct_check == SMTP:
        return (
            "The direct check talks to the mail server itself, as Kapacitor does: it connects, says EHLO, "
            "switches to TLS (STARTTLS) when the server offers it, logs in when a user name is set, and "
            "sends a test mail to the configured recipients. It reports every answer of the server."
        )
    if spec.direct_check == HTTP_POST:
        return (
            f"The direct check POSTs one test alert, shaped like Kapacitor's, to the configured {spec.title} "
            "address with the configured credentials, and says what answered. Whoever receives these "
            "alerts may be notified or paged, so it asks first."
        )
    return ""


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return replies.sentence(text[:1].upper() + text[1:]) if text else ""


@dataclass(frozen=True, slots=True)
class TestVerdict:
    """What a result of Kapacitor's service test means, in words a person can act on."""

    ok: bool
    """Kapacitor reported success (which may still be less than delivery)."""
    headline: str
    """One line: what Kapacitor reported."""
    detail: str
    """What Kapacitor checked and what it did not, or the failure with what to check."""
    proven: bool
    """The success shows delivery (False when Kapacitor only checked part of the way)."""


def test_verdict(spec: HandlerSpec, result: ServiceTestResult, *, direct_hint: str = "") -> TestVerdict:
    """The honest reading of Kapacitor's test result for `spec`.

    `direct_hint` says where this surface offers the direct check (a button, a flag); it is
    added when the handler has one and the success does not prove delivery.
    """
    if not result.success:
        detail = result.message or "(no message)"
        return TestVerdict(False, "Kapacitor's test alert failed.", detail, proven=False)
    if not unproven(spec):
        return TestVerdict(True, f"Kapacitor sent the test alert through {spec.title}.", "", proven=True)
    detail = _sentence(spec.test_proves)
    if spec.direct_check and direct_hint:
        detail += f" {_sentence(direct_hint)}"
    elif not spec.direct_check:
        detail += " Check at the receiving end that the test alert arrived."
    return TestVerdict(
        True,
        f"Kapacitor's {spec.title} test reported success, which does not show that the alert was delivered.",
        detail,
        proven=False,
    )


def tui_direct_hint(spec: HandlerSpec) -> str:
    """Where the wizard's screens offer the direct check (said on the Apply step)."""
    return f"{CHECK_BUTTON} on the Done step {check_summary(spec)}" if spec.direct_check else ""


def cli_direct_hint(spec: HandlerSpec) -> str:
    """Where the command line offers the direct check."""
    return f"Run the command again with --direct-check ({check_summary(spec)})" if spec.direct_check else ""


def check_summary(spec: HandlerSpec) -> str:
    if spec.direct_check == SMTP:
        return "connects to the mail server itself and sends a test mail"
    if spec.direct_check == HTTP_POST:
        return "POSTs a test alert to the configured address itself, after you agree"
    return ""


# -- results ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of a direct check: ok or not, one line saying what happened, and the
    steps done before it (each one line, already scrubbed)."""

    ok: bool
    summary: str
    steps: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        return [*self.steps, self.summary]


def _result(ok: bool, summary: str, steps: list[str], scrub: Scrubber) -> CheckResult:
    return CheckResult(ok, scrub.line(summary), tuple(scrub.line(step) for step in steps))


# -- values from Kapacitor's element, the draft and typed secrets ----------------------


def _text(value: Any) -> str:
    if value is STORED:
        return ""
    if isinstance(value, Secret) and not isinstance(value, StructuredSecret):
        return value.reveal()
    if value is None or isinstance(value, (bool, dict, list)) or isinstance(value, StructuredSecret):
        return ""
    return str(value).strip()


def _items(value: Any) -> tuple[str, ...]:
    if value is STORED:
        return ()
    if isinstance(value, Secret):  # a StructuredSecret reveals its list itself
        value = value.reveal()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, (list, tuple)):
        return tuple(str(part).strip() for part in value if str(part).strip())
    return ()


def _object(value: Any) -> dict[str, Any]:
    if value is STORED:
        return {}
    if isinstance(value, StructuredSecret):
        structure = value.reveal()
        return dict(structure) if isinstance(structure, dict) else {}  # type: ignore[call-overload]
    if isinstance(value, Secret):
        text = value.reveal()
        try:
            parsed = json.loads(text) if text.strip().startswith("{") else _pairs(text)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    if isinstance(value, str):
        return _pairs(value)
    return dict(value) if isinstance(value, dict) else {}


def _pairs(text: str) -> dict[str, Any]:
    if text.strip().startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    pairs: dict[str, Any] = {}
    for part in text.split(","):
        key, sep, item = part.partition("=")
        if sep and key.strip():
            pairs[key.strip()] = item.strip()
    return pairs


class _Stored:
    """A secret that is set where the settings live but cannot be read back."""

    def __repr__(self) -> str:
        return "STORED"


STORED = _Stored()


def missing_secrets(spec: HandlerSpec, values: Mapping[str, Any]) -> tuple[str, ...]:
    """The secret options the direct check needs but `values` lacks: a stored secret that
    Kapacitor never shows (`STORED`), or one without which the service refuses everything.
    The person types them for the check."""
    if spec.direct_check == SMTP:
        return ("password",) if _text(values.get("username")) and not _text(values.get("password")) else ()
    if spec.direct_check != HTTP_POST:
        return ()
    if spec.section == "pushover":
        return tuple(name for name in ("token", "user-key") if not _text(values.get(name)))
    if "username" in {o.name for o in spec.options} and _text(values.get("username")) and not _text(values.get("password")):
        return ("password",)
    return tuple(name for name in sorted(spec.secrets) if values.get(name) is STORED)


# -- SMTP -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """The smtp section's options the check uses."""

    host: str
    port: int
    username: str
    password: Secret | None
    sender: str
    recipients: tuple[str, ...]
    no_verify: bool = False

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> SmtpSettings | str:
        """The settings, or a sentence saying what is missing or wrong."""
        host = _text(values.get("host")) or "localhost"
        port_value = values.get("port", 25)
        try:
            port = int(str(port_value if port_value not in (None, "") else 25).strip(), 10)
        except ValueError:
            return f"The port {replies.one_line(port_value, 20)!s} is not a whole number."
        if not 0 < port < 65536:
            return f"The port {port} is out of range (1 to 65535)."
        sender = _text(values.get("from"))
        if not sender:
            return "No sender address (from) is set: Kapacitor refuses to enable SMTP without one."
        recipients = _items(values.get("to"))
        if not recipients:
            return "No recipients (to) are set: Kapacitor sends no mail without them, and neither does the check."
        password = values.get("password")
        secret = password if isinstance(password, Secret) else Secret(_text(password)) if _text(password) else None
        return cls(host, port, _text(values.get("username")), secret, sender, recipients, bool(values.get("no-verify")))


def test_mail(settings: SmtpSettings) -> EmailMessage:
    """A mail shaped like Kapacitor's (HTML, from the configured sender to the recipients)."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Subject"] = CHECK_SUBJECT
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid("kapacitor-wizard")
    message.set_content(f"<p>{CHECK_BODY}</p>", subtype="html")
    return message


def _tls_context(no_verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if no_verify:
        # Kapacitor's no-verify option: the check sees what Kapacitor sees.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _reply(code: int, message: bytes | str) -> str:
    """An SMTP reply as it may be shown (a 535 may echo the AUTH string, base64 and all)."""
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return mask_received(f"{code} {text}".strip(), limit=160)


class _Stop(Exception):
    """The check ends here with this sentence (the steps so far stay)."""


MAX_LINE = 8192
"""The longest reply line read, as smtplib's own limit (RFC 5321 allows 512 bytes)."""
MAX_REPLY_LINES = 100
"""The most lines one SMTP reply may have (an EHLO reply has a dozen or so); a server that
sends "250-" lines without end is cut off here."""


class _SteppedSMTP(smtplib.SMTP):
    """smtplib with one deadline per step: a command and its whole reply (the greeting on
    connecting) take at most `timeout` seconds in all, however slowly the server sends, and
    a reply has at most MAX_REPLY_LINES lines.

    smtplib's own reading (`file.readline`) gives each recv the full socket timeout, so a
    banner sent a byte every 9 seconds never times out; `getreply` here reads the socket
    itself, setting its timeout to the time left before every read (`deadline.StepDeadline`).
    """

    _step: deadline.StepDeadline | None = None
    _unread: bytes = b""
    _what = "its greeting"
    _where = "the server"

    def putcmd(self, cmd: str, args: str = "") -> None:
        self._what = f"its answer to {cmd.split()[0].upper() if cmd.strip() else cmd}"
        super().putcmd(cmd, args)

    def send(self, s: bytes | str) -> None:
        # A step starts when something is sent (a command, or the mail after DATA's 354).
        self._step = deadline.StepDeadline(float(self.timeout), self._what)
        if self.sock is not None:
            self.sock.settimeout(self._step.remaining())
        super().send(s)

    def connect(self, host: str = "localhost", port: int = 0, source_address: Any = None) -> tuple[int, bytes]:
        self._unread, self._step, self._what = b"", None, "its greeting"
        self._where = f"{host}:{port}"
        return super().connect(host, port, source_address)

    def starttls(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        answer = super().starttls(*args, **kwargs)
        # Whatever came in plain text after the 220 must not pass for an encrypted reply
        # (smtplib drops its own buffer here too).
        self._unread = b""
        return answer

    def getreply(self) -> tuple[int, bytes]:
        step = self._step or deadline.StepDeadline(float(self.timeout), self._what)
        self._step = None
        lines: list[bytes] = []
        while True:
            line = self._read_line(step, answering=bool(lines))
            lines.append(line[4:].strip(b" \t\r\n"))
            try:
                code = int(line[:3])
            except ValueError:
                return -1, b"\n".join(lines)  # as smtplib: a broken code ends the reply
            if line[3:4] != b"-":
                return code, b"\n".join(lines)
            if len(lines) >= MAX_REPLY_LINES:
                self.close()
                raise _Stop(
                    f"The server at {self._where} sent more than {MAX_REPLY_LINES} lines as {self._what} and did not stop; "
                    "the check stopped reading. Check that a mail server answers at that host and port."
                )

    def _read_line(self, step: deadline.StepDeadline, *, answering: bool) -> bytes:
        while b"\n" not in self._unread:
            if len(self._unread) > MAX_LINE:
                self.close()
                raise smtplib.SMTPResponseException(500, "Line too long.")
            if self.sock is None:
                raise smtplib.SMTPServerDisconnected("please run connect() first")
            begun = answering or bool(self._unread)
            try:
                self.sock.settimeout(step.remaining(answering=begun))
                chunk = self.sock.recv(4096)
            except TimeoutError as err:  # socket.timeout: the deadline came during this read
                self.close()
                raise step.expired(answering=begun) from err
            except deadline.ExchangeTimeout:
                self.close()
                raise
            except OSError as err:
                self.close()
                raise smtplib.SMTPServerDisconnected(f"Connection unexpectedly closed: {err}") from err
            if not chunk:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            self._unread += chunk
        line, _, self._unread = self._unread.partition(b"\n")
        return line + b"\n"


class _SteppedSMTPSSL(_SteppedSMTP, smtplib.SMTP_SSL):
    """The same over TLS from the first byte (port 465)."""


def _smtp_session(settings: SmtpSettings, timeout: float, plain_auth_hosts: frozenset[str], steps: list[str]) -> str:
    """The SMTP conversation (blocking; run in a thread). Returns the summary of a success."""
    where = f"{settings.host}:{settings.port}"
    context = _tls_context(settings.no_verify)
    implicit_tls = settings.port == 465  # as Kapacitor's mail library: TLS from the first byte on 465
    client: smtplib.SMTP
    if implicit_tls:
        client = _SteppedSMTPSSL(local_hostname="localhost", timeout=timeout, context=context)
    else:
        client = _SteppedSMTP(local_hostname="localhost", timeout=timeout)
    try:
        # connect() rather than the constructor, to show the greeting; STARTTLS checks the
        # certificate against the host the constructor would have stored.
        client._host = settings.host
        code, banner = client.connect(settings.host, settings.port)
        steps.append(f"Connected to {where}" + (" over TLS" if implicit_tls else "") + f": {_reply(code, banner)}.")
        code, answer = client.ehlo("localhost")
        if code != 250:
            raise _Stop(f"The server refused EHLO: {_reply(code, answer)}.")
        steps.append("EHLO accepted.")
        encrypted = implicit_tls
        if not implicit_tls:
            if client.has_extn("starttls"):
                code, answer = client.starttls(context=context)
                client.ehlo("localhost")
                encrypted = True
                steps.append("STARTTLS: the connection is now encrypted.")
            else:
                steps.append("STARTTLS: not offered by the server; mail travels unencrypted.")
        if settings.username:
            if not client.has_extn("auth"):
                steps.append(
                    f"AUTH: the server offers no login; Kapacitor then sends without logging in as {settings.username}, "
                    "and so does the check."
                )
            elif not encrypted and settings.host.lower() not in plain_auth_hosts:
                raise _Stop(
                    "The server offers no STARTTLS, so the password would travel unencrypted: the check did not "
                    "send it (Kapacitor would, with AUTH PLAIN). Turn on STARTTLS on the server, or use port 465."
                )
            else:
                assert settings.password is not None
                client.login(settings.username, settings.password.reveal())
                steps.append(f"AUTH: the server accepted the login of {settings.username}.")
        refused = client.send_message(test_mail(settings), settings.sender, list(settings.recipients))
        accepted = [r for r in settings.recipients if r not in refused]
        for recipient, (code, answer) in refused.items():
            steps.append(f"The server refused the recipient {recipient}: {_reply(code, answer)}.")
        if refused:
            raise _Stop(
                f"The server accepted the test mail for {', '.join(accepted)} only; "
                f"Kapacitor's alerts to {', '.join(refused)} are refused the same way."
            )
        return f"The server accepted the test mail for {', '.join(accepted)}: look for \"{CHECK_SUBJECT}\" in the inbox."
    finally:
        # After a missed deadline or a cut-off reply the connection is closed already; QUIT
        # would only fail at once.
        try:
            client.quit()
        except (smtplib.SMTPException, OSError, deadline.ExchangeTimeout, _Stop):
            client.close()


def _smtp_failure(err: BaseException, settings: SmtpSettings, timeout: float) -> str:
    where = f"{settings.host}:{settings.port}"
    if isinstance(err, _Stop):
        return str(err)
    if isinstance(err, deadline.ExchangeTimeout):
        during = f" ({err.what})" if err.what else ""
        return (
            f"The server at {where} {err.phrase}{during}. Check the host and port, and that a mail server "
            f"answers there, then retry ({deadline.RAISE_HINT})."
        )
    if isinstance(err, smtplib.SMTPAuthenticationError):
        return (
            f"The server refused the login of {settings.username}: {_reply(err.smtp_code, err.smtp_error)}. "
            "Check the user name and password; Kapacitor's own test reports success even then."
        )
    if isinstance(err, smtplib.SMTPNotSupportedError):
        return f"The server offers no login method the check can use ({mask_received(err, limit=120)})."
    if isinstance(err, smtplib.SMTPSenderRefused):
        return f"The server refused the sender {settings.sender}: {_reply(err.smtp_code, err.smtp_error)}."
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{who} ({_reply(code, answer)})" for who, (code, answer) in err.recipients.items())
        return f"The server refused every recipient: {refused}."
    if isinstance(err, smtplib.SMTPDataError):
        return f"The server refused the test mail: {_reply(err.smtp_code, err.smtp_error)}."
    if isinstance(err, smtplib.SMTPConnectError):
        return f"The server at {where} refused the connection: {_reply(err.smtp_code, err.smtp_error)}."
    if isinstance(err, smtplib.SMTPServerDisconnected) and "timed out" in str(err):
        return f"The server at {where} did not answer within {timeout:g} seconds."
    if isinstance(err, smtplib.SMTPServerDisconnected):
        return f"The server at {where} closed the connection unexpectedly."
    if isinstance(err, smtplib.SMTPResponseException):
        return f"The server answered {_reply(err.smtp_code, err.smtp_error)}."
    if isinstance(err, ssl.SSLCertVerificationError):
        reason = replies.one_line(err.verify_message or err.reason or "", 100)
        return (
            f"The TLS certificate of {settings.host} could not be verified ({reason}). Kapacitor checks it as well, "
            "unless its no-verify option is set."
        )
    if isinstance(err, ssl.SSLError):
        return f"TLS with {where} failed ({replies.one_line(err.reason or err, 100)})."
    if isinstance(err, ConnectionRefusedError):
        return f"Nothing accepts connections at {where} (connection refused): check the host and port, and that the mail server runs."
    if isinstance(err, socket.gaierror):
        return f"The host name {settings.host} could not be resolved."
    if isinstance(err, (TimeoutError, socket.timeout)):
        return f"The server at {where} did not answer within {timeout:g} seconds."
    if isinstance(err, smtplib.SMTPException):
        return f"The SMTP conversation with {where} failed ({mask_received(err, limit=120)})."
    if isinstance(err, OSError):
        return f"Could not talk to {where} ({mask_received(err.strerror or err, limit=120)})."
    return f"The check failed ({type(err).__name__})."


async def check_smtp(
    settings: SmtpSettings,
    scrub: Scrubber,
    *,
    timeout: float = TIMEOUT,
    plain_auth_hosts: frozenset[str] = frozenset(LOOPBACK_HOSTS),
) -> CheckResult:
    """Talk to the mail server as Kapacitor does and send a test mail; never raises for what
    the server or the network does. `plain_auth_hosts`: where a password may go unencrypted
    (a relay on this machine)."""
    scrub.add(settings.password)
    if settings.username and settings.password is None:
        return _result(
            False,
            f"A password is needed to check the login of {settings.username}: Kapacitor never shows a stored one.",
            [], scrub,
        )
    steps: list[str] = []
    try:
        summary = await asyncio.to_thread(_smtp_session, settings, timeout, plain_auth_hosts, steps)
    except (_Stop, deadline.ExchangeTimeout, smtplib.SMTPException, OSError, ValueError, UnicodeError) as err:
        return _result(False, _smtp_failure(err, settings, timeout), steps, scrub)
    return _result(True, summary, steps, scrub)


# -- HTTP POST --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HttpPost:
    """One test request, built from the handler's options."""

    url: str
    shown_url: str
    """The address as it may be shown (no user name or password)."""
    json_body: Any = None
    form: dict[str, str] | None = None
    headers: tuple[tuple[str, str], ...] = ()
    basic_auth: tuple[str, str] | None = None
    secrets: tuple[str, ...] = ()
    """Values to mask in every text about this request."""
    judge: str = "2xx"
    """How the answer is read: "2xx", "zenoss" (JSON-RPC result) or "pushover" (status 1)."""

    def describe(self) -> str:
        """What will be sent, for the consent question (never a secret)."""
        extras = []
        if self.headers:
            extras.append("the configured headers")
        if self.basic_auth:
            extras.append("basic-auth")
        kind = "a form" if self.form is not None else "JSON"
        with_extras = f" with {' and '.join(extras)}" if extras else ""
        return f"POST {self.shown_url} ({kind}{with_extras})"


def kapacitor_alert_data() -> dict[str, Any]:
    """An alert as Kapacitor's HTTP POST handler sends it (level OK: nothing is on fire)."""
    return {
        "id": "kapacitor-wizard-test",
        "message": TEST_MESSAGE,
        "details": "",
        "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": 0,
        "level": "OK",
        "data": {"series": None},
        "previousLevel": "OK",
        "recoverable": False,
    }


def http_post_request(spec: HandlerSpec, values: Mapping[str, Any]) -> HttpPost | str:
    """The test request for `spec` from its options, or a sentence saying why none can be made."""
    section = spec.section
    url_option = "channel-url" if "channel-url" in {o.name for o in spec.options} else "url"
    url = _text(values.get(url_option))
    if not url:
        return f"No address ({url_option}) is set, so there is nowhere to send the test alert."
    if "{{" in url:
        return f"The {url_option} is a template ({{{{ … }}}}) that Kapacitor fills in per alert; the check cannot fill it in."
    problem = replies.address_problem(url)
    if problem:
        return f"The {url_option} cannot be used: {problem}."
    shown = replies.without_userinfo(url)
    secrets: list[str] = []
    if section == "pushover":
        token, user = _text(values.get("token")), _text(values.get("user-key"))
        if not token or not user:
            return "The Pushover token and user key are needed: Kapacitor never shows stored ones."
        secrets += [token, user]
        form = {"token": token, "user": user, "message": TEST_MESSAGE, "priority": "-1"}  # INFO: a quiet notification
        return HttpPost(url, shown, form=form, secrets=tuple(secrets), judge="pushover")
    if section == "zenoss":
        username, password = _text(values.get("username")), _text(values.get("password"))
        auth = (username, password) if username and password else None
        secrets += [password] if password else []
        severity = _object(values.get("severity-map")).get("info", "Info")
        body = {
            "action": _text(values.get("action")) or "EventsRouter",
            "method": _text(values.get("method")) or "add_event",
            "data": [{
                "summary": TEST_MESSAGE, "device": "", "component": "", "severity": severity,
                "evclasskey": "", "evclass": "", "collector": _text(values.get("collector")) or "Kapacitor",
            }],
            "type": _text(values.get("type")) or "rpc",
            "tid": values.get("tid") if isinstance(values.get("tid"), int) else 1,
        }
        return HttpPost(url, shown, json_body=body, basic_auth=auth, secrets=tuple(secrets), judge="zenoss")
    headers = {str(k): str(v) for k, v in _object(values.get("headers")).items()}
    basic = _object(values.get("basic-auth"))
    auth = None
    if basic.get("username") or basic.get("password"):
        auth = (str(basic.get("username") or ""), str(basic.get("password") or ""))
        secrets.append(auth[1])
    secrets += list(headers.values())
    return HttpPost(url, shown, json_body=kapacitor_alert_data(), headers=tuple(headers.items()),
                    basic_auth=auth, secrets=tuple(secrets))


def http_consent_question(spec: HandlerSpec, request: HttpPost) -> str:
    """The question to ask before the POST goes out."""
    return (
        f"Send one test alert to {spec.title} now?\n\n{request.describe()}\n\n"
        "It goes straight to that address, not through Kapacitor. Whoever receives these alerts may be "
        "notified or paged."
    )


def _answered_by(reply: replies.Reply) -> str:
    server = mask_received(reply.headers.get("Server", ""), limit=60)
    return f" (server: {server})" if server else ""


def _judge(request: HttpPost, reply: replies.Reply) -> tuple[bool, str]:
    """Whether the service took the alert, and what it said."""
    said = replies.summary(reply.content)
    if not 200 <= reply.status < 300:
        return False, f"answered HTTP {reply.status} with {said}: it did not take the alert"
    if request.judge == "2xx":
        return True, f"answered HTTP {reply.status} with {said}"
    try:
        data = json.loads(reply.content)
    except ValueError:
        data = None
    if request.judge == "pushover":
        if isinstance(data, dict) and data.get("status") == 1:
            return True, f"answered HTTP {reply.status} with status 1: Pushover queued the notification"
        errors = data.get("errors") if isinstance(data, dict) else None
        reason = "; ".join(mask_received(e, limit=120) for e in errors) if isinstance(errors, list) else said
        return False, f"answered HTTP {reply.status} but refused the notification ({reason}); Kapacitor counts this as success"
    result = data.get("result") if isinstance(data, dict) else None
    if isinstance(result, dict) and result.get("success") is False:
        message = mask_received(result.get("msg") or result.get("message") or "no reason given", limit=120)
        return False, f"answered HTTP {reply.status} but the event was refused ({message}); Kapacitor counts this as success"
    if isinstance(result, dict) and result.get("success") is True:
        return True, f"answered HTTP {reply.status}: the event was added"
    return True, f"answered HTTP {reply.status} with {said}"


async def check_http_post(
    http: httpx.AsyncClient, request: HttpPost, scrub: Scrubber, *, timeout: float = TIMEOUT
) -> CheckResult:
    """Send the test request and say what answered; never raises for what the network does.
    Only call this after the person agreed (`http_consent_question`)."""
    scrub.add_all(request.secrets)
    scrub.add_url(request.url)
    options: dict[str, Any] = {"headers": dict(request.headers)}
    if request.form is not None:
        options["data"] = request.form
    else:
        options["content"] = json.dumps(request.json_body).encode()
        options["headers"].setdefault("Content-Type", "application/json")
    if request.basic_auth:
        options["auth"] = request.basic_auth
    where = request.shown_url
    steps = [f"Sent {request.describe()}."]
    try:
        reply = await replies.send(http, "POST", request.url, timeout=timeout, **options)
    except deadline.ExchangeTimeout as err:
        return _result(
            False,
            f"{where} {err.phrase}. Check the address and that the service answers, then retry ({deadline.RAISE_HINT}).",
            steps, scrub,
        )
    except replies.BodyTooLarge:
        return _result(False, f"{where} answered with more than {replies.size_label()}; the check stopped reading.", steps, scrub)
    except (httpx.HTTPError, OSError, ValueError, ExceptionGroup) as err:
        return _result(False, f"{where} {replies.transport_failure(err)}.", steps, scrub)
    if reply.redirect:
        return _result(
            False,
            f"{where} redirected the alert to {reply.redirect} (HTTP {reply.status}); the check does not follow "
            "redirects: use the address it points to.",
            steps, scrub,
        )
    ok, said = _judge(request, reply)
    return _result(ok, f"{where}{_answered_by(reply)} {said}.", steps, scrub)


def check_values(spec: HandlerSpec, stored: Mapping[str, Any], redacted: frozenset[str] = frozenset(),
                 *given: Mapping[str, Any]) -> dict[str, Any]:
    """The values a direct check uses: what Kapacitor (or the file) has, without the
    set/not-set booleans that stand in for secrets, then each of `given` in turn (what was
    typed or given on the command line; empty values there keep the stored ones)."""
    hidden = spec.secrets | redacted
    values: dict[str, Any] = {}
    for name, value in stored.items():
        if name in hidden and isinstance(value, bool):
            if value:
                values[name] = STORED  # set, but Kapacitor never shows it
            continue
        values[name] = value
    for layer in given:
        for name, value in layer.items():
            if value is None or (isinstance(value, str) and not value.strip()) or (name in hidden and isinstance(value, bool)):
                continue
            values[name] = value
    return values
