"""Alert topics: route a configured handler's alerts through a topic, and prove it end to end.

Kapacitor 1.3+ lets a task publish alerts to a topic (`.topic('main')` in TICKscript) and
sends each topic's alerts on through its topic handlers. This module holds what the wizard
knows about them, free of any screen:

* checks for topic names, handler ids, handler options and `match` expressions, made before
  anything is sent (Kapacitor answers 500 to duplicates and unknown kinds, and 1.5.7 even
  accepts an unknown kind when a match is given);
* `RouteChange`: one reviewed add, edit or remove of a topic handler, and the request it makes;
* route undo records, kept beside the config undo records, checked for changes since;
* the TICKscript lines that publish to a topic or call a handler.

The end-to-end proof of a route is in `wizard.kapacitor.proof`.

The calls use `KapacitorClient.call`, so every answer gets the client's error mapping and
scrubbing, and every body is shape-checked with `wizard.services.replies`.
"""
from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from wizard.services import replies
from wizard.text import checks
from wizard.services.replies import ShapeError, expect, member
from wizard.text.errors import KapacitorError, KapacitorUnexpected, WizardError
from wizard.kapacitor.client import API, Answer, KapacitorClient
from wizard.text.secrets import secret_is_set, string_leaves
from wizard.text.checks import Verdict

TOPICS = f"{API}/alerts/topics"
TASKS = f"{API}/tasks"

HANDLER_KINDS = ("slack", "telegram", "hipchat")
"""The handler kinds the wizard configures, as topic handler `kind`s."""

ROUTE_OPTIONS: dict[str, dict[str, Callable[[str], Verdict]]] = {
    "slack": {
        "channel": checks.slack_channel,
        "username": checks.slack_username,
        "icon-emoji": checks.slack_icon_emoji,
        "workspace": checks.slack_workspace,
    },
    "telegram": {
        "chat-id": checks.telegram_chat_id,
        "parse-mode": checks.telegram_parse_mode,
        "disable-web-page-preview": lambda text: _boolean(text),
        "disable-notification": lambda text: _boolean(text),
    },
    # HipChat's `token` option is left out on purpose: topic handler options are stored and
    # listed in clear, so the token stays in the [hipchat] section where Kapacitor hides it.
    "hipchat": {"room": checks.hipchat_room},
}
"""Options a topic handler of each kind may carry (Kapacitor decodes them strictly)."""

BOOLEAN_OPTIONS = frozenset({"disable-web-page-preview", "disable-notification"})

_ID_RE = re.compile(r"^[-._A-Za-z0-9]+$")
_TOPIC_RE = re.compile(r"^[-._:A-Za-z0-9]+$")
NAME_MAX = 100
MATCH_MAX = 500
_DOT_SEGMENTS = (".", "..")
_DOT_ERROR = "{what} cannot be '.' or '..': in the request's URL they are dropped or climb a level, so another topic would change."


class RouteError(WizardError):
    """A route could not be planned, written or undone."""

    title = "Alert topics"


# -- checks -------------------------------------------------------------------------------

def _boolean(text: str) -> Verdict:
    value = text.strip().lower()
    if value in ("true", "yes", "1"):
        return Verdict("true")
    if value in ("false", "no", "0"):
        return Verdict("false")
    return Verdict(text, error="Use true or false.")


def check_topic(text: str) -> Verdict:
    """A topic name: letters, digits, '-', '.', '_' and ':'."""
    value = text.strip() if isinstance(text, str) else ""
    if not value:
        return Verdict(value, error="Give a topic name, for example main.")
    if len(value) > NAME_MAX:
        return Verdict(value, error=f"A topic name has at most {NAME_MAX} characters.")
    if not _TOPIC_RE.match(value):
        return Verdict(value, error="A topic name may contain only letters, digits, '-', '.', '_' and ':'.")
    if value in _DOT_SEGMENTS:
        return Verdict(value, error=_DOT_ERROR.format(what="A topic name"))
    return Verdict(value)


def check_handler_id(text: str) -> Verdict:
    """A topic handler id: letters, digits, '-', '.' and '_' (Kapacitor refuses anything else)."""
    value = text.strip() if isinstance(text, str) else ""
    if not value:
        return Verdict(value, error="Give the topic handler an id, for example to-slack.")
    if len(value) > NAME_MAX:
        return Verdict(value, error=f"A handler id has at most {NAME_MAX} characters.")
    if not _ID_RE.match(value):
        return Verdict(value, error="A handler id may contain only letters, digits, '-', '.' and '_'.")
    if value in _DOT_SEGMENTS:
        return Verdict(value, error=_DOT_ERROR.format(what="A handler id"))
    return Verdict(value)


# Arithmetic signs are left out: a regex literal ends with '/', and a number may start with '-'.
_BINARY_OPERATORS = ("==", "!=", "<=", ">=", "<", ">", "=~", "!~", "AND", "OR")


def check_match(text: str) -> Verdict:
    """The basic form of a `match` expression; empty means every alert of the topic.

    Kapacitor parses it fully and answers 500 to a bad one; this catches what people
    usually get wrong before anything is sent: a `lambda:` prefix, unbalanced parentheses or
    quotes, and a missing operand at either end.
    """
    if not isinstance(text, str):
        return Verdict("", error="The match expression must be text.")
    value = text.strip()
    if not value:
        return Verdict("")
    problem = checks.text_problem(value, "The match expression", MATCH_MAX)
    if problem:
        return Verdict(value, error=problem)
    if value.lower().startswith("lambda"):
        return Verdict(value, error="Leave out 'lambda:': write only the expression, for example level() == CRITICAL.")
    depth = 0
    quote_char = ""
    for char in value:
        if quote_char:
            if char == quote_char:
                quote_char = ""
            continue
        if char in "'\"":
            quote_char = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return Verdict(value, error="The match expression closes a parenthesis it never opened.")
    if quote_char:
        return Verdict(value, error=f"The match expression leaves a {quote_char} quote open.")
    if depth:
        return Verdict(value, error="The match expression leaves a parenthesis open.")
    upper = value.upper()
    for operator in _BINARY_OPERATORS:
        if upper.endswith(operator) and (operator[-1] not in "DR" or upper.endswith(" " + operator)):
            return Verdict(value, error=f"The match expression ends with '{operator}': something must follow it.")
        if upper.startswith(operator) and (
            operator[0] not in "AO" or upper.startswith(operator + " ")
        ):
            return Verdict(value, error=f"The match expression starts with '{operator}': something must come before it.")
    return Verdict(value)


def check_options(kind: str, given: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Checked options for a handler kind, and the errors by option name."""
    allowed = ROUTE_OPTIONS.get(kind, {})
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, text in given.items():
        if name not in allowed:
            known = ", ".join(allowed) or "none"
            errors[name] = f"{kind} topic handlers have no option {name!r} (known: {known})."
            continue
        verdict = allowed[name](text)
        if not verdict.ok:
            errors[name] = verdict.error
        elif verdict.value != "":
            values[name] = (verdict.value == "true") if name in BOOLEAN_OPTIONS else verdict.value
    return values, errors


def default_handler_id(kind: str, workspace: str = "") -> str:
    """`kapacitor-wizard-slack`, or `kapacitor-wizard-slack-<workspace>` for a named workspace."""
    suffix = re.sub(r"[^-._A-Za-z0-9]+", "-", workspace).strip("-") if workspace else ""
    return f"kapacitor-wizard-{kind}" + (f"-{suffix}" if suffix else "")


def default_options(kind: str, workspace: str = "") -> dict[str, Any]:
    """Without options a topic handler uses the handler's settings; a named Slack workspace must be named."""
    return {"workspace": workspace} if kind == "slack" and workspace else {}


# -- data ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TopicHandler:
    """One topic handler, as sent to and listed by Kapacitor."""

    topic: str
    id: str
    kind: str
    options: dict[str, Any] = field(default_factory=dict)
    match: str = ""

    def body(self) -> dict[str, Any]:
        """The request body of POST and PUT (the topic comes from the URL)."""
        body: dict[str, Any] = {"id": self.id, "kind": self.kind, "options": dict(self.options)}
        if self.match:
            body["match"] = self.match
        return body

    @property
    def path(self) -> str:
        return handler_path(self.topic, self.id)

    def secret_options(self) -> frozenset[str]:
        """Its options that are secret, by the handler definitions' flags (the ones `apply`
        uses): a Teams channel-url, a post handler's url and headers, a PagerDuty v2
        routing-key, a Pushover user-key, a Talk url, a HipChat token."""
        from wizard.handlers.registry import secret_options  # the definitions say which options are secrets

        return secret_options(self.kind, self.options)

    def recorded(self) -> dict[str, Any]:
        """The body as the wizard keeps it (route undo records): each secret option only as
        whether it is set."""
        secret = self.secret_options()
        body = self.body()
        body["options"] = {k: secret_is_set(v) if k in secret else v for k, v in self.options.items()}
        return body

    def options_text(self) -> str:
        if not self.options:
            return "the handler's own settings"
        secret = self.secret_options()
        return ", ".join(f"{k}={show_option(k, v, secret=k in secret)}" for k, v in sorted(self.options.items()))

    def describe(self) -> str:
        """One line: id, kind, options and match (secret options only as set)."""
        match = f"; only when {self.match}" if self.match else ""
        return f"{self.id} ({self.kind}: {self.options_text()}{match})"

    def same_as(self, other: TopicHandler | None) -> bool:
        return other is not None and self.body() == other.body() and self.topic == other.topic


def show_option(name: str, value: Any, *, secret: bool = False) -> str:
    """One option's value for people; a secret only as set / not set."""
    if secret:
        return "(set)" if secret_is_set(value) else "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return replies.one_line(value, 80)


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic as listed: its highest current level and how many events it collected."""

    id: str
    level: str
    collected: int

    @property
    def anonymous(self) -> bool:
        """Topics of alert nodes with handlers in their script: `main:<task>:<node>`."""
        return self.id.count(":") >= 2


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """An event stored in a topic."""

    id: str
    level: str
    message: str
    time: str


def handler_path(topic: str, handler_id: str = "") -> str:
    path = f"{TOPICS}/{quote(topic, safe=':')}/handlers"
    return f"{path}/{quote(handler_id, safe='')}" if handler_id else path


# -- planning -----------------------------------------------------------------------------

ADD, EDIT, REMOVE = "add", "edit", "remove"


@dataclass(frozen=True, slots=True)
class RouteChange:
    """One reviewed write to a topic handler: what it was and what it becomes."""

    action: str
    topic: str
    before: TopicHandler | None
    after: TopicHandler | None
    lost: tuple[str, ...] = ()
    """Set secret options of the earlier handler that an undo could not put back."""

    @property
    def empty(self) -> bool:
        return self.action == EDIT and self.after is not None and self.after.same_as(self.before)

    def request(self) -> tuple[str, str, dict[str, Any] | None]:
        """Method, path and body."""
        if self.action == ADD:
            assert self.after is not None
            return "POST", handler_path(self.topic), self.after.body()
        if self.action == EDIT:
            assert self.after is not None and self.before is not None
            return "PUT", self.before.path, self.after.body()
        assert self.before is not None
        return "DELETE", self.before.path, None

    def lines(self) -> list[str]:
        """What a person reviews before the write."""
        if self.action == ADD:
            assert self.after is not None
            return [f"Add to topic {self.topic}: {self.after.describe()}",
                    "Alerts published to this topic will then also go through this handler."]
        if self.action == EDIT:
            assert self.after is not None and self.before is not None
            if self.empty:
                return [f"Nothing to change: {self.before.describe()} is already on topic {self.topic}."]
            return [f"Change on topic {self.topic}: {self.before.describe()}",
                    f"                        to: {self.after.describe()}"]
        assert self.before is not None
        return [f"Remove from topic {self.topic}: {self.before.describe()}",
                "Alerts of this topic will no longer go through this handler."]

    def summary(self) -> str:
        verb = {ADD: "Added", EDIT: "Changed", REMOVE: "Removed"}[self.action]
        handler = self.after if self.action != REMOVE else self.before
        assert handler is not None
        return f"{verb} topic handler {handler.id} on topic {self.topic}."

    def lost_warnings(self) -> list[str]:
        """What an undo could not put back (a secret option), one sentence each."""
        from wizard.handlers.registry import spec_for_kind

        handler = self.after or self.before
        if handler is None:
            return []
        spec = spec_for_kind(handler.kind)
        section = f"the [{spec.section}] section's" if spec else "the handler's own"
        return [
            f"the {name} of topic handler {handler.id} on topic {self.topic} could not be restored: it is a secret, "
            f"and route undo records keep only whether a secret was set. Until it is set again, Kapacitor uses "
            f"{section} {name} where it has one; set it on the topic handler with Kapacitor's CLI "
            "(kapacitor define-topic-handler)."
            for name in self.lost
        ]


def plan_route(desired: TopicHandler, current: TopicHandler | None) -> RouteChange:
    """Add when the id is new on the topic, else edit it (PUT replaces the whole spec)."""
    if current is None:
        return RouteChange(ADD, desired.topic, None, desired)
    if current.kind != desired.kind:
        raise RouteError(
            f"Topic {desired.topic} already has a handler {desired.id} of kind {current.kind}.",
            "Choose another id (--id), or remove that handler first.",
        )
    return RouteChange(EDIT, desired.topic, current, desired)


def plan_unroute(current: TopicHandler) -> RouteChange:
    return RouteChange(REMOVE, current.topic, current, None)


def desired_handler(
    kind: str, topic: str, *, handler_id: str = "", match: str = "",
    options: Mapping[str, str] | None = None, workspace: str = "",
) -> TopicHandler:
    """Check everything a person gave and build the handler, or raise RouteError naming the field."""
    if kind not in HANDLER_KINDS:
        raise RouteError(f"Unknown handler {kind!r}.", f"Use one of {', '.join(HANDLER_KINDS)}.")
    problems: list[str] = []
    topic_verdict = check_topic(topic)
    if not topic_verdict.ok:
        problems.append(f"topic: {topic_verdict.error}")
    id_verdict = check_handler_id(handler_id or default_handler_id(kind, workspace))
    if not id_verdict.ok:
        problems.append(f"id: {id_verdict.error}")
    match_verdict = check_match(match)
    if not match_verdict.ok:
        problems.append(f"match: {match_verdict.error}")
    given = {k: str(v) for k, v in default_options(kind, workspace).items()}
    given.update(options or {})
    values, errors = check_options(kind, given)
    problems.extend(f"{name}: {error}" for name, error in errors.items())
    if problems:
        raise RouteError("; ".join(problems))
    return TopicHandler(topic_verdict.value, id_verdict.value, kind, values, match_verdict.value)


# -- reading answers ----------------------------------------------------------------------

def _json_body(response: Answer, what: str) -> dict[str, Any]:
    try:
        data = json.loads(response.content)
        return expect(data, dict, "the answer")  # type: ignore[no-any-return]
    except (ValueError, ShapeError) as err:
        raise KapacitorUnexpected(
            f"Unexpected answer from Kapacitor (HTTP {response.status_code}) to {what}: "
            f"{replies.one_line(err) if isinstance(err, ShapeError) else replies.summary(response.content)}.",
            "Check that the URL points at Kapacitor 1.5 or later, not at a proxy.",
            status=response.status_code,
        ) from err


def _read(response: Answer, what: str, read: Callable[[Mapping[str, Any]], Any]) -> Any:
    body = _json_body(response, what)
    try:
        return read(body)
    except ShapeError as err:
        raise KapacitorUnexpected(
            f"Unexpected answer from Kapacitor (HTTP {response.status_code}) to {what}: {replies.one_line(err)}.",
            "Check that the URL points at Kapacitor 1.5 or later, not at a proxy.",
            status=response.status_code,
        ) from err


def _handler(topic: str, body: Mapping[str, Any], where: str) -> TopicHandler:
    return TopicHandler(
        topic=topic,
        id=replies.one_line(member(body, "id", str, where), NAME_MAX * 2),
        kind=replies.one_line(member(body, "kind", str, where), 40),
        options=dict(member(body, "options", dict, where, default={}) or {}),
        match=replies.one_line(member(body, "match", str, where, default=""), MATCH_MAX * 2),
    )


def _topic(body: Mapping[str, Any], where: str) -> Topic:
    collected = member(body, "collected", int, where, default=0)
    return Topic(
        id=replies.one_line(member(body, "id", str, where), NAME_MAX * 3),
        level=replies.one_line(member(body, "level", str, where, default=""), 20),
        collected=collected if isinstance(collected, int) else 0,
    )


def _event(body: Mapping[str, Any], where: str) -> AlertEvent:
    state = member(body, "state", dict, where)
    return AlertEvent(
        id=replies.one_line(member(body, "id", str, where), 200),
        level=replies.one_line(member(state, "level", str, f"{where}.state", default=""), 20),
        message=replies.one_line(html.unescape(member(state, "message", str, f"{where}.state", default="")), 300),
        time=replies.one_line(member(state, "time", str, f"{where}.state", default=""), 60),
    )


# -- calls --------------------------------------------------------------------------------

async def list_topics(client: KapacitorClient) -> list[Topic]:
    """Every topic, sorted by id (Kapacitor's order)."""
    response = await client.call("GET", TOPICS)

    def read(body: Mapping[str, Any]) -> list[Topic]:
        listed = member(body, "topics", list, "", default=[]) or []
        return [_topic(expect(t, dict, f"topics[{i}]"), f"topics[{i}]") for i, t in enumerate(listed)]

    return _read(response, f"GET {TOPICS}", read)  # type: ignore[no-any-return]


async def list_handlers(client: KapacitorClient, topic: str) -> list[TopicHandler]:
    """A topic's handlers; an unknown topic has none (Kapacitor answers an empty list)."""
    path = handler_path(topic)
    response = await client.call("GET", path)

    def read(body: Mapping[str, Any]) -> list[TopicHandler]:
        listed = member(body, "handlers", list, "", default=[]) or []
        return [_handler(topic, expect(h, dict, f"handlers[{i}]"), f"handlers[{i}]") for i, h in enumerate(listed)]

    return _learned(client, _read(response, f"GET {path}", read))


async def get_handler(client: KapacitorClient, topic: str, handler_id: str) -> TopicHandler | None:
    path = handler_path(topic, handler_id)
    response = await client.call("GET", path, ok=(200, 404))
    if response.status_code == 404:
        return None
    return _learned(client, [_read(response, f"GET {path}", lambda body: _handler(topic, body, ""))])[0]


def _learned(client: KapacitorClient, handlers: list[TopicHandler]) -> list[TopicHandler]:
    """Secret options Kapacitor lists in clear are learned by the client's scrubber, so that
    an error or a service's reply that echoes one shows it masked."""
    for handler in handlers:
        for name in handler.secret_options():
            client.scrub.add_all(string_leaves(handler.options.get(name)))
    return handlers


async def topic_exists(client: KapacitorClient, topic: str) -> bool:
    response = await client.call("GET", f"{TOPICS}/{quote(topic, safe=':')}", ok=(200, 404))
    return response.status_code == 200


async def delete_topic(client: KapacitorClient, topic: str) -> None:
    await client.call("DELETE", f"{TOPICS}/{quote(topic, safe=':')}", ok=(200, 204))


async def list_events(client: KapacitorClient, topic: str) -> list[AlertEvent]:
    path = f"{TOPICS}/{quote(topic, safe=':')}/events"
    response = await client.call("GET", path)

    def read(body: Mapping[str, Any]) -> list[AlertEvent]:
        listed = member(body, "events", list, "", default=[]) or []
        return [_event(expect(e, dict, f"events[{i}]"), f"events[{i}]") for i, e in enumerate(listed)]

    return _read(response, f"GET {path}", read)  # type: ignore[no-any-return]


async def write_change(client: KapacitorClient, change: RouteChange) -> TopicHandler | None:
    """Send one reviewed change; returns the handler as Kapacitor now has it (None after a remove)."""
    method, path, body = change.request()
    if method == "DELETE":
        await client.call(method, path, ok=(200, 204))
        return None
    response = await client.call(method, path, body)
    return _read(response, f"{method} {path}", lambda b: _handler(change.topic, b, ""))  # type: ignore[no-any-return]


# -- undo ---------------------------------------------------------------------------------

ROUTE_PREFIX = "route-"


@dataclass(frozen=True, slots=True)
class RouteRecord:
    """What one route write changed, to put it back: the handler before and after."""

    id: str
    kapacitor: str
    topic: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    state: str = "pending"

    @property
    def before_handler(self) -> TopicHandler | None:
        return _from_record(self.topic, self.before)

    @property
    def after_handler(self) -> TopicHandler | None:
        return _from_record(self.topic, self.after)


def _from_record(topic: str, body: Mapping[str, Any] | None) -> TopicHandler | None:
    if body is None:
        return None
    return TopicHandler(topic, str(body["id"]), str(body["kind"]), dict(body.get("options") or {}), str(body.get("match", "")))


def _without_secrets(record: RouteRecord) -> RouteRecord:
    """The record with each secret option only as whether it was set (records of earlier
    versions kept them in clear)."""
    before, after = record.before_handler, record.after_handler
    return RouteRecord(**{
        **asdict(record),
        "before": before.recorded() if before else None,
        "after": after.recorded() if after else None,
    })


def _record_dir() -> Path:
    from wizard.changes import undo  # the same folder, permissions and XDG rules as config undo

    folder = undo.state_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as err:
        raise RouteError(f"Could not create the folder for undo information {folder}: {err.strerror or err}.",
                         "Check its permissions, or set XDG_STATE_HOME to a writable folder.") from err
    return folder


def _save(record: RouteRecord) -> RouteRecord:
    path = _record_dir() / f"{ROUTE_PREFIX}{record.id}.json"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(asdict(record), file)
    except OSError as err:
        raise RouteError(f"Could not save undo information in {path}: {err.strerror or err}; nothing was written.",
                         "Check the folder's permissions, or set XDG_STATE_HOME to a writable folder.") from err
    return record


ROUTE_RECORDS_KEPT = 200
"""Older route records beyond this many are deleted when a new one is written."""


def _prune() -> None:
    try:
        records = sorted(_record_dir().glob(f"{ROUTE_PREFIX}*.json"), reverse=True)
        for old in records[ROUTE_RECORDS_KEPT:]:
            old.unlink()
    except (OSError, RouteError):
        pass  # only housekeeping


def _discard(record: RouteRecord) -> None:
    try:
        (_record_dir() / f"{ROUTE_PREFIX}{record.id}.json").unlink()
    except (OSError, RouteError):
        pass


def route_records(kapacitor_url: str) -> list[RouteRecord]:
    """Route records for this Kapacitor, newest first."""
    from wizard.changes import undo

    folder = undo.state_dir()
    found: list[RouteRecord] = []
    for path in sorted(folder.glob(f"{ROUTE_PREFIX}*.json"), reverse=True) if folder.is_dir() else []:
        try:
            stored = RouteRecord(**json.loads(path.read_text(encoding="utf-8")))
            record = _without_secrets(stored)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            continue
        if record != stored:  # written by an earlier version, with a secret in clear: not any more
            try:
                _save(record)
            except RouteError:
                pass
        if record.kapacitor == undo.public_url(kapacitor_url):
            found.append(record)
    return found


def _new_record_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


async def apply_change(client: KapacitorClient, change: RouteChange) -> RouteRecord | None:
    """Write a reviewed change, keeping an undo record like config writes do.

    The record is saved before the request; a definite refusal removes it, and an unknown
    outcome (a lost answer) keeps it, since Kapacitor may have applied the change.
    """
    from wizard.changes import undo

    if change.empty:
        return None
    record = _save(RouteRecord(
        id=_new_record_id(),
        kapacitor=undo.public_url(client.settings.url),
        topic=change.topic,
        before=change.before.recorded() if change.before else None,
        after=change.after.recorded() if change.after else None,
    ))
    _prune()
    try:
        await write_change(client, change)
    except BaseException as err:
        if undo.write_refused(err):
            _discard(record)
        else:
            _save(RouteRecord(**{**asdict(record), "state": "unknown"}))
        raise
    return _save(RouteRecord(**{**asdict(record), "state": "applied"}))


async def undo_route(client: KapacitorClient, record: RouteRecord, *, force: bool = False) -> RouteChange:
    """Put a topic handler back as it was before `record`'s write.

    Refuses (unless `force`) when the handler was changed on Kapacitor since. Secret options
    compare by whether they are set, as the record keeps nothing else; a secret option the
    earlier handler had set cannot be put back: the handler comes back without it, and the
    change's `lost` names it.
    """
    if record.state == "undone":
        raise RouteError("That route change was undone already.")
    record = _without_secrets(record)
    before, after = record.before_handler, record.after_handler
    handler_id = (after or before).id  # type: ignore[union-attr]
    current = await get_handler(client, record.topic, handler_id)
    unchanged = (current is None) if after is None else current is not None and current.recorded() == after.recorded()
    if not unchanged and not force:
        now = current.describe() if current else "no such handler"
        raise RouteError(
            f"Topic handler {handler_id} on topic {record.topic} was changed after the route change "
            f"(now: {now}); undo would overwrite that, so nothing was restored.",
            "To restore it anyway: kapacitor-wizard route --undo --force",
        )
    lost: tuple[str, ...] = ()
    if before is not None:
        secret = before.secret_options()
        lost = tuple(sorted(name for name in secret if before.options.get(name)))
        before = TopicHandler(before.topic, before.id, before.kind,
                              {k: v for k, v in before.options.items() if k not in secret}, before.match)
    if before is None:
        change = RouteChange(REMOVE, record.topic, current, None) if current else RouteChange(REMOVE, record.topic, after, None)
    elif current is None:
        change = RouteChange(ADD, record.topic, None, before, lost)
    else:
        change = RouteChange(EDIT, record.topic, current, before, lost)
    if not change.empty:
        await write_change(client, change)
    _save(RouteRecord(**{**asdict(record), "state": "undone"}))
    return change


# -- TICKscript ---------------------------------------------------------------------------

def topic_tickscript(topic: str) -> str:
    """The TICKscript line that publishes a task's alerts to a topic."""
    return f".topic('{topic}')"


def direct_tickscript(kind: str, workspace: str = "") -> str:
    """The handler call in a script (its alerts go straight to the handler, no topic)."""
    if kind == "slack":
        return ".slack()" + (f".workspace('{workspace}')" if workspace else "")
    calls = {"telegram": ".telegram()", "hipchat": ".hipChat()"}
    if kind in calls:
        return calls[kind]
    from wizard.handlers.registry import HANDLERS  # the other handlers' calls are in their definitions

    spec = HANDLERS.get(kind)
    if spec is None:
        return f".{kind}()"
    script = spec.tickscript({spec.list_key: workspace} if spec.list_key and workspace else {})
    return "".join(line.strip() for line in script.splitlines()) or f".{kind}()"
