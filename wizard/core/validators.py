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

    @property
    def ok(self) -> bool:
        return not self.error


LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
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


def slack_webhook_url(text: str) -> Verdict:
    """An incoming-webhook URL: https, with a host. Other hosts only warn (proxies, gateways)."""
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
    if parts.scheme.lower() == "http" and host not in LOOPBACK_HOSTS:
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
    value = _clean(text)
    if not value:
        return Verdict(value, "Give the workspace a short name, for example team2.")
    if not re.fullmatch(r"[-\w+]+", value):
        return Verdict(value, "Use only letters, digits, '_', '-' and '+' in a workspace name.")
    if len(value) > WORKSPACE_MAX:
        return Verdict(value, f"A workspace name has at most {WORKSPACE_MAX} characters.")
    return Verdict(value)


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
