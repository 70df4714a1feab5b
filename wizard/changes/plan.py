"""What will change: the difference between what Kapacitor has and what the person chose.

Only changed options are sent. Secrets are compared by presence, because
Kapacitor never reveals them: a secret left empty is kept and never sent.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wizard.handlers.registry import SLACK_API_URL, HandlerSpec, OptionSpec
from wizard.kapacitor.client import API, Element, element_path
from wizard.text.secrets import Secret, StructuredSecret, mask_userinfo, secret_is_set
from wizard.text.values import parse_text
from wizard.changes.elements import add_starts_with, list_section, zero_options


@dataclass(frozen=True, slots=True)
class Change:
    """One option that will change. For secrets `before` and `after` are only True/False."""

    option: str
    before: Any
    after: Any
    secret: bool = False
    reset: bool = False
    """Remove the API override; the value then comes from kapacitor.conf."""
    removed: bool = False
    """The element goes away with this value (a removed list element)."""
    blank: Any = ""
    """A secret that was not set: what sets it back to exactly that (see `secret_blank`)."""

    def describe_before(self) -> str:
        if self.secret:
            return "set" if self.before else "not set"
        return show_value(self.before)

    def describe_after(self) -> str:
        if self.removed:
            return "removed"
        if self.reset:
            return "from kapacitor.conf"
        if self.secret and self.after is False:
            return "cleared"
        if self.secret:
            return "will be replaced" if self.before else "set"
        return show_value(self.after)


def show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in (None, "", [], {}):
        return "(empty)"
    if isinstance(value, (list, tuple)):
        return mask_userinfo(", ".join(str(item) for item in value))
    if isinstance(value, dict):
        return mask_userinfo(", ".join(f"{k}={v}" for k, v in value.items()))
    return mask_userinfo(str(value))  # a URL's password is a secret


@dataclass(frozen=True, slots=True)
class Plan:
    """The request that will be sent for one element of one handler."""

    spec: HandlerSpec
    workspace: str
    changes: tuple[Change, ...]
    new_values: Mapping[str, Any] = field(default_factory=dict)
    """Option values to send, secrets as `Secret`."""
    kept_secrets: tuple[str, ...] = ()
    adding: bool = False
    """The element does not exist yet (a new Slack workspace): it is added, not updated."""
    kept_unknown: tuple[str, ...] = ()
    """Options this Kapacitor has that the wizard does not know: never sent, kept as they are."""
    removing: bool = False
    """The element is removed (`{"remove": [key]}`); `changes` are the values it had. A built-in
    element (Kapacitor's `example` or `default`) is only reset: its changes are `reset`."""
    snapshot: tuple[Change, ...] = ()
    """A removal: every option the element has now, as `changes` are (secrets as set / not set).
    Undo keeps them all: an element from kapacitor.conf is only reset, and any of its options may
    come back with another value."""

    @property
    def empty(self) -> bool:
        return not self.changes and not self.adding and not self.removing

    @property
    def builtin_reset(self) -> bool:
        """Removing a built-in element only drops the changes made to it."""
        return self.removing and self.workspace == list_section(self.spec.section, self.spec.list_key or "").builtin

    @property
    def path(self) -> str:
        if self.removing:
            return f"{API}/config/{self.spec.section}"
        return element_path(self.spec.section, self.workspace)

    def set_body(self) -> dict[str, Any]:
        if self.removing:
            return {}
        return {c.option: self.new_values[c.option] for c in self.changes if not c.reset}

    def delete_list(self) -> list[str]:
        if self.removing:
            return []
        return [c.option for c in self.changes if c.reset]

    def request_body(self, *, reveal: bool = False) -> dict[str, Any]:
        """The JSON Kapacitor will get; secrets masked unless `reveal`."""
        if self.removing:
            return {"remove": [self.workspace]}
        body: dict[str, Any] = {}
        values = self.set_body()
        if values:
            body["set"] = {
                k: (val.reveal() if reveal else "•••") if isinstance(val, Secret) else val
                for k, val in values.items()
            }
        if self.delete_list():
            body["delete"] = self.delete_list()
        return body


def plan_changes(
    spec: HandlerSpec,
    current: Element | None,
    desired: Mapping[str, Any],
    *,
    workspace: str = "",
    resets: Iterable[str] = (),
    available: Collection[str] | None = None,
) -> Plan:
    """Compare desired values with the current element.

    `desired` maps option names to new values; a secret is a `Secret` to replace it,
    or missing / None / an empty `Secret` to keep what Kapacitor has.

    `available` is the option set this Kapacitor has (GET /config); by default the current
    element's. An option outside it is never sent. An option Kapacitor redacts is a secret
    even when the definition does not say so. For Slack, the way to connect decides the rest:
    a bot token without a URL posts to chat.postMessage, and a webhook URL without a token
    clears a stored token in the same request, so the token never reaches the webhook's host.
    """
    current_options: Mapping[str, Any] = current.options if current else {}
    if available is None and current is not None:
        available = frozenset(current.options)
    redacted = current.redacted if current else frozenset()
    desired = _slack_way(spec, desired, current_options, available) if spec.name == "slack" else desired
    adding = current is None and spec.list_key is not None and bool(workspace)
    if adding:
        # Kapacitor's `add` starts an element from Go's zero values, not from the built-in
        # defaults: compared with those, `default = true` or username `kapacitor` would never be sent.
        current_options = zero_options(spec.options, spec.list_key or "", workspace)
    changes: list[Change] = []
    new_values: dict[str, Any] = {}
    kept: list[str] = []
    reset_set = set(resets)
    for option in spec.options:
        name = option.name
        if available is not None and name not in available:
            continue  # this Kapacitor has no such option (Slack's token before 1.6)
        secret_option = option.secret or name in redacted
        if name in reset_set:
            shown = current.unset.get(name, current_options.get(name)) if current else None
            changes.append(Change(name, _before(secret_option, current_options.get(name)), None, secret_option,
                                  reset=True, blank=secret_blank(shown) if secret_option else ""))
            continue
        if name not in desired or name == spec.list_key:
            continue  # an element's key names it; it is never changed
        value = desired[name]
        before = current_options.get(name, option.default)
        if value is CLEAR:
            if before:
                changes.append(Change(name, True, False, secret=True))
                new_values[name] = ""
            continue
        if secret_option:
            if value is None or (isinstance(value, Secret | str | list | dict) and not value):
                if before:
                    kept.append(name)
                continue
            if isinstance(value, Secret):
                secret = value
            elif isinstance(value, (list, dict)):
                secret = StructuredSecret(value)
            else:
                secret = Secret(str(value))
            shown = current.unset.get(name, before) if current else before
            changes.append(Change(name, secret_is_set(before), True, secret=True,
                                  blank=secret_blank(shown, secret.reveal())))
            new_values[name] = secret
            continue
        value = _coerce(option, value)
        if value == "" and option.kind is int:
            continue  # left empty: Kapacitor keeps its number (a number cannot be "")
        if value in ([], {}) and not before:
            continue  # an empty list stays empty (Kapacitor shows a list never set as null)
        if value != before:
            changes.append(Change(name, before, value))
            new_values[name] = value
    known = {o.name for o in spec.options}
    kept_unknown = tuple(sorted(n for n in current_options if n not in known)) if current else ()
    return Plan(spec, workspace, tuple(changes), new_values, tuple(kept), adding, kept_unknown)


def plan_removal(spec: HandlerSpec, current: Element | None, workspace: str) -> Plan:
    """Removing one element of a list section: `changes` hold what it has now, so the review
    shows what goes and undo can set it up again (secrets only as set / not set).

    A built-in element is only reset by Kapacitor: every option is listed, since any may come
    back from kapacitor.conf or the defaults. Any other element is listed with the options that
    differ from the zero values `add` starts from: the values undo sends to add it again. The
    plan's `snapshot` holds every option in either case, for an element that turns out to come
    from kapacitor.conf (Kapacitor only resets it too).
    """
    rules = list_section(spec.section, spec.list_key or "")
    builtin = workspace == rules.builtin
    if current is None:
        return Plan(spec, workspace, (), removing=True)
    zero = zero_options(spec.options, spec.list_key or "", workspace)
    snapshot = []
    for option in spec.options:
        name = option.name
        if name == spec.list_key or name not in current.options:
            continue
        secret = option.secret or name in current.redacted
        value = current.options[name]
        before = secret_is_set(value) if secret else value
        blank = secret_blank(current.unset.get(name, value)) if secret else ""
        snapshot.append(Change(name, before, None, secret, reset=builtin, removed=not builtin, blank=blank))
    # What `add` starts from anyway is not shown for an element that goes away.
    changes = [c for c in snapshot if builtin or not add_starts_with(c.before, zero.get(c.option))]
    return Plan(spec, workspace, tuple(changes), removing=True, snapshot=tuple(snapshot))


def secret_blank(shown: Any, written: Any = None) -> Any:
    """What makes a secret that holds nothing hold exactly that again, for undo.

    `shown` is the secret as Kapacitor showed it (`Element.unset` keeps the shape of a secret
    Kapacitor shows in clear; one it redacts is a bool): a text secret becomes "" again.
    Kapacitor never stores null (its override decoder refuses it: weakCopyValue in
    services/config/override/override.go, "wrong kind invalid"), so a null object (httppost's
    headers) means that no API setting held it: None here, and undo deletes the option's API
    setting. An object (Kafka's SASLAuth) is sent back with its texts and flags only: a number
    stored in an override comes back as json.Number, which its decoder then refuses
    (services/config/dao.go, UseNumber), and `set` replaces the whole stored object, so the
    numbers come from kapacitor.conf again as they did. An object Kapacitor redacts (httppost's
    basic-auth, shown as false) is the object `written` with its texts emptied: Kapacitor shows
    false for exactly its zero value.
    """
    if shown is None:
        return None
    if isinstance(shown, dict):
        return _emptied(shown)
    if isinstance(written, dict):
        return _emptied(written)
    return ""


def _emptied(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, bool):
            out[key] = False
        elif isinstance(item, str):
            out[key] = ""
        elif isinstance(item, dict):
            out[key] = _emptied(item)
        elif isinstance(item, list):
            out[key] = []
    return out


class _Clear:
    """Marks a secret to empty in this request (`set` to ""), whatever it holds now."""

    def __repr__(self) -> str:
        return "CLEAR"


CLEAR: Any = _Clear()


def unavailable_options(spec: HandlerSpec, desired: Mapping[str, Any], available: Collection[str] | None) -> list[str]:
    """Options asked for that this Kapacitor does not have (so they cannot be sent)."""
    if available is None:
        return []
    return [o.name for o in spec.options if o.name in desired and desired[o.name] not in (None, "") and o.name not in available]


def _slack_way(
    spec: HandlerSpec, desired: Mapping[str, Any], current: Mapping[str, Any], available: Collection[str] | None
) -> Mapping[str, Any]:
    """Switching ways clears the other way's secret in the same request.

    Going to a Slack app (a bot token) points `url` at chat.postMessage unless a URL is given.
    Going to a webhook (a URL, no token) clears a stored token with `set token ""`: a `delete`
    would bring back a token from kapacitor.conf, and Kapacitor 1.6+ sends any token it has to
    whatever `url` is, as a bearer token.
    """
    if available is not None and "token" not in available:
        return desired
    token, url = desired.get("token"), desired.get("url")
    wanted = dict(desired)
    if token and token is not CLEAR and not url:
        wanted["url"] = SLACK_API_URL
    elif url and not token and current.get("token"):
        wanted["token"] = CLEAR
    return wanted


def _before(secret: bool, value: Any) -> Any:
    return secret_is_set(value) if secret else value


def _coerce(option: OptionSpec, value: Any) -> Any:
    """The value in the kind Kapacitor expects; callers checked it (values.problem)."""
    if option.kind is bool:
        return bool(value)
    if option.kind is str:
        return "" if value is None else str(value)
    if value is None:
        return ""
    return parse_text(option, value)
