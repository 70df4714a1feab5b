"""Alert topics, topic handlers, tasks and `/write` for the Kapacitor stand-in.

Follows the recordings in shared/kapacitor-api/topics/ (1.5.7 and 1.8.3, identical
apart from the error body shape and one 1.5.7 bug, both kept here):

* ``GET /alerts/topics`` (``pattern``, ``min-level``), ``GET|DELETE /alerts/topics/<t>``,
  ``GET /alerts/topics/<t>/events[/<id>]``;
* ``GET|POST /alerts/topics/<t>/handlers``, ``GET|PUT|PATCH|DELETE .../handlers/<id>``
  with Kapacitor's 400/404/500 answers (duplicate ids, unknown kinds and bad options are 500;
  on 1.5.7 an unknown kind is accepted when a match is given);
* ``GET|POST /tasks``, ``GET|PATCH|DELETE /tasks/<id>`` for stream tasks (and batch tasks, which
  are kept but never run: there is no InfluxDB to query);
* ``POST /write?db=&rp=``: each point feeds the enabled stream tasks whose dbrps match; an
  alert node stores its event in its topic (``.topic('x')``, else the anonymous topic
  ``main:<task>:alert2``) and, just after the 204, sends it through the topic's handlers
  (or the script's own ``.slack()`` / ``.telegram()`` / ``.hipChat()``) with the same
  senders as the service tests, so it reaches the Slack/Telegram/HipChat stand-ins. A send
  that fails is logged as Kapacitor logs it (see kapacitor_logs.py), so `GET /logs` shows it.

Deleting a topic keeps its handlers, as Kapacitor does (1.5.7 and 1.8.3 alike):
services/alert/service.go `DeleteTopic` only drops the running topic and its stored event
state (``s.topics.DeleteTopic``, ``s.topicsDAO.Delete``); the handler specs stay in
``s.handlers`` and in the store. So ``GET .../handlers`` of a deleted topic still lists them,
a new event on that topic does not go through them (the re-created topic has no handlers
registered: influxdata/kapacitor#1939), and after a restart they are loaded again
(`loadSavedHandlerSpecs`), which brings the topic back. ``orphans`` holds such specs.

Only the TICKscript the wizard writes is understood: ``stream|from().measurement('m')
|alert().crit(lambda: TRUE).message('...')`` plus a topic or a handler call. Match
expressions ``TRUE``, ``level() == X`` and ``changed()`` are evaluated; any other is accepted
and matches every alert.

``fail`` makes one request fail: ``{"POST /kapacitor/v1/write": 500}`` answers that
request (method and path) once with the status, for tests of clean-up after a failure.
``hold`` keeps a request unanswered until an event is set, and ``lose`` carries a request out
but drops the connection instead of answering (an answer lost on the way back); both take a
method and a path pattern (``fnmatch``, e.g. ``"POST /kapacitor/v1/alerts/topics/*/handlers"``),
and so does ``fail``.
"""
from __future__ import annotations

import fnmatch
import json
import re
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

if TYPE_CHECKING:
    from tests.fakes.kapacitor import KapacitorFake, _Answer

API = "/kapacitor/v1"
TOPICS = API + "/alerts/topics"
TASKS = API + "/tasks"
WRITE = API + "/write"
LEVELS = ("OK", "INFO", "WARNING", "CRITICAL")
KINDS = ("slack", "telegram", "hipchat")
OPTIONS: dict[str, dict[str, type]] = {
    "slack": {"channel": str, "username": str, "icon-emoji": str, "workspace": str},
    "telegram": {"chat-id": str, "parse-mode": str, "disable-web-page-preview": bool, "disable-notification": bool},
    "hipchat": {"room": str, "token": str},
}
_ID_RE = re.compile(r"^[-._A-Za-z0-9]+$")
_TOPIC_RE = re.compile(r"^[-._:A-Za-z0-9]+$")
_ID_RULE = "must contain only letters, numbers, '-', '.' and '_'."


def _base() -> Any:
    from tests.fakes import kapacitor

    return kapacitor


def _pretty(value: Any) -> _Answer:
    """The alerts and tasks APIs answer indented JSON."""
    return _base()._Answer(200, (json.dumps(value, indent=4) + "\n").encode())


def _error(status: int, message: str) -> _Answer:
    return _base()._error(status, message)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")


class AlertsStandIn:
    """The alert and task state of one stand-in server."""

    def __init__(self, fake: KapacitorFake) -> None:
        self.fake = fake
        self.topics: dict[str, dict[str, Any]] = {}
        """id -> {"handlers": {id: spec}, "events": {id: state}, "level": str, "collected": int}"""
        self.tasks: dict[str, dict[str, Any]] = {}
        self.fail: dict[str, int] = {}
        self.orphans: dict[str, dict[str, dict[str, Any]]] = {}
        """Handler specs of deleted topics, by topic and id (see the module docstring)."""
        self.hold: dict[str, threading.Event] = {}
        """`{"POST /kapacitor/v1/write": event}` keeps that request unanswered until the event is set,
        as a slow Kapacitor would; other requests are answered meanwhile. Keys are fnmatch patterns."""
        self.held: list[str] = []
        """Each request a hold kept waiting ("METHOD path"), in order."""
        self.trickle: dict[str, float] = {}
        """`{"DELETE /kapacitor/v1/tasks/*": 0.5}`: answer such requests one byte every 0.5 s, so that
        no single read ever waits long (a per-read timeout never trips) while the answer takes minutes."""
        self.carried_out: list[str] = []
        """Each request carried out ("METHOD path"), in order, held ones included once released."""
        self.lose: set[str] = set()
        """`{"POST /kapacitor/v1/alerts/topics/*/handlers"}`: carry out such a request, then drop the
        connection without an answer (each pattern once)."""
        self.deliveries: list[dict[str, Any]] = []
        """Every alert sent on: {"kind", "options", "message", "error", "topic", "handler", "task"}."""
        self._delivered = threading.Condition()

    @staticmethod
    def handles(path: str) -> bool:
        return path.startswith(TOPICS) or path == TASKS or path.startswith(TASKS + "/") or path == WRITE

    def wait_for_deliveries(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Block until `count` alerts were sent on (delivery is asynchronous, as in Kapacitor)."""
        with self._delivered:
            self._delivered.wait_for(lambda: len(self.deliveries) >= count, timeout)
            return list(self.deliveries)

    def hold_if_asked(self, method: str, path: str) -> None:
        request = f"{method} {path}"
        event = next((e for pattern, e in list(self.hold.items()) if fnmatch.fnmatchcase(request, pattern)), None)
        if event is not None:
            self.held.append(request)
            event.wait(10)

    def handler_specs(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Every topic handler Kapacitor stores, by topic: those of live topics and of deleted ones."""
        specs: dict[str, dict[str, dict[str, Any]]] = {}
        for topic, state in self.topics.items():
            if state["handlers"]:
                specs.setdefault(topic, {}).update(state["handlers"])
        for topic, handlers in self.orphans.items():
            if handlers:
                specs.setdefault(topic, {}).update(handlers)
        return specs

    def restart(self) -> None:
        """Kapacitor loads every stored handler spec at start, which registers its topic again."""
        for topic, handlers in list(self.orphans.items()):
            self._ensure_topic(topic)["handlers"].update(handlers)
        self.orphans.clear()

    # ------------------------------------------------------------------ routing

    def dispatch(self, method: str, path: str, query: str, body: bytes) -> _Answer:
        request = f"{method} {path}"
        failing = next((p for p in list(self.fail) if fnmatch.fnmatchcase(request, p)), None)
        if failing is not None:
            return _error(self.fail.pop(failing), "forced failure")
        lost = next((p for p in list(self.lose) if fnmatch.fnmatchcase(request, p)), None)
        answer = self._dispatch(method, path, query, body)
        self.carried_out.append(request)
        pace = next((t for p, t in list(self.trickle.items()) if fnmatch.fnmatchcase(request, p)), None)
        if pace is not None:
            answer.trickle = pace
        if lost is not None:
            self.lose.discard(lost)
            raise _base()._DropConnection()  # carried out; the answer never leaves
        return answer

    def _dispatch(self, method: str, path: str, query: str, body: bytes) -> _Answer:
        if path == WRITE:
            return self._write(method, query, body) if method == "POST" else _error(405, "Method Not Allowed")
        if path == TASKS or path.startswith(TASKS + "/"):
            return self._tasks(method, path[len(TASKS):].strip("/"), body)
        rest = unquote(path[len(TOPICS):].strip("/"))
        if not rest:
            return self._list_topics(query) if method == "GET" else _error(405, "Method Not Allowed")
        parts = rest.split("/")
        topic = parts[0]
        if len(parts) == 1:
            if method == "GET":
                return _pretty(self._topic(topic)) if topic in self.topics else _error(404, f'unknown topic: "{topic}"')
            if method == "DELETE":
                self._drop_topic(topic)
                return _base()._Answer(204)
            if method == "POST":  # every POST under a topic creates a handler
                return self._create_handler(topic, body)
        if parts[1:2] == ["events"]:
            return self._events(topic, parts[2] if len(parts) > 2 else None)
        if parts[1:2] == ["handlers"]:
            if len(parts) == 2:
                if method == "GET":
                    return self._list_handlers(topic, query)
                if method == "POST":
                    return self._create_handler(topic, body)
            elif len(parts) == 3:
                return self._one_handler(method, topic, parts[2], body)
        return _error(404, "Not Found")

    # ------------------------------------------------------------------- topics

    def _topic(self, topic: str) -> dict[str, Any]:
        state = self.topics[topic]
        href = f"{TOPICS}/{topic}"
        return {
            "link": {"rel": "self", "href": href},
            "id": topic,
            "level": state["level"],
            "collected": state["collected"],
            "events-link": {"rel": "events", "href": href + "/events"},
            "handlers-link": {"rel": "handlers", "href": href + "/handlers"},
        }

    def _list_topics(self, query: str) -> _Answer:
        q = parse_qs(query)
        pattern = q.get("pattern", [""])[0]
        level = q.get("min-level", ["OK"])[0]
        if level not in LEVELS:
            return _error(400, f"unknown alert level '{level}'")
        if pattern.count("[") != pattern.count("]"):
            return _error(400, "invalid pattern: syntax error in pattern")
        listed = [
            self._topic(name) for name in sorted(self.topics)
            if (not pattern or fnmatch.fnmatchcase(name, pattern))
            and LEVELS.index(self.topics[name]["level"]) >= LEVELS.index(level)
        ]
        return _pretty({"link": {"rel": "self", "href": TOPICS}, "topics": listed})

    def _ensure_topic(self, topic: str) -> dict[str, Any]:
        return self.topics.setdefault(topic, {"handlers": {}, "events": {}, "level": "OK", "collected": 0})

    def _drop_topic(self, topic: str) -> None:
        state = self.topics.pop(topic, None)
        if state is not None and state["handlers"]:
            self.orphans.setdefault(topic, {}).update(state["handlers"])

    def _events(self, topic: str, event_id: str | None) -> _Answer:
        state = self.topics.get(topic, {"events": {}})
        href = f"{TOPICS}/{topic}/events"
        events = [
            {"link": {"rel": "self", "href": f"{href}/{eid}"}, "id": eid, "state": st}
            for eid, st in sorted(state["events"].items())
        ]
        if event_id is not None:
            found = [e for e in events if e["id"] == event_id]
            return _pretty(found[0]) if found else _error(404, f'unknown event: "{event_id}"')
        return _pretty({"link": {"rel": "self", "href": href}, "topic": topic, "events": events})

    # ----------------------------------------------------------------- handlers

    @staticmethod
    def _handler_body(topic: str, spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "link": {"rel": "self", "href": f"{TOPICS}/{topic}/handlers/{spec['id']}"},
            "id": spec["id"], "kind": spec["kind"], "options": spec["options"], "match": spec["match"],
        }

    def _list_handlers(self, topic: str, query: str) -> _Answer:
        pattern = parse_qs(query).get("pattern", [""])[0]
        handlers = {**self.orphans.get(topic, {}), **self.topics.get(topic, {"handlers": {}})["handlers"]}
        listed = [self._handler_body(topic, h) for i, h in sorted(handlers.items())
                  if not pattern or fnmatch.fnmatchcase(i, pattern)]
        href = f"{TOPICS}/{topic}/handlers" + (f"?pattern={pattern}" if pattern else "")
        return _pretty({"link": {"rel": "self", "href": href}, "topic": topic, "handlers": listed})

    def _parse_spec(self, topic: str, body: bytes) -> dict[str, Any] | _Answer:
        if not body.strip():
            return _error(400, "invalid handler json: EOF")
        try:
            _base()._decode_objects(body, stream=True)  # Go's wording for syntax errors
            data = json.loads(body)
        except _base().GoJSONSyntaxError as exc:
            return _error(400, f"invalid handler json: {exc}")
        except ValueError as exc:
            return _error(400, f"invalid handler json: {exc}")
        if not isinstance(data, dict):
            return _error(400, "invalid handler json: json: cannot unmarshal into Go value of type client.TopicHandler")
        spec = {
            "id": data.get("id") if isinstance(data.get("id"), str) else "",
            "kind": data.get("kind") if isinstance(data.get("kind"), str) else "",
            "options": data.get("options") if isinstance(data.get("options"), dict) else {},
            "match": data.get("match") if isinstance(data.get("match"), str) else "",
        }
        if not _TOPIC_RE.match(topic):
            return _error(400, f'invalid handler spec: handler topic {_ID_RULE} "{spec["id"]}"')
        if not _ID_RE.match(spec["id"]):
            return _error(400, f'invalid handler spec: handler ID {_ID_RULE} "{spec["id"]}"')
        if not spec["kind"]:
            return _error(400, "invalid handler spec: handler Kind must not be empty")
        return spec

    def _check_spec(self, spec: dict[str, Any], verb: str) -> _Answer | None:
        prefix = f"failed to {verb} handler: "
        if spec["match"] and not _match_ok(spec["match"]):
            match = spec["match"]
            return _error(500, prefix + f'invalid match expression: parser: unexpected EOF line 1 char {len(match) + 1} '
                          f'in "{match}". expected: "number","string","duration","identifier","TRUE","FALSE",'
                          '"==","(","-","!"')
        if spec["kind"] not in KINDS:
            if spec["match"] and str(getattr(self.fake, "version", "1.5.7")).startswith("1.5"):
                return None  # 1.5.7 loses the unknown-kind error when a match is given
            return _error(500, prefix + f'unsupported action kind "{spec["kind"]}"')
        allowed = OPTIONS[spec["kind"]]
        unknown = sorted(k for k in spec["options"] if k not in allowed)
        if unknown:
            return _error(500, prefix + f"failed to decode options into *{spec['kind']}.HandlerConfig: "
                          f"1 error(s) decoding:\n\n* '' has invalid keys: {', '.join(unknown)}")
        for key, value in spec["options"].items():
            if type(value) is not allowed[key]:
                shown = "" if str(getattr(self.fake, "version", "1.5.7")).startswith("1.5") else f", value: '{_go_value(value)}'"
                return _error(500, prefix + f"failed to decode options into *{spec['kind']}.HandlerConfig: "
                              f"1 error(s) decoding:\n\n* '{key}' expected type "
                              f"'{'string' if allowed[key] is str else 'bool'}', "
                              f"got unconvertible type '{_go_type(value)}'{shown}")
        return None

    def _create_handler(self, topic: str, body: bytes) -> _Answer:
        spec = self._parse_spec(topic, body)
        if not isinstance(spec, dict):
            return spec
        if (refused := self._check_spec(spec, "create")) is not None:
            return refused
        handlers = self._ensure_topic_checked(topic)
        if spec["id"] in handlers or spec["id"] in self.orphans.get(topic, {}):
            return _error(500, f'failed to create handler: cannot register handler, handler with ID "{spec["id"]}" already exists')
        handlers[spec["id"]] = spec
        return _pretty(self._handler_body(topic, spec))

    def _ensure_topic_checked(self, topic: str) -> dict[str, Any]:
        return self._ensure_topic(topic)["handlers"]  # type: ignore[no-any-return]

    def _one_handler(self, method: str, topic: str, handler_id: str, body: bytes) -> _Answer:
        handlers = self.topics.get(topic, {"handlers": {}})["handlers"]
        if handler_id in self.orphans.get(topic, {}):
            handlers = self.orphans[topic]  # Kapacitor still has the spec of a deleted topic
        if method == "DELETE":
            handlers.pop(handler_id, None)
            if topic in self.orphans and not self.orphans[topic]:
                del self.orphans[topic]
            return _base()._Answer(204)
        if handler_id not in handlers:
            if method == "PUT":  # the body is checked before the handler is looked up
                spec = self._parse_spec(topic, body)
                if not isinstance(spec, dict):
                    return spec
            return _error(404, f'unknown handler: "{handler_id}"')
        if method == "GET":
            return _pretty(self._handler_body(topic, handlers[handler_id]))
        if method == "PUT":
            spec = self._parse_spec(topic, body)
            if not isinstance(spec, dict):
                return spec
            if (refused := self._check_spec(spec, "update")) is not None:
                return refused
            del handlers[handler_id]
            handlers[spec["id"]] = spec  # another id renames the handler
            return _pretty(self._handler_body(topic, spec))
        if method == "PATCH":
            try:
                patch = json.loads(body)
            except ValueError as exc:
                return _error(400, f"invalid patch json: {exc}")
            if not isinstance(patch, list):
                return _error(400, "invalid patch json: json: cannot unmarshal object into Go value of type jsonpatch.Patch")
            spec = json.loads(json.dumps(handlers[handler_id]))
            for op in patch:
                keys = str(op.get("path", "")).strip("/").split("/")
                target = spec
                for key in keys[:-1]:
                    target = target.setdefault(key, {})
                if op.get("op") in ("add", "replace"):
                    target[keys[-1]] = op.get("value")
                elif op.get("op") == "remove":
                    target.pop(keys[-1], None)
            if (refused := self._check_spec(spec, "update")) is not None:
                return refused
            del handlers[handler_id]
            handlers[spec["id"]] = spec
            return _pretty(self._handler_body(topic, spec))
        return _error(405, "Method Not Allowed")

    # -------------------------------------------------------------------- tasks

    def _task_body(self, task: dict[str, Any]) -> dict[str, Any]:
        return {
            "link": {"rel": "self", "href": f"{TASKS}/{task['id']}"},
            "id": task["id"], "template-id": "", "type": task["type"], "dbrps": task["dbrps"],
            "script": task["script"], "vars": {}, "dot": f"digraph {task['id']} {{\nstream0 -> from1;\nfrom1 -> alert2;\n}}",
            "status": task["status"], "executing": task["status"] == "enabled", "error": "", "stats": {},
            "created": task["created"], "modified": task["modified"], "last-enabled": task["last-enabled"],
        }

    def _tasks(self, method: str, task_id: str, body: bytes) -> _Answer:
        if not task_id:
            if method == "GET":
                return _pretty({"tasks": [self._task_body(t) for _, t in sorted(self.tasks.items())]})
            if method == "POST":
                return self._create_task(body)
            return _error(405, "Method Not Allowed")
        if method == "DELETE":
            self.tasks.pop(task_id, None)
            for name in [n for n in self.topics if n.startswith(f"main:{task_id}:")]:
                del self.topics[name]  # the anonymous topic goes with its task
            return _base()._Answer(204)
        task = self.tasks.get(task_id)
        if task is None:
            return _error(404, f'no task exists with ID: "{task_id}"')
        if method == "GET":
            return _pretty(self._task_body(task))
        if method == "PATCH":
            try:
                change = json.loads(body)
            except ValueError as exc:
                return _error(400, f"invalid JSON: {exc}")
            if change.get("status") in ("enabled", "disabled"):
                self._set_status(task, change["status"])
            return _pretty(self._task_body(task))
        return _error(405, "Method Not Allowed")

    def _create_task(self, body: bytes) -> _Answer:
        try:
            data = json.loads(body)
        except ValueError as exc:
            return _error(400, f"invalid JSON: {exc}")
        task_id = data.get("id", "")
        if not _ID_RE.match(task_id or ""):
            return _error(400, f"task ID {_ID_RULE} {task_id!r}")
        if task_id in self.tasks:
            return _error(400, f"task {task_id} already exists")
        script = str(data.get("script", ""))
        source = r"measurement\('[^']*'\)" if data.get("type", "stream") == "stream" else r"query\('[^']*'\)"
        if not re.search(source, script) or "alert()" not in script:
            return _error(400, "invalid TICKscript: parser: unexpected EOF")
        now = _now()
        task = {"id": task_id, "type": data.get("type", "stream"), "dbrps": data.get("dbrps") or [],
                "script": script, "status": "disabled", "created": now, "modified": now,
                "last-enabled": "0001-01-01T00:00:00Z"}
        self.tasks[task_id] = task
        self._set_status(task, data.get("status", "disabled"))
        return _pretty(self._task_body(task))

    def _set_status(self, task: dict[str, Any], status: str) -> None:
        task["status"] = status
        task["modified"] = _now()
        if status == "enabled":
            task["last-enabled"] = task["modified"]
            if not _script_topic(task["script"]):
                self._ensure_topic(f"main:{task['id']}:alert2")

    # -------------------------------------------------------------------- write

    def _write(self, method: str, query: str, body: bytes) -> _Answer:
        q = parse_qs(query)
        db, rp = q.get("db", [""])[0], q.get("rp", ["autogen"])[0] or "autogen"
        plain = {"Content-Type": "application/json; charset=utf-8"}
        if not db:
            return _base()._Answer(400, b"database is required\n", dict(plain))
        sends: list[dict[str, Any]] = []
        for line in body.decode("utf-8", "replace").splitlines():
            if not line.strip():
                continue
            measurement, _, fields = line.strip().partition(" ")
            if not fields.strip():
                return _base()._Answer(400, f"unable to parse '{line.strip()}': missing fields\n".encode(), dict(plain))
            measurement = measurement.split(",")[0]
            for task in self.tasks.values():
                if task["status"] != "enabled" or task["type"] != "stream" or {"db": db, "rp": rp} not in task["dbrps"]:
                    continue
                if _script_measurement(task["script"]) != measurement:
                    continue
                sends.extend(self._raise_alert(task, measurement))
        if sends:
            threading.Thread(target=self._deliver, args=(sends,), daemon=True).start()
        return _base()._Answer(204)

    def _raise_alert(self, task: dict[str, Any], measurement: str) -> list[dict[str, Any]]:
        script = task["script"]
        message = _script_message(script)
        topic = _script_topic(script) or f"main:{task['id']}:alert2"
        state = self._ensure_topic(topic)
        event_id = f"{measurement}:nil"
        previous = state["events"].get(event_id, {}).get("level", "OK")
        details = json.dumps({"Name": measurement, "TaskName": task["id"], "Group": "nil", "Tags": {}})
        state["events"][event_id] = {"message": message, "details": details.replace('"', "&#34;"),
                                     "time": _now(), "duration": "0s", "level": "CRITICAL"}
        state["level"] = "CRITICAL"
        state["collected"] += 1
        direct = _script_handler(script)
        if direct is not None:
            return [{"kind": direct[0], "options": direct[1], "message": message, "task": task["id"]}]
        return [{"kind": h["kind"], "options": h["options"], "message": message, "topic": topic, "handler": h["id"]}
                for h in state["handlers"].values() if _matches(h["match"], "CRITICAL", previous)]

    def _deliver(self, sends: list[dict[str, Any]]) -> None:
        for send in sends:
            try:
                error = self._send(send["kind"], send["options"], send["message"])
            except Exception as exc:  # a send the real server would panic on
                error = f"panic: {exc!r}"
            if error is not None:
                # Each service logs a failed send with its handler's context (kapacitor_logs.py); the
                # messages are the services' own, HipChat's included, which 1.5.7 words as Alerta's
                # (services/hipchat/service.go handler.Handle).
                msg = {"slack": "failed to send event", "telegram": "failed to send event to Telegram",
                       "hipchat": "failed to send event to Alerta"}.get(send["kind"], "failed to send event")
                self.fake.logs.handler_error(send["kind"], msg, error, handler=send.get("handler", ""),
                                             topic=send.get("topic", ""), task=send.get("task", ""))
            with self._delivered:
                self.deliveries.append({**send, "options": dict(send["options"]), "error": error})
                self._delivered.notify_all()

    def _send(self, kind: str, options: dict[str, Any], message: str) -> str | None:
        """The same request as a service test, with the alert's message and the handler's options."""
        fake = self.fake
        if kind == "slack":
            return fake._test_slack({
                "workspace": options.get("workspace", ""), "channel": options.get("channel", ""),
                "message": message, "level": "CRITICAL", "username": options.get("username", ""),
                "icon-emoji": options.get("icon-emoji", ""),
            })
        if kind == "telegram":
            return fake._test_telegram({
                "chat-id": options.get("chat-id", ""), "parse-mode": options.get("parse-mode", ""),
                "message": message, "disable-web-page-preview": bool(options.get("disable-web-page-preview")),
                "disable-notification": bool(options.get("disable-notification")),
            })
        if kind == "hipchat":
            return fake._test_hipchat({"room": options.get("room", ""), "message": message, "level": "CRITICAL"})
        return f"unsupported action kind {kind!r}"


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float64"
    if isinstance(value, str):
        return "string"
    return "map[string]interface {}" if isinstance(value, dict) else "[]interface {}"


def _go_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).lower() if isinstance(value, bool) else str(value)


def _match_ok(expression: str) -> bool:
    """Enough of Kapacitor's parser to refuse what the recordings show it refusing."""
    text = expression.strip()
    if text.count("(") != text.count(")") or text.count("'") % 2 or text.count('"') % 2:
        return False
    return not re.search(r"(==|!=|<|>|=~|!~|\bAND|\bOR)\s*$", text)


def _matches(expression: str, level: str, previous: str) -> bool:
    text = expression.strip()
    if not text or text == "TRUE":
        return True
    if text == "FALSE":
        return False
    found = re.fullmatch(r"level\(\)\s*(==|!=)\s*(\w+)", text)
    if found:
        return (level == found.group(2)) == (found.group(1) == "==")
    if text == "changed()":
        return level != previous
    return True


def _script_measurement(script: str) -> str:
    found = re.search(r"\.measurement\('([^']*)'\)", script)
    return found.group(1) if found else ""


def _script_message(script: str) -> str:
    found = re.search(r"\.message\('((?:[^'\\]|\\.)*)'\)", script)
    return found.group(1) if found else ""


def _script_topic(script: str) -> str:
    found = re.search(r"\.topic\('([^']*)'\)", script)
    return found.group(1) if found else ""


def _script_handler(script: str) -> tuple[str, dict[str, Any]] | None:
    found = re.search(r"\.(slack|telegram|hipChat)\(\)((?:\.\w+\('[^']*'\))*)", script)
    if not found:
        return None
    kind = found.group(1).lower()
    properties = dict(re.findall(r"\.(\w+)\('([^']*)'\)", found.group(2)))
    names = {"chatId": "chat-id", "parseMode": "parse-mode", "iconEmoji": "icon-emoji"}
    return kind, {names.get(k, k): v for k, v in properties.items()}
