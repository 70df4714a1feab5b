"""A stand-in for Kapacitor 1.5.7's and 1.8.3's HTTP API (the 22 alert-handler sections).

``KapacitorFake`` is a real HTTP server on 127.0.0.1 that answers the way a
real ``kapacitord`` 1.5.7 does (or 1.8.3, with ``version="1.8.3"``: see the
class) for the parts of the API the wizard uses:

* ``GET|HEAD /kapacitor/v1/ping``
* ``GET /kapacitor/v1/config[/<section>[/[<element>]]]`` and
  ``POST /kapacitor/v1/config/<section>/[<element>]`` (set/delete/add/remove)
* ``GET /kapacitor/v1/service-tests[/<name>]`` and
  ``POST /kapacitor/v1/service-tests/<name>``, which really send the test
  message to the configured URL (Slack webhook, Telegram Bot API, HipChat).
* ``GET /kapacitor/v1/logs``: the server's log, streamed (``kapacitor_logs.py``);
  alert topics, tasks and ``/write`` are in ``kapacitor_topics.py``.

Its behaviour follows the exchanges recorded from real 1.5.7 and 1.8.3 servers
in ``tests/data/kapacitor-api/<version>/`` and, where those are silent, Kapacitor's Go source
(services/config, services/config/override, services/httpd,
services/servicetest, services/slack, services/telegram, services/hipchat).
That includes its quirks: config values are layered (built-in default,
kapacitor.conf, API override); updates are validated on the merged element;
the running slack service keeps removed workspaces and re-points its default
when an added workspace says ``default = true``; adding an element that
already exists, or testing a workspace whose TLS files failed to load, makes
the real server drop the connection without an answer, and so does this one.

Deliberate differences from the real server:

* Only the alert-handler sections and service tests exist: hipchat, slack
  and telegram here, the other 19 in ``kapacitor_handlers.py`` (whose
  docstring lists their own differences). Every other section (influxdb,
  the discovery services, ...) is "unknown", so ``GET /config`` and
  ``GET /service-tests`` return just the handlers.
* Unknown option names are listed sorted; Go lists them in random map order.
* Error texts use Go 1.19's quoting (``Post "http://...": ...``) as in the
  recordings; the official 1.5.7 builds (Go 1.13) print URLs unquoted.
* URL parsing and JSON syntax errors imitate Go's messages for the common
  cases only; exotic inputs may get a differently worded error.
* TLS files (``ssl-ca``/``ssl-cert``/``ssl-key``) are only checked for
  existence, not parsed.
* Where the real server crashes outright (re-adding a workspace whose TLS
  files failed to load makes the update loop panic) the stand-in just drops
  that one connection.
* Outgoing service-test requests use httpx with a 5 s timeout (Go's client
  has none) and mimic Go's ``User-Agent``/``Accept-Encoding`` headers.
* Every answer, including 301 path-cleaning redirects and forced errors,
  carries ``X-Kapacitor-Version``.
* ``restart()`` and the kapacitor.conf helpers stand in for stopping and
  starting ``kapacitord``; there is no BoltDB file and no environment layer
  (environment variables behave like file values, so use the file helpers).
"""
from __future__ import annotations

import base64
import binascii
import copy
import fnmatch
import json
import os
import re
import socket
import struct
import threading
import unicodedata
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import quote, unquote, urlencode, urlsplit, parse_qs

import httpx

VERSION = "1.5.7"
BASE_PATH = "/kapacitor/v1"
CONFIG_BASE = BASE_PATH + "/config/"
TESTS_BASE = BASE_PATH + "/service-tests/"
SEND_TIMEOUT = 5.0

# Option names and kinds per section, in Go struct field order: the override
# walker visits fields in this order, so it decides which error is reported.
SECTION_FIELDS: dict[str, tuple[tuple[str, type], ...]] = {
    "hipchat": (
        ("enabled", bool),
        ("url", str),
        ("token", str),
        ("room", str),
        ("global", bool),
        ("state-changes-only", bool),
    ),
    "slack": (
        ("enabled", bool),
        ("default", bool),
        ("workspace", str),
        ("url", str),
        ("channel", str),
        ("username", str),
        ("icon-emoji", str),
        ("global", bool),
        ("state-changes-only", bool),
        ("ssl-ca", str),
        ("ssl-cert", str),
        ("ssl-key", str),
        ("insecure-skip-verify", bool),
    ),
    "telegram": (
        ("enabled", bool),
        ("url", str),
        ("token", str),
        ("chat-id", str),
        ("parse-mode", str),
        ("disable-web-page-preview", bool),
        ("disable-notification", bool),
        ("global", bool),
        ("state-changes-only", bool),
    ),
}
REDACTED = {"hipchat": ("token",), "slack": ("url",), "telegram": ("token",)}
VERSIONS = ("1.5.7", "1.8.3")


def section_fields(version: str = VERSION) -> dict[str, tuple[tuple[str, type], ...]]:
    """The option names and kinds per section of one Kapacitor version: 1.6
    added slack ``token`` (a Slack app's bot token), right after ``url``."""
    if version == VERSION:
        return SECTION_FIELDS
    slack = []
    for name, kind in SECTION_FIELDS["slack"]:
        slack.append((name, kind))
        if name == "url":
            slack.append(("token", str))
    return {**SECTION_FIELDS, "slack": tuple(slack)}


def redacted_options(version: str = VERSION) -> dict[str, tuple[str, ...]]:
    """The options whose values GET /config answers only as true/false."""
    if version == VERSION:
        return REDACTED
    return {**REDACTED, "slack": ("url", "token")}
# Only slack is a list section in 1.5.7; its elements are keyed by workspace.
ELEMENT_KEYS = {"hipchat": "", "slack": "workspace", "telegram": ""}

_SECTION_RE = re.compile(r"^[-\w+]+$")


def _zero_element(section: str, version: str = VERSION) -> dict[str, Any]:
    return {name: kind() for name, kind in section_fields(version)[section]}


def default_element(section: str, version: str = VERSION) -> dict[str, Any]:
    """The built-in default of a section (kapacitord with no config file)."""
    element = _zero_element(section, version)
    if section == "slack":
        element.update(default=True, username="kapacitor")
    elif section == "telegram":
        element["url"] = "https://api.telegram.org/bot"
    return element


# --------------------------------------------------------------------------
# Go look-alikes: the texts Kapacitor answers with come from Go's libraries.


def go_quote(s: str) -> str:
    """strconv.Quote: named escapes, \\xNN for other ASCII controls, \\uNNNN / \\UNNNNNNNN
    for other runes that are not printable (IsPrint: letters, marks, numbers,
    punctuation, symbols and the ASCII space)."""
    named = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v"}
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in named:
            out.append("\\" + named[ch])
        elif ch == " " or unicodedata.category(ch)[0] in "LMNPS":
            out.append(ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:  # not a valid rune: Go quotes the replacement character
            out.append("\\ufffd")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _go_quote_char(ch: str) -> str:
    if ch == "'":
        return "'\\''"
    if ch == '"':
        return "'\"'"
    return "'" + go_quote(ch)[1:-1] + "'"


def go_json(value: Any, *, indent: bool = False) -> str:
    """encoding/json output: sorted map keys, HTML-safe escapes."""
    if indent:
        text = json.dumps(value, indent=4, ensure_ascii=False)
    else:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    # Go escapes these inside strings; they cannot occur outside strings.
    for raw, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                     ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, esc)
    return text


def go_encode(value: dict[str, Any]) -> bytes:
    """json.NewEncoder(w).Encode(map): sorted keys and a trailing newline."""
    return (go_json(_sorted_maps(value)) + "\n").encode()


def _sorted_maps(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_maps(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_maps(v) for v in value]
    return value


class GoJSONSyntaxError(ValueError):
    pass


class _GoScanner:
    """Checks one JSON value the way encoding/json's scanner does, so that
    syntax errors carry Go's wording ("invalid character ... looking for
    beginning of value", "unexpected EOF", ...)."""

    def __init__(self, text: str, stream: bool) -> None:
        self.s = text
        self.i = 0
        self.stream = stream  # json.Decoder (stream) vs json.Unmarshal

    def _eof(self) -> GoJSONSyntaxError:
        return GoJSONSyntaxError("unexpected EOF" if self.stream else "unexpected end of JSON input")

    def _bad(self, context: str) -> GoJSONSyntaxError:
        return GoJSONSyntaxError(f"invalid character {_go_quote_char(self.s[self.i])} {context}")

    def _ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in " \t\r\n":
            self.i += 1

    def _peek(self) -> str | None:
        return self.s[self.i] if self.i < len(self.s) else None

    def check(self) -> None:
        self._ws()
        if self.i >= len(self.s):
            raise GoJSONSyntaxError("EOF" if self.stream else "unexpected end of JSON input")
        self._value()
        if not self.stream:
            self._ws()
            if self.i < len(self.s):
                raise self._bad("after top-level value")

    def _value(self) -> None:
        self._ws()
        c = self._peek()
        if c is None:
            raise self._eof()
        if c == "{":
            self.i += 1
            self._ws()
            if self._peek() == "}":
                self.i += 1
                return
            while True:
                self._ws()
                c = self._peek()
                if c is None:
                    raise self._eof()
                if c != '"':
                    raise self._bad("looking for beginning of object key string")
                self._string()
                self._ws()
                c = self._peek()
                if c is None:
                    raise self._eof()
                if c != ":":
                    raise self._bad("after object key")
                self.i += 1
                self._value()
                self._ws()
                c = self._peek()
                if c is None:
                    raise self._eof()
                if c == "}":
                    self.i += 1
                    return
                if c != ",":
                    raise self._bad("after object key:value pair")
                self.i += 1
        elif c == "[":
            self.i += 1
            self._ws()
            if self._peek() == "]":
                self.i += 1
                return
            while True:
                self._value()
                self._ws()
                c = self._peek()
                if c is None:
                    raise self._eof()
                if c == "]":
                    self.i += 1
                    return
                if c != ",":
                    raise self._bad("after array element")
                self.i += 1
        elif c == '"':
            self._string()
        elif c == "-" or c.isdigit():
            self._number()
        elif c in "tfn":
            word = {"t": "true", "f": "false", "n": "null"}[c]
            for expected in word[1:]:
                self.i += 1
                if self.i >= len(self.s):
                    raise self._eof()
                if self.s[self.i] != expected:
                    raise self._bad(f"in literal {word} (expecting {_go_quote_char(expected)})")
            self.i += 1
        else:
            raise self._bad("looking for beginning of value")

    def _string(self) -> None:
        self.i += 1
        while True:
            c = self._peek()
            if c is None:
                raise self._eof()
            if c == '"':
                self.i += 1
                return
            if c == "\\":
                self.i += 1
                c = self._peek()
                if c is None:
                    raise self._eof()
                if c == "u":
                    for _ in range(4):
                        self.i += 1
                        h = self._peek()
                        if h is None:
                            raise self._eof()
                        if h not in "0123456789abcdefABCDEF":
                            raise self._bad("in \\u hexadecimal character escape")
                elif c not in '"\\/bfnrt':
                    raise self._bad("in string escape code")
            elif ord(c) < 0x20:
                raise self._bad("in string literal")
            self.i += 1

    def _number(self) -> None:
        if self._peek() == "-":
            self.i += 1
            c = self._peek()
            if c is None:
                raise self._eof()
            if not c.isdigit():
                raise self._bad("in numeric literal")
        if self._peek() == "0":
            self.i += 1
        else:
            while (c := self._peek()) is not None and c.isdigit():
                self.i += 1
        if self._peek() == ".":
            self.i += 1
            c = self._peek()
            if c is None:
                raise self._eof()
            if not c.isdigit():
                raise self._bad("after decimal point in numeric literal")
            while (c := self._peek()) is not None and c.isdigit():
                self.i += 1
        if self._peek() in ("e", "E"):
            self.i += 1
            if self._peek() in ("+", "-"):
                self.i += 1
            c = self._peek()
            if c is None:
                raise self._eof()
            if not c.isdigit():
                raise self._bad("in exponent of numeric literal")
            while (c := self._peek()) is not None and c.isdigit():
                self.i += 1

    def end(self) -> int:
        return self.i


class _Obj(list):  # type: ignore[type-arg]
    """Marks a decoded JSON object (list of key/value pairs)."""


def _decode_objects(body: bytes, *, stream: bool) -> Any:
    text = body.decode("utf-8", errors="replace")
    _GoScanner(text, stream).check()
    start = len(text) - len(text.lstrip(" \t\r\n"))
    return json.JSONDecoder(object_pairs_hook=_Obj).raw_decode(text, start)[0]


def _kind(value: Any) -> str:
    if isinstance(value, _Obj):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "null"


def _plain(value: Any) -> Any:
    """Turn decoded pairs back into dicts (last duplicate key wins, as in Go)."""
    if isinstance(value, _Obj):
        return {k: _plain(v) for k, v in value}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _go_reflect_kind(value: Any) -> str:
    """reflect.Kind of a value decoded into interface{} (used by override)."""
    if value is None:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "slice"
    return "map"


def _go_type_name(value: Any) -> str:
    """%T of a value decoded into interface{}."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "[]interface {}"
    return "map[string]interface {}"


_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")


class GoURLError(ValueError):
    pass


def go_url_parse(raw: str) -> tuple[str, str, str, str]:
    """net/url.Parse for the usual cases: returns (scheme, host, path, query)
    with the path unescaped, or raises GoURLError with Go's message
    (``parse "<url>": <reason>``)."""

    def fail(reason: str) -> GoURLError:
        return GoURLError(f"parse {go_quote(raw)}: {reason}")

    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        raise fail("net/url: invalid control character in URL")
    rest = raw.split("#", 1)[0]
    scheme = ""
    colon = rest.find(":")
    if colon == 0:
        raise fail("missing protocol scheme")
    if colon > 0 and _SCHEME_RE.match(rest[:colon]):
        scheme, rest = rest[:colon].lower(), rest[colon + 1:]
    rest, _, query = rest.partition("?")
    host = ""
    if rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        path = slash + path
        hostport = authority.rpartition("@")[2]
        if hostport.startswith("["):
            close = hostport.find("]")
            if close < 0:
                raise fail("missing ']' in host")
            port = hostport[close + 1:]
        else:
            port = hostport[hostport.rfind(":"):] if ":" in hostport else ""
            for ch in hostport[: len(hostport) - len(port)]:
                if ch in ' <>"{}|\\^`' or ord(ch) > 0x7E:
                    raise fail(f"invalid character {go_quote(ch)} in host name")
        if port and not (port.startswith(":") and port[1:].isdigit() or port == ":"):
            raise fail(f"invalid port {go_quote(port)} after host")
        host = hostport
    else:
        path = rest
        if not scheme and ":" in path.split("/", 1)[0]:
            raise fail("first path segment in URL cannot contain colon")
    bad = re.search(r"%(?![0-9A-Fa-f]{2})", path)
    if bad:
        raise fail(f"invalid URL escape {go_quote(path[bad.start():bad.start() + 3])}")
    return scheme, host, unquote(path), query


def go_path_join(*parts: str) -> str:
    """path.Join: join the non-empty parts and Clean the result."""
    joined = "/".join(p for p in parts if p)
    if not joined:
        return ""
    rooted = joined.startswith("/")
    out: list[str] = []
    for seg in joined.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append("..")
            continue
        out.append(seg)
    cleaned = "/".join(out)
    return ("/" + cleaned) if rooted else (cleaned or ".")


def go_url_string(scheme: str, host: str, path: str, query: str) -> str:
    """url.URL.String() with Go's path escaping."""
    escaped = quote(path, safe="/$&+,:;=@-_.~")
    if host and escaped and not escaped.startswith("/"):
        escaped = "/" + escaped
    out = f"{scheme}:" if scheme else ""
    if scheme or host:
        out += "//" + host
    out += escaped
    if query:
        out += "?" + query
    return out


# --------------------------------------------------------------------------
# Requests as the stand-in saw them.


@dataclass
class RecordedRequest:
    method: str
    path: str  # including the query string
    headers: dict[str, str]
    body_raw: bytes

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body_raw)
        except ValueError:
            return None


@dataclass
class _Override:
    """One stored override, as in Kapacitor's config_overrides store."""

    options: dict[str, Any] = field(default_factory=dict)
    create: bool = False


class _OverrideError(Exception):
    pass


class _DropConnection(Exception):
    """The real server panics here: no HTTP answer, connection closed."""


class _StreamLogs(Exception):
    """`GET /logs` is answered by streaming (kapacitor_logs.LogSessions), not with an _Answer."""


@dataclass
class _Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    """The text of an httpd.HttpError answer: 1.8 sends it under "message" too."""
    pretty: bool = True
    trickle: float = 0.0
    """Seconds between the answer's bytes (0: all at once)."""


class _SlackWorkspace:
    """A workspace of the running slack service; shared by reference, like
    the *Workspace pointers in the Go service."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = dict(config)


def _tls_error(element: dict[str, Any]) -> str | None:
    """tlsconfig.Create, reduced to the file checks."""
    ca, cert, key = element["ssl-ca"], element["ssl-cert"], element["ssl-key"]
    if cert and key:
        for name in (cert, key):
            if not os.path.exists(name):
                return f"Could not load TLS client key/certificate: open {name}: no such file or directory"
    elif cert:
        return "Must provide both key and cert files: only cert file provided."
    elif key:
        return "Must provide both key and cert files: only key file provided."
    if ca and not os.path.exists(ca):
        return f"Could not load TLS CA: open {ca}: no such file or directory"
    return None


def _validate_element(section: str, element: dict[str, Any]) -> str | None:
    if section == "telegram":
        if element["enabled"] and not element["token"]:
            return "must specify token"
    elif element["enabled"] and not element["url"]:
        return "must specify url"
    try:
        go_url_parse(element["url"])
    except GoURLError as exc:
        return f"invalid url {go_quote(element['url'])}: {exc}"
    return None


def _validate_slack_list(elements: list[dict[str, Any]]) -> str | None:
    """slack.Configs.Validate."""
    for element in elements:
        if err := _validate_element("slack", element):
            return err
        if len(elements) > 1 and element["workspace"] == "":
            return "id must not be empty"
    return None


LEVELS = ("OK", "INFO", "WARNING", "CRITICAL")

# Service-test options, in Go struct order (JSON keeps it: not a map).
_TEST_FIELDS: dict[str, tuple[tuple[str, type], ...]] = {
    "hipchat": (("room", str), ("message", str), ("level", str)),
    "slack": (
        ("workspace", str),
        ("channel", str),
        ("message", str),
        ("level", str),
        ("username", str),
        ("icon-emoji", str),
    ),
    "telegram": (
        ("chat-id", str),
        ("parse-mode", str),
        ("message", str),
        ("disable-web-page-preview", bool),
        ("disable-notification", bool),
    ),
}


class KapacitorFake:
    """Kapacitor 1.5.7 (or, with ``version="1.8.3"``, 1.8.3) on
    127.0.0.1:<random port>, for hipchat/slack/telegram.

    The version decides ``X-Kapacitor-Version``, the option sets (1.8 slack has
    ``token``), what is redacted, the error body (1.8 repeats the text under
    ``message``) and what a slack test sends (1.8: no ``as_user``, and
    ``Authorization: Bearer <token>`` whenever the element has a token,
    whatever its url; any HTTP 200 still counts as success).

    Switches: ``overrides_disabled`` (``[config-override] enabled = false``),
    ``auth`` (``(user, password)``: basic auth required), ``force_status``
    (every request answers that status with ``{"error": force_error or the
    reason phrase}``).
    """

    def __init__(
        self,
        *,
        overrides_disabled: bool = False,
        auth: tuple[str, str] | None = None,
        force_status: int | None = None,
        start: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        version: str = VERSION,
    ) -> None:
        if version not in VERSIONS:
            raise ValueError(f"the stand-in speaks {VERSIONS}, not {version!r}")
        self.version = version
        self.fields = section_fields(version)
        self.redacted = redacted_options(version)
        self._bind = (host, port)
        self.overrides_disabled = overrides_disabled
        self.auth = auth
        self.force_status = force_status
        self.force_error: str | None = None
        self.after_update: str | None = None
        """After applying a config update: "hang" (never answer until close) or "reset" (reset the
        connection) instead of answering, as when the answer is lost on the way back."""
        self._hung = threading.Event()
        self.requests: list[RecordedRequest] = []
        self._lock = threading.RLock()
        self._file: dict[str, list[dict[str, Any]]] = {
            name: [default_element(name, version)] for name in SECTION_FIELDS
        }
        self._overrides: dict[str, _Override] = {}
        self._skip_overrides = False
        self._running: dict[str, Any] = {}
        from tests.fakes.kapacitor_handlers import HandlerSections  # the other 19 handler sections

        self.handlers = HandlerSections(self)
        self._start_services()
        from tests.fakes.kapacitor_logs import LogSessions  # GET /logs, and what the server logs

        self.logs = LogSessions(version)
        from tests.fakes.kapacitor_topics import AlertsStandIn  # alert topics, tasks and /write

        self.alerts = AlertsStandIn(self)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        if start:
            self.start()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._server is not None:
            return
        handler = type("_BoundHandler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(self._bind, handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="kapacitor-fake", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._hung.set()
        self.logs.close()
        self.handlers.close()
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> KapacitorFake:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        assert self._server is not None, "not started"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------- kapacitor.conf layer

    def set_file_values(self, section: str, options: dict[str, Any], workspace: str = "") -> None:
        """Set values as if written in kapacitor.conf, then restart.

        For slack, ``workspace`` picks the ``[[slack]]`` table (the built-in
        one has workspace ""); a ``workspace`` key in ``options`` renames it.
        """
        if section in self.handlers.sections:
            return self.handlers.set_file_values(section, options, workspace)
        with self._lock:
            elements = self._file_section(section)
            matches = [e for e in elements if e.get("workspace", "") == workspace]
            if not matches:
                raise KeyError(f"no [[{section}]] table with workspace {workspace!r}")
            target = matches[0] if ELEMENT_KEYS[section] else elements[0]
            updated = dict(target)
            updated.update(self._checked_file_options(section, options))
            candidate = [updated if e is target else e for e in elements]
            self._check_file_section(section, candidate)
            self._file[section] = candidate
            self.restart()

    def add_file_workspace(self, options: dict[str, Any]) -> None:
        """Append a ``[[slack]]`` table to kapacitor.conf, then restart.

        Options not given take Go's zero values (username "", default false),
        as for any ``[[slack]]`` table after the first.
        """
        with self._lock:
            if not isinstance(options.get("workspace"), str) or not options["workspace"]:
                raise ValueError("a second [[slack]] table needs a non-empty 'workspace'")
            element = _zero_element("slack", self.version)
            element.update(self._checked_file_options("slack", options))
            candidate = [*self._file["slack"], element]
            self._check_file_section("slack", candidate)
            self._file["slack"] = candidate
            self.restart()

    def _file_section(self, section: str) -> list[dict[str, Any]]:
        if section not in SECTION_FIELDS:
            raise KeyError(f"the stand-in serves only {sorted(SECTION_FIELDS)}, not {section!r}")
        return self._file[section]

    def _checked_file_options(self, section: str, options: dict[str, Any]) -> dict[str, Any]:
        kinds = dict(self.fields[section])
        for name, value in options.items():
            if name not in kinds:
                raise KeyError(f"unknown option {name!r} in [{section}]")
            if type(value) is not kinds[name]:
                raise TypeError(f"[{section}] {name} must be {kinds[name].__name__}, got {value!r}")
        return dict(options)

    @staticmethod
    def _check_file_section(section: str, elements: list[dict[str, Any]]) -> None:
        # kapacitord refuses to start with an invalid configuration.
        if section == "slack":
            err = _validate_slack_list(elements)
        else:
            err = _validate_element(section, elements[0])
        if err:
            raise ValueError(f"kapacitord would not start: invalid configuration: {section}: {err}")

    def restart(self, *, skip_config_overrides: bool = False, keep_overrides: bool = True) -> None:
        """Stop and start kapacitord: the running services are rebuilt from
        kapacitor.conf plus the stored overrides (which survive unless
        ``keep_overrides`` is false, i.e. a new data dir), or from the file
        alone with ``skip_config_overrides`` (GET /config still shows the
        stored overrides then, as the real server does)."""
        with self._lock:
            if not keep_overrides:
                self._overrides.clear()
            self._skip_overrides = skip_config_overrides
            self._start_services()
            self.alerts.restart()

    def reset_overrides(self) -> None:
        """Forget every API override (a new, empty data dir) and restart."""
        self.restart(keep_overrides=False)

    def _start_services(self) -> None:
        if self._skip_overrides:
            config = {name: copy.deepcopy(self._file[name]) for name in SECTION_FIELDS}
        else:
            config = {name: self._merged(name) for name in SECTION_FIELDS}
        self._running = {
            "hipchat": dict(config["hipchat"][0]),
            "telegram": dict(config["telegram"][0]),
            "slack": self._new_slack_service(config["slack"]),
        }
        self.handlers.start_services()

    @staticmethod
    def _new_slack_service(elements: list[dict[str, Any]]) -> dict[str, _SlackWorkspace | None]:
        """slack.NewService: a single element is always the default."""
        confs = [dict(e) for e in elements]
        if len(confs) == 1:
            confs[0]["default"] = True
        workspaces: dict[str, _SlackWorkspace | None] = {}
        for conf in confs:
            if err := _tls_error(conf):
                raise ValueError(f"kapacitord would not start: slack: {err}")
            workspaces[conf["workspace"]] = _SlackWorkspace(conf)
            if conf["default"] and conf["workspace"] != "":
                workspaces[""] = workspaces[conf["workspace"]]
        return workspaces

    # ------------------------------------------------------------- requests

    def config_posts(self) -> list[RecordedRequest]:
        """The POST /kapacitor/v1/config... requests received so far."""
        with self._lock:
            return [
                r for r in self.requests
                if r.method == "POST" and r.path.split("?")[0].startswith(BASE_PATH + "/config")
            ]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    # ---------------------------------------------------- merged config view

    def _section_overrides(self, section: str) -> list[tuple[str, _Override]]:
        # Kapacitor lists stored overrides by ID prefix, in key order.
        return sorted(
            (oid, o) for oid, o in self._overrides.items() if oid.split("/", 1)[0] == section
        )

    def _merged(self, section: str, overrides: list[tuple[str, _Override]] | None = None) -> list[dict[str, Any]]:
        """override.OverrideConfig for one section: file values plus overrides,
        elements sorted by element ID."""
        if section in self.handlers.sections:
            return self.handlers.merged(section, overrides)
        if overrides is None:
            overrides = self._section_overrides(section)
        elements = copy.deepcopy(self._file.get(section, []))
        for oid, o in overrides:
            element = "" if o.create else oid.split("/", 1)[1]
            try:
                self._apply_override(section, elements, element, o.options, o.create)
            except _OverrideError as exc:
                raise _OverrideError(f"failed to override configuration {section}/{element}: {exc}") from None
        key = ELEMENT_KEYS.get(section)
        return sorted(elements, key=lambda e: e[key]) if key else elements

    def _apply_override(
        self,
        section: str,
        elements: list[dict[str, Any]],
        element: str,
        options: dict[str, Any],
        create: bool,
    ) -> None:
        """override.applyOverride: walk fields in struct order, then report
        unknown options, then validate the element (or the whole list)."""
        if section not in SECTION_FIELDS:
            if options:
                raise _OverrideError(f"unknown options [{' '.join(sorted(options))}] in section {section}")
            raise _OverrideError(f"unknown section {section}")
        key = ELEMENT_KEYS[section]
        validate: Callable[[], str | None]
        if create:
            new = _zero_element(section, self.version)
            new[key] = options[key]
            elements.append(new)
            element = options[key]
        if not key:
            targets = elements if element == "" else []
            validate = lambda: _validate_element(section, elements[0])  # noqa: E731
        elif element == "" and not create:
            # No element name on a list section: the walker applies the
            # options to every element and validates the whole list.
            targets = list(elements)
            validate = lambda: _validate_slack_list(elements)  # noqa: E731
        else:
            targets = [e for e in elements if e[key] == element]
            if targets:
                last = targets[-1]
                validate = lambda: _validate_element(section, last)  # noqa: E731
            else:
                validate = lambda: _validate_slack_list(elements)  # noqa: E731
        used: set[str] = set()
        for target in targets:
            for name, kind in self.fields[section]:
                if name not in options:
                    continue
                if not create and key and name == key:
                    raise _OverrideError(f"cannot override element key {name}")
                value = options[name]
                if type(value) is not kind and not (kind is str and isinstance(value, str)):
                    got = _go_reflect_kind(value)
                    want = "bool" if kind is bool else "string"
                    raise _OverrideError(
                        f"cannot set option {name}: wrong kind {got}, expected value of kind {want}: false"
                    )
                target[name] = value
                used.add(name)
        unused = sorted(set(options) - used)
        if unused:
            raise _OverrideError(f"unknown options [{' '.join(unused)}] in section {section}")
        if err := validate():
            raise _OverrideError(f"failed validation: {err}")

    def _redacted_element(self, section: str, element: dict[str, Any]) -> dict[str, Any]:
        key = ELEMENT_KEYS[section]
        name = element[key] if key else ""
        href = f"{CONFIG_BASE}{section}/{name}"
        options = {
            k: (bool(v) if k in self.redacted[section] else v) for k, v in sorted(element.items())
        }
        return {
            "link": {"rel": "self", "href": href},
            "options": options,
            "redacted": list(self.redacted[section]),
        }

    def _section_view(self, section: str) -> dict[str, Any]:
        if section in self.handlers.sections:
            return self.handlers.section_view(section)
        return {
            "link": {"rel": "self", "href": CONFIG_BASE + section},
            "elements": [self._redacted_element(section, e) for e in self._merged(section)],
        }

    # --------------------------------------------------------- HTTP routing

    def _dispatch(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> _Answer:
        if method == "OPTIONS":
            return _Answer(200, headers={"Content-Type": ""})  # CORS pre-flight, before auth
        if self.force_status is not None:
            status = HTTPStatus(self.force_status)
            return _error(status, self.force_error or status.phrase)
        if self.auth is not None:
            denied = self._check_auth(headers, query)
            if denied is not None:
                return denied
        clean = _clean_path(path)
        if clean != path:
            location = clean + (f"?{query}" if query else "")
            return _Answer(301, f'<a href="{location}">Moved Permanently</a>.\n\n'.encode(),
                           {"Location": location, "Content-Type": "text/html; charset=utf-8"})
        if method in ("GET", "HEAD") and path == BASE_PATH + "/ping":
            return _Answer(204)
        if path == BASE_PATH + "/config" and method == "GET" or (
            path.startswith(CONFIG_BASE) and method in ("GET", "POST")
        ):
            if self.overrides_disabled:
                return _error(HTTPStatus.FORBIDDEN, "config override service is not enabled")
            with self._lock:
                if method == "GET":
                    return self._get_config(path)
                return self._update_config(path, body)
        if path == BASE_PATH + "/service-tests" and method == "GET":
            return self._list_tests(query)
        if path.startswith(TESTS_BASE) and method == "GET":
            return self._test_options(path)
        if path.startswith(TESTS_BASE) and method == "POST":
            return self._run_test(path, body)
        if path == BASE_PATH + "/logs" and method == "GET":
            if not self.logs.available:
                return _error(HTTPStatus.NOT_FOUND, "Not Found")
            problem = self.logs.bad_query(query)
            if problem:
                return _error(HTTPStatus.BAD_REQUEST, problem)
            raise _StreamLogs()
        if self.alerts.handles(path):
            self.alerts.hold_if_asked(method, path)  # outside the lock: other requests go on meanwhile
            with self._lock:
                return self.alerts.dispatch(method, path, query, body)
        return _error(HTTPStatus.NOT_FOUND, "Not Found")

    def _check_auth(self, headers: dict[str, str], query: str) -> _Answer | None:
        """httpd.authenticate with basic credentials only."""
        assert self.auth is not None
        user = password = None
        authz = headers.get("authorization", "")
        if authz:
            parts = authz.split(" ")
            if len(parts) == 2 and parts[0] == "Bearer":
                return _error(HTTPStatus.UNAUTHORIZED, "invalid token: signature is invalid", pretty=False)
            if authz[:6].lower() == "basic ":
                try:
                    decoded = base64.b64decode(authz[6:], validate=True).decode()
                except (binascii.Error, UnicodeDecodeError):
                    decoded = ""
                if ":" in decoded:
                    user, _, password = decoded.partition(":")
        if user is None:
            q = parse_qs(query)
            u, p = q.get("u", [""])[0], q.get("p", [""])[0]
            if u and p:
                user, password = u, p
        if user is None:
            return _error(HTTPStatus.UNAUTHORIZED, "unable to parse authentication credentials", pretty=False)
        if user == "":
            return _error(HTTPStatus.UNAUTHORIZED, "username required", pretty=False)
        if (user, password) != self.auth:
            return _error(HTTPStatus.UNAUTHORIZED, "authorization failed", pretty=False)
        return None

    def _get_config(self, path: str) -> _Answer:
        if poisoned := self.handlers.poison_error():
            return _error(HTTPStatus.INTERNAL_SERVER_ERROR,
                          f"failed to resolve current config:failed to apply configuration overrides: {poisoned}")
        if path == BASE_PATH + "/config":
            sections = {name: self._section_view(name) for name in sorted([*SECTION_FIELDS, *self.handlers.sections])}
            return _ok({"link": {"rel": "self", "href": BASE_PATH + "/config"}, "sections": sections})
        section, element, has_element = _split_config_path(path)
        if section == "":
            return _error(HTTPStatus.BAD_REQUEST, "section not specified, do you have an extra trailing '/'?")
        if section not in SECTION_FIELDS and section not in self.handlers.sections:
            return _error(HTTPStatus.NOT_FOUND, f"unknown section: {section}")
        try:
            view = self._section_view(section)
        except _OverrideError as exc:
            return _error(HTTPStatus.INTERNAL_SERVER_ERROR,
                          f"failed to resolve current config:failed to apply configuration overrides: {exc}")
        if not has_element:
            return _ok(view)
        key = self.handlers.element_key(section)
        for entry in view["elements"]:
            if (element == "" and key == "") or (key and entry["options"][key] == element):
                return _ok(entry)
        return _error(HTTPStatus.NOT_FOUND, f"unknown section/element: {section}/{element}")

    def _update_config(self, path: str, body: bytes) -> _Answer:
        """config.Service.handleUpdateSection."""
        section, element, has_element = _split_config_path(path)
        try:
            action = _decode_update(body)
        except _DecodeError as exc:
            return _error(HTTPStatus.BAD_REQUEST, f"failed to decode JSON:{exc}")
        try:
            overrides, save = self._overrides_for_update(section, element, has_element, action)
        except _OverrideError as exc:
            return _error(HTTPStatus.BAD_REQUEST, f"failed to apply update: {exc}")
        if poisoned := self.handlers.poison_error(skip=section):
            return _error(HTTPStatus.BAD_REQUEST, poisoned)
        try:
            new_section = self._merged(section, overrides)
        except _OverrideError as exc:
            return _error(HTTPStatus.BAD_REQUEST, str(exc))
        try:
            self._update_service(section, new_section)
        except _ServiceUpdateError as exc:
            return _error(HTTPStatus.INTERNAL_SERVER_ERROR,
                          f"failed to update configuration {section}/{element}: {exc}")
        save()
        return _Answer(204)

    def _overrides_for_update(
        self, section: str, element: str, has_element: bool, action: dict[str, Any]
    ) -> tuple[list[tuple[str, _Override]], Callable[[], None]]:
        set_, delete, add, remove = action["set"], action["delete"], action["add"], action["remove"]
        err = None
        if section == "":
            err = "must provide section name"
        elif not _SECTION_RE.match(section):
            err = f"invalid section name {go_quote(section)}"
        elif element and not _SECTION_RE.match(element):
            err = f"invalid element name {go_quote(element)}"
        elif (set_ or delete) and (add or remove):
            err = "cannot provide both set/delete and add/remove actions in the same update"
        elif add and element:
            err = "must not provide an element name when adding an a new override"
        elif remove and element:
            err = "must not provide element when removing an override"
        elif not remove and not add and not has_element:
            err = "element not specified, are you missing a trailing '/'?"
        if err:
            raise _OverrideError(f"invalid update action: {err}")

        current = self._section_overrides(section)
        if remove:
            # services/config/service.go, overridesForUpdateAction (1.5.7 and 1.8.3 alike): `remove`
            # only filters the named elements' stored overrides out and its save deletes them
            # (deleting one that does not exist is no error, services/config/dao.go). An element
            # that kapacitor.conf defines is not in the store: it stays, back at the file's values,
            # with 204 like any removal.
            removed = {_element_id(section, r) for r in remove}

            def save_remove() -> None:
                for oid in removed:
                    self._overrides.pop(oid, None)

            return [(oid, o) for oid, o in current if oid not in removed], save_remove

        if add:
            key = self.handlers.element_key(section)
            if key is None:
                raise _OverrideError(f"unknown section {go_quote(section)}")
            if key == "":
                raise _OverrideError(f"section {go_quote(section)} is not a list, cannot add new element")
            if key not in add:
                raise _OverrideError(f"missing key {go_quote(key)} in \"add\" map")
            if not isinstance(add[key], str):
                raise _OverrideError(
                    f"expected {go_quote(key)} key to be a string, got {_go_type_name(add[key])}"
                )
            element = add[key]
        oid = _element_id(section, element)
        existing = self._overrides.get(oid)
        if existing is not None and add:
            # 1.5.7 wraps a nil error here and then calls a nil save function:
            # the handler panics and the client gets no answer.
            raise _DropConnection()
        if add:
            updated = _Override(options=dict(add), create=True)
            updated.fresh = set(add)  # type: ignore[attr-defined]  # values not yet through the store
        else:
            updated = copy.deepcopy(existing) if existing else _Override()
            updated.options.update(set_)
            for name in delete:
                updated.options.pop(name, None)
            updated.fresh = set(set_)  # type: ignore[attr-defined]

        def save() -> None:
            self._overrides[oid] = updated

        merged = [(i, updated if i == oid else o) for i, o in current]
        if existing is None:
            merged.append((oid, updated))
        return merged, save

    # --------------------------------------------------- running services

    def _update_service(self, section: str, elements: list[dict[str, Any]]) -> None:
        if section in self.handlers.sections:
            return self.handlers.update_service(section, elements)
        if section in ("hipchat", "telegram"):
            self._running[section] = dict(elements[0])
            return
        workspaces: dict[str, _SlackWorkspace | None] = self._running["slack"]
        # slack.Service.Update: existing workspaces are updated in place (a
        # TLS error keeps the old settings), new ones are added (a TLS error
        # leaves a nil entry behind), nothing is ever removed, and an element
        # with default=true re-points the "" entry.
        for conf in elements:
            name = conf["workspace"]
            if name not in workspaces:
                err = _tls_error(conf)
                workspaces[name] = None if err else _SlackWorkspace(conf)
                if err:
                    raise _ServiceUpdateError(err)
            else:
                ws = workspaces[name]
                if ws is None:
                    raise _DropConnection()  # nil pointer: the real server crashes
                if _tls_error(conf) is None:
                    ws.config = dict(conf)
            if conf["default"] and name != "":
                workspaces[""] = workspaces[name]

    # --------------------------------------------------------- service tests

    def _default_test_options(self, name: str) -> dict[str, Any]:
        if name in self.handlers.sections:
            return self.handlers.shown_test_options(name)
        with self._lock:
            if name == "hipchat":
                c = self._running["hipchat"]
                return {"room": c["room"], "message": "test hipchat message", "level": "CRITICAL"}
            if name == "telegram":
                c = self._running["telegram"]
                return {
                    "chat-id": c["chat-id"],
                    "parse-mode": c["parse-mode"],
                    "message": "test telegram message",
                    "disable-web-page-preview": c["disable-web-page-preview"],
                    "disable-notification": c["disable-notification"],
                }
            ws = self._running["slack"].get("", _MISSING)
            if ws is None:
                raise _DropConnection()
            c = ws.config if isinstance(ws, _SlackWorkspace) else _zero_element("slack", self.version)
            return {
                "workspace": c["workspace"],
                "channel": c["channel"],
                "message": "test slack message",
                "level": "CRITICAL",
                "username": "",
                "icon-emoji": "",
            }

    def _list_tests(self, query: str) -> _Answer:
        pattern = parse_qs(query).get("pattern", [""])[0] or "*"
        if pattern.count("[") != pattern.count("]"):
            return _error(HTTPStatus.BAD_REQUEST, "bad pattern: syntax error in pattern")
        services = [
            {"link": {"rel": "self", "href": TESTS_BASE + name}, "name": name,
             "options": self._default_test_options(name)}
            for name in sorted([*_TEST_FIELDS, *self.handlers.sections])
            if fnmatch.fnmatchcase(name, pattern)
        ]
        return _ok({"link": {"rel": "self", "href": BASE_PATH + "/service-tests"},
                    "services": services or None})

    def _test_name(self, path: str) -> tuple[str, _Answer | None]:
        name = path[len(TESTS_BASE):].rstrip("/")
        if name == "":
            return name, _error(HTTPStatus.BAD_REQUEST, "must provide service name")
        if name not in _TEST_FIELDS and name not in self.handlers.sections:
            return name, _error(HTTPStatus.NOT_FOUND, f"service {go_quote(name)} not found")
        return name, None

    def _test_options(self, path: str) -> _Answer:
        name, err = self._test_name(path)
        if err:
            return err
        return _ok({"link": {"rel": "self", "href": TESTS_BASE + name}, "name": name,
                    "options": self._default_test_options(name)})

    def _run_test(self, path: str, body: bytes) -> _Answer:
        name, err = self._test_name(path)
        if err:
            return err
        if name in self.handlers.sections:
            return self.handlers.run_test(name, body)
        options = self._default_test_options(name)
        try:
            _decode_test_options(name, options, body)
        except _DecodeError as exc:
            return _error(HTTPStatus.BAD_REQUEST, f"failed to decode JSON body:{exc}")
        sender = {"hipchat": self._test_hipchat, "slack": self._test_slack,
                  "telegram": self._test_telegram}[name]
        message = sender(options)
        return _ok({"success": message is None, "message": message or ""})

    def _test_hipchat(self, o: dict[str, Any]) -> str | None:
        with self._lock:
            c = dict(self._running["hipchat"])
        if not c["enabled"]:
            return "service is not enabled"
        room = o["room"] or c["room"]
        try:
            scheme, host, path, _ = go_url_parse(c["url"])
        except GoURLError as exc:
            return str(exc)
        url = go_url_string(scheme, host, go_path_join(path, room, "notification"),
                            urlencode({"auth_token": c["token"]}))
        color = {"WARNING": "yellow", "CRITICAL": "red"}.get(o["level"], "green")
        payload = go_encode({"from": "kapacitor", "color": color, "message": o["message"], "notify": True})
        return _post(url, payload, ok=(200, 204), service="HipChat", verify=True)

    def _test_telegram(self, o: dict[str, Any]) -> str | None:
        with self._lock:
            c = dict(self._running["telegram"])
        if not c["enabled"]:
            return "service is not enabled"
        chat_id = o["chat-id"] or c["chat-id"]
        parse_mode = o["parse-mode"] or c["parse-mode"]
        if parse_mode and parse_mode.lower() not in ("markdown", "html"):
            return f"parseMode {parse_mode} is not valid, please use 'Markdown' or 'HTML'"
        data: dict[str, Any] = {"chat_id": chat_id, "text": o["message"]}
        if parse_mode:
            data["parse_mode"] = parse_mode
        if o["disable-web-page-preview"] or c["disable-web-page-preview"]:
            data["disable_web_page_preview"] = True
        if o["disable-notification"] or c["disable-notification"]:
            data["disable_notification"] = True
        try:
            scheme, host, path, query = go_url_parse(c["url"])
        except GoURLError as exc:
            return f"invalid URL: {exc}"
        url = go_url_string(scheme, host, go_path_join(path + c["token"], "sendMessage"), query)
        return _post(url, go_encode(data), ok=(200,), service="Telegram", verify=True)

    def _test_slack(self, o: dict[str, Any]) -> str | None:
        with self._lock:
            workspaces = self._running["slack"]
            if not workspaces:
                return "no slack configuration found"
            if o["workspace"] not in workspaces:
                return "workspace id not found"
            ws = workspaces[o["workspace"]]
            if ws is None:
                raise _DropConnection()  # nil *Workspace: the handler panics
            c = dict(ws.config)
        if not c["enabled"]:
            return "service is not enabled"
        color = {"WARNING": "warning", "CRITICAL": "danger"}.get(o["level"], "good")
        attachment = {"fallback": o["message"], "color": color, "text": o["message"], "mrkdwn_in": ["text"]}
        data: dict[str, Any] = {
            "channel": o["channel"] or c["channel"],
            "text": "",
            "attachments": [attachment],
            "username": o["username"] or c["username"],
            "icon_emoji": o["icon-emoji"] or c["icon-emoji"],
        }
        headers = {}
        if self.version == VERSION:
            data["as_user"] = False
        elif c.get("token"):
            # 1.8 sends the bearer token to whatever url the element has.
            headers["Authorization"] = f"Bearer {c['token']}"
        # Attachment fields keep struct order; only the outer map is sorted.
        payload = (go_json({k: data[k] for k in sorted(data)}) + "\n").encode()
        verify: bool | str = c["ssl-ca"] or True
        if c["insecure-skip-verify"]:
            verify = False
        return _post(c["url"], payload, ok=(200,), service="Slack", verify=verify, extra_headers=headers)


_MISSING = object()


class _ServiceUpdateError(Exception):
    pass


class _DecodeError(Exception):
    pass


def _element_id(section: str, element: str) -> str:
    return f"{section}/{element}" if element else f"{section}/"


def _split_config_path(path: str) -> tuple[str, str, bool]:
    """sectionAndElementFromPath: (section, element, hasElement)."""
    rest = path[len(CONFIG_BASE):]
    parts = rest.split("/")
    section = element = ""
    if len(parts) == 1:
        section = parts[0]
    elif len(parts) == 2:
        section, element = parts
    return section, element, element != "" or (section != "" and path.endswith("/"))


def _clean_path(p: str) -> str:
    cleaned = go_path_join(p) or "/"
    if p.endswith("/") and cleaned != "/":
        cleaned += "/"
    return cleaned


def _decode_update(body: bytes) -> dict[str, Any]:
    """json.NewDecoder(body).Decode(&updateAction)."""
    try:
        value = _decode_objects(body, stream=True)
    except GoJSONSyntaxError as exc:
        raise _DecodeError(str(exc)) from None
    action: dict[str, Any] = {"set": {}, "delete": [], "add": {}, "remove": []}
    if value is None:
        return action
    if not isinstance(value, _Obj):
        raise _DecodeError(
            f"json: cannot unmarshal {_kind(value)} into Go value of type config.updateAction"
        )
    first_error: str | None = None
    for key, item in value:
        name = key.lower()  # encoding/json matches field names case-insensitively
        if name not in action or item is None:
            continue
        is_map = name in ("set", "add")
        go_type = "map[string]interface {}" if is_map else "[]string"
        if is_map and isinstance(item, _Obj):
            action[name] = _plain(item)
        elif not is_map and isinstance(item, list) and not isinstance(item, _Obj):
            strings = [v for v in item if isinstance(v, str)]
            if len(strings) != len(item) and first_error is None:
                bad = next(v for v in item if not isinstance(v, str) and v is not None)
                first_error = (f"json: cannot unmarshal {_kind(bad)} into Go struct field "
                               f"updateAction.{name} of type string")
            action[name] = strings
        elif first_error is None:
            first_error = (f"json: cannot unmarshal {_kind(item)} into Go struct field "
                           f"updateAction.{name} of type {go_type}")
    if first_error:
        raise _DecodeError(first_error)
    return action


def _decode_test_options(name: str, options: dict[str, Any], body: bytes) -> None:
    """json.NewDecoder(body).Decode(&testOptions) over the default options."""
    try:
        value = _decode_objects(body, stream=True)
    except GoJSONSyntaxError as exc:
        raise _DecodeError(str(exc)) from None
    if value is None:
        return
    package = name
    if not isinstance(value, _Obj):
        raise _DecodeError(f"json: cannot unmarshal {_kind(value)} into Go value of type {package}.testOptions")
    fields = dict(_TEST_FIELDS[name])
    first_error: str | None = None
    for key, item in value:
        field_name = next((f for f in fields if f.lower() == key.lower()), None)
        if field_name is None or item is None:
            continue
        kind = fields[field_name]
        if field_name == "level":
            if not isinstance(item, str):
                first_error = first_error or (
                    f"json: cannot unmarshal {_kind(item)} into Go struct field "
                    f"testOptions.level of type alert.Level")
                continue
            if item not in LEVELS:
                # UnmarshalText errors abort decoding and come back verbatim.
                raise _DecodeError(f"unknown alert level '{item}'")
            options["level"] = item
        elif type(item) is kind:
            options[field_name] = item
        elif first_error is None:
            first_error = (f"json: cannot unmarshal {_kind(item)} into Go struct field "
                           f"testOptions.{field_name} of type {'bool' if kind is bool else 'string'}")
    if first_error:
        raise _DecodeError(first_error)


def _response_error(body: bytes) -> str | None:
    """Decode {"error": "..."} like Go: the first JSON value, a string field
    named error (any case); anything else leaves the default message."""
    try:
        value = _decode_objects(body, stream=True)
    except GoJSONSyntaxError:
        return None
    if not isinstance(value, _Obj):
        return None
    found = None
    for key, item in value:
        if key.lower() == "error" and isinstance(item, str):
            found = item
    return found


def _telegram_error(status: int, body: bytes) -> str:
    """json.Unmarshal into {description string, error_code int, ok bool}."""
    text = body.decode("utf-8", errors="replace")

    def failed(err: str) -> str:
        return f"failed to understand Telegram response (err: {err}). code: {status} content: {text}"

    try:
        value = _decode_objects(body, stream=False)
    except GoJSONSyntaxError as exc:
        return failed(str(exc))
    description, code = "", 0
    if value is None:
        return f"sendMessage error ({code}) description: {description}"
    if not isinstance(value, _Obj):
        return failed(f"json: cannot unmarshal {_kind(value)} into Go value of type telegram.response")
    fields = {"description": str, "error_code": int, "ok": bool}
    first_error = None
    for key, item in value:
        name = next((f for f in fields if f == key.lower()), None)
        if name is None or item is None:
            continue
        if name == "error_code":
            if isinstance(item, int) and not isinstance(item, bool):
                code = item
            elif first_error is None:
                kind = f"number {item}" if isinstance(item, float) else _kind(item)
                first_error = f"json: cannot unmarshal {kind} into Go struct field response.error_code of type int"
        elif name == "description":
            if isinstance(item, str):
                description = item
            elif first_error is None:
                first_error = f"json: cannot unmarshal {_kind(item)} into Go struct field response.description of type string"
        elif not isinstance(item, bool) and first_error is None:
            first_error = f"json: cannot unmarshal {_kind(item)} into Go struct field response.ok of type bool"
    if first_error:
        return failed(first_error)
    return f"sendMessage error ({code}) description: {description}"


def _dial_address(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host == "localhost":
        host = "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


_clients: dict[bool | str, httpx.Client] = {}
_clients_lock = threading.Lock()


def _client(verify: bool | str) -> httpx.Client:
    """A shared client per TLS setting, since building one loads the CA bundle, which is slow.

    It keeps no connection alive: a receiver of an earlier test, closed but with its
    keep-alive connection still served by a handler thread, would otherwise answer for the
    receiver of the next test at the same address.
    """
    with _clients_lock:
        if verify not in _clients:
            _clients[verify] = httpx.Client(
                timeout=SEND_TIMEOUT, verify=verify, trust_env=False,
                limits=httpx.Limits(max_keepalive_connections=0),
            )
        return _clients[verify]


def _post(url: str, payload: bytes, *, ok: tuple[int, ...], service: str, verify: bool | str,
          extra_headers: dict[str, str] | None = None) -> str | None:
    """http.Post as the Go services do it; None on success, else the error text."""
    headers = {
        "User-Agent": "Go-http-client/1.1",
        "Content-Type": "application/json",
        "Accept-Encoding": "gzip",
        **(extra_headers or {}),
    }
    try:
        response = _client(verify).post(url, content=payload, headers=headers)
    except httpx.ConnectError as exc:
        text = str(exc).lower()
        if "refused" in text:
            return f"Post {go_quote(url)}: dial tcp {_dial_address(url)}: connect: connection refused"
        if "name or service not known" in text or "nodename" in text or "resolution" in text:
            host = urlsplit(url).hostname
            return f"Post {go_quote(url)}: dial tcp: lookup {host}: no such host"
        return f"Post {go_quote(url)}: {exc}"
    except httpx.TimeoutException:
        return f"Post {go_quote(url)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
    except (httpx.HTTPError, ValueError) as exc:
        if "unsupported protocol" in str(exc).lower() or isinstance(exc, httpx.UnsupportedProtocol):
            scheme = urlsplit(url).scheme
            return f"Post {go_quote(url)}: unsupported protocol scheme {go_quote(scheme)}"
        return f"Post {go_quote(url)}: {exc}"
    if response.status_code in ok:
        return None
    body = response.content
    if service == "Telegram":
        return _telegram_error(response.status_code, body)
    default = (f"failed to understand {service} response. code: {response.status_code} "
               f"content: {body.decode('utf-8', errors='replace')}")
    found = _response_error(body)
    return default if found is None else found


def _ok(value: dict[str, Any]) -> _Answer:
    """A 200 with the value as json.NewEncoder writes it; the caller builds
    the dicts in Go's order (struct fields as declared, map keys sorted)."""
    return _Answer(200, (go_json(value) + "\n").encode())


def _error(status: int, message: str, *, pretty: bool = True) -> _Answer:
    """httpd.HttpError: {"error": ...}, indented (pretty) and no newline."""
    if status in (204, 304) or status < 200:
        return _Answer(status)
    return _Answer(int(status), go_json({"error": message}, indent=pretty).encode(), error=message, pretty=pretty)


def _error_body(version: str, message: str, pretty: bool) -> bytes:
    """1.8 added "message" (the same text) to match InfluxDB 2.x."""
    body = {"error": message} if version == VERSION else {"error": message, "message": message}
    return go_json(body, indent=pretty).encode()


class _Handler(BaseHTTPRequestHandler):
    fake: KapacitorFake
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle plus
    # delayed ACKs add ~40 ms to every exchange.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # keep test output quiet

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        body = self._read_body()
        target = self.path
        path, _, query = target.partition("?")
        headers = {k: v for k, v in self.headers.items()}
        self.fake._record(RecordedRequest(self.command, target, headers, body))
        lower = {k.lower(): v for k, v in headers.items()}
        try:
            answer = self.fake._dispatch(self.command, path, query, lower, body)
        except _DropConnection:
            self.close_connection = True
            return
        except _StreamLogs:
            self.fake.logs.serve(self, query, lower.get("content-type", ""))
            return
        lost = self.fake.after_update
        if lost and self.command == "POST" and path.startswith(CONFIG_BASE) and answer.status == 204:
            self.close_connection = True
            if lost == "hang":
                self.fake._hung.wait()
            # SO_LINGER 0: closing sends a TCP reset instead of an orderly end.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        if answer.error is not None:
            answer.body = _error_body(self.fake.version, answer.error, answer.pretty)
        if answer.trickle:
            self._trickle(answer)
            return
        self.send_response_only(answer.status)
        content_type = answer.headers.pop("Content-Type", "application/json; charset=utf-8")
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Request-Id", str(uuid.uuid1()))
        self.send_header("X-Kapacitor-Version", self.fake.version)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Date", self.date_time_string())
        if answer.status not in (204, 304) and answer.status >= 200:
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD" and answer.body:
            self.wfile.write(answer.body)
        # httpd logs every request once it is answered (services/diagnostic handlers.go HTTPDHandler.HTTP).
        self.fake.logs.http_request(self.client_address[0], self.command, target, answer.status,
                                    lower.get("user-agent", ""))

    def _trickle(self, answer: _Answer) -> None:
        """The whole answer, status line first, one byte at a time (see AlertsStandIn.trickle)."""
        head = [f"HTTP/1.1 {answer.status} {HTTPStatus(answer.status).phrase}",
                "Content-Type: application/json; charset=utf-8", f"X-Kapacitor-Version: {self.fake.version}"]
        if answer.status not in (204, 304):
            head.append(f"Content-Length: {len(answer.body)}")
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + (answer.body if answer.status not in (204, 304) else b"")
        self.close_connection = True
        try:
            for index in range(len(raw)):
                self.wfile.write(raw[index:index + 1])
                self.wfile.flush()
                if self.fake._hung.wait(answer.trickle):
                    return  # the stand-in is closing
        except OSError:
            return  # the client gave up

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle


__all__ = [
    "KapacitorFake",
    "RecordedRequest",
    "SECTION_FIELDS",
    "VERSIONS",
    "default_element",
    "section_fields",
    "dead_url",
]


def _free_port() -> int:
    """A local port nothing listens on (for connection-refused cases)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dead_url(path: str = "/") -> str:
    """A URL on 127.0.0.1 where nothing listens: sends there are refused."""
    return f"http://127.0.0.1:{_free_port()}{path}"

