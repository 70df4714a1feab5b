"""Conformance of the Kapacitor stand-in with exchanges recorded from a real
Kapacitor 1.5.7 and a real 1.8.3 (copied into ``tests/data/kapacitor-api/``
from ``shared/kapacitor-api``), plus its test switches.

Each scenario file is replayed against a fresh stand-in of its version.  Scenario files that
were recorded on the same running kapacitord (its Request-Id counter carries
on instead of restarting at ...-8002-...) depend on the state the earlier
files left behind, so those earlier files are replayed first, unchecked.
URLs that pointed at the recording's fake Slack/Telegram/HipChat service are
rewritten to local receivers that answer what the recorded fake answered.
"""
from __future__ import annotations

import filecmp
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from tests.fakes.kapacitor import VERSIONS, KapacitorFake, dead_url
from tests.fakes.receivers import HipChatReceiver, HttpReceiver, SlackReceiver

# The recordings, one directory per Kapacitor version, copied from the shared set so that a clone runs
# every test; SHARED_DIR is where they came from (top level 1.5.7, 1.8.3/ beside it), when it exists.
DATA_DIR = Path(__file__).resolve().parent / "data" / "kapacitor-api"
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared" / "kapacitor-api"
SECTIONS = ("hipchat", "slack", "telegram")

# Recorded steps the stand-in cannot replay, with the reason.
UNREPLAYABLE: dict[tuple[str, int], str] = {
    ("17-env-vars", 8): "kapacitord exits at start (bad bool in KAPACITOR_TELEGRAM_ENABLED): no HTTP exchange",
    ("17-env-vars", 9): "kapacitord exits at start (telegram enabled without token): no HTTP exchange",
}
# Whole stretches that are outside the stand-in: it serves only hipchat, slack and telegram.
OUT_OF_SCOPE: dict[tuple[str, str], tuple[range, str]] = {
}

_PORT_RE = re.compile(r"127\.0\.0\.1:\d+")


def _scenario_files(version: str = "1.5.7") -> list[Path]:
    return sorted((DATA_DIR / version).glob("*.json"))


def _all_scenarios() -> list[tuple[str, Path]]:
    return [(version, path) for version in VERSIONS for path in _scenario_files(version)]


def _shared_dir(version: str) -> Path:
    return SHARED_DIR if version == "1.5.7" else SHARED_DIR / version


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _first_counter(scenario: dict[str, Any]) -> str | None:
    for step in scenario["steps"]:
        rid = step.get("response", {}).get("headers", {}).get("Request-Id")
        if rid:
            return rid.split("-")[3]
    return None


def _with_prerequisites(path: Path, version: str = "1.5.7") -> list[dict[str, Any]]:
    """The files recorded on the same kapacitord before this one, then it."""
    chain: list[dict[str, Any]] = []
    for other in _scenario_files(version):
        data = _load(other)
        if _first_counter(data) == "8002":  # a freshly started server
            chain = []
        chain.append(data)
        if other == path:
            return chain
    raise AssertionError(path)


def _normalize(text: str) -> str:
    return _PORT_RE.sub("127.0.0.1:<port>", text)


def _recorded_fake_ports(version: str = "1.5.7") -> set[str]:
    ports = set()
    for path in _scenario_files(version):
        for step in _load(path)["steps"]:
            for sent in step.get("sent_to_fake_service", []):
                ports.add(sent["headers"]["Host"].rsplit(":", 1)[1])
    return ports


@dataclass
class Receivers:
    slack: SlackReceiver
    hipchat: HipChatReceiver
    telegram: HttpReceiver

    def all(self) -> tuple[HttpReceiver, ...]:
        return (self.slack, self.hipchat, self.telegram)

    def for_path(self, path: str) -> HttpReceiver:
        # 1.8.3's recordings use Slack's own paths: /services/... (webhook) and /api/... (app).
        for prefix, receiver in (("/slack", self.slack), ("/services/", self.slack), ("/api/", self.slack),
                                 ("/hipchat", self.hipchat), ("/telegram", self.telegram)):
            if path.startswith(prefix):
                return receiver
        raise AssertionError(f"no receiver for {path}")


class Replayer:
    """Replays recorded steps against a stand-in and collects mismatches."""

    def __init__(self, receivers: Receivers, version: str = "1.5.7") -> None:
        self.receivers = receivers
        self.version = version
        self.fake = KapacitorFake(version=version)
        self.fake_ports = _recorded_fake_ports(version)
        self.dead = dead_url().rsplit(":", 1)[1].rstrip("/")
        self.failures: list[str] = []
        self.client = httpx.Client(timeout=15)

    def close(self) -> None:
        self.client.close()
        self.fake.close()

    def rewrite(self, text: str) -> str:
        """Point recorded 127.0.0.1 URLs at the local receivers (or a dead port)."""

        def repl(match: re.Match[str]) -> str:
            port, path = match.group(1), match.group(2) or ""
            if port in self.fake_ports and path:
                return f"http://127.0.0.1:{self.receivers.for_path(path).port}{path}"
            return f"http://127.0.0.1:{self.dead}{path}"

        return re.sub(r"http://127\.0\.0\.1:(\d+)(/[^\"\s]*)?", repl, text)

    # -------------------------------------------------------------- set-up

    def setup(self, scenario: dict[str, Any]) -> None:
        if "config_file_sections" in scenario and not self.second_server_note(scenario):
            self.apply_file(self.rewrite(scenario["config_file_sections"]))
        if "environment" in scenario:
            self.apply_env(json.loads(self.rewrite(json.dumps(scenario["environment"]))))

    @staticmethod
    def second_server_note(scenario: dict[str, Any]) -> bool:
        """In 1.8.3's 18, config_file_sections is the kapacitor.conf of a second server started midway."""
        return any("second server" in step.get("note", "") for step in scenario["steps"] if "request" not in step)

    def apply_file(self, toml_text: str) -> None:
        conf = tomllib.loads(toml_text)
        for section in ("hipchat", "telegram"):
            if section in conf:
                self.fake.set_file_values(section, conf[section])
        slack = conf.get("slack", [])
        if slack:
            # The first [[slack]] table fills the built-in element; like any
            # [[slack]] table it gets no default username.
            self.fake.set_file_values("slack", {"username": "", **slack[0]})
            for table in slack[1:]:
                self.fake.add_file_workspace(table)

    def apply_env(self, env: dict[str, str]) -> None:
        """KAPACITOR_<SECTION>_<OPTION> (slack: KAPACITOR_SLACK_<i>_<OPTION>)
        act like kapacitor.conf values; unindexed slack variables and indexes
        with no element are ignored, as in 1.5.7."""
        values: dict[str, dict[str, Any]] = {}
        for name, raw in env.items():
            parts = name.split("_", 2)
            if len(parts) < 3 or parts[0] != "KAPACITOR" or parts[1].lower() not in SECTIONS:
                continue
            section, rest = parts[1].lower(), parts[2]
            if section == "slack":
                index, _, rest = rest.partition("_")
                if index != "0":
                    continue
            option = rest.lower().replace("_", "-")
            kind = dict(self.fake.fields[section])[option]
            values.setdefault(section, {})[option] = (raw == "true") if kind is bool else raw
        for section, options in values.items():
            self.fake.set_file_values(section, options)

    def handle_note(self, scenario: str, note: str, data: dict[str, Any]) -> None:
        if "second server" in note and "config_file_sections" in data:
            self.fake.close()
            self.fake = KapacitorFake(version=self.version)
            self.apply_file(self.rewrite(data["config_file_sections"]))
        elif "NEW empty data dir" in note:
            self.fake.restart(keep_overrides=False)
        elif "SKIP_CONFIG_OVERRIDES" in note:
            self.fake.restart(skip_config_overrides=True)
        elif "second start with unindexed slack variables" in note:
            # A new kapacitord with only these variables set.
            env = json.loads(self.rewrite(note.split(": ", 1)[1]))
            self.fake.close()
            self.fake = KapacitorFake(version=self.version)
            self.apply_env(env)
        elif "restart" in note or "started again" in note:
            self.fake.restart()
        else:
            raise AssertionError(f"{scenario}: unhandled note {note!r}")

    # ------------------------------------------------------------ replaying

    def replay(self, scenario: dict[str, Any], *, check: bool) -> None:
        name = scenario["scenario"]
        self.setup(scenario)
        skipped = OUT_OF_SCOPE.get((self.version, name), (range(0), ""))[0]
        for index, step in enumerate(scenario["steps"]):
            if (self.version == "1.5.7" and (name, index) in UNREPLAYABLE) or index in skipped:
                continue
            if "request" not in step:
                self.handle_note(name, step["note"], scenario)
                continue
            problems = self.replay_step(step)
            if check and problems:
                label = f"{name} step {index} {step['request']['method']} {step['request']['path']}"
                if step.get("note"):
                    label += f" ({step['note']})"
                self.failures.append(label + ":\n    " + "\n    ".join(problems))

    def replay_step(self, step: dict[str, Any]) -> list[str]:
        request, expected = step["request"], step["response"]
        sent_expected = step.get("sent_to_fake_service")
        if "body_raw" in request:
            content: bytes | None = self.rewrite(request["body_raw"]).encode()
        elif "body" in request:
            content = self.rewrite(json.dumps(request["body"])).encode()
        else:
            content = None
        for receiver in self.receivers.all():
            receiver.received.clear()
        for sent in sent_expected or []:
            answered = sent["fake_service_answered"]
            self.receivers.for_path(sent["path"]).set_answer(
                answered["status"], answered["body"], answered["content_type"]
            )
        problems: list[str] = []
        try:
            response = self.client.request(
                request["method"], self.fake.url + request["path"], content=content,
                headers=request.get("headers", {}),
            )
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            if "status" in expected:
                problems.append(f"no HTTP response ({exc!r}), expected {expected['status']}")
            response = None
        if response is not None:
            problems += self.compare_response(request, expected, response)
        if sent_expected is not None:
            problems += self.compare_sent(sent_expected)
        return problems

    def compare_response(self, request: dict[str, Any], expected: dict[str, Any], response: httpx.Response) -> list[str]:
        if "status" not in expected:
            return [f"expected no HTTP response, got {response.status_code} {response.text!r}"]
        problems = []
        if response.status_code != expected["status"]:
            problems.append(f"status {response.status_code}, expected {expected['status']}: {response.text!r}")
        headers = expected["headers"]
        for name in ("Content-Type", "X-Kapacitor-Version"):
            if response.headers.get(name) != headers.get(name):
                problems.append(f"{name} {response.headers.get(name)!r}, expected {headers.get(name)!r}")
        if "Request-Id" not in response.headers:
            problems.append("no Request-Id header")
        raw = expected.get("body_raw")
        if raw is not None:
            if _normalize(response.text) != _normalize(raw):
                problems.append(f"body {response.text!r}\n    expected {raw!r}")
            return problems
        body = expected["body"]
        if body is None:
            if response.content:
                problems.append(f"body {response.text!r}, expected none")
            return problems
        trimmed = self.trimmed(request, body)
        untrimmed = trimmed == body
        body = trimmed
        actual = self.trimmed(request, response.json())  # the other handler sections: test_handlers_standin.py
        # Dump in received order: key order is part of what is compared.
        if _normalize(json.dumps(actual)) != _normalize(json.dumps(body)):
            problems.append(f"body {json.dumps(actual)}\n    expected {json.dumps(body)}")
        length = headers.get("Content-Length")
        if length and untrimmed and "127.0.0.1" not in json.dumps(body) and response.headers.get("Content-Length") != length:
            problems.append(f"Content-Length {response.headers.get('Content-Length')}, expected {length}")
        return problems

    @staticmethod
    def trimmed(request: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """The stand-in serves only three sections/service tests: compare
        listings against the recorded ones restricted to those."""
        path = request["path"].split("?")[0]
        if path == "/kapacitor/v1/config" and "sections" in body:
            return {**body, "sections": {k: v for k, v in body["sections"].items() if k in SECTIONS}}
        if path == "/kapacitor/v1/service-tests" and "services" in body:
            return {**body, "services": [s for s in body["services"] if s["name"] in SECTIONS]}
        return body

    def compare_sent(self, sent_expected: list[dict[str, Any]]) -> list[str]:
        received = [r for receiver in self.receivers.all() for r in receiver.received]
        if len(received) != len(sent_expected):
            return [f"{len(received)} requests reached the receivers, expected {len(sent_expected)}: "
                    f"{[r.target for r in received]}"]
        problems = []
        for got, want in zip(received, sent_expected):
            if (got.method, got.target) != (want["method"], want["path"]):
                problems.append(f"sent {got.method} {got.target}, expected {want['method']} {want['path']}")
            if got.body_raw.decode() != want["body_raw"]:
                problems.append(f"sent body {got.body_raw!r}\n    expected {want['body_raw']!r}")
            for name in ("Content-Type", "User-Agent", "Accept-Encoding", "Content-Length", "Authorization"):
                if got.headers.get(name) != want["headers"].get(name):
                    problems.append(f"sent {name} {got.headers.get(name)!r}, expected {want['headers'].get(name)!r}")
        return problems


@pytest.fixture
def receivers() -> Iterator[Receivers]:
    with SlackReceiver() as slack, HipChatReceiver() as hipchat, HttpReceiver() as telegram:
        yield Receivers(slack, hipchat, telegram)


@pytest.mark.parametrize(("version", "path"), _all_scenarios(), ids=lambda v: getattr(v, "stem", v))
def test_recorded_scenario(version: str, path: Path, receivers: Receivers) -> None:
    *earlier, scenario = _with_prerequisites(path, version)
    replayer = Replayer(receivers, version)
    try:
        for data in earlier:
            replayer.replay(data, check=False)
        replayer.replay(scenario, check=True)
    finally:
        replayer.close()
    assert not replayer.failures, "\n".join(replayer.failures)


@pytest.mark.parametrize("key", sorted(UNREPLAYABLE), ids=lambda k: f"{k[0]}-step{k[1]}")
def test_unreplayable_step(key: tuple[str, int]) -> None:
    pytest.skip(UNREPLAYABLE[key])


def test_every_version_has_its_recordings() -> None:
    for version in VERSIONS:
        names = {p.name for p in _scenario_files(version)}
        assert {"01-ping.json", "06-config-set.json", "10-service-test-slack.json"} <= names, version
    assert (DATA_DIR / "1.8.3" / "18-slack-app-token.json").is_file()
    assert (DATA_DIR / "1.8.3" / "kapacitor.conf.sample").is_file()


@pytest.mark.skipif(not SHARED_DIR.is_dir(), reason="no shared recordings beside this checkout to compare with")
@pytest.mark.parametrize("version", VERSIONS)
def test_copied_recordings_equal_the_shared_ones(version: str) -> None:
    copies, shared = DATA_DIR / version, _shared_dir(version)
    shared_files = sorted(p.name for p in shared.iterdir() if p.is_file())
    assert sorted(p.name for p in copies.iterdir() if p.is_file()) == shared_files  # handlers/: test_handlers_standin
    _, mismatch, errors = filecmp.cmpfiles(copies, shared, shared_files, shallow=False)
    assert (mismatch, errors) == ([], [])


# ---------------------------------------------------------------- switches


def test_overrides_disabled_answers_403() -> None:
    with KapacitorFake(overrides_disabled=True) as fake:
        for method, path, body in (
            ("GET", "/kapacitor/v1/config", None),
            ("GET", "/kapacitor/v1/config/slack/", None),
            ("POST", "/kapacitor/v1/config/slack/", b'{"set": {"channel": "#x"}}'),
        ):
            response = httpx.request(method, fake.url + path, content=body)
            assert response.status_code == 403
            assert response.text == '{\n    "error": "config override service is not enabled"\n}'
            assert response.headers["X-Kapacitor-Version"] == "1.5.7"
        # Ping and service tests are not part of the config service.
        assert httpx.get(fake.url + "/kapacitor/v1/ping").status_code == 204
        assert httpx.get(fake.url + "/kapacitor/v1/service-tests/slack").status_code == 200


def test_auth_required_answers_401() -> None:
    with KapacitorFake(auth=("admin", "s3cret")) as fake:
        url = fake.url + "/kapacitor/v1/config/telegram/"
        missing = httpx.get(url)
        assert (missing.status_code, missing.text) == (401, '{"error":"unable to parse authentication credentials"}')
        wrong = httpx.get(url, auth=("admin", "nope"))
        assert (wrong.status_code, wrong.text) == (401, '{"error":"authorization failed"}')
        empty_user = httpx.get(url, auth=("", "x"))
        assert (empty_user.status_code, empty_user.text) == (401, '{"error":"username required"}')
        assert httpx.get(fake.url + "/kapacitor/v1/ping").status_code == 401
        good = httpx.get(url, auth=("admin", "s3cret"))
        assert good.status_code == 200
        assert good.json()["options"]["url"] == "https://api.telegram.org/bot"
        query = httpx.get(url, params={"u": "admin", "p": "s3cret"})
        assert query.status_code == 200


def test_force_status_answers_every_request() -> None:
    with KapacitorFake(force_status=500) as fake:
        for method, path in (("GET", "/kapacitor/v1/ping"), ("GET", "/kapacitor/v1/config"),
                             ("POST", "/kapacitor/v1/config/slack/")):
            response = httpx.request(method, fake.url + path, content=b"{}")
            assert response.status_code == 500
            assert response.json() == {"error": "Internal Server Error"}
        fake.force_error = "boom"
        assert httpx.get(fake.url + "/kapacitor/v1/ping").json() == {"error": "boom"}
        fake.force_status = None
        assert httpx.get(fake.url + "/kapacitor/v1/ping").status_code == 204
        assert len(fake.requests) == 5


# ---------------------------------------------------- stand-in conveniences


def test_requests_are_recorded(kapacitor: KapacitorFake) -> None:
    httpx.get(kapacitor.url + "/kapacitor/v1/config/slack?x=1")
    httpx.post(kapacitor.url + "/kapacitor/v1/config/slack/", json={"set": {"channel": "#a"}})
    httpx.post(kapacitor.url + "/kapacitor/v1/service-tests/slack", json={})
    assert [(r.method, r.path) for r in kapacitor.requests] == [
        ("GET", "/kapacitor/v1/config/slack?x=1"),
        ("POST", "/kapacitor/v1/config/slack/"),
        ("POST", "/kapacitor/v1/service-tests/slack"),
    ]
    posts = kapacitor.config_posts()
    assert len(posts) == 1 and posts[0].json == {"set": {"channel": "#a"}}
    assert kapacitor.requests[0].json is None


def test_file_values_show_until_overridden_and_after_delete(kapacitor: KapacitorFake) -> None:
    kapacitor.set_file_values("telegram", {"chat-id": "-100111", "token": "222:FILE"})
    url = kapacitor.url + "/kapacitor/v1/config/telegram/"
    assert httpx.get(url).json()["options"]["chat-id"] == "-100111"
    httpx.post(url, json={"set": {"chat-id": "-100999"}})
    assert httpx.get(url).json()["options"]["chat-id"] == "-100999"
    httpx.post(url, json={"delete": ["chat-id"]})
    options = httpx.get(url).json()["options"]
    assert options["chat-id"] == "-100111" and options["token"] is True


def test_file_workspaces(kapacitor: KapacitorFake, slack_receiver: SlackReceiver) -> None:
    with pytest.raises(ValueError, match="id must not be empty"):
        kapacitor.add_file_workspace({"workspace": "second"})
    kapacitor.set_file_values("slack", {"workspace": "main", "enabled": True, "url": slack_receiver.webhook_url})
    kapacitor.add_file_workspace({"workspace": "second", "enabled": True, "url": slack_receiver.webhook_url})
    elements = httpx.get(kapacitor.url + "/kapacitor/v1/config/slack").json()["elements"]
    assert [e["options"]["workspace"] for e in elements] == ["main", "second"]
    with pytest.raises(TypeError):
        kapacitor.set_file_values("telegram", {"enabled": "yes"})
    with pytest.raises(ValueError, match="must specify token"):
        kapacitor.set_file_values("telegram", {"enabled": True})


# ---------------------------------------------- what reaches the receivers


def _sent_bodies(name: str) -> list[str]:
    """sent_to_fake_service bodies of the recorded tests for one service."""
    bodies = []
    for path in _scenario_files():
        for step in _load(path)["steps"]:
            for sent in step.get("sent_to_fake_service", []):
                if sent["path"].startswith(f"/{name}"):
                    bodies.append(sent["body_raw"])
    return bodies


def test_slack_receiver_gets_what_kapacitor_sends(kapacitor: KapacitorFake, slack_receiver: SlackReceiver) -> None:
    httpx.post(kapacitor.url + "/kapacitor/v1/config/slack/",
               json={"set": {"enabled": True, "url": slack_receiver.webhook_url, "channel": "#alerts"}})
    result = httpx.post(kapacitor.url + "/kapacitor/v1/service-tests/slack", json={}).json()
    assert result == {"success": True, "message": ""}
    (got,) = slack_receiver.received
    assert got.path == SlackReceiver.WEBHOOK_PATH and got.headers["Content-Type"] == "application/json"
    assert got.body_raw.decode() in _sent_bodies("slack")
    assert got.json["channel"] == "#alerts"

    for answer, message in (
        (slack_receiver.answer_no_team, "failed to understand Slack response. code: 404 content: no_team"),
        (slack_receiver.answer_invalid_token, "failed to understand Slack response. code: 403 content: invalid_token"),
        (slack_receiver.answer_channel_not_found,
         "failed to understand Slack response. code: 404 content: channel_not_found"),
        (slack_receiver.answer_server_error, "internal_error"),
    ):
        answer()
        result = httpx.post(kapacitor.url + "/kapacitor/v1/service-tests/slack", json={}).json()
        assert result == {"success": False, "message": message}


def test_hipchat_receiver_gets_what_kapacitor_sends(kapacitor: KapacitorFake, hipchat_receiver: HipChatReceiver) -> None:
    httpx.post(kapacitor.url + "/kapacitor/v1/config/hipchat/", json={"set": {
        "enabled": True, "url": hipchat_receiver.room_url(), "token": "hipchat-room-token-0123456789abcdef",
        "room": "ops-room"}})
    result = httpx.post(kapacitor.url + "/kapacitor/v1/service-tests/hipchat", json={}).json()
    assert result == {"success": True, "message": ""}
    (got,) = hipchat_receiver.received
    assert got.target == "/v2/room/ops-room/notification?auth_token=hipchat-room-token-0123456789abcdef"
    assert got.body_raw.decode() in _sent_bodies("hipchat")

    hipchat_receiver.answer_invalid_token()
    result = httpx.post(kapacitor.url + "/kapacitor/v1/service-tests/hipchat", json={}).json()
    assert result["success"] is False
    assert result["message"].startswith("failed to understand HipChat response. code: 401 content: ")
    assert "Invalid OAuth session" in result["message"]
    hipchat_receiver.answer_room_not_found()
    result = httpx.post(kapacitor.url + "/kapacitor/v1/service-tests/hipchat", json={}).json()
    assert "code: 404" in result["message"] and "Room not found" in result["message"]


def test_connection_refused_message(kapacitor: KapacitorFake) -> None:
    url = dead_url("/services/T/B/X")
    httpx.post(kapacitor.url + "/kapacitor/v1/config/slack/", json={"set": {"enabled": True, "url": url}})
    result = httpx.post(kapacitor.url + "/kapacitor/v1/service-tests/slack", json={}).json()
    port = url.split(":")[2].split("/")[0]
    assert result == {
        "success": False,
        "message": f'Post "{url}": dial tcp 127.0.0.1:{port}: connect: connection refused',
    }


def test_version_1_8_speaks_its_error_shape_and_sends_the_bearer_token(slack_receiver: SlackReceiver) -> None:
    with KapacitorFake(version="1.8.3", overrides_disabled=True) as fake:
        response = httpx.get(fake.url + "/kapacitor/v1/config")
        assert response.headers["X-Kapacitor-Version"] == "1.8.3"
        assert response.json() == {"error": "config override service is not enabled",
                                   "message": "config override service is not enabled"}
    with KapacitorFake(version="1.8.3") as fake:
        httpx.post(fake.url + "/kapacitor/v1/config/slack/", json={"set": {
            "enabled": True, "url": slack_receiver.webhook_url, "token": "xoxb-1-2-abc"}})
        slack = httpx.get(fake.url + "/kapacitor/v1/config/slack/").json()
        assert slack["options"]["token"] is True and slack["redacted"] == ["url", "token"]
        httpx.post(fake.url + "/kapacitor/v1/service-tests/slack", json={})
        (got,) = slack_receiver.received
        assert got.headers["Authorization"] == "Bearer xoxb-1-2-abc" and "as_user" not in got.json
    with KapacitorFake() as old:
        refused = httpx.post(old.url + "/kapacitor/v1/config/slack/", json={"set": {"token": "xoxb-1"}})
        assert refused.json() == {"error": "failed to override configuration slack/: "
                                           "unknown options [token] in section slack"}
