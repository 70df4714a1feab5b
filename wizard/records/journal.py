"""A journal of what a run creates on Kapacitor, so that exactly that can be removed again.

A run (one proof, say) opens a record before it creates anything; each thing it is about to
create is written into the record before the request that creates it is sent, and marked once
its removal is confirmed. The run cleans up by its record alone, never by a name pattern, so
it removes only what it made. When everything is removed the record is deleted. A record left
behind (the process was killed, or its clean-up could not reach Kapacitor) is *abandoned* once
its process is gone, and the next run of the same purpose for the same Kapacitor cleans up by
it first.

Records live in the wizard's state folder (`undo.state_dir()`, 0700) as
``journal-<purpose>-<run id>.json``, mode 0600, replaced atomically on every change (a new
file renamed over the old one), so a crash leaves the old record or the new one, never half
of one. The format is generic (entries with a kind, the keys that name the thing on
Kapacitor, a state and free data) so that config undo records and route undo records can
live here too later; for now only the proof uses it.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import socket
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from wizard.text.errors import WizardError

PREFIX = "journal-"
SUFFIX = ".json"
VERSION = 1

INTENDED = "intended"
"""Written before the request that creates the thing: it may exist or not."""
CREATED = "created"
"""Kapacitor confirmed it."""
UNKNOWN = "unknown"
"""The answer was lost: it may exist, and the request may still land later."""
REMOVED = "removed"
"""Its removal was confirmed (or it never existed)."""

_ID_RE = re.compile(r"^[0-9]{8}T[0-9]{6}-[0-9a-f]{6}$")
_PURPOSE_RE = re.compile(r"^[a-z]+$")

_active: set[str] = set()
"""Runs this process is carrying out now: never taken for abandoned ones."""


class JournalError(WizardError):
    """The journal could not be written: the run must not create anything."""

    title = "State folder"


@dataclass(slots=True)
class Entry:
    """One thing a run creates (or changes) on Kapacitor."""

    kind: str
    """What it is: "task", "topic-handler", "topic", …"""
    key: dict[str, str]
    """What names it on Kapacitor, e.g. {"topic": "t", "id": "h"}."""
    state: str = INTENDED
    data: dict[str, Any] = field(default_factory=dict)
    """Anything needed to remove or restore it (a task's mark, say)."""

    def names(self, other: Entry) -> bool:
        return self.kind == other.kind and self.key == other.key


@dataclass(slots=True)
class Record:
    """A run's record, as stored."""

    id: str
    purpose: str
    kapacitor: str
    """Kapacitor's public URL (no user, password or query): `undo.public_url`."""
    pid: int
    host: str
    started: str
    entries: list[Entry] = field(default_factory=list)
    version: int = VERSION

    @classmethod
    def from_json(cls, text: str) -> Record:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise ValueError("not a journal record of this version")
        entries = [Entry(kind=str(e["kind"]), key={str(k): str(v) for k, v in dict(e["key"]).items()},
                         state=str(e.get("state", INTENDED)), data=dict(e.get("data") or {}))
                   for e in data.get("entries") or []]
        record = cls(id=str(data["id"]), purpose=str(data["purpose"]), kapacitor=str(data["kapacitor"]),
                     pid=int(data["pid"]), host=str(data.get("host", "")), started=str(data.get("started", "")),
                     entries=entries)
        if not _ID_RE.match(record.id) or not _PURPOSE_RE.match(record.purpose):
            raise ValueError("bad id or purpose")
        return record


def folder() -> Path:
    """The state folder, created 0700 when missing (tightened when group or others can enter)."""
    from wizard.changes import undo  # the same folder and XDG rules as the undo records

    path = undo.state_dir()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            if not path.is_dir():
                raise
            if path.stat().st_mode & 0o077:
                path.chmod(0o700)
    except OSError as err:
        raise JournalError(
            f"Could not create the state folder {path}: {err.strerror or err}.",
            "Check its permissions, or set XDG_STATE_HOME to a writable folder.",
        ) from err
    return path


class Run:
    """A run's record, kept on disk while the run lasts; every change is saved before it counts."""

    def __init__(self, record: Record, path: Path) -> None:
        self.record = record
        self.path = path

    @property
    def id(self) -> str:
        return self.record.id

    def add(self, kind: str, key: dict[str, str], data: dict[str, Any] | None = None) -> Entry:
        """Note a thing the run is about to create; saved before this returns (raises JournalError)."""
        entry = Entry(kind, dict(key), INTENDED, dict(data or {}))
        found = next((e for e in self.record.entries if e.names(entry)), None)
        if found is not None:
            found.state = INTENDED if found.state == REMOVED else found.state
            self.save()
            return found
        self.record.entries.append(entry)
        self.save()
        return entry

    def mark(self, entry: Entry, state: str) -> None:
        entry.state = state
        try:
            self.save()
        except JournalError:
            pass  # the record keeps the older state, which only means more to check next time

    def pending(self) -> list[Entry]:
        """What may still exist on Kapacitor."""
        return [e for e in self.record.entries if e.state != REMOVED]

    def save(self) -> None:
        _write(self.path, json.dumps(asdict(self.record), indent=1))

    def finish(self) -> bool:
        """Delete the record when everything is removed; else keep it for the next run. True when deleted."""
        _active.discard(self.id)
        if self.pending():
            return False
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            return False
        return True


def begin(purpose: str, kapacitor_url: str) -> Run:
    """Open a new run's record (on disk before this returns); raises JournalError when it cannot."""
    from wizard.changes import undo

    where = folder()
    now = datetime.now(timezone.utc)
    for _ in range(20):
        run_id = f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
        path = where / f"{PREFIX}{purpose}-{run_id}{SUFFIX}"
        if path.exists():
            continue
        record = Record(id=run_id, purpose=purpose, kapacitor=undo.public_url(kapacitor_url), pid=os.getpid(),
                        host=socket.gethostname(), started=now.isoformat(timespec="seconds").replace("+00:00", "Z"))
        run = Run(record, path)
        run.save()
        _active.add(run_id)
        return run
    raise JournalError(f"Could not find a free name for a record in {where}.", "Remove old journal-*.json files there.")


def abandoned(purpose: str, kapacitor_url: str) -> list[Run]:
    """Records of this purpose and Kapacitor whose run is over but not cleaned up, oldest first.

    A record of a live process (another terminal's proof still running) is left to it; one from
    another host is left alone too, since its process cannot be checked from here.
    """
    from wizard.changes import undo

    where = undo.state_dir()
    if not where.is_dir():
        return []
    wanted = undo.public_url(kapacitor_url)
    host = socket.gethostname()
    found: list[Run] = []
    for path in sorted(where.glob(f"{PREFIX}{purpose}-*{SUFFIX}")):
        try:
            record = Record.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if record.kapacitor != wanted or record.purpose != purpose or record.host != host:
            continue
        if record.id in _active or (record.pid != os.getpid() and _alive(record.pid)):
            continue
        found.append(Run(record, path))
    return found


def claim(run: Run) -> None:
    """Take over an abandoned run: this process now cleans up by it."""
    run.record.pid = os.getpid()
    _active.add(run.id)
    try:
        run.save()
    except JournalError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _write(path: Path, text: str) -> None:
    """Replace `path` atomically with a new 0600 file (never chmod after the fact)."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.unlink(missing_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as err:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass
        raise JournalError(
            f"Could not write {path}: {err.strerror or err}.",
            "Check the state folder's permissions, or set XDG_STATE_HOME to a writable folder.",
        ) from err
