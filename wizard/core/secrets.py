"""Secret values: kept out of reprs, logs and any text shown to a person.

Every text the wizard shows, prints, logs or stores passes a `Scrubber`. A secret
can come back from the network in many spellings (Kapacitor quotes values Go's way
in its errors, httpx percent-encodes URLs, JSON escapes), so the scrubber learns
each of them when it learns the secret.
"""
from __future__ import annotations

import json
import logging
import re
import threading
import traceback
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, unquote, urlsplit

MASK = "•••"
ELLIPSIS = "…"

MIN_SECRET_LENGTH = 6
"""Shorter values are not masked in running text: they would mask ordinary words.
Real tokens are long; a short URL password is still masked inside its URL."""

# `scheme://user:password@`: the password is masked in any URL of any text. The
# password runs to the last "@" of the authority, as urlsplit reads it.
_USERINFO_RE = re.compile(r"(?i)(\b[a-z][a-z0-9+.\-]*://[^\s/?#@:\"'<>\\]*:)([^\s/?#\"'<>]*)@")


class Secret:
    """A secret string whose repr and str never show the value.

    Every secret made is also taught to the process-wide scrubber, so a crash
    report or a log line cannot show it even when no screen registered it.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
            GLOBAL_SCRUBBER.add(value)

    def reveal(self) -> str:
        """The real value, for the one place that must send it."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    __str__ = __repr__


def string_leaves(value: object) -> list[str]:
    """Every string inside a list or object (and its keys' values), depth first."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in string_leaves(item)]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in string_leaves(item)]
    return []


def secret_is_set(value: object) -> bool:
    """Whether a secret holds something: for an object of settings (Kafka's SASL), whether a
    text in it does; its default numbers and empty texts are not a secret being set."""
    if isinstance(value, (dict, list, tuple)):
        return any(string_leaves(value))
    return bool(value)


class StructuredSecret(Secret):
    """A secret list or object (httppost `headers`, kafka's SASL settings): every string in it
    is a secret, and Kapacitor gets the structure itself, not its text."""

    __slots__ = ("_structure",)

    def __init__(self, structure: dict[str, object] | list[object]) -> None:
        super().__init__(json.dumps(structure, sort_keys=True))
        self._structure = structure
        for leaf in string_leaves(structure):
            if len(leaf) >= MIN_SECRET_LENGTH:
                GLOBAL_SCRUBBER.add(leaf)

    def reveal(self) -> str:
        # The structure, for the request body; typed as text so callers of Secret stay simple.
        return self._structure  # type: ignore[return-value]

    def leaves(self) -> list[str]:
        return string_leaves(self._structure)

    def __bool__(self) -> bool:
        return bool(self._structure)


# -- the spellings a secret comes back in ---------------------------------------

_GO_ESCAPES = {
    "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
    "\\": "\\\\", '"': '\\"',
}


def _go_printable(ch: str) -> bool:
    """strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space."""
    return ch == " " or unicodedata.category(ch)[0] in "LMNPS"


def go_quote(s: str) -> str:
    """Go's strconv.Quote (what `%q` prints), which Kapacitor uses to echo values in errors."""
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif _go_printable(ch):
            out.append(ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:  # not a valid rune: Go writes the replacement character
            out.append("\\ufffd")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _json_forms(s: str) -> set[str]:
    plain = json.dumps(s, ensure_ascii=False)[1:-1]
    # Go's encoding/json also escapes <, > and & (Kapacitor's error bodies).
    go_json = plain.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    go_json = go_json.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return {plain, json.dumps(s)[1:-1], go_json}


def secret_forms(value: str) -> set[str]:
    """Every spelling of `value` that a text can carry: raw, percent-encoded, JSON-escaped,
    Go-quoted, Python repr, and the JSON and repr spellings of the Go-quoted one
    (a Go error inside a JSON body, or an exception's repr)."""
    go = go_quote(value)[1:-1]
    odd = "surrogatepass"  # a lone surrogate (from a terminal's undecodable bytes) must not crash this
    forms = {
        value,
        quote(value, safe="", errors=odd),
        quote(value, errors=odd),
        quote_plus(value, errors=odd),
        quote(value, safe="!$&'()*+,;=:@/", errors=odd),  # httpx leaves RFC 3986 sub-delims in paths alone
        repr(value)[1:-1],
        go,
        repr(go)[1:-1],
    }
    forms |= _json_forms(value) | _json_forms(go)
    # Texts from the network are often put on one line before they are scrubbed.
    forms |= {" ".join(f.split()) for f in forms if len(" ".join(f.split())) >= MIN_SECRET_LENGTH}
    return {f for f in forms if f}


# -- URLs with a password ----------------------------------------------------------

def mask_userinfo(text: str) -> str:
    """`http://admin:secret@host:9092/x` -> `http://admin:•••@host:9092/x`, in a URL or any text.

    The user name stays (it helps to recognise the URL); a user name without a password
    is left as it is.
    """
    if "@" not in text:
        return text
    return _USERINFO_RE.sub(lambda m: f"{m.group(1)}{MASK}@", text)


_URL_PATH_RE = re.compile(r"(?i)(\b[a-z][a-z0-9+.\-]*://[^\s/?#\"'<>]+)([/?][^\s\"'<>]*)")


def mask_url_paths(text: str) -> str:
    """`Post "https://alert.victorops.com/alert/KEY/team": …` -> `Post "https://alert.victorops.com/•••": …`.

    For services whose secret is part of the address (a webhook URL, an API key in the path):
    Kapacitor quotes the whole URL in its connection errors, including a stored secret the
    wizard never saw, so only the scheme and host of any URL in such a text are kept.
    """
    return _URL_PATH_RE.sub(lambda m: f"{m.group(1)}/{MASK}" if m.group(2).strip("/") else m.group(0), text)


_URL_RE = re.compile(r"(?i)\b[a-z][a-z0-9+.\-]*://[^\s\"'<>]+")


def mask_url_queries(text: str) -> str:
    """`…/notification?auth_token=TOKEN` -> `…/notification?auth_token=•••`: every query value of every URL."""

    def masked(match: re.Match[str]) -> str:
        base, sep, query = match.group(0).partition("?")
        if not sep:
            return base
        return base + "?" + re.sub(r"=([^&#]+)", f"={MASK}", query)

    return _URL_RE.sub(masked, text)


def url_password(url: str) -> str:
    """The password in a URL's userinfo, as written there ("" when there is none)."""
    candidate = url.strip()
    if "@" not in candidate:
        return ""
    if "://" not in candidate:
        candidate = "//" + candidate  # `admin:pw@host:9092` as people type it
    try:
        netloc = urlsplit(candidate).netloc
    except ValueError:
        return ""
    userinfo, at, _ = netloc.rpartition("@")
    if not at:
        return ""
    return userinfo.partition(":")[2]


def split_userinfo(url: str) -> tuple[str, str, str]:
    """(url without user and password, user, password) for a URL with a password in it;
    else (url, "", "")."""
    password = url_password(url)
    if not password or "://" not in url:
        return url, "", ""
    scheme, _, rest = url.partition("://")
    authority, slash, tail = rest.partition("/")
    userinfo, _, hostport = authority.rpartition("@")
    user = userinfo.partition(":")[0]
    return f"{scheme}://{hostport}{slash}{tail}", unquote(user), unquote(password)


# -- the scrubber --------------------------------------------------------------------

class Scrubber:
    """Replaces every secret it knows, in every spelling, with a mask.

    Kapacitor's error texts echo whole URLs (`Post "https://api.telegram.org/bot<token>/sendMessage"`)
    and quote bad values Go's way (`invalid url "https://hooks.slack.com/\\x1b..."`), so every
    text from the network passes through here before a person or a log sees it. The password
    of any `scheme://user:password@` URL is masked too, known or not.
    """

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, value: str | Secret | None) -> None:
        """Learn a secret in all its spellings (values shorter than MIN_SECRET_LENGTH are ignored)."""
        if isinstance(value, StructuredSecret):
            self.add_all(value.leaves())
            return
        raw = value.reveal() if isinstance(value, Secret) else value
        if not raw or len(raw) < MIN_SECRET_LENGTH:
            return
        if self is not GLOBAL_SCRUBBER:
            GLOBAL_SCRUBBER.add(raw)
        forms = secret_forms(raw)
        with self._lock:
            if not forms <= self._values:
                self._values = self._values | forms  # a new set: a caller may still be reading the old one
                self._pattern = None  # built again on the next call, once per change

    def add_url(self, text: str | None) -> None:
        """Learn the password of a URL a person gave (`http://admin:pw@host`), as written
        there and decoded, so that it is masked wherever it shows up on its own."""
        if not text or "@" not in text:
            return
        password = url_password(text)
        if password:
            self.add(password)
            self.add(unquote(password))

    def add_all(self, values: Iterable[str | Secret | None]) -> None:
        for value in values:
            self.add(value)

    def __call__(self, text: str) -> str:
        if not text:
            return text
        with self._lock:  # log records may come from other threads
            values, pattern = self._values, self._pattern
            if values and pattern is None:
                ordered = sorted(values, key=len, reverse=True)  # the longest spelling wins
                pattern = self._pattern = re.compile("|".join(re.escape(v) for v in ordered))
        if pattern is not None:
            text = pattern.sub(MASK, text)
            if ELLIPSIS in text:
                text = self._mask_cut_secrets(text, values)
        return mask_userinfo(text)

    @staticmethod
    def _mask_cut_secrets(text: str, values: set[str]) -> str:
        """Mask the start of a secret that a text was cut in (`…invalid url "https://hooks.sl…`):
        answers are often shortened before they reach the scrubber. A cut start shorter than a
        third of the secret (a URL's public scheme and host, say) is left alone."""
        for cut in reversed([m.start() for m in re.finditer(ELLIPSIS, text)]):
            longest = 0
            for form in values:
                least = max(MIN_SECRET_LENGTH, len(form) // 3)
                window = text[max(0, cut - len(form)):cut]
                if len(window) < least or form[:least] not in window:
                    continue
                for size in range(min(len(form) - 1, len(window)), least - 1, -1):
                    if size <= longest:
                        break
                    if window.endswith(form[:size]):
                        longest = size
                        break
            if longest:
                text = text[: cut - longest] + MASK + text[cut:]
        return text

    def line(self, text: str) -> str:
        """One scrubbed line: newlines and control characters (which could move the cursor
        or hide what follows) become spaces."""
        flat = " ".join("".join(ch if ch.isprintable() else " " for ch in self(text)).split())
        return self(flat)  # once more: joining lines must not spell a secret out again


# -- reports of unexpected errors ---------------------------------------------------

def unexpected_error_line(error: BaseException, *, with_hint: bool = True) -> str:
    """One scrubbed line for an error nobody expected (a bug): its type and message."""
    what = GLOBAL_SCRUBBER.line(str(error)).rstrip(".") or "no details"
    hint = " This is a bug in kapacitor-wizard; --debug shows where it happened." if with_hint else ""
    return f"unexpected error ({type(error).__name__}): {what}.{hint}"


def scrubbed_traceback(error: BaseException) -> str:
    """The traceback as Python prints it (with no local variables), every secret masked."""
    return GLOBAL_SCRUBBER("".join(traceback.format_exception(error)))


class _ScrubbingFilter(logging.Filter):
    """Masks secrets in records of libraries that log request URLs (httpx logs every URL).

    A record's traceback becomes one scrubbed line: tracebacks carry whole request URLs
    and response bodies.
    """

    def __init__(self, scrubber: Scrubber) -> None:
        super().__init__()
        self.scrubber = scrubber

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: show the template alone
            message = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message += f" ({type(error).__name__}: {error})"
        record.msg = self.scrubber.line(message) if record.exc_info else self.scrubber(message)
        record.args = None
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


GLOBAL_SCRUBBER = Scrubber()
"""Every secret the process has seen; used by the log filter and the crash reports."""

QUIET_LOGGERS = ("telegram", "telegram.ext")
"""python-telegram-bot logs tracebacks of its own (an HTML or malformed JSON answer, a
redirect); its errors reach the wizard as exceptions anyway, so its log stays silent."""


def install_log_scrubbing(loggers: tuple[str, ...] = ("httpx", "httpcore", "telegram", "wizard")) -> None:
    """Keep secrets out of logs: httpx logs full URLs at INFO, which contain tokens."""
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _ScrubbingFilter) for f in logger.filters):
            logger.addFilter(_ScrubbingFilter(GLOBAL_SCRUBBER))
    silence_telegram_logging()


def silence_telegram_logging() -> None:
    """No record of python-telegram-bot reaches a handler (its child loggers inherit the level)."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
