"""`GET /kapacitor/v1/logs` for the Kapacitor stand-in: Kapacitor's log, streamed while a client listens.

Follows Kapacitor's source (services/diagnostic at 1.5.7 and 1.8.3; the same code in both):

* api.go `handleSessions`: every query parameter is a tag ``key=value`` that a line must carry
  (all of them; ``msg`` and ``lvl`` match the message and the level), except ``lvl=<level>+``
  (the ``+`` sent as ``%2B``, since a bare ``+`` decodes to a space) which sets the lowest level
  (debug, info, error). A parameter given twice answers 400 ``query params cannot contain
  duplicate params``. The answer is 200 with ``Transfer-Encoding: chunked`` and the request's own
  ``Content-Type``; ``application/json`` gives JSON lines, anything else logfmt. Go buffers the
  header until the first line is written, so a client sees the answer only with its first line.
* sessions.go: a session gets only the lines logged while it is open; log.go `writeJSON` writes
  ``{"ts":…,"lvl":…,"msg":…,<context>,<fields>}`` and a newline, with the time as
  ``2006-01-02T15:04:05.000Z07:00``.
* handlers.go: opening a session logs ``created log session`` (info, ``service=sessions``) to
  every session, the new one included; each HTTP request is logged after its answer as ``http
  request`` (info, ``service=http``, fields host … duration).
* Alert handlers log a failed send as an error with the service's name as ``service`` and the
  handler's context: ``handler`` and ``topic`` for a topic handler (services/alert/service.go
  createHandlerFromSpec), ``task`` for a handler in a task's script (alert.go newAlertNode);
  the error itself is the field ``err``. The kapacitor_topics stand-in logs them through here.

Deliberate differences: a session notices that its client left within 50 ms instead of at once;
time fields of ``http request`` are written as text.
"""
from __future__ import annotations

import json
import select
import socket
import threading
import uuid
from collections import deque
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

LEVELS = {"debug": 0, "info": 1, "error": 2}


def _timestamp() -> str:
    now = datetime.now().astimezone()
    text = now.isoformat(timespec="milliseconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _logfmt_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    if text and not any(c in text for c in ' ="\n'):
        return text
    return json.dumps(text)


class _Session:
    def __init__(self, level: int, tags: list[tuple[str, str]], as_json: bool) -> None:
        self.id = str(uuid.uuid4())
        self.level = level
        self.tags = tags
        self.as_json = as_json
        self.lines: deque[bytes] = deque()
        self.ready = threading.Condition()

    def matches(self, level: str, msg: str, pairs: list[tuple[str, Any]]) -> bool:
        """sessions.go `match`: every tag must be the message, the level, or one of the pairs."""
        if LEVELS[level] < self.level:
            return False
        for key, value in self.tags:
            if key == "msg" and value == msg or key == "lvl" and value == level:
                continue
            if any(k == key and str(v) == value for k, v in pairs):
                continue
            return False
        return True

    def encode(self, level: str, msg: str, pairs: list[tuple[str, Any]]) -> bytes:
        if self.as_json:
            parts = [("ts", _timestamp()), ("lvl", level), ("msg", msg), *pairs]
            return ("{" + ",".join(f"{json.dumps(k)}:{json.dumps(v, ensure_ascii=False)}" for k, v in parts)
                    + "}\n").encode()
        parts = [("ts", _timestamp()), ("lvl", level), ("msg", msg), *pairs]
        return (" ".join(f"{k}={_logfmt_value(v)}" for k, v in parts) + "\n").encode()


class LogSessions:
    """The open `/logs` sessions of one stand-in, and what it logs to them."""

    def __init__(self, version_header: str) -> None:
        self.version = version_header
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.logged: list[dict[str, Any]] = []
        """Every line logged (lvl, msg and the pairs), whether or not a session was open."""
        self.available = True
        """False: `GET /logs` answers 404, as a Kapacitor without the endpoint (before 1.4) would."""

    def close(self) -> None:
        self._closed.set()

    @property
    def open_sessions(self) -> int:
        with self._lock:
            return len(self._sessions)

    # -- logging ------------------------------------------------------------------------

    def log(self, level: str, msg: str, *pairs: tuple[str, Any]) -> None:
        """One line to every open session that wants it (context first, then fields)."""
        self.logged.append({"lvl": level, "msg": msg, **dict(pairs)})
        with self._lock:
            sessions = list(self._sessions.values())
        for session in sessions:
            if session.matches(level, msg, list(pairs)):
                with session.ready:
                    session.lines.append(session.encode(level, msg, list(pairs)))
                    session.ready.notify_all()

    def handler_error(self, service: str, msg: str, err: str, *, handler: str = "", topic: str = "",
                      task: str = "") -> None:
        """A handler's failed send, with the handler's context (see the module docstring)."""
        context: list[tuple[str, Any]] = [("service", service)]
        if handler:
            context += [("handler", handler), ("topic", topic)]
        else:
            context += [("task", task)]
        self.log("error", msg, *context, ("err", err))

    def http_request(self, host: str, method: str, uri: str, status: int, user_agent: str) -> None:
        self.log("info", "http request", ("service", "http"), ("host", host), ("username", ""),
                 ("start", _timestamp()), ("method", method), ("uri", uri), ("protocol", "HTTP/1.1"),
                 ("status", status), ("referer", ""), ("user-agent", user_agent),
                 ("request-id", str(uuid.uuid1())), ("duration", "0.1ms"))

    # -- the endpoint -------------------------------------------------------------------

    def bad_query(self, query: str) -> str | None:
        keys = [k for k, _ in parse_qsl(query, keep_blank_values=True)]
        return "query params cannot contain duplicate params" if len(keys) != len(set(keys)) else None

    def serve(self, request: BaseHTTPRequestHandler, query: str, content_type: str) -> None:
        """Stream lines to one client until it leaves or the stand-in closes."""
        level = 0
        tags: list[tuple[str, str]] = []
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key == "lvl" and value.endswith("+"):
                level = LEVELS.get(value[:-1].lower(), 0)
                continue
            tags.append((key, value))
        session = _Session(level, tags, content_type == "application/json")
        with self._lock:
            self._sessions[session.id] = session
        self.log("info", "created log session", ("service", "sessions"), ("id", session.id),
                 ("content-type", content_type), ("tags", [f"{k}={v}" for k, v in tags]))
        request.close_connection = True
        connection: socket.socket = request.connection
        started = False
        try:
            while not self._closed.is_set():
                with session.ready:
                    session.ready.wait_for(lambda: bool(session.lines) or self._closed.is_set(), 0.05)
                    lines = list(session.lines)
                    session.lines.clear()
                if lines:
                    if not started:  # Go sends the header together with the first line
                        request.send_response_only(200)
                        request.send_header("Content-Type", content_type)
                        request.send_header("Transfer-Encoding", "chunked")
                        request.send_header("Request-Id", str(uuid.uuid1()))
                        request.send_header("X-Kapacitor-Version", self.version)
                        request.send_header("Date", request.date_time_string())
                        request.end_headers()
                        started = True
                    for line in lines:
                        request.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
                    request.wfile.flush()
                elif _client_left(connection):
                    return
        except OSError:
            return  # the client went away while a line was on its way
        finally:
            with self._lock:
                self._sessions.pop(session.id, None)
            self.log("info", "deleted log session", ("service", "sessions"), ("id", session.id),
                     ("content-type", content_type), ("tags", [f"{k}={v}" for k, v in tags]))


def _client_left(connection: socket.socket) -> bool:
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True
