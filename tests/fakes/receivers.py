"""Stand-ins for the services Kapacitor posts alerts to: a Slack incoming
webhook and the HipChat v2 room notification API.

Both are real HTTP servers on 127.0.0.1 that record every request
(``received``) and reply with a settable canned answer, so a test can point
Kapacitor (or the Kapacitor stand-in) at them and check exactly what was
sent and how an error answer is reported.  ``HttpReceiver`` is the generic
base and can stand in for any other endpoint (e.g. the Telegram Bot API when
only a canned answer is needed).

For the handlers that do not post HTTP there are ``SmtpReceiver`` (an SMTP sink), ``SnmpTrapReceiver``
(UDP, decodes SNMPv2c traps), ``SensuReceiver`` (sensu's TCP line socket), ``RawTcpListener`` (records a
Kafka client's first request) and ``MqttBroker`` (MQTT 3.1.1 CONNECT/PUBLISH/PUBACK).  They expose
``address`` (``127.0.0.1:<port>``) or ``url`` for the Kapacitor option, and ``wait_for(predicate)`` for
senders that answer before they deliver.
"""
from __future__ import annotations

import base64
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


@dataclass
class Received:
    """One request as the receiver saw it."""

    method: str
    path: str  # without the query string
    query: str  # raw query string, "" if none
    headers: dict[str, str]
    body_raw: bytes

    @property
    def target(self) -> str:
        """Path plus query, as sent on the request line."""
        return f"{self.path}?{self.query}" if self.query else self.path

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body_raw)
        except ValueError:
            return None


@dataclass
class Answer:
    """What the receiver replies; content_type None sends no Content-Type."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class HttpReceiver:
    """A recording HTTP server with one canned answer for every request."""

    default_answer = Answer(200, b"", None)

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.received: list[Received] = []
        self._answer = self.default_answer
        self._lock = threading.Lock()
        handler = type("_BoundHandler", (_Handler,), {"receiver": self})
        self._server: ThreadingHTTPServer | None = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name=type(self).__name__, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        assert self._server is not None, "closed"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def answer(self) -> Answer:
        return self._answer

    def set_answer(
        self,
        status: int,
        body: str | bytes | dict[str, Any] = b"",
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Reply with this from now on; a dict body is sent as JSON."""
        if isinstance(body, dict):
            raw = json.dumps(body).encode()
            content_type = content_type or "application/json"
        else:
            raw = body.encode() if isinstance(body, str) else body
        with self._lock:
            self._answer = Answer(status, raw, content_type, dict(headers or {}))

    def reset(self) -> None:
        """Forget what was received and go back to the default answer."""
        with self._lock:
            self.received.clear()
            self._answer = self.default_answer

    def close(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> HttpReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _record(self, request: Received) -> Answer:
        with self._lock:
            self.received.append(request)
            return self._answer


class SlackReceiver(HttpReceiver):
    """A Slack incoming webhook: 200 ``ok`` (text/html) unless told otherwise.

    Slack answers webhook errors with a short plain-text code; the helpers
    below reproduce the ones the wizard has to explain.
    """

    default_answer = Answer(200, b"ok", "text/html")
    WEBHOOK_PATH = "/services/T000FAKE/B000FAKE/fakefakefakefakefakefake"

    @property
    def webhook_url(self) -> str:
        return self.url + self.WEBHOOK_PATH

    def answer_ok(self) -> None:
        self.set_answer(200, "ok", "text/html")

    def answer_no_team(self) -> None:
        """Webhook of a deleted workspace (or a mistyped URL)."""
        self.set_answer(404, "no_team", "text/html")

    def answer_invalid_token(self) -> None:
        """Revoked webhook."""
        self.set_answer(403, "invalid_token", "text/html")

    def answer_channel_not_found(self) -> None:
        self.set_answer(404, "channel_not_found", "text/html")

    def answer_server_error(self, error: str = "internal_error") -> None:
        """A 500 with a JSON body whose ``error`` Kapacitor reports verbatim."""
        self.set_answer(500, {"ok": False, "error": error})


class HipChatReceiver(HttpReceiver):
    """HipChat's v2 ``/room/<room>/notification`` API: 204 unless told otherwise."""

    default_answer = Answer(204, b"", None)

    def room_url(self, prefix: str = "/v2/room") -> str:
        """The value for hipchat's ``url`` option."""
        return self.url + prefix

    def answer_ok(self) -> None:
        self.set_answer(204)

    def answer_invalid_token(self) -> None:
        self.set_answer(401, {"error": {"code": 401, "message": "Invalid OAuth session", "type": "Unauthorized"}})

    def answer_room_not_found(self) -> None:
        self.set_answer(404, {"error": {"code": 404, "message": "Room not found", "type": "Not Found"}})


class EchoReceiver(HttpReceiver):
    """A service, or a relay in front of one, that echoes part of the request in its error answer.

    ``echo(request)`` makes the answer's text from what arrived (see the helpers below: the
    request path as Express's "Cannot POST /services/…", the whole address, the Authorization
    header, the body); ``spell`` writes that text the way some servers do (``html`` entities with
    "/" as ``&#x2F;``, ``lower-percent`` encoding, JSON with ``\\/``); ``wrap`` puts it into the
    body (a format string with one ``{}``). Every request is answered with ``status``.
    """

    def __init__(
        self,
        echo: Callable[[Received], str],
        *,
        status: int = 404,
        spell: str = "plain",
        wrap: str = "{}",
        content_type: str = "text/plain; charset=utf-8",
    ) -> None:
        super().__init__()
        self.echo, self.status, self.spell, self.wrap, self.content_type = echo, status, spell, wrap, content_type

    def _record(self, request: Received) -> Answer:
        with self._lock:
            self.received.append(request)
        text = spelled(self.echo(request), self.spell)
        return Answer(self.status, self.wrap.format(text).encode(), self.content_type)


def spelled(text: str, spell: str) -> str:
    """`text` as an echoing server writes it."""
    import html
    import re
    from urllib.parse import quote

    if spell == "html":
        return html.escape(text, quote=True).replace("/", "&#x2F;")
    if spell == "lower-percent":
        return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(text, safe=""))
    if spell == "json-slash":
        return json.dumps(text)[1:-1].replace("/", "\\/")
    return text


def echo_cannot_post(request: Received) -> str:
    """Express's answer to a path it has no route for."""
    return f"Cannot {request.method} {request.target}"


def echo_address(request: Received) -> str:
    return f"no webhook at http://{request.headers.get('Host', '')}{request.target}"


def echo_authorization(request: Received) -> str:
    return f"bad credentials: Authorization: {request.headers.get('Authorization', '')}"


def echo_body(request: Received) -> str:
    return f"could not process {request.body_raw.decode('utf-8', 'replace')}"


class _Handler(BaseHTTPRequestHandler):
    receiver: HttpReceiver
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle plus
    # delayed ACKs add ~40 ms to every exchange.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # keep test output quiet

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        answer = self.receiver._record(Received(self.command, path, query, dict(self.headers.items()), body))
        self.send_response_only(answer.status)
        if answer.content_type:
            self.send_header("Content-Type", answer.content_type)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Date", self.date_time_string())
        if answer.status not in (204, 304):
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD" and answer.status not in (204, 304):
            self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle


# --------------------------------------------------------------------------
# Receivers for the handlers that do not speak HTTP: SMTP, SNMP traps (UDP), sensu (a TCP
# line), Kafka (a raw TCP listener) and MQTT (a minimal 3.1.1 broker).  Each records what
# arrived and can be told how to answer.


class _SocketReceiver:
    """A threaded TCP server on 127.0.0.1 whose ``serve(conn)`` handles one connection."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._sock = socket.create_server((host, port))
        self._conns: list[socket.socket] = []
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name=type(self).__name__, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return self._sock.getsockname()[1]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=self._serve_safely, args=(conn,), daemon=True).start()

    def _serve_safely(self, conn: socket.socket) -> None:
        try:
            self.serve(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def serve(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def _note(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Wait until something arrived (senders that answer first and deliver after)."""
        with self._changed:
            return self._changed.wait_for(predicate, timeout)

    def drop_clients(self) -> None:
        """Close every open client connection."""
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self._closed = True
        self._sock.close()
        self.drop_clients()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Mail:
    """One SMTP session as the sink saw it."""

    connection: int
    commands: list[str] = field(default_factory=list)  # client lines, DATA content left out
    auth_plain: list[str] | None = None  # decoded AUTH PLAIN: ["", user, password]
    mail_from: str = ""
    rcpt_to: list[str] = field(default_factory=list)
    data: str | None = None  # the message as sent, CRLF line ends

    @property
    def headers(self) -> dict[str, str]:
        head = (self.data or "").split("\r\n\r\n", 1)[0]
        return dict(line.split(": ", 1) for line in head.split("\r\n") if ": " in line)

    @property
    def body(self) -> str:
        return (self.data or "").split("\r\n\r\n", 1)[-1]


class SmtpReceiver(_SocketReceiver):
    """An SMTP sink: EHLO offers AUTH PLAIN LOGIN; ``auth_reply``/``rcpt_reply`` set the answers.

    ``mails`` holds one ``Mail`` per MAIL FROM transaction (or per session that ended before one).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.mails: list[Mail] = []
        self.connections = 0
        self.auth_reply = "235 2.7.0 Authentication successful"
        self.rcpt_reply = "250 2.1.5 Ok"
        super().__init__(host, port)

    def serve(self, conn: socket.socket) -> None:
        with self._lock:
            self.connections += 1
            number = self.connections
        files = conn.makefile("rb")
        conn.sendall(b"220 fake-smtp.local ESMTP ready\r\n")
        mail = Mail(number)
        recorded = False

        def record() -> None:
            nonlocal recorded
            if not recorded:
                with self._lock:
                    self.mails.append(mail)
                recorded = True
            self._note()

        while line := files.readline():
            text = line.decode(errors="replace").rstrip("\r\n")
            verb = text.split(" ", 1)[0].upper()
            if mail.data is not None or (verb == "MAIL" and recorded):
                mail = Mail(number, auth_plain=None)
                recorded = False
            mail.commands.append(text)
            if verb in ("EHLO", "HELO"):
                conn.sendall(b"250-fake-smtp.local\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 10240000\r\n")
            elif verb == "AUTH":
                token = text.split(" ")[-1]
                try:
                    mail.auth_plain = base64.b64decode(token).decode().split("\0")
                except (ValueError, UnicodeDecodeError):
                    mail.auth_plain = None
                conn.sendall(self.auth_reply.encode() + b"\r\n")
                if not self.auth_reply.startswith("2"):
                    record()
            elif verb == "MAIL":
                mail.mail_from = text.split(":", 1)[1].split(">")[0].lstrip(" <")
                conn.sendall(b"250 2.1.0 Ok\r\n")
            elif verb == "RCPT":
                mail.rcpt_to.append(text.split(":", 1)[1].split(">")[0].lstrip(" <"))
                conn.sendall(self.rcpt_reply.encode() + b"\r\n")
                if not self.rcpt_reply.startswith("2"):
                    record()
            elif verb == "DATA":
                conn.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                lines = []
                while (chunk := files.readline()) not in (b".\r\n", b""):
                    lines.append(chunk.decode(errors="replace"))
                mail.data = "".join(lines)
                conn.sendall(b"250 2.0.0 Ok: queued as FAKE%04d\r\n" % number)
                record()
            elif verb == "QUIT":
                conn.sendall(b"221 2.0.0 Bye\r\n")
                break
            elif verb == "RSET" or verb == "NOOP":
                conn.sendall(b"250 2.0.0 Ok\r\n")
            else:
                conn.sendall(b"502 5.5.2 Error: command not recognized\r\n")
        if mail.commands and not recorded and (mail.auth_plain is not None or mail.mail_from):
            record()


def _ber_read(data: bytes, at: int) -> tuple[int, bytes, int]:
    """(tag, content, next offset) of one BER element."""
    tag, length = data[at], data[at + 1]
    at += 2
    if length & 0x80:
        size = length & 0x7F
        length = int.from_bytes(data[at:at + size], "big")
        at += size
    return tag, data[at:at + length], at + length


def _oid_text(content: bytes) -> str:
    parts = [content[0] // 40, content[0] % 40]
    n = 0
    for byte in content[1:]:
        n = (n << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(n)
            n = 0
    return ".".join(map(str, parts))


@dataclass
class Trap:
    """One SNMPv2c trap datagram, decoded."""

    raw: bytes
    community: str
    request_id: int
    varbinds: list[tuple[str, str, Any]]  # (oid, type, value)

    @property
    def trap_oid(self) -> str:
        return next((v for o, _, v in self.varbinds if o == "1.3.6.1.6.3.1.1.4.1.0"), "")


def decode_trap(data: bytes) -> Trap:
    types = {0x02: "Integer", 0x04: "OctetString", 0x05: "Null", 0x06: "ObjectIdentifier",
             0x43: "TimeTicks", 0x46: "Counter64"}
    _, message, _ = _ber_read(data, 0)
    _, _, at = _ber_read(message, 0)  # version
    _, community, at = _ber_read(message, at)
    _, pdu, _ = _ber_read(message, at)
    _, request_id, at = _ber_read(pdu, 0)
    _, _, at = _ber_read(pdu, at)
    _, _, at = _ber_read(pdu, at)
    _, bindings, _ = _ber_read(pdu, at)
    varbinds, at = [], 0
    while at < len(bindings):
        _, pair, at = _ber_read(bindings, at)
        _, oid, inner = _ber_read(pair, 0)
        tag, content, _ = _ber_read(pair, inner)
        value: Any
        if tag == 0x04:
            value = content.decode(errors="replace")
        elif tag == 0x06:
            value = _oid_text(content)
        elif tag == 0x05:
            value = None
        else:
            value = int.from_bytes(content, "big", signed=tag == 0x02)
        varbinds.append((_oid_text(oid), types.get(tag, hex(tag)), value))
    return Trap(data, community.decode(errors="replace"), int.from_bytes(request_id, "big"), varbinds)


class SnmpTrapReceiver:
    """A UDP socket on 127.0.0.1 that records every trap datagram (``traps``)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.traps: list[Trap] = []
        self._changed = threading.Condition()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((host, port))
        threading.Thread(target=self._receive, name="snmptrap-receiver", daemon=True).start()

    @property
    def port(self) -> int:
        return self._sock.getsockname()[1]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _receive(self) -> None:
        while True:
            try:
                data = self._sock.recv(65535)
            except OSError:
                return
            with self._changed:
                self.traps.append(decode_trap(data))
                self._changed.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        with self._changed:
            return self._changed.wait_for(predicate, timeout)

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> SnmpTrapReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SensuReceiver(_SocketReceiver):
    """Sensu's client socket: reads one JSON line, answers ``answer`` (default ``ok``), closes."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.received: list[bytes] = []
        self.answer = b"ok"
        super().__init__(host, port)

    def serve(self, conn: socket.socket) -> None:
        data = b""
        while not data.endswith(b"\n") and (chunk := conn.recv(4096)):
            data += chunk
        with self._lock:
            self.received.append(data)
        if self.answer:
            conn.sendall(self.answer)
        conn.shutdown(socket.SHUT_RDWR)
        self._note()


class RawTcpListener(_SocketReceiver):
    """Records the first bytes of every connection (e.g. a Kafka client's first request), then closes."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.first_bytes: list[bytes] = []
        super().__init__(host, port)

    def serve(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        data = b""
        try:
            while len(data) < 4 or len(data) < 4 + int.from_bytes(data[:4], "big"):
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        with self._lock:
            self.first_bytes.append(data)
        self._note()


@dataclass
class MqttPacket:
    kind: str  # CONNECT, PUBLISH, PUBREL, DISCONNECT, ...
    raw: bytes
    fields: dict[str, Any]


def _mqtt_string(data: bytes, at: int) -> tuple[str, int]:
    size = int.from_bytes(data[at:at + 2], "big")
    return data[at + 2:at + 2 + size].decode(errors="replace"), at + 2 + size


def decode_mqtt(header: int, body: bytes, length: bytes = b"") -> MqttPacket:
    """One packet from its fixed-header byte, its encoded remaining length and its body."""
    kind = header >> 4
    raw = bytes([header]) + length + body
    if kind == 1:
        protocol, at = _mqtt_string(body, 0)
        level, flags = body[at], body[at + 1]
        keep_alive = int.from_bytes(body[at + 2:at + 4], "big")
        client_id, at = _mqtt_string(body, at + 4)
        fields: dict[str, Any] = {"protocol_name": protocol, "protocol_level": level, "keep_alive_s": keep_alive,
                                  "client_id": client_id}
        if flags & 0x80:
            fields["username"], at = _mqtt_string(body, at)
        if flags & 0x40:
            fields["password"], at = _mqtt_string(body, at)
        return MqttPacket("CONNECT", raw, fields)
    if kind == 3:
        qos = (header >> 1) & 3
        topic, at = _mqtt_string(body, 0)
        fields = {"qos": qos, "retain": bool(header & 1), "dup": bool(header & 8), "topic": topic}
        if qos:
            fields["packet_id"] = int.from_bytes(body[at:at + 2], "big")
            at += 2
        fields["payload"] = body[at:].decode(errors="replace")
        return MqttPacket("PUBLISH", raw, fields)
    names = {6: "PUBREL", 12: "PINGREQ", 14: "DISCONNECT"}
    fields = {"packet_id": int.from_bytes(body[:2], "big")} if kind == 6 else {}
    return MqttPacket(names.get(kind, f"type{kind}"), raw, fields)


class MqttBroker(_SocketReceiver):
    """A minimal MQTT 3.1.1 broker: CONNACK with ``connack_code`` (None: close without answering),
    PUBACK for QoS 1 (unless ``withhold_puback``), PUBREC/PUBCOMP for QoS 2. ``packets`` records
    every packet received."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.packets: list[MqttPacket] = []
        self.connack_code: int | None = 0
        self.withhold_puback = False
        super().__init__(host, port)

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def serve(self, conn: socket.socket) -> None:
        while True:
            head = conn.recv(1)
            if not head:
                return
            length, shift, encoded = 0, 0, b""
            while True:
                byte = conn.recv(1)
                if not byte:
                    return
                encoded += byte
                length |= (byte[0] & 0x7F) << shift
                shift += 7
                if not byte[0] & 0x80:
                    break
            body = b""
            while len(body) < length and (chunk := conn.recv(length - len(body))):
                body += chunk
            packet = decode_mqtt(head[0], body, encoded)
            with self._lock:
                self.packets.append(packet)
            self._note()
            if packet.kind == "CONNECT":
                if self.connack_code is None:
                    return
                conn.sendall(bytes([0x20, 2, 0, self.connack_code]))
                if self.connack_code:
                    return
            elif packet.kind == "PUBLISH" and packet.fields["qos"] == 1 and not self.withhold_puback:
                conn.sendall(b"\x40\x02" + packet.fields["packet_id"].to_bytes(2, "big"))
            elif packet.kind == "PUBLISH" and packet.fields["qos"] == 2:
                conn.sendall(b"\x50\x02" + packet.fields["packet_id"].to_bytes(2, "big"))
            elif packet.kind == "PUBREL":
                conn.sendall(b"\x70\x02" + packet.fields["packet_id"].to_bytes(2, "big"))
            elif packet.kind == "DISCONNECT":
                return


__all__ = [
    "Answer", "HipChatReceiver", "HttpReceiver", "Mail", "MqttBroker", "MqttPacket", "RawTcpListener",
    "Received", "SensuReceiver", "SlackReceiver", "SmtpReceiver", "SnmpTrapReceiver", "Trap", "decode_trap",
]
