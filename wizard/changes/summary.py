"""What one handler element has, in the words the handler list and `show` use.

Values that are not secret are shown as they are (`#alerts`, `chat 111222333`, `room ops`);
secrets only as set / not set (`webhook set`). Kapacitor itself sends secrets as booleans.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wizard.handlers.registry import HandlerSpec, HandlerStatus, handler_status
from wizard.changes.plan import show_value
from wizard.text.secrets import mask_userinfo

# How a value is written on the line; options not named here read "<name> <value>".
_VALUE_FORMAT = {
    "channel": "{}",
    "chat-id": "chat {}",
    "room": "room {}",
    "parse-mode": "parse mode {}",
    "username": "as {}",
    "icon-emoji": "icon {}",
}
# What a secret is called on the line.
_SECRET_NAME = {("slack", "url"): "webhook", ("slack", "token"): "app token"}
# Not worth a word: the state says them already, or the row's title does.
_LEFT_OUT = {"enabled", "default", "workspace"}


def _visible_options(spec: HandlerSpec, options: Mapping[str, Any], status: HandlerStatus) -> dict[str, Any]:
    """Non-secret options that differ from the default, with their values."""
    shown: dict[str, Any] = {}
    for option in spec.options:
        if option.name in _LEFT_OUT or option.name in status.secrets or option.name not in status.options_set:
            continue
        value = options.get(option.name, option.default)
        # An address may carry a user name and password (a relay's): never shown.
        shown[option.name] = mask_userinfo(value) if isinstance(value, str) and "://" in value else value
    return shown


def _slack_app(spec: HandlerSpec, status: HandlerStatus) -> bool:
    """Slack through a bot token: Kapacitor sends it to `url` as a bearer token, so `url` is no webhook."""
    return spec.name == "slack" and bool(status.secrets.get("token"))


def _secret_words(spec: HandlerSpec, status: HandlerStatus) -> list[str]:
    words = ["Slack app"] if _slack_app(spec, status) else []
    for name, is_set in status.secrets.items():
        option = spec.option(name)
        if not is_set and not option.required:
            continue  # an optional secret nobody set (Slack's app token) says nothing
        label = _SECRET_NAME.get((spec.name, name), name)
        if _slack_app(spec, status) and name == "url":
            label = "url"
        words.append(f"{label} {'set' if is_set else 'not set'}")
    return words


def details(spec: HandlerSpec, options: Mapping[str, Any], redacted: frozenset[str] = frozenset()) -> str:
    """`#alerts, webhook set`; `not configured yet` when nothing is set."""
    status = handler_status(spec, options, redacted)
    if not status.options_set:
        return "not configured yet"
    words = []
    for name, value in _visible_options(spec, options, status).items():
        if value is True:
            words.append(name)
        elif isinstance(value, (list, tuple, dict)):
            words.append(f"{name} {show_value(value)}")
        else:
            words.append(_VALUE_FORMAT.get(name, f"{name} {{}}").format(value))
    words += _secret_words(spec, status)
    return ", ".join(words)


def as_json(spec: HandlerSpec, options: Mapping[str, Any], redacted: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The same for scripts: values that are not secret, and secrets as true/false."""
    status = handler_status(spec, options, redacted)
    return {
        "handler": spec.name,
        "workspace": status.workspace,
        "enabled": status.enabled,
        "configured": status.configured,
        "options": _visible_options(spec, options, status),
        "secrets": {name: is_set for name, is_set in status.secrets.items()},
    }
