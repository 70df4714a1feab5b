"""One small case per handler of the catalog: what a person types for it, where its alerts go
on 127.0.0.1, and what must arrive there when Kapacitor sends its test alert.

Used by tests/test_handler_flows.py for both the TUI and the command line, so the two paths
are held to the same receivers and the same expectations.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.receivers import HttpReceiver, MqttBroker, RawTcpListener, SensuReceiver, SmtpReceiver, SnmpTrapReceiver
from wizard.handlers.registry import HANDLERS, TEST_MESSAGE, HandlerSpec
from wizard.handlers.service_tests import MQTT_TEST_TOPIC, TEST_TITLE


@dataclass
class Receivers:
    """One receiver of each kind; shared by the tests of a module and emptied before each."""

    http: HttpReceiver = field(default_factory=HttpReceiver)
    smtp: SmtpReceiver = field(default_factory=SmtpReceiver)
    traps: SnmpTrapReceiver = field(default_factory=SnmpTrapReceiver)
    sensu: SensuReceiver = field(default_factory=SensuReceiver)
    kafka: RawTcpListener = field(default_factory=RawTcpListener)
    mqtt: MqttBroker = field(default_factory=MqttBroker)

    def clear(self) -> None:
        self.http.reset()
        self.smtp.mails.clear()
        self.traps.traps.clear()
        self.sensu.received.clear()
        self.kafka.first_bytes.clear()
        self.mqtt.packets.clear()

    def close(self) -> None:
        for receiver in (self.http, self.smtp, self.traps, self.sensu, self.kafka, self.mqtt):
            receiver.close()


def _posted(r: Receivers, path: str) -> Any:
    """The one request Kapacitor's test made to `path` on the HTTP receiver."""
    found = [x for x in r.http.received if x.path == path]
    assert len(found) == 1, f"expected one POST to {path}, got {[x.target for x in r.http.received]}"
    assert found[0].method == "POST"
    return found[0]


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass(frozen=True)
class Case:
    name: str
    values: Callable[[Receivers], dict[str, str]]
    """Option -> text as typed on the handler's steps (and given with --set on the command line)."""
    arrived: Callable[[Receivers], None]
    """Asserts what reached the receiver, waiting for receivers that get it after the answer."""
    file_values: Callable[[Receivers], dict[str, Any]] = lambda r: {}
    """kapacitor.conf values set before the wizard runs: the service's address when no step asks
    for it (PagerDuty's Events API URL): the receiver stands in for the real service there."""
    answer: tuple[int, Any] = (200, b"")
    """What the HTTP receiver answers: the status the service's success is."""

    @property
    def spec(self) -> HandlerSpec:
        return HANDLERS[self.name]


# -- what arrives, per handler ----------------------------------------------------------------

ALERTA_KEY = "FAKE-alerta-api-key"
BIGPANDA_APP_KEY = "FAKE-bigpanda-app-key"
BIGPANDA_TOKEN = "FAKE-bigpanda-token"
DISCORD_HOOK = "/discord/api/webhooks/1234/FAKE-discord-webhook-token"
HTTPPOST_HEADER = "FAKE-httppost-header-token"
OPSGENIE_KEY = "0fa4e000-0000-4000-8000-0000000000a1"  # Opsgenie keys are UUIDs
OPSGENIE2_KEY = "0fa4e000-0000-4000-8000-0000000000a2"
PAGERDUTY_KEY = "FAKEpagerdutyv1servicekey0000001"  # 32 letters and digits
PAGERDUTY2_KEY = "FAKEpagerdutyv2routingkey0000002"
PUSHOVER_TOKEN = "FAKEpushoverapplicationtoken00"  # 30 letters and digits
PUSHOVER_USER = "FAKEpushoveruserkey00000000000"
SERVICENOW_PASSWORD = "FAKE-servicenow-password"
SMTP_PASSWORD = "FAKE-smtp-password"
COMMUNITY = "FAKE-community"
TALK_HOOK = "/talk/v1/services/webhook/FAKE-talk-webhook-token"
TEAMS_HOOK = "/teams/webhookb2/FAKE-teams-webhook-token"
VICTOROPS_KEY = "FAKE-victorops-api-key"
ZENOSS_PASSWORD = "FAKE-zenoss-password"


def _alerta(r: Receivers) -> None:
    sent = _posted(r, "/alerta/api/alert")
    assert sent.headers["Authorization"] == f"Key {ALERTA_KEY}"
    assert (sent.json["resource"], sent.json["event"], sent.json["environment"]) == ("kapacitor-wizard", "test", "Production")
    assert sent.json["text"] == TEST_MESSAGE


def _bigpanda(r: Receivers) -> None:
    sent = _posted(r, "/bigpanda/data/v2/alerts")
    assert sent.headers["Authorization"] == f"Bearer {BIGPANDA_TOKEN}"
    assert sent.json["description"] == TEST_MESSAGE
    assert sent.json["app_key"] == BIGPANDA_APP_KEY  # the configured integration, not Kapacitor's sample 012345


def _discord(r: Receivers) -> None:
    sent = _posted(r, DISCORD_HOOK)
    assert sent.json["embeds"][0]["description"] == TEST_MESSAGE


def _httppost(r: Receivers) -> None:
    sent = _posted(r, "/httppost/alerts")
    assert sent.json["level"] == "OK"  # Kapacitor's sample alert, at the endpoint's own URL


def _kafka(r: Receivers) -> None:
    assert r.kafka.wait_for(lambda: r.kafka.first_bytes != []), "no connection reached the Kafka listener"
    assert b"kapacitor-wizard-test" in r.kafka.first_bytes[0]  # the wizard's test topic


def _mqtt(r: Receivers) -> None:
    broker = r.mqtt
    assert broker.wait_for(lambda: any(p.kind == "PUBLISH" for p in broker.packets)), "no PUBLISH reached the broker"
    (publish,) = [p for p in broker.packets if p.kind == "PUBLISH"]
    assert (publish.fields["topic"], publish.fields["payload"]) == (MQTT_TEST_TOPIC, TEST_MESSAGE)


def _opsgenie(r: Receivers) -> None:
    sent = _posted(r, "/opsgenie/v1/json/alert/")
    assert (sent.json["apiKey"], sent.json["teams"], sent.json["message"]) == (OPSGENIE_KEY, ["ops"], TEST_MESSAGE)


def _opsgenie2(r: Receivers) -> None:
    sent = _posted(r, "/opsgenie/v2/alerts")
    assert sent.headers["Authorization"] == f"GenieKey {OPSGENIE2_KEY}"
    assert sent.json["message"] == TEST_MESSAGE
    assert sent.json["responders"] == [{"name": "ops", "type": "team"}]


def _pagerduty(r: Receivers) -> None:
    sent = _posted(r, "/pagerduty/create_event.json")
    assert (sent.json["service_key"], sent.json["event_type"]) == (PAGERDUTY_KEY, "trigger")


def _pagerduty2(r: Receivers) -> None:
    sent = _posted(r, "/pagerduty/v2/enqueue")
    assert (sent.json["routing_key"], sent.json["event_action"]) == (PAGERDUTY2_KEY, "trigger")


def _pushover(r: Receivers) -> None:
    form = parse_qs(_posted(r, "/pushover/1/messages.json").body_raw.decode())
    assert (form["token"], form["user"], form["message"]) == ([PUSHOVER_TOKEN], [PUSHOVER_USER], [TEST_MESSAGE])


def _sensu(r: Receivers) -> None:
    assert r.sensu.wait_for(lambda: r.sensu.received != []), "nothing reached the sensu socket"
    (line,) = r.sensu.received
    result = json.loads(line)
    assert (result["name"], result["output"]) == ("kapacitor-wizard-test", TEST_MESSAGE)
    assert result["handlers"] == ["default"]  # configured; the test's source is Kapacitor's own "Kapacitor"


def _servicenow(r: Receivers) -> None:
    sent = _posted(r, "/servicenow/api/global/em/jsonv2")
    assert sent.headers["Authorization"] == _basic("kapacitor", SERVICENOW_PASSWORD)
    assert sent.json["records"][0]["description"] == TEST_MESSAGE


def _smtp(r: Receivers) -> None:
    sink = r.smtp
    assert sink.wait_for(lambda: any(m.data is not None for m in sink.mails)), "no mail reached the SMTP sink"
    (mail,) = sink.mails
    assert (mail.mail_from, mail.rcpt_to) == ("kapacitor@example.com", ["oncall@example.com"])
    assert mail.auth_plain == ["", "kapacitor", SMTP_PASSWORD]
    assert mail.headers["Subject"] == TEST_TITLE and TEST_MESSAGE in mail.body


def _snmptrap(r: Receivers) -> None:
    assert r.traps.wait_for(lambda: r.traps.traps != []), "no trap datagram arrived"
    (trap,) = r.traps.traps
    assert trap.community == COMMUNITY


def _talk(r: Receivers) -> None:
    sent = _posted(r, TALK_HOOK)
    assert sent.json == {"authorName": "Kapacitor", "text": TEST_MESSAGE, "title": TEST_TITLE}


def _teams(r: Receivers) -> None:
    sent = _posted(r, TEAMS_HOOK)
    assert sent.json["@type"] == "MessageCard" and sent.json["text"] == TEST_MESSAGE


def _victorops(r: Receivers) -> None:
    sent = _posted(r, f"/victorops/alert/{VICTOROPS_KEY}/ops-team")
    assert sent.json["state_message"] == TEST_MESSAGE


def _zenoss(r: Receivers) -> None:
    sent = _posted(r, "/zenoss/zport/dmd/evconsole_router")
    assert sent.headers["Authorization"] == _basic("kapacitor", ZENOSS_PASSWORD)
    assert sent.json["data"][0]["summary"] == TEST_MESSAGE


CASES: dict[str, Case] = {c.name: c for c in (
    Case("alerta", lambda r: {"url": r.http.url + "/alerta/api", "token": ALERTA_KEY, "token-prefix": "Key",
                              "environment": "Production"}, _alerta, answer=(201, {"status": "ok"})),
    Case("bigpanda", lambda r: {"app-key": BIGPANDA_APP_KEY, "token": BIGPANDA_TOKEN,
                                "url": r.http.url + "/bigpanda/data/v2/alerts"}, _bigpanda, answer=(201, {"status": "created"})),
    Case("discord", lambda r: {"url": r.http.url + DISCORD_HOOK, "username": "Kapacitor wizard"}, _discord, answer=(204, b"")),
    Case("httppost", lambda r: {"url": r.http.url + "/httppost/alerts", "headers": f"X-Token={HTTPPOST_HEADER}"}, _httppost),
    Case("kafka", lambda r: {"brokers": r.kafka.address}, _kafka),
    Case("mqtt", lambda r: {"url": r.mqtt.url}, _mqtt),
    Case("opsgenie", lambda r: {"api-key": OPSGENIE_KEY, "teams": "ops"}, _opsgenie,
         file_values=lambda r: {"url": r.http.url + "/opsgenie/v1/json/alert"}),
    Case("opsgenie2", lambda r: {"api-key": OPSGENIE2_KEY, "url": r.http.url + "/opsgenie/v2/alerts", "teams": "ops"},
         _opsgenie2, answer=(202, {"result": "Request will be processed"})),
    Case("pagerduty", lambda r: {"service-key": PAGERDUTY_KEY}, _pagerduty,
         file_values=lambda r: {"url": r.http.url + "/pagerduty/create_event.json"}),
    Case("pagerduty2", lambda r: {"routing-key": PAGERDUTY2_KEY}, _pagerduty2,
         file_values=lambda r: {"url": r.http.url + "/pagerduty/v2/enqueue"}, answer=(202, {"status": "success"})),
    Case("pushover", lambda r: {"user-key": PUSHOVER_USER, "token": PUSHOVER_TOKEN}, _pushover,
         file_values=lambda r: {"url": r.http.url + "/pushover/1/messages.json"}, answer=(200, {"status": 1})),
    Case("sensu", lambda r: {"addr": r.sensu.address, "source": "kapacitor-wizard", "handlers": "default"}, _sensu),
    Case("servicenow", lambda r: {"url": r.http.url + "/servicenow/api/global/em/jsonv2", "username": "kapacitor",
                                  "password": SERVICENOW_PASSWORD}, _servicenow),
    Case("smtp", lambda r: {"host": "127.0.0.1", "port": str(r.smtp.port), "username": "kapacitor",
                            "password": SMTP_PASSWORD, "from": "kapacitor@example.com", "to": "oncall@example.com"}, _smtp),
    Case("snmptrap", lambda r: {"addr": r.traps.address, "community": COMMUNITY}, _snmptrap),
    Case("talk", lambda r: {"url": r.http.url + TALK_HOOK, "author_name": "Kapacitor"}, _talk),
    Case("teams", lambda r: {"channel-url": r.http.url + TEAMS_HOOK}, _teams),
    Case("victorops", lambda r: {"api-key": VICTOROPS_KEY, "routing-key": "ops-team"}, _victorops,
         file_values=lambda r: {"url": r.http.url + "/victorops/alert"}),
    Case("zenoss", lambda r: {"url": r.http.url + "/zenoss/zport/dmd/evconsole_router", "username": "kapacitor",
                              "password": ZENOSS_PASSWORD}, _zenoss, answer=(200, {"result": {"success": True}})),
)}


def secrets_of(case: Case, values: dict[str, str]) -> list[str]:
    """The secret texts of a case, which must never show on screen or in the output."""
    return [text for name, text in values.items() if case.spec.option(name).secret]
