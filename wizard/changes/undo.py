"""Undo: the previous values of every option an apply changes, kept on disk.

Before each write through Kapacitor's API the wizard saves, for the options
about to change, what Kapacitor had and what the write sends: non-secret values
exactly, and for secrets only whether they were set (Kapacitor never reveals
them, and the wizard never writes one to disk). `undo` sends the previous
values back; a previous null (a list or object never set through the API) is
brought back by deleting the option's API setting, since Kapacitor refuses
null, and a secret that was not set is cleared to its empty shape. A removed
list element is added again with its non-secret values (a built-in one, or one
from kapacitor.conf, which removing only resets, gets them set back); its
secrets must be typed again.

Each record is written as `pending` before the request and marked `applied`
after Kapacitor's 2xx answer. A definite refusal (an HTTP error answer, or no
connection at all) removes it. When the outcome is not known (a timeout or a
dropped connection after the request went out, an interruption while it was
in flight) the record stays as `unknown`: Kapacitor may well have applied it.

Undo is per write and refuses to overwrite what someone changed since: it
compares what Kapacitor has now with what the record wrote, and names the
options that differ (`force` goes ahead anyway).

Records live in `$XDG_STATE_HOME/kapacitor-wizard` (else
`~/.local/state/kapacitor-wizard`): the folder is 0700, each file 0600 from
the moment it is created. A record that was undone is marked as such and is
never undone again.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from wizard.text.errors import KapacitorError, KapacitorUnreachable, WizardError
from wizard.handlers.registry import HANDLERS, HandlerSpec
from wizard.kapacitor.client import API, Element, KapacitorClient, element_path, normalize_url
from wizard.changes.plan import Plan, show_value
from wizard.text.secrets import mask_userinfo, secret_is_set

APP_DIR = "kapacitor-wizard"
PREFIX = "undo-"
SUFFIX = ".json"
FORMAT = 1
PENDING, APPLIED, UNKNOWN = "pending", "applied", "unknown"
MAX_RECORDS = 200
"""Older records beyond this many are deleted when a new one is written."""

_ID_RE = re.compile(r"^\d{8}T\d{6}\.\d{6}Z(-\d+)?$")


class UndoError(WizardError):
    """Undo information could not be saved, read or used."""

    title = "Undo"


class NothingToUndo(UndoError):
    title = "Nothing to undo"


class UndoConflict(UndoError):
    """Kapacitor's values of some recorded options differ from what the write sent."""

    title = "Changed since"

    def __init__(self, record: UndoRecord, changed: list[ChangedSince], *, hint: str = "") -> None:
        self.record = record
        self.changed = changed
        names = ", ".join(c.option for c in changed)
        super().__init__(
            f"{record.element_name} was changed on Kapacitor after the apply of {record.when} "
            f"({names}): {self.details}. Undo would overwrite that change, so nothing was restored.",
            hint or f"To restore the previous values anyway: kapacitor-wizard undo {record.id} --force",
        )

    @property
    def options(self) -> list[str]:
        return [c.option for c in self.changed]

    @property
    def details(self) -> str:
        """Each changed option with its value now and what the write sent (secrets as set / not set)."""
        return "; ".join(c.describe() for c in self.changed)


# -- where records live ---------------------------------------------------------

def state_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_STATE_HOME/kapacitor-wizard`, else `~/.local/state/kapacitor-wizard`.

    A relative XDG_STATE_HOME is ignored, as the XDG spec asks.
    """
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / APP_DIR


def _ensure_state_dir() -> Path:
    folder = state_dir()
    try:
        folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            if not folder.is_dir():
                raise
            if folder.stat().st_mode & 0o077:
                folder.chmod(0o700)
    except OSError as err:
        raise UndoError(
            f"Could not create the folder for undo information {folder}: {err.strerror or err}.",
            "Check its permissions, or set XDG_STATE_HOME to a writable folder.",
        ) from err
    return folder


def public_url(url: str) -> str:
    """Kapacitor's URL as records keep it: normalized, without user, password, query or fragment."""
    parts = urlsplit(normalize_url(url))
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host + (f":{port}" if port else "")
    return urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))


def without_password(value: Any) -> Any:
    """A value as records keep it: the password of a URL (`--telegram-api-url`,
    `--hipchat-url`) masked, since records never hold a secret."""
    return mask_userinfo(value) if isinstance(value, str) else value


# -- records ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class UndoRecord:
    """What one element had before one apply. Never holds a secret value."""

    id: str
    created_at: str
    kapacitor_url: str
    handler: str
    section: str
    workspace: str
    values: dict[str, Any] = field(default_factory=dict)
    """Non-secret option to its previous value, exactly."""
    secrets: dict[str, bool] = field(default_factory=dict)
    """Secret option to whether it was set before."""
    reset: list[str] = field(default_factory=list)
    """Options whose API override the apply deleted (their previous value is in values/secrets)."""
    created: bool = False
    """The apply added the element (a new Slack workspace): undo removes it."""
    removed: bool = False
    """The apply removed the element: undo adds it again with `values` (a built-in element,
    which removing only resets, gets `values` set back). Its secrets cannot come back."""
    restored_at: str | None = None
    """When undo sent these values back; an undone record is not undone again."""
    written: dict[str, Any] = field(default_factory=dict)
    """What the write sent: non-secret option to its new value, secret option to "set" or
    "deleted" (never the secret). Options reset to kapacitor.conf are not in here."""
    status: str = APPLIED
    """PENDING while the request is out, APPLIED after Kapacitor's 2xx, UNKNOWN when the
    answer never came. (Records of earlier versions have no status: they were applied.)"""
    blanks: dict[str, Any] = field(default_factory=dict)
    """Secret options that were not set, with what clears them to exactly that when it is not ""
    (an object with its texts emptied; None: delete the option's API setting). Never a secret."""
    from_file: bool = False
    """The removed element turned out to come from kapacitor.conf: Kapacitor only dropped its API
    settings, as it does for a built-in element, so undo sets `values` back."""
    format: int = FORMAT

    @property
    def spec(self) -> HandlerSpec:
        return HANDLERS[self.handler]

    @property
    def path(self) -> Path:
        return state_dir() / f"{PREFIX}{self.id}{SUFFIX}"

    @property
    def options(self) -> list[str]:
        """The options the apply changed, in the handler's order."""
        names = set(self.values) | set(self.secrets)
        return [o.name for o in self.spec.options if o.name in names]

    @property
    def element_name(self) -> str:
        title = self.spec.title
        if not self.workspace:
            return title
        from wizard.changes.elements import list_section  # workspaces, endpoints, clusters, brokers

        return f"{title} {list_section(self.spec.section, self.spec.list_key or 'workspace').noun} {self.workspace}"

    @property
    def builtin_reset(self) -> bool:
        """The apply removed a built-in element, or one from kapacitor.conf, which Kapacitor only resets."""
        from wizard.changes.elements import list_section

        builtin = list_section(self.spec.section, self.spec.list_key or "workspace").builtin
        return self.removed and (self.from_file or self.workspace == builtin)

    @property
    def when(self) -> str:
        """The time of the apply, for people: `2026-11-30 23:40:01 UTC`."""
        return self.created_at.replace("T", " ").split(".")[0] + " UTC"

    @property
    def outcome_unknown(self) -> bool:
        """Kapacitor never answered the write (or the record of a crashed run is still pending)."""
        return self.status != APPLIED

    @property
    def state(self) -> str:
        if self.restored_at:
            return "undone"
        return "outcome unknown" if self.outcome_unknown else "applied"

    def describe(self) -> str:
        """One line for `undo --list`: id, time, handler/workspace, options, status."""
        if self.removed:
            what = "reset the element" if self.builtin_reset else "removed the element"
        else:
            what = "added the element" if self.created else ", ".join(self.options) or "nothing"
        return f"{self.id}  {self.when}  {self.element_name}: {what}  ({self.state})"

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> UndoRecord:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("handler") not in HANDLERS:
            raise ValueError("not an undo record of this version")
        known = set(cls.__dataclass_fields__)
        record = cls(**{k: v for k, v in data.items() if k in known})
        if not _ID_RE.match(record.id):
            raise ValueError("bad id")
        return record


def _new_id(now: datetime, attempt: int) -> str:
    stamp = now.strftime("%Y%m%dT%H%M%S.%fZ")
    return stamp if attempt == 0 else f"{stamp}-{attempt}"


def _write_new(folder: Path, record: UndoRecord, now: datetime) -> UndoRecord:
    """Create the file 0600 with O_EXCL (never chmod after); a new id if the name is taken."""
    for attempt in range(100):
        candidate = replace(record, id=_new_id(now, attempt))
        path = folder / f"{PREFIX}{candidate.id}{SUFFIX}"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(candidate.to_json())
        return candidate
    raise OSError("no free file name for the undo record")


def record_before_apply(plan: Plan, kapacitor_url: str, *, adding: bool | None = None) -> UndoRecord | None:
    """Save, as `pending`, what Kapacitor has for the options `plan` is about to change.

    Call it right before sending the plan, then `settle` the record with the
    outcome (`backup` does both). No file is written for an empty plan.
    `adding` (default: `plan.adding`) says the element does not exist yet.
    Raises `UndoError` when the file cannot be written.
    """
    if adding is None:
        adding = bool(getattr(plan, "adding", False))
    removing = bool(getattr(plan, "removing", False))
    if not plan.changes and not adding and not removing:
        return None
    values: dict[str, Any] = {}
    secrets: dict[str, bool] = {}
    blanks: dict[str, Any] = {}
    written: dict[str, Any] = {}
    # A removal keeps every option of the element (`snapshot`), not only those the review shows.
    for change in getattr(plan, "snapshot", ()) or plan.changes:
        # A URL that held a password cannot be kept either: it is undone like a secret.
        secret = change.secret or change.option in plan.spec.secrets or without_password(change.before) != change.before
        if secret:
            secrets[change.option] = bool(change.before)
            if not change.before and change.blank != "":
                blanks[change.option] = change.blank
        else:
            values[change.option] = change.before
    for change in plan.changes:
        secret = change.option in secrets
        if change.removed:
            continue  # the element goes away: there is no value written to compare with later
        if change.reset:
            # The value now comes from kapacitor.conf, which the wizard cannot see through the API.
            if secret:
                written[change.option] = "deleted"
        else:
            # A secret the write emptied (a Slack bot token, when going to a webhook) is "cleared".
            written[change.option] = ("cleared" if change.after is False else "set") if secret else without_password(change.after)
    now = datetime.now(timezone.utc)
    record = UndoRecord(
        id="",
        created_at=now.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        kapacitor_url=public_url(kapacitor_url),
        handler=plan.spec.name,
        section=plan.spec.section,
        workspace=plan.workspace,
        values=values,
        secrets=secrets,
        reset=[c.option for c in plan.changes if c.reset],
        created=adding,
        removed=removing,
        written=written,
        status=PENDING,
        blanks=blanks,
    )
    folder = _ensure_state_dir()
    try:
        written_record = _write_new(folder, record, now)
    except OSError as err:
        raise UndoError(
            f"Could not save undo information in {folder}: {getattr(err, 'strerror', None) or err}.",
            "Check the folder's permissions, or set XDG_STATE_HOME to a writable folder.",
        ) from err
    _prune(folder)
    return written_record


def discard(record: UndoRecord | None) -> None:
    """Forget a record (Kapacitor refused its write, so there is nothing to undo)."""
    if record is not None:
        try:
            record.path.unlink()
        except FileNotFoundError:
            pass


# Failures that happen before a single byte of the request left: Kapacitor cannot have applied it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol, httpx.ProxyError)


def write_refused(err: BaseException) -> bool:
    """Whether a failed write certainly changed nothing on Kapacitor.

    True for an HTTP error answer (Kapacitor read the request and refused it) and
    for a connection that never opened. A timeout or dropped connection after the
    request was sent, an interruption while it was in flight, or anything else is
    not certain: Kapacitor may have applied the change.
    """
    if not isinstance(err, KapacitorError):
        return False
    cause = err.__cause__
    if isinstance(cause, _NOT_SENT):
        return True
    if isinstance(err, KapacitorUnreachable):
        return cause is None  # no cause: refused before any connection (a bad address)
    status = getattr(err, "status", None)
    if isinstance(status, int) and 200 <= status < 300:
        return False  # Kapacitor said yes; only reading its answer went wrong
    if status == 504:
        return False  # a proxy passed the request on and gave up waiting for Kapacitor's answer
    return True  # built from Kapacitor's answer (401, 403, 4xx, 5xx)


def settle(record: UndoRecord | None, error: BaseException | None = None) -> UndoRecord | None:
    """Give a pending record the outcome of its write.

    No error: `applied`. A definite refusal: the record is deleted (None). An
    unknown outcome: kept as `unknown`, so `undo` can still take the change back.
    """
    if record is None:
        return None
    if error is None:
        return _rewrite(replace(record, status=APPLIED))
    if write_refused(error):
        discard(record)
        return None
    return _rewrite(replace(record, status=UNKNOWN))


UNKNOWN_HINT = "Kapacitor may have applied the change anyway: kapacitor-wizard undo takes it back."


class Backup:
    """The undo record of one write, as `backup` keeps it; `record` follows its status."""

    def __init__(self, record: UndoRecord | None) -> None:
        self.record = record


@contextmanager
def backup(plan: Plan, kapacitor_url: str, *, adding: bool | None = None,
           warn: Callable[[str], None] | None = None) -> Iterator[Backup]:
    """Keep undo information around one write: `with backup(plan, url) as kept: await write()`.

    The record is saved as pending first, marked applied when the block ends, deleted when
    Kapacitor refused the write, and kept as `unknown` when the block ends without an answer
    (see `write_refused`); `kept.record` is the record as it ends up. Without `warn` a record
    that cannot be saved raises `UndoError`; with it the write goes on and `warn` gets one
    sentence.
    """
    try:
        record = record_before_apply(plan, kapacitor_url, adding=adding)
    except UndoError as err:
        if warn is None:
            raise
        warn(f"{err.message} Undo will not be possible for this change.")
        record = None
    kept = Backup(record)
    try:
        yield kept
    except BaseException as err:
        try:
            kept.record = settle(record, err)
        except UndoError as failure:
            if warn is not None:
                warn(failure.message)
        if kept.record is not None:
            if isinstance(err, WizardError) and UNKNOWN_HINT not in err.hint:
                err.hint = f"{err.hint} {UNKNOWN_HINT}".strip()
            elif not isinstance(err, WizardError) and warn is not None:
                warn(f"Interrupted before Kapacitor answered. {UNKNOWN_HINT}")
        raise
    try:
        kept.record = settle(record)
    except UndoError as failure:
        # The write went through; a record left pending still lets undo take it back.
        if warn is not None:
            warn(failure.message)


def _files() -> list[Path]:
    folder = state_dir()
    try:
        return sorted(p for p in folder.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX))
    except FileNotFoundError:
        return []
    except OSError as err:
        raise UndoError(f"Could not read the undo information in {folder}: {err.strerror or err}.") from err


def list_records(kapacitor_url: str | None = None) -> list[UndoRecord]:
    """Every readable record, oldest first; only those of one Kapacitor when a URL is given."""
    wanted = public_url(kapacitor_url) if kapacitor_url else None
    records = []
    for path in _files():
        try:
            record = UndoRecord.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError):
            continue  # a damaged or foreign file is not ours to use
        if wanted is None or record.kapacitor_url == wanted:
            records.append(record)
    return sorted(records, key=lambda r: r.id)


def latest(kapacitor_url: str) -> UndoRecord | None:
    """The newest record of this Kapacitor that was not undone yet (applied or outcome unknown)."""
    open_records = [r for r in list_records(kapacitor_url) if not r.restored_at]
    return open_records[-1] if open_records else None


def id_problem(record_id: str) -> str:
    """Why a text is not an undo id ("" when it is one): the empty id too, never "the newest"."""
    if _ID_RE.match(record_id):
        return ""
    shown = "An empty id" if record_id == "" else f"{record_id!r}"
    return f"{shown} is not an undo id; leave the id out to undo the newest write."


def find(record_id: str, kapacitor_url: str | None = None) -> UndoRecord:
    if problem := id_problem(record_id):
        raise UndoError(problem, "List them with: kapacitor-wizard undo --list")
    for record in list_records(kapacitor_url):
        if record.id == record_id:
            return record
    where = f" for {public_url(kapacitor_url)}" if kapacitor_url else ""
    raise UndoError(f"There is no undo record {record_id}{where}.", "List them with: kapacitor-wizard undo --list")


def _rewrite(record: UndoRecord) -> UndoRecord:
    """Replace a record's file atomically (a new 0600 file renamed over it)."""
    folder = record.path.parent
    temporary = folder / f".{record.path.name}.tmp"
    try:
        temporary.unlink(missing_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(record.to_json())
        os.replace(temporary, record.path)
    except OSError as err:
        raise UndoError(
            f"Could not update the undo record {record.path}: {err.strerror or err}.",
            "Check the folder's permissions.",
        ) from err
    return record


def mark_restored(record: UndoRecord) -> UndoRecord:
    """Note that undo sent this record's values back (replaces the file atomically, 0600)."""
    done = replace(record, restored_at=datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"))
    try:
        return _rewrite(done)
    except UndoError as err:
        raise UndoError(
            f"The previous values were restored, but {record.path} could not be marked as undone.",
            "Delete that file so that undo does not send the same values again.",
        ) from err


def _prune(folder: Path) -> None:
    files = _files()
    for old in files[: max(0, len(files) - MAX_RECORDS)]:
        try:
            old.unlink()
        except OSError:
            pass


# -- restoring --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RestorePlan:
    """The request that sends a record's values back."""

    record: UndoRecord
    set: dict[str, Any]
    delete: list[str]
    unrestorable: list[str]
    """Secrets that were set before and were replaced: Kapacitor never reveals them."""
    remove: bool = False
    """Remove the element the apply added."""
    add: dict[str, Any] | None = None
    """Add the element the apply removed again: its key and non-secret values, never a secret."""
    added_disabled: bool = False
    """It was enabled, but a secret it needs to send anything cannot come back: added disabled."""

    @property
    def empty(self) -> bool:
        return not self.set and not self.delete and not self.remove and not self.add

    @property
    def path(self) -> str:
        if self.remove or self.add:
            return f"{API}/config/{self.record.section}"
        return element_path(self.record.section, self.record.workspace)

    def describe(self, current: Element | None) -> list[str]:
        """Which handler and options the restore sends, each from its value now; secrets as set / not set."""
        record = self.record
        heading = f"{record.element_name}, as before the apply of {record.when} (undo id {record.id})"
        if record.outcome_unknown:
            heading += "; the outcome of that apply was unknown"
        if self.remove:
            return [f"{heading}: remove {record.element_name}, which the apply added."]
        if self.add is not None:
            key = record.spec.list_key
            lines = [f"{heading}: add {record.element_name} again, which the apply removed, with:"]
            lines.extend(f"  {option}: {shown(value)}" for option, value in self.add.items() if option != key)
            lines.extend(f"  {option}: not set (a secret: Kapacitor never revealed it)" for option in self.unrestorable)
            return lines
        if self.empty:
            return [f"{heading}: nothing to send."]
        lines = [f"{heading}:"]
        now = current.options if current else {}
        for option, value in self.set.items():
            if option in record.secrets:
                lines.append(f"  {option}: {'set' if secret_is_set(now.get(option)) else 'not set'} -> not set")
            else:
                lines.append(f"  {option}: {shown(now.get(option))} -> {shown(value)}")
        for option in self.delete:
            # A null is never sent: the option's API setting is deleted (see restore_plan).
            was = "set -> not set" if option in record.secrets else f"{shown(now.get(option))} -> {shown(None)}"
            lines.append(f"  {option}: {was} (its API setting is deleted: no API setting held it before)")
        return lines

    def request_body(self) -> dict[str, Any]:
        """The JSON Kapacitor gets; it never holds a secret (a secret is only ever cleared)."""
        if self.remove:
            return {"remove": [self.record.workspace]}
        if self.add is not None:
            return {"add": dict(self.add)}
        body: dict[str, Any] = {}
        if self.set:
            body["set"] = dict(self.set)
        if self.delete:
            body["delete"] = list(self.delete)
        return body


def shown(value: Any) -> str:
    """A non-secret value for people: quoted text, yes/no, and any URL's user:password@ masked."""
    if isinstance(value, (bool, int, float, list, tuple, dict)) or value in (None, ""):
        return show_value(value)  # numbers, lists and objects as people type them
    text = re.sub(r"(?<=://)[^/@\s]*@", "•••@", str(value))
    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class ChangedSince:
    """A recorded option whose value on Kapacitor is neither what the write sent nor what it replaced."""

    option: str
    now: Any
    written: Any
    secret: bool = False

    def describe(self) -> str:
        if self.secret:
            now = "set" if self.now else "not set"
            return f"{self.option} is now {now} (the apply set it)"
        return f"{self.option} is now {shown(self.now)} (the apply wrote {shown(self.written)})"


def changed_since(record: UndoRecord, current: Element | None) -> list[ChangedSince]:
    """The recorded options someone changed after the write, in the handler's order.

    An option still holding what the write sent is the write's own value; one that holds
    its previous value again needs nothing restored. Anything else was changed by someone
    else, and restoring would overwrite it. Secrets compare by presence only (Kapacitor
    never reveals them); options reset to kapacitor.conf cannot be compared.
    """
    if current is None:
        return []
    changed = []
    for option in record.options:
        if option not in record.written:
            continue
        if option in record.secrets:
            if record.written[option] != "set":
                continue
            now = current.is_set(option)
            if not now and record.secrets[option]:
                changed.append(ChangedSince(option, now, "set", secret=True))
            continue
        now = without_password(current.options.get(option))
        if now != record.written[option] and now != record.values.get(option):
            changed.append(ChangedSince(option, now, record.written[option]))
    return changed


def restore_plan(record: UndoRecord, current: Element | None, *, force: bool = False) -> RestorePlan:
    """What to send so the element has its previous values again.

    Non-secret options get their previous value back (whether it came from an
    override or from kapacitor.conf, setting it is exact). A previous null is
    the exception: Kapacitor refuses null in `set` ("wrong kind invalid", from
    weakCopyValue in services/config/override/override.go) and never stores
    one (an override of `[]` or `{}` reads back as that, not null), so a null
    means no API setting held the option: deleting the option's API setting
    (`delete`, services/config/service.go overridesForUpdateAction) brings the
    null back from kapacitor.conf or the defaults. A secret that was not set
    before is cleared (see `secret_blank` in wizard/changes/plan.py); in the same
    request `enabled` goes back to its previous value, and Kapacitor validates
    the merged element, so "an enabled handler needs its url/token" holds. A
    secret that was set before and was replaced cannot be restored. Options
    already at their previous value are not sent.

    A removed element that Kapacitor still has is set back to its values when it
    was only reset (built in, or from kapacitor.conf), or with `force`.
    """
    if record.created:
        return RestorePlan(record, {}, [], [], remove=current is not None)
    if record.removed and not record.builtin_reset and not (force and current is not None):
        return _add_again(record, current)
    if current is None:
        raise UndoError(
            f"Kapacitor no longer has the {record.element_name} element that this undo would restore.",
            "Nothing was changed.",
        )
    wanted: dict[str, Any] = {}
    delete: list[str] = []
    unrestorable: list[str] = []
    for option in record.options:
        if option in record.secrets:
            if record.secrets[option]:
                unrestorable.append(option)
            elif secret_is_set(current.options.get(option)):
                wanted[option] = record.blanks.get(option, "")
        elif current.options.get(option) != record.values[option]:
            wanted[option] = record.values[option]
    for option in [o for o, value in wanted.items() if value is None]:
        del wanted[option]
        delete.append(option)
    # `enabled` first: a person reading the request sees why clearing a secret is valid.
    ordered = {k: wanted[k] for k in sorted(wanted, key=lambda k: k != "enabled")}
    return RestorePlan(record, ordered, delete, unrestorable)


def _add_again(record: UndoRecord, current: Element | None) -> RestorePlan:
    """Undo of a removal: add the element again with its non-secret values.

    Its secrets were never revealed, so they cannot come back. An element that was enabled
    and had one is added disabled: Kapacitor refuses (or sends nowhere) an enabled element
    without its webhook URL, token or password.
    """
    from wizard.changes.elements import add_starts_with, zero_options

    if current is not None:
        raise UndoError(
            f"Kapacitor has {record.element_name} again: it was added after the removal of {record.when}, "
            "or it comes from kapacitor.conf (Kapacitor then removed only the settings made through its API). "
            "Nothing was changed.",
            "If it comes from kapacitor.conf, set its settings from before the removal back with: "
            f"kapacitor-wizard undo {record.id} --force",
        )
    key = record.spec.list_key or "workspace"
    lost = [option for option in record.options if record.secrets.get(option)]
    # What `add` starts from anyway is not sent (records keep every option of the element).
    zero = zero_options(record.spec.options, key, record.workspace)
    values = {
        option: record.values[option]
        for option in record.options
        if option in record.values and not add_starts_with(record.values[option], zero.get(option))
    }
    disabled = bool(lost) and values.get("enabled") is True
    if disabled:
        values["enabled"] = False
    return RestorePlan(record, {}, [], lost, add={key: record.workspace, **values}, added_disabled=disabled)


def unrestorable_message(record: UndoRecord, option: str) -> str:
    """Why a replaced secret stays as it is, and how to put the old one back."""
    spec = record.spec
    label = spec.option(option).label
    if len(label) > 1 and not label[1].isupper():
        label = label[0].lower() + label[1:]
    noun = record.element_name.removeprefix(f"{spec.title} ").rsplit(" ", 1)[0] if record.workspace else ""
    where = f" ({noun} {record.workspace})" if record.workspace else ""
    command = f"kapacitor-wizard apply {spec.name}" + (f" --workspace {record.workspace}" if record.workspace else "")
    return (
        f"the previous {spec.title} {label}{where} could not be restored: Kapacitor never reveals "
        f"secrets; paste it again in the wizard or with {command}"
    )


@dataclass(frozen=True, slots=True)
class UndoOutcome:
    """What an undo did (or, in a dry run, would do)."""

    record: UndoRecord
    plan: RestorePlan
    restored: tuple[str, ...]
    """Options set back to their previous value."""
    unrestorable: tuple[str, ...]
    """Secrets that keep their new value."""
    removed: bool = False
    """The element the apply added was removed."""
    added: bool = False
    """The element the apply removed was added again (without its secrets)."""
    dry_run: bool = False
    overwritten: tuple[str, ...] = ()
    """Options someone changed after the apply, restored anyway (`force`)."""
    preview: tuple[str, ...] = ()
    """The handler and options the restore sends, from their values then (see RestorePlan.describe)."""

    def summary(self) -> str:
        name = self.record.element_name
        when = self.record.when
        verb = "Would" if self.dry_run else ""
        if self.removed:
            return f"{verb + ' remove' if verb else 'Removed'} {name}, which the apply of {when} added."
        if self.added:
            but = ", except its secrets" if self.unrestorable else ""
            return f"{verb + ' add' if verb else 'Added'} {name} again, which the apply of {when} removed, with its settings as they were{but}."
        if self.restored:
            options = ", ".join(self.restored)
            return f"{verb + ' restore' if verb else 'Restored'} {options} of {name} as before the apply of {when}."
        if self.record.outcome_unknown:
            return f"The apply of {when} to {name} did not take effect: Kapacitor has the values from before it."
        if self.plan.record.created:
            return f"Kapacitor no longer has {name}, which the apply of {when} added: nothing to remove."
        return f"Kapacitor already has the values of {name} from before the apply of {when}."

    def warnings(self) -> list[str]:
        return [unrestorable_message(self.record, option) for option in self.unrestorable]

    def notes(self) -> list[str]:
        """The summary, then what the person should know about it (warnings aside)."""
        lines = [self.summary()]
        if self.record.outcome_unknown:
            lines.append("The outcome of that apply was unknown: Kapacitor never answered it.")
        if self.overwritten:
            verb = "This would overwrite" if self.dry_run else "This overwrote"
            lines.append(f"{verb} what was changed after the apply: {', '.join(self.overwritten)}.")
        if self.plan.added_disabled:
            lines.append(
                f"It {'would be' if self.dry_run else 'is'} disabled until {', '.join(self.unrestorable)} "
                "is typed again: Kapacitor needs it to send anything."
            )
        return lines

    def lines(self) -> list[str]:
        """Everything to tell the person, first the summary."""
        lines = [*self.notes(), *(w[0].upper() + w[1:] + "." for w in self.warnings())]
        if not self.dry_run:
            lines.append("This change is now undone.")
        return lines


async def read_element(client: KapacitorClient, section: str, workspace: str) -> Element | None:
    """The element as Kapacitor shows it now; None when a list section has no such element."""
    elements = await client.get_section(section)
    if not any(spec.section == section and spec.list_key for spec in HANDLERS.values()):
        return elements[0] if elements else None
    for element in elements:
        if element.workspace == workspace:
            return element
    return None


async def undo_record(
    client: KapacitorClient,
    record: UndoRecord,
    *,
    dry_run: bool = False,
    force: bool = False,
    announce: Callable[[list[str]], None] | None = None,
) -> UndoOutcome:
    """Send one record's previous values back and mark it as undone.

    Raises `UndoConflict` (nothing sent) when someone changed a recorded option after
    the write, unless `force`. `announce` gets the handler and options about to be
    restored before anything is sent.
    """
    if record.restored_at:
        raise UndoError(
            f"Undo record {record.id} was already undone on {record.restored_at}.",
            "Running it again would not restore anything new.",
        )
    current = await read_element(client, record.section, record.workspace)
    changed = changed_since(record, current)
    if changed and not force:
        raise UndoConflict(record, changed)
    plan = restore_plan(record, current, force=force)
    preview = plan.describe(current)
    if not dry_run:
        if announce is not None:
            announce(preview)
        if plan.remove:
            await client.remove_elements(record.section, [record.workspace])
        elif plan.add is not None:
            await client.add_element(record.section, plan.add)
        elif plan.set or plan.delete:
            await client.update_element(record.section, workspace=record.workspace, set=plan.set, delete=plan.delete)
        record = mark_restored(record)
    return UndoOutcome(
        record=record,
        plan=plan,
        restored=tuple(plan.set) + tuple(plan.delete),
        unrestorable=tuple(plan.unrestorable),
        removed=plan.remove,
        added=plan.add is not None,
        dry_run=dry_run,
        overwritten=tuple(c.option for c in changed),
        preview=tuple(preview),
    )


async def set_back_file_element(client: KapacitorClient, record: UndoRecord) -> UndoOutcome:
    """A removal that Kapacitor turned into a reset: the element comes from kapacitor.conf, so
    Kapacitor only deleted its stored API settings and kept it (services/config/service.go,
    overridesForUpdateAction: `remove` filters the element's override out and its save deletes
    it; the file's element is untouched). Mark the record so (a later `undo` then sets the
    values back too) and send the values it had right away, so the removal changes nothing.
    """
    record = _rewrite(replace(record, from_file=True))
    return await undo_record(client, record)


async def undo_latest(
    client: KapacitorClient,
    kapacitor_url: str,
    *,
    dry_run: bool = False,
    force: bool = False,
    announce: Callable[[list[str]], None] | None = None,
) -> UndoOutcome:
    """Undo the newest write to this Kapacitor that was not undone yet (`kapacitor-wizard undo`)."""
    record = latest(kapacitor_url)
    if record is None:
        raise NothingToUndo(
            f"Nothing to undo for {public_url(kapacitor_url)}: no apply through the wizard was recorded, "
            "or every one was undone already."
        )
    return await undo_record(client, record, dry_run=dry_run, force=force, announce=announce)
