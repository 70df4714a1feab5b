"""Stand-ins for the services Kapacitor posts alerts to: a Slack incoming
webhook and the HipChat v2 room notification API.

Both are real HTTP servers on 127.0.0.1 that record every request
(``received``) and reply with a settable canned answer, so a test can point
Kapacitor (or the Kapacitor stand-in) at them and check exactly what was
sent and how an error answer is reported.  ``HttpReceiver`` is the generic
base and can stand in for any other endpoint (e.g. the Telegram Bot API when
only a canned answer is needed).
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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


__all__ = ["Answer", "HipChatReceiver", "HttpReceiver", "Received", "SlackReceiver"]
