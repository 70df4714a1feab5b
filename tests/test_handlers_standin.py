"""Conformance of the Kapacitor stand-in with the exchanges recorded from a real Kapacitor 1.8.3 for
the 19 other alert-handler sections (``tests/data/kapacitor-api/1.8.3/handlers/``, copied from
``shared/kapacitor-api/handlers``), plus the stand-in API other tests use for them.

Every recorded step of every file is replayed, in order, against a fresh stand-in.  Addresses that
pointed at the recording's fake services are rewritten to local receivers at the same roles (an
HTTP receiver, an SMTP sink, a UDP trap receiver, a sensu socket, a raw TCP listener for Kafka, MQTT
brokers), which answer what the recorded fakes answered; every other recorded port becomes a port
where nothing listens.  Status, body and what reached the receiver are compared, with ports and
values that differ per run (timestamps, dates, request ids) masked.
"""
from __future__ import annotations

import filecmp
import json
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from tests.fakes.kapacitor import KapacitorFake
from tests.fakes.receivers import (
    HttpReceiver,
    MqttBroker,
    RawTcpListener,
    SensuReceiver,
    SmtpReceiver,
    SnmpTrapReceiver,
)

HANDLERS_DIR = Path(__file__).resolve().parent / "data" / "kapacitor-api" / "1.8.3" / "handlers"
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared" / "kapacitor-api" / "handlers"
FILES = sorted(HANDLERS_DIR.glob("*.json"))

# Recorded steps the stand-in does not replay, with the reason.
NOT_REPLAYED: dict[tuple[str, int], str] = {
    ("mqtt", 34): "a QoS 1 test whose PUBACK never comes: the real server never answers (the recorder gave up "
                  "after 10 s); the stand-in gives up with an error instead of hanging",
}
# Recorded ports of the fakes that were not HTTP servers, and the receiver that plays each one.
# (HTTP fakes are found from the Host header of what they received.)
LIVE_PORTS: dict[str, dict[str, str]] = {
    "smtp": {"45647": "smtp"},
    "sensu": {"39985": "sensu"},
    "snmptrap": {"37614": "udp"},
    "kafka": {"41125": "raw"},
    "mqtt": {"36181": "mqtt", "36379": "mqtt_silent"},
}
_PORT = re.compile(r"127\.0\.0\.1:\d+")
# Values that differ on every run: times, dates and SNMP request ids.
_VOLATILE = [
    (re.compile(r'"timestamp":\s?\d{9,}'), '"timestamp":<unix>'),
    (re.compile(r'"timestamp":\s?"20\d\d-[^"]*"'), '"timestamp":"<now>"'),
]


def _mask(text: str) -> str:
    text = _PORT.sub("127.0.0.1:<port>", text)
    text = re.sub(r'"port": ?\d{4,5}\b', '"port":<port>', text)
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


@dataclass
class Receivers:
    http: HttpReceiver
    smtp: SmtpReceiver
    udp: SnmpTrapReceiver
    sensu: SensuReceiver
    raw: RawTcpListener
    mqtt: MqttBroker
    mqtt_silent: MqttBroker

    def close(self) -> None:
        for receiver in (self.http, self.smtp, self.udp, self.sensu, self.raw, self.mqtt, self.mqtt_silent):
            receiver.close()


@pytest.fixture
def receivers() -> Iterator[Receivers]:
    silent = MqttBroker()
    silent.connack_code = None  # closes without answering the CONNECT
    found = Receivers(HttpReceiver(), SmtpReceiver(), SnmpTrapReceiver(), SensuReceiver(), RawTcpListener(),
                      MqttBroker(), silent)
    yield found
    found.close()


@dataclass
class Replayer:
    name: str
    receivers: Receivers
    fake: KapacitorFake = field(default_factory=lambda: KapacitorFake(version="1.8.3"))
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.client = httpx.Client(timeout=20)
        self.ports = self._port_map()

    def close(self) -> None:
        self.client.close()
        self.fake.close()

    def _port_map(self) -> dict[str, str]:
        live = {role: str(getattr(self.receivers, role).port) for role in
                ("http", "smtp", "udp", "sensu", "raw", "mqtt", "mqtt_silent")}
        mapping = {port: live[role] for port, role in LIVE_PORTS.get(self.name, {}).items()}
        for step in _load(self.name)["steps"]:
            for sent in step.get("sent_to_fake_service") or []:
                host = sent.get("headers", {}).get("Host", "")
                if host.startswith("127.0.0.1:"):
                    mapping[host.split(":")[1]] = live["http"]
        return mapping

    def rewrite(self, text: str) -> str:
        """Recorded fake ports become the receivers' ports; other ports (>= 1024) a dead one."""

        def repl(match: re.Match[str]) -> str:
            port = match.group(0)
            if port not in self.ports:
                self.ports[port] = _free_port()
            return self.ports[port]

        text = re.sub(r"(?<=127\.0\.0\.1:)\d+", repl, text)
        return re.sub(r'(?<="port": )\d{4,5}\b', repl, text)  # smtp's port option

    # ------------------------------------------------------------- replaying

    def replay(self) -> None:
        for index, step in enumerate(_load(self.name)["steps"]):
            if (self.name, index) in NOT_REPLAYED:
                continue
            label = f"{self.name} step {index}"
            if "request" not in step:
                self.handle_note(label, step["note"])
                continue
            problems = self.replay_step(step)
            if problems:
                label += f" {step['request']['method']} {step['request']['path']} ({step.get('note')})"
                self.failures.append(label + ":\n    " + "\n    ".join(problems))

    def handle_note(self, label: str, note: str) -> None:
        if "REFUSES TO START" in note:
            try:
                self.fake.restart()
            except ValueError as exc:
                if "failed to apply config overrides" not in str(exc):
                    self.failures.append(f"{label}: restart failed with {exc}")
                self.fake.restart(skip_config_overrides=True)  # starts with the file alone
            else:
                self.failures.append(f"{label}: restart succeeded on a poisoned store")
        elif "reconnected" in note:
            broker = self.receivers.mqtt
            connects = sum(p.kind == "CONNECT" for p in broker.packets)
            broker.drop_clients()
            if not broker.wait_for(lambda: sum(p.kind == "CONNECT" for p in broker.packets) > connects):
                self.failures.append(f"{label}: the MQTT client did not reconnect")
        else:
            raise AssertionError(f"{label}: unhandled note {note!r}")

    def prepare(self, sent: list[dict[str, Any]]) -> None:
        r = self.receivers
        r.http.received.clear()
        r.smtp.mails.clear()
        r.udp.traps.clear()
        r.sensu.received.clear()
        r.raw.first_bytes.clear()
        r.mqtt.packets.clear()
        r.mqtt_silent.packets.clear()
        for entry in sent:
            answered = entry.get("fake_service_answered") or {}
            transport = entry.get("transport")
            if transport is None:
                r.http.set_answer(answered["status"], answered["body"], answered["content_type"])
            elif transport == "smtp":
                r.smtp.rcpt_reply, r.smtp.auth_reply = answered["rcpt_reply"], answered["auth_reply"]
            elif transport == "tcp" and "bytes" in answered and self.name == "sensu":
                r.sensu.answer = answered["bytes"].encode()
            elif transport == "mqtt" and answered.get("packet") == "CONNACK":
                r.mqtt.connack_code = answered["return_code"]

    def replay_step(self, step: dict[str, Any]) -> list[str]:
        request, expected = step["request"], step["response"]
        sent = step.get("sent_to_fake_service")
        content = self.rewrite(json.dumps(request["body"])).encode() if "body" in request else None
        self.prepare(sent or [])
        problems: list[str] = []
        try:
            response = self.client.request(request["method"], self.fake.url + request["path"], content=content,
                                           headers=request.get("headers", {}))
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            if "status" in expected:
                problems.append(f"no HTTP response ({exc!r}), expected {expected['status']}")
            response = None
        if response is not None:
            problems += self.compare_response(expected, response)
        if sent is not None:
            problems += self.compare_sent(sent)
        return problems

    @staticmethod
    def compare_response(expected: dict[str, Any], response: httpx.Response) -> list[str]:
        if "status" not in expected:
            return [f"expected no HTTP response, got {response.status_code} {response.text!r}"]
        problems = []
        if response.status_code != expected["status"]:
            problems.append(f"status {response.status_code}, expected {expected['status']}: {response.text!r}")
        for name in ("Content-Type", "X-Kapacitor-Version"):
            if response.headers.get(name) != expected["headers"].get(name):
                problems.append(f"{name} {response.headers.get(name)!r}, expected {expected['headers'].get(name)!r}")
        if "body_raw" in expected:
            if _mask(response.text) != _mask(expected["body_raw"]):
                problems.append(f"body {response.text!r}\n    expected {expected['body_raw']!r}")
        elif expected["body"] is None:
            if response.content:
                problems.append(f"body {response.text!r}, expected none")
        else:
            # Dumped in received order: key order is part of what is compared.
            got, want = json.dumps(response.json()), json.dumps(expected["body"])
            if _mask(got) != _mask(want):
                problems.append(f"body {got}\n    expected {want}")
            elif got == want and response.headers.get("Content-Length") != expected["headers"].get("Content-Length"):
                problems.append(f"Content-Length {response.headers.get('Content-Length')}, "
                                f"expected {expected['headers'].get('Content-Length')}")
        return problems

    # ------------------------------------------------------------ what was sent

    def compare_sent(self, sent: list[dict[str, Any]]) -> list[str]:
        transport = next((e.get("transport") for e in sent), None)
        if not sent:
            return self.nothing_sent()
        if transport is None:
            return self.compare_http(sent)
        return {"smtp": self.compare_smtp, "udp": self.compare_udp, "mqtt": self.compare_mqtt,
                "tcp": self.compare_tcp}[transport](sent)

    def nothing_sent(self) -> list[str]:
        r = self.receivers
        got = {"http": len(r.http.received), "smtp": len(r.smtp.mails), "udp": len(r.udp.traps),
               "sensu": len(r.sensu.received), "raw": len(r.raw.first_bytes),
               "mqtt": len(r.mqtt.packets) + len(r.mqtt_silent.packets)}
        return [f"expected nothing sent, got {got}"] if any(got.values()) else []

    def compare_http(self, sent: list[dict[str, Any]]) -> list[str]:
        received = self.receivers.http.received
        if len(received) != len(sent):
            return [f"{len(received)} requests reached the receiver, expected {len(sent)}: {[r.target for r in received]}"]
        problems = []
        for got, want in zip(received, sent):
            if (got.method, got.target) != (want["method"], want["path"]):
                problems.append(f"sent {got.method} {got.target}, expected {want['method']} {want['path']}")
            body, expected_body = got.body_raw.decode(), want["body_raw"]
            if _mask(body) != _mask(expected_body):
                problems.append(f"sent body {body!r}\n    expected {expected_body!r}")
            names = {"Content-Type", "User-Agent", "Accept-Encoding", "Authorization", "Accept"}
            names |= set(want["headers"]) - {"Host", "Content-Length"}
            if body == expected_body:
                names.add("Content-Length")
            for name in sorted(names):
                if got.headers.get(name) != want["headers"].get(name):
                    problems.append(f"sent {name} {got.headers.get(name)!r}, expected {want['headers'].get(name)!r}")
        return problems

    def compare_smtp(self, sent: list[dict[str, Any]]) -> list[str]:
        sink = self.receivers.smtp
        if not sink.wait_for(lambda: len(sink.mails) >= len(sent)) or len(sink.mails) != len(sent):
            return [f"{len(sink.mails)} SMTP sessions, expected {len(sent)}"]
        problems = []
        for got, want in zip(sink.mails, sent):
            lines = [line[3:] for line in want["transcript"] if line.startswith("C: ")]
            mail_from = next((l.split(":", 1)[1].split(">")[0].lstrip("<") for l in lines if l.startswith("MAIL")), "")
            rcpt = [l.split(":", 1)[1].split(">")[0].lstrip("<") for l in lines if l.startswith("RCPT")]
            expected = {"connection": want["connection"], "auth": want.get("auth_plain_decoded"),
                        "from": mail_from, "to": rcpt}
            actual = {"connection": got.connection, "auth": got.auth_plain, "from": got.mail_from, "to": got.rcpt_to}
            if "message" in want:
                expected["headers"] = {k: v for k, v in want["message"]["headers"].items() if k != "Date"}
                expected["body"] = want["message"]["body"]
                actual["headers"] = {k: v for k, v in got.headers.items() if k != "Date"}
                actual["body"] = got.body
            if actual != expected:
                problems.append(f"mail {actual}\n    expected {expected}")
        return problems

    def compare_udp(self, sent: list[dict[str, Any]]) -> list[str]:
        receiver = self.receivers.udp
        if not receiver.wait_for(lambda: len(receiver.traps) >= len(sent)):
            return [f"{len(receiver.traps)} traps, expected {len(sent)}"]
        problems = []
        for got, want in zip(receiver.traps, sent):
            decoded = want["decoded"]
            expected = (decoded["community"], [(v["oid"], v["type"], v["value"]) for v in decoded["varbinds"]])
            actual = (got.community, got.varbinds)
            if actual != expected:
                problems.append(f"trap {actual}\n    expected {expected}")
        return problems

    def compare_tcp(self, sent: list[dict[str, Any]]) -> list[str]:
        if self.name == "sensu":
            receiver = self.receivers.sensu
            if not receiver.wait_for(lambda: len(receiver.received) >= len(sent)):
                return ["nothing reached the sensu socket"]
            got = [r.decode() for r in receiver.received]
            want = [e["body_raw"] for e in sent]
            return [] if got == want else [f"sent {got}\n    expected {want}"]
        if self.name == "kafka":
            receiver = self.receivers.raw
            if not receiver.wait_for(lambda: len(receiver.first_bytes) >= 1):
                return ["nothing reached the Kafka listener"]
            # The real client retries on new connections; only the first request is compared.
            got = receiver.first_bytes[0].hex()
            want = sent[0]["first_bytes_hex"]
            return [] if got == want else [f"sent {got}\n    expected {want}"]
        # mqtt against a listener that closes without answering: CONNECT, then the 3.1 retry.
        receiver = self.receivers.mqtt_silent
        receiver.wait_for(lambda: len(receiver.packets) >= len(sent))
        got = [p.raw.hex() for p in receiver.packets]
        want = [e["first_bytes_hex"] for e in sent]
        return [] if got == want else [f"sent {got}\n    expected {want}"]

    def compare_mqtt(self, sent: list[dict[str, Any]]) -> list[str]:
        broker = self.receivers.mqtt
        if not broker.wait_for(lambda: len(broker.packets) >= len(sent)):
            return [f"{len(broker.packets)} MQTT packets, expected {len(sent)}"]
        got = [(p.kind, p.raw.hex()) for p in broker.packets]
        want = [(e["packet"], e["hex"]) for e in sent]
        return [] if got == want else [f"sent {got}\n    expected {want}"]


def _load(name: str) -> dict[str, Any]:
    return json.loads((HANDLERS_DIR / f"{name}.json").read_text())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_recorded_handler_exchanges(path: Path, receivers: Receivers) -> None:
    replayer = Replayer(path.stem, receivers)
    try:
        replayer.replay()
    finally:
        replayer.close()
    assert not replayer.failures, "\n".join(replayer.failures)


@pytest.mark.parametrize("key", sorted(NOT_REPLAYED), ids=lambda k: f"{k[0]}-step{k[1]}")
def test_not_replayed_step(key: tuple[str, int]) -> None:
    pytest.skip(NOT_REPLAYED[key])


def test_every_handler_section_has_its_recording() -> None:
    names = {p.stem for p in FILES}
    assert len(names) == 19 and {"smtp", "mqtt", "kafka", "snmptrap", "zenoss"} <= names


@pytest.mark.skipif(not SHARED_DIR.is_dir(), reason="no shared recordings beside this checkout to compare with")
def test_copied_handler_recordings_equal_the_shared_ones() -> None:
    shared = sorted(p.name for p in SHARED_DIR.iterdir() if p.is_file())
    assert sorted(p.name for p in HANDLERS_DIR.iterdir()) == shared
    _, mismatch, errors = filecmp.cmpfiles(HANDLERS_DIR, SHARED_DIR, shared, shallow=False)
    assert (mismatch, errors) == ([], [])


# ------------------------------------------- listings of a fresh server, both versions

LISTINGS = [
    ("1.5.7", "02-config-get-all", 0, "sections"),
    ("1.8.3", "02-config-get-all", 0, "sections"),
    ("1.8.3", "19-redaction-all-sections", 0, "sections"),
    ("1.5.7", "04-service-tests-list", 0, "services"),
    ("1.8.3", "04-service-tests-list", 0, "services"),
]
# The 1.5.7 server of 02-config-get-all ran with a kapacitor.conf whose httppost url was 127.0.0.1:9.
LISTING_FILE_VALUES = {("1.5.7", "02-config-get-all"): {"httppost": {"url": "http://127.0.0.1:9/"}}}


@pytest.mark.parametrize(("version", "scenario", "index", "kind"), LISTINGS, ids=lambda v: str(v))
def test_fresh_listing_matches_the_recording_for_every_handler_section(version: str, scenario: str, index: int,
                                                                       kind: str) -> None:
    """GET /config and GET /service-tests on a fresh server: options, defaults, redaction and test
    options of every handler section the version has (and none it lacks)."""
    step = json.loads((HANDLERS_DIR.parents[1] / version / f"{scenario}.json").read_text())["steps"][index]
    with KapacitorFake(version=version) as fake:
        for section, values in LISTING_FILE_VALUES.get((version, scenario), {}).items():
            fake.set_file_values(section, values, "example" if section == "httppost" else "")
        served = set(fake.handlers.sections)
        got = httpx.get(fake.url + step["request"]["path"]).json()
    if kind == "sections":
        want = {k: v for k, v in step["response"]["body"]["sections"].items() if k in SECTIONS_ALL}
        got = {k: v for k, v in got["sections"].items() if k in served}
    else:
        want = {s["name"]: s for s in step["response"]["body"]["services"] if s["name"] in SECTIONS_ALL}
        got = {s["name"]: s for s in got["services"] if s["name"] in served}
        for name in ("bigpanda",):  # its default timestamp is the time of the request
            for listing in (want, got):
                if name in listing:
                    listing[name]["options"]["timestamp"] = "<now>"
    assert set(got) == set(want)
    for name in sorted(want):
        assert json.dumps(got[name]) == json.dumps(want[name]), name


SECTIONS_ALL = {p.stem for p in FILES}


# ------------------------------------------------- the stand-in API other tests use


def _test(fake: KapacitorFake, name: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    return httpx.post(f"{fake.url}/kapacitor/v1/service-tests/{name}", json=options or {}).json()


def _set(fake: KapacitorFake, path: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{fake.url}/kapacitor/v1/config/{path}", json=body)


def test_file_values_point_smtp_at_the_sink_and_the_mail_arrives() -> None:
    with KapacitorFake(version="1.8.3") as fake, SmtpReceiver() as sink:
        fake.set_file_values("smtp", {"enabled": True, "host": "127.0.0.1", "port": sink.port,
                                      "from": "kapacitor@example.com", "to": ["oncall@example.com"],
                                      "username": "kapacitor", "password": "FAKE-pass"})
        assert _test(fake, "smtp", {"subject": "Wizard test"}) == {"success": True, "message": ""}
        (mail,) = sink.mails
        assert (mail.mail_from, mail.rcpt_to, mail.auth_plain) == (
            "kapacitor@example.com", ["oncall@example.com"], ["", "kapacitor", "FAKE-pass"])
        assert mail.headers["Subject"] == "Wizard test" and mail.body == "test body\r\n"
        sink.close()  # the SMTP server goes away: Kapacitor still reports success
        fake.restart()
        assert _test(fake, "smtp") == {"success": True, "message": ""}


def test_snmptrap_sensu_and_kafka_reach_their_receivers() -> None:
    with KapacitorFake(version="1.8.3") as fake, SnmpTrapReceiver() as traps, SensuReceiver() as sensu, \
            RawTcpListener() as kafka:
        fake.set_file_values("snmptrap", {"enabled": True, "addr": traps.address, "community": "FAKE-community"})
        fake.set_file_values("sensu", {"enabled": True, "addr": sensu.address})
        fake.set_file_values("kafka", {"enabled": True, "brokers": [kafka.address]})
        assert _test(fake, "snmptrap", {"trap-oid": "1.3.6.1.4.1.1.1"})["success"]
        assert traps.wait_for(lambda: len(traps.traps) == 1)
        assert (traps.traps[0].community, traps.traps[0].trap_oid) == ("FAKE-community", "1.3.6.1.4.1.1.1")
        assert _test(fake, "sensu") == {"success": True, "message": ""}
        assert json.loads(sensu.received[0])["name"] == "testName"
        sensu.answer = b"ok\n"
        assert _test(fake, "sensu") == {"success": False, "message": "sensu socket error: ok\n"}
        assert _test(fake, "kafka", {"cluster": "default", "topic": "alerts"})["success"]
        assert kafka.wait_for(lambda: kafka.first_bytes != [])
        assert b"alerts" in kafka.first_bytes[0]


def test_mqtt_connects_during_the_update_and_publishes_on_test() -> None:
    with KapacitorFake(version="1.8.3") as fake, MqttBroker() as broker:
        down = f"tcp://127.0.0.1:{_free_port()}"
        response = _set(fake, "mqtt/default", {"set": {"enabled": True, "url": down}})
        assert response.status_code == 500 and "network Error : dial tcp" in response.json()["error"]
        assert _set(fake, "mqtt/default", {"set": {"enabled": True, "url": broker.url}}).status_code == 204
        assert [p.kind for p in broker.packets] == ["CONNECT"]
        assert _test(fake, "mqtt", {"topic": "alerts", "qos": "at-least-once"}) == {"success": True, "message": ""}
        assert broker.wait_for(lambda: len(broker.packets) == 2)
        assert broker.packets[1].fields["topic"] == "alerts" and broker.packets[1].fields["qos"] == 1
        bad = httpx.post(f"{fake.url}/kapacitor/v1/service-tests/mqtt", json={"topic": "a", "qos": "exactly-once"})
        assert (bad.status_code, bad.json()["error"]) == (400, "failed to decode JSON body:invalid QoS")


def test_a_poisoned_store_breaks_reads_and_the_next_start_until_repaired() -> None:
    with KapacitorFake(version="1.8.3") as fake:
        assert _set(fake, "smtp/", {"set": {"port": 25.5}}).status_code == 204
        for path in ("", "/slack", "/smtp/"):
            response = httpx.get(f"{fake.url}/kapacitor/v1/config{path}")
            assert response.status_code == 500
            assert response.json()["error"].startswith("failed to resolve current config:")
        assert _set(fake, "slack/", {"set": {"channel": "#x"}}).status_code == 400
        with pytest.raises(ValueError, match="failed to apply config overrides"):
            fake.restart()
        fake.restart(skip_config_overrides=True)
        assert _set(fake, "smtp/", {"delete": ["port"]}).status_code == 204
        fake.restart()
        assert httpx.get(f"{fake.url}/kapacitor/v1/config/smtp/").json()["options"]["port"] == 25


def test_a_removed_discord_workspace_answers_until_restart() -> None:
    with KapacitorFake(version="1.8.3") as fake, HttpReceiver() as discord:
        discord.set_answer(204)
        add = {"add": {"workspace": "ops", "enabled": True, "url": discord.url + "/api/webhooks/1/x"}}
        assert _set(fake, "discord", add).status_code == 204
        with pytest.raises(httpx.RemoteProtocolError):  # adding it again: no answer at all
            _set(fake, "discord", add)
        assert _set(fake, "discord", {"remove": ["ops"]}).status_code == 204
        assert _test(fake, "discord", {"workspace": "ops"}) == {"success": True, "message": ""}
        fake.restart()
        assert _test(fake, "discord", {"workspace": "ops"}) == {"success": False, "message": "workspace id not found"}


def test_version_157_has_only_its_sections_and_options() -> None:
    with KapacitorFake(version="1.5.7") as fake:
        assert httpx.get(f"{fake.url}/kapacitor/v1/config/bigpanda").status_code == 404
        assert httpx.get(f"{fake.url}/kapacitor/v1/service-tests/zenoss").status_code == 404
        response = _set(fake, "kafka/default", {"set": {"SASLAuth": {"SASLUsername": "x"}}})
        assert response.json() == {"error": "failed to override configuration kafka/default: "
                                            "unknown options [SASLAuth] in section kafka"}
        options = httpx.get(f"{fake.url}/kapacitor/v1/service-tests/alerta").json()["options"]
        assert "correlate" not in options and "attributes" not in options
