"""The end-to-end proof: one real alert through a private copy of a route, and nothing left behind.

`prove` checks what can be checked before anything is written (the route exists, the handler
is enabled, its Slack workspace exists, the route's match lets a CRITICAL alert through), then
creates, each noted in the run's journal (wizard/records/journal.py) before its request is sent:

* for a route on a topic: a private topic ``kapacitor-wizard-proof-<run id>`` that holds a copy
  of each of the route's handlers (same kind, options and match). The user's topic is never
  written to, so it does not turn CRITICAL and its other handlers (a pager, say) get nothing;
* a stream task of the same name whose script carries the run id (its mark), publishing to the
  private topic, or calling the handler directly when no topic is given;

then writes one point through ``/kapacitor/v1/write``, waits for the event, and reads
Kapacitor's log stream (``GET /kapacitor/v1/logs``) for the handler's errors: Kapacitor's API
does not report a topic handler's outcome, its log does. The proof claims no more than that
evidence shows. Clean-up goes by the run's record only: on success, failure, cancellation
(the CLI turns SIGINT and SIGTERM into one) and lost answers, within its own time budget, and
a second signal does not cut it short. Whatever a killed run left is removed by the next proof
for the same Kapacitor, topic handlers of topics that no longer exist included (Kapacitor keeps
a deleted topic's handlers: services/alert/service.go DeleteTopic).
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar

from wizard.services import replies
from wizard.records import journal
from wizard.text.errors import KapacitorError, KapacitorUnreachable, WizardError
from wizard.kapacitor.client import API, KapacitorClient, secret_in
from wizard.text.secrets import mask_received
from wizard.kapacitor.topics import (
    ADD, TASKS, TOPICS, AlertEvent, RouteChange, RouteError, TopicHandler, check_topic, direct_tickscript,
    handler_path, list_events, list_handlers, list_topics, topic_tickscript, write_change,
)

T = TypeVar("T")

PURPOSE = "proof"
"""The journal records of proofs: journal-proof-<run id>.json."""
NAME_PREFIX = "kapacitor-wizard-proof-"
"""The private topic and the task are named this plus the run id."""
PROOF_DB = "kapacitor_wizard"
PROOF_RP = "autogen"
PROOF_LEVEL = "CRITICAL"
PROOF_WAIT = 3.0
"""Seconds to wait for the proof's event; Kapacitor raises it within milliseconds."""
EVIDENCE_WAIT = 2.0
"""Seconds to watch Kapacitor's log for the handler's errors once the event is there (the
recordings show a send within 7 ms; a refused connection or a 404 is logged at once)."""
CLEANUP_BUDGET_FACTOR = 3.0
"""The clean-up may take this many times the connection timeout in all (at least 3 s)."""

PLACES = {"slack": "the Slack channel", "telegram": "the Telegram chat", "hipchat": "the HipChat room"}


class ProofFailed(WizardError):
    """The proof saw a failure, or could not finish; `steps` lists what was done, clean-up included."""

    title = "Proof failed"

    def __init__(self, message: str, hint: str = "", *, steps: list[str] | None = None) -> None:
        super().__init__(message, hint)
        self.steps = steps or []


@dataclass(slots=True)
class ProofResult:
    """What the proof showed (never more than its evidence), and what it removed again."""

    kind: str
    topic: str
    """The route's topic; "" when the script called the handler directly."""
    routes: list[TopicHandler]
    message: str
    event: AlertEvent | None = None
    log_problem: str = ""
    """Why Kapacitor's log could not be read ("" when it was)."""
    notes: list[str] = field(default_factory=list)
    """What the proof could not tell."""
    steps: list[str] = field(default_factory=list)
    cleanup_problems: list[str] = field(default_factory=list)
    evidence_wait: float = EVIDENCE_WAIT

    @property
    def title(self) -> str:
        from wizard.handlers.registry import HANDLERS

        spec = HANDLERS.get(self.kind)
        return spec.title if spec is not None else self.kind

    def conclusion(self) -> list[str]:
        """The honest words: Kapacitor never reports a successful send, so none is claimed."""
        if self.topic:
            ids = ", ".join(r.id for r in self.routes)
            where = f"the proof's copy of route {ids} (topic {self.topic})"
        else:
            where = f"the {self.title} handler"
        place = PLACES.get(self.kind, f"the {self.title} receiver")
        look = f"look for \"{self.message}\" in {place}"
        if self.log_problem:
            lines = [f"Kapacitor raised the alert for {where}, but the wizard could not read Kapacitor's log "
                     f"({self.log_problem}), so it cannot tell whether the send worked: {look}."]
        else:
            lines = [f"Kapacitor raised the alert for {where} and logged no error for it within "
                     f"{self.evidence_wait:g} s. Kapacitor does not report a successful send: {look}."]
        return lines + self.notes


# -- checks made before anything is written -----------------------------------------------

_LEVELS = {"OK": 0, "INFO": 1, "WARNING": 2, "CRITICAL": 3}
_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}
_MIRROR = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}


def match_lets_through(expression: str, level: str = PROOF_LEVEL) -> bool | None:
    """Whether a topic handler's match passes the proof's alert: True, False, or None (cannot tell).

    The proof's alert is the first event of a new topic, at `level`, with no tags or fields.
    Understood: TRUE, FALSE, `level() <op> LEVEL` (levels compare as OK < INFO < WARNING <
    CRITICAL, as in Kapacitor's match scope), `changed()` (true: the level moves from OK), and
    AND / OR / parentheses of these. Anything else (tags, fields, name()) cannot be told.
    """
    text = expression.strip()
    return True if not text else _evaluate(text, _LEVELS[level])


def _evaluate(text: str, level: int) -> bool | None:
    text = text.strip()
    while text.startswith("(") and _closing(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    for operator in ("OR", "AND"):  # OR binds last
        parts = _split(text, operator)
        if len(parts) > 1:
            values = [_evaluate(part, level) for part in parts]
            decided = operator == "OR"  # OR: any True decides; AND: any False decides
            if any(v is decided for v in values):
                return decided
            return None if any(v is None for v in values) else not decided
    if text in ("TRUE", "FALSE"):
        return text == "TRUE"
    found = re.fullmatch(r"level\(\)\s*(==|!=|<=|>=|<|>)\s*(OK|INFO|WARNING|CRITICAL)", text)
    if found:
        return _COMPARE[found.group(1)](level, _LEVELS[found.group(2)])
    found = re.fullmatch(r"(OK|INFO|WARNING|CRITICAL)\s*(==|!=|<=|>=|<|>)\s*level\(\)", text)
    if found:
        return _COMPARE[_MIRROR[found.group(2)]](level, _LEVELS[found.group(1)])
    found = re.fullmatch(r"changed\(\)(?:\s*(==|!=)\s*(TRUE|FALSE))?", text)
    if found:
        changed = level != _LEVELS["OK"]
        if not found.group(1):
            return changed
        return (changed == (found.group(2) == "TRUE")) == (found.group(1) == "==")
    return None


def _closing(text: str, start: int) -> int:
    depth, quote = 0, ""
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"/":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _split(text: str, operator: str) -> list[str]:
    """`text` split at `operator` (a word) outside parentheses and quotes."""
    parts, depth, quote, last, index = [], 0, "", 0, 0
    while index < len(text):
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and text.startswith(operator, index) and (index == 0 or text[index - 1] == " ") \
                and text[index + len(operator):index + len(operator) + 1] == " ":
            parts.append(text[last:index])
            last = index + len(operator)
            index = last
            continue
        index += 1
    parts.append(text[last:])
    return parts


async def _check_handler(client: KapacitorClient, kind: str, workspace: str, notes: list[str]) -> str:
    """Whether the handler's service is enabled (and Slack's workspace exists): "" or the problem."""
    from wizard.handlers.registry import HANDLERS

    title = HANDLERS[kind].title if kind in HANDLERS else kind
    try:
        elements = await client.get_section(kind)
    except KapacitorError as err:
        notes.append(f"The wizard could not read Kapacitor's [{kind}] settings ({replies.one_line(err.message, 200)}), "
                     f"so it cannot tell whether {title} is enabled.")
        return ""
    if kind == "slack":
        if workspace:
            element = next((e for e in elements if e.workspace == workspace), None)
            if element is None:
                named = ", ".join(e.workspace or "(default)" for e in elements) or "none"
                return f"Kapacitor has no Slack workspace {workspace} (it has: {named})."
        else:  # the default workspace: the only one, the one marked default, or the unnamed one
            element = next((e for e in elements if e.options.get("default") is True), None) if len(elements) > 1 else None
            element = element or next((e for e in elements if not e.workspace), None) or (elements[0] if elements else None)
    else:
        element = elements[0] if elements else None
    if element is None:
        return f"Kapacitor has no [{kind}] settings."
    if element.options.get("enabled") is not True:
        named = f" workspace {workspace}" if workspace else ""
        return f"{title}{named} is disabled in Kapacitor, so it sends nothing."
    return ""


# -- the log stream -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LogError:
    """A handler error from Kapacitor's log (services/diagnostic: lvl, msg, context, err)."""

    service: str
    handler: str
    msg: str
    err: str


class LogWatch:
    """Kapacitor's log while the proof runs, for the errors of the proof's handlers.

    `GET /kapacitor/v1/logs` (services/diagnostic api.go) streams only what is logged while the
    session is open, one JSON object a line when asked with `Content-Type: application/json`, and
    Go sends the answer's header with the first line only. Opening a session logs "created log
    session" to every session, the new one included, so the first line says the session is open;
    should that line not come, a ping (logged as "http request") is tried. Handler errors carry
    `handler` and `topic` (a topic handler) or `task` (a handler in the script) in their context.
    """

    def __init__(self, client: KapacitorClient, *, topic: str, task: str) -> None:
        self.client = client
        self.topic = topic
        self.task = task
        self.errors: list[LogError] = []
        self.problem = ""
        self._ready = asyncio.Event()
        self._changed = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None

    async def start(self, timeout: float) -> bool:
        """Open the stream; True once Kapacitor is known to send this session its log."""
        self._reader = asyncio.ensure_future(self._read())
        ready = asyncio.ensure_future(self._ready.wait())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while not self._ready.is_set() and not self._reader.done() and loop.time() < deadline:
                await asyncio.wait([self._reader, ready], timeout=min(0.3, max(0.0, deadline - loop.time())),
                                   return_when=asyncio.FIRST_COMPLETED)
                if not self._ready.is_set() and not self._reader.done():
                    with contextlib.suppress(KapacitorError):
                        await self.client.call("GET", f"{API}/ping", ok=(200, 204))
        finally:
            ready.cancel()
        if self._ready.is_set():
            return True
        if not self.problem:
            self.problem = f"GET /kapacitor/v1/logs sent nothing within {timeout:g} s"
        await self.close()
        return False

    async def _read(self) -> None:
        try:
            async with self.client.stream_lines(f"{API}/logs?lvl=info%2B") as lines:
                async for line in lines:
                    self._ready.set()
                    self._take(line)
        except KapacitorError as err:
            self.problem = replies.one_line(err.message, 200)
        finally:
            if self._ready.is_set() and not self.problem:
                self.problem = "Kapacitor closed its log stream"
            self._changed.set()

    def _take(self, line: bytes) -> None:
        try:
            data = json.loads(line)
        except ValueError:
            return
        if not isinstance(data, dict) or data.get("lvl") != "error":
            return
        ours = (self.topic and data.get("topic") == self.topic) or (self.task and data.get("task") == self.task)
        if not ours:
            return
        self.errors.append(LogError(
            service=replies.one_line(data.get("service", ""), 40), handler=replies.one_line(data.get("handler", ""), 200),
            # Received text: a failed send quotes the service's address, which may hold a secret.
            msg=mask_received(data.get("msg", ""), scrub=self.client.scrub),
            err=mask_received(data.get("err", ""), limit=400, secret_in=secret_in(str(data.get("service", ""))),
                              scrub=self.client.scrub),
        ))
        self._changed.set()

    async def errors_within(self, seconds: float, expected: int) -> list[LogError]:
        """The errors logged until `expected` handlers have failed or `seconds` have passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while len({e.handler for e in self.errors}) < expected and loop.time() < deadline:
            if self._reader is None or self._reader.done():
                break
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), max(0.0, deadline - loop.time()))
        return list(self.errors)

    @property
    def reading(self) -> bool:
        return self._reader is not None and not self._reader.done()

    async def close(self) -> None:
        if self._reader is not None and not self._reader.done():
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader


# -- the proof ------------------------------------------------------------------------------

async def prove(
    client: KapacitorClient,
    kind: str,
    *,
    topic: str = "",
    handler_id: str = "",
    workspace: str = "",
    report: Callable[[str], None] = lambda line: None,
    warn: Callable[[str], None] = lambda line: None,
    wait: float = PROOF_WAIT,
    evidence_wait: float = EVIDENCE_WAIT,
) -> ProofResult:
    """Send one real alert through a private copy of a route (or the handler directly) and leave
    Kapacitor as it was. Raises ProofFailed when it saw a failure or could not finish.

    `report` gets each step as it is done, `warn` each thing the clean-up could not remove (also
    kept in `cleanup_problems`, and said when the proof is stopped, which raises CancelledError).
    """
    steps: list[str] = []
    problems_seen: list[str] = []

    def problem(line: str) -> None:
        problems_seen.append(line)
        warn(line)

    def step(line: str) -> None:
        steps.append(line)
        report(line)

    if topic:
        verdict = check_topic(topic)
        if not verdict.ok:
            raise RouteError(f"topic: {verdict.error}")
        topic = verdict.value
    await recover(client, step, problem)

    routes: list[TopicHandler] = []
    notes: list[str] = []
    problems: list[str] = []
    if topic:
        handlers = await list_handlers(client, topic)
        routes = [h for h in handlers if h.kind == kind and (not handler_id or h.id == handler_id)
                  and (not workspace or str(h.options.get("workspace", "")) == workspace)]
        if not routes:
            which = f" {handler_id}" if handler_id else ""
            named = f" for workspace {workspace}" if workspace else ""
            raise ProofFailed(
                f"Topic {topic} has no {kind} handler{which}{named}, so alerts published there do not reach "
                f"{PLACES.get(kind, kind)}; the proof created nothing.",
                f"Add one with: kapacitor-wizard route {kind} --topic {topic}" + (f" --workspace {workspace}" if workspace else ""),
                steps=steps,
            )
        for route in routes:
            passes = match_lets_through(route.match)
            if passes is False:
                problems.append(f"Route {route.id} on topic {topic} only takes alerts for which {route.match}, "
                                f"so the proof's {PROOF_LEVEL} alert (and any like it) would not go through it.")
            elif passes is None:
                notes.append(f"Route {route.id} only takes alerts for which {route.match}; the wizard cannot "
                             "tell whether the proof's alert is one of them, so it may have stopped there.")
        for ws in sorted({str(r.options.get("workspace", "")) if kind == "slack" else "" for r in routes}):
            found = await _check_handler(client, kind, ws, notes)
            if found:
                problems.append(found)
    else:
        found = await _check_handler(client, kind, workspace, notes)
        if found:
            problems.append(found)
    if problems:
        raise ProofFailed(" ".join(problems) + " The proof created nothing.",
                          "Fix that first (kapacitor-wizard show lists the handlers' settings).", steps=steps)

    try:
        run = journal.begin(PURPOSE, client.settings.url)
    except journal.JournalError as err:
        raise ProofFailed(f"{err.message} The proof records what it creates before creating it, so it created nothing.",
                          err.hint, steps=steps) from err
    name = f"{NAME_PREFIX}{run.id}"
    mark = f"kapacitor-wizard proof {run.id}"
    message = f"{mark} {datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC"
    measurement = "kapacitor_wizard_proof_" + re.sub(r"[^A-Za-z0-9]", "_", run.id)
    result = ProofResult(kind=kind, topic=topic, routes=routes, message=message, notes=notes, steps=steps,
                         evidence_wait=evidence_wait, cleanup_problems=problems_seen)
    watch = LogWatch(client, topic=name if topic else "", task=name)
    failure: ProofFailed | None = None
    stopped_again = False
    try:
        if topic:
            run.add("topic", {"id": name})
            for route in routes:
                copy = TopicHandler(name, route.id, route.kind, dict(route.options), route.match)
                entry = run.add("topic-handler", {"topic": name, "id": route.id})
                await _settled(write_change(client, RouteChange(ADD, name, None, copy)), run, entry)
                step(f"Copied route {route.describe()} to the proof's own topic {name}.")
        script = (f"// {mark}: a temporary task; the wizard deletes it again\n"
                  f"stream|from().measurement('{measurement}')"
                  f"|alert().crit(lambda: TRUE).message('{message}')"
                  + (topic_tickscript(name) if topic else direct_tickscript(kind, workspace)))
        entry = run.add("task", {"id": name}, {"mark": mark})
        await _settled(client.call("POST", TASKS, {
            "id": name, "type": "stream", "dbrps": [{"db": PROOF_DB, "rp": PROOF_RP}],
            "script": script, "status": "disabled",
        }), run, entry)
        step(f"Created temporary task {name} (database {PROOF_DB}.{PROOF_RP}).")
        await client.call("PATCH", f"{TASKS}/{name}", {"status": "enabled"})
        step("Enabled it.")
        if not await watch.start(client.settings.timeout):
            result.log_problem = watch.problem
        await client.call("POST", f"{API}/write?db={PROOF_DB}&rp={PROOF_RP}", f"{measurement} value=1".encode(), ok=(204,))
        step(f"Wrote one point to {measurement}.")
        where, result.event = await _wait_for_event(client, name if topic else "", name, message, wait)
        if result.event is None:
            failure = ProofFailed(f"Kapacitor accepted the point but raised no alert within {wait:g} seconds.",
                                  "Check Kapacitor's log for the task's errors.")
        else:
            step(f"Kapacitor raised {result.event.level} alert {result.event.id!r} on topic {where}: {result.event.message}")
            if not result.log_problem:
                errors = await watch.errors_within(evidence_wait, expected=max(1, len(routes)))
                if errors:
                    failure = _handler_failure(result, errors)
                elif not watch.reading:  # the stream ended before the window did: no evidence either way
                    result.log_problem = watch.problem or "Kapacitor closed its log stream"
    except KapacitorError as err:
        failure = ProofFailed(f"The proof stopped: {err.message}", err.hint)
        failure.__cause__ = err
    finally:
        await watch.close()
        cleanup = asyncio.ensure_future(_clean_up_within(client, run, step, problem))
        while not cleanup.done():
            try:
                await asyncio.shield(cleanup)
            except asyncio.CancelledError:
                stopped_again = True  # a second stop: the clean-up goes on, within its own budget
    if stopped_again:
        raise asyncio.CancelledError()
    if failure is not None:
        failure.steps = steps
        raise failure
    return result


def _handler_failure(result: ProofResult, errors: list[LogError]) -> ProofFailed:
    """What Kapacitor logged for the proof's handlers (received text: one line each, capped)."""
    if result.topic:
        failed = ", ".join(dict.fromkeys(e.handler for e in errors))
        where = f"the proof's copy of route {failed} (topic {result.topic})"
    else:
        where = f"the {result.title} handler"
    seen = "; ".join(dict.fromkeys(e.err or e.msg for e in errors))
    return ProofFailed(
        f"Kapacitor raised the alert, but {where} failed to send it: {seen.rstrip('.')}.",
        f"Check the {result.title} settings (kapacitor-wizard show), fix them and prove again.",
    )


async def _settled(request: Awaitable[Any], run: journal.Run, entry: journal.Entry) -> Any:
    """Send a request that creates something, and let it finish even when the proof is stopped:
    abandoned in flight, it could land after the clean-up and stay. Notes the outcome."""
    pending = asyncio.ensure_future(request)
    pending.add_done_callback(lambda t: t.cancelled() or t.exception())  # retrieved here or below
    try:
        answer = await asyncio.shield(pending)
    except asyncio.CancelledError:
        if not pending.done():
            await asyncio.wait([pending])  # bounded by the client's timeout; a second stop gives up
        if pending.done() and not pending.cancelled() and pending.exception() is None:
            run.mark(entry, journal.CREATED)
        raise
    except KapacitorUnreachable:
        run.mark(entry, journal.UNKNOWN)  # the answer was lost: it may exist, or appear later
        raise
    run.mark(entry, journal.CREATED)
    return answer


async def _wait_for_event(client: KapacitorClient, topic: str, task: str, message: str, wait: float) -> tuple[str, AlertEvent | None]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        names = [topic] if topic else [t.id for t in await list_topics(client) if f":{task}:" in t.id]
        for name in names:
            for event in await list_events(client, name):
                if event.message == message:
                    return name, event
        if loop.time() >= deadline:
            return (names[0] if names else topic), None
        await asyncio.sleep(0.05)


# -- clean-up, by the record only ------------------------------------------------------------

_ORDER = {"task": 0, "topic-handler": 1, "topic": 2}


async def _clean_up_within(client: KapacitorClient, run: journal.Run, step: Callable[[str], None],
                           problem: Callable[[str], None]) -> None:
    budget = max(3.0, CLEANUP_BUDGET_FACTOR * client.settings.timeout)
    try:
        async with asyncio.timeout(budget):
            await clean_up(client, run, step, problem)
    except TimeoutError:
        problem(f"The clean-up did not finish within {budget:g} seconds; the next proof for this Kapacitor "
                        f"removes what is left (noted in {run.path}).")
    finally:
        run.finish()


async def clean_up(client: KapacitorClient, run: journal.Run, step: Callable[[str], None],
                   problem: Callable[[str], None], *, second_look: bool = False) -> None:
    """Remove what the run's record names, in a safe order (the task first, the topic last).

    A task is deleted only when its script carries the run's mark; a topic handler is removed
    from the run's own topic, which exists for this run alone (and may already be deleted:
    Kapacitor keeps the handlers of a deleted topic, so they are removed one by one). A thing
    whose creation lost its answer stays in the record after its removal, since the request may
    still land; the `second_look` (by the next proof) settles it.
    """
    for entry in sorted(run.pending(), key=lambda e: _ORDER.get(e.kind, 9)):
        try:
            if entry.kind == "task":
                task_id = entry.key["id"]
                found = await client.call("GET", f"{TASKS}/{task_id}", ok=(200, 404))
                if found.status_code == 200:
                    script = _script_of(found.content)
                    if str(entry.data.get("mark", "\0")) not in script:
                        problem(f"Task {task_id} does not carry this proof's mark, so it was left alone.")
                        run.mark(entry, journal.REMOVED)
                        continue
                    await client.call("DELETE", f"{TASKS}/{task_id}", ok=(200, 204, 404))
                    step(f"Deleted the temporary task {task_id}.")
            elif entry.kind == "topic-handler":
                topic, handler_id = entry.key["topic"], entry.key["id"]
                found = await client.call("GET", handler_path(topic, handler_id), ok=(200, 404))
                await client.call("DELETE", handler_path(topic, handler_id), ok=(200, 204, 404))
                if found.status_code == 200:
                    step(f"Removed the proof's copy of route {handler_id} from topic {topic}.")
            elif entry.kind == "topic":
                found = await client.call("GET", f"{TOPICS}/{_quoted(entry.key['id'])}", ok=(200, 404))
                await client.call("DELETE", f"{TOPICS}/{_quoted(entry.key['id'])}", ok=(200, 204, 404))
                if found.status_code == 200:
                    step(f"Deleted the proof's topic {entry.key['id']}.")
            # An answer lost on creation may still land later: keep the record, so that the next
            # proof looks again (quietly, when nothing is there).
            if entry.state != journal.UNKNOWN or second_look:
                run.mark(entry, journal.REMOVED)
        except KapacitorError as err:
            problem(f"{_describe(entry)} could not be removed ({err.message}); the next proof for this "
                    f"Kapacitor removes it{_by_hand(entry)}.")


def _quoted(topic: str) -> str:
    from urllib.parse import quote

    return quote(topic, safe=":")


def _script_of(content: bytes) -> str:
    try:
        data = json.loads(content)
    except ValueError:
        return ""
    return str(data.get("script", "")) if isinstance(data, dict) else ""


def _describe(entry: journal.Entry) -> str:
    if entry.kind == "task":
        return f"Task {entry.key['id']}"
    if entry.kind == "topic-handler":
        return f"The proof's copy of route {entry.key['id']} on topic {entry.key['topic']}"
    return f"Topic {entry.key.get('id', '')}"


def _by_hand(entry: journal.Entry) -> str:
    if entry.kind == "task":
        return f", or delete it with: kapacitor delete tasks {entry.key['id']}"
    if entry.kind == "topic-handler":
        return f", or with: kapacitor delete topic-handlers {entry.key['topic']} {entry.key['id']}"
    return f", or with: kapacitor delete topics {entry.key.get('id', '')}"


async def recover(client: KapacitorClient, step: Callable[[str], None], problem: Callable[[str], None]) -> None:
    """Clean up by the records of earlier proofs for this Kapacitor that ended without doing so."""
    for run in journal.abandoned(PURPOSE, client.settings.url):
        journal.claim(run)
        said = False

        def tell(line: str, run_id: str = run.id) -> None:
            nonlocal said
            if not said:
                step(f"An earlier proof (run {run_id}) did not finish its clean-up; removing what it left:")
                said = True
            step("  " + line)

        try:
            await clean_up(client, run, tell, problem, second_look=True)
        finally:
            run.finish()


# -- stopping from the command line ------------------------------------------------------------

async def run_stoppable(proof: Awaitable[T]) -> tuple[T | None, int]:
    """Run `proof` so that SIGINT or SIGTERM stops it between steps and lets its clean-up finish.

    Returns the proof's result and 0, or None and the signal that stopped it; the proof's own
    errors pass through. Signals after the first are noted and ignored: the clean-up has its
    own time budget, and a second Ctrl+C must not cut it short.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(proof)
    received: list[int] = []

    def stop(signum: int) -> None:
        received.append(signum)
        if len(received) == 1:
            task.cancel()

    installed: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop, signum)
            installed.append(signum)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread: signals stay as they were
    try:
        try:
            return await task, 0
        except asyncio.CancelledError:
            if received and task.cancelled():
                return None, received[0]
            raise
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
