"""A misbehaving HTTP server on 127.0.0.1, for the fault matrix.

``FaultyServer`` stands in for Kapacitor, the Telegram Bot API, a Slack webhook or a
HipChat server. Requests whose ``METHOD /path`` matches ``pattern`` get the ``fault``;
every other request is answered normally: passed on to ``upstream`` (a healthy stand-in
such as ``KapacitorFake`` or ``TelegramBotApiFake``) when there is one, else with the
plain success answer of the ``role``. So ping can answer while ``GET /config`` returns
HTML, or Kapacitor's writes succeed while its service test is cut off mid-body.

The faults (``FAULTS``) are what proxies, gateways, captive portals and broken servers
really send: an answer that never comes, a body that stalls or is cut off with a reset,
500, HTML, broken JSON, valid JSON of the wrong shape, a body far over the wizard's
1 MiB cap, 401/403/404/409, 429 with Retry-After, and a redirect to another host whose
``Location`` carries a user name and password.

The trickles (``TRICKLES``) are servers that send a byte now and then, so no single read ever
waits long enough to time out: the answer a byte every ``trickle_seconds`` (the status line and
headers too, or only the body), or a JSON body that never ends. Each would take many minutes
to finish. ``FaultySmtpServer`` does the same for SMTP: a banner a byte at a time, "220-"
lines without end, or an EHLO answer trickled after a prompt banner.
"""
from __future__ import annotations

import json
import re
import socket
import struct
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

KAPACITOR_VERSION = "1.5.7"
HOLD_SECONDS = 5.0
"""How long a slow answer or a stalled body is held: far past any timeout the tests set."""
OVERSIZED_BYTES = 4 * 1024 * 1024
RETRY_AFTER = "7"
REDIRECT_USERINFO = "proxyuser:redirect-secret-9f3"
REDIRECT_HOST = "elsewhere.invalid"
REDIRECT_LOCATION = f"http://{REDIRECT_USERINFO}@{REDIRECT_HOST}:8443/moved"


@dataclass(frozen=True)
class Fault:
    name: str
    description: str


FAULTS: tuple[Fault, ...] = (
    Fault("slow", "no answer until long after the client's timeout"),
    Fault("stalled-body", "headers and the start of the body, then nothing"),
    Fault("500", "HTTP 500 with a plain-text body"),
    Fault("html", "HTTP 200 with an HTML page instead of JSON"),
    Fault("malformed-json", "HTTP 200, application/json, cut-off JSON"),
    Fault("wrong-shape", "HTTP 200 with valid JSON of another shape"),
    Fault("reset", "a connection reset in the middle of the body"),
    Fault("oversized", "HTTP 200 with a 4 MiB body and no Content-Length"),
    Fault("401", "HTTP 401 Unauthorized"),
    Fault("403", "HTTP 403 Forbidden"),
    Fault("404", "HTTP 404 Not Found (an HTML page)"),
    Fault("409", "HTTP 409 Conflict"),
    Fault("429", f"HTTP 429 Too Many Requests with Retry-After: {RETRY_AFTER}"),
    Fault("redirect", f"HTTP 307 to {REDIRECT_HOST}, with a user name and password in Location"),
)
FAULT_NAMES = tuple(f.name for f in FAULTS)

TRICKLES: tuple[Fault, ...] = (
    Fault("trickle-answer", "the whole answer, status line and headers included, a byte at a time"),
    Fault("trickle-body", "status and headers at once, then the body a byte at a time"),
    Fault("endless-json", "HTTP 200, JSON that never ends, a few bytes at a time"),
)
TRICKLE_NAMES = tuple(f.name for f in TRICKLES)
TRICKLE_SECONDS = 0.3
"""The default pause between two bytes of a trickle: far below any timeout the tests set."""
TRICKLE_PADDING = 4096
"""Bytes of padding a trickled answer carries: at TRICKLE_SECONDS a byte, twenty minutes."""

HTML_PAGE = (
    b"<!DOCTYPE html>\n<html>\n<head><title>Sign in to the guest network</title></head>\n"
    b"<body>\n<h1>Welcome</h1>\n<p>" + b"Please accept the terms. " * 40 + b"</p>\n</body>\n</html>\n"
)


def wrong_shape(role: str, method: str, path: str) -> dict[str, Any] | list[Any]:
    """Valid JSON the wizard cannot use, chosen to hit the field each caller relies on."""
    if role == "kapacitor":
        if path.endswith("/config"):
            return {"sections": []}
        if path.rstrip("/").endswith(("/config/slack", "/config/telegram", "/config/hipchat")) and not path.endswith("/"):
            return {"elements": [1]}
        if "/config/" in path:
            return {"options": None, "redacted": None}
        if "/service-tests" in path:
            return {"success": "yes", "message": ["not", "text"]}
        return ["not", "an", "object"]
    if role == "telegram":
        if path.endswith("/getUpdates"):
            # An update without `date`: python-telegram-bot itself would raise KeyError.
            return {"ok": True, "result": [{"update_id": 5, "message": {"message_id": 1, "chat": {"id": 1, "type": "private"}}}]}
        if path.endswith("/getMe"):
            return {"ok": False}
        return {"ok": True, "result": "not an object"}
    if role == "hipchat":
        return {"error": {"code": 200, "message": "no such room", "type": "Strange"}}
    return {"ok": False, "error": "invalid_payload"}


class FaultyServer:
    """A real HTTP server on 127.0.0.1 that misbehaves on request.

    ``role`` is kapacitor, telegram, slack or hipchat; ``upstream`` is the URL of a healthy
    stand-in that answers everything the fault does not touch.
    """

    def __init__(self, role: str, upstream: str | None = None) -> None:
        self.role = role
        self.upstream = upstream.rstrip("/") if upstream else None
        self.fault: str | None = None
        self.trickle_seconds = TRICKLE_SECONDS
        self.canned: tuple[int, bytes, str] = (200, b"", "")
        self.pattern = re.compile(".*")
        self.faulted: list[str] = []
        """``METHOD /path`` of every request that got the fault."""
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._forward = httpx.Client(timeout=30.0, follow_redirects=False) if upstream else None
        handler = type("_BoundFaultyHandler", (_Handler,), {"server_side": self})
        self._server: ThreadingHTTPServer | None = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        # A short poll interval keeps shutdown() quick: every test starts and stops its own servers.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="FaultyServer", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        assert self._server is not None, "closed"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def set_fault(self, fault: str | None, pattern: str = ".*", *, trickle_seconds: float = TRICKLE_SECONDS) -> None:
        """Misbehave with `fault` on requests whose ``METHOD /path`` matches `pattern` (re.search);
        a trickle pauses `trickle_seconds` between bytes."""
        assert fault is None or fault in FAULT_NAMES + TRICKLE_NAMES, fault
        with self._lock:
            self.fault = fault
            self.pattern = re.compile(pattern)
            self.trickle_seconds = trickle_seconds

    def set_answer(self, pattern: str, status: int, body: bytes | str | dict[str, Any] | list[Any], content_type: str = "application/json") -> None:
        """Answer requests matching `pattern` with exactly this (for the cases the fault list does not cover)."""
        raw = body if isinstance(body, bytes) else body.encode() if isinstance(body, str) else json.dumps(body).encode()
        with self._lock:
            self.fault = "canned"
            self.pattern = re.compile(pattern)
            self.canned = (status, raw, content_type)

    def close(self) -> None:
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._forward is not None:
            self._forward.close()

    def __enter__(self) -> FaultyServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def hold(self) -> None:
        """Wait HOLD_SECONDS, or until the server closes."""
        self._closing.wait(HOLD_SECONDS)

    def pause(self) -> bool:
        """Wait trickle_seconds; False once the server closes."""
        return not self._closing.wait(self.trickle_seconds)

    def _fault_for(self, method: str, path: str) -> str | None:
        line = f"{method} {path}"
        with self._lock:
            self.requests.append(line)
            if self.fault and self.pattern.search(line):
                self.faulted.append(line)
                return self.fault
        return None


class _Handler(BaseHTTPRequestHandler):
    server_side: FaultyServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.partition("?")[0]
        fault = self.server_side._fault_for(self.command, path)
        try:
            if fault is None:
                self._healthy(body)
            else:
                self._misbehave(fault, path)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

    # -- answers -------------------------------------------------------------------

    def _send(self, status: int, body: bytes = b"", content_type: str | None = None, headers: dict[str, str] | None = None) -> None:
        self.send_response_only(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Date", self.date_time_string())
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)

    def _healthy(self, body: bytes) -> None:
        side = self.server_side
        if side._forward is not None and side.upstream is not None:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection", "accept-encoding")}
            answer = side._forward.request(self.command, side.upstream + self.path, content=body or None, headers=headers)
            kept = {k: v for k, v in answer.headers.items() if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding", "date", "content-type")}
            self._send(answer.status_code, answer.content, answer.headers.get("Content-Type"), kept)
            return
        role = side.role
        if role == "kapacitor" and self.path.startswith("/kapacitor/v1/ping"):
            self._send(204, headers={"X-Kapacitor-Version": KAPACITOR_VERSION})
        elif role == "slack":
            self._send(200, b"ok", "text/html")
        elif role == "hipchat":
            self._send(204)
        else:
            self._send(404, b"404 page not found\n", "text/plain; charset=utf-8")

    def _json_body(self, value: Any) -> bytes:
        return json.dumps(value).encode()

    def _trickle(self, data: bytes) -> None:
        """Send `data` a byte at a time, pausing between bytes, until done or the server closes."""
        for i in range(len(data)):
            if not self.server_side.pause():
                break
            self.wfile.write(data[i : i + 1])
            self.wfile.flush()
        self.close_connection = True

    def _trickled(self, fault: str, path: str) -> None:
        side = self.server_side
        padding = b" " * TRICKLE_PADDING
        if fault == "trickle-answer":
            # Ping's own answer (204 with Kapacitor's version), but with a long header, so that
            # every read gets a byte in time and the answer never seems to stall.
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Kapacitor-Version: {KAPACITOR_VERSION}\r\n"
                if side.role != "kapacitor" or not path.endswith("/ping")
                else f"HTTP/1.1 204 No Content\r\nX-Kapacitor-Version: {KAPACITOR_VERSION}\r\n"
            ).encode()
            self._trickle(head + b"X-Padding: " + b"x" * TRICKLE_PADDING + b"\r\nContent-Length: 2\r\n\r\n{}")
            return
        if fault == "trickle-body":
            content = b'{"ok": true, "result": {}' + padding + b"}"
            self.send_response_only(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.flush()
            self._trickle(content)
            return
        # endless-json: a list that goes on and on, a few bytes each pause (megabytes take hours).
        self.send_response_only(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b'{"sections": {"slack": {"elements": [')
        self.wfile.flush()
        while side.pause():
            self.wfile.write(b'{"options": {}}, ')
            self.wfile.flush()
        self.close_connection = True

    def _misbehave(self, fault: str, path: str) -> None:
        side = self.server_side
        if fault in TRICKLE_NAMES:
            self._trickled(fault, path)
            return
        if fault == "canned":
            status, body, content_type = side.canned
            self._send(status, body, content_type)
            return
        if fault == "slow":
            side.hold()
            self.close_connection = True
            return
        if fault == "stalled-body":
            self.send_response_only(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "4096")
            self.end_headers()
            self.wfile.write(b'{"sections": {"slack": {"elements": [')
            self.wfile.flush()
            side.hold()
            self.close_connection = True
            return
        if fault == "reset":
            self.send_response_only(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "4096")
            self.end_headers()
            self.wfile.write(b'{"ok": true, "result": {"id": 1, "sections": {"slack": ')
            self.wfile.flush()
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if fault == "oversized":
            self.send_response_only(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b'{"padding": "' + b"x" * 65500 + b'"},\n'
            sent = 0
            while sent < OVERSIZED_BYTES and not side._closing.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
            self.close_connection = True
            return
        if fault == "500":
            self._send(500, b"internal error: the upstream service failed\n", "text/plain")
        elif fault == "html":
            self._send(200, HTML_PAGE, "text/html")
        elif fault == "malformed-json":
            self._send(200, b'{"ok": true, "result": {"sections": {"slack": {"elements": [', "application/json")
        elif fault == "wrong-shape":
            self._send(200, self._json_body(wrong_shape(side.role, self.command, path)), "application/json")
        elif fault == "401":
            self._send(401, b"Unauthorized\n", "text/plain", {"WWW-Authenticate": 'Basic realm="gateway"'})
        elif fault == "403":
            self._send(403, b"Forbidden\n", "text/plain")
        elif fault == "404":
            self._send(404, b"<html><head><title>404 Not Found</title></head><body>nginx</body></html>", "text/html")
        elif fault == "409":
            self._send(409, b"Conflict\n", "text/plain")
        elif fault == "429":
            self._send(429, b"Too Many Requests\n", "text/plain", {"Retry-After": RETRY_AFTER})
        elif fault == "redirect":
            self._send(307, b"", "text/plain", {"Location": REDIRECT_LOCATION})
        else:  # pragma: no cover - set_fault checks the name
            raise AssertionError(fault)


# -- SMTP -------------------------------------------------------------------------------

SMTP_TRICKLES: tuple[Fault, ...] = (
    Fault("trickle-banner", "the greeting a byte at a time"),
    Fault("endless-220", 'greeting lines "220-…" without end, one each trickle_seconds (0: as fast as it can)'),
    Fault("trickle-ehlo", "a prompt greeting, then the answer to EHLO a byte at a time"),
)
SMTP_TRICKLE_NAMES = tuple(f.name for f in SMTP_TRICKLES)


class FaultySmtpServer:
    """A mail server on 127.0.0.1 that trickles (``SMTP_TRICKLES``); every one of its answers
    would take many minutes. ``connections`` counts the clients that came."""

    def __init__(self, fault: str, *, trickle_seconds: float = TRICKLE_SECONDS) -> None:
        assert fault in SMTP_TRICKLE_NAMES, fault
        self.fault = fault
        self.trickle_seconds = trickle_seconds
        self.connections = 0
        self._closing = threading.Event()
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._thread = threading.Thread(target=self._accept, name="FaultySmtpServer", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._clients.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _pause(self) -> bool:
        return not self._closing.wait(self.trickle_seconds) if self.trickle_seconds else not self._closing.is_set()

    def _trickle(self, client: socket.socket, data: bytes) -> None:
        for i in range(len(data)):
            if not self._pause():
                return
            client.sendall(data[i : i + 1])

    def _serve(self, client: socket.socket) -> None:
        padding = b"x" * TRICKLE_PADDING
        try:
            if self.fault == "trickle-banner":
                self._trickle(client, b"220 mail.example.com ESMTP " + padding + b"\r\n")
            elif self.fault == "endless-220":
                while self._pause():
                    client.sendall(b"220-mail.example.com still greeting\r\n")
            else:
                client.sendall(b"220 mail.example.com ESMTP ready\r\n")
                client.settimeout(30)
                client.recv(1024)  # EHLO
                self._trickle(client, b"250-mail.example.com " + padding + b"\r\n250 OK\r\n")
        except OSError:
            pass
        finally:
            client.close()

    def close(self) -> None:
        self._closing.set()
        self._listener.close()
        with self._lock:
            for client in self._clients:
                try:
                    client.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._thread.join(5)

    def __enter__(self) -> FaultySmtpServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = [
    "FAULTS", "FAULT_NAMES", "Fault", "FaultySmtpServer", "FaultyServer", "REDIRECT_HOST", "REDIRECT_USERINFO",
    "SMTP_TRICKLES", "SMTP_TRICKLE_NAMES", "TRICKLES", "TRICKLE_NAMES", "TRICKLE_PADDING", "TRICKLE_SECONDS",
    "wrong_shape",
]
