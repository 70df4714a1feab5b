"""The other 19 handler definitions against what a fresh Kapacitor 1.8.3 answers, their
validators against the values Kapacitor accepts and then fails on, and their secrets
against every text the plan shows."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wizard.handlers.registry import HANDLERS  # first: the catalog builds on the handler classes
from wizard.handlers.catalog import CATALOG, DOCS
from wizard.kapacitor.client import Element
from wizard.changes.plan import plan_changes
from wizard.text.secrets import Secret
from wizard.text.checks import Verdict
from wizard.text.values import as_secret, format_value, parse_text, problem

RECORDED = (
    Path(__file__).parent / "data" / "kapacitor-api" / "1.8.3" / "handlers",
    Path("/work/shared/kapacitor-api/handlers"),
)
SECTIONS = sorted(spec.section for spec in CATALOG)
BY_NAME = {spec.name: spec for spec in CATALOG}


def recording(section: str) -> dict[str, Any]:
    for folder in RECORDED:
        path = folder / f"{section}.json"
        if path.exists():
            return json.loads(path.read_text())
    pytest.skip(f"no recording of {section}")


def fresh_element(section: str) -> dict[str, Any]:
    """The first element of the first GET of the section: what a fresh server has."""
    for step in recording(section)["steps"]:
        request = step.get("request")
        if request and request["method"] == "GET" and request["path"] == f"/kapacitor/v1/config/{section}":
            return step["response"]["body"]["elements"][0]
    raise AssertionError(f"{section}: no fresh GET recorded")


def element_of(spec) -> Element:
    fresh = fresh_element(spec.section)
    return Element(spec.section, dict(fresh["options"]), frozenset(fresh["redacted"] or ()), fresh["link"]["href"])


def test_the_catalog_has_the_19_handlers_once():
    assert sorted(s.name for s in CATALOG) == [
        "alerta", "bigpanda", "discord", "httppost", "kafka", "mqtt", "opsgenie", "opsgenie2", "pagerduty",
        "pagerduty2", "pushover", "sensu", "servicenow", "smtp", "snmptrap", "talk", "teams", "victorops", "zenoss",
    ]
    assert all(HANDLERS[s.name] is s for s in CATALOG)
    assert all(s.section == s.name for s in CATALOG)


@pytest.mark.parametrize("section", SECTIONS)
def test_options_are_those_of_a_fresh_kapacitor(section):
    spec = BY_NAME[section]
    fresh = fresh_element(section)
    recorded, redacted = fresh["options"], set(fresh["redacted"] or ())
    names = [o.name for o in spec.options]
    assert len(names) == len(set(names)), "an option twice"
    assert set(names) == set(recorded), "names as Kapacitor spells them"
    for option in spec.options:
        value = recorded[option.name]
        if option.name in redacted:
            assert option.secret, f"{option.name}: Kapacitor redacts it"
            assert bool(option.default) == value, f"{option.name}: set on a fresh server?"
            continue
        assert option.default == value, f"{option.name}: default"
        if isinstance(value, dict):
            assert list(option.default) == list(value), f"{option.name}: keys in Kapacitor's order"
        expected_kind = {bool: bool, int: int, str: str, list: list, dict: dict}[option.kind]
        assert value is None and option.kind in (list, dict) or type(value) is expected_kind, option.name


@pytest.mark.parametrize(
    ("section", "key", "element"),
    [("discord", "workspace", ""), ("httppost", "endpoint", "example"), ("kafka", "id", "default"), ("mqtt", "name", "default")],
)
def test_list_sections_name_their_elements_by_key(section, key, element):
    spec = BY_NAME[section]
    assert spec.list_key == key
    fresh = fresh_element(section)
    assert fresh["options"][key] == element
    assert fresh["link"]["href"] == f"/kapacitor/v1/config/{section}/{element}"


def test_only_the_four_list_sections_have_a_key():
    assert {s.name for s in CATALOG if s.list_key} == {"discord", "httppost", "kafka", "mqtt"}


SECRETS = {
    "alerta": {"token"}, "bigpanda": {"app-key", "token"}, "discord": {"url"}, "httppost": {"headers", "basic-auth"},
    "kafka": {"SASLAuth"}, "mqtt": {"password"}, "opsgenie": {"api-key"}, "opsgenie2": {"api-key"},
    "pagerduty": {"service-key"}, "pagerduty2": {"routing-key"}, "pushover": {"token", "user-key"}, "sensu": set(),
    "servicenow": {"password"}, "smtp": {"password"}, "snmptrap": {"community"}, "talk": {"url"},
    "teams": {"channel-url"}, "victorops": {"api-key"}, "zenoss": {"password"},
}


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_secrets_include_the_ones_kapacitor_shows_in_clear(name):
    assert BY_NAME[name].secrets == SECRETS[name]


REQUIRED = {
    "alerta": {"url"}, "bigpanda": {"app-key", "token", "url"}, "discord": {"url"}, "httppost": {"url"},
    "kafka": {"brokers"}, "mqtt": {"url"}, "opsgenie": {"api-key"}, "opsgenie2": {"api-key"},
    "pagerduty": {"service-key"}, "pagerduty2": {"routing-key"}, "pushover": {"token", "user-key"}, "sensu": {"addr"},
    "servicenow": {"url"}, "smtp": {"host", "from"}, "snmptrap": {"addr"}, "talk": {"url"},
    "teams": {"channel-url"}, "victorops": {"api-key"}, "zenoss": {"url"},
}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_required_options_are_what_enabling_and_delivery_need(name):
    spec = BY_NAME[name]
    assert {o.name for o in spec.options if o.required} == REQUIRED[name]


@pytest.mark.parametrize("name", ["pagerduty", "pagerduty2", "victorops"])
def test_a_key_kapacitor_does_not_insist_on_says_so(name):
    key = next(o for o in BY_NAME[name].options if o.required and o.secret)
    assert "without it" in key.help


@pytest.mark.parametrize("spec", CATALOG, ids=lambda s: s.name)
def test_every_handler_has_steps_links_and_a_guide(spec):
    assert spec.steps, "at least one step"
    assert spec.guide_url.startswith(DOCS) and spec.guide_url.endswith("/")
    assert spec.title and spec.summary.endswith(".") and spec.test_hint
    asked = set()
    for step in spec.steps:
        assert step.title and step.body
        for name in step.options:
            spec.option(name)  # KeyError when a step asks for an option that does not exist
            asked.add(name)
        assert all(link.url.startswith(("https://", "http://")) and link.label for link in step.links)
    assert spec.steps[0].links, "the first step links to where the key or URL is made"
    assert {o.name for o in spec.options if o.required} <= asked, "every required option is asked for"
    not_asked = {o.name for o in spec.options} - asked - {"enabled", "default", spec.list_key}
    assert not_asked == set(), "every option can be set on some step"
    assert len({s.id for s in spec.steps}) == len(spec.steps)
    assert [o.name for o in spec.options if not o.help and o.name != "enabled"] == [], "help says what Kapacitor does with it"


HONEST_ABOUT = {"smtp": "smtp", "kafka": "", "httppost": "http-post", "snmptrap": "", "zenoss": "http-post", "pushover": "http-post"}


@pytest.mark.parametrize("spec", CATALOG, ids=lambda s: s.name)
def test_tests_that_prove_less_than_delivery_say_what_was_checked(spec):
    if spec.name in HONEST_ABOUT:
        assert spec.test_proves, "Kapacitor reports success without delivery"
        assert spec.direct_check == HONEST_ABOUT[spec.name]
    else:
        assert not spec.test_proves
        assert spec.direct_check in ("", "smtp", "http-post")


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("pagerduty2", {}, ".pagerDuty2()"),
        ("smtp", {"to": ["oncall@example.com"]}, ".email('oncall@example.com')"),
        ("discord", {"workspace": "ops"}, ".discord()\n.workspace('ops')"),
        ("httppost", {"endpoint": "hooks"}, ".post()\n.endpoint('hooks')"),
        ("kafka", {"id": "main"}, ".kafka()\n.cluster('main')\n.kafkaTopic('alerts')"),
        ("mqtt", {"name": "plant"}, ".mqtt('alerts/kapacitor')\n.brokerName('plant')"),
        ("victorops", {"routing-key": "db"}, ".victorOps()\n.routingKey('db')"),
    ],
)
def test_tickscript_names_the_element(name, values, expected):
    assert BY_NAME[name].tickscript(values) == expected


@pytest.mark.parametrize("spec", CATALOG, ids=lambda s: s.name)
def test_tickscript_without_values_is_a_handler_call(spec):
    assert spec.tickscript({}).startswith(".")
    assert spec.tickscript({"workspace": "it's"}).count("'") % 2 == 0 or "\\'" in spec.tickscript({"workspace": "it's"})


# -- validators ------------------------------------------------------------------------

REFUSED = [
    ("smtp", "port", "25.5", "whole number"),
    ("smtp", "port", "0", "1 to 65535"),
    ("smtp", "port", "70000", "1 to 65535"),
    ("smtp", "port", "twenty-five", "whole number"),
    ("smtp", "from", "kapacitor", "email address"),
    ("smtp", "from", "kapacitor@", "email address"),
    ("smtp", "from", "Kapacitor <kapacitor>", "email address"),
    ("smtp", "to", "ops@example.com; bob@example.com", "email address"),
    ("smtp", "to", "ops@example.com, bob", "email address"),
    ("smtp", "idle-timeout", "30", "30s"),
    ("smtp", "idle-timeout", "0s", "above zero"),
    ("alerta", "timeout", "1 minute", "10s"),
    ("alerta", "url", "alerta.example.com", "http://"),
    ("kafka", "batch-timeout", "-1s", "negative"),
    ("kafka", "brokers", "kafka1", "port"),
    ("kafka", "brokers", "kafka1:9092, tcp://kafka2:9092", "without a scheme"),
    ("kafka", "brokers", "", "at least one broker"),
    ("kafka", "SASLAuth", '{"SASLOAUTHExpiryMargin": 5000000000}', "not a number"),
    ("kafka", "SASLAuth", "sasl-username=kapacitor", "SASLUsername"),
    ("kafka", "SASLAuth", "SASLMechanism=FOO", "SASLMechanism must be one of"),
    ("kafka", "SASLAuth", "SASLMechanism=OAUTHBEARER", "SASLOAUTHClientID"),
    ("mqtt", "url", "broker.example.com:1883", "tcp://"),
    ("mqtt", "url", "tcp://broker.example.com", "needs a port"),
    ("mqtt", "url", "http://broker.example.com:1883", "tcp://"),
    ("mqtt", "url", "tcp://user:pw@broker:1883", "own fields"),
    ("sensu", "addr", "sensu-client", "needs a port"),
    ("sensu", "addr", "sensu-client:99999", "bad port"),
    ("sensu", "addr", "tcp://sensu:3030", "host:port"),
    ("sensu", "source", "my source", "letters"),
    ("snmptrap", "addr", "nms.example.com", "needs a port"),
    ("snmptrap", "addr", "::1:162", "brackets"),
    ("snmptrap", "retries", "1.5", "whole number"),
    ("opsgenie2", "recovery_action", "resolve", "notes or close"),
    ("httppost", "basic-auth", "username=kapacitor", "both"),
    ("httppost", "basic-auth", "user=x, password=y", "only username"),
    ("httppost", "headers", "Bad Header=x", "header name"),
    ("httppost", "alert-template-file", "templates/alert.tmpl", "absolute path"),
    ("httppost", "url", "https://x.example.com/{{.ID", "'}}'"),
    ("httppost", "alert-template", '{"text": "{{.Message"}', "without its '}}'"),
    ("httppost", "row-template", "{{ }}", "empty"),
    ("smtp", "to-templates", "{{ index .Tags \"owner\" @example.com", "without its '}}'"),
    ("kafka", "SASLAuth", "sasl-oauth-token-expiry-margin=10s", "SASLOAUTHExpiryMargin"),
    ("kafka", "SASLAuth", "sasl_password=x", "SASLPassword"),
    ("kafka", "SASLAuth", "Mechanism=PLAIN", "does not know"),
    ("kafka", "SASLAuth", '{"SASLOAUTHExpiryMargin": "10"}', "duration"),
    ("kafka", "SASLAuth", '{"SASLUsername": 5}', "text"),
    ("zenoss", "severity-map", "ok=Clear, fatal=Critical", "ok, info, warning and critical"),
    ("zenoss", "tid", "1.5", "whole number"),
    ("discord", "url", "discord.com/api/webhooks/1/abc", "http://"),
    ("teams", "channel-url", "", "empty"),
    ("smtp", "host", "smtp.example.com:587", "Port field"),
    ("smtp", "host", "smtp://smtp.example.com", "without smtp://"),
    ("smtp", "host", "", "empty"),
    ("pagerduty2", "routing-key", "abc def", "no spaces"),
    ("pagerduty2", "routing-key", "https://events.pagerduty.com/v2/enqueue", "URL"),
    ("pushover", "user-key", "uQiRzpo4DXghDmr9QzzfQu27cmVRs", "30 letters"),
    ("victorops", "url", "https://alert.victorops.com/integrations/generic/20131114/alert/KEY/team", "own fields"),
]


@pytest.mark.parametrize(("name", "option", "text", "says"), REFUSED, ids=lambda x: str(x)[:30])
def test_values_kapacitor_would_take_and_then_fail_on_are_refused(name, option, text, says):
    verdict = BY_NAME[name].option(option).validate(text)
    assert isinstance(verdict, Verdict)
    assert not verdict.ok
    assert says in verdict.error
    assert "\n" not in verdict.error and len(verdict.error) < 300


ACCEPTED = [
    ("smtp", "port", "587", "587"),
    ("smtp", "port", " 25 ", "25"),
    ("smtp", "from", "Kapacitor <kapacitor@example.com>", None),
    ("smtp", "to", "ops@example.com, oncall@example.org", None),
    ("smtp", "to", "", None),
    ("smtp", "idle-timeout", "1m30s", None),
    ("alerta", "timeout", "24h", None),
    ("alerta", "timeout", "0s", None),
    ("alerta", "url", "https://alerta.example.com/api", None),
    ("kafka", "timeout", "500ms", None),
    ("kafka", "brokers", "kafka1:9092, 10.0.0.2:9093, [::1]:9092", None),
    ("kafka", "SASLAuth", "SASLMechanism=SCRAM-SHA-512, SASLUsername=kapacitor, SASLPassword=p=w", None),
    ("kafka", "SASLAuth", '{"SASLMechanism": "OAUTHBEARER", "SASLOAUTHClientID": "id", "SASLOAUTHClientSecret": "s", '
                          '"SASLOAUTHExpiryMargin": "10s", "SASLOAUTHScopes": ["a"]}', None),
    ("kafka", "SASLAuth", "", None),
    ("mqtt", "url", "tcp://broker.example.com:1883", None),
    ("mqtt", "url", "ssl://[::1]:8883", None),
    ("mqtt", "url", "ws://broker.example.com:8080/mqtt", None),
    ("sensu", "addr", "sensu-client:3030", None),
    ("sensu", "source", "Kapacitor-1.8", None),
    ("snmptrap", "addr", "[2001:db8::1]:162", None),
    ("snmptrap", "addr", "localhost:162", None),
    ("opsgenie2", "recovery_action", "close", "close"),
    ("opsgenie2", "recovery_action", "Notes", "notes"),
    ("httppost", "basic-auth", "username=kapacitor, password=s3cret", None),
    ("httppost", "headers", "Authorization=Bearer abc, X-Team=ops", None),
    ("httppost", "headers", '{"X-List": "a,b"}', None),
    ("httppost", "url", "https://x.example.com/{{.ID}}", None),
    ("zenoss", "severity-map", "ok=Clear, info=Info, warning=Warning, critical=Critical", None),
    ("zenoss", "severity-map", '{"critical": 5}', None),
    ("discord", "url", "https://discord.com/api/webhooks/1/abc", None),
    ("discord", "avatar-url", "", None),
    ("smtp", "host", "smtp.example.com", None),
    ("smtp", "host", "::1", None),
    ("pushover", "token", "azGDORePK8gMaC0QOYAMyEEuzJnyUi", None),
    ("pushover", "user-key", "uQiRzpo4DXghDmr9QzzfQu27cmVRsG", None),
    ("pagerduty2", "routing-key", "0123456789abcdef0123456789abcdef", None),
    ("opsgenie2", "api-key", "eb243592-faa2-4ba2-a551-1afdf565c889", None),
    ("victorops", "url", "https://alert.victorops.com/integrations/generic/20131114/alert", None),
    ("httppost", "alert-template", '{"text": "{{ .Message }}", "id": "{{.ID}}"}', None),
    ("smtp", "to-templates", '{{ index .Tags "owner" }}@example.com', None),
]


@pytest.mark.parametrize(("name", "option", "text", "value"), ACCEPTED, ids=lambda x: str(x)[:30])
def test_good_values_are_accepted(name, option, text, value):
    spec_option = BY_NAME[name].option(option)
    verdict = spec_option.validate(text)
    assert verdict.ok, verdict.error
    assert not problem(spec_option, text), "and its kind can be read"
    if value is not None:
        assert verdict.value == value


@pytest.mark.parametrize(
    ("name", "option", "text", "says"),
    [
        ("alerta", "url", "https://alerta.example.com/api/alert", "adds /alert"),
        ("smtp", "from", "kapacitor@mailhost", "no dot"),
        ("smtp", "to", "ops@example.com, root@mailhost", "no dot"),
    ],
)
def test_doubtful_values_warn_and_are_kept(name, option, text, says):
    verdict = BY_NAME[name].option(option).validate(text)
    assert verdict.ok and says in verdict.warning


@pytest.mark.parametrize(
    ("name", "option"),
    [("discord", "url"), ("teams", "channel-url"), ("talk", "url"), ("alerta", "url"), ("bigpanda", "url"),
     ("opsgenie2", "url"), ("pagerduty2", "url"), ("pushover", "url"), ("servicenow", "url"), ("victorops", "url"),
     ("zenoss", "url")],
)
def test_plain_http_elsewhere_carries_a_secret_so_it_needs_a_yes(name, option):
    validate = BY_NAME[name].option(option).validate
    verdict = validate("http://relay.example.net:8080/hook")
    assert not verdict.ok and "unencrypted" in verdict.confirm
    assert verdict.confirmed().ok and "unencrypted" in verdict.confirmed().warning
    assert validate("http://127.0.0.1:8080/hook").ok, "Kapacitor's own machine"
    assert validate("https://relay.example.net/hook").ok


def test_a_fractional_port_is_refused_by_the_kind_too():
    port = BY_NAME["smtp"].option("port")
    assert "whole number" in problem(port, "25.5")
    assert parse_text(port, "587") == 587


ODD_TEXTS = ["", " ", "\x00", "\u202e", "é" * 5000, "{", "}", "=", ",", ":", "[", "[::1", "{\"a\": 1}", "{{", "a=b=c", "-", "1e309", "🙂"]


@pytest.mark.parametrize("spec", CATALOG, ids=lambda s: s.name)
def test_validators_never_raise(spec):
    for option in spec.options:
        for text in ODD_TEXTS:
            assert isinstance(option.validate(text), Verdict), (option.name, text)


@pytest.mark.parametrize("spec", CATALOG, ids=lambda s: s.name)
def test_defaults_read_back_as_typed(spec):
    """A default shown in a field and typed back is the same value (the form does not change what it did not touch)."""
    for option in spec.options:
        if option.secret or option.kind is bool or option.default is None:
            continue
        text = format_value(option, option.default)
        if option.kind is dict and any(not isinstance(x, str) for x in option.default.values()):
            continue  # the SASL object holds numbers and nulls: it is a secret and never pre-filled
        assert parse_text(option, text) == option.default, option.name
        if text or not option.required:  # an empty required option is asked for, not kept
            assert option.validate(text).ok, (option.name, option.validate(text).error)


# -- secrets in plans --------------------------------------------------------------------

SECRET_TEXTS = {
    "headers": "Authorization=Bearer FAKE-header-token-123",
    "basic-auth": "username=kapacitor, password=FAKE-basic-password",
    "SASLAuth": "SASLMechanism=PLAIN, SASLUsername=kapacitor, SASLPassword=FAKE-sasl-password",
    "url": "https://discord.com/api/webhooks/1/FAKE-webhook-token",
    "channel-url": "https://example.webhook.office.com/webhookb2/FAKE-teams-token",
}


def _typed_secret(option) -> tuple[Any, list[str]]:
    text = SECRET_TEXTS.get(option.name, f"FAKE-{option.name}-value-1234")
    if option.name == "url" and option.kind is str:
        text = SECRET_TEXTS["url"]
    if option.kind in (list, dict):
        value = as_secret(option, text)
        leaves = [x for x in parse_text(option, text).values() if len(x) > 8]
        return value, leaves
    return Secret(text), [text]


@pytest.mark.parametrize("spec", CATALOG, ids=lambda s: s.name)
def test_no_secret_shows_in_the_request_the_review_shows(spec):
    element = element_of(spec)
    workspace = str(element.options.get(spec.list_key, "")) if spec.list_key else ""
    for option in spec.options:
        if not option.secret:
            continue
        value, hidden = _typed_secret(option)
        plan = plan_changes(spec, element, {option.name: value}, workspace=workspace)
        shown = json.dumps(plan.request_body()) + " ".join(
            f"{c.describe_before()} {c.describe_after()}" for c in plan.changes
        ) + repr(plan.changes)
        assert [c.option for c in plan.changes] == [option.name]
        for part in hidden:
            assert part not in shown, f"{option.name} shows {part!r}"
        assert plan.request_body(reveal=True)["set"][option.name], "and it is sent"


@pytest.mark.parametrize(("section", "option"), [("discord", "url"), ("teams", "channel-url"), ("kafka", "SASLAuth")])
def test_a_secret_kapacitor_shows_in_clear_is_not_prefilled_or_echoed(section, option):
    spec = BY_NAME[section]
    element = element_of(spec)
    element.options[option] = {"SASLPassword": "FAKE-sasl-password"} if option == "SASLAuth" else "https://x.example/FAKE-clear"
    plan = plan_changes(spec, element, {option: None}, workspace=str(element.options.get(spec.list_key or "", "")))
    assert plan.empty, "an untyped secret keeps what Kapacitor has"


SECRET_MARK = "FAKEsecretMARK42"
BAD_SECRET_TEXTS = [
    f"{SECRET_MARK} x", f"https://{SECRET_MARK}", f"{SECRET_MARK}\x07", f"k={SECRET_MARK}, broken",
    f'{{"SASLPassword": 1, "x": "{SECRET_MARK}"}}', f"username={SECRET_MARK}", f"{{{SECRET_MARK}",
    f"http://h/{SECRET_MARK} space", f"{SECRET_MARK}:99999",
]


@pytest.mark.parametrize("spec", [s for s in CATALOG if s.secrets], ids=lambda s: s.name)
def test_a_refused_secret_is_not_repeated_in_the_message(spec):
    for name in sorted(spec.secrets):
        for text in BAD_SECRET_TEXTS:
            verdict = spec.option(name).validate(text)
            assert SECRET_MARK not in verdict.error + verdict.warning, (name, text)
            assert SECRET_MARK not in problem(spec.option(name), text), (name, text)
