"""What kapacitord refuses, or ignores, when it starts with a kapacitor.conf.

kapacitord reads kapacitor.conf once, at start, and refuses to start when a handler's section
fails its `Validate()` (server/config.go wraps the error with the section's name: `slack: id must
not be empty`). The API checks only one element at a time, so a file can be written that the API
would never have let through. This module knows those rules, section by section, from Kapacitor's
source (influxdata/kapacitor, services/<section>/config.go, as of 1.5.7 and 1.8.3), and is the one
place file mode asks before writing:

* `settle`: what the wizard writes besides the change itself so that Kapacitor accepts the file
  (the unnamed default [[slack]] entry gets a name when a second workspace is added, the one MQTT
  broker is marked the default when a second one is added, ...);
* `refuse_new_problems`: a change that would leave Kapacitor unable to start is refused, with the
  reason, before anything is written (problems the file had before are only reported);
* `versioned_options`: options only some Kapacitor versions read (older ones ignore them silently,
  so a password would sit in the file for nothing), checked against the version the file is for;
* `runtime_notes`: conditions that are not the file's fault but still stop kapacitord at start
  (an enabled MQTT broker that does not answer), said as warnings with a way to check.

How kapacitord turns the file into elements matters for these rules:

* [[slack]] and [[discord]] are decoded by listmap.DoUnmarshalTOML: every entry starts from Go's
  zero values (no `default`, no username), and the file's entries replace the built-in one.
* [[kafka]], [[mqtt]] and [[httppost]] are decoded by BurntSushi/toml into the one-element list
  server.NewConfig made: a single entry is decoded on top of that element's defaults (id or name
  `default`, httppost's `example` and http://example.com), two or more start from zero values
  (toml's decode.go unifySlice makes a new slice when the old one is too short).
* A single section ([smtp]) is decoded on top of its NewConfig() defaults.

Nothing here imports Textual.
"""
from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from wizard.conf.document import LIST_KEYS, ConfigDocument, ConfigFileError
from wizard.text.checks import Verdict

# --------------------------------------------------------------------------- versions

VERSION_PATTERN = re.compile(r"v?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?(?:[-+~][0-9A-Za-z.+~-]*)?")


def parse_version(text: str) -> tuple[int, int, int] | None:
    """`1.8.3`, `1.8`, `v1.5.7` or `1.7.6-rc1` as (1, 8, 3); None for anything else."""
    m = VERSION_PATTERN.fullmatch(text.strip())
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def show_version(version: tuple[int, int, int]) -> str:
    return ".".join(str(part) for part in version)


def kapacitor_version(text: str) -> Verdict:
    """The Kapacitor version that reads a kapacitor.conf, as `--kapacitor-version` and the
    wizard's file offer take it: 1.5.7, 1.8 or v1.8.3."""
    value = text.strip()
    if not value:
        return Verdict(value)
    parsed = parse_version(value)
    if parsed is None or parsed[0] != 1:
        return Verdict(value, "Give Kapacitor's version as numbers, such as 1.5.7 or 1.8.3 (kapacitord version prints it).")
    return Verdict(show_version(parsed))


KAFKA_SASL_1_6_4 = (
    "sasl-username", "sasl-password", "sasl-mechanism", "sasl-version", "sasl-gssapi-service-name",
    "sasl-gssapi-auth-type", "sasl-gssapi-disable-pafxfast", "sasl-gssapi-kerberos-config-path",
    "sasl-gssapi-key-tab-path", "sasl-gssapi-realm", "sasl-access-token",
)
KAFKA_SASL_1_7_6 = (
    "sasl_extensions", "sasl-oauth-service", "sasl-oauth-client-id", "sasl-oauth-client-secret",
    "sasl-oauth-token-url", "sasl-oauth-scopes", "sasl-oauth-parameters", "sasl-oauth-token-expiry-margin",
    "sasl-oauth-tenant-id",
)

OPTION_SINCE: dict[str, dict[str, tuple[int, int, int]]] = {
    # Slack app tokens: influxdata/kapacitor#2560 (Kapacitor 1.6).
    "slack": {"token": (1, 6, 0)},
    # `details`: Kapacitor 1.5.8's release notes (not in 1.5.7's GET /config).
    "opsgenie2": {"details": (1, 5, 8)},
    # `.toTemplates()` and its `to-templates` default: Kapacitor 1.6.3 (influxdata/kapacitor#2650).
    "smtp": {"to-templates": (1, 6, 3)},
    # `auto-attributes`: Kapacitor 1.6.3's release notes (influxdata/kapacitor#2643).
    "bigpanda": {"auto-attributes": (1, 6, 3)},
    # Kafka SASL: 1.6.4 (influxdata/kapacitor#2675); extensions and OAuth token refresh 1.7.6
    # (influxdata/kapacitor#2832, #2834). 1.5.7 has none of them (handlers README, 1.5.7 table).
    "kafka": {**dict.fromkeys(KAFKA_SASL_1_6_4, (1, 6, 4)), **dict.fromkeys(KAFKA_SASL_1_7_6, (1, 7, 6))},
}
"""File keys that only some Kapacitor versions read, and the first version that does. An older
kapacitord ignores an unknown key without a word (BurntSushi/toml keeps undecoded keys aside)."""

SECTION_SINCE: dict[str, tuple[int, int, int]] = {
    "bigpanda": (1, 5, 8),  # added in 1.5.8 (its release notes); 1.5.7's GET /config has no bigpanda
    "zenoss": (1, 6, 0),  # influxdata/kapacitor#2484, Kapacitor 1.6
}
"""Whole sections an older kapacitord does not have (it ignores them)."""


def _set(value: object) -> bool:
    return value not in (None, "", [], {}, False)


def versioned_options(before: ConfigDocument, after: ConfigDocument, section: str, key: str) -> list[tuple[str, tuple[int, int, int]]]:
    """(file key, first version) of what this edit writes that only some versions read."""
    old = _entry(before, section, key) or {}
    new = _entry(after, section, key) or {}
    found: list[tuple[str, tuple[int, int, int]]] = []
    if section in SECTION_SINCE and new != old and not old:
        # A file that has the section already was made for a version that reads it.
        found.append((f"[{section}]", SECTION_SINCE[section]))
    for name, since in OPTION_SINCE.get(section, {}).items():
        if name in old:
            continue  # the file already spells it (1.8's sample has `token = ""`): made for a version that reads it
        if _set(new.get(name)) and new.get(name) != old.get(name):
            found.append((name, since))
    return found


class ConfigFileNeedsVersion(ConfigFileError):
    """The edit writes options only some Kapacitor versions read, and the file's version is unknown."""

    title = "Which Kapacitor reads this file?"


class ConfigFileTooOld(ConfigFileError):
    """The edit writes options the Kapacitor that reads this file does not have."""

    title = "Not read by this Kapacitor"


class ConfigFileRefusedAtStart(ConfigFileError):
    """Kapacitor would refuse to start with the file this edit makes."""

    title = "Kapacitor would not start"


def _names(found: list[tuple[str, tuple[int, int, int]]]) -> str:
    return ", ".join(name for name, _ in found)


def check_versions(
    found: list[tuple[str, tuple[int, int, int]]], section: str, version: str | None, source: str = ""
) -> None:
    """Refuse options the file's Kapacitor does not read, or any of them while its version is unknown."""
    if not found:
        return
    newest = max(since for _, since in found)
    secret_note = " (a password among them would sit in the file unused)" if section == "kafka" else ""
    parsed = parse_version(version) if version else None
    if parsed is None:
        raise ConfigFileNeedsVersion(
            f"{section}: {_names(found)} {'is' if len(found) == 1 else 'are'} read only by Kapacitor "
            f"{show_version(newest)} and later; older versions start without {'it' if len(found) == 1 else 'them'}"
            f"{secret_note}, and the wizard does not know which Kapacitor reads this file.",
            "Say which version does: --kapacitor-version (for example 1.8.3) on the command line, or the version "
            "field beside the file in the wizard; or start that Kapacitor so the wizard can ask it. Nothing was written.",
        )
    old = [(name, since) for name, since in found if parsed < since]
    if old:
        where = f" ({source})" if source else ""
        raise ConfigFileTooOld(
            f"Kapacitor {show_version(parsed)}{where} does not read {section}'s {_names(old)} (Kapacitor "
            f"{show_version(max(s for _, s in old))} and later do): it would start without "
            f"{'it' if len(old) == 1 else 'them'}{secret_note}.",
            "Leave these options out, or upgrade Kapacitor first (then say its version with --kapacitor-version). "
            "Nothing was written.",
        )


# --------------------------------------------------------------------------- the file as kapacitord decodes it

LISTMAP_SECTIONS = frozenset({"slack", "discord"})
"""Decoded by listmap.DoUnmarshalTOML (services/slack/config.go, services/discord/config.go):
every entry from Go's zero values."""

NEW_CONFIG: dict[str, dict[str, Any]] = {
    "kafka": {"id": "default"},  # services/kafka/config.go NewConfig: ID: DefaultID
    "mqtt": {"name": "default"},  # services/mqtt/config.go NewConfig: Name: "default"
    "httppost": {"endpoint": "example", "url": "http://example.com"},  # services/httppost/config.go
    "opsgenie": {"url": "https://api.opsgenie.com/v1/json/alert", "recovery_url": "https://api.opsgenie.com/v1/json/alert/note"},
    "opsgenie2": {"url": "https://api.opsgenie.com/v2/alerts", "recovery_action": "notes"},
    "pagerduty": {"url": "https://events.pagerduty.com/generic/2010-04-15/create_event.json"},
    "pagerduty2": {"url": "https://events.pagerduty.com/v2/enqueue"},
    "pushover": {"url": "https://api.pushover.net/1/messages.json"},
    "victorops": {"url": "https://alert.victorops.com/integrations/generic/20131114/alert"},
    "telegram": {"url": "https://api.telegram.org/bot"},
    "smtp": {"host": "localhost", "port": 25, "idle-timeout": "30s"},
    "snmptrap": {"addr": "localhost:162", "community": "kapacitor", "retries": 1},
    "sensu": {"source": "Kapacitor"},
    # 1.8.3's placeholder; 1.5.7 has "" here, so an enabled [servicenow] without url stops 1.5.7.
    "servicenow": {"url": ""},
    "zenoss": {
        "url": "https://tenant.zenoss.io:8080/zport/dmd/evconsole_router",
        "severity-map": {"ok": "Clear", "info": "Info", "warning": "Warning", "critical": "Critical"},
    },
    "bigpanda": {"url": "https://api.bigpanda.io/data/v2/alerts"},
}
"""The NewConfig() values a section (or a lone list entry) is decoded on top of, where they matter
to Validate()."""

BUILT_IN: dict[str, dict[str, Any]] = {
    "slack": {"default": True},  # server.NewConfig: slack.Configs{slack.NewDefaultConfig()}
    "discord": {"default": True},  # discord.NewDefaultConfig: Default = true
    "kafka": {"id": "default"},
    "mqtt": {"name": "default"},
    "httppost": {"endpoint": "example", "url": "http://example.com"},
}
"""The one element a list section has when the file has no entry for it."""


def _entries(document: ConfigDocument, section: str) -> list[dict[str, Any]]:
    return document.entries(section)


def _key_of(entry: Mapping[str, Any], section: str) -> str:
    value = entry.get(LIST_KEYS.get(section, ""), "")
    return value if isinstance(value, str) else str(value)


def _entry(document: ConfigDocument, section: str, key: str) -> dict[str, Any] | None:
    entries = _entries(document, section)
    if section not in LIST_KEYS:
        return entries[0] if entries else None
    return next((e for e in entries if _key_of(e, section) == key), None)


def elements_at_start(document: ConfigDocument, section: str) -> list[dict[str, Any]]:
    """The section's elements as kapacitord has them after reading the file (file keys)."""
    entries = _entries(document, section)
    if section not in LIST_KEYS:
        return [{**NEW_CONFIG.get(section, {}), **(entries[0] if entries else {})}]
    if not entries:
        return [dict(BUILT_IN.get(section, {}))]
    if section in LISTMAP_SECTIONS or len(entries) > 1:
        return [dict(e) for e in entries]
    return [{**NEW_CONFIG.get(section, {}), **entries[0]}]


# --------------------------------------------------------------------------- Validate(), section by section

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _go_url_problem(text: str) -> str:
    """Why Go's url.Parse would refuse `text` (net/url: control characters, a leading ':',
    a bad %-escape, a port that is not a number), or ""."""
    if _CONTROL.search(text):
        return "net/url: invalid control character in URL"
    if text.startswith(":"):
        return "missing protocol scheme"
    if _BAD_ESCAPE.search(text.split("#", 1)[0]):
        return "invalid URL escape"
    if "://" in text:
        authority = text.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].rpartition("@")[2]
        if not authority.startswith("["):
            _, colon, port = authority.rpartition(":")
            if colon and port and not port.isdigit():
                return f"invalid port {':' + port!r} after host"
    return ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _url_rule(element: Mapping[str, Any], name: str, *, enabled_message: str = "", required_message: str = "",
              quote: str = "url") -> str:
    """Kapacitor's usual url checks: empty when enabled (or always), then url.Parse."""
    url = _text(element.get(name))
    if required_message and not url:
        return required_message
    if enabled_message and element.get("enabled") is True and not url:
        return enabled_message
    problem = _go_url_problem(url)
    return f"invalid {quote} {url!r}: {problem}" if problem else ""


def _single(section: str, element: Mapping[str, Any]) -> str:
    """The single section's Validate() (services/<section>/config.go), "" when it passes."""
    enabled = element.get("enabled") is True
    if section in ("alerta", "hipchat", "talk"):
        return _url_rule(element, "url", enabled_message="must specify url")
    if section == "teams":
        return _url_rule(element, "channel-url", enabled_message="must specify Teams channel webhook URL")
    if section == "telegram":
        if enabled and not _text(element.get("url")):
            return "must specify url"
        if enabled and not _text(element.get("token")):
            return "must specify token"
        return _url_rule(element, "url")
    if section in ("pagerduty", "pagerduty2", "victorops"):
        return _url_rule(element, "url", required_message="url cannot be empty", quote="URL")
    if section == "opsgenie":
        if not _text(element.get("url")):
            return "url cannot be empty"
        if not _text(element.get("recovery_url")):
            return "recovery_url cannot be empty"
        problem = _url_rule(element, "url", quote="URL") or _url_rule(element, "recovery_url", quote="recovery_url")
        if problem:
            return problem
        return "api-key cannot be empty" if enabled and not _text(element.get("api-key")) else ""
    if section == "opsgenie2":
        if not _text(element.get("url")):
            return "url cannot be empty"
        if not _text(element.get("recovery_action")):
            return "recovery_action cannot be empty"
        problem = _url_rule(element, "url", quote="URL")
        if problem:
            return problem
        return "api-key cannot be empty" if enabled and not _text(element.get("api-key")) else ""
    if section == "pushover":
        if not enabled:
            return ""
        for name, message in (("token", "must specify token"), ("user-key", "must specify user key"), ("url", "must specify url")):
            if not _text(element.get(name)):
                return message
        return _url_rule(element, "url", quote="URL")
    if section == "sensu":
        return "must specify client address" if enabled and not _text(element.get("addr")) else ""
    if section == "snmptrap":
        return "must specify addr" if enabled and not _text(element.get("addr")) else ""
    if section == "servicenow":
        return _url_rule(element, "url", enabled_message="must specify events URL")
    if section == "bigpanda":
        if enabled and not _text(element.get("app-key")):
            return "must specify BigPanda app-key"
        problem = _url_rule(element, "url")
        if problem:
            return problem
        return "must specify BigPanda token" if enabled and not _text(element.get("token")) else ""
    if section == "zenoss":
        url = _text(element.get("url"))
        if enabled and not url:
            return "must specify events URL"
        # url.ParseRequestURI: an absolute URI or an absolute path; "" fails even when disabled.
        if not (re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", url) or url.startswith("/")) or _go_url_problem(url):
            return f"invalid url {url!r}: parse {url!r}: invalid URI for request"
        levels = element.get("severity-map")
        if isinstance(levels, Mapping):
            present = {str(k).lower() for k, v in levels.items() if v is not None}
            if not {"ok", "info", "warning", "critical"} <= present | set(NEW_CONFIG["zenoss"]["severity-map"]):
                return "invalid severity mapping"
        return ""
    if section == "smtp":
        # services/smtp/config.go Validate
        if not _text(element.get("host")):
            return "host cannot be empty"
        port = element.get("port")
        if not isinstance(port, int) or isinstance(port, bool) or port <= 0:
            return f"invalid port {port}"
        if _text(element.get("idle-timeout")).startswith("-"):
            return "idle timeout must be positive"
        sender = _text(element.get("from"))
        if enabled and not sender:
            return "must provide a 'from' address"
        if sender and "@" not in sender:
            return f"invalid from email address: {sender!r}"
        for address in element.get("to") or []:
            if "@" not in _text(address):
                return f"invalid to email address: {_text(address)!r}"
        return ""
    return ""


KAFKA_MECHANISMS = ("", "OAUTHBEARER", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "GSSAPI")


def _list_element(section: str, element: Mapping[str, Any]) -> str:
    """One list element's Config.Validate()."""
    enabled = element.get("enabled") is True
    if section == "slack":
        return _url_rule(element, "url", enabled_message="must specify url")
    if section == "discord":
        return _url_rule(element, "url", enabled_message="Must specify the Discord channel webhook URL") or (
            _url_rule(element, "avatar-url") if _text(element.get("avatar-url")) else ""
        )
    if section == "httppost":
        if not _text(element.get("endpoint")):
            return "must specify endpoint name"
        if not _text(element.get("url")):
            return "must specify url"
        problem = _url_rule(element, "url", quote="URL")
        if problem:
            return problem
        for inline, file in (("alert-template", "alert-template-file"), ("row-template", "row-template-file")):
            if _text(element.get(inline)) and _text(element.get(file)):
                return f"must specify only one of {inline} and {file}"
            if _text(element.get(file)) and not _text(element.get(file)).startswith("/"):
                return f"must use an absolute path for {file}"
        return ""
    if section == "kafka":
        if not enabled:
            return ""
        if not _text(element.get("id")):
            return "id must not be empty"
        if not element.get("brokers"):
            return "no brokers specified, must provide at least one broker URL"
        mechanism = _text(element.get("sasl-mechanism"))
        if mechanism not in KAFKA_MECHANISMS:
            return "invalid sasl-mechanism"  # as Kapacitor 1.8.3 answers (handlers README, kafka row)
        return ""
    if section == "mqtt":
        if not _text(element.get("name")):
            return "must specify a name for the mqtt broker"
        if enabled and not _text(element.get("url")):
            return "must specify a url for mqtt service"
        return ""
    return ""


def _list_section(section: str, elements: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(element key, message) of Configs.Validate() for a list section."""
    found: list[tuple[str, str]] = []
    for element in elements:
        problem = _list_element(section, element)
        if problem:
            found.append((_key_of(element, section), problem))
    count = len(elements)
    if section in ("slack", "discord"):
        # services/slack/config.go and services/discord/config.go, Configs.Validate.
        label = "Slack" if section == "slack" else "Discord"
        for element in elements:
            key = _key_of(element, section)
            if count > 1 and not key:
                found.append((key, "id must not be empty"))
            if element.get("global") is True and element.get("default") is not True:
                found.append((key, "only the default config may be assigned as global"))
            if element.get("state-changes-only") is True and not (element.get("default") is True and element.get("global") is True):
                found.append((key, "stateChangesOnly may only be assigned when the config is both default and global"))
        if count > 1 and not any(e.get("default") is True for e in elements):
            found.append(("", f"at least one {label} config must be set as default"))
    if section == "mqtt":
        # services/mqtt/config.go, Configs.Validate.
        defaults = sum(1 for e in elements if e.get("default") is True)
        if defaults > 1:
            found.append(("", "more than one configuration is marked as the default"))
        if defaults == 0 and count > 1:
            found.append(("", "no configuration is marked as the default"))
    return found


@dataclass(frozen=True, slots=True)
class StartProblem:
    """One reason kapacitord would refuse to start: in its own words, and where."""

    section: str
    key: str | None
    """The list element it is about ("" for an unnamed one); None for a single section."""
    message: str
    """Kapacitor's message, as `server/config.go` prints it: `slack: id must not be empty`."""

    def __str__(self) -> str:
        return self.message


def start_problems(document: ConfigDocument, sections: Iterable[str] | None = None) -> list[StartProblem]:
    """Every reason this file would stop kapacitord at start, for the handler sections the wizard edits."""
    from wizard.conf.document import OPTIONS

    found: list[StartProblem] = []
    for section in sections if sections is not None else sorted(OPTIONS):
        try:
            elements = elements_at_start(document, section)
        except ConfigFileError:
            continue  # a shape the wizard does not edit; Kapacitor reports it itself
        if section in LIST_KEYS:
            for key, message in _list_section(section, elements):
                found.append(StartProblem(section, key, f"{section}: {message}"))
        else:
            message = _single(section, elements[0])
            if message:
                found.append(StartProblem(section, None, f"{section}: {message}"))
    return found


# --------------------------------------------------------------------------- what the wizard writes besides the change

SLACK_DEFAULT_NAME = "default"


def settle(before: ConfigDocument, after: ConfigDocument, section: str, key: str) -> tuple[ConfigDocument, tuple[str, ...]]:
    """`after`, with what Kapacitor needs besides the change, and a note for each such addition.

    * Slack, Discord: when a named entry joins an unnamed one (Kapacitor 1.5.7's sample has
      `workspace = ""`), that one is named `default` and keeps `default = true`: with two entries
      or more, kapacitord refuses an entry without a workspace ("id must not be empty").
    * Kafka, MQTT, HTTP post: when a second entry joins a lone one, the lone one's inherited
      defaults (id or name `default`, httppost's url) are written out, because with two entries
      kapacitord no longer decodes it on top of them; and a lone MQTT broker, which was the
      default without saying so, gets `default = true` unless the new one takes it.
    """
    if section not in LIST_KEYS:
        return after, ()
    notes: list[str] = []
    old, new = _entries(before, section), _entries(after, section)
    if len(new) < 2 or len(new) <= len(old):
        return after, ()
    list_key = LIST_KEYS[section]
    if section in LISTMAP_SECTIONS:
        unnamed = [e for e in new if not _key_of(e, section)]
        if key and len(unnamed) == 1 and any(not _key_of(e, section) for e in old):
            if any(_key_of(e, section) == SLACK_DEFAULT_NAME for e in new):
                return after, ()  # nothing sensible to name it: refuse_new_problems says why
            values: dict[str, Any] = {list_key: SLACK_DEFAULT_NAME}
            if not any(e.get("default") is True for e in new):
                values["default"] = True
            after = after.apply(section, values, workspace="")
            notes.append(
                f"The unnamed [[{section}]] entry (the default workspace) is now named {SLACK_DEFAULT_NAME!r}: "
                f"kapacitord refuses to start with two [[{section}]] entries when one has no workspace "
                f"(\"{section}: id must not be empty\"). Alert rules that name no workspace still go to it "
                f"(default = true); through Kapacitor's API it is /kapacitor/v1/config/{section}/{SLACK_DEFAULT_NAME} "
                "after the restart."
            )
        return after, tuple(notes)
    if len(old) == 1 and len(new) == 2:
        lone = old[0]
        lone_key = _key_of(lone, section)
        inherited = {name: value for name, value in NEW_CONFIG.get(section, {}).items() if name not in lone}
        values = dict(inherited)
        if section == "mqtt" and not any(e.get("default") is True for e in new):
            values["default"] = True
        if values:
            after = after.apply(section, values, workspace=lone_key)
            written = ", ".join(f"{name} = {value!r}" for name, value in values.items())
            notes.append(
                f"The first [[{section}]] entry gets {written} written out: it had "
                + ("them" if len(values) > 1 else "it")
                + f" without saying so while it was alone, and kapacitord decodes two [[{section}]] entries or more "
                "from empty values (no id, name, url or default of their own)."
            )
    return after, tuple(notes)


def refuse_new_problems(before: ConfigDocument, after: ConfigDocument, section: str) -> tuple[str, ...]:
    """Refuse an edit that gives kapacitord a new reason to refuse to start; say the old ones."""
    was = {p.message for p in start_problems(before, [section])}
    now = start_problems(after, [section])
    new = [p for p in now if p.message not in was]
    if new:
        first = new[0]
        raise ConfigFileRefusedAtStart(
            f"Kapacitor would refuse to start with this kapacitor.conf: \"{first.message}\"{_why(first)}.",
            f"{_advice(first)} Nothing was written.",
        )
    return tuple(
        f"{after.path or 'kapacitor.conf'} already has something kapacitord refuses at start, left as it was: "
        f"\"{p.message}\"{_why(p)}."
        for p in now
    )


def _why(problem: StartProblem) -> str:
    message = problem.message.split(": ", 1)[1]
    section = problem.section
    if message == "id must not be empty":
        return f" (every [[{section}]] entry needs its own workspace once there are two or more)"
    if message.startswith("at least one"):
        return f" (with two [[{section}]] entries or more, one must have default = true)"
    if message in ("more than one configuration is marked as the default", "no configuration is marked as the default"):
        return " (with two [[mqtt]] brokers or more, exactly one must have default = true)"
    if message.startswith("only the default config"):
        return " (global = true is allowed only on the default workspace)"
    if message.startswith("stateChangesOnly"):
        return " (state-changes-only = true needs default = true and global = true)"
    return ""


def _advice(problem: StartProblem) -> str:
    message = problem.message.split(": ", 1)[1]
    section = problem.section
    if message == "id must not be empty":
        return (f"Name the workspace (--workspace NAME, or --element NAME): this file has other [[{section}]] "
                "entries, and the default one is the entry with default = true.")
    if "default" in message and section in ("slack", "discord", "mqtt"):
        return "Mark exactly one entry as the default (--default, or --set default=true / false)."
    if message.startswith("must specify") or "cannot be empty" in message or message.startswith("no brokers"):
        return "Give the missing option as well, or --disable the handler."
    return f"Change the [{section}] settings so that Kapacitor accepts them."


# --------------------------------------------------------------------------- runtime conditions

MQTT_DEFAULT_PORTS = {"tcp": 1883, "mqtt": 1883, "ssl": 8883, "tls": 8883, "mqtts": 8883, "ws": 80, "wss": 443}


def broker_address(url: str) -> tuple[str, int] | None:
    """The host and port kapacitord's MQTT client (paho) connects to for `url`; None when unclear."""
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not host or scheme not in MQTT_DEFAULT_PORTS:
        return None
    return host, port or MQTT_DEFAULT_PORTS[scheme]


def runtime_notes(after: ConfigDocument, section: str, key: str) -> tuple[str, ...]:
    """What may still stop kapacitord at start although the file is right (said, not refused)."""
    if section != "mqtt":
        return ()
    element = _entry(after, section, key)
    if element is None or element.get("enabled") is not True:
        return ()
    url = _text(element.get("url"))
    address = broker_address(url)
    where = f"{address[0]}:{address[1]}" if address else url or "the broker"
    return (
        f"kapacitord connects to every enabled MQTT broker when it starts and exits if one does not answer "
        f"(services/mqtt/service.go, Open): make sure {where} is reachable from Kapacitor's host before "
        "restarting it. A TCP connection from here checks it: --check-broker on the command line, "
        "Check the broker on the wizard's review.",
    )


@dataclass(frozen=True, slots=True)
class BrokerCheck:
    ok: bool
    summary: str


async def check_broker(url: str, timeout: float) -> BrokerCheck:
    """A TCP connection to the broker of `url`, bounded by `timeout` in all (name lookup included).

    Only the connection is tried: no MQTT CONNECT is sent, so a broker that refuses the user
    name or password still passes here (kapacitord then exits with `not Authorized`)."""
    address = broker_address(url)
    if address is None:
        return BrokerCheck(False, "the broker URL has no host and port to connect to")
    host, port = address
    where = f"{host}:{port}"
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(host, port)
    except TimeoutError:
        return BrokerCheck(False, f"no answer from {where} within {timeout:g} s")
    except ConnectionRefusedError:
        return BrokerCheck(False, f"{where} refused the connection: nothing listens there")
    except socket.gaierror:
        return BrokerCheck(False, f"the name {host} cannot be resolved from here")
    except OSError as err:
        return BrokerCheck(False, f"cannot connect to {where}: {err.strerror or err.__class__.__name__}")
    writer.close()
    try:
        async with asyncio.timeout(min(timeout, 1.0)):
            await writer.wait_closed()
    except (TimeoutError, OSError):
        pass
    return BrokerCheck(True, f"{where} accepts TCP connections (the MQTT login itself is not tried)")
