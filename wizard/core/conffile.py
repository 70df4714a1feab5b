"""kapacitor.conf as a target: read, edit in place, diff, write atomically.

Kapacitor reads its handler settings from `kapacitor.conf` (TOML) at start.
This module edits the `[hipchat]`, `[telegram]` and `[[slack]]` sections of
that file with tomlkit, so everything the edit does not touch (comments, key
order, blank lines, other sections, quoting) stays byte for byte as it was.

Nothing here imports Textual.

Typical use::

    doc = load(path)
    new = doc.apply("slack", {"enabled": True, "url": url}, workspace="")
    print(masked_diff(doc.render(), new.render()))   # confirmation step
    backup = write_atomic(path, new.render(), expected_text=doc.render())
"""
from __future__ import annotations

import difflib
import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.exceptions import ParseError, TOMLKitError
from tomlkit.items import AoT, Comment, Item, Table, Whitespace
from tomlkit.toml_document import TOMLDocument

from wizard.core import validators
from wizard.core.errors import ValidationError, WizardError
from wizard.core.secrets import MASK, Scrubber

__all__ = [
    "ENV_SECRET_PLACEHOLDER",
    "OPTIONS",
    "SECRETS",
    "SYSTEM_CONFIG_PATH",
    "ConfigDocument",
    "ConfigFileChanged",
    "ConfigFileError",
    "ConfigFileInvalid",
    "ConfigFileUnreadable",
    "ConfigFileUnsupported",
    "ConfigFileUnwritable",
    "default_config_path",
    "env_lines",
    "env_name",
    "load",
    "masked_diff",
    "parse",
    "write_atomic",
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

SECRETS: dict[str, frozenset[str]] = {
    "hipchat": frozenset({"token"}),
    "slack": frozenset({"url"}),
    "telegram": frozenset({"token"}),
}

# Sections Kapacitor reads as a list of elements keyed by `workspace`.
LIST_SECTIONS = frozenset({"slack"})

ENV_SECRET_PLACEHOLDER = "<secret>"

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


# --------------------------------------------------------------------------- reading


def _location(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def parse(text: str, path: Path | str | None = None, *, existed: bool = True) -> ConfigDocument:
    """Parse kapacitor.conf text. Raises `ConfigFileInvalid` with line and column."""
    return ConfigDocument(text, Path(path) if path is not None else None, existed)


def load(path: Path | str) -> ConfigDocument:
    """Read and parse a kapacitor.conf. A missing file is an empty document."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        return ConfigDocument("", p, existed=False)
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
        text = data.decode("utf-8")
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
    return ConfigDocument(text, p, existed=True)


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


# --------------------------------------------------------------------------- editing helpers


def _check_section(section: str) -> None:
    if section not in OPTIONS:
        raise ValueError(f"unknown section {section!r}; expected one of {sorted(OPTIONS)}")


def _check_options(section: str, names: Iterable[str]) -> None:
    unknown = [n for n in names if n not in OPTIONS[section]]
    if unknown:
        raise ValueError(f"unknown options {unknown} in section {section}")


def _check_value(section: str, name: str, value: object) -> None:
    if isinstance(value, bool) or isinstance(value, str):
        return
    if isinstance(value, (int, float)):
        return
    raise TypeError(f"{section}.{name}: cannot write a value of type {type(value).__name__}")


def _newline_of(text: str) -> str:
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _workspace_of(table: Mapping[str, Any]) -> str:
    value = table.get("workspace", "")
    return value if isinstance(value, str) else str(value)


def _kv_items(container: Container) -> list[tuple[Any, Item]]:
    return [(k, v) for k, v in container.body if k is not None and not isinstance(v, (Table, AoT))]


def _make_value(value: object, old: Item | None, newline: str) -> Item:
    """A tomlkit item for `value`, in the old item's string style when that is possible."""
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
    return type(current) is type(value) and current == value


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
    new_keys = [name for name in OPTIONS[section] if name in values and name not in table]
    for name, value in values.items():
        if name in table:
            old = container.item(name)
            if _same(old, value):
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
    for name in OPTIONS[section]:
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
    _doc: TOMLDocument = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_doc", _parse_toml(self.text, self.path))

    # -- reading

    def render(self) -> str:
        """The file's text, exactly."""
        return self.text

    def _elements(self, section: str) -> list[Table]:
        node = self._doc.get(section)
        if node is None:
            return []
        if isinstance(node, AoT):
            return list(node.body)
        if isinstance(node, Mapping):
            return [node]  # type: ignore[list-item]
        raise ConfigFileUnsupported(
            f"{self._where()} sets {section} to a plain value instead of a [{section}] section.",
            f"Remove that line or turn it into a [{section}] section, then try again.",
            path=self.path,
        )

    def _where(self) -> str:
        return str(self.path) if self.path is not None else "The configuration"

    def _find(self, doc: TOMLDocument, section: str, workspace: str) -> Any:
        node = doc.get(section)
        if node is None:
            return None
        if isinstance(node, AoT):
            for entry in node.body:
                if _workspace_of(entry) == workspace:
                    return entry
            return None
        if not isinstance(node, Mapping):
            self._elements(section)  # raises ConfigFileUnsupported
        if section in LIST_SECTIONS:
            # A single [slack] table is the default workspace (Kapacitor's older sample).
            if _workspace_of(node) == workspace or workspace == "":
                return node
            return None
        return node

    def has_element(self, section: str, workspace: str = "") -> bool:
        _check_section(section)
        return self._find(self._doc, section, workspace) is not None

    def read_element(self, section: str, workspace: str = "") -> dict[str, object]:
        """The values set in the file for one element (empty when there is none)."""
        _check_section(section)
        if section not in LIST_SECTIONS and workspace:
            raise ValueError(f"{section} has no workspaces")
        found = self._find(self._doc, section, workspace)
        if found is None:
            return {}
        return dict(found.unwrap())

    def slack_workspaces(self) -> list[str]:
        """Workspace keys of the slack entries in file order ("" is the unnamed default)."""
        return [_workspace_of(t) for t in self._elements("slack")]

    def slack_index(self, workspace: str = "") -> int | None:
        """The position of a slack entry, as used in KAPACITOR_SLACK_<n>_* variables."""
        found = self._find(self._doc, "slack", workspace)
        for i, table in enumerate(self._elements("slack")):
            if table is found:
                return i
        return None

    def is_single_slack_table(self) -> bool:
        """True when the file has `[slack]` (one table) rather than `[[slack]]` entries."""
        node = self._doc.get("slack")
        return node is not None and not isinstance(node, AoT)

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
        `delete` name `default`.
        """
        _check_section(section)
        values = dict(set or {})
        deletions = [d for d in delete if d not in values]
        _check_options(section, list(values) + deletions)
        for name, value in values.items():
            _check_value(section, name, value)
        if section not in LIST_SECTIONS and workspace:
            raise ValueError(f"{section} has no workspaces")

        newline = _newline_of(self.text)
        bom = "\ufeff" if self.text.startswith("\ufeff") else ""
        doc = _parse_toml(self.text, self.path)
        self._elements(section)  # rejects `slack = "..."` and the like
        target = self._find(doc, section, workspace)

        if target is not None:
            _set_in_table(target, section, values, self._indent(), newline)
            _delete_in_table(target, deletions)
            return self._derive(bom + doc.as_string())

        if not values:
            return self  # nothing to delete, nothing to create

        if section in LIST_SECTIONS:
            values = self._new_entry_values(workspace, values, deletions)
        node = doc.get(section)
        if isinstance(node, AoT):
            return self._derive(bom + self._append_entry(doc, node, section, values, newline))
        if node is not None:
            raise ConfigFileUnsupported(
                f"{self._where()} has a single [{section}] section; another workspace needs [[{section}]] entries.",
                f"Change [{section}] to [[{section}]] (and give that entry default = true), then add the workspace again.",
                path=self.path,
            )
        header = f"[[{section}]]" if section in LIST_SECTIONS else f"[{section}]"
        return self._derive(self._append_at_end(header, section, values, newline))

    def _derive(self, text: str) -> ConfigDocument:
        return ConfigDocument(text, self.path, self.existed)

    def _indent(self) -> str:
        """The indentation of keys in this file's sections (Kapacitor's sample uses two spaces)."""
        for _, node in self._doc.body:
            tables = node.body if isinstance(node, AoT) else [node] if isinstance(node, Table) else []
            for table in tables:
                for _, item in _kv_items(table.value):
                    return item.trivia.indent.lstrip("\r\n")
        return DEFAULT_INDENT

    def _new_entry_values(
        self, workspace: str, values: dict[str, object], deletions: list[str]
    ) -> dict[str, object]:
        values = dict(values)
        if workspace:
            values.setdefault("workspace", workspace)
        elif "default" not in values and "default" not in deletions:
            others = [t for t in self._elements("slack") if t.get("default") is True]
            if not others:
                values["default"] = True
        if values.get("workspace", "") != workspace:
            raise ValueError("set['workspace'] differs from the workspace being edited")
        return values

    def _append_at_end(self, header: str, section: str, values: Mapping[str, object], newline: str) -> str:
        text = self.text
        if text.strip("\ufeff \t\r\n"):
            if not text.endswith("\n"):
                text += newline
            if not text.endswith(newline + newline) and not text.endswith("\n\n"):
                text += newline
        return text + _render_new_table(header, section, values, self._indent(), newline)

    def _append_entry(
        self, doc: TOMLDocument, aot: AoT, section: str, values: Mapping[str, object], newline: str
    ) -> str:
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
        if not trailer and doc.body and doc.body[-1][1] is not aot:
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


def _secret_values(doc: TOMLDocument, secrets: Mapping[str, Iterable[str]]) -> list[tuple[Table, str]]:
    found = []
    for section, names in secrets.items():
        node = doc.get(section)
        tables = list(node.body) if isinstance(node, AoT) else [node] if isinstance(node, Table) else []
        for table in tables:
            for name in names:
                if name in table and isinstance(table[name], str) and table[name]:
                    found.append((table, name))
    return found


def _mask_text(text: str, secrets: Mapping[str, Iterable[str]], scrub: Scrubber) -> list[str]:
    """The text's lines with every secret value replaced by a mask, same line count."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    doc = tomlkit.parse(text[len(bom):])
    replacements: dict[str, str] = {}
    for table, name in _secret_values(doc, secrets):
        old = table.value.item(name)
        scrub.add(str(table[name]))
        extra_lines = old.as_string().count("\n")
        sentinel = f"conffile-mask-{uuid.uuid4().hex}"
        table[name] = tomlkit.string(sentinel)
        replacements[f'"{sentinel}"'] = f'"{MASK}"' + "\n" * extra_lines
    masked = bom + doc.as_string()
    for sentinel, shown in replacements.items():
        masked = masked.replace(sentinel, shown)
    return _split_lines(masked)


def masked_diff(
    old_text: str,
    new_text: str,
    secrets: Mapping[str, Iterable[str]] = SECRETS,
    *,
    fromfile: str = "kapacitor.conf (current)",
    tofile: str = "kapacitor.conf (new)",
    context: int = 3,
) -> str:
    """A unified diff of two versions of the file with secret values masked.

    A changed secret still shows as a changed line (`-token = "•••"`,
    `+token = "•••"`); the values never appear, not even in comments
    elsewhere in the file. Returns "" when the texts are equal.
    """
    old_lines, new_lines = _split_lines(old_text), _split_lines(new_text)
    scrub = Scrubber()
    masked_old = _mask_text(old_text, secrets, scrub)
    masked_new = _mask_text(new_text, secrets, scrub)
    if len(masked_old) != len(old_lines) or len(masked_new) != len(new_lines):
        # Never expected; fall back to a diff of the masked texts, which cannot leak.
        old_lines, new_lines = masked_old, masked_new

    def shown(line: str) -> str:
        line = scrub(line)
        return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"

    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
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
                out.extend(" " + shown(line) for line in masked_old[i1:i2])
                continue
            if tag in ("replace", "delete"):
                out.extend("-" + shown(line) for line in masked_old[i1:i2])
            if tag in ("replace", "insert"):
                out.extend("+" + shown(line) for line in masked_new[j1:j2])
    return "".join(out)


# --------------------------------------------------------------------------- writing


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


def write_atomic(
    path: Path | str,
    text: str,
    *,
    expected_text: str | None = None,
    now: datetime | None = None,
) -> Path | None:
    """Replace the file with `text` atomically and return the backup's path (None for a new file).

    The text goes to a temporary file in the same folder, is flushed and
    fsynced, gets the old file's owner and mode (0600 for a new file, since
    it holds tokens), and is renamed over the file. The previous file stays
    beside it as `<name>.bak-<YYYYmmddTHHMMSS>`. When `expected_text` is given
    and the file no longer holds it, nothing is written (`ConfigFileChanged`).
    A symlink is followed: its target is replaced, the link is kept.
    On any failure the old file is unchanged and no temporary file remains.
    """
    shown = Path(path)
    _parse_toml(text, shown)  # never write a file Kapacitor would refuse
    target = Path(os.path.realpath(shown))
    folder = target.parent
    if not folder.is_dir():
        raise ConfigFileUnwritable(
            f"The folder {folder} does not exist.",
            "Create it first or choose another place for kapacitor.conf.",
            path=shown,
        )
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise ConfigFileUnwritable(f"Could not inspect {shown}: {exc.strerror or exc}.", path=shown) from exc
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise ConfigFileUnwritable(f"{shown} is not a regular file.", "Choose the kapacitor.conf file itself.", path=shown)

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
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        if st is not None:
            made = os.stat(tmp_name)
            if (made.st_uid, made.st_gid) != (st.st_uid, st.st_gid):
                os.chown(tmp_name, st.st_uid, st.st_gid)
            os.chmod(tmp_name, stat.S_IMODE(st.st_mode))
        else:
            os.chmod(tmp_name, 0o600)
        if st is not None:
            backup = _make_backup(target, now or datetime.now())
        os.replace(tmp_name, target)
        tmp_name = None
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
    if validators.control_character(text):
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
) -> list[str]:
    """`NAME=value` lines (docker `--env-file` / compose style, unquoted) for the given options.

    Secret values become `ENV_SECRET_PLACEHOLDER` unless `show_secrets`. Kapacitor
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
        shown = _env_value(section, option, value)
        if option in SECRETS[section] and shown and not show_secrets:
            shown = ENV_SECRET_PLACEHOLDER
        lines.append(f"{env_name(section, option, workspace_index)}={shown}")
    return lines
