"""Validators for what people type. Each returns a `Verdict` and never raises."""
from __future__ import annotations

import ipaddress
import math
import os
import re
import stat
import unicodedata
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
    confirm: str = ""
    """Why the value needs an explicit yes before it is used (plain http:// to another host).
    Until then `error` refuses it; `confirmed()` is the verdict once the person said yes."""

    @property
    def ok(self) -> bool:
        return not self.error

    def confirmed(self) -> Verdict:
        """The verdict after the person confirmed: accepted, the reason kept as a warning."""
        return Verdict(self.value, warning=f"{self.confirm} {self.warning}".strip()) if self.confirm else self


LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1: for an address Kapacitor calls, Kapacitor's own machine."""
    host = host.lower().strip("[]").rstrip(".")
    if host in LOOPBACK_HOSTS or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_reason(url: str, what: str) -> str:
    """Why an http:// address that Kapacitor calls needs a confirmation; "" for https or loopback.

    Judged from Kapacitor's side: it is Kapacitor that calls the address, so loopback means
    Kapacitor's own machine, and any other host (an internal relay) gets the secret unencrypted.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    host = parts.hostname or ""
    if parts.scheme.lower() != "http" or not host or is_loopback(host):
        return ""
    return (
        f"Kapacitor would call {host} over plain http://, so {what}, a secret, travels unencrypted "
        f"between Kapacitor and {host}."
    )
SLACK_HOSTS = {"hooks.slack.com"}


def _clean(text: object) -> str:
    return text.strip() if isinstance(text, str) else ""


# Characters that never belong in a value: C0/C1 controls and DEL, surrogates (undecodable
# bytes from the command line, which cannot be sent or printed), private use, line and
# paragraph separators, and the bidirectional overrides that make text read differently
# from what it is. Emoji joiners (Cf) are fine in names, so format characters in general pass.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def control_character(text: str, *, strict: bool = False) -> str:
    """The first character that must not appear in a value, as `U+0007`; "" when there is none.

    `strict` (URLs, tokens, paths) refuses every Unicode "other" character, format characters included.
    """
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Co", "Zl", "Zp") or char in _BIDI_CONTROLS or (strict and category[0] == "C"):
            return f"U+{ord(char):04X}"
    return ""


def text_problem(value: str, what: str, maximum: int, *, strict: bool = False) -> str:
    """The shared rule for every text value: no control characters, at most `maximum` characters."""
    bad = control_character(value, strict=strict)
    if bad:
        return f"{what} contains a control character ({bad}); type it again without it."
    if len(value) > maximum:
        return f"{what} is too long: at most {maximum} characters."
    return ""


def no_control_chars(text: str, what: str = "The value", maximum: int = 4096) -> Verdict:
    """Any text without control characters, within `maximum` characters."""
    value = _clean(text)
    return Verdict(value, text_problem(value, what, maximum))


# -- addresses -------------------------------------------------------------------

_HOST_LABELS = re.compile(r"[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*\.?")


def _valid_host_name(host: str) -> bool:
    """A name httpx can connect to: dotted IPv4, ASCII labels, or an internationalized name (IDNA)."""
    if re.fullmatch(r"[0-9.]+", host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return False
        return True
    import idna  # httpx's own dependency, the same rules it applies when connecting

    try:
        ascii_host = host if host.isascii() else idna.encode(host.lower()).decode("ascii")
        if not _HOST_LABELS.fullmatch(ascii_host):
            return False
        for label in ascii_host.rstrip(".").split("."):
            if label.lower().startswith("xn--"):
                idna.decode(label)
    except (idna.IDNAError, UnicodeError, ValueError):
        return False
    return True


_BRACKETED = re.compile(r"\[([^\[\]]+)\](?::([^:]*))?")


def http_url(text: str, what: str = "The URL") -> Verdict:
    """An http:// or https:// address with a host, an optional port 1-65535, IPv6 in brackets.

    Whitespace and control characters are refused anywhere in it. The value is the
    stripped text; the error never repeats the address (it may hold a password).
    """
    value = _clean(text)
    if not value:
        return Verdict(value, f"{what} is empty; give an address such as https://host:port.")
    if any(c.isspace() for c in value):
        return Verdict(value, f"{what} contains a space or a line break; give it in one piece.")
    bad = control_character(value, strict=True)
    if bad:
        return Verdict(value, f"{what} contains a control character ({bad}); type it again without it.")
    if len(value) > 2048:
        return Verdict(value, f"{what} is too long: at most 2048 characters.")
    try:
        parts = urlsplit(value)
    except ValueError:
        return Verdict(value, f"{what} is not a valid address; an IPv6 address goes in brackets: http://[::1]:9092.")
    if parts.scheme.lower() not in ("http", "https") or not value.lower().startswith(parts.scheme.lower() + "://"):
        return Verdict(value, f"{what} must start with http:// or https://.")
    hostport = parts.netloc.rpartition("@")[2]
    if hostport.startswith("["):
        bracketed = _BRACKETED.fullmatch(hostport)
        try:
            ipaddress.IPv6Address(bracketed.group(1) if bracketed else "")
        except ValueError:
            return Verdict(value, f"{what} has a bad IPv6 address; write it in brackets: http://[::1]:9092.")
        assert bracketed is not None
        port_text = bracketed.group(2)
    else:
        host, colon, port_text_or_none = hostport.partition(":")
        if "[" in hostport or "]" in hostport:
            return Verdict(value, f"{what} has a stray bracket; an IPv6 address goes in brackets: http://[::1]:9092.")
        if ":" in port_text_or_none:
            return Verdict(value, f"{what} has more than one ':' in its host; an IPv6 address goes in brackets: http://[::1]:9092.")
        if not host:
            return Verdict(value, f"{what} has no host name, for example https://kapacitor.example.com:9092.")
        if not _valid_host_name(host):
            return Verdict(value, f"{what} has a host name with characters a host name cannot have.")
        port_text = port_text_or_none if colon else None
    if port_text is not None:
        if not (port_text.isascii() and port_text.isdigit() and len(port_text) <= 5 and 1 <= int(port_text) <= 65535):
            return Verdict(value, f"{what} has a bad port: give a number from 1 to 65535 after the ':'.")
    return Verdict(value)


def kapacitor_url(text: str, what: str = "Kapacitor's URL") -> Verdict:
    """Kapacitor's address; `host:9092` without a scheme means http://host:9092, as before."""
    value = _clean(text)
    without_scheme = bool(value) and "://" not in value and not any(c.isspace() for c in value)
    if without_scheme and "@" in value.split("/", 1)[0]:
        # `mailto:x@y` would read as user `mailto`, password `x`, host `y`: only host:port is shorthand.
        return Verdict(value, f"{what} must start with http:// or https://, or be host:port with a port from 1 to 65535.")
    verdict = http_url("http://" + value if without_scheme else value, what)
    if not verdict.ok:
        if without_scheme and "port" in verdict.error:
            # `javascript:…` or `host:port` with a bad port: name both accepted forms.
            return Verdict(verdict.value, f"{what} must start with http:// or https://, or be host:port with a port from 1 to 65535.")
        return verdict
    return Verdict(verdict.value.rstrip("/"))


def basic_auth_user(text: str) -> Verdict:
    """Kapacitor's basic-auth user: no control characters and no ':' (which ends the user in basic auth)."""
    value = _clean(text)
    problem = text_problem(value, "The user name", 256)
    if not problem and ":" in value:
        problem = "The user name cannot contain ':' (basic authentication ends the user name there)."
    return Verdict(value, problem)


# -- numbers and files -------------------------------------------------------------


def positive_seconds(text: str, maximum: float, what: str = "") -> Verdict:
    """A finite number of seconds above 0 and at most `maximum`; the value is the number as text."""
    value = _clean(text)
    what = f"{what}: " if what else ""
    if not value.isascii():
        return Verdict(value, f"{what}expected a number of seconds, such as 10.")
    try:
        seconds = float(value)
    except ValueError:
        return Verdict(value, f"{what}expected a number of seconds, such as 10.")
    if not math.isfinite(seconds) or seconds <= 0:
        return Verdict(value, f"{what}expected a number of seconds above 0.")
    if seconds > maximum:
        return Verdict(value, f"{what}at most {maximum:g} seconds.")
    return Verdict(repr(seconds))


PEM_MARKER = b"-----BEGIN CERTIFICATE-----"
PEM_MAX_BYTES = 1 << 20  # CA bundles run to a few hundred KiB


def pem_file(path: str, what: str = "The CA certificate") -> Verdict:
    """A readable regular file holding at least one PEM certificate that Python's ssl accepts.

    Opened without blocking, and checked to be a regular file before anything is read,
    so a FIFO or a device never stalls the check.
    """
    value = _clean(path)
    if not value:
        return Verdict(value, f"{what}: give the path of a PEM file.")
    problem = text_problem(value, f"{what}'s path", 4096, strict=True)
    if problem:
        return Verdict(value, problem)
    try:
        fd = os.open(value, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        return Verdict(value, f"{value} does not exist.")
    except IsADirectoryError:
        return Verdict(value, f"{value} is a folder, not a file.")
    except PermissionError:
        return Verdict(value, f"{value} cannot be read (permission denied).")
    except (OSError, ValueError) as err:
        return Verdict(value, f"{value} cannot be opened ({getattr(err, 'strerror', None) or 'bad path'}).")
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return Verdict(value, f"{value} is a folder, not a file.")
        if not stat.S_ISREG(info.st_mode):
            return Verdict(value, f"{value} is not a regular file.")
        if info.st_size > PEM_MAX_BYTES:
            return Verdict(value, f"{value} is larger than {PEM_MAX_BYTES >> 20} MiB; expected a PEM certificate.")
        data = os.read(fd, PEM_MAX_BYTES + 1)
    except OSError as err:
        return Verdict(value, f"{value} cannot be read ({err.strerror}).")
    finally:
        os.close(fd)
    if PEM_MARKER not in data:
        return Verdict(value, f"{value} holds no PEM certificate (no '-----BEGIN CERTIFICATE-----' line).")
    import ssl  # only when a CA file is given: loading ssl is a start-up cost otherwise

    try:
        ssl.create_default_context().load_verify_locations(cadata=data.decode("ascii", "replace"))
    except (ssl.SSLError, ValueError):
        return Verdict(value, f"{value} holds a PEM certificate that cannot be loaded.")
    return Verdict(value)


def config_file_path(path: str, what: str = "The kapacitor.conf path") -> Verdict:
    """A kapacitor.conf to read and write: a regular file, or none yet in a writable folder.

    Decided with stat alone: a FIFO, a device, a socket or a folder is refused
    without being opened (opening a FIFO waits for a writer forever).
    """
    value = _clean(path)
    if not value:
        return Verdict(value, f"{what} is empty; give the path of the kapacitor.conf to write.")
    problem = text_problem(value, what, 4096, strict=True)
    if problem:
        return Verdict(value, problem)
    try:
        info = os.stat(value)
    except FileNotFoundError:
        folder = os.path.dirname(os.path.abspath(value))
        if not os.path.isdir(folder):
            return Verdict(value, f"The folder {folder} does not exist.")
        if not os.access(folder, os.W_OK | os.X_OK):
            return Verdict(value, f"{value} does not exist and its folder {folder} is not writable.")
        return Verdict(value)
    except NotADirectoryError:
        return Verdict(value, f"A part of {value} is a file, not a folder.")
    except PermissionError:
        return Verdict(value, f"{value} cannot be reached (permission denied).")
    except (OSError, ValueError) as err:
        return Verdict(value, f"{value} cannot be used ({getattr(err, 'strerror', None) or 'bad path'}).")
    kind = _file_kind(info.st_mode)
    if kind:
        return Verdict(value, f"{value} is {kind}, not a regular file.")
    if not os.access(value, os.R_OK):
        return Verdict(value, f"{value} cannot be read (permission denied).")
    return Verdict(value)


def _file_kind(mode: int) -> str:
    """What a non-regular file is, in words; "" for a regular file."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "something else"


def slack_webhook_url(text: str, *, allow_http: bool = False) -> Verdict:
    """An incoming-webhook URL: https, with a host. Other hosts only warn (proxies, gateways).

    Plain http:// is fine to a host on Kapacitor's own machine; to another host (an internal
    relay) it needs a confirmation (`Verdict.confirm`), given here by `allow_http`.
    """
    verdict = _slack_webhook_url(text)
    return verdict.confirmed() if allow_http else verdict


def _slack_webhook_url(text: str) -> Verdict:
    value = _clean(text)
    if not value:
        return Verdict(value, "Paste the webhook URL that Slack showed you (it starts with https://hooks.slack.com/).")
    if any(c.isspace() for c in value):
        return Verdict(value, "The URL contains spaces; paste it again in one piece.")
    address = http_url(value, "The webhook URL")
    if not address.ok:
        if not value.lower().startswith(("http://", "https://")):
            return Verdict(value, "The webhook URL must be a full https:// address.")
        return address
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    reason = plain_http_reason(value, "the webhook URL")
    if reason:
        return Verdict(value, f"{reason} Use https://, or confirm that {host} is a relay you trust.", confirm=reason)
    if host not in SLACK_HOSTS:
        return Verdict(
            value,
            warning=f"{host} is not Slack's webhook host (hooks.slack.com). "
            "That is fine for a proxy or a self-hosted gateway; otherwise check the URL.",
        )
    if not re.fullmatch(r"/services/[^/]+/[^/]+/[^/]+", parts.path):
        return Verdict(value, warning="Slack webhook URLs look like /services/T…/B…/…; this one has another path.")
    return Verdict(value)


def slack_bot_token(text: str) -> Verdict:
    """A Slack app's Bot User OAuth Token: `xoxb-…`, one piece, no spaces."""
    value = _clean(text)
    if not value:
        return Verdict(value, "Paste the Bot User OAuth Token of your Slack app (it starts with xoxb-).")
    problem = text_problem(value, "The bot token", 256)
    if problem:
        return Verdict(value, problem)
    if any(c.isspace() for c in value):
        return Verdict(value, "The bot token contains spaces; paste it again in one piece.")
    if value.lower().startswith(("http://", "https://")):
        return Verdict(value, "That is a URL; a webhook URL goes with the incoming webhook way, the bot token starts with xoxb-.")
    if value.startswith(("xoxp-", "xapp-", "xoxa-", "xoxe-")):
        return Verdict(value, "That is not a bot token: use the Bot User OAuth Token (xoxb-…) from OAuth & Permissions.")
    if not value.startswith("xoxb-"):
        return Verdict(value, warning="Slack bot tokens start with xoxb-; check that this is the Bot User OAuth Token.")
    return Verdict(value)


# Slack: channel names and display names are at most 80 characters.
SLACK_NAME_MAX = 80


def slack_channel(text: str) -> Verdict:
    """Optional: `#channel` or `@person`; empty means the webhook's own channel."""
    value = _clean(text)
    if not value:
        return Verdict(value)
    problem = text_problem(value, "The channel", SLACK_NAME_MAX + 1)
    if problem:
        return Verdict(value, problem)
    if value[0] not in "#@":
        return Verdict(value, "Start with # for a channel (#alerts) or @ for a direct message (@alice).")
    if len(value) == 1 or any(c.isspace() for c in value):
        return Verdict(value, "A channel or user name has no spaces, for example #alerts or @alice.")
    return Verdict(value)


def slack_icon_emoji(text: str) -> Verdict:
    """Optional: an emoji code such as `:bell:` (Slack's emoji names have at most 100 characters)."""
    value = _clean(text)
    if not value:
        return Verdict(value)
    if not re.fullmatch(r":[a-z0-9_+'-]{1,100}:", value, flags=re.ASCII):
        return Verdict(value, "Write an emoji code between colons, for example :bell: or :rotating_light:.")
    return Verdict(value)


def slack_username(text: str) -> Verdict:
    """Optional: the name alerts are posted under."""
    value = _clean(text)
    problem = text_problem(value, "The username", SLACK_NAME_MAX)
    if problem:
        return Verdict(value, problem.replace("is too long: at most", "is too long: Slack shows at most"))
    return Verdict(value)


WORKSPACE_MAX = 64


def slack_workspace(text: str) -> Verdict:
    """A workspace key as Kapacitor accepts it in URLs: letters, digits, `_`, `-`, `+`."""
    return element_key(text, "workspace")


def telegram_token(text: str) -> Verdict:
    """A bot token as BotFather sends it: `<bot id digits>:<35 characters>`."""
    value = _clean(text)
    if not value:
        return Verdict(value, "Paste the token that @BotFather sent you.")
    # ASCII only: \d would take Arabic-Indic or full-width digits, which Telegram does not.
    if not re.fullmatch(r"[0-9]{3,20}:[A-Za-z0-9_-]{20,100}", value):
        return Verdict(value, "A bot token looks like 123456789:AAH…; copy the whole line BotFather sent.")
    return Verdict(value)


CHAT_ID_RANGE = (-(2**63), 2**63 - 1)
"""Telegram chat ids are signed 64-bit integers."""


def telegram_chat_id(text: str) -> Verdict:
    """A signed integer (ASCII digits, within 64 bits, not zero), or `@channelname` for a public channel."""
    value = _clean(text)
    if not value:
        return Verdict(value, "Enter a chat id (a number such as -1001234567890) or @channelname.")
    digits = value[1:] if value.startswith("-") else value
    if digits.isascii() and digits.isdigit():
        if len(digits.lstrip("0")) > 19 or not CHAT_ID_RANGE[0] <= int(value) <= CHAT_ID_RANGE[1]:
            return Verdict(value, "This chat id is out of range; Telegram's ids fit in 64 bits (up to 19 digits).")
        if int(value) == 0:
            return Verdict(value, "0 is not a chat id; a chat id is a number such as -1001234567890.")
        return Verdict(str(int(value)))
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


HIPCHAT_ROOM_NAME_MAX = 50
"""HipChat's limit for a room name; a room id is digits."""


def hipchat_room(text: str) -> Verdict:
    """A room's name (at most 50 characters) or its numeric id."""
    value = _clean(text)
    if not value:
        return Verdict(value, "Enter the room's name or its numeric id.")
    problem = text_problem(value, "The room", HIPCHAT_ROOM_NAME_MAX)
    if problem:
        return Verdict(value, problem)
    if value.isdigit() and not value.isascii():
        return Verdict(value, "A room id is written with the digits 0-9.")
    return Verdict(value)


def hipchat_token(text: str) -> Verdict:
    """An API token: printable ASCII without spaces (HipChat's are 40 letters and digits)."""
    value = _clean(text)
    if not value:
        return Verdict(value, "Paste the API token with the Send Notification scope.")
    if any(c.isspace() for c in value):
        return Verdict(value, "A token has no spaces; copy it again.")
    problem = text_problem(value, "The token", 256, strict=True)
    if problem:
        return Verdict(value, problem)
    if not value.isascii():
        return Verdict(value, "A token has only letters, digits and punctuation from the keyboard; copy it again.")
    return Verdict(value)


def any_text(text: str) -> Verdict:
    """Free text: no control characters, at most 4096 characters."""
    return no_control_chars(text)


# -- the other event handlers (wizard/handlers/catalog.py) ---------------------------------
# Kapacitor accepts several of these values and fails only later: an address without a
# port at test time, a fraction for an integer at every later config read and at its next
# start. So they are refused here, before anything is sent.

import json as _json  # noqa: E402  (kept beside the validators that read JSON objects)
from collections.abc import Callable  # noqa: E402


def optional_http_url(text: str, what: str = "The URL") -> Verdict:
    """Empty, or an http:// or https:// address."""
    value = _clean(text)
    return Verdict(value) if not value else http_url(value, what)


def service_url(text: str) -> Verdict:
    """A service's API or webhook address: http:// or https://, with a host."""
    return http_url(text, "The URL")


def webhook_url(text: str) -> Verdict:
    """An incoming webhook's URL (Discord, Teams, Talk): it carries its own secret, so plain
    http:// to a host other than Kapacitor's own needs a confirmation (`Verdict.confirm`)."""
    return _confirm_plain_http(http_url(text, "The webhook URL"), "the webhook URL")


def _confirm_plain_http(verdict: Verdict, what: str) -> Verdict:
    if not verdict.ok:
        return verdict
    reason = plain_http_reason(verdict.value, what)
    if reason:
        host = urlsplit(verdict.value).hostname or ""
        return Verdict(verdict.value, f"{reason} Use https://, or confirm that {host} is a relay you trust.", confirm=reason)
    return verdict


def _secret_service_url(what: str, doc: str) -> Callable[[str], Verdict]:
    def check(text: str) -> Verdict:
        return _confirm_plain_http(http_url(text, "The URL"), what)

    check.__doc__ = doc
    return check


api_url_with_key = _secret_service_url(
    "the key", "A service's API address that Kapacitor sends a key or token to: http:// elsewhere needs a yes.")
api_url_with_password = _secret_service_url(
    "the password", "An API address that Kapacitor sends a user's password to: http:// elsewhere needs a yes.")


def url_template(text: str) -> Verdict:
    """httppost's url: an address, or a Go template that makes one (`{{.ID}}` parts are filled per alert)."""
    value = _clean(text)
    if "{{" in value:
        problem = text_problem(value, "The URL template", 2048, strict=True)
        if problem:
            return Verdict(value, problem)
        if value.count("{{") != value.count("}}"):
            return Verdict(value, "The URL template has a '{{' without its '}}'.")
        if not value.lower().startswith(("http://", "https://")):
            return Verdict(value, "The URL template must start with http:// or https://.")
        return Verdict(value)
    return http_url(value, "The URL")


def host_port(text: str, what: str = "The address", port: int = 3030) -> Verdict:
    """`host:port` with a port from 1 to 65535 (an IPv6 host in brackets: `[::1]:162`).

    Kapacitor accepts an address without a port and only fails when it sends. `port` is the
    one the examples in the messages use."""
    value = _clean(text)
    example = f"{what} must be host:port, for example localhost:{port} or [::1]:{port}."
    if not value:
        return Verdict(value, f"{what} is empty; give host:port, for example localhost:{port}.")
    if any(c.isspace() for c in value) or "://" in value or "/" in value:
        return Verdict(value, example)
    bad = control_character(value, strict=True)
    if bad:
        return Verdict(value, f"{what} contains a control character ({bad}); type it again without it.")
    if value.startswith("["):
        bracketed = _BRACKETED.fullmatch(value)
        if not bracketed or bracketed.group(2) is None:
            return Verdict(value, example)
        try:
            ipaddress.IPv6Address(bracketed.group(1))
        except ValueError:
            return Verdict(value, f"{what} has a bad IPv6 address; write it in brackets: [::1]:{port}.")
        port_text = bracketed.group(2)
    else:
        host, colon, port_text = value.rpartition(":")
        if not colon:
            return Verdict(value, f"{what} needs a port: write host:port, for example {value}:{port}.")
        if ":" in host:
            return Verdict(value, f"{what}: an IPv6 address goes in brackets, for example [::1]:{port}.")
        if not host or not _valid_host_name(host):
            return Verdict(value, f"{what} has no valid host name before the ':'.")
    if not (port_text.isascii() and port_text.isdigit() and len(port_text) <= 5 and 1 <= int(port_text) <= 65535):
        return Verdict(value, f"{what} has a bad port: give a number from 1 to 65535 after the ':'.")
    return Verdict(value)


def sensu_addr(text: str) -> Verdict:
    """The Sensu client's socket, host:port (Sensu's default is 3030)."""
    return host_port(text, "The Sensu client address")


def snmptrap_addr(text: str) -> Verdict:
    """The trap receiver, host:port (UDP; SNMP traps go to port 162)."""
    return host_port(text, "The trap receiver address", 162)


def port_number(text: str, what: str = "The port") -> Verdict:
    """A whole number from 1 to 65535. A fraction is refused: Kapacitor stores `25.5` for the
    SMTP port and then fails on every later config read and at its next start."""
    value = _clean(text)
    if not value:
        return Verdict(value, f"{what} is empty; give a number from 1 to 65535, such as 587.")
    if value.isascii() and value.isdigit():
        if 1 <= int(value) <= 65535:
            return Verdict(str(int(value)))
        return Verdict(value, f"{what} must be from 1 to 65535.")
    try:
        float(value)
    except ValueError:
        return Verdict(value, f"{what} must be a whole number from 1 to 65535, such as 587.")
    return Verdict(value, f"{what} must be a whole number from 1 to 65535 (no fraction or sign): Kapacitor stores "
                          "a fraction and then fails on every later read and at its next start.")


def smtp_port(text: str) -> Verdict:
    return port_number(text, "The SMTP port")


def whole_number(text: str, what: str = "The number", minimum: int = 0, maximum: int = 2**31 - 1) -> Verdict:
    """A whole number within a range; empty keeps Kapacitor's value."""
    value = _clean(text)
    if not value:
        return Verdict(value)
    digits = value[1:] if value.startswith("-") else value
    if not (digits.isascii() and digits.isdigit()):
        return Verdict(value, f"{what} must be a whole number, such as {max(minimum, 1)}.")
    number = int(value)
    if not minimum <= number <= maximum:
        return Verdict(value, f"{what} must be from {minimum} to {maximum}.")
    return Verdict(str(number))


def retries(text: str) -> Verdict:
    return whole_number(text, "Retries", 0, 100)


def batch_size(text: str) -> Verdict:
    return whole_number(text, "The batch size", 0, 1_000_000)


def zenoss_tid(text: str) -> Verdict:
    return whole_number(text, "The transaction id", 0, 2**63 - 1)


_EMAIL = re.compile(r"[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+")
_NAMED_EMAIL = re.compile(r"[^<>]*<([^<>]+)>")


def _bare_address(address: str) -> str:
    named = _NAMED_EMAIL.fullmatch(address)
    return named.group(1).strip() if named else address


def _email_problem(address: str, what: str) -> str:
    if control_character(address, strict=True):
        return f"{what} contains a control character; type it again without it."
    if not _EMAIL.fullmatch(_bare_address(address)):
        return f"{what} is not an email address such as alerts@example.com."
    return ""


def _email_doubt(address: str) -> str:
    """A warning for an address whose domain has no dot (fine for an intranet mail host)."""
    domain = _bare_address(address).rpartition("@")[2].lower()
    if "." not in domain and domain != "localhost":
        return f"{domain} has no dot: fine for a mail host on your network, otherwise check the address."
    return ""


def email_address(text: str, what: str = "The address") -> Verdict:
    """One address: `alerts@example.com` or `Kapacitor <alerts@example.com>`."""
    value = _clean(text)
    if not value:
        return Verdict(value, f"{what} is empty; give an email address such as kapacitor@example.com.")
    problem = _email_problem(value, f"{what} {value[:60]!r}")
    return Verdict(value, problem, "" if problem else _email_doubt(value))


def smtp_from(text: str) -> Verdict:
    return email_address(text, "The sender address")


def email_list(text: str, what: str = "Recipients") -> Verdict:
    """Comma-separated addresses; empty is allowed (alert rules can name recipients with .to())."""
    value = _clean(text)
    for address in (part.strip() for part in value.split(",")):
        if address:
            problem = _email_problem(address, f"{address[:60]!r}")
            if problem:
                return Verdict(value, f"{what}: {problem}")
    doubts = [_email_doubt(a.strip()) for a in value.split(",") if a.strip()]
    return Verdict(value, warning=next((d for d in doubts if d), ""))


_DURATION = re.compile(r"(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+")


def go_duration(text: str, what: str = "The duration", *, positive: bool = False) -> Verdict:
    """A duration in Go's syntax: `10s`, `1m30s`, `500ms`, `2h`; `0` or `0s` for none. Empty keeps Kapacitor's value."""
    value = _clean(text)
    if not value:
        return Verdict(value)
    if value == "0" or _DURATION.fullmatch(value):
        if positive and not re.search(r"[1-9]", value):
            return Verdict(value, f"{what} must be above zero, such as 30s.")
        return Verdict(value)
    if value.startswith("-"):
        return Verdict(value, f"{what} cannot be negative; write it like 10s or 1m30s.")
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return Verdict(value, f"{what} needs a unit: write {value}s for seconds (Go durations: 500ms, 10s, 1m30s, 2h).")
    return Verdict(value, f"{what} is written like 10s, 1m30s, 500ms or 2h (units ns, us, ms, s, m, h).")


def timeout(text: str) -> Verdict:
    return go_duration(text, "The timeout")


def idle_timeout(text: str) -> Verdict:
    """SMTP's idle-timeout: Kapacitor refuses zero (`idle timeout must be positive`)."""
    return go_duration(text, "The idle timeout", positive=True)


def batch_timeout(text: str) -> Verdict:
    return go_duration(text, "The batch timeout")


MQTT_SCHEMES = ("tcp", "ssl", "tls", "ws", "wss", "mqtt", "mqtts")


def mqtt_url(text: str) -> Verdict:
    """The broker: `tcp://host:1883`, `ssl://host:8883`, `ws://host:80/mqtt`; the port is needed."""
    value = _clean(text)
    if not value:
        return Verdict(value, "The broker URL is empty; give one such as tcp://broker.example.com:1883.")
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() not in MQTT_SCHEMES:
        return Verdict(value, "The broker URL must start with tcp://, ssl://, ws:// or wss://, for example tcp://broker:1883.")
    if "@" in rest.split("/", 1)[0]:
        return Verdict(value, "Put the user name and password in their own fields, not in the broker URL.")
    hostport = rest.split("/", 1)[0]
    if scheme.lower() in ("ws", "wss") and ":" not in hostport.rstrip("]"):
        # Checked as the http(s) address it stands for (port 80 or 443), but kept as written:
        # paho (Kapacitor's MQTT client) dials a websocket only for ws:// and wss://.
        checked = http_url(("http" if scheme.lower() == "ws" else "https") + "://" + rest, "The broker URL")
        return Verdict(value, checked.error)
    default_port = 8883 if scheme.lower() in ("ssl", "tls", "mqtts") else 1883
    verdict = host_port(hostport, "The broker URL", default_port)
    if not verdict.ok:
        if "needs a port" in verdict.error:
            return Verdict(value, f"The broker URL needs a port: {scheme}://{hostport}:{default_port}.")
        return Verdict(value, verdict.error)
    return Verdict(value)


def kafka_brokers(text: str) -> Verdict:
    """Comma-separated `host:port` addresses of Kafka brokers (no scheme)."""
    value = _clean(text)
    brokers = [part.strip() for part in value.split(",") if part.strip()]
    if not brokers:
        return Verdict(value, "Give at least one broker as host:port, for example kafka1:9092, kafka2:9092.")
    for broker in brokers:
        verdict = host_port(broker, f"The broker {broker[:60]!r}", 9092)
        if not verdict.ok:
            if "://" in broker:
                return Verdict(value, f"Write the broker {broker[:60]!r} as host:port, without a scheme (kafka1:9092).")
            return Verdict(value, verdict.error)
    return Verdict(value)


KAFKA_SASL_FIELDS: dict[str, type] = {
    "SASLUsername": str, "SASLPassword": str, "SASLExtensions": dict, "SASLMechanism": str,
    "SASLVersion": int, "SASLGSSAPIServiceName": str, "SASLGSSAPIAuthType": str,
    "SASLGSSAPIDisablePAFXFAST": bool, "SASLGSSAPIKerberosConfigPath": str, "SASLGSSAPIKeyTabPath": str,
    "SASLGSSAPIRealm": str, "SASLOAUTHService": str, "SASLOAUTHClientID": str, "SASLOAUTHClientSecret": str,
    "SASLOAUTHTokenURL": str, "SASLOAUTHScopes": list, "SASLOAUTHParams": dict, "SASLOAUTHExpiryMargin": str,
    "SASLAccessToken": str, "SASLOAUTHTenant": str,
}
"""Kafka's SASL settings: one object option `SASLAuth` with Go's field names, as Kapacitor 1.8 shows it."""
KAFKA_SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "GSSAPI", "OAUTHBEARER")


def _sasl_field(key: str) -> str:
    """The Go field name a kebab-case or lower-case name means (`sasl-username` → SASLUsername)."""
    squeezed = key.replace("-", "").replace("_", "").lower()
    aliases = {"sasloauthtokenexpirymargin": "SASLOAUTHExpiryMargin", "sasloauthtenantid": "SASLOAUTHTenant",
               "sasloauthparameters": "SASLOAUTHParams", "saslgssapidisablepafxfast": "SASLGSSAPIDisablePAFXFAST"}
    if squeezed in aliases:
        return aliases[squeezed]
    for name in KAFKA_SASL_FIELDS:
        if name.lower() in (squeezed, "sasl" + squeezed):
            return name
    return ""


def kafka_sasl(text: str) -> Verdict:
    """`SASLAuth`: key=value pairs or a JSON object with Go's field names (SASLUsername=…, SASLMechanism=PLAIN).

    Refused before sending: names Kapacitor calls unknown (`sasl-username`), and a number for
    SASLOAUTHExpiryMargin, which Kapacitor stores and then fails on every config read and at its next start.
    """
    value = _clean(text)
    if not value:
        return Verdict(value)
    if value.startswith("{"):
        try:
            pairs = _json.loads(value)
        except ValueError:
            return Verdict(value, "The SASL settings are not a valid JSON object.")
        if not isinstance(pairs, dict):
            return Verdict(value, 'The SASL settings must be an object such as {"SASLMechanism": "PLAIN"}.')
    else:
        pairs = {}
        for part in value.split(","):
            key, sep, item = part.partition("=")
            if part.strip() and (not sep or not key.strip()):
                return Verdict(value, "Write the SASL settings as Name=value pairs, for example "
                                      "SASLMechanism=PLAIN, SASLUsername=kapacitor, SASLPassword=….")
            if part.strip():
                pairs[key.strip()] = item.strip()
    for key, item in pairs.items():
        if key not in KAFKA_SASL_FIELDS:
            meant = _sasl_field(str(key))
            hint = f" Write it as {meant}." if meant else f" Known names: {', '.join(list(KAFKA_SASL_FIELDS)[:4])}, …"
            return Verdict(value, f"Kapacitor does not know the SASL setting {str(key)[:40]!r}.{hint}")
        kind = KAFKA_SASL_FIELDS[key]
        if key == "SASLOAUTHExpiryMargin":
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                return Verdict(value, "SASLOAUTHExpiryMargin must be a duration such as 10s, not a number: Kapacitor "
                                      "stores a number and then fails on every config read and at its next start.")
            if not isinstance(item, str) or not go_duration(item).ok:
                return Verdict(value, "SASLOAUTHExpiryMargin is a duration such as 10s or 1m.")
        elif kind is str and not isinstance(item, str):
            return Verdict(value, f"{key} must be text.")
        elif kind is bool and not isinstance(item, bool) and str(item).lower() not in ("true", "false"):
            return Verdict(value, f"{key} must be true or false.")
        elif kind is int and not (isinstance(item, int) and not isinstance(item, bool)) and not str(item).isdigit():
            return Verdict(value, f"{key} must be a whole number.")
        elif kind in (list, dict) and isinstance(item, str):
            return Verdict(value, f"{key} holds a {'list' if kind is list else 'object'}: give the SASL settings as a JSON object.")
    mechanism = pairs.get("SASLMechanism", "")
    if mechanism and mechanism not in KAFKA_SASL_MECHANISMS:
        return Verdict(value, f"SASLMechanism must be one of {', '.join(KAFKA_SASL_MECHANISMS)}.")
    if mechanism == "OAUTHBEARER" and not (pairs.get("SASLOAUTHClientID") and pairs.get("SASLOAUTHClientSecret")) and not pairs.get("SASLAccessToken"):
        return Verdict(value, "OAUTHBEARER needs SASLOAUTHClientID and SASLOAUTHClientSecret (or SASLAccessToken).")
    return Verdict(value)


def opsgenie_recovery_action(text: str) -> Verdict:
    """What OpsGenie does on recovery: `notes` (add a note) or `close` (close the alert)."""
    value = _clean(text).lower()
    if value in ("notes", "close"):
        return Verdict(value)
    if not value:
        return Verdict(value, "Choose notes (add a note on recovery) or close (close the alert).")
    return Verdict(value, "Kapacitor knows only notes or close; anything else silently acts as notes.")


def sensu_source(text: str) -> Verdict:
    """Sensu's source name: letters, digits, '_', '.' and '-' (Sensu's name rule)."""
    value = _clean(text)
    if value and not re.fullmatch(r"[\w.-]+", value, flags=re.ASCII):
        return Verdict(value, "Use only letters, digits, '_', '.' and '-' in the source name.")
    return Verdict(value)


def name_list(text: str, what: str = "The names") -> Verdict:
    """Comma-separated names (teams, recipients, Sensu handlers)."""
    value = _clean(text)
    return Verdict(value, text_problem(value, what, 4096))


_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def http_headers(text: str) -> Verdict:
    """Extra HTTP headers: Name=value pairs or a JSON object of strings."""
    value = _clean(text)
    if not value:
        return Verdict(value)
    pairs = _pairs(value)
    if isinstance(pairs, str):
        return Verdict(value, f"Headers: {pairs}")
    for name, item in pairs.items():
        if not _HEADER_NAME.fullmatch(str(name)):
            return Verdict(value, "A header name has only letters, digits and - (write Name=value, for example X-Token=…).")
        if not isinstance(item, str):
            return Verdict(value, f"The header {name} must have a text value.")
        if control_character(item):
            return Verdict(value, f"The header {name} contains a control character.")
    return Verdict(value)


def basic_auth(text: str) -> Verdict:
    """httppost's basic-auth object: username=…, password=… (Kapacitor needs both)."""
    value = _clean(text)
    if not value:
        return Verdict(value)
    pairs = _pairs(value)
    if isinstance(pairs, str):
        return Verdict(value, f"Basic authentication: {pairs}")
    unknown = [k for k in pairs if k not in ("username", "password")]
    if unknown:
        return Verdict(value, "Basic authentication takes only username=… and password=….")
    if not (pairs.get("username") and pairs.get("password")):
        return Verdict(value, "Basic authentication needs both username=… and password=… (Kapacitor refuses one alone).")
    if ":" in str(pairs["username"]):
        return Verdict(value, "The user name cannot contain ':' (basic authentication ends the user name there).")
    return Verdict(value)


ZENOSS_LEVELS = ("ok", "info", "warning", "critical")


def severity_map(text: str) -> Verdict:
    """Zenoss severities per alert level: ok=Clear, info=Info, warning=Warning, critical=Critical."""
    value = _clean(text)
    if not value:
        return Verdict(value)
    pairs = _pairs(value)
    if isinstance(pairs, str):
        return Verdict(value, f"The severity map: {pairs}")
    unknown = [k for k in pairs if k not in ZENOSS_LEVELS]
    if unknown:
        return Verdict(value, f"The severity map knows only the levels ok, info, warning and critical (not {str(unknown[0])[:20]!r}).")
    return Verdict(value)


def go_template(text: str, what: str = "The template") -> Verdict:
    """Empty, or text whose `{{ … }}` actions are closed: Kapacitor stores a template that does
    not parse and then refuses the change with an error from the running service."""
    value = text if isinstance(text, str) else ""
    if not value.strip():
        return Verdict("")
    if "\n" in value or "\r" in value:
        return Verdict(value, f"{what} is one line here; put a template of several lines in a file and give its path.")
    problem = text_problem(value, what, 65536)
    if problem:
        return Verdict(value, problem)
    depth = 0
    for match in re.finditer(r"\{\{|\}\}", value):
        depth += 1 if match.group() == "{{" else -1
        if depth not in (0, 1):
            return Verdict(value, f"{what} has a '}}}}' without its '{{{{', or a '{{{{' inside another action.")
    if depth:
        return Verdict(value, f"{what} has a '{{{{' without its '}}}}'.")
    if re.search(r"\{\{-?\s*-?\}\}", value):
        return Verdict(value, f"{what} has an empty {{{{ }}}} action.")
    return Verdict(value)


def alert_template(text: str) -> Verdict:
    return go_template(text, "The alert template")


def row_template(text: str) -> Verdict:
    return go_template(text, "The row template")


def recipient_templates(text: str) -> Verdict:
    """smtp's to-templates: comma-separated Go templates that make addresses."""
    value = _clean(text)
    for part in (p.strip() for p in value.split(",")):
        verdict = go_template(part, f"The recipient template {part[:40]!r}")
        if part and not verdict.ok:
            return Verdict(value, verdict.error)
    return Verdict(value)


def absolute_path(text: str, what: str = "The file") -> Verdict:
    """Empty, or an absolute path (Kapacitor refuses a relative template file)."""
    value = _clean(text)
    if value and not value.startswith("/"):
        return Verdict(value, f"{what} must be an absolute path, starting with /.")
    return Verdict(value, text_problem(value, what, 4096, strict=True) if value else "")


def _pairs(text: str) -> dict | str:
    """key=value pairs or a JSON object, read as values.py reads every object; a str is what is wrong."""
    from wizard.text.values import ValueProblem, parse_object  # values builds on this module

    try:
        return parse_object(text)
    except ValueProblem as exc:
        return str(exc)


def element_key(text: str, noun: str = "element") -> Verdict:
    """The name of a list section's element (a Discord workspace, an HTTP post endpoint, a Kafka
    cluster, an MQTT broker) as Kapacitor can address it in its config URLs."""
    value = _clean(text)
    if not value:
        return Verdict(value, f"Give the {noun} a short name, for example team2.")
    if not re.fullmatch(r"[-\w+]+", value, flags=re.ASCII):
        return Verdict(value, f"Use only letters, digits, '_', '-' and '+' in {'an' if noun[0] in 'aeiou' else 'a'} {noun} name.")
    if len(value) > WORKSPACE_MAX:
        return Verdict(value, f"{'An' if noun[0] in 'aeiou' else 'A'} {noun} name has at most {WORKSPACE_MAX} characters.")
    return Verdict(value)


def smtp_host(text: str) -> Verdict:
    """The mail server's name or address, without a scheme or port (the port has its own field)."""
    value = _clean(text)
    if not value:
        return Verdict(value, "The SMTP server is empty; give its name, such as smtp.example.com.")
    if "://" in value:
        return Verdict(value, "Give only the server's name, such as smtp.example.com, without smtp:// or https://.")
    host = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    if ":" in host and not host.count(":") > 1:
        return Verdict(value, "Give the port in the Port field, not after the server's name.")
    if host.count(":") > 1:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return Verdict(value, "The SMTP server is not a valid host name or IPv6 address.")
        return Verdict(value)
    if not _valid_host_name(host):
        return Verdict(value, "The SMTP server has characters a host name cannot have.")
    return Verdict(value)


def _key_text(text: str, what: str) -> Verdict | str:
    """A pasted key: one piece, no control characters, not a URL. Returns the cleaned text or a refusal."""
    value = _clean(text)
    if not value:
        return value
    problem = text_problem(value, what, 1024, strict=True)
    if problem:
        return Verdict(value, problem)
    if any(c.isspace() for c in value):
        return Verdict(value, f"{what} has no spaces; copy it again in one piece.")
    if value.lower().startswith(("http://", "https://")):
        return Verdict(value, f"That is a URL; {what[0].lower() + what[1:]} is only the key itself.")
    return value


def api_key(text: str) -> Verdict:
    """A service's API key or token: one piece of printable text."""
    checked = _key_text(text, "The key")
    return checked if isinstance(checked, Verdict) else Verdict(checked)


def pagerduty_key(text: str) -> Verdict:
    """A PagerDuty integration key (32 letters and digits): one piece, not the Events API URL."""
    checked = _key_text(text, "The integration key")
    return checked if isinstance(checked, Verdict) else Verdict(checked)


def opsgenie_key(text: str) -> Verdict:
    """An Opsgenie API integration key: one piece, not a URL."""
    checked = _key_text(text, "The API key")
    return checked if isinstance(checked, Verdict) else Verdict(checked)


def pushover_key(text: str) -> Verdict:
    """A Pushover application token or user/group key: 30 letters and digits."""
    checked = _key_text(text, "The key")
    if isinstance(checked, Verdict) or not checked:
        return checked if isinstance(checked, Verdict) else Verdict(checked)
    if not re.fullmatch(r"[A-Za-z0-9]{30}", checked):
        return Verdict(checked, "Pushover keys and tokens are 30 letters and digits; copy the whole key.")
    return Verdict(checked)


def alerta_url(text: str) -> Verdict:
    """Alerta's API base; Kapacitor adds /alert itself."""
    verdict = _confirm_plain_http(http_url(text, "The Alerta API URL"), "the token")
    if verdict.ok and urlsplit(verdict.value).path.rstrip("/").endswith("/alert"):
        return Verdict(verdict.value, warning="Kapacitor adds /alert itself; give the API's base (…/api), or alerts go to …/alert/alert.")
    return verdict


def victorops_url(text: str) -> Verdict:
    """The REST endpoint up to /alert: Kapacitor adds /<api-key>/<routing-key> itself."""
    verdict = _confirm_plain_http(http_url(text, "The REST endpoint URL"), "the API key in it")
    if verdict.ok:
        path = urlsplit(verdict.value).path
        if "/alert/" in path and path.split("/alert/", 1)[1].strip("/"):
            return Verdict(verdict.value, "Give the endpoint only up to …/alert; the API key and routing key go in their own fields.")
    return verdict
