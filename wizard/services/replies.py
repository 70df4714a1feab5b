"""Reading answers from servers the wizard does not control.

Kapacitor, the Telegram Bot API, Slack and HipChat (or whatever answers at the
address given) may send anything: an HTML error page, half a body, ten
megabytes, JSON of another shape. The helpers here keep that from turning into
a traceback or a screenful of text: bodies are read up to a cap, error texts
are cut to one readable line, and JSON is checked for the shape the wizard
relies on before it is used.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from wizard.services import deadline
from wizard.text.secrets import mask_received

MAX_BODY = 1024 * 1024
"""The largest answer the wizard reads (1 MiB); every answer it needs is a few kilobytes."""

TEXT_LIMIT = 200
"""How much of a server's own error text is shown."""

_SPACE = re.compile(r"\s+")


class BodyTooLarge(Exception):
    """The answer was larger than MAX_BODY."""

    status: int | None = None
    """The answer's HTTP status (set by `send`)."""


class ShapeError(ValueError):
    """Valid JSON, but not of the shape the wizard relies on; the text says where."""


def one_line(text: object, limit: int = TEXT_LIMIT) -> str:
    """A server's text on one line, cut to `limit` characters with an ellipsis."""
    flat = _SPACE.sub(" ", str(text)).strip()
    if len(flat) > limit:
        return flat[: limit - 1].rstrip() + "…"
    return flat


def sentence(text: str) -> str:
    """`text` ending in a full stop (unless it ends in other punctuation already)."""
    return text if not text or text[-1] in ".!?…" else text + "."


def size_label(size: int = MAX_BODY) -> str:
    return f"{size / (1024 * 1024):g} MiB"


async def read_capped(response: httpx.Response, limit: int = MAX_BODY) -> bytes:
    """The body of a streamed response, refusing more than `limit` bytes (after decoding)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(int(declared))
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > limit:
            raise BodyTooLarge(total)
        chunks.append(chunk)
    return b"".join(chunks)


def redirect_target(response: httpx.Response | Reply) -> str:
    """Where a 3xx answer points, as host[:port] (never the user name or password in it)."""
    location = response.headers.get("Location", "")
    try:
        parts = urlsplit(location)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "another address"
    if not host:
        return "another path on the same server"
    return f"{host}:{port}" if port else host


def retry_after(response: httpx.Response | Reply) -> str:
    """The Retry-After header as a phrase ("7 seconds"), or "" when absent."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return f"{int(value)} second" + ("" if int(value) == 1 else "s")
    return one_line(value, 40)


def transport_failure(err: BaseException) -> str:
    """A plain phrase for an httpx (or lower) failure; never the URL, which may hold a secret."""
    if isinstance(err, httpx.TimeoutException):
        return "did not answer in time"
    if isinstance(err, httpx.RemoteProtocolError):
        return "closed the connection in the middle of the answer"
    if isinstance(err, httpx.ReadError):
        return "reset the connection while answering"
    if isinstance(err, httpx.WriteError):
        return "dropped the connection while the request was sent"
    if isinstance(err, httpx.ConnectError):
        text = str(err).lower()
        if "certificate" in text or "ssl" in text:
            return "could not be reached: its TLS certificate could not be verified"
        if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
            return "could not be reached: the host name could not be resolved"
        return "could not be reached (connection refused)"
    if isinstance(err, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return "could not be reached: the address is not a valid http:// or https:// URL"
    if isinstance(err, (OverflowError, ValueError)) or "port" in str(err).lower():
        return "could not be reached: the address has an invalid port"
    return f"could not be reached ({type(err).__name__})"


def without_userinfo(url: str) -> str:
    """`url` without a user name or password in it (for texts)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]))


def address_problem(url: str) -> str:
    """Why an http(s) address cannot be used, or "" when it looks fine."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "the address has an invalid port"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "the address is not a valid http:// or https:// URL"
    return ""


# -- shape checks -----------------------------------------------------------------

_KINDS: dict[type, str] = {
    dict: "an object",
    list: "a list",
    str: "a string",
    bool: "true or false",
    int: "a number",
}


def _describe(value: object) -> str:
    if value is None:
        return "null"
    for kind, name in _KINDS.items():
        if type(value) is kind:
            return name
    return type(value).__name__


def expect(value: Any, kind: type, where: str) -> Any:
    """`value` if it is of `kind`, else ShapeError naming `where` and what was found."""
    if type(value) is not kind:  # exact: JSON's true is not a number here
        raise ShapeError(f"{where} is {_describe(value)}, expected {_KINDS.get(kind, kind.__name__)}")
    return value


def member(body: Mapping[str, Any], key: str, kind: type, where: str, *, default: Any = ...) -> Any:
    """`body[key]` checked to be of `kind`; a missing key gives `default`, or ShapeError without one."""
    if key not in body or (body[key] is None and default is not ...):
        if default is ...:
            raise ShapeError(f"{where}.{key} is missing" if where else f"{key} is missing")
        return default
    return expect(body[key], kind, f"{where}.{key}" if where else key)


class Reply:
    """An answer read in full (at most MAX_BODY bytes); `redirect` names where a 3xx points."""

    __slots__ = ("status", "headers", "content", "redirect")

    def __init__(self, status: int, headers: httpx.Headers, content: bytes, redirect: str = "") -> None:
        self.status = status
        self.headers = headers
        self.content = content
        self.redirect = redirect

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


async def send(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    timeout: float,
    connect_timeout: float | None = None,
    **options: Any,
) -> Reply:
    """One exchange through `http`: the request, and its body read up to MAX_BODY
    (BodyTooLarge beyond), all within `timeout` seconds however slowly the server sends.

    Every HTTP client of the wizard goes through here, so `--timeout` bounds each exchange
    the same way everywhere (`deadline.exchange`). Running out of time, by the deadline or
    by httpx's own timeouts, is `deadline.ExchangeTimeout`; other httpx errors pass through
    for the caller to name; a redirect is not followed.
    """
    seconds = httpx.Timeout(timeout, connect=min(timeout, connect_timeout or timeout))
    status: int | None = None
    try:
        async with deadline.exchange(timeout) as progress:
            async with http.stream(method, url, follow_redirects=False, timeout=seconds, **options) as response:
                progress.answering = True
                status = response.status_code
                if response.is_redirect:
                    return Reply(status, response.headers, b"", redirect_target(response))
                return Reply(status, response.headers, await read_capped(response))
    except httpx.TimeoutException as err:
        raise deadline.ExchangeTimeout(timeout, answering=status is not None) from err
    except BodyTooLarge as err:
        err.status = status
        raise


def summary(content: bytes) -> str:
    """What a body is, on one line: an HTML page (with its title), JSON that does not parse,
    other JSON or text (with its start), or nothing. What it quotes is received text, masked
    by `secrets.mask_received`."""
    head = content[:4096].lstrip()
    if not head:
        return "an empty answer"
    if head[:1] == b"<":
        title = re.search(rb"<title[^>]*>(.*?)</title>", head, re.I | re.S)
        name = mask_received(title.group(1).decode("utf-8", "replace"), limit=80) if title else ""
        return f"an HTML page ({name})" if name else "an HTML page"
    start = '("' + mask_received(head.decode("utf-8", "replace"), limit=80) + '")'
    if head[:1] in (b"{", b"["):
        try:
            json.loads(content)
        except ValueError:
            return f"JSON that does not parse {start}"
        return f"JSON {start}"
    return f"text that is not JSON {start}"
