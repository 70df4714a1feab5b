"""A small SMTP server on 127.0.0.1 that records what it is sent.

It speaks enough ESMTP for a mail client: EHLO/HELO, STARTTLS (optional, with a
self-signed certificate made on the spot), AUTH PLAIN (accepting one user name and
password, or refusing every login), MAIL, RCPT (some recipients can be refused),
DATA, RSET, NOOP and QUIT. Every mail it accepts is kept in `mails`.
"""
from __future__ import annotations

import base64
import datetime
import socketserver
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    data: bytes
    tls: bool
    login: str


@dataclass
class SinkSettings:
    starttls: bool = True
    auth: bool = True
    username: str = "kapacitor"
    password: str = "FAKE-smtp-password"
    refuse_logins: bool = False
    refused_recipients: set[str] = field(default_factory=set)
    echo_auth: bool = False
    """A refused login's 535 repeats the AUTH PLAIN string it got (base64 of user and password)."""


def self_signed_context() -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-smtp.local")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    with tempfile.TemporaryDirectory() as folder:
        cert_path, key_path = Path(folder, "cert.pem"), Path(folder, "key.pem")
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
    return context


class SmtpSink:
    """Start with `SmtpSink(SinkSettings(...))`; `port`, `mails`, `close()`."""

    def __init__(self, settings: SinkSettings | None = None) -> None:
        self.settings = settings or SinkSettings()
        self.mails: list[Mail] = []
        self.logins: list[tuple[str, str]] = []
        self.tls_context = self_signed_context() if self.settings.starttls else None
        handler = type("_BoundSmtpHandler", (_SmtpHandler,), {"sink": self})
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="SmtpSink", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SmtpSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _SmtpHandler(socketserver.StreamRequestHandler):
    sink: SmtpSink
    timeout = 10

    def send(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        settings = self.sink.settings
        tls = False
        login = ""
        sender: str | None = None
        recipients: list[str] = []
        self.send("220 fake-smtp.local ESMTP ready")
        while True:
            raw = self.rfile.readline(4096)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, rest = line.partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "HELO"):
                lines = ["fake-smtp.local"]
                if settings.starttls and not tls:
                    lines.append("STARTTLS")
                if settings.auth:
                    lines.append("AUTH PLAIN")
                lines.append("8BITMIME")
                for index, text in enumerate(lines):
                    self.send(("250 " if index == len(lines) - 1 else "250-") + text)
            elif verb == "STARTTLS" and settings.starttls and not tls:
                self.send("220 2.0.0 Ready to start TLS")
                assert self.sink.tls_context is not None
                self.request = self.sink.tls_context.wrap_socket(self.request, server_side=True)
                self.rfile = self.request.makefile("rb")
                self.wfile = self.request.makefile("wb")
                tls = True
            elif verb == "AUTH" and settings.auth:
                mechanism, _, initial = rest.partition(" ")
                if mechanism.upper() != "PLAIN":
                    self.send("504 5.5.4 Unrecognized authentication type")
                    continue
                if not initial:
                    self.send("334 ")
                    initial = self.rfile.readline(4096).decode().strip()
                parts = base64.b64decode(initial).decode("utf-8", "replace").split("\0")
                user, password = (parts + ["", "", ""])[1:3]
                self.sink.logins.append((user, password))
                if settings.refuse_logins or (user, password) != (settings.username, settings.password):
                    echoed = f" for {initial}" if settings.echo_auth else ""
                    self.send(f"535 5.7.8 Authentication credentials invalid{echoed}")
                else:
                    login = user
                    self.send("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                sender = rest.partition(":")[2].split(" ")[0].strip("<>")
                recipients = []
                self.send("250 2.1.0 Ok")
            elif verb == "RCPT":
                recipient = rest.partition(":")[2].strip().strip("<>")
                if recipient in settings.refused_recipients:
                    self.send("550 5.1.1 Recipient address rejected: User unknown")
                else:
                    recipients.append(recipient)
                    self.send("250 2.1.5 Ok")
            elif verb == "DATA":
                if sender is None or not recipients:
                    self.send("503 5.5.1 Error: need RCPT command")
                    continue
                self.send("354 End data with <CR><LF>.<CR><LF>")
                data = bytearray()
                while True:
                    chunk = self.rfile.readline(65536)
                    if not chunk or chunk == b".\r\n":
                        break
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.sink.mails.append(Mail(sender, recipients, bytes(data), tls, login))
                sender, recipients = None, []
                self.send("250 2.0.0 Ok: queued as FAKE0001")
            elif verb == "RSET":
                sender, recipients = None, []
                self.send("250 2.0.0 Ok")
            elif verb == "NOOP":
                self.send("250 2.0.0 Ok")
            elif verb == "QUIT":
                self.send("221 2.0.0 Bye")
                return
            else:
                self.send("502 5.5.2 Error: command not recognized")
