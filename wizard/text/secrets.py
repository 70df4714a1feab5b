"""Secret values: kept out of reprs, logs and any text shown to a person.

Two layers, one module:

1. Known secrets (typed, read, stored, or named secret by a handler's definition) are masked
   in everything the wizard shows or keeps: every text passes a `Scrubber`. A secret can come
   back in many spellings (Kapacitor quotes values Go's way in its errors, httpx
   percent-encodes URLs, JSON escapes, HTML pages use entities, a service echoes a webhook's
   path without its scheme or a password inside base64), so the scrubber learns each of them
   when it learns the secret.
2. Text *received* from Kapacitor or a service (an error body, an SMTP reply, a service-test
   message) also passes `mask_received`: a short excerpt in which address paths after the host,
   credentials after an auth scheme, values of secret-named fields and long token-shaped strings
   are masked even when the wizard never saw them (a key someone else stored). That guessing is
   for received text only; configuration and values a person must recognise stay readable.
"""
from __future__ import annotations

import base64
import binascii
import html
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
    encoded = {
        quote(value, safe="", errors=odd),
        quote(value, errors=odd),
        quote_plus(value, errors=odd),
        quote(value, safe="!$&'()*+,;=:@/", errors=odd),  # httpx leaves RFC 3986 sub-delims in paths alone
    }
    json_forms = _json_forms(value)
    forms = {value, repr(value)[1:-1], go, repr(go)[1:-1], *encoded, *json_forms, *_json_forms(go)}
    # Some servers echo percent-encoding with lower-case hex digits (%2f), JSON with "/" escaped
    # (PHP, some Java), or HTML with entities (Express writes "/" as &#x2F;).
    forms |= {_lower_hex(f) for f in encoded}
    forms |= {f.replace("/", "\\/") for f in json_forms if "/" in f}
    forms |= _html_forms(value)
    # Texts from the network are often put on one line before they are scrubbed.
    forms |= {" ".join(f.split()) for f in forms if len(" ".join(f.split())) >= MIN_SECRET_LENGTH}
    return {f for f in forms if f}


def _html_forms(value: str) -> set[str]:
    escaped = html.escape(value, quote=True)
    forms = {escaped, html.escape(value, quote=False)}
    forms |= {f.replace("&#x27;", "&#39;") for f in forms}
    forms |= {f.replace("/", "&#x2F;") for f in forms} | {f.replace("/", "&#47;") for f in forms}
    return {f for f in forms if f != value}


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)


# -- what else a secret gives away ------------------------------------------------------

AUTH_SCHEMES = ("Basic", "Bearer", "Digest", "GenieKey", "Token", "Key", "Splunk", "SSWS", "ApiKey", "Api-Key")
"""Words before a credential in an Authorization header (OpsGenie's is GenieKey)."""

_SCHEME_VALUE_RE = re.compile(r"(?i)^\s*(?:" + "|".join(map(re.escape, AUTH_SCHEMES)) + r")\s+(\S+)\s*$")
URL_PATH_MIN = 12
"""A secret URL's path shorter than this is not masked on its own (it would mask `/api/v1`)."""


def derived_secrets(value: str) -> set[str]:
    """Parts of a secret that a service may echo on their own, each a secret too.

    - a URL's path and query without the scheme and host (`Cannot POST /services/T0/B0/X…`
      from a relay in front of a Slack, Teams, Discord or Talk webhook), and host plus path;
    - the credential of an Authorization-style value (`Bearer <token>`, `GenieKey <key>`), and
      for `Basic` the decoded `user:password` and the password (a service echoing the header).
    """
    found: set[str] = set()
    text = value.strip()
    if "://" in text:
        try:
            parts = urlsplit(text)
        except ValueError:
            parts = None
        if parts is not None and parts.netloc:
            tail = parts.path + (f"?{parts.query}" if parts.query else "")
            for candidate in (tail, parts.path, parts.netloc.rpartition("@")[2] + tail):
                if len(candidate.rstrip("/")) >= URL_PATH_MIN:
                    found.add(candidate)
    scheme = _SCHEME_VALUE_RE.match(text)
    if scheme:
        credential = scheme.group(1)
        found.add(credential)
        if text.lower().startswith("basic"):
            try:
                decoded = base64.b64decode(credential + "=" * (-len(credential) % 4), validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                decoded = ""
            if ":" in decoded:
                found |= {decoded, decoded.partition(":")[2]}
    return {f for f in found if len(f) >= MIN_SECRET_LENGTH and f != value}


_BASE64_RUN_RE = re.compile(r"[A-Za-z0-9+/_-]{%d,}=*" % MIN_SECRET_LENGTH)


def base64_cores(value: str) -> set[str]:
    """The base64 characters that spell `value` wherever it sits inside base64-encoded data.

    Base64 turns 3 bytes into 4 characters, so a secret inside a longer encoded text (SMTP's
    AUTH PLAIN string `\\0user\\0password`, `Authorization: Basic` of `user:password`) is
    spelled one of three ways depending on its offset; each way's characters that depend on
    the secret alone are its core. Standard and URL-safe alphabets both.
    """
    raw = value.encode("utf-8", "surrogatepass")
    cores: set[str] = set()
    for offset, start in ((0, 0), (1, 2), (2, 3)):
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        end = (len(raw) + offset) * 8 // 6
        core = encoded[start:end]
        if len(core) >= MIN_SECRET_LENGTH:
            cores |= {core, core.replace("+", "-").replace("/", "_")}
    return cores


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

    Only the scheme and host of any URL in a received text are kept: Kapacitor quotes whole
    URLs in its errors, and services echo them, including a secret stored in the path or
    query that the wizard never saw (a webhook, an API key, an `auth_token`).
    """
    return _URL_PATH_RE.sub(lambda m: f"{m.group(1)}/{MASK}" if m.group(2).strip("/") else m.group(0), text)


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

REGEX_LIMIT = 400
"""Up to this many spellings are found by one compiled regex; beyond, by a table (`_Literals`)."""


class _Literals:
    """Many literal strings, found leftmost and longest first, as a regex alternation sorted
    longest first finds them.

    A few hundred are compiled into one regex, built again when one is added. A long-lived
    process learns thousands (every Secret made is learned by the process-wide scrubber), and
    compiling an alternation of all of them after every new one costs seconds each time; beyond
    REGEX_LIMIT they are found through a table keyed by their first characters, which grows in
    place. Not thread-safe by itself: its Scrubber holds a lock around every use.
    """

    KEY = MIN_SECRET_LENGTH

    def __init__(self) -> None:
        self.strings: set[str] = set()
        self.longest = 0
        self._regex: re.Pattern[str] | None = None
        self._table: dict[str, list[str]] = {}
        self._short: list[str] = []

    def add(self, strings: Iterable[str]) -> None:
        for string in set(strings) - self.strings:
            if not string:
                continue
            self.strings.add(string)
            self.longest = max(self.longest, len(string))
            bucket = self._table.setdefault(string[: self.KEY], []) if len(string) >= self.KEY else self._short
            bucket.append(string)
            bucket.sort(key=len, reverse=True)
            self._regex = None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the strings are in `text`, leftmost and longest first, not overlapping."""
        if not self.strings:
            return []
        if len(self.strings) <= REGEX_LIMIT:
            if self._regex is None:
                ordered = sorted(self.strings, key=len, reverse=True)  # the longest spelling wins
                self._regex = re.compile("|".join(re.escape(v) for v in ordered))
            return [m.span() for m in self._regex.finditer(text)]
        found: list[tuple[int, int]] = []
        table, short, key, i = self._table, self._short, self.KEY, 0
        while i < len(text):
            size = next((len(s) for s in table.get(text[i:i + key], ()) if text.startswith(s, i)), 0)
            if not size and short:
                size = next((len(s) for s in short if text.startswith(s, i)), 0)
            if size:
                found.append((i, i + size))
                i += size
            else:
                i += 1
        return found

    def cut_start(self, text: str, cut: int) -> int:
        """The length of the longest start of a string that `text` holds right before `cut`
        (a text cut short there), if that start is at least a third of the string."""
        for start in range(max(0, cut - self.longest + 1), cut - self.KEY + 1):
            size, head = cut - start, text[start:cut]
            for string in self._table.get(text[start:start + self.KEY], ()):
                if len(string) > size >= max(MIN_SECRET_LENGTH, len(string) // 3) and string.startswith(head):
                    return size
        return 0


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    pieces, last = [], 0
    for start, end in spans:
        pieces += [text[last:start], MASK]
        last = end
    return "".join(pieces) + text[last:]


class Scrubber:
    """Replaces every secret it knows, in every spelling, with a mask.

    Kapacitor's error texts echo whole URLs (`Post "https://api.telegram.org/bot<token>/sendMessage"`)
    and quote bad values Go's way (`invalid url "https://hooks.slack.com/\\x1b..."`), so every
    text from the network passes through here before a person or a log sees it. The password
    of any `scheme://user:password@` URL is masked too, known or not.
    """

    def __init__(self) -> None:
        self._forms = _Literals()
        self._cores = _Literals()
        self._lock = threading.Lock()

    def add(self, value: str | Secret | None) -> None:
        """Learn a secret in all its spellings, and the parts of it a service may echo alone
        (`derived_secrets`); values shorter than MIN_SECRET_LENGTH are ignored."""
        if isinstance(value, StructuredSecret):
            self.add_all(value.leaves())
            return
        raw = value.reveal() if isinstance(value, Secret) else value
        if not isinstance(raw, str) or len(raw) < MIN_SECRET_LENGTH:
            return
        if self is not GLOBAL_SCRUBBER:
            GLOBAL_SCRUBBER.add(raw)
        values = {raw} | derived_secrets(raw)
        forms = {form for each in values for form in secret_forms(each)}
        cores = {core for each in values for core in base64_cores(each)}
        with self._lock:
            self._forms.add(forms)
            self._cores.add(cores)

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
            text = _masked(text, self._forms.spans(text))
            if ELLIPSIS in text and self._forms.strings:
                text = self._mask_cut_secrets(text)
            if self._cores.strings:
                # A whole base64 run that holds a secret goes: its edges encode the secret's ends too.
                cores = self._cores
                text = _BASE64_RUN_RE.sub(lambda run: MASK if cores.spans(run.group(0)) else run.group(0), text)
        return mask_userinfo(text)

    def _mask_cut_secrets(self, text: str) -> str:
        """Mask the start of a secret that a text was cut in (`…invalid url "https://hooks.sl…`):
        answers are often shortened before they reach the scrubber. A cut start shorter than a
        third of the secret (a URL's public scheme and host, say) is left alone."""
        for cut in reversed([m.start() for m in re.finditer(ELLIPSIS, text)]):
            longest = self._forms.cut_start(text, cut)
            if longest:
                text = text[: cut - longest] + MASK + text[cut:]
        return text

    def line(self, text: str) -> str:
        """One scrubbed line: newlines and control characters (which could move the cursor
        or hide what follows) become spaces."""
        flat = " ".join("".join(ch if ch.isprintable() else " " for ch in self(text)).split())
        return self(flat)  # once more: joining lines must not spell a secret out again


# -- text received from Kapacitor or a service -------------------------------------

RECEIVED_LIMIT = 200
"""The longest excerpt of a received text that is shown (characters, one line)."""
RECEIVED_READ = 8192
"""How much of a received text is looked at at all; the rest is never shown."""

# Ways a service escapes what it echoes; undone before masking so that an address or a
# token spelled with entities, `\/` or `%2F` is recognised (and reads plainly).
_ESCAPED_URL_PARTS = re.compile(r"(?i)%2f|%3a|\\/")


def _readable(text: str) -> str:
    if "&" in text:
        text = html.unescape(text)
    return _ESCAPED_URL_PARTS.sub(lambda m: {"%2f": "/", "%3a": ":", "\\/": "/"}[m.group(0).lower()], text)


_SCHEMES = "|".join(re.escape(s) for s in AUTH_SCHEMES if s not in ("Token", "Key"))  # "Token invalid" is a sentence
_AUTH_RE = re.compile(rf"\b({_SCHEMES})(\s+)([A-Za-z0-9+/=._~:-]{{4,}})")
_AUTHORIZATION_RE = re.compile(r"""(?i)(\bauthorization["']?\s*[:=]\s*["']?)([^"'\s,;}\]]+(?:[ \t]+[^"'\s,;}\]]+)?)""")
_SECRET_NAME = r"[\w.-]*(?:key|token|secret|passw(?:or)?d|pwd|auth(?!or)|credential|signature)[\w.-]*"
_JSON_FIELD_RE = re.compile(rf"""(?i)(["']{_SECRET_NAME}["']\s*:\s*["'])([^"'\\]*(?:\\.[^"'\\]*)*)(["'])""")
_FORM_FIELD_RE = re.compile(rf"(?i)(?<![\w.-])({_SECRET_NAME}=)([^&\s\"'<>]+)")
_RUN_RE = re.compile(r"[A-Za-z0-9+_-]{16,}=*")
_UUID_RE = re.compile(r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_BARE_PATH_RE = re.compile(r"(?<![\w/:.%-])(/[^/\s\"'<>?#]+)(/[^\s\"'<>]+)")


def _token_shaped(run: str) -> bool:
    """A string no person wrote: a segment (between - and _) of 16+ characters mixing letters
    and digits, or of 24+ mixing upper and lower case (base64, API keys). `channel_not_found`,
    `kapacitor-wizard-slack-team2`, a chat id or a date are not."""
    for segment in re.split(r"[-_]", run):
        core = segment.strip("+=")
        if len(core) >= 16 and re.search(r"\d", core) and re.search(r"[A-Za-z]", core):
            return True
        if len(core) >= 24 and re.search(r"[a-z]", core) and re.search(r"[A-Z]", core):
            return True
    return False


def mask_unknown_secrets(text: str, *, secret_in: str = "") -> str:
    """The guessing layer, for received text only: what may be a secret nobody told the wizard.

    Masks the path and query of every URL (scheme and host stay: `http://schema.org/•••` is a
    mistake on the safe side), the password of a URL, credentials after an auth scheme or an
    Authorization field, values of fields named like a key, token or password (a request body
    echoed back), UUIDs and long token-shaped strings. With `secret_in="path"` (a service whose
    secret is part of the address, as VictorOps puts its API key in the path) a bare absolute
    path keeps only its first segment too.
    """
    text = mask_url_paths(mask_userinfo(text))
    if secret_in == "path":
        text = _BARE_PATH_RE.sub(lambda m: f"{m.group(1)}/{MASK}", text)
    text = _AUTHORIZATION_RE.sub(lambda m: m.group(1) + MASK, text)
    text = _AUTH_RE.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    text = _JSON_FIELD_RE.sub(lambda m: m.group(1) + (MASK if m.group(2) else "") + m.group(3), text)
    text = _FORM_FIELD_RE.sub(lambda m: m.group(1) + MASK, text)
    text = _UUID_RE.sub(MASK, text)
    return _RUN_RE.sub(lambda m: MASK if _token_shaped(m.group(0)) else m.group(0), text)


def mask_received(
    text: object, *, status: str = "", limit: int = RECEIVED_LIMIT, secret_in: str = "", scrub: Scrubber | None = None
) -> str:
    """Text received from Kapacitor or a service, as it may be shown: `status` (when given),
    then a one-line excerpt of at most `limit` characters in which every known secret (in any
    spelling) and everything `mask_unknown_secrets` guesses is masked.

    Known secrets are those of `scrub` and of every Secret the process has made. Entities,
    `\\/` and `%2F` in the text are undone first, so a secret spelled that way is still found.
    """
    raw = str(text if text is not None else "")
    if len(raw) > RECEIVED_READ:
        raw = raw[:RECEIVED_READ] + ELLIPSIS
    scrubbers = [GLOBAL_SCRUBBER] + ([scrub] if scrub is not None and scrub is not GLOBAL_SCRUBBER else [])
    for each in scrubbers:
        raw = each(raw)
    shown = _readable(raw)
    for each in scrubbers:
        shown = each(shown)
    shown = mask_unknown_secrets(shown, secret_in=secret_in)
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in shown).split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + ELLIPSIS
    if status:
        return f"{status}: {flat}" if flat else status
    return flat


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
