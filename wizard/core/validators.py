"""Validators for what people type. Each returns a `Verdict` and never raises."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of checking one value.

    `error` refuses the value; `warning` accepts it but tells the person something
    worth knowing; `value` is the cleaned value to use (stripped, normalized).
    """

    value: str
    error: str = ""
    warning: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
SLACK_HOSTS = {"hooks.slack.com"}


def _clean(text: object) -> str:
    return text.strip() if isinstance(text, str) else ""


def slack_webhook_url(text: str) -> Verdict:
    """An incoming-webhook URL: https, with a host. Other hosts only warn (proxies, gateways)."""
    value = _clean(text)
    if not value:
        return Verdict(value, "Paste the webhook URL that Slack showed you (it starts with https://hooks.slack.com/).")
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        return Verdict(value, "This is not a valid URL.")
    if any(c.isspace() for c in value):
        return Verdict(value, "The URL contains spaces; paste it again in one piece.")
    if parts.scheme not in ("https", "http") or not host:
        return Verdict(value, "The webhook URL must be a full https:// address.")
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        return Verdict(value, "Slack webhooks need https://; plain http:// is accepted only for a relay on this machine.")
    if host not in SLACK_HOSTS:
        return Verdict(
            value,
            warning=f"{host} is not Slack's webhook host (hooks.slack.com). "
            "That is fine for a proxy or a self-hosted gateway; otherwise check the URL.",
        )
    if not re.fullmatch(r"/services/[^/]+/[^/]+/[^/]+", parts.path):
        return Verdict(value, warning="Slack webhook URLs look like /services/T…/B…/…; this one has another path.")
    return Verdict(value)


def slack_channel(text: str) -> Verdict:
    """Optional: `#channel` or `@person`; empty means the webhook's own channel."""
    value = _clean(text)
    if not value:
        return Verdict(value)
    if value[0] not in "#@":
        return Verdict(value, "Start with # for a channel (#alerts) or @ for a direct message (@alice).")
    if len(value) == 1 or any(c.isspace() for c in value):
        return Verdict(value, "A channel or user name has no spaces, for example #alerts or @alice.")
    return Verdict(value)


def slack_icon_emoji(text: str) -> Verdict:
    """Optional: an emoji code such as `:bell:`."""
    value = _clean(text)
    if not value:
        return Verdict(value)
    if not re.fullmatch(r":[a-z0-9_+'-]+:", value):
        return Verdict(value, "Write an emoji code between colons, for example :bell: or :rotating_light:.")
    return Verdict(value)


def slack_username(text: str) -> Verdict:
    """Optional: the name alerts are posted under."""
    value = _clean(text)
    if len(value) > 80:
        return Verdict(value, "Slack shows at most 80 characters of a username.")
    return Verdict(value)


def slack_workspace(text: str) -> Verdict:
    """A workspace key as Kapacitor accepts it in URLs: letters, digits, `_`, `-`, `+`."""
    value = _clean(text)
    if not value:
        return Verdict(value, "Give the workspace a short name, for example team2.")
    if not re.fullmatch(r"[-\w+]+", value):
        return Verdict(value, "Use only letters, digits, '_', '-' and '+' in a workspace name.")
    return Verdict(value)


def telegram_token(text: str) -> Verdict:
    """A bot token as BotFather sends it: `<digits>:<35 characters>`."""
    value = _clean(text)
    if not value:
        return Verdict(value, "Paste the token that @BotFather sent you.")
    if not re.fullmatch(r"\d{3,}:[A-Za-z0-9_-]{20,}", value):
        return Verdict(value, "A bot token looks like 123456789:AAH…; copy the whole line BotFather sent.")
    return Verdict(value)


def telegram_chat_id(text: str) -> Verdict:
    """A signed integer, or `@channelname` for a public channel."""
    value = _clean(text)
    if not value:
        return Verdict(value, "Enter a chat id (a number such as -1001234567890) or @channelname.")
    if re.fullmatch(r"-?\d{1,20}", value):
        return Verdict(value)
    if re.fullmatch(r"@[A-Za-z][A-Za-z0-9_]{4,31}", value):
        return Verdict(value)
    return Verdict(value, "A chat id is a number such as -1001234567890, or @channelname for a public channel.")


def telegram_parse_mode(text: str) -> Verdict:
    value = _clean(text)
    for mode in ("Markdown", "HTML"):
        if value.lower() == mode.lower():
            return Verdict(mode)
    if not value:
        return Verdict("")
    return Verdict(value, "Kapacitor accepts only Markdown or HTML.")


def hipchat_room(text: str) -> Verdict:
    value = _clean(text)
    if not value:
        return Verdict(value, "Enter the room's name or its numeric id.")
    return Verdict(value)


def hipchat_token(text: str) -> Verdict:
    value = _clean(text)
    if not value:
        return Verdict(value, "Paste the API token with the Send Notification scope.")
    if any(c.isspace() for c in value):
        return Verdict(value, "A token has no spaces; copy it again.")
    return Verdict(value)


def any_text(text: str) -> Verdict:
    return Verdict(_clean(text))
