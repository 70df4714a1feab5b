"""The Kapacitor stand-in's other 19 alert-handler sections (1.5.7 and 1.8.3).

``KapacitorFake`` (tests/fakes/kapacitor.py) serves hipchat, slack and telegram itself and hands
every other handler section to ``HandlerSections`` below: alerta, bigpanda, discord, httppost,
kafka, mqtt, opsgenie, opsgenie2, pagerduty, pagerduty2, pushover, sensu, servicenow, smtp,
snmptrap, talk, teams, victorops and zenoss (bigpanda and zenoss only on 1.8.3; 1.5.7 lacks
kafka's SASLAuth, opsgenie2's details and smtp's to-templates, and has other servicenow defaults).
Each section is one ``Section`` row: options in Go struct order with their kinds and built-in
defaults, the redacted options, the validation Kapacitor runs before storing an override, the
service-test options with their defaults, and the sender that performs the test.

What it does as the real server does (recorded in tests/data/kapacitor-api/1.8.3/handlers/):

* config GET/POST for every section and element, layered file values + stored overrides, kind
  errors, lenient string-to-int conversion, ``cannot override element key``, the list sections
  (discord ``workspace``, httppost ``endpoint``, kafka ``id``, mqtt ``name``) with add/remove;
* overrides that are accepted and then poison the store (a JSON float for an int option, a JSON
  number inside kafka's ``SASLAuth``): every config GET answers 500, updates of any other section
  answer 400 and ``restart()`` refuses to start unless ``skip_config_overrides``;
* service tests that really send, to loopback receivers: HTTP for most sections (with each one's
  own success statuses and error texts), SMTP, UDP SNMPv2c traps, a TCP line for sensu, a Kafka
  Metadata request, MQTT 3.1.1 CONNECT/PUBLISH (mqtt connects during the config update);
* Kapacitor's surprises: success without delivery (smtp, kafka, httppost, snmptrap, zenoss,
  pushover), removed discord workspaces that keep answering, test options that overwrite the
  running config's lists (opsgenie teams/recipients, smtp to), secrets echoed in error texts.

Deliberate differences from the real server:

* smtp sends the mail before the test answers (Kapacitor queues it and answers at once); the
  connection is still kept open for ``idle-timeout`` and closed by a config update, and SMTP
  errors still never reach the answer.
* kafka sends one Metadata v7 request per broker from a background thread and reads nothing
  back; there is no produce request, no retry loop and no SASL or TLS handshake.
* mqtt speaks only the packets the recordings show (CONNECT with the 3.1 retry, PUBLISH with
  QoS 0/1/2, DISCONNECT); it reconnects at once when the broker closes the connection, and a QoS 1
  test whose PUBACK never comes gives up after ``MQTT_ACK_TIMEOUT`` seconds with an error instead
  of hanging forever.  TLS options are accepted but never used.
* Templates (httppost url/alert-template, smtp to-templates) are checked only for unclosed
  actions; a test url renders only ``{{.Field}}`` of the empty alert.
* Mail addresses are checked by a small subset of net/mail's rules; duration strings follow
  time.ParseDuration.
* Colours and level mappings not covered by a recording (e.g. discord WARNING) follow the Go
  sources from memory and may differ.
"""
from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import random
import re
import smtplib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Callable
from urllib.parse import urlencode, urlsplit

import httpx

from tests.fakes.kapacitor import (
    CONFIG_BASE,
    LEVELS,
    BASE_PATH,
    VERSION,
    GoJSONSyntaxError,
    GoURLError,
    _Answer,
    _client,
    _decode_objects,
    _DecodeError,
    _dial_address,
    _error,
    _go_reflect_kind,
    _kind,
    _Obj,
    _ok,
    _OverrideError,
    _plain,
    _ServiceUpdateError,
    go_json,
    go_quote,
    go_url_parse,
)

MQTT_ACK_TIMEOUT = 5.0
SEND_TIMEOUT = 5.0


# --------------------------------------------------------------------------
# Go look-alikes


_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
          "m": 60_000_000_000, "h": 3_600_000_000_000}


def parse_duration(text: str) -> int:
    """time.ParseDuration, in nanoseconds."""
    orig, s, neg = text, text, False
    if s[:1] in "+-" and s:
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f"time: invalid duration {go_quote(orig)}")
    total = 0.0
    while s:
        m = re.match(r"(\d*)(\.\d*)?", s)
        if not m or (m.group(1) == "" and (m.group(2) or ".") == "."):
            raise ValueError(f"time: invalid duration {go_quote(orig)}")
        number = float((m.group(1) or "0") + (m.group(2) or ""))
        s = s[m.end():]
        u = re.match(r"[^\d.]+", s)
        if not u:
            raise ValueError(f"time: missing unit in duration {go_quote(orig)}")
        unit = u.group(0)
        if unit not in _UNITS:
            raise ValueError(f"time: unknown unit {go_quote(unit)} in duration {go_quote(orig)}")
        total += number * _UNITS[unit]
        s = s[u.end():]
    return -int(total) if neg else int(total)


def format_duration(ns: int) -> str:
    """time.Duration.String."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return sign + _trim(ns / size) + unit
    h, rest = divmod(ns, 3_600_000_000_000)
    m, rest = divmod(rest, 60_000_000_000)
    seconds = _trim(rest / 1_000_000_000) + "s"
    if h:
        return f"{sign}{h}h{m}m{seconds}"
    if m:
        return f"{sign}{m}m{seconds}"
    return sign + seconds


def _trim(value: float) -> str:
    text = f"{value:.9f}".rstrip("0").rstrip(".")
    return text or "0"


def rfc3339nano(moment: dt.datetime) -> str:
    """time.Time.Format(time.RFC3339Nano) in UTC."""
    base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    frac = f"{moment.microsecond:06d}".rstrip("0")
    return base + (f".{frac}" if frac else "") + "Z"


def parse_rfc3339(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


_ADDR_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+$")


def mail_address_error(address: str) -> str | None:
    """net/mail.ParseAddress for the common cases."""
    text = address.strip()
    if "<" in text:
        inner = text[text.find("<") + 1:]
        if not inner.endswith(">"):
            return "mail: unclosed angle-addr"
        text = inner[:-1]
        return None if _ADDR_ATOM.match(text) else "mail: missing @ in addr-spec"
    if "@" not in text:
        return "mail: no angle-addr" if " " in text else "mail: missing '@' or angle-addr"
    if " " in text:
        return "mail: no angle-addr"
    return None if _ADDR_ATOM.match(text) else "mail: invalid string"


def template_error(text: str) -> str | None:
    """text/template.Parse, reduced to unclosed actions."""
    depth = 0
    i = 0
    while i < len(text):
        if text.startswith("{{", i):
            end = text.find("}}", i + 2)
            if end < 0:
                return "template: body:1: unclosed action"
            i = end + 2
            continue
        i += 1
    return None if depth == 0 else "template: body:1: unexpected EOF"


# --------------------------------------------------------------------------
# Option kinds


SASL_FIELDS: tuple[tuple[str, Any], ...] = (
    ("SASLUsername", ""), ("SASLPassword", ""), ("SASLExtensions", None), ("SASLMechanism", ""),
    ("SASLVersion", None), ("SASLGSSAPIServiceName", ""), ("SASLGSSAPIAuthType", ""),
    ("SASLGSSAPIDisablePAFXFAST", False), ("SASLGSSAPIKerberosConfigPath", ""),
    ("SASLGSSAPIKeyTabPath", ""), ("SASLGSSAPIRealm", ""), ("SASLOAUTHService", ""),
    ("SASLOAUTHClientID", ""), ("SASLOAUTHClientSecret", ""), ("SASLOAUTHTokenURL", ""),
    ("SASLOAUTHScopes", None), ("SASLOAUTHParams", None), ("SASLOAUTHExpiryMargin", 0),
    ("SASLAccessToken", ""), ("SASLOAUTHTenant", ""),
)
SEVERITY_KEYS = ("ok", "info", "warning", "critical")


@dataclass(frozen=True)
class Opt:
    """One config option: kind is bool, str, int, list, dur, sasl, basic, headers or sevmap."""

    name: str
    kind: str
    default: Any = None
    since_18: bool = False

    def zero(self) -> Any:
        return {
            "bool": False, "str": "", "int": 0, "list": None, "dur": 0, "headers": None,
            "sasl": {k: (0 if k == "SASLOAUTHExpiryMargin" else v) for k, v in SASL_FIELDS},
            "basic": {"username": "", "password": ""},
            "sevmap": {k: "" for k in SEVERITY_KEYS},
        }[self.kind]

    def initial(self) -> Any:
        return copy.deepcopy(self.zero() if self.default is None else self.default)


def _show(opt: Opt, value: Any, redacted: bool) -> Any:
    """An option value as GET /config shows it."""
    if redacted:
        return value != opt.zero()
    if opt.kind == "dur":
        return format_duration(value)
    return copy.deepcopy(value)


def _wrong_kind(opt: Opt, value: Any, want: str) -> _OverrideError:
    return _OverrideError(
        f"cannot set option {opt.name}: wrong kind {_go_reflect_kind(value)}, expected value of kind {want}: false")


def convert(opt: Opt, value: Any, current: Any, stored: bool) -> Any:
    """override's setter for one option. ``stored`` values come back from the store, where
    numbers are json.Number (text), which is what poisons int and SASLAuth options."""
    kind = opt.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise _wrong_kind(opt, value, "bool")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise _wrong_kind(opt, value, "string")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise _wrong_kind(opt, value, "int")
        if isinstance(value, (int, float)) and not stored:
            return int(value)
        text = value if isinstance(value, str) else _number_text(value)
        if re.fullmatch(r"[+-]?\d+", text.strip()):
            return int(text)
        raise _OverrideError(f"cannot set option {opt.name}: cannot convert string {go_quote(text)} into int")
    if kind == "dur":
        if isinstance(value, str):
            try:
                return parse_duration(value)
            except ValueError as exc:
                raise _OverrideError(f"cannot set option {opt.name}: {exc}") from None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return int(value)
        raise _wrong_kind(opt, value, "int64")
    if kind == "list":
        if not isinstance(value, list):
            raise _wrong_kind(opt, value, "slice")
        if any(not isinstance(v, str) for v in value):
            bad = next(v for v in value if not isinstance(v, str))
            raise _OverrideError(f"cannot set option {opt.name}: cannot convert {_go_reflect_kind(bad)} into string")
        return list(value)
    if not isinstance(value, dict):
        raise _wrong_kind(opt, value, "map" if kind == "headers" else "struct")
    if kind == "headers":
        return {k: str(v) for k, v in value.items()}
    if kind == "basic":
        out = dict(current)
        for k, v in value.items():
            if k.lower() in out:
                out[k.lower()] = v
        return out
    if kind == "sevmap":
        out = dict(current)
        for k, v in value.items():
            if k not in out:
                raise _OverrideError(f"cannot set option {opt.name}: Unknown field {k} for SeverityMap")
            out[k] = v
        return out
    # SASLAuth: mapstructure-decoded onto the file/default value, field by field.
    if stored and any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values()):
        raise _OverrideError(f"cannot set option {opt.name}: interface conversion: "
                             "interface {} is json.Number, not string")
    out, errors = dict(current), []
    invalid = sorted(k for k in value if k not in out)
    if invalid:
        errors.append(f"* '' has invalid keys: {', '.join(invalid)}")
    for k, v in value.items():
        if k not in out:
            continue
        zero = dict(SASL_FIELDS)[k]
        number = isinstance(v, (int, float)) and not isinstance(v, bool)
        if k == "SASLOAUTHExpiryMargin" and number:
            v = int(v)
        elif isinstance(zero, str) and not isinstance(v, str) or isinstance(zero, bool) and not isinstance(v, bool):
            want = "string" if isinstance(zero, str) else "bool"
            errors.append(f"* '{k}' expected type '{want}', got unconvertible type "
                          f"'{_go_reflect_kind(v)}', value: '{_go_sprint(v)}'")
            continue
        out[k] = v
    if errors:
        raise _OverrideError(f"cannot set option {opt.name}: failed to decode options into *kafka.SASLAuth: "
                             f"{len(errors)} error(s) decoding:\n\n" + "\n".join(errors))
    return out


def _number_text(value: float | int) -> str:
    """The text json.Number keeps (the stand-in stores decoded numbers, so ints print as ints)."""
    return repr(value) if isinstance(value, float) else str(value)


# --------------------------------------------------------------------------
# Sections


def _url_check(url: str, word: str = "url") -> str | None:
    try:
        go_url_parse(url)
    except GoURLError as exc:
        return f"invalid {word} {go_quote(url)}: {exc}"
    return None


def _absolute_url_check(url: str) -> str | None:
    """url.ParseRequestURI: an absolute URI or an absolute path."""
    if err := _url_check(url):
        return err
    scheme = urlsplit(url).scheme
    if not scheme and not url.startswith("/"):
        return f"invalid url {go_quote(url)}: parse {go_quote(url)}: invalid URI for request"
    return None


def _v_alerta(e: dict[str, Any]) -> str | None:
    if e["enabled"] and not e["url"]:
        return "must specify url"
    return _url_check(e["url"])


def _v_bigpanda(e: dict[str, Any]) -> str | None:
    if e["enabled"]:
        if not e["app-key"]:
            return "must specify BigPanda app-key"
        if not e["token"]:
            return "must specify BigPanda token"
        if not e["url"]:
            return "must specify the BigPanda webhook URL"
    return _url_check(e["url"])


def _v_discord(e: dict[str, Any]) -> str | None:
    if e["enabled"] and not e["url"]:
        return "Must specify the Discord channel webhook URL"
    return _url_check(e["url"]) or _url_check(e["avatar-url"])


def _v_httppost(e: dict[str, Any]) -> str | None:
    if not e["url"]:
        return "must specify url"
    if err := template_error(e["url"]):
        return f"invalid URL template syntax {go_quote(e['url'])}: failed to parse template: {err}"
    if err := _url_check(e["url"], "URL"):
        return err
    for kind in ("alert", "row"):
        inline, path = e[f"{kind}-template"], e[f"{kind}-template-file"]
        if inline and path:
            return f"must specify only one of {kind}-template and {kind}-template-file"
        if path and not path.startswith("/"):
            return f"must use an absolute path for {kind}-template-file"
    return None


_SASL_MECHANISMS = ("", "PLAIN", "OAUTHBEARER", "SCRAM-SHA-256", "SCRAM-SHA-512", "GSSAPI")


def _v_kafka(e: dict[str, Any]) -> str | None:
    if e["enabled"] and not e["brokers"]:
        return "no brokers specified, must provide at least one broker URL"
    sasl = e.get("SASLAuth")
    if sasl and e["enabled"]:
        mechanism = sasl["SASLMechanism"]
        if mechanism not in _SASL_MECHANISMS:
            return "invalid sasl-mechanism"
        if mechanism == "OAUTHBEARER" and not sasl["SASLAccessToken"] and not (
                sasl["SASLOAUTHClientID"] and sasl["SASLOAUTHClientSecret"]):
            return "'sasl-oauth-client-id' and 'sasl-oauth-client-secret' are required"
    return None


def _v_mqtt(e: dict[str, Any]) -> str | None:
    if e["enabled"] and not e["url"]:
        return "must specify a url for mqtt service"
    return None


def _v_opsgenie(recovery: str) -> Callable[[dict[str, Any]], str | None]:
    def check(e: dict[str, Any]) -> str | None:
        if e["enabled"] and not e["api-key"]:
            return "api-key cannot be empty"
        if not e["url"]:
            return "url cannot be empty"
        if not e[recovery]:
            return f"{recovery} cannot be empty"
        if err := _url_check(e["url"], "URL"):
            return err
        if recovery == "recovery_url":
            return _url_check(e[recovery], "URL")
        return None
    return check


def _v_url_required(e: dict[str, Any]) -> str | None:
    if not e["url"]:
        return "url cannot be empty"
    return _url_check(e["url"], "URL")


def _v_pushover(e: dict[str, Any]) -> str | None:
    if e["enabled"]:
        if not e["token"]:
            return "must specify token"
        if not e["user-key"]:
            return "must specify user key"
        if not e["url"]:
            return "must specify url"
    return _url_check(e["url"], "URL")


def _v_sensu(e: dict[str, Any]) -> str | None:
    if e["enabled"] and not e["addr"]:
        return "must specify client address"
    return None


def _v_events_url(absolute: bool) -> Callable[[dict[str, Any]], str | None]:
    def check(e: dict[str, Any]) -> str | None:
        if e["enabled"] and not e["url"]:
            return "must specify events URL"
        return _absolute_url_check(e["url"]) if absolute else _url_check(e["url"])
    return check


def _v_smtp(e: dict[str, Any]) -> str | None:
    if e["enabled"] and not e["from"]:
        return "must provide a 'from' address"
    if not e["host"]:
        return "host cannot be empty"
    if e["port"] <= 0:
        return f"invalid port {e['port']}"
    if e["from"] and (err := mail_address_error(e["from"])):
        return f"invalid from email address: {go_quote(e['from'])}, {err}"
    for address in e["to"] or []:
        if err := mail_address_error(address):
            return f"invalid to email address: {go_quote(address)}, {err}"
    if e["idle-timeout"] < 0:
        return "idle timeout must be positive"
    return None


def _v_snmptrap(e: dict[str, Any]) -> str | None:
    if e["enabled"] and not e["addr"]:
        return "must specify addr"
    return None


def _v_talk(e: dict[str, Any]) -> str | None:
    if e["enabled"] and not e["url"]:
        return "must specify url"
    return _url_check(e["url"])


def _v_teams(e: dict[str, Any]) -> str | None:
    if e["enabled"] and not e["channel-url"]:
        return "must specify Teams channel webhook URL"
    return _url_check(e["channel-url"])


@dataclass(frozen=True)
class T:
    """One service-test option: kind s, b, i, list, map, level, dur, qos, time, obj, links, datalist."""

    name: str
    kind: str
    default: Any = None  # a value, or a callable(config) -> value


@dataclass
class Section:
    name: str
    key: str | None  # "" for a single element, else the element key of a list section
    options: tuple[Opt, ...]
    redacted: tuple[str, ...]
    validate: Callable[[dict[str, Any]], str | None]
    tests: tuple[T, ...]
    send: str  # name of the HandlerSections method that runs the test
    only_18: bool = False
    defaults_157: dict[str, Any] = field(default_factory=dict)
    tests_157: tuple[T, ...] | None = None

    def fields(self, version: str) -> tuple[Opt, ...]:
        return tuple(o for o in self.options if version != VERSION or not o.since_18)


def _cfg(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda c: copy.copy(c.get(name)) if not isinstance(c.get(name), list) else c.get(name)


_EVENT_DATA = {"Name": "", "TaskName": "", "Category": "", "Group": "", "Tags": {}, "Fields": {},
               "Recoverable": False, "Result": {"series": None}}
_AVATAR = "https://influxdata.github.io/branding/img/downloads/influxdata-logo--symbol--pool-alpha.png"
O = Opt

SECTIONS: dict[str, Section] = {s.name: s for s in (
    Section("alerta", "", (
        O("enabled", "bool"), O("url", "str"), O("insecure-skip-verify", "bool"), O("token", "str"),
        O("token-prefix", "str"), O("environment", "str"), O("origin", "str"), O("timeout", "dur"),
    ), ("token",), _v_alerta, (
        T("resource", "s", "testResource"), T("event", "s", "testEvent"), T("environment", "s", _cfg("environment")),
        T("severity", "s", "critical"), T("group", "s", "testGroup"), T("value", "s", "testValue"),
        T("message", "s", "test alerta message"), T("origin", "s", _cfg("origin")),
        T("service", "list", ["testServiceA", "testServiceB"]), T("correlate", "list", ["testServiceX", "testServiceY"]),
        T("attributes", "map", {"testAttributeA": "A", "testAttributeB": True, "testAttributeC": 9001}),
        T("timeout", "dur", 24 * 3_600_000_000_000),
    ), "test_alerta", tests_157=None),
    Section("bigpanda", "", (
        O("enabled", "bool"), O("global", "bool"), O("state-changes-only", "bool"),
        O("url", "str", "https://api.bigpanda.io/data/v2/alerts"), O("insecure-skip-verify", "bool"),
        O("token", "str"), O("app-key", "str"), O("auto-attributes", "str", "tags,fields"),
    ), ("token",), _v_bigpanda, (
        T("app_key", "s", "012345"), T("message", "s", "test bigpanda message"), T("level", "level", "CRITICAL"),
        T("event_data", "obj", {**_EVENT_DATA, "Name": "testBigPanda"}),
        T("timestamp", "time", lambda c: rfc3339nano(dt.datetime.now(dt.timezone.utc))),
        T("host", "s", "serverA"), T("primary_property", "s", ""), T("secondary_property", "s", ""),
    ), "test_bigpanda", only_18=True),
    Section("discord", "workspace", (
        O("enabled", "bool"), O("default", "bool", True), O("workspace", "str"), O("url", "str"),
        O("username", "str"), O("avatar-url", "str"), O("embed-title", "str"), O("timestamp", "bool"),
        O("global", "bool"), O("state-changes-only", "bool"), O("ssl-ca", "str"), O("ssl-cert", "str"),
        O("ssl-key", "str"), O("insecure-skip-verify", "bool"),
    ), (), _v_discord, (
        T("workspace", "s", ""), T("message", "s", "test discord message"), T("level", "level", "INFO"),
        T("username", "s", "Kapacitor"), T("avatar-url", "s", _AVATAR), T("embed-title", "s", "Kapacitor Alert"),
        T("time-val", "time", "1970-01-01T00:00:01Z"),
    ), "test_discord"),
    Section("httppost", "endpoint", (
        O("endpoint", "str", "example"), O("url", "str", "http://example.com"), O("headers", "headers"),
        O("basic-auth", "basic"), O("alert-template", "str"), O("alert-template-file", "str"),
        O("row-template", "str"), O("row-template-file", "str"),
    ), ("basic-auth",), _v_httppost, (
        T("endpoint", "s", "example"), T("url", "s", "http://localhost:3000/"),
        T("headers", "map", {"Auth": "secret"}), T("timeout", "i", 0),
    ), "test_httppost"),
    Section("kafka", "id", (
        O("enabled", "bool"), O("id", "str", "default"), O("brokers", "list"), O("timeout", "dur"),
        O("batch-size", "int"), O("batch-timeout", "dur"), O("use-ssl", "bool"), O("ssl-ca", "str"),
        O("ssl-cert", "str"), O("ssl-key", "str"), O("insecure-skip-verify", "bool"),
        O("SASLAuth", "sasl", {k: (10_000_000_000 if k == "SASLOAUTHExpiryMargin" else v) for k, v in SASL_FIELDS},
          since_18=True),
    ), (), _v_kafka, (
        T("cluster", "s", "example"), T("topic", "s", "test"), T("key", "s", "key"),
        T("message", "s", "test kafka message"),
    ), "test_kafka"),
    Section("mqtt", "name", (
        O("enabled", "bool"), O("name", "str", "default"), O("default", "bool"), O("url", "str"),
        O("ssl-ca", "str"), O("ssl-cert", "str"), O("ssl-key", "str"), O("insecure-skip-verify", "bool"),
        O("client-id", "str"), O("username", "str"), O("password", "str"),
    ), ("password",), _v_mqtt, (
        T("broker-name", "s", lambda c: c.get("_default_name", "")), T("topic", "s", ""),
        T("message", "s", "test MQTT message"), T("qos", "qos", "at-most-once"), T("retained", "b", False),
    ), "test_mqtt"),
    Section("opsgenie", "", (
        O("enabled", "bool"), O("api-key", "str"), O("teams", "list"), O("recipients", "list"),
        O("url", "str", "https://api.opsgenie.com/v1/json/alert"),
        O("recovery_url", "str", "https://api.opsgenie.com/v1/json/alert/note"), O("global", "bool"),
    ), ("api-key",), _v_opsgenie("recovery_url"), (
        T("teams", "list", _cfg("teams")), T("recipients", "list", _cfg("recipients")),
        T("message-type", "s", "CRITICAL"), T("message", "s", "test opsgenie message"),
        T("entity-id", "s", "testEntityID"),
    ), "test_opsgenie"),
    Section("opsgenie2", "", (
        O("enabled", "bool"), O("api-key", "str"), O("teams", "list"), O("recipients", "list"),
        O("url", "str", "https://api.opsgenie.com/v2/alerts"), O("recovery_action", "str", "notes"),
        O("global", "bool"), O("details", "bool", since_18=True),
    ), ("api-key",), _v_opsgenie("recovery_action"), (
        T("teams", "list", _cfg("teams")), T("recipients", "list", _cfg("recipients")),
        T("recovery_action", "s", _cfg("recovery_action")), T("message-type", "s", "CRITICAL"),
        T("message", "s", "test opsgenie message"), T("entity-id", "s", "testEntityID"),
    ), "test_opsgenie2"),
    Section("pagerduty", "", (
        O("enabled", "bool"), O("url", "str", "https://events.pagerduty.com/generic/2010-04-15/create_event.json"),
        O("service-key", "str"), O("global", "bool"),
    ), ("service-key",), _v_url_required, (
        T("incident-key", "s", "testIncidentKey"), T("description", "s", "test pagerduty message"),
        T("details", "s", ""), T("level", "level", "CRITICAL"),
    ), "test_pagerduty"),
    Section("pagerduty2", "", (
        O("enabled", "bool"), O("url", "str", "https://events.pagerduty.com/v2/enqueue"),
        O("routing-key", "str"), O("global", "bool"),
    ), ("routing-key",), _v_url_required, (
        T("alert_id", "s", "testAlertID"), T("description", "s", "test pagerduty2 message"),
        T("level", "level", "CRITICAL"), T("event_data", "obj", {**_EVENT_DATA, "Name": "testPagerDuty2"}),
        T("timestamp", "time", "2014-11-12T11:45:26.371Z"),
        T("links", "links", [{"href": "https://example.com/a", "text": "a"}, {"href": "https://example.com/b", "text": "b"}]),
    ), "test_pagerduty2"),
    Section("pushover", "", (
        O("enabled", "bool"), O("token", "str"), O("user-key", "str"),
        O("url", "str", "https://api.pushover.net/1/messages.json"),
    ), ("token", "user-key"), _v_pushover, (
        T("user-key", "s", _cfg("user-key")), T("message", "s", "test pushover message"), T("device", "s", ""),
        T("title", "s", ""), T("url", "s", ""), T("url-title", "s", ""), T("sound", "s", ""),
        T("level", "level", "CRITICAL"),
    ), "test_pushover"),
    Section("sensu", "", (
        O("enabled", "bool"), O("addr", "str"), O("source", "str", "Kapacitor"), O("handlers", "list"),
    ), (), _v_sensu, (
        T("name", "s", "testName"), T("source", "s", "Kapacitor"), T("output", "s", "testOutput"),
        T("handlers", "list", []), T("metadata", "map", {}), T("level", "level", "CRITICAL"),
    ), "test_sensu"),
    Section("servicenow", "", (
        O("enabled", "bool"), O("url", "str", "https://instance.service-now.com/api/global/em/jsonv2"),
        O("source", "str"), O("username", "str"), O("password", "str"), O("global", "bool"),
        O("state-changes-only", "bool"),
    ), ("password",), _v_events_url(False), (
        T("alert_id", "s", "1001"), T("message", "s", "test servicenow message"), T("level", "level", "CRITICAL"),
        T("source", "s", "Kapacitor"), T("node", "s", ""), T("type", "s", ""), T("resource", "s", ""),
        T("metric_name", "s", ""), T("message_key", "s", ""), T("additional_info", "map", {}),
    ), "test_servicenow", defaults_157={"url": ""}, tests_157=(
        T("alert_id", "s", "id"), T("source", "s", "Kapacitor"), T("level", "level", "CRITICAL"),
        T("message", "s", "test servicenow alert"),
    )),
    Section("smtp", "", (
        O("enabled", "bool"), O("host", "str", "localhost"), O("port", "int", 25), O("username", "str"),
        O("password", "str"), O("no-verify", "bool"), O("global", "bool"), O("state-changes-only", "bool"),
        O("from", "str"), O("to", "list"), O("to-templates", "list", since_18=True),
        O("idle-timeout", "dur", 30_000_000_000),
    ), ("password",), _v_smtp, (
        T("to", "list", _cfg("to")), T("subject", "s", "test subject"), T("body", "s", "test body"),
    ), "test_smtp"),
    Section("snmptrap", "", (
        O("enabled", "bool"), O("addr", "str", "localhost:162"), O("community", "str", "kapacitor"),
        O("retries", "int", 1),
    ), ("community",), _v_snmptrap, (
        T("trap-oid", "s", "1.1.1.1"),
        T("data-list", "datalist", [{"oid": "1.1.1.1.2", "type": "s", "value": "test snmptrap message"}]),
    ), "test_snmptrap"),
    Section("talk", "", (
        O("enabled", "bool"), O("url", "str"), O("author_name", "str"),
    ), ("url",), _v_talk, (
        T("title", "s", "testTitle"), T("text", "s", "test talk text"),
    ), "test_talk"),
    Section("teams", "", (
        O("enabled", "bool"), O("channel-url", "str"), O("global", "bool"), O("state-changes-only", "bool"),
    ), (), _v_teams, (
        T("channel_url", "s", _cfg("channel-url")), T("alert_topic", "s", "test kapacitor alert topic"),
        T("alert_id", "s", "foo/bar/bat"), T("message", "s", "test teams message"), T("level", "level", "CRITICAL"),
    ), "test_teams"),
    Section("victorops", "", (
        O("enabled", "bool"), O("api-key", "str"), O("routing-key", "str"),
        O("url", "str", "https://alert.victorops.com/integrations/generic/20131114/alert"),
        O("json-data", "bool"), O("global", "bool"),
    ), ("api-key",), _v_url_required, (
        T("routingKey", "s", _cfg("routing-key")), T("messageType", "s", "CRITICAL"),
        T("message", "s", "test victorops message"), T("entityID", "s", "testEntityID"),
    ), "test_victorops"),
    Section("zenoss", "", (
        O("enabled", "bool"), O("url", "str", "https://tenant.zenoss.io:8080/zport/dmd/evconsole_router"),
        O("username", "str"), O("password", "str"), O("action", "str", "EventsRouter"),
        O("method", "str", "add_event"), O("type", "str", "rpc"), O("tid", "int", 1),
        O("collector", "str", "Kapacitor"),
        O("severity-map", "sevmap", {"ok": "Clear", "info": "Info", "warning": "Warning", "critical": "Critical"}),
        O("global", "bool"), O("state-changes-only", "bool"),
    ), ("password",), _v_events_url(True), (
        T("alert_id", "s", "1001"), T("level", "level", "CRITICAL"), T("message", "s", "test zenoss message"),
        T("action", "s", _cfg("action")), T("method", "s", _cfg("method")), T("type", "s", _cfg("type")),
        T("tid", "i", _cfg("tid")), T("summary", "s", ""), T("device", "s", ""), T("component", "s", ""),
        T("eventclasskey", "s", ""), T("eventclass", "s", ""), T("collector", "s", _cfg("collector")),
        T("custom_fields", "map", {}),
    ), "test_zenoss", only_18=True),
)}
# 1.5.7's alerta test has no correlate or attributes.
SECTIONS["alerta"].tests_157 = tuple(t for t in SECTIONS["alerta"].tests if t.name not in ("correlate", "attributes"))


def sections_for(version: str) -> dict[str, Section]:
    return {n: s for n, s in SECTIONS.items() if version != VERSION or not s.only_18}


def default_elements(section: Section, version: str) -> list[dict[str, Any]]:
    element = {o.name: o.initial() for o in section.fields(version)}
    if version == VERSION:
        element.update(copy.deepcopy(section.defaults_157))
    return [element]


# --------------------------------------------------------------------------
# Running services


class _MqttClient:
    """A paho-like MQTT 3.1.1 client: CONNECT (then a 3.1 retry), PUBLISH, DISCONNECT."""

    RC = {1: "unacceptable protocol version", 2: "identifier rejected", 3: "server Unavailable",
          4: "bad user name or password", 5: "not Authorized"}

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = dict(config)
        self.sock: socket.socket | None = None
        self.lock = threading.Lock()
        self.acks: dict[int, threading.Event] = {}
        self.next_id = 1
        self.closed = False
        self.reader: threading.Thread | None = None

    def _address(self) -> tuple[str, int]:
        parts = urlsplit(self.config["url"])
        return parts.hostname or "", parts.port or 1883

    def _connect_packet(self, level: int) -> bytes:
        c = self.config
        name = b"MQTT" if level == 4 else b"MQIsdp"
        flags = 0x02
        payload = _mqtt_str((c["client-id"] or c["name"]).encode())
        if c["username"]:
            flags |= 0x80
            payload += _mqtt_str(c["username"].encode())
        if c["password"]:
            flags |= 0x40
            payload += _mqtt_str(c["password"].encode())
        variable = _mqtt_str(name) + bytes([level, flags]) + struct.pack("!H", 30)
        return _mqtt_packet(0x10, variable + payload)

    def connect(self) -> None:
        """Raises _ServiceUpdateError with paho's texts."""
        error = ""
        for level in (4, 3):
            host, port = self._address()
            try:
                sock = socket.create_connection((host, port), timeout=SEND_TIMEOUT)
            except OSError as exc:
                raise _ServiceUpdateError(f"network Error : {_dial_error('tcp', host, port, exc)}") from None
            try:
                sock.sendall(self._connect_packet(level))
                answer = _recv_exact(sock, 4)
            except OSError:
                answer = b""
            if len(answer) < 4 or answer[0] != 0x20:
                sock.close()
                error = "network Error : EOF"
                continue
            if answer[3] != 0:
                sock.close()
                error = self.RC.get(answer[3], "unknown")
                continue
            sock.settimeout(None)
            self.sock = sock
            self.next_id = 1
            self.reader = threading.Thread(target=self._read, args=(sock,), daemon=True, name="mqtt-client")
            self.reader.start()
            return
        raise _ServiceUpdateError(error)

    def _read(self, sock: socket.socket) -> None:
        while True:
            try:
                head = _recv_exact(sock, 2)
                if len(head) < 2:
                    break
                body = _recv_exact(sock, head[1])
            except OSError:
                break
            kind = head[0] >> 4
            if kind in (4, 7) and len(body) >= 2:  # PUBACK, PUBCOMP
                event = self.acks.pop(struct.unpack("!H", body[:2])[0], None)
                if event:
                    event.set()
            elif kind == 5 and len(body) >= 2:  # PUBREC -> PUBREL
                try:
                    sock.sendall(_mqtt_packet(0x62, body[:2]))
                except OSError:
                    break
        with self.lock:
            if self.sock is sock and not self.closed:
                self.sock = None
                try:  # auto-reconnect, as paho does
                    self.connect()
                except _ServiceUpdateError:
                    pass

    def publish(self, topic: str, message: str, qos: int, retained: bool) -> str | None:
        with self.lock:
            sock = self.sock
            if sock is None:
                try:
                    self.connect()
                except _ServiceUpdateError as exc:
                    return str(exc)
                sock = self.sock
            assert sock is not None
            variable = _mqtt_str(topic.encode())
            event = None
            if qos:
                packet_id = self.next_id
                self.next_id += 1
                variable += struct.pack("!H", packet_id)
                event = self.acks[packet_id] = threading.Event()
            header = 0x30 | (qos << 1) | (1 if retained else 0)
            try:
                sock.sendall(_mqtt_packet(header, variable + message.encode()))
            except OSError as exc:
                return f"network Error : {exc}"
        if event is not None and not event.wait(MQTT_ACK_TIMEOUT):
            return "no acknowledgement from the MQTT broker"
        return None

    def disconnect(self) -> None:
        with self.lock:
            self.closed = True
            sock, self.sock = self.sock, None
        if sock is not None:
            try:
                sock.sendall(b"\xe0\x00")
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


def _mqtt_str(data: bytes) -> bytes:
    return struct.pack("!H", len(data)) + data


def _mqtt_packet(header: int, body: bytes) -> bytes:
    length, encoded = len(body), bytearray()
    while True:
        digit, length = length % 128, length // 128
        encoded.append(digit | (0x80 if length else 0))
        if not length:
            break
    return bytes([header]) + bytes(encoded) + body


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def _dial_error(network: str, host: str, port: int | None, exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return f"dial {network} {host}:{port}: connect: connection refused"
    return f"dial {network} {host}:{port}: {exc}"


def _split_host_port(addr: str) -> tuple[str, int] | str:
    """net.SplitHostPort, or its error text."""
    if ":" not in addr:
        return f"address {addr}: missing port in address"
    host, _, port = addr.rpartition(":")
    if not port.isdigit():
        return f"address {addr}: invalid port"
    return ("127.0.0.1" if host == "localhost" else host), int(port)


class _SmtpDaemon:
    """gomail's daemon: one SMTP connection kept open for idle-timeout, closed by a config update."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = dict(config)
        self.smtp: smtplib.SMTP | None = None
        self.last_used = 0.0
        self.lock = threading.Lock()

    def close(self) -> None:
        with self.lock:
            if self.smtp is not None:
                try:
                    self.smtp.quit()
                except (OSError, smtplib.SMTPException):
                    pass
                self.smtp = None

    def _open(self) -> smtplib.SMTP | None:
        c = self.config
        try:
            smtp = smtplib.SMTP(c["host"], c["port"], local_hostname="localhost", timeout=SEND_TIMEOUT)
            smtp.ehlo("localhost")
            if c["username"] and smtp.has_extn("auth"):
                token = base64.b64encode(f"\0{c['username']}\0{c['password']}".encode()).decode()
                code, _ = smtp.docmd("AUTH", "PLAIN " + token)
                if code != 235:
                    smtp.docmd("*")
                    smtp.quit()
                    return None
            return smtp
        except (OSError, smtplib.SMTPException):
            return None

    def send(self, sender: str, to: list[str], subject: str, body: str) -> None:
        """Errors are only logged by Kapacitor: nothing comes back."""
        with self.lock:
            idle = self.config["idle-timeout"] / 1e9
            if self.smtp is not None and time.monotonic() - self.last_used > idle:
                try:
                    self.smtp.quit()
                except (OSError, smtplib.SMTPException):
                    pass
                self.smtp = None
            if self.smtp is None:
                self.smtp = self._open()
            smtp = self.smtp
            if smtp is None:
                return
            self.last_used = time.monotonic()
            date = dt.datetime.now(dt.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
            headers = [("Mime-Version", "1.0"), ("Date", date), ("From", sender), ("To", ", ".join(to)),
                       ("Subject", subject), ("Content-Type", "text/html; charset=UTF-8"),
                       ("Content-Transfer-Encoding", "quoted-printable")]
            data = "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n" + _quoted_printable(body) + "\r\n"
            try:
                code, _ = smtp.docmd("MAIL", f"FROM:<{sender}> BODY=8BITMIME")
                if code != 250:
                    return
                for address in to:
                    code, _ = smtp.docmd("RCPT", f"TO:<{address}>")
                    if code not in (250, 251):
                        return  # gomail gives up; the connection stays open
                smtp.data(data.encode())
            except (OSError, smtplib.SMTPException):
                self.smtp = None


def _quoted_printable(text: str) -> str:
    out = []
    for ch in text.encode():
        c = chr(ch)
        if c == "=" or ch > 126 or (ch < 32 and c not in "\r\n\t"):
            out.append(f"={ch:02X}")
        else:
            out.append(c)
    return "".join(out)


class _DiscordWorkspace:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = dict(config)


# --------------------------------------------------------------------------
# The hook the Kapacitor stand-in calls


class HandlerSections:
    """Config, running services and service tests of the 19 sections for one ``KapacitorFake``."""

    def __init__(self, fake: Any) -> None:
        self.fake = fake
        self.version = fake.version
        self.sections = sections_for(self.version)
        self.file: dict[str, list[dict[str, Any]]] = {
            name: default_elements(s, self.version) for name, s in self.sections.items()}
        self.running: dict[str, Any] = {}
        self._udp: socket.socket | None = None
        self._udp_addr: tuple[str, int] | None = None

    # ---------------------------------------------------------- config data

    def element_key(self, section: str) -> str | None:
        if section in self.sections:
            return self.sections[section].key
        from tests.fakes.kapacitor import ELEMENT_KEYS
        return ELEMENT_KEYS.get(section)

    def _ordered(self, section: str, overrides: list[tuple[str, Any]] | None) -> list[tuple[str, Any]]:
        """Stored overrides come back in the order they were first stored; new ones last."""
        stored = list(self.fake._overrides)
        if overrides is None:
            overrides = [(oid, o) for oid, o in self.fake._overrides.items() if oid.split("/", 1)[0] == section]
        return sorted(overrides, key=lambda item: stored.index(item[0]) if item[0] in stored else len(stored))

    def merged(self, section: str, overrides: list[tuple[str, Any]] | None = None) -> list[dict[str, Any]]:
        elements = copy.deepcopy(self.file[section])
        for oid, o in self._ordered(section, overrides):
            element = "" if o.create else oid.split("/", 1)[1]
            from_store = self.fake._overrides.get(oid) is o
            fresh = set() if from_store else set(getattr(o, "fresh", o.options))
            try:
                self._apply(section, elements, element, o.options, o.create, fresh)
            except _OverrideError as exc:
                raise _OverrideError(f"failed to override configuration {section}/{element}: {exc}") from None
        return elements

    def _apply(self, section: str, elements: list[dict[str, Any]], element: str, options: dict[str, Any],
               create: bool, fresh: set[str]) -> None:
        spec = self.sections[section]
        key = spec.key
        if create:
            new = {o.name: o.zero() for o in spec.fields(self.version)}
            new[key] = options[key]
            elements.append(new)
            element = options[key]
        if not key or (element == "" and not create):
            targets = list(elements)
            if key:
                targets = [e for e in elements if element == "" or e[key] == element]
        else:
            targets = [e for e in elements if e[key] == element]
        used: set[str] = set()
        for target in targets:
            for opt in spec.fields(self.version):
                if opt.name not in options:
                    continue
                if not create and key and opt.name == key:
                    raise _OverrideError(f"cannot override element key {opt.name}")
                target[opt.name] = convert(opt, options[opt.name], target[opt.name], opt.name not in fresh)
                used.add(opt.name)
        unused = sorted(set(options) - used)
        if unused:
            raise _OverrideError(f"unknown options [{' '.join(unused)}] in section {section}")
        if key and (element == "" or not targets):
            err = self._validate_list(spec, elements)
        else:
            err = spec.validate(targets[-1]) if targets else None
        if err:
            raise _OverrideError(f"failed validation: {err}")

    @staticmethod
    def _validate_list(spec: Section, elements: list[dict[str, Any]]) -> str | None:
        for element in elements:
            if err := spec.validate(element):
                return err
            if len(elements) > 1 and element[spec.key] == "":
                return "id must not be empty"
        return None

    def poison_error(self, skip: str = "") -> str | None:
        """The error of the first stored override that cannot be applied again, if any."""
        seen = set()
        for oid in list(self.fake._overrides):
            section = oid.split("/", 1)[0]
            if section == skip or section not in self.sections or section in seen:
                continue
            seen.add(section)
            try:
                self.merged(section)
            except _OverrideError as exc:
                return str(exc)
        return None

    def section_view(self, section: str) -> dict[str, Any]:
        spec = self.sections[section]
        opts = {o.name: o for o in spec.fields(self.version)}
        elements = []
        for element in self.merged(section):
            name = element[spec.key] if spec.key else ""
            elements.append({
                "link": {"rel": "self", "href": f"{CONFIG_BASE}{section}/{name}"},
                "options": {k: _show(opts[k], element[k], k in spec.redacted) for k in sorted(element)},
                "redacted": list(spec.redacted) or None,
            })
        return {"link": {"rel": "self", "href": CONFIG_BASE + section}, "elements": elements}

    def set_file_values(self, section: str, options: dict[str, Any], element: str = "") -> None:
        """Values as written in kapacitor.conf (durations as Go strings), then restart."""
        spec = self.sections[section]
        with self.fake._lock:
            elements = self.file[section]
            matches = [e for e in elements if not spec.key or e[spec.key] == element] or (
                [elements[0]] if not element else [])
            if not matches:
                new = {o.name: o.zero() for o in spec.fields(self.version)}
                new[spec.key] = element
                elements.append(new)
                matches = [new]
            target = matches[0]
            opts = {o.name: o for o in spec.fields(self.version)}
            for name, value in options.items():
                if name not in opts:
                    raise KeyError(f"unknown option {name!r} in [{section}]")
                target[name] = convert(opts[name], value, target[name], False)
            err = self._validate_list(spec, elements) if spec.key else spec.validate(target)
            if err:
                raise ValueError(f"kapacitord would not start: invalid configuration: {section}: {err}")
            self.fake.restart()

    # ------------------------------------------------------- running services

    def start_services(self) -> None:
        """kapacitord's start: the poisoned store stops it unless overrides are skipped."""
        for state in self.running.values():
            self._stop(state)
        if not self.fake._skip_overrides:
            if err := self.poison_error():
                raise ValueError("kapacitord would not start: open server: failed to apply config overrides: "
                                 f"failed to apply configuration overrides: {err}")
        self.running = {}
        for name in self.sections:
            elements = copy.deepcopy(self.file[name]) if self.fake._skip_overrides else self.merged(name)
            try:
                self.update_service(name, elements)
            except _ServiceUpdateError:
                self.running.setdefault(name, {"elements": elements})

    def close(self) -> None:
        """kapacitord stops: broker and SMTP connections close."""
        for state in self.running.values():
            self._stop(state)
        self._close_udp()

    @staticmethod
    def _stop(state: dict[str, Any]) -> None:
        for client in state.get("mqtt", {}).values():
            client.disconnect()
        if state.get("smtp") is not None:
            state["smtp"].close()

    def update_service(self, section: str, elements: list[dict[str, Any]]) -> None:
        old = self.running.get(section, {})
        state: dict[str, Any] = {"elements": elements}
        if section == "discord":
            workspaces: dict[str, _DiscordWorkspace] = old.get("workspaces", {})
            for conf in elements:
                if conf["workspace"] in workspaces:
                    workspaces[conf["workspace"]].config = dict(conf)
                else:
                    workspaces[conf["workspace"]] = _DiscordWorkspace(conf)
                if conf["default"] and conf["workspace"] != "":
                    workspaces[""] = workspaces[conf["workspace"]]
            state["workspaces"] = workspaces
        elif section == "httppost":
            for conf in elements:
                for kind in ("alert", "row"):
                    if err := template_error(conf[f"{kind}-template"]):
                        raise _ServiceUpdateError(
                            f"failed to update endpoint {go_quote(conf['endpoint'])}: failed to parse template: {err}")
        elif section == "mqtt":
            enabled = [c for c in elements if c["enabled"]]
            if len(elements) > 1:
                defaults = [c for c in elements if c["default"]]
                if not defaults:
                    raise _ServiceUpdateError("no configuration is marked as the default")
                if len(defaults) > 1:
                    raise _ServiceUpdateError("more than one configuration is marked as the default")
            clients: dict[str, _MqttClient] = dict(old.get("mqtt", {}))
            connection = ("url", "client-id", "username", "password", "ssl-ca", "ssl-cert", "ssl-key",
                          "insecure-skip-verify")
            new_clients: dict[str, _MqttClient] = {}
            for conf in enabled:
                client = clients.pop(conf["name"], None)
                if client is not None and all(client.config[k] == conf[k] for k in connection):
                    client.config = dict(conf)
                    new_clients[conf["name"]] = client
                    continue
                if client is not None:
                    client.disconnect()
                client = _MqttClient(conf)
                try:
                    client.connect()
                except _ServiceUpdateError:
                    for other in new_clients.values():
                        if other not in old.get("mqtt", {}).values():
                            other.disconnect()
                    raise
                new_clients[conf["name"]] = client
            for client in clients.values():
                client.disconnect()
            state["mqtt"] = new_clients
            default = next((c["name"] for c in enabled if c["default"]), enabled[0]["name"] if enabled else None)
            state["default"] = default if default is not None else elements[0]["name"] if elements else ""
        elif section == "smtp":
            if old.get("smtp") is not None:
                old["smtp"].close()
            state["smtp"] = _SmtpDaemon(elements[0])
        elif section == "snmptrap":
            self._close_udp()
        if not self.sections[section].key:
            state["config"] = dict(elements[0])
        self.running[section] = state

    def _close_udp(self) -> None:
        if self._udp is not None:
            self._udp.close()
            self._udp = None

    # ---------------------------------------------------------- service tests

    def test_fields(self, name: str) -> tuple[T, ...]:
        spec = self.sections[name]
        if self.version == VERSION and spec.tests_157 is not None:
            return spec.tests_157
        return spec.tests

    def default_test_options(self, name: str) -> dict[str, Any]:
        state = self.running.get(name, {})
        config = state.get("config") or {}
        if name == "mqtt":
            config = {"_default_name": state.get("default", "")}
        if name in ("discord", "kafka", "httppost"):
            config = {}
        options: dict[str, Any] = {}
        for t in self.test_fields(name):
            value = t.default(config) if callable(t.default) else copy.deepcopy(t.default)
            options[t.name] = value
        return options

    def shown_test_options(self, name: str) -> dict[str, Any]:
        shown = {}
        for t in self.test_fields(name):
            value = self.default_test_options(name)[t.name]
            shown[t.name] = format_duration(value) if t.kind == "dur" else value
        return shown

    def decode_test_options(self, name: str, options: dict[str, Any], body: bytes) -> None:
        """json.NewDecoder(body).Decode(&testOptions) over the default options."""
        try:
            value = _decode_objects(body, stream=True)
        except GoJSONSyntaxError as exc:
            raise _DecodeError(str(exc)) from None
        if value is None:
            return
        if not isinstance(value, _Obj):
            raise _DecodeError(f"json: cannot unmarshal {_kind(value)} into Go value of type {name}.testOptions")
        fields = {t.name: t for t in self.test_fields(name)}
        first_error: str | None = None
        for key, item in value:
            t = next((f for f in fields.values() if f.name.lower() == key.lower()), None)
            if t is None or item is None:
                continue
            item = _plain(item)

            def wrong(go_type: str) -> str:
                return (f"json: cannot unmarshal {_kind(item) if not isinstance(item, dict) else 'object'} "
                        f"into Go struct field testOptions.{t.name} of type {go_type}")

            if t.kind == "level":
                if not isinstance(item, str):
                    first_error = first_error or wrong("alert.Level")
                elif item.upper() not in LEVELS:
                    raise _DecodeError(f"unknown alert level '{item}'")
                else:
                    options[t.name] = item.upper()
            elif t.kind == "qos":
                qos = {"at-most-once": 0, "at-least-once": 1, "exactly-one": 2}
                if not isinstance(item, str) or item not in qos:
                    raise _DecodeError("invalid QoS")
                options[t.name] = item
            elif t.kind in ("s", "time"):
                if isinstance(item, str):
                    options[t.name] = item
                else:
                    first_error = first_error or wrong("string" if t.kind == "s" else "time.Time")
            elif t.kind == "b":
                if isinstance(item, bool):
                    options[t.name] = item
                else:
                    first_error = first_error or wrong("bool")
            elif t.kind == "i":
                if isinstance(item, int) and not isinstance(item, bool):
                    options[t.name] = item
                else:
                    first_error = first_error or wrong("int")
            elif t.kind == "dur":
                if isinstance(item, str):
                    try:
                        options[t.name] = parse_duration(item)
                    except ValueError as exc:
                        raise _DecodeError(str(exc)) from None
                elif isinstance(item, (int, float)) and not isinstance(item, bool):
                    options[t.name] = int(item)
                else:
                    first_error = first_error or wrong("time.Duration")
            elif t.kind in ("list", "links", "datalist"):
                if not isinstance(item, list) or (t.kind == "list" and any(not isinstance(v, str) for v in item)):
                    first_error = first_error or wrong("[]string")
                    continue
                current = options.get(t.name)
                if t.kind == "list" and isinstance(current, list) and 0 < len(item) <= len(current):
                    # Go decodes into the existing slice, which is the running config's own list.
                    current[:len(item)] = item
                options[t.name] = list(item)
            elif t.kind in ("map", "obj"):
                if not isinstance(item, dict):
                    first_error = first_error or wrong("map[string]interface {}")
                    continue
                merged = dict(options.get(t.name) or {})
                merged.update(item)
                options[t.name] = merged
        if first_error:
            raise _DecodeError(first_error)

    def run_test(self, name: str, body: bytes) -> _Answer:
        options = self.default_test_options(name)
        try:
            self.decode_test_options(name, options, body)
        except _DecodeError as exc:
            return _error(HTTPStatus.BAD_REQUEST, f"failed to decode JSON body:{exc}")
        message = getattr(self, self.sections[name].send)(options)
        return _ok({"success": message is None, "message": message or ""})

    def _config(self, name: str) -> dict[str, Any]:
        with self.fake._lock:
            return dict(self.running[name]["config"])

    # ---------------------------------------------------------------- senders

    def test_alerta(self, o: dict[str, Any]) -> str | None:
        c = self._config("alerta")
        if not c["enabled"]:
            return "service is not enabled"
        if not o["resource"] or not o["event"]:
            return "Resource and Event are required to send an alert"
        data: dict[str, Any] = {
            "attributes": o.get("attributes", {}), "environment": o["environment"] or c["environment"],
            "event": o["event"], "group": o["group"], "origin": o["origin"] or c["origin"],
            "rawData": {"series": None}, "resource": o["resource"], "severity": o["severity"],
            "tags": [], "text": o["message"], "timeout": o["timeout"] // 1_000_000_000, "value": o["value"],
        }
        if o["service"]:
            data["service"] = o["service"]
        if o.get("correlate"):
            data["correlate"] = o["correlate"]
        if self.version == VERSION:
            data.pop("attributes")
        headers = {}
        if c["token"]:
            headers["Authorization"] = f"{c['token-prefix'] or 'Bearer'} {c['token']}"
        url = c["url"].rstrip("/") + "/alert"
        return self._http(url, _encode(data), ok=(201,), service="Alerta", field_name="message",
                          headers=headers, verify=not c["insecure-skip-verify"])

    def test_bigpanda(self, o: dict[str, Any]) -> str | None:
        c = self._config("bigpanda")
        if not c["enabled"]:
            return "service is not enabled"
        try:
            stamp = int(parse_rfc3339(o["timestamp"]).timestamp())
        except ValueError:
            stamp = int(time.time())
        status = {"OK": "ok", "INFO": "ok", "WARNING": "warning", "CRITICAL": "critical"}[o["level"]]
        data = {"app_key": o["app_key"] or c["app-key"], "description": o["message"], "status": status,
                "task": f":{o['event_data'].get('Name', '')}", "timestamp": stamp}
        if o["primary_property"]:
            data["primary_property"] = o["primary_property"]
        if o["secondary_property"]:
            data["secondary_property"] = o["secondary_property"]
        payload = go_json({k: data[k] for k in sorted(data)}).encode()
        return self._http(c["url"], payload, ok=(201,), service="BigPanda", field_name="error",
                          headers={"Authorization": f"Bearer {c['token']}"}, verify=not c["insecure-skip-verify"])

    def test_discord(self, o: dict[str, Any]) -> str | None:
        with self.fake._lock:
            workspaces = self.running["discord"]["workspaces"]
            ws = workspaces.get(o["workspace"])
            if ws is None:
                return "workspace id not found"
            c = dict(ws.config)
        if not c["enabled"]:
            return "service is not enabled"
        color = {"OK": 0x7AC36A, "INFO": 0x7A65F2, "WARNING": 0xFAA73B, "CRITICAL": 0xF95F53}[o["level"]]
        stamp = o["time-val"] if c["timestamp"] else ""
        embed = {"color": color, "title": o["embed-title"], "description": o["message"], "timestamp": stamp}
        data = {"avatar_url": o["avatar-url"] or c["avatar-url"], "embeds": [embed],
                "username": o["username"] or c["username"]}
        return self._http(c["url"], _encode(data), ok=(204,), service="Discord", field_name="error",
                          verify=not c["insecure-skip-verify"])

    def test_httppost(self, o: dict[str, Any]) -> str | None:
        fields = {"ID": "", "Message": "", "Details": "", "Level": "OK", "PreviousLevel": "OK",
                  "Duration": "0s", "Recoverable": "false", "Time": "0001-01-01 00:00:00 +0000 UTC"}
        url = re.sub(r"\{\{-?\s*\.(\w+)\s*-?\}\}", lambda m: fields.get(m.group(1), "<no value>"), o["url"])
        try:
            go_url_parse(url)
        except GoURLError as exc:
            return f"failed to create http request: failed to create POST request: {exc}"
        data = {"id": "", "message": "", "details": "", "time": "0001-01-01T00:00:00Z", "duration": 0,
                "level": "OK", "data": {"series": None}, "previousLevel": "OK", "recoverable": False}
        headers = {str(k): str(v) for k, v in (o["headers"] or {}).items()}
        error = self._http(url, (go_json(data) + "\n").encode(), ok=None, service="", field_name="",
                           headers=headers, verify=True)
        return f"failed to POST alert data: {error}" if error else None

    def test_kafka(self, o: dict[str, Any]) -> str | None:
        with self.fake._lock:
            elements = [e for e in self.running["kafka"]["elements"] if e["enabled"]]
        cluster = next((e for e in elements if e["id"] == o["cluster"]), None)
        if cluster is None:
            return f"unknown cluster {go_quote(o['cluster'])}"
        if not o["topic"]:
            return "topic must not be empty"
        request = (struct.pack("!hhi", 3, 7, 0) + _kafka_str(cluster["id"]) + struct.pack("!i", 1)
                   + _kafka_str(o["topic"]) + b"\x01")
        packet = struct.pack("!i", len(request)) + request
        for broker in cluster["brokers"] or []:
            threading.Thread(target=_kafka_send, args=(broker, packet), daemon=True).start()
        return None  # the producer is asynchronous: delivery errors are only logged

    def test_mqtt(self, o: dict[str, Any]) -> str | None:
        if not o["topic"]:
            return "missing MQTT topic"
        with self.fake._lock:
            client = self.running["mqtt"].get("mqtt", {}).get(o["broker-name"])
        if client is None:
            return f"unknown MQTT broker {go_quote(o['broker-name'])}"
        qos = {"at-most-once": 0, "at-least-once": 1, "exactly-one": 2}[o["qos"]]
        return client.publish(o["topic"], o["message"], qos, o["retained"])

    def _opsgenie_common(self, o: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
        return {"description": json.dumps({"series": None}, separators=(",", ":")),
                "details": {"Level": o["message-type"], "Monitoring Tool": "Kapacitor"},
                "entity": o["entity-id"], "message": o["message"]}

    def test_opsgenie(self, o: dict[str, Any]) -> str | None:
        c = self._config("opsgenie")
        if not c["enabled"]:
            return "service is not enabled"
        data = {"alias": o["entity-id"], "apiKey": c["api-key"], **self._opsgenie_common(o, c),
                "monitoring_tool": "kapacitor", "note": ""}
        url = c["url"] + "/"
        if o["message-type"] == "RECOVERY":
            url, data["note"] = c["recovery_url"] + "/", o["message"]
        if o["recipients"] or c["recipients"]:
            data["recipients"] = o["recipients"] or c["recipients"]
        if o["teams"] or c["teams"]:
            data["teams"] = o["teams"] or c["teams"]
        return self._http(url, _encode(data), ok=(200,), service="OpsGenie", field_name="message", verify=True)

    def test_opsgenie2(self, o: dict[str, Any]) -> str | None:
        c = self._config("opsgenie2")
        if not c["enabled"]:
            return "failed to prepare API request: service is not enabled"
        level = o["message-type"].upper()
        if level not in (*LEVELS, "RECOVERY"):
            return f"unknown alert level '{level}'"
        alias = base64.b64encode(o["entity-id"].encode()).decode()
        headers = {"Authorization": f"GenieKey {c['api-key']}"}
        if level in ("OK", "RECOVERY"):
            action = "close" if o["recovery_action"] == "close" else "notes"
            url = f"{c['url']}/{alias}/{action}?identifierType=alias"
            payload = (go_json({"note": o["message"]}) + "\n").encode()
        else:
            responders = [{"name": t, "type": "team"} for t in o["teams"] or c["teams"] or []]
            responders += [{"type": "user", "username": r} for r in o["recipients"] or c["recipients"] or []]
            data = {"alias": alias, **self._opsgenie_common(o, c), "note": "",
                    "priority": {"CRITICAL": "P1", "WARNING": "P3"}.get(level, "P5")}
            if responders:
                data["responders"] = responders
            url, payload = c["url"], (go_json(data) + "\n").encode()
        error = self._http(url, payload, ok=(202,), service="OpsGenie", field_name="message", headers=headers,
                           verify=True, connect_prefix="failed to execute API request: ")
        if error and not error.startswith("failed to execute"):
            return "opsgenie error: " + error
        return error

    def test_pagerduty(self, o: dict[str, Any]) -> str | None:
        c = self._config("pagerduty")
        if not c["enabled"]:
            return "service is not enabled"
        if o["level"] == "INFO":
            return "AlertLevel 'info' is currently ignored by the PagerDuty service"
        data = {"client": "kapacitor", "client_url": self.fake.url + BASE_PATH, "description": o["description"],
                "details": o["details"], "event_type": "resolve" if o["level"] == "OK" else "trigger",
                "incident_key": o["incident-key"], "service_key": c["service-key"]}
        return self._http(c["url"], _encode(data), ok=(200,), service="PagerDuty", field_name="message", verify=True)

    def test_pagerduty2(self, o: dict[str, Any]) -> str | None:
        c = self._config("pagerduty2")
        if not c["enabled"]:
            return "service is not enabled"
        event = o["event_data"]
        try:
            moment = parse_rfc3339(o["timestamp"])
        except ValueError:
            moment = dt.datetime.now(dt.timezone.utc)
        nanos = f"{moment.microsecond * 1000:09d}"
        payload = {
            "summary": o["description"], "source": (event.get("Tags") or {}).get("host", "unknown"),
            "severity": {"OK": "info", "INFO": "info", "WARNING": "warning", "CRITICAL": "critical"}[o["level"]],
            "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S.") + nanos + "Z",
            "class": event.get("TaskName", ""), "component": "", "group": "",
            "custom_details": {"result": event.get("Result", {"series": None})},
        }
        data = {"routing_key": c["routing-key"], "event_action": "resolve" if o["level"] == "OK" else "trigger",
                "dedup_key": o["alert_id"], "payload": payload, "images": None, "links": o["links"] or None,
                "client": "kapacitor", "client_url": self.fake.url + BASE_PATH}
        result = self._http_raw(c["url"], (go_json(data) + "\n").encode(), verify=True,
                                headers={"Accept": "application/vnd.pagerduty+json;version=2"})
        if isinstance(result, str):
            return result
        status, body = result
        if status in (200, 202):
            return None
        value = _json_object(body)
        if value is None:
            return (f"Status: , Message: failed to understand PagerDuty2 response. code: {status} "
                    f"content: {body.decode(errors='replace')} Errors: []")
        errors = value.get("errors") if isinstance(value.get("errors"), list) else []
        return (f"Status: {value.get('status', '')}, Message: {value.get('message', '')} "
                f"Errors: [{' '.join(str(e) for e in errors)}]")

    def test_pushover(self, o: dict[str, Any]) -> str | None:
        c = self._config("pushover")
        if not c["enabled"]:
            return "service is not enabled"
        form = {"token": c["token"], "user": o["user-key"] or c["user-key"], "message": o["message"],
                "priority": {"CRITICAL": "1", "WARNING": "0", "INFO": "-1", "OK": "-2"}[o["level"]]}
        for option, name in (("device", "device"), ("title", "title"), ("url", "url"), ("url-title", "url_title"),
                             ("sound", "sound")):
            if o[option]:
                form[name] = o[option]
        payload = urlencode(sorted(form.items())).encode()
        result = self._http_raw(c["url"], payload, verify=True, content_type="application/x-www-form-urlencoded")
        if isinstance(result, str):
            return result
        status, body = result
        if status == 200:
            return None
        try:
            value = _decode_objects(body, stream=False)
        except GoJSONSyntaxError as exc:
            return str(exc)
        value = _plain(value) if isinstance(value, _Obj) else {}
        errors = value.get("errors")
        if isinstance(errors, list) and errors:
            return (f"failed to understand Pushover response. code: {status} "
                    f"content: {', '.join(str(e) for e in errors)}")
        if isinstance(value.get("error"), str):
            return value["error"]
        return f"failed to understand Pushover response. code: {status} content: "

    def test_sensu(self, o: dict[str, Any]) -> str | None:
        c = self._config("sensu")
        if not c["enabled"]:
            return "service is not enabled"
        if not re.fullmatch(r"[\w.-]+", o["name"], flags=re.ASCII):
            return f"invalid name {go_quote(o['name'])} for sensu alert. Must match ^[\\w\\.-]+$"
        status = {"OK": 0, "INFO": 0, "WARNING": 1, "CRITICAL": 2}.get(o["level"], 3)
        data: dict[str, Any] = {"handlers": o["handlers"] or c["handlers"], "name": o["name"],
                                "output": o["output"], "source": o["source"] or c["source"], "status": status}
        for k, v in (o["metadata"] or {}).items():
            data.setdefault(k, v)
        if not data["handlers"]:
            data.pop("handlers")
        address = _split_host_port(c["addr"])
        if isinstance(address, str):
            return address
        try:
            sock = socket.create_connection(address, timeout=SEND_TIMEOUT)
        except OSError as exc:
            return _dial_error("tcp", *address, exc)
        try:
            sock.sendall(_encode(data))
            answer = b""
            while chunk := sock.recv(4096):
                answer += chunk
        except OSError as exc:
            return f"sensu socket error: {exc}"
        finally:
            sock.close()
        text = answer.decode(errors="replace")
        return None if text == "ok" else f"sensu socket error: {text}"

    def test_servicenow(self, o: dict[str, Any]) -> str | None:
        c = self._config("servicenow")
        if not c["enabled"]:
            return "service is not enabled"
        severity = {"CRITICAL": "1", "WARNING": "4", "INFO": "5", "OK": "0"}[o["level"]]
        record = {"source": o.get("source") or c["source"], "node": o.get("node", ""), "type": o.get("type", ""),
                  "resource": o.get("resource", ""), "metric_name": o.get("metric_name", ""),
                  "message_key": o.get("message_key") or o["alert_id"], "severity": severity,
                  "description": o["message"]}
        info = o.get("additional_info") or {}
        if info:
            record["additional_info"] = go_json({k: _go_sprint(info[k]) for k in sorted(info)})
        record = {k: v for k, v in record.items() if v != ""}
        headers = {}
        if c["username"] and c["password"]:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{c['username']}:{c['password']}".encode()).decode()
        return self._http(c["url"], go_json({"records": [record]}).encode(), ok=(200,), service="ServiceNow",
                          field_name="error", headers=headers, verify=True)

    def test_smtp(self, o: dict[str, Any]) -> str | None:
        with self.fake._lock:
            state = self.running["smtp"]
            c = dict(state["config"])
        if not c["enabled"]:
            return "service is not enabled"
        to = list(o["to"] or [])
        if not to:
            return "not sending email, no recipients defined"
        state["smtp"].send(c["from"], to, o["subject"], o["body"])
        return None

    def test_snmptrap(self, o: dict[str, Any]) -> str | None:
        c = self._config("snmptrap")
        if not c["enabled"]:
            return "service is not enabled"
        try:
            trap_oid = _oid(o["trap-oid"])
        except ValueError:
            return (f"invalid trap Oid {go_quote(o['trap-oid'])}: The sub-identifiers is range 0..4294967295, "
                    f"value `{o['trap-oid']}`")
        varbinds = [_varbind(_oid("1.3.6.1.2.1.1.3.0"), _ber(0x43, _ber_uint(1000))),
                    _varbind(_oid("1.3.6.1.6.3.1.1.4.1.0"), _ber(0x06, trap_oid))]
        names = {"a": "IP address", "d": "Decimal", "o": "OID", "u": "unsigned", "x": "hexadecimal"}
        for item in o["data-list"] or []:
            kind, value = item.get("type", ""), str(item.get("value", ""))
            try:
                oid = _oid(item.get("oid", ""))
            except ValueError:
                return f"invalid data Oid {go_quote(item.get('oid', ''))}"
            if kind == "s":
                encoded = _ber(0x04, value.encode())
            elif kind in ("i", "c", "t"):
                if not re.fullmatch(r"[+-]?\d+", value):
                    return f"strconv.ParseInt: parsing {go_quote(value)}: invalid syntax"
                number = int(value)
                encoded = (_ber(0x02, _ber_int(number)) if kind == "i" else
                           _ber(0x46, _ber_uint(number)) if kind == "c" else _ber(0x43, _ber_uint(number)))
            elif kind == "n":
                encoded = _ber(0x05, b"")
            else:
                return f"Snmptrap Datatype '{names.get(kind, kind)}' not supported"
            varbinds.append(_varbind(oid, encoded))
        pdu = _ber(0xA7, _ber(0x02, _ber_int(random.randint(1, 2**31 - 1))) + _ber(0x02, b"\x00")
                   + _ber(0x02, b"\x00") + _ber(0x30, b"".join(varbinds)))
        datagram = _ber(0x30, _ber(0x02, b"\x01") + _ber(0x04, c["community"].encode()) + pdu)
        address = _split_host_port(c["addr"])
        if isinstance(address, str):
            return f"failed to send SNMP trap: dial udp: {address}"
        with self.fake._lock:
            if self._udp is None or self._udp_addr != address:
                self._close_udp()
                self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                self._udp.connect(address)
                self._udp_addr = address
            sock = self._udp
        try:
            sock.send(datagram)
        except ConnectionRefusedError:
            local = "%s:%d" % sock.getsockname()
            return (f"failed to send SNMP trap: write udp {local}->{address[0]}:{address[1]}: "
                    "write: connection refused")
        except OSError as exc:
            return f"failed to send SNMP trap: {exc}"
        return None

    def test_talk(self, o: dict[str, Any]) -> str | None:
        c = self._config("talk")
        if not c["enabled"]:
            return "service is not enabled"
        data = {"authorName": c["author_name"], "text": o["text"], "title": o["title"]}
        return self._http(c["url"], _encode(data), ok=(200,), service="Talk", field_name=None, verify=True)

    def test_teams(self, o: dict[str, Any]) -> str | None:
        c = self._config("teams")
        if not c["enabled"]:
            return "service is not enabled"
        name = o["alert_id"] or o["alert_topic"]
        title = f"{o['level']}: [{name}]" if name else o["level"]
        summary = (f"{title} - " if name else f"{o['level']}: ") + o["message"]
        summary = summary[:400] + "..."
        color = {"CRITICAL": "CC4A31", "WARNING": "FFA533", "INFO": "5BC0DE", "OK": "76C457"}[o["level"]]
        data = {"@type": "MessageCard", "@context": "http://schema.org/extensions", "title": title,
                "text": o["message"], "summary": summary, "themeColor": color}
        return self._http(c["channel-url"], go_json(data).encode(), ok=(200, 204), service="Teams",
                          field_name="error", verify=True)

    def test_victorops(self, o: dict[str, Any]) -> str | None:
        c = self._config("victorops")
        if not c["enabled"]:
            return "service is not enabled"
        data = {"data": {"series": None} if c["json-data"] else json.dumps({"series": None}, separators=(",", ":")),
                "entity_id": o["entityID"], "message_type": o["messageType"], "monitoring_tool": "kapacitor",
                "state_message": o["message"], "timestamp": int(time.time())}
        url = f"{c['url']}/{c['api-key']}/{o['routingKey'] or c['routing-key']}"
        result = self._http_raw(url, _encode(data), verify=True)
        if isinstance(result, str):
            return result
        status, body = result
        if status == 200:
            return None
        if status == 404:
            return "URL or API key not found: 404"
        return _understood("VictorOps", status, body, "message")

    def test_zenoss(self, o: dict[str, Any]) -> str | None:
        c = self._config("zenoss")
        if not c["enabled"]:
            return "service is not enabled"
        severity = c["severity-map"].get(o["level"].lower(), "")
        event = {"collector": o["collector"] or c["collector"], "component": o["component"], "device": o["device"],
                 "evclass": o["eventclass"], "evclasskey": o["eventclasskey"], "severity": severity,
                 "summary": o["summary"] or o["message"]}
        for k, v in (o["custom_fields"] or {}).items():
            if isinstance(v, str) and v.strip()[:1] in ("{", "["):
                try:  # a string that holds JSON goes out as that JSON
                    v = json.loads(v)
                except ValueError:
                    pass
            event.setdefault(k, v)
        data = {"action": o["action"] or c["action"], "method": o["method"] or c["method"],
                "data": [{k: event[k] for k in sorted(event)}], "type": o["type"] or c["type"],
                "tid": o["tid"] or c["tid"]}
        headers = {}
        if c["username"] and c["password"]:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{c['username']}:{c['password']}".encode()).decode()
        return self._http(c["url"], go_json(data).encode(), ok=(200,), service="Zenoss", field_name="error",
                          headers=headers, verify=True)

    # ------------------------------------------------------------- transport

    def _http_raw(self, url: str, payload: bytes, *, verify: bool, headers: dict[str, str] | None = None,
                  content_type: str = "application/json", connect_prefix: str = "") -> tuple[int, bytes] | str:
        all_headers = {"User-Agent": "Go-http-client/1.1", "Content-Type": content_type,
                       "Accept-Encoding": "gzip", **(headers or {})}
        try:
            client = _client(verify)
            request = client.build_request("POST", url, content=payload, headers=all_headers)
            if "Accept" not in all_headers:
                del request.headers["Accept"]  # httpx's default; Go sends none
            response = client.send(request)
        except httpx.ConnectError as exc:
            text = str(exc).lower()
            if "refused" in text:
                return f"{connect_prefix}Post {go_quote(url)}: dial tcp {_dial_address(url)}: connect: connection refused"
            if "name or service not known" in text or "nodename" in text or "resolution" in text:
                host = urlsplit(url).hostname
                return f"{connect_prefix}Post {go_quote(url)}: dial tcp: lookup {host}: no such host"
            return f"{connect_prefix}Post {go_quote(url)}: {exc}"
        except httpx.TimeoutException:
            return (f"{connect_prefix}Post {go_quote(url)}: context deadline exceeded "
                    "(Client.Timeout exceeded while awaiting headers)")
        except (httpx.HTTPError, ValueError) as exc:
            if isinstance(exc, httpx.UnsupportedProtocol) or "unsupported protocol" in str(exc).lower():
                return f"{connect_prefix}Post {go_quote(url)}: unsupported protocol scheme {go_quote(urlsplit(url).scheme)}"
            return f"{connect_prefix}Post {go_quote(url)}: {exc}"
        return response.status_code, response.content

    def _http(self, url: str, payload: bytes, *, ok: tuple[int, ...] | None, service: str,
              field_name: str | None, verify: bool, headers: dict[str, str] | None = None,
              connect_prefix: str = "") -> str | None:
        result = self._http_raw(url, payload, verify=verify, headers=headers, connect_prefix=connect_prefix)
        if isinstance(result, str):
            return result
        status, body = result
        if ok is None or status in ok:
            return None
        return _understood(service, status, body, field_name)


def _understood(service: str, status: int, body: bytes, field_name: str | None) -> str:
    default = (f"failed to understand {service} response. code: {status} "
               f"content: {body.decode('utf-8', errors='replace')}")
    if field_name is None:
        return default
    value = _json_object(body)
    found = None
    if value is not None:
        for key, item in value.items():
            if key.lower() == field_name and isinstance(item, str):
                found = item
    return default if found is None else found


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = _decode_objects(body, stream=True)
    except GoJSONSyntaxError:
        return None
    return _plain(value) if isinstance(value, _Obj) else None


def _encode(data: dict[str, Any]) -> bytes:
    """json.NewEncoder(w).Encode(map): sorted keys, trailing newline."""
    return (go_json({k: data[k] for k in sorted(data)}) + "\n").encode()


def _go_sprint(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _kafka_str(text: str) -> bytes:
    data = text.encode()
    return struct.pack("!h", len(data)) + data


def _kafka_send(broker: str, packet: bytes) -> None:
    address = _split_host_port(broker)
    if isinstance(address, str):
        return
    try:
        with socket.create_connection(address, timeout=SEND_TIMEOUT) as sock:
            sock.sendall(packet)
            sock.recv(4)
    except OSError:
        pass  # kapacitord logs "kafka client error" and the test has already answered


def _ber_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    data = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(data)]) + data


def _ber(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _ber_len(len(content)) + content


def _ber_int(n: int) -> bytes:
    return n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big", signed=True)


def _ber_uint(n: int) -> bytes:
    data = n.to_bytes(max(1, (n.bit_length() + 7) // 8), "big")
    return b"\x00" + data if data[0] & 0x80 else data


def _oid(text: str) -> bytes:
    parts = text.strip(".").split(".")
    if len(parts) < 2 or not all(p.isdigit() and int(p) < 2**32 for p in parts):
        raise ValueError(text)
    numbers = [int(p) for p in parts]
    out = bytearray([numbers[0] * 40 + numbers[1]])
    for n in numbers[2:]:
        chunk = [n & 0x7F]
        n >>= 7
        while n:
            chunk.append(0x80 | (n & 0x7F))
            n >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def _varbind(oid: bytes, value: bytes) -> bytes:
    return _ber(0x30, _ber(0x06, oid) + value)


__all__ = ["HandlerSections", "SECTIONS", "Section", "format_duration", "parse_duration", "sections_for"]
