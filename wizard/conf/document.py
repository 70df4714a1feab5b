"""kapacitor.conf as a target: read, edit in place, diff, write atomically.

Kapacitor reads its handler settings from `kapacitor.conf` (TOML) at start.
This module edits every alert handler's section of that file: single ones
(`[telegram]`, `[smtp]`) and lists of elements (`[[slack]]`, `[[discord]]`,
`[[httppost]]`, `[[kafka]]`, `[[mqtt]]`, each keyed by its own option). The
file is cut at its table headers; only the edited element's own piece (with
the `[section.name]` tables that belong to it) is parsed and rendered again
with tomlkit, so everything else (comments, key order, blank lines, other
sections, quoting, where each entry sits) stays byte for byte as it was, and
a large file is quick to edit.

Writers hold a lock beside the file (`.kapacitor.conf.lock`) from reading it
to renaming the new one over it; SIGINT and SIGTERM during that time leave
the file either untouched or fully written (`ConfigWriteInterrupted` says
which) and no temporary file behind.

Nothing here imports Textual.

Typical use::

    with writing(path):                       # the lock, and signals handled
        doc = load(path)
        new = doc.apply("slack", {"enabled": True, "url": url}, workspace="")
        print(masked_diff(doc, new))          # confirmation step
        backup = write_atomic(path, new)
"""
from __future__ import annotations

import bisect
import difflib
import fcntl
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
import time
import tomllib
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.exceptions import ParseError, TOMLKitError
from tomlkit.items import AoT, Comment, Item, Table, Whitespace
from tomlkit.toml_document import TOMLDocument

from wizard.text import checks
from wizard.text.errors import ValidationError, WizardError
from wizard.text.secrets import MASK, Scrubber, secret_forms, string_leaves

__all__ = [
    "ENV_SECRET_HINT",
    "ENV_SECRET_PLACEHOLDER",
    "OPTIONS",
    "SECRETS",
    "SYSTEM_CONFIG_PATH",
    "ConfigDocument",
    "ConfigFileBusy",
    "ConfigFileChanged",
    "ConfigFileError",
    "ConfigFileInvalid",
    "ConfigFileReadOnly",
    "ConfigFileUnreadable",
    "ConfigFileUnsupported",
    "ConfigFileUnwritable",
    "ConfigWriteInterrupted",
    "default_config_path",
    "env_lines",
    "env_name",
    "load",
    "lock_path",
    "masked_diff",
    "parse",
    "remove_stale_temporary_files",
    "stale_temporary_files",
    "write_atomic",
    "writing",
]

SYSTEM_CONFIG_PATH = Path("/etc/kapacitor/kapacitor.conf")

# Option names exactly as Kapacitor 1.5 spells them, in the order new keys are written.
OPTIONS: dict[str, tuple[str, ...]] = {
    "hipchat": ("enabled", "url", "token", "room", "global", "state-changes-only"),
    "slack": (
        "enabled",
        "default",
        "workspace",
        "url",
        "token",  # Kapacitor 1.6+: a Slack app's bot token
        "channel",
        "username",
        "icon-emoji",
        "global",
        "state-changes-only",
        "ssl-ca",
        "ssl-cert",
        "ssl-key",
        "insecure-skip-verify",
    ),
    "telegram": (
        "enabled",
        "url",
        "token",
        "chat-id",
        "parse-mode",
        "disable-web-page-preview",
        "disable-notification",
        "global",
        "state-changes-only",
    ),
}

# The other event handlers, as Kapacitor 1.8 spells their options (1.5 has a subset).
OPTIONS.update({
    "alerta": ("enabled", "url", "token", "token-prefix", "environment", "origin", "timeout", "insecure-skip-verify"),
    "bigpanda": ("enabled", "url", "app-key", "token", "auto-attributes", "global", "state-changes-only", "insecure-skip-verify"),
    "discord": (
        "enabled", "default", "workspace", "url", "username", "avatar-url", "embed-title", "timestamp", "global",
        "state-changes-only", "ssl-ca", "ssl-cert", "ssl-key", "insecure-skip-verify",
    ),
    "httppost": (
        "endpoint", "url", "headers", "basic-auth", "alert-template", "alert-template-file", "row-template",
        "row-template-file",
    ),
    "kafka": (
        "enabled", "id", "brokers", "timeout", "batch-size", "batch-timeout", "use-ssl", "ssl-ca", "ssl-cert",
        "ssl-key", "insecure-skip-verify", "SASLAuth",
    ),
    "mqtt": (
        "enabled", "name", "default", "url", "client-id", "username", "password", "ssl-ca", "ssl-cert", "ssl-key",
        "insecure-skip-verify",
    ),
    "opsgenie": ("enabled", "api-key", "teams", "recipients", "url", "recovery_url", "global"),
    "opsgenie2": ("enabled", "api-key", "teams", "recipients", "url", "recovery_action", "details", "global"),
    "pagerduty": ("enabled", "service-key", "url", "global"),
    "pagerduty2": ("enabled", "routing-key", "url", "global"),
    "pushover": ("enabled", "token", "user-key", "url"),
    "sensu": ("enabled", "addr", "source", "handlers"),
    "servicenow": ("enabled", "url", "source", "username", "password", "global", "state-changes-only"),
    "smtp": (
        "enabled", "host", "port", "username", "password", "from", "to", "to-templates", "no-verify", "idle-timeout",
        "global", "state-changes-only",
    ),
    "snmptrap": ("enabled", "addr", "community", "retries"),
    "talk": ("enabled", "url", "author_name"),
    "teams": ("enabled", "channel-url", "global", "state-changes-only"),
    "victorops": ("enabled", "api-key", "routing-key", "url", "json-data", "global"),
    "zenoss": (
        "enabled", "url", "username", "password", "action", "method", "type", "tid", "collector", "severity-map",
        "global", "state-changes-only",
    ),
})

FLATTENED: dict[str, dict[str, dict[str, str]]] = {
    "kafka": {
        "SASLAuth": {
            "SASLUsername": "sasl-username",
            "SASLPassword": "sasl-password",
            "SASLExtensions": "sasl_extensions",
            "SASLMechanism": "sasl-mechanism",
            "SASLVersion": "sasl-version",
            "SASLGSSAPIServiceName": "sasl-gssapi-service-name",
            "SASLGSSAPIAuthType": "sasl-gssapi-auth-type",
            "SASLGSSAPIDisablePAFXFAST": "sasl-gssapi-disable-pafxfast",
            "SASLGSSAPIKerberosConfigPath": "sasl-gssapi-kerberos-config-path",
            "SASLGSSAPIKeyTabPath": "sasl-gssapi-key-tab-path",
            "SASLGSSAPIRealm": "sasl-gssapi-realm",
            "SASLOAUTHService": "sasl-oauth-service",
            "SASLOAUTHClientID": "sasl-oauth-client-id",
            "SASLOAUTHClientSecret": "sasl-oauth-client-secret",
            "SASLOAUTHTokenURL": "sasl-oauth-token-url",
            "SASLOAUTHScopes": "sasl-oauth-scopes",
            "SASLOAUTHParams": "sasl-oauth-parameters",
            "SASLOAUTHExpiryMargin": "sasl-oauth-token-expiry-margin",
            "SASLAccessToken": "sasl-access-token",
            "SASLOAUTHTenant": "sasl-oauth-tenant-id",
        }
    }
}
"""Objects the API shows nested (Go field names) but kapacitor.conf spells as plain keys of the
section (an embedded struct): kafka's `SASLAuth` is `sasl-username = ...` in the file."""

STRUCT_OBJECTS = frozenset({("httppost", "basic-auth"), ("kafka", "SASLAuth"), ("zenoss", "severity-map")})
"""Objects with fixed fields (Go structs); the others (headers, sasl_extensions) are maps whose keys are free."""

SECRETS: dict[str, frozenset[str]] = {
    "hipchat": frozenset({"token"}),
    "slack": frozenset({"url", "token"}),
    "telegram": frozenset({"token"}),
    "alerta": frozenset({"token"}),
    "bigpanda": frozenset({"token", "app-key"}),
    "discord": frozenset({"url"}),
    "httppost": frozenset({"headers", "basic-auth"}),
    "kafka": frozenset({"SASLAuth"}),
    "mqtt": frozenset({"password"}),
    "opsgenie": frozenset({"api-key"}),
    "opsgenie2": frozenset({"api-key"}),
    "pagerduty": frozenset({"service-key"}),
    "pagerduty2": frozenset({"routing-key"}),
    "pushover": frozenset({"token", "user-key"}),
    "sensu": frozenset(),
    "servicenow": frozenset({"password"}),
    "smtp": frozenset({"password"}),
    "snmptrap": frozenset({"community"}),
    "talk": frozenset({"url"}),
    "teams": frozenset({"channel-url"}),
    "victorops": frozenset({"api-key"}),
    "zenoss": frozenset({"password"}),
}
"""Secrets in the file: what Kapacitor redacts, and the ones it shows in clear (a Discord webhook URL)."""

# Sections Kapacitor reads as a list of elements (`[[slack]]`), and the option that names an element.
LIST_KEYS: dict[str, str] = {"slack": "workspace", "discord": "workspace", "httppost": "endpoint", "kafka": "id", "mqtt": "name"}
LIST_SECTIONS = frozenset(LIST_KEYS)
BUILT_IN_KEYS: dict[str, str] = {"slack": "", "discord": "", "httppost": "example", "kafka": "default", "mqtt": "default"}
"""The element Kapacitor has when kapacitor.conf has none for a list section."""

ENV_SECRET_PLACEHOLDER = "<secret>"
ENV_SECRET_HINT = "<set; --show-secrets to print>"
"""The placeholder `apply --format env` prints for a secret it was given but does not show."""

# Indentation for keys of a new section when the file gives no example
# (Kapacitor's sample config indents keys by two spaces).
DEFAULT_INDENT = "  "


# --------------------------------------------------------------------------- errors


class ConfigFileError(WizardError):
    """Any problem with kapacitor.conf that a person can act on."""

    def __init__(self, message: str, hint: str = "", *, path: Path | str | None = None) -> None:
        super().__init__(message, hint)
        self.path = Path(path) if path is not None else None


class ConfigFileInvalid(ConfigFileError):
    """The file is not valid TOML (or not UTF-8); `line` and `column` are 1-based."""

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        path: Path | str | None = None,
        line: int = 0,
        column: int = 0,
    ) -> None:
        super().__init__(message, hint, path=path)
        self.line = line
        self.column = column


class ConfigFileUnreadable(ConfigFileError):
    """The file exists but cannot be read (permissions, a directory, I/O error)."""


class ConfigFileUnwritable(ConfigFileError):
    """The new file could not be written; the old file is unchanged."""


class ConfigFileChanged(ConfigFileUnwritable):
    """The file changed on disk after it was read; nothing was written."""


class ConfigFileUnsupported(ConfigFileError):
    """The file has a shape this edit cannot be made to without restructuring it."""


class ConfigFileBusy(ConfigFileUnwritable):
    """Another writer held the file's lock for longer than a writer waits; nothing was written."""


class ConfigFileReadOnly(ConfigFileUnwritable):
    """The file is one's own but read-only: it is not replaced without `force`."""


class ConfigWriteInterrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM stopped a write. `written` says whether the file was replaced
    (fully: a write is never half done); the message says it in words."""

    def __init__(self, path: Path, signum: int, *, written: bool, backup: Path | None = None) -> None:
        if written:
            kept = f"; the previous file is kept as {backup}" if backup is not None else ""
            message = f"Interrupted: {path} was written{kept}."
        else:
            message = f"Interrupted: {path} was not changed."
        super().__init__(message)
        self.message = message
        self.path = path
        self.signum = signum
        self.written = written
        self.backup = backup

    @property
    def exit_status(self) -> int:
        """128 + the signal's number, as a shell reports a command a signal stopped: 130, 143."""
        return 128 + self.signum


# --------------------------------------------------------------------------- paths


def default_config_path(system_path: Path | str = SYSTEM_CONFIG_PATH, cwd: Path | str | None = None) -> Path:
    """`/etc/kapacitor/kapacitor.conf` when it exists and can be replaced, else `./kapacitor.conf`.

    "Can be replaced" means the file is writable and so is its folder, because
    the file is written by renaming a new file over it.
    """
    system = Path(system_path)
    real = Path(os.path.realpath(system))
    if real.is_file() and os.access(real, os.W_OK) and os.access(real.parent, os.W_OK | os.X_OK):
        return system
    base = Path(cwd) if cwd is not None else Path.cwd()
    return base / "kapacitor.conf"


# --------------------------------------------------------------------------- the file's outline

# A file is cut at its table headers: the preamble (top-level keys) and one piece per
# `[table]` / `[[array]]` header. Only the preamble and the handlers' own pieces are
# parsed with tomlkit and edited; every other piece is kept as the text it is, which
# keeps the layout byte for byte and makes a 5 MB file quick to edit.

_BARE_KEY = r"[A-Za-z0-9_-]+"
_KEY = rf"(?:{_BARE_KEY}|\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*')"
_HEADER = re.compile(rf"[ \t]*(\[\[?)[ \t]*({_KEY}(?:[ \t]*\.[ \t]*{_KEY})*)[ \t]*(\]\]?)[ \t]*(?:#[^\n]*)?")
_KEY_PART = re.compile(_KEY)
_TOKEN = re.compile(r"\"\"\"|'''|\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|#[^\n]*|[\[\]{}\n]")
_ML_BASIC_END = re.compile(r'(?:[^"\\]++|\\[\s\S]|"(?!""))*+"""')
_TOP_KEY = re.compile(rf"^\ufeff?[ \t]*({_KEY})[ \t]*([.=])", re.M)
_KEY_LINE = re.compile(rf"^([ \t]*){_KEY}[ \t]*[.=]", re.M)

FULL_CHECK_BYTES = 1024 * 1024
"""Up to this size the whole file is checked as TOML; above it, its outline (strings,
brackets, headers) and the handlers' sections, so a large file stays quick to edit."""


@dataclass(frozen=True, slots=True)
class _Header:
    """A table header line: where it starts, its key and whether it is `[[...]]`."""

    start: int
    key: tuple[str, ...]
    array: bool


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _invalid(text: str, offset: int, path: Path | None, reason: str) -> ConfigFileInvalid:
    line, column = _location(text, offset)
    where = f"{path}" if path is not None else "The configuration"
    return ConfigFileInvalid(
        f"{where} is not valid TOML at line {line}, column {column}: {reason}.",
        "Fix the file by hand (Kapacitor would refuse it too), then try again. Nothing was changed.",
        path=path,
        line=line,
        column=column,
    )


def _decode_key(part: str) -> str:
    if part[0] in "\"'":
        return str(tomllib.loads(f"k = {part}")["k"])
    return part


def _header_at(text: str, start: int, eol: int, path: Path | None) -> _Header:
    line = text[start:eol]
    if line.endswith("\r"):
        line = line[:-1]
    m = _HEADER.fullmatch(line)
    if m is None or len(m.group(1)) != len(m.group(3)):
        raise _invalid(text, start + len(line) - len(line.lstrip(" \t")), path, "a table header is malformed")
    key = tuple(_decode_key(p) for p in _KEY_PART.findall(m.group(2)))
    return _Header(start, key, m.group(1) == "[[")


def _end_of_multiline(text: str, pos: int, quote: str, path: Path | None, opened: int) -> int:
    """The offset just after the `\"\"\"` / `'''` that closes a multi-line string opened before `pos`."""
    if quote == '"':
        m = _ML_BASIC_END.match(text, pos)
        end = m.end() if m else -1
    else:
        found = text.find("'''", pos)
        end = found + 3 if found >= 0 else -1
    if end < 0:
        raise _invalid(text, opened, path, "a multi-line string is never closed")
    for _ in range(2):  # up to two quotes right before the delimiter belong to the string
        if end < len(text) and text[end] == quote:
            end += 1
    return end


def _skip_logical_line(text: str, pos: int, path: Path | None) -> int:
    """From a line start, the offset after the line break that ends its value (arrays and
    multi-line strings may span lines)."""
    depth = 0
    opened: list[int] = []
    p = pos
    while True:
        m = _TOKEN.search(text, p)
        if m is None:
            if depth:
                raise _invalid(text, opened[-1], path, "a bracket is never closed")
            return len(text)
        token = m.group()
        p = m.end()
        first = token[0]
        if token == "\n":
            if depth == 0:
                return p
        elif token in ('"""', "'''"):
            p = _end_of_multiline(text, p, first, path, m.start())
        elif first in "[{":
            depth += 1
            opened.append(m.start())
        elif first in "]}":
            depth -= 1
            if depth < 0:
                raise _invalid(text, m.start(), path, "a closing bracket has no opening one")
            opened.pop()


_SPECIAL = re.compile(r"""[\[{]|\"\"\"|'''""")
"""What may open a header, an array, an inline table or a multi-line string."""
_STRINGS_AND_COMMENT = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|#.*")
_SIMPLE_HEADER = re.compile(r"[ \t]*(\[\[?)([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)(\]\]?)[ \t]*(?:#[^\n]*)?\r?")


def _scan_headers(text: str, start: int, stop: int, path: Path | None) -> list[_Header]:
    """The table headers of `text[start:stop]`; `start` is a line start outside any value.

    The regular expression engine skips the lines that hold none of `[`, `{` and the
    multi-line string quotes, and a line whose brackets close on it is passed over
    whole; only what is left is read token by token.
    """
    headers: list[_Header] = []
    pos = start
    search = _SPECIAL.search
    while pos < stop:
        m = search(text, pos, stop)
        if m is None:
            break
        found = m.start()
        newline = text.rfind("\n", start, found)
        line_start = newline + 1 if newline >= 0 else start
        eol = text.find("\n", found, stop)
        if eol < 0:
            eol = stop
        if m.group() == "[" and not text[line_start:found].strip(" \t"):
            simple = _SIMPLE_HEADER.fullmatch(text, line_start, eol)
            if simple is not None and len(simple.group(1)) == len(simple.group(3)):
                headers.append(_Header(line_start, tuple(simple.group(2).split(".")), simple.group(1) == "[["))
            else:
                headers.append(_header_at(text, line_start, eol, path))
            pos = eol + 1
            continue
        line = text[line_start:eol]
        if '"""' not in line and "'''" not in line:
            bare = _STRINGS_AND_COMMENT.sub("", line)
            if bare.count("[") + bare.count("{") == bare.count("]") + bare.count("}"):
                pos = eol + 1
                continue
        pos = _skip_logical_line(text, line_start, path)
    return headers


def _parse_toml(text: str, path: Path | None) -> TOMLDocument:
    body = text[1:] if text.startswith("\ufeff") else text
    try:
        return tomlkit.parse(body)
    except ParseError as exc:
        line, column = exc.line, exc.col
        if text is not body and line == 1:
            column += 1
        where = f"{path}" if path is not None else "The configuration"
        reason = str(exc).split(" at line ")[0]
        raise ConfigFileInvalid(
            f"{where} is not valid TOML at line {line}, column {column}: {reason}.",
            "Fix the file by hand (Kapacitor would refuse it too), then try again. Nothing was changed.",
            path=path,
            line=line,
            column=column,
        ) from exc
    except TOMLKitError as exc:  # e.g. a key defined twice
        where = f"{path}" if path is not None else "The configuration"
        raise ConfigFileInvalid(
            f"{where} is not valid TOML: {exc}.",
            "Fix the file by hand (Kapacitor would refuse it too), then try again. Nothing was changed.",
            path=path,
        ) from exc


_TOMLLIB_AT = re.compile(r"^(.*) \(at line (\d+), column (\d+)\)$", re.S)


def _check_toml(
    text: str, path: Path | None, pieces: list[tuple[int, int]] | None = None, file_text: str = ""
) -> dict[str, Any]:
    """Parse `text` strictly (Kapacitor would refuse what fails here) and return its data.

    When `text` is a selection of the pieces of `file_text`, `pieces` maps it back:
    (offset in `text`, offset in the file). Errors name the file's line and column,
    with tomlkit's wording where it finds the same fault.
    """
    body = text[1:] if text.startswith("\ufeff") else text
    try:
        return tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        m = _TOMLLIB_AT.match(str(exc))
        reason, line, column = (m.group(1), int(m.group(2)), int(m.group(3))) if m else (str(exc), 0, 0)
        try:
            _parse_toml(text, None)
        except ConfigFileInvalid as found:
            if found.line:
                reason = found.message.split(": ", 1)[-1].rstrip(".")
                line, column = found.line, found.column
        if pieces and line:
            line = _file_line(text, pieces, line, file_text)
        where = f"{path}" if path is not None else "The configuration"
        at = f" at line {line}, column {column}" if line else ""
        raise ConfigFileInvalid(
            f"{where} is not valid TOML{at}: {reason}.",
            "Fix the file by hand (Kapacitor would refuse it too), then try again. Nothing was changed.",
            path=path,
            line=line,
            column=column,
        ) from exc


def _file_line(text: str, pieces: list[tuple[int, int]], line: int, file_text: str) -> int:
    """The file's line number of line `line` of a selection of its pieces."""
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
    base_offset, base_file_offset = pieces[0]
    for piece_offset, file_offset in pieces:
        if piece_offset <= offset:
            base_offset, base_file_offset = piece_offset, file_offset
    return _line_of(file_text, base_file_offset) + text.count("\n", base_offset, offset)


# --------------------------------------------------------------------------- reading


def _location(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def parse(text: str, path: Path | str | None = None, *, existed: bool = True) -> ConfigDocument:
    """Parse kapacitor.conf text. Raises `ConfigFileInvalid` with line and column."""
    return ConfigDocument(text, Path(path) if path is not None else None, existed)


def _read_text(p: Path) -> str | None:
    """The file's text; None when there is no file."""
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise ConfigFileUnreadable(
            f"{p} is a folder, not a configuration file.",
            "Choose the kapacitor.conf file itself.",
            path=p,
        ) from exc
    except PermissionError as exc:
        raise ConfigFileUnreadable(
            f"Permission denied reading {p}.",
            "Run the wizard as a user who can read and write this file (often root), or choose another file.",
            path=p,
        ) from exc
    except OSError as exc:
        raise ConfigFileUnreadable(f"Could not read {p}: {exc.strerror or exc}.", path=p) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigFileInvalid(
            f"{p} is not valid UTF-8 (line {line}, column {column}).",
            "Kapacitor reads kapacitor.conf as UTF-8; fix or remove that byte, then try again.",
            path=p,
            line=line,
            column=column,
        ) from exc


def load(path: Path | str, *, known: ConfigDocument | None = None) -> ConfigDocument:
    """Read and parse a kapacitor.conf. A missing file is an empty document.

    `known` is a document read before: when the file still holds its text, it is
    returned as it is instead of being parsed again.
    """
    p = Path(path)
    text = _read_text(p)
    if text is None:
        return ConfigDocument("", p, existed=False)
    if known is not None and known.existed and known.text == text and known.path == p:
        return known
    return ConfigDocument(text, p, existed=True)


# --------------------------------------------------------------------------- editing helpers


def _check_section(section: str) -> None:
    if section not in OPTIONS:
        raise ValueError(f"unknown section {section!r}; expected one of {sorted(OPTIONS)}")


def _check_options(section: str, names: Iterable[str]) -> None:
    unknown = [n for n in names if n not in OPTIONS[section]]
    if unknown:
        raise ValueError(f"unknown options {unknown} in section {section}")


def _check_value(section: str, name: str, value: object) -> None:
    if isinstance(value, (bool, str, int, float)):
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_value(section, name, item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{section}.{name}: an object's keys must be text")
            if item is not None:
                _check_value(section, name, item)
        return
    raise TypeError(f"{section}.{name}: cannot write a value of type {type(value).__name__}")


def _flatten(
    section: str, values: Mapping[str, object], deletions: Iterable[str], current: Mapping[str, object]
) -> tuple[dict[str, object], list[str]]:
    """An object the file spells as plain keys (kafka's SASLAuth) becomes those keys: the ones
    with a value are set, the others deleted, so the file holds exactly the object. A key that
    is empty already stays (an empty `[kafka.sasl-oauth-parameters]` keeps its comments)."""
    nested = FLATTENED.get(section, {})
    flat: dict[str, object] = {}
    gone: list[str] = []
    for name, value in values.items():
        if name not in nested:
            flat[name] = value
            continue
        fields = nested[name]
        given = value if isinstance(value, dict) else {}
        for field_name, key in fields.items():
            item = given.get(field_name)
            if item is None or item == "" or item == [] or item == {} or item is False:
                gone.append(key)
            else:
                flat[key] = item
    for name in deletions:
        if name in nested:
            gone.extend(nested[name].values())
        else:
            gone.append(name)
    flat_keys = {key for fields in nested.values() for key in fields.values()}
    return flat, [name for name in gone if name not in flat and (name not in flat_keys or current.get(name))]


def _nest(section: str, table: Mapping[str, Any]) -> dict[str, object]:
    """The file's plain keys of a flattened object gathered back into it, as the API shows it."""
    values = dict(table)
    for name, fields in FLATTENED.get(section, {}).items():
        found = {field_name: values.pop(key) for field_name, key in fields.items() if key in values}
        found = {k: v for k, v in found.items() if v not in ({}, [])}  # an empty table there says nothing
        if found:
            values[name] = found
    return values


def _file_options(section: str) -> tuple[str, ...]:
    """The keys a section may have in the file, in the order new keys are written."""
    names: list[str] = []
    for name in OPTIONS[section]:
        names.extend(FLATTENED.get(section, {}).get(name, {name: name}).values())
    return tuple(names)


def _newline_of(text: str) -> str:
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _workspace_of(table: Mapping[str, Any], section: str = "slack") -> str:
    """The key that names a list section's element (`workspace`, `endpoint`, `id`, `name`)."""
    value = table.get(LIST_KEYS.get(section, "workspace"), "")
    return value if isinstance(value, str) else str(value)


def _kv_items(container: Container) -> list[tuple[Any, Item]]:
    return [(k, v) for k, v in container.body if k is not None and not isinstance(v, (Table, AoT))]


def _make_value(value: object, old: Item | None, newline: str) -> Item:
    """A tomlkit item for `value`, in the old item's string style when that is possible."""
    if isinstance(value, dict):
        inline = tomlkit.inline_table()
        for key, item in value.items():
            if item is not None:
                inline[key] = _make_value(item, None, "")
        inline.trivia.trail = newline
        return inline
    if isinstance(value, (list, tuple)):
        array = tomlkit.array()
        array.extend(value)
        array.trivia.trail = newline
        return array
    if isinstance(value, str):
        literal = old is not None and getattr(old, "type", None) is not None and old.type.name == "SLL"
        new: Item
        if literal:
            try:
                new = tomlkit.string(value, literal=True)
            except TOMLKitError:
                new = tomlkit.string(value)
        else:
            new = tomlkit.string(value)
    else:
        new = tomlkit.item(value)
    new.trivia.trail = newline
    return new


def _same(old: Item, value: object) -> bool:
    current = old.unwrap() if hasattr(old, "unwrap") else old
    if isinstance(value, tuple):
        value = list(value)
    return type(current) is type(value) and current == value


def _replace_sub_table(sub: Table, value: Mapping[str, object], newline: str) -> None:
    """An object kept as its own `[section.name]` table: its keys change in place, comments stay."""
    for key in [k for k, _ in _kv_items(sub.value) if str(k) not in value]:
        del sub[key]
    indent = _key_indent(sub, DEFAULT_INDENT)
    for key, item in value.items():
        if item is None:
            if key in sub:
                del sub[key]
            continue
        old = sub.value.item(key) if key in sub else None
        if old is not None and _same(old, item):
            continue
        new = _make_value(item, old, newline)
        new.trivia.indent = old.trivia.indent if old is not None else indent
        if old is not None:
            sub[key] = new
        else:
            container = sub.value
            idx = _body_insert_index(container)
            if idx < len(container.body):
                container._insert_at(idx, key, new)
            else:
                container.append(key, new)
            dict.__setitem__(sub, key, new)


def _key_indent(table: Table, fallback: str) -> str:
    for _, item in _kv_items(table.value):
        return item.trivia.indent.lstrip("\r\n")
    return fallback


def _body_insert_index(container: Container) -> int:
    """Where a new key goes: after the last key/value, else before trailing blank lines."""
    body = container.body
    for i in range(len(body) - 1, -1, -1):
        key, item = body[i]
        if key is not None and not isinstance(item, (Table, AoT)):
            return i + 1
    i = len(body)
    while i > 0 and isinstance(body[i - 1][1], Whitespace):
        i -= 1
    return i


def _set_in_table(table: Table, section: str, values: Mapping[str, object], indent: str, newline: str) -> None:
    container = table.value
    new_keys = [name for name in _file_options(section) if name in values and name not in table]
    for name, value in values.items():
        if name in table:
            old = container.item(name)
            if _same(old, value):
                continue
            if isinstance(old, Table) and isinstance(value, dict):
                _replace_sub_table(old, value, newline)
                continue
            table[name] = _make_value(value, old, newline)
    key_indent = _key_indent(table, indent)
    for name in new_keys:
        item = _make_value(values[name], None, newline)
        item.trivia.indent = key_indent
        body = container.body
        idx = _body_insert_index(container)
        if idx > 0:
            prev = body[idx - 1][1]
            if not isinstance(prev, Whitespace) and "\n" not in prev.trivia.trail:
                prev.trivia.trail += newline  # the file ended without a line break
        if idx < len(body):
            container._insert_at(idx, name, item)
        else:
            container.append(name, item)
        dict.__setitem__(table, name, item)


def _delete_in_table(table: Table, names: Iterable[str]) -> None:
    for name in names:
        if name in table:
            del table[name]


def _render_new_table(
    header: str, section: str, values: Mapping[str, object], indent: str, newline: str
) -> str:
    lines = [header]
    for name in _file_options(section):
        if name in values:
            item = _make_value(values[name], None, newline)
            lines.append(f"{indent}{tomlkit.key(name).as_string()} = {item.as_string()}")
    return newline.join(lines) + newline


def _split_trailer(container: Container) -> list[tuple[Any, Item]]:
    """Items at the end of an entry that belong after a newly added sibling entry.

    Everything after the last key/value except comments that directly follow
    it (no blank line between) and are themselves followed by a blank line.
    A comment block that runs straight into the next header belongs to that header.
    """
    body = container.body
    last_kv = -1
    for i, (key, item) in enumerate(body):
        if key is not None and not isinstance(item, (Table, AoT)):
            last_kv = i
    if last_kv < 0:
        return []
    start = last_kv + 1
    j = start
    while j < len(body) and isinstance(body[j][1], Comment):
        j += 1
    if j > start and j < len(body) and isinstance(body[j][1], Whitespace):
        start = j  # the comments belong to the entry; the blank lines after do not
    return body[start:]


# --------------------------------------------------------------------------- the document


@dataclass(frozen=True)
class ConfigDocument:
    """One version of a kapacitor.conf. Immutable: `apply` returns a new document."""

    text: str
    path: Path | None = None
    existed: bool = True
    _headers: tuple[_Header, ...] | None = field(default=None, repr=False, compare=False)
    """The table headers, when the caller already knows them (an edit of a known document)."""
    _data: dict[str, Any] = field(init=False, repr=False, compare=False)
    """The handlers' sections (and the top-level keys) as plain values."""
    _span_list: list[tuple[int, int, _Header | None]] | None = field(
        init=False, default=None, repr=False, compare=False
    )
    _span_line_list: list[int] | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        headers = self._headers
        if headers is None:
            start = 1 if self.text.startswith("\ufeff") else 0
            headers = tuple(_scan_headers(self.text, start, len(self.text), self.path))
            object.__setattr__(self, "_headers", headers)
        if len(self.text) <= FULL_CHECK_BYTES:
            data = _check_toml(self.text, self.path)
        else:
            relevant, pieces = self._relevant_text()
            data = _check_toml(relevant, self.path, pieces, self.text)
        object.__setattr__(self, "_data", data)

    # -- the outline

    def _spans(self) -> list[tuple[int, int, _Header | None]]:
        """(start, end, header) of each piece: the preamble (header None), then one per header."""
        if self._span_list is not None:
            return self._span_list
        assert self._headers is not None
        headers = self._headers
        first = headers[0].start if headers else len(self.text)
        spans: list[tuple[int, int, _Header | None]] = [(0, first, None)]
        for i, header in enumerate(headers):
            end = headers[i + 1].start if i + 1 < len(headers) else len(self.text)
            spans.append((header.start, end, header))
        object.__setattr__(self, "_span_list", spans)
        return spans

    def _span_first_lines(self) -> list[int]:
        """The 0-based line number where each piece of `_spans` starts."""
        if self._span_line_list is None:
            lines, line, at = [], 0, 0
            for start, _, _ in self._spans():
                line += self.text.count("\n", at, start)
                at = start
                lines.append(line)
            object.__setattr__(self, "_span_line_list", lines)
        assert self._span_line_list is not None
        return self._span_line_list

    def _relevant_text(self) -> tuple[str, list[tuple[int, int]]]:
        """The preamble and the handlers' pieces, and where each came from (offset here, in the file)."""
        assert self._headers is not None
        headers = self._headers
        bounds = [(0, headers[0].start if headers else len(self.text))]
        for i, header in enumerate(headers):
            if header.key[0] in OPTIONS:
                bounds.append((header.start, headers[i + 1].start if i + 1 < len(headers) else len(self.text)))
        parts: list[str] = []
        pieces: list[tuple[int, int]] = []
        length = 0
        for start, end in bounds:
            piece = self.text[start:end]
            if parts and not parts[-1].endswith("\n"):
                parts.append("\n")
                length += 1
            pieces.append((length, start))
            parts.append(piece)
            length += len(piece)
        return "".join(parts), pieces

    def _pieces_of(self, section: str) -> list[tuple[int, int, _Header]]:
        """The pieces whose header is exactly `[section]` or `[[section]]`, in file order."""
        assert self._headers is not None
        headers = self._headers
        key = (section,)
        return [
            (header.start, headers[i + 1].start if i + 1 < len(headers) else len(self.text), header)
            for i, header in enumerate(headers)
            if header.key == key
        ]

    # -- reading

    def render(self) -> str:
        """The file's text, exactly."""
        return self.text

    def _where(self) -> str:
        return str(self.path) if self.path is not None else "The configuration"

    def _top_level_line(self, section: str) -> tuple[int, bool] | None:
        """(file line, dotted) of a top-level key that defines `section` without a header."""
        preamble_end = self._headers[0].start if self._headers else len(self.text)
        for m in _TOP_KEY.finditer(self.text, 0, preamble_end):
            if _decode_key(m.group(1)) == section:
                return _line_of(self.text, m.start(1)), m.group(2) == "."
        return None

    def _unsupported(self, section: str) -> ConfigFileUnsupported | None:
        """Why `section` cannot be edited in place, or None when it can."""
        node = self._data.get(section)
        if node is None:
            return None
        top = self._top_level_line(section)
        if top is not None:
            line, dotted = top
            if dotted:
                return ConfigFileUnsupported(
                    f"{self._where()} sets {section} options as dotted keys ({section}.<option> = ...) at line {line}.",
                    f"Move them into a [{section}] section (one option per line under the header), then try again. "
                    "Nothing was changed.",
                    path=self.path,
                )
            if isinstance(node, dict) or (isinstance(node, list) and node and all(isinstance(e, dict) for e in node)):
                return ConfigFileUnsupported(
                    f"{self._where()} writes {section} as an inline table ({section} = {{ ... }}) at line {line}.",
                    f"Rewrite it as a [{'[' if section in LIST_SECTIONS else ''}{section}{']' if section in LIST_SECTIONS else ''}] "
                    "section with one option per line, then try again. Nothing was changed.",
                    path=self.path,
                )
            return ConfigFileUnsupported(
                f"{self._where()} sets {section} to a plain value instead of a [{section}] section (line {line}).",
                f"Remove that line or turn it into a [{section}] section, then try again.",
                path=self.path,
            )
        if section not in LIST_SECTIONS:
            arrays = [h for _, _, h in self._pieces_of(section) if h.array]
            if arrays:
                line = _line_of(self.text, arrays[0].start)
                return ConfigFileUnsupported(
                    f"{self._where()} has [[{section}]] (a list) at line {line}; Kapacitor reads a single [{section}] section.",
                    f"Change [[{section}]] to [{section}] (keep one of them), then try again. Nothing was changed.",
                    path=self.path,
                )
        return None

    def _elements(self, section: str) -> list[dict[str, Any]]:
        node = self._data.get(section)
        if node is None:
            return []
        if isinstance(node, list) and all(isinstance(e, dict) for e in node):
            if section not in LIST_SECTIONS:
                raise self._unsupported(section) or ConfigFileUnsupported(
                    f"{self._where()} has [[{section}]] (a list); Kapacitor reads a single [{section}] section.",
                    f"Change [[{section}]] to [{section}], then try again.",
                    path=self.path,
                )
            return list(node)
        if isinstance(node, dict):
            return [node]
        raise self._unsupported(section) or ConfigFileUnsupported(
            f"{self._where()} sets {section} to a plain value instead of a [{section}] section.",
            f"Remove that line or turn it into a [{section}] section, then try again.",
            path=self.path,
        )

    def _find(self, section: str, workspace: str) -> dict[str, Any] | None:
        elements = self._elements(section)
        if section in LIST_SECTIONS and isinstance(self._data.get(section), dict):
            # A single [slack] table is the default workspace (Kapacitor's older sample).
            node = elements[0]
            return node if _workspace_of(node, section) == workspace or workspace == "" else None
        if section not in LIST_SECTIONS:
            return elements[0] if elements else None
        for entry in elements:
            if _workspace_of(entry, section) == workspace:
                return entry
        return None

    def has_element(self, section: str, workspace: str = "") -> bool:
        _check_section(section)
        return self._find(section, workspace) is not None

    def read_element(self, section: str, workspace: str = "") -> dict[str, object]:
        """The values set in the file for one element (empty when there is none)."""
        _check_section(section)
        if section not in LIST_SECTIONS and workspace:
            raise ValueError(f"{section} has no workspaces")
        found = self._find(section, workspace)
        return _nest(section, found) if found is not None else {}

    def entries(self, section: str) -> list[dict[str, Any]]:
        """The section's tables as the file spells them (file keys, a single `[section]` table
        as one entry); [] when the file has none. Never refuses a shape (see `_elements`)."""
        node = self._data.get(section)
        if isinstance(node, dict):
            return [dict(node)]
        if isinstance(node, list):
            return [dict(e) for e in node if isinstance(e, dict)]
        return []

    def element_keys(self, section: str) -> list[str]:
        """The keys of a list section's entries in file order ("" is an entry without its key)."""
        _check_section(section)
        return [_workspace_of(t, section) for t in self._elements(section)]

    def slack_workspaces(self) -> list[str]:
        """Workspace keys of the slack entries in file order ("" is the unnamed default)."""
        return self.element_keys("slack")

    def slack_index(self, workspace: str = "") -> int | None:
        """The position of a slack entry, as used in KAPACITOR_SLACK_<n>_* variables."""
        found = self._find("slack", workspace)
        for i, table in enumerate(self._elements("slack")):
            if table is found:
                return i
        return None

    def is_single_slack_table(self) -> bool:
        """True when the file has `[slack]` (one table) rather than `[[slack]]` entries."""
        return self.is_single_table("slack")

    def is_single_table(self, section: str) -> bool:
        """True when a list section is one `[section]` table rather than `[[section]]` entries."""
        return isinstance(self._data.get(section), dict)

    def secret_values(self) -> list[str]:
        """Every secret value set in the handlers' sections (to mask them wherever they show)."""
        found = []
        for section, names in SECRETS.items():
            try:
                elements = self._elements(section)
            except ConfigFileUnsupported:
                node = self._data.get(section)
                elements = [node] if isinstance(node, dict) else [e for e in node if isinstance(e, dict)] if isinstance(node, list) else []
            for element in elements:
                element = _nest(section, element)
                for name in names:
                    found.extend(leaf for leaf in string_leaves(element.get(name)) if leaf)
        return found

    # -- editing

    def apply(
        self,
        section: str,
        set: Mapping[str, object] | None = None,  # noqa: A002 - mirrors Kapacitor's {"set": ...}
        delete: Iterable[str] = (),
        workspace: str = "",
    ) -> ConfigDocument:
        """A new document with `set` written and `delete` removed in one element.

        The element is created at the end of the file (for slack: after the last
        `[[slack]]` entry) when it does not exist and there is something to set.
        A new slack entry gets `workspace = "<name>"`, or `default = true` for
        the unnamed one when no other entry is the default, unless `set` or
        `delete` name `default`. Only the element's own lines change; every
        other byte of the file stays where and as it was.
        """
        _check_section(section)
        values = dict(set or {})
        deletions = [d for d in delete if d not in values]
        _check_options(section, list(values) + deletions)
        for name, value in values.items():
            _check_value(section, name, value)
        if section not in LIST_SECTIONS and workspace:
            raise ValueError(f"{section} has no workspaces")
        values, deletions = _flatten(section, values, deletions, self._find(section, workspace) or {})

        problem = self._unsupported(section)
        if problem is not None:
            raise problem
        newline = _newline_of(self.text)
        found = self._piece_of_element(section, workspace)
        if found is not None:
            start, end = found
            doc = _parse_toml(self.text[start:end], self.path)
            node = doc[section]
            table = node.body[0] if isinstance(node, AoT) else node
            _set_in_table(table, section, values, self._indent(), newline)
            _delete_in_table(table, deletions)
            return self._splice(start, end, doc.as_string())

        if not values:
            return self  # nothing to delete, nothing to create

        if section in LIST_SECTIONS:
            values = self._new_entry_values(section, workspace, values, deletions)
            if self.is_single_table(section):
                noun = {"endpoint": "endpoint", "id": "cluster", "name": "broker"}.get(LIST_KEYS[section], "workspace")
                default = " (and give that entry default = true)" if "default" in OPTIONS[section] else ""
                raise ConfigFileUnsupported(
                    f"{self._where()} has a single [{section}] section; another {noun} needs [[{section}]] entries.",
                    f"Change [{section}] to [[{section}]]{default}, then add the {noun} again.",
                    path=self.path,
                )
            entries = [(s, e) for s, e, h in self._pieces_of(section) if h.array]
            if entries:
                start, end = entries[-1]
                with_subs = self._with_sub_tables(section, end)
                if with_subs != end:
                    # The last entry ends with its own [section.name] tables: the new one goes after them.
                    return self._splice(start, with_subs, self._append_after(start, with_subs, section, values, newline))
                return self._splice(start, end, self._append_entry(start, end, section, values, newline))
        header = f"[[{section}]]" if section in LIST_SECTIONS else f"[{section}]"
        return self._append_at_end(header, section, values, newline)

    def _piece_of_element(self, section: str, workspace: str) -> tuple[int, int] | None:
        """(start, end) of the piece that holds the element, None when there is none."""
        if self._find(section, workspace) is None:
            return None
        pieces = self._pieces_of(section)
        if section in LIST_SECTIONS and not self.is_single_table(section):
            entries = [(s, e) for s, e, h in pieces if h.array]
            for (start, end), element in zip(entries, self._elements(section)):
                if _workspace_of(element, section) == workspace:
                    return start, self._with_sub_tables(section, end)
            return None
        tables = [(s, e) for s, e, h in pieces if not h.array]
        if not tables:
            # Defined only through sub-tables such as [telegram.x]: nothing to edit in place.
            return None
        return tables[0][0], self._with_sub_tables(section, tables[0][1])

    def _with_sub_tables(self, section: str, end: int) -> int:
        """The end of an element's piece with the `[section.name]` tables right after it
        (`[httppost.headers]`, `[kafka.sasl-oauth-parameters]`): they belong to that element."""
        assert self._headers is not None
        for header in self._headers:
            if header.start < end:
                continue
            if header.start > end or len(header.key) < 2 or header.key[0] != section or header.array:
                break
            following = [h.start for h in self._headers if h.start > header.start]
            end = following[0] if following else len(self.text)
        return end

    def _splice(self, start: int, end: int, piece: str) -> ConfigDocument:
        """This document with `text[start:end]` (whole pieces) replaced by `piece`."""
        assert self._headers is not None
        text = self.text[:start] + piece + self.text[end:]
        delta = len(piece) - (end - start)
        before = tuple(h for h in self._headers if h.start < start)
        inside = _scan_headers(text, start, start + len(piece), self.path)
        after = tuple(_Header(h.start + delta, h.key, h.array) for h in self._headers if h.start >= end)
        return ConfigDocument(text, self.path, self.existed, before + tuple(inside) + after)

    def _indent(self) -> str:
        """The indentation of keys in this file's sections (Kapacitor's sample uses two spaces)."""
        for start, end, header in self._spans():
            if header is None:
                continue
            body_start = self.text.find("\n", start, end)
            if body_start < 0:
                continue
            m = _KEY_LINE.search(self.text, body_start + 1, end)
            if m is not None:
                return m.group(1)
        return DEFAULT_INDENT

    def _new_entry_values(
        self, section: str, workspace: str, values: dict[str, object], deletions: list[str]
    ) -> dict[str, object]:
        values = dict(values)
        key = LIST_KEYS[section]
        if workspace:
            values.setdefault(key, workspace)
        elif "default" in OPTIONS[section] and "default" not in values and "default" not in deletions:
            others = [t for t in self._elements(section) if t.get("default") is True]
            if not others:
                values["default"] = True
        if values.get(key, "") != workspace:
            raise ValueError(f"set[{key!r}] differs from the element being edited")
        return values

    def _append_at_end(self, header: str, section: str, values: Mapping[str, object], newline: str) -> ConfigDocument:
        text = self.text
        start = len(text)
        if text.strip("\ufeff \t\r\n"):
            if not text.endswith("\n"):
                text += newline
            if not text.endswith(newline + newline) and not text.endswith("\n\n"):
                text += newline
        added = text[start:] + _render_new_table(header, section, values, self._indent(), newline)
        if self._headers:
            last = self._headers[-1].start
            return self._splice(last, start, self.text[last:] + added)
        return ConfigDocument(self.text + added, self.path, self.existed)

    def _append_after(self, start: int, end: int, section: str, values: Mapping[str, object], newline: str) -> str:
        """The text from `start` to `end` followed by a new `[[section]]` entry, after a blank line."""
        piece = self.text[start:end]
        trailing = piece[len(piece.rstrip("\r\n \t")):]
        body = piece[: len(piece) - len(trailing)] + newline + newline
        entry = _render_new_table(f"[[{section}]]", section, values, self._indent(), newline)
        return body + entry + (newline if end < len(self.text) else "")

    def _append_entry(self, start: int, end: int, section: str, values: Mapping[str, object], newline: str) -> str:
        """The last `[[section]]` entry's piece followed by a new entry."""
        doc = _parse_toml(self.text[start:end], self.path)
        aot = doc[section]
        last = aot.body[-1]
        trailer = _split_trailer(last.value)
        body = last.value.body
        del body[len(body) - len(trailer):]
        if body and "\n" not in body[-1][1].trivia.trail and not isinstance(body[-1][1], Whitespace):
            body[-1][1].trivia.trail += newline
        entry_text = _render_new_table(f"[[{section}]]", section, values, self._indent(), newline)
        entry = tomlkit.parse(entry_text)[section][0]
        entry.trivia.indent = newline  # one blank line before the new header
        for key, item in trailer:
            entry.value.body.append((key, item))
        if not trailer and end < len(self.text):
            # Something follows the slack entries: keep a blank line before it.
            entry.value.body.append((None, Whitespace(newline)))
        aot.append(entry)
        return doc.as_string()


# --------------------------------------------------------------------------- diff


def _split_lines(text: str) -> list[str]:
    """Lines with their endings, split on "\\n" only (TOML strings may hold U+2028 and the like)."""
    if not text:
        return []
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _masked_piece(piece: str, section: str, names: Iterable[str], scrub: Scrubber) -> str:
    """A handler's piece with every secret value replaced by a mask, same line count."""
    body = piece[1:] if piece.startswith("\ufeff") else piece
    try:
        doc = tomlkit.parse(body)
    except TOMLKitError:
        return piece  # the scrubber still masks every known secret on the lines shown
    node = doc.get(section)
    tables = list(node.body) if isinstance(node, AoT) else [node] if isinstance(node, Table) else []
    replacements: dict[str, str] = {}
    flattened = FLATTENED.get(section, {})
    names = [key for name in names for key in ([name, *flattened[name].values()] if name in flattened else [name])]
    for table in tables:
        for name in names:
            if name in table and isinstance(table.value.item(name), Table):
                # An object kept as its own [section.name] table: each of its values is masked.
                _masked_piece_values(table.value.item(name), scrub, replacements)
                continue
            if name in table and isinstance(table[name], (list, dict)) and string_leaves(table[name]):
                for leaf in string_leaves(table[name]):
                    scrub.add(leaf)
                old = table.value.item(name)
                extra_lines = old.as_string().count("\n")
                sentinel = f"conffile-mask-{uuid.uuid4().hex}"
                table[name] = tomlkit.string(sentinel)
                replacements[f'"{sentinel}"'] = f'"{MASK}"' + "\n" * extra_lines
                continue
            if name in table and isinstance(table[name], str) and table[name]:
                old = table.value.item(name)
                scrub.add(str(table[name]))
                extra_lines = old.as_string().count("\n")
                sentinel = f"conffile-mask-{uuid.uuid4().hex}"
                table[name] = tomlkit.string(sentinel)
                replacements[f'"{sentinel}"'] = f'"{MASK}"' + "\n" * extra_lines
    if not replacements:
        return piece
    masked = piece[: len(piece) - len(body)] + doc.as_string()
    for sentinel, shown in replacements.items():
        masked = masked.replace(sentinel, shown)
    return masked


def _masked_piece_values(table: Table, scrub: Scrubber, replacements: dict[str, str]) -> None:
    for key, item in _kv_items(table.value):
        leaves = [leaf for leaf in string_leaves(table[key]) if leaf]
        if not leaves:
            continue
        for leaf in leaves:
            scrub.add(leaf)
        extra_lines = item.as_string().count("\n")
        sentinel = f"conffile-mask-{uuid.uuid4().hex}"
        table[key] = tomlkit.string(sentinel)
        replacements[f'"{sentinel}"'] = f'"{MASK}"' + "\n" * extra_lines


def _masked_lines(
    document: ConfigDocument, wanted: list[tuple[int, int]], scrub: Scrubber, secrets: Mapping[str, Iterable[str]]
) -> dict[int, str]:
    """The document's lines in the `wanted` ranges (0-based, end excluded), secrets masked."""
    text = document.text
    spans = document._spans()
    first_lines = document._span_first_lines()
    shown: dict[int, str] = {}
    for a, b in wanted:
        i = max(bisect.bisect_right(first_lines, a) - 1, 0)
        while i < len(spans) and first_lines[i] < b:
            start, end, header = spans[i]
            first = first_lines[i]
            lines_here = (first_lines[i + 1] if i + 1 < len(spans) else _line_count(text)) - first
            i += 1
            if all(first + n in shown for n in range(max(a, first) - first, min(b, first + lines_here) - first)):
                continue
            piece = text[start:end]
            section = None if header is None else header.key[0]
            if section in secrets:
                piece = _masked_piece(piece, section, secrets[section], scrub)
            elif header is None:
                for name, options in secrets.items():
                    if name in document._data:  # dotted keys or an inline table up top
                        piece = _masked_piece(piece, name, options, scrub)
            lines = _split_lines(piece)
            if len(lines) != lines_here:
                lines = [MASK + "\n"] * lines_here  # never expected; cannot leak
            for n in range(max(a, first), min(b, first + lines_here)):
                shown[n] = lines[n - first]
    return shown


def _line_count(text: str) -> int:
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def _grouped_opcodes(
    codes: list[tuple[str, int, int, int, int]], n: int
) -> Iterator[list[tuple[str, int, int, int, int]]]:
    """difflib's hunk grouping (`SequenceMatcher.get_grouped_opcodes`) for given opcodes."""
    if not codes:
        codes = [("equal", 0, 1, 0, 1)]
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)
    nn = n + n
    group: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > nn:
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            yield group
            group = []
            i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def _opcodes(old_lines: list[str], new_lines: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Line opcodes; the common head and tail are matched directly, so a small edit of a large
    file costs a comparison of its lines rather than a search through them."""
    head = 0
    limit = min(len(old_lines), len(new_lines))
    while head < limit and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while tail < limit - head and old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    codes: list[tuple[str, int, int, int, int]] = []
    if head:
        codes.append(("equal", 0, head, 0, head))
    middle = difflib.SequenceMatcher(
        None, old_lines[head: len(old_lines) - tail], new_lines[head: len(new_lines) - tail], autojunk=False
    )
    for tag, i1, i2, j1, j2 in middle.get_opcodes():
        codes.append((tag, i1 + head, i2 + head, j1 + head, j2 + head))
    if tail:
        codes.append(("equal", len(old_lines) - tail, len(old_lines), len(new_lines) - tail, len(new_lines)))
    return codes


def masked_diff(
    old_text: str | ConfigDocument,
    new_text: str | ConfigDocument,
    secrets: Mapping[str, Iterable[str]] = SECRETS,
    *,
    fromfile: str = "kapacitor.conf (current)",
    tofile: str = "kapacitor.conf (new)",
    context: int = 3,
) -> str:
    """A unified diff of two versions of the file with secret values masked.

    A changed secret still shows as a changed line (`-token = "•••"`,
    `+token = "•••"`); the values never appear, not even in comments
    elsewhere in the file. Returns "" when the texts are equal. Documents
    may be given instead of texts (quicker: they are not parsed again).
    """
    old = old_text if isinstance(old_text, ConfigDocument) else parse(old_text)
    new = new_text if isinstance(new_text, ConfigDocument) else parse(new_text)
    old_lines, new_lines = _split_lines(old.text), _split_lines(new.text)
    if old_lines == new_lines:
        return ""
    groups = list(_grouped_opcodes(_opcodes(old_lines, new_lines), context))
    scrub = Scrubber()
    masked_old = _masked_lines(old, [(g[0][1], g[-1][2]) for g in groups], scrub, secrets)
    masked_new = _masked_lines(new, [(g[0][3], g[-1][4]) for g in groups], scrub, secrets)
    # Every secret of either version is masked wherever it shows, comments included; only
    # those that show are learnt (one pattern of hundreds of workspaces' URLs is slow to build).
    on_screen = "".join(masked_old.values()) + "".join(masked_new.values())
    for value in set(old.secret_values() + new.secret_values()):
        # A multi-line secret is also masked line by line: the diff shows it line by line.
        for part in {value, *(line.strip() for line in value.splitlines())}:
            if part and any(form in on_screen for form in secret_forms(part)):
                scrub.add(part)

    def shown(line: str) -> str:
        line = scrub(line)
        return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"

    out: list[str] = []
    for group in groups:
        if not out:
            out.append(f"--- {fromfile}\n+++ {tofile}\n")
        first, last = group[0], group[-1]
        out.append(
            "@@ -{} +{} @@\n".format(
                difflib._format_range_unified(first[1], last[2]),  # type: ignore[attr-defined]
                difflib._format_range_unified(first[3], last[4]),  # type: ignore[attr-defined]
            )
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(" " + shown(masked_old[i]) for i in range(i1, i2))
                continue
            if tag in ("replace", "delete"):
                out.extend("-" + shown(masked_old[i]) for i in range(i1, i2))
            if tag in ("replace", "insert"):
                out.extend("+" + shown(masked_new[j]) for j in range(j1, j2))
    return "".join(out)


# --------------------------------------------------------------------------- writing


LOCK_WAIT = 10.0
"""Seconds a writer waits for another one to finish with the same file."""

_phase_hook: Callable[[str], None] | None = None
"""Called with "locked", "before-fsync", "before-rename" and "after-rename" as a write
passes each point; None in normal use. It lets a test stop a writer at a known point."""


def _phase(name: str) -> None:
    if _phase_hook is not None:
        _phase_hook(name)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _backup_path(target: Path, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%S")
    candidate = target.with_name(f"{target.name}.bak-{stamp}")
    n = 1
    while os.path.lexists(candidate):
        candidate = target.with_name(f"{target.name}.bak-{stamp}-{n}")
        n += 1
    return candidate


def _make_backup(target: Path, now: datetime) -> Path:
    backup = _backup_path(target, now)
    try:
        os.link(target, backup)  # same inode: owner, mode and times are the old file's
    except OSError:
        shutil.copy2(target, backup)
        st = os.stat(target)
        try:
            os.chown(backup, st.st_uid, st.st_gid)
        except OSError:
            os.chmod(backup, stat.S_IMODE(st.st_mode) & 0o700)
    return backup


def _real(path: Path | str) -> Path:
    return Path(os.path.realpath(path))


def lock_path(path: Path | str) -> Path:
    """The lock file every writer of `path` holds: `.<name>.lock` beside the real file."""
    target = _real(path)
    return target.with_name(f".{target.name}.lock")


def _temporary_pattern(target: Path) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(target.name)}\.[A-Za-z0-9_]+\.tmp")


def stale_temporary_files(path: Path | str) -> list[Path]:
    """Temporary files an earlier write left beside the file when it was killed.

    A write removes its own temporary file however it ends, short of being
    killed outright (SIGKILL, a power cut); such a file may hold a token.
    """
    target = _real(path)
    pattern = _temporary_pattern(target)
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    return sorted(target.parent / name for name in names if pattern.fullmatch(name))


def remove_stale_temporary_files(path: Path | str) -> list[Path]:
    """Remove what `stale_temporary_files` finds; only while holding the file's lock, when no
    other writer can be using one. Returns the files removed."""
    removed = []
    for stale in stale_temporary_files(path):
        try:
            os.unlink(stale)
        except OSError:
            continue
        removed.append(stale)
    return removed


@dataclass
class _Lock:
    fd: int
    path: Path
    thread: int
    depth: int = 1
    written: bool = False
    backup: Path | None = None
    signals: dict[int, Any] = field(default_factory=dict)
    signalled: int = 0


_locks: dict[Path, _Lock] = {}
_locks_guard = threading.Lock()


class _Signalled(BaseException):
    """SIGINT or SIGTERM arrived while a write held the lock."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _busy(shown: Path, waited: float) -> ConfigFileBusy:
    return ConfigFileBusy(
        f"Another kapacitor-wizard is writing {shown}; waited {waited:.0f} s for it.",
        "Nothing was changed. Try again once the other one has finished.",
        path=shown,
    )


def _acquire(shown: Path, wait: float) -> _Lock:
    where = lock_path(shown)
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(where, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except FileNotFoundError as exc:
            raise ConfigFileUnwritable(
                f"The folder {where.parent} does not exist.",
                "Create it first or choose another place for kapacitor.conf.",
                path=shown,
            ) from exc
        except PermissionError as exc:
            raise ConfigFileUnwritable(
                f"Permission denied writing in {where.parent}.",
                "Run the wizard as the file's owner or as root (for example with sudo), "
                "or write to another file. Nothing was changed.",
                path=shown,
            ) from exc
        except OSError as exc:
            raise ConfigFileUnwritable(
                f"Could not write in {where.parent}: {exc.strerror or exc}.", "Nothing was changed.", path=shown
            ) from exc
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise _busy(shown, wait) from None
                    time.sleep(0.02)
            # The holder before us removes the lock file as it lets go; a lock on that
            # removed file locks nothing, so start again on the new one.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(where))
            except FileNotFoundError:
                same = False
            if same:
                return _Lock(fd, where, threading.get_ident())
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _release(lock: _Lock) -> None:
    try:
        os.unlink(lock.path)
    except OSError:
        pass
    os.close(lock.fd)


@contextmanager
def writing(path: Path | str, *, wait: float | None = None) -> Iterator[None]:
    """Hold the file's write lock; SIGINT and SIGTERM become `ConfigWriteInterrupted`.

    Every writer of kapacitor.conf holds this from reading the file to renaming the
    new one over it, so two writers never both report success while one change is
    lost: the later one waits (up to `wait` seconds, default `LOCK_WAIT`, then `ConfigFileBusy`) and
    edits what the first one wrote. Re-entrant within a thread. While held, SIGINT
    and SIGTERM stop the write at once (in the main thread); the temporary file is
    removed and `ConfigWriteInterrupted` says whether the file was written.
    """
    shown = Path(path)
    key = lock_path(shown)
    with _locks_guard:
        held = _locks.get(key)
        if held is not None and held.thread == threading.get_ident():
            held.depth += 1
        else:
            held = None
    if held is not None:
        try:
            yield
        finally:
            held.depth -= 1
        return

    signals = _catch_signals()
    try:
        lock = _acquire(shown, LOCK_WAIT if wait is None else wait)
    except _Signalled as stop:
        _restore_signals(signals)
        raise ConfigWriteInterrupted(shown, stop.signum, written=False) from None
    except BaseException:
        _restore_signals(signals)
        raise
    lock.signals = signals
    with _locks_guard:
        _locks[key] = lock
    try:
        _phase("locked")
        yield
    except _Signalled as stop:
        raise ConfigWriteInterrupted(shown, stop.signum, written=lock.written, backup=lock.backup) from None
    finally:
        with _locks_guard:
            _locks.pop(key, None)
        _release(lock)
        _restore_signals(signals)


def _catch_signals() -> dict[int, Any]:
    """Turn SIGINT and SIGTERM into `_Signalled` (main thread only: the only one that gets signals)."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def stop(signum: int, frame: object) -> None:
        raise _Signalled(signum)

    saved = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            saved[signum] = signal.signal(signum, stop)
        except (ValueError, OSError):
            pass
    return saved


def _restore_signals(saved: dict[int, Any]) -> None:
    for signum, handler in saved.items():
        try:
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        except (ValueError, OSError):
            pass


def _held(shown: Path) -> _Lock | None:
    with _locks_guard:
        return _locks.get(lock_path(shown))


def _refuse_read_only(shown: Path, st: os.stat_result) -> None:
    mode = stat.S_IMODE(st.st_mode)
    if st.st_uid == os.geteuid() and not mode & stat.S_IWUSR:
        raise ConfigFileReadOnly(
            f"{shown} is read-only (mode {mode:04o}); it was left as it is.",
            f"Make it writable first (chmod u+w {shown}) if it should change, "
            "or replace it anyway with apply --force. Nothing was changed.",
            path=shown,
        )
    if st.st_uid != os.geteuid() and not os.access(shown, os.W_OK):
        raise ConfigFileUnwritable(
            f"Permission denied writing {shown}.",
            "Run the wizard as the file's owner or as root (for example with sudo), "
            "or write to another file. Nothing was changed.",
            path=shown,
        )


def write_atomic(
    path: Path | str,
    text: str | ConfigDocument,
    *,
    expected_text: str | None = None,
    now: datetime | None = None,
    force: bool = False,
    wait: float | None = None,
) -> Path | None:
    """Replace the file with `text` atomically and return the backup's path (None for a new file).

    The text goes to a temporary file in the same folder (0600 from its creation),
    is flushed and fsynced, gets the old file's owner and mode (0600 for a new file,
    since it holds tokens), and is renamed over the file. The previous file stays
    beside it as `<name>.bak-<YYYYmmddTHHMMSS>`. When `expected_text` is given
    and the file no longer holds it, nothing is written (`ConfigFileChanged`).
    A read-only file of one's own is refused (`ConfigFileReadOnly`) unless `force`.
    A symlink is followed: its target is replaced, the link is kept.
    The whole write holds the file's lock (see `writing`). On any failure, and on
    SIGINT or SIGTERM before the rename, the old file is unchanged and no temporary
    file remains.
    """
    shown = Path(path)
    if not isinstance(text, ConfigDocument):
        parse(text, shown)  # never write a file Kapacitor would refuse
    data = text.text if isinstance(text, ConfigDocument) else text
    target = _real(shown)
    folder = target.parent
    if not folder.is_dir():
        raise ConfigFileUnwritable(
            f"The folder {folder} does not exist.",
            "Create it first or choose another place for kapacitor.conf.",
            path=shown,
        )
    with writing(shown, wait=wait):
        lock = _held(shown)
        try:
            st: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise ConfigFileUnwritable(f"Could not inspect {shown}: {exc.strerror or exc}.", path=shown) from exc
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise ConfigFileUnwritable(f"{shown} is not a regular file.", "Choose the kapacitor.conf file itself.", path=shown)
        if st is not None and not force:
            _refuse_read_only(shown, st)

        if expected_text is not None:
            try:
                current = target.read_bytes().decode("utf-8") if st is not None else ""
            except (OSError, UnicodeDecodeError):
                current = None
            if current != expected_text:
                raise ConfigFileChanged(
                    f"{shown} changed on disk after the wizard read it.",
                    "Nothing was written. Review the file and run this step again.",
                    path=shown,
                )

        tmp_name: str | None = None
        backup: Path | None = None
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)  # 0600
            with os.fdopen(fd, "wb") as fh:
                fh.write(data.encode("utf-8"))
                fh.flush()
                _phase("before-fsync")
                os.fsync(fh.fileno())
            if st is not None:
                made = os.stat(tmp_name)
                if (made.st_uid, made.st_gid) != (st.st_uid, st.st_gid):
                    os.chown(tmp_name, st.st_uid, st.st_gid)
                os.chmod(tmp_name, stat.S_IMODE(st.st_mode))
            if st is not None:
                backup = _make_backup(target, now or datetime.now())
            _phase("before-rename")
            os.replace(tmp_name, target)
            tmp_name = None
            if lock is not None:
                lock.written, lock.backup = True, backup
        except BaseException as exc:
            if tmp_name is not None:
                try:
                    os.unlink(tmp_name)
                except OSError:
                    pass
                if backup is not None:
                    try:
                        os.unlink(backup)  # the old file is still in place
                    except OSError:
                        pass
            if isinstance(exc, PermissionError):
                raise ConfigFileUnwritable(
                    f"Permission denied writing {shown}.",
                    "Run the wizard as the file's owner or as root (for example with sudo), "
                    "or write to another file. Nothing was changed.",
                    path=shown,
                ) from exc
            if isinstance(exc, OSError):
                raise ConfigFileUnwritable(
                    f"Could not write {shown}: {exc.strerror or exc}.",
                    "Nothing was changed. Check free disk space and permissions, then try again.",
                    path=shown,
                ) from exc
            raise
        _phase("after-rename")
        _fsync_dir(folder)
    return backup


# --------------------------------------------------------------------------- environment variables


def env_name(section: str, option: str, workspace_index: int = 0) -> str:
    """`KAPACITOR_<SECTION>_<OPTION>`; slack needs an index (`KAPACITOR_SLACK_0_URL`)."""
    _check_section(section)
    _check_options(section, [option])
    middle = f"{section.upper()}_{workspace_index}" if section in LIST_SECTIONS else section.upper()
    return f"KAPACITOR_{middle}_{option.upper().replace('-', '_')}"


class EnvValueError(ValidationError, ValueError):
    """A value that a `NAME=value` line cannot carry unchanged (a ValueError too, as before)."""


def _env_value(section: str, option: str, value: object) -> str:
    """The text of one `NAME=value` line's value, or a refusal naming the option (never its value).

    Kapacitor takes an environment variable's value verbatim, and neither docker's
    `--env-file` nor compose's `.env` has one quoting that both read back: docker keeps
    quotes as part of the value. So a value these lines cannot carry as is (a line
    break or another control character, or surrounding spaces that compose trims) is
    refused rather than quoted into something Kapacitor would read differently.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if checks.control_character(text):
        raise EnvValueError(
            f"--format env: {section}.{option} holds a line break or another control character, "
            "which an environment file cannot carry."
        )
    if text != text.strip():
        raise EnvValueError(f"--format env: {section}.{option} starts or ends with a space, which an environment file would drop.")
    return text


def env_lines(
    section: str,
    options: Mapping[str, object],
    workspace_index: int = 0,
    show_secrets: bool = False,
    placeholder: str = ENV_SECRET_PLACEHOLDER,
) -> list[str]:
    """`NAME=value` lines (docker `--env-file` / compose style, unquoted) for the given options.

    Secret values become `placeholder` unless `show_secrets`. Kapacitor
    1.5 ignores the unindexed `KAPACITOR_SLACK_URL`, and an index beyond the
    slack entries that exist (in the file or the built-in default, index 0).
    Values of None are skipped; a value with a line break or another control
    character raises `EnvValueError` (secret or not, shown or not).
    """
    _check_section(section)
    _check_options(section, options)
    if workspace_index < 0:
        raise ValueError("workspace_index must be 0 or more")
    lines = []
    for option, value in options.items():
        if value is None:
            continue
        _check_value(section, option, value)
        if isinstance(value, (list, tuple, dict)):
            lines += _env_structure(section, option, value, workspace_index, show_secrets, placeholder)
            continue
        shown = _env_value(section, option, value)
        if option in SECRETS[section] and shown and not show_secrets:
            shown = placeholder
        lines.append(f"{env_name(section, option, workspace_index)}={shown}")
    return lines


def _env_structure(
    section: str, option: str, value: list[Any] | tuple[Any, ...] | dict[str, Any], index: int, show_secrets: bool, placeholder: str
) -> list[str]:
    """A list or an object as Kapacitor's environment reader takes it: a list's items as `_<n>`,
    a struct's fields as `_<FIELD>`, a map's keys as `_<key>` (spelled as in the file).

    That reader only overrides what the configuration already has: list items and map keys
    that kapacitor.conf (or Kapacitor's defaults) lack are ignored, so a comment says so.
    Kafka's SASL options are an embedded struct with an empty name, hence the double `_`.
    """
    base = env_name(section, option, index)
    secret = option in SECRETS[section]
    if section in FLATTENED and option in FLATTENED[section]:
        fields = FLATTENED[section][option]
        base = base[: -len(option.upper().replace("-", "_"))]  # `KAPACITOR_KAFKA_0_` + `_SASL_...`
        items = [(fields.get(k, k).upper().replace("-", "_"), v) for k, v in dict(value).items()]  # type: ignore[arg-type]
    elif isinstance(value, dict):
        struct = (section, option) in STRUCT_OBJECTS
        items = [(k.upper().replace("-", "_") if struct else k, v) for k, v in value.items()]
    else:
        items = [(str(n), v) for n, v in enumerate(value)]
    lines: list[str] = []
    partial = False
    for suffix, item in items:
        if item is None or item == "" or item == [] or item == {}:
            continue
        if isinstance(item, (list, tuple, dict)):
            nested = item if isinstance(item, dict) else dict(enumerate(item))
            for key, leaf in nested.items():
                shown = _env_value(section, option, leaf)
                shown = placeholder if secret and shown and not show_secrets else shown
                lines.append(f"{base}_{suffix}_{key}={shown}")
            partial = True
            continue
        shown = _env_value(section, option, item)
        shown = placeholder if secret and shown and not show_secrets else shown
        lines.append(f"{base}_{suffix}={shown}")
    if isinstance(value, (list, tuple)) or not (section, option) in STRUCT_OBJECTS or partial:
        lines.append(
            f"# Kapacitor applies {base}_* only to the items or keys kapacitor.conf already has for {option}; "
            "write the others into the file"
        )
    return lines
