"""HipChat: turning what a person types into Kapacitor's `url` option, and a direct
check that posts a notification to the room before anything is saved in Kapacitor.

Kapacitor posts to `<url>/<room>/notification?auth_token=<token>`, so `url` is the
room API's base: `https://<subdomain>.hipchat.com/v2/room` for HipChat Cloud, or
`<base URL>/v2/room` for HipChat Server, Data Center or a compatible gateway.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from wizard.services import replies
from wizard.services import deadline
from wizard.text.errors import WizardError
from wizard.text.secrets import Scrubber, Secret, install_log_scrubbing, mask_received
from wizard.text.checks import Verdict, http_url, plain_http_reason

ROOM_API_PATH = "/v2/room"
CLOUD_DOMAIN = "hipchat.com"
CLOUD_SHUTDOWN = (
    "Atlassian shut down HipChat Cloud on 2019-02-15: a hipchat.com address only works "
    "if a HipChat-compatible service answers there."
)
CHECK_MESSAGE = "Test notification from kapacitor-wizard: if you can read this, Kapacitor can post to this room."
TIMEOUT = 10.0
"""How long one exchange with HipChat may take in all (seconds), unless the caller gives `--timeout`'s."""

_SUBDOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_NOT_TEAMS = {"www", "api", "status", "blog", "help", "support", "marketplace"}


def cloud_url(subdomain: str) -> str:
    return f"https://{subdomain}.{CLOUD_DOMAIN}{ROOM_API_PATH}"


def is_cloud(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == CLOUD_DOMAIN or host.endswith("." + CLOUD_DOMAIN)


def subdomain(text: str) -> Verdict:
    """A bare HipChat Cloud subdomain such as `example-hi`; the value is the room API URL."""
    value = text.strip().lower()
    if not value:
        return Verdict("", "Enter your HipChat subdomain (example-hi for example-hi.hipchat.com).")
    if not _SUBDOMAIN.fullmatch(value):
        return Verdict(
            text.strip(),
            "A subdomain has only letters, digits and hyphens, for example example-hi "
            "(for example-hi.hipchat.com).",
        )
    return Verdict(cloud_url(value), warning=CLOUD_SHUTDOWN)


def server_url(text: str) -> Verdict:
    """A subdomain, a pasted HipChat address or a server's base URL, as Kapacitor's `url`.

    The verdict's value is the room API URL (`…/v2/room`); its warning says what the
    wizard took from a pasted address, and that HipChat Cloud is gone. Applying it to
    its own value gives the same value, so drafts may hold either form.
    """
    raw = text.strip() if isinstance(text, str) else ""
    if not raw:
        return Verdict(
            "",
            "Enter your HipChat subdomain (example-hi for example-hi.hipchat.com) or your "
            "server's address (https://chat.example.com).",
        )
    if any(c.isspace() for c in raw):
        return Verdict(raw, "The address contains spaces; paste it again in one piece.")
    if not re.search(r"[./:]", raw):
        return subdomain(raw)
    address = raw if "://" in raw else "https://" + raw
    try:
        parts = urlsplit(address)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return Verdict(raw, "This is not a valid address.")
    if parts.scheme not in ("https", "http") or not host:
        return Verdict(raw, "Enter a subdomain, or a full address such as https://chat.example.com.")
    checked = http_url(address, "The address")  # the shared rules: control characters, port range, IPv6
    if not checked.ok:
        return Verdict(raw, checked.error)
    notes: list[str] = []
    if "auth_token" in parts.query:
        # Kapacitor adds the token itself; never keep (or repeat) one found in an address.
        notes.append("The token in the address was left out: paste it in the token step.")

    if host == CLOUD_DOMAIN or host.endswith("." + CLOUD_DOMAIN):
        labels = host[: -len(CLOUD_DOMAIN)].rstrip(".").split(".")
        team = labels[-1] if labels != [""] else ""
        if not team or team in _NOT_TEAMS and parts.path.rstrip("/") != ROOM_API_PATH:
            return Verdict(raw, f"{host} is HipChat's own site; enter your team's subdomain, such as example-hi.")
        url = cloud_url(team)
        if raw.lower() not in (team, url):
            notes.insert(0, f"Using {team} from the address you pasted.")
        notes.append(CLOUD_SHUTDOWN)
        return Verdict(url, warning=" ".join(notes))

    path = parts.path.rstrip("/")
    at = path.find(ROOM_API_PATH + "/")
    if at >= 0:
        # A room's or a notification's address: keep the base, the room comes next.
        path = path[:at]
        notes.append(f"Using the address up to {ROOM_API_PATH}; the room is asked for in the next step.")
    elif path.endswith(ROOM_API_PATH):
        path = path[: -len(ROOM_API_PATH)]
    elif path.endswith("/v2"):
        path = path[: -len("/v2")]
    netloc = parts.netloc.rsplit("@", 1)[-1]
    url = urlunsplit((parts.scheme, netloc.lower(), path + ROOM_API_PATH, "", ""))
    if "@" in parts.netloc:
        notes.append("The user name and password in the address were left out.")
    # Kapacitor sends the token in the query string: plain http:// to another host needs a yes.
    reason = plain_http_reason(url, "the API token")
    if reason:
        return Verdict(url, f"{reason} Use https://, or confirm that {host} is a relay you trust.",
                       warning=" ".join(notes), confirm=reason)
    return Verdict(url, warning=" ".join(notes))


# -- the direct check -------------------------------------------------------------


class HipChatCheckFailed(WizardError):
    """The HipChat server (or the gateway in its place) refused the test notification."""

    title = "HipChat refused the notification"


class HipChatTokenRejected(HipChatCheckFailed):
    """401: the token is wrong, expired or revoked."""

    title = "Token wrong"


class HipChatRoomNotFound(HipChatCheckFailed):
    """404: no such room (or no HipChat API at that address)."""

    title = "Room not found"


class HipChatUnreachable(HipChatCheckFailed):
    """Connection refused, DNS failure, TLS failure or timeout."""

    title = "HipChat unreachable"


@dataclass(frozen=True, slots=True)
class Notification:
    """What a direct check sent, for the screen to confirm."""

    url: str
    """The notification URL without the token."""
    room: str


def notification_url(room_api_url: str, room: str) -> str:
    """`<url>/<room>/notification`, as Kapacitor joins them (the room is escaped)."""
    return f"{room_api_url.rstrip('/')}/{quote(room, safe='')}/notification"


def sample_payload(message: str = CHECK_MESSAGE) -> dict[str, object]:
    """A notification shaped like the ones Kapacitor sends for an OK alert."""
    return {"color": "green", "from": "kapacitor", "message": message, "notify": True}


async def send_test_notification(
    http: httpx.AsyncClient,
    room_api_url: str,
    room: str,
    token: Secret,
    *,
    scrub: Scrubber | None = None,
    message: str = CHECK_MESSAGE,
    timeout: float | None = None,
) -> Notification:
    """Post a notification straight to the room; raises a `HipChatCheckFailed` subclass with a reason.

    The token goes in the query string, as Kapacitor sends it; every text that could
    echo the URL passes through the scrubber.
    """
    scrub = scrub or Scrubber()
    scrub.add(token)
    install_log_scrubbing()  # httpx logs the request URL, token included
    url = notification_url(room_api_url, room)
    where = replies.without_userinfo(url)
    problem = replies.address_problem(url)
    if problem:
        raise HipChatUnreachable(f"The HipChat address cannot be used: {problem}.", "Check the server address.")
    try:
        response = await replies.send(
            http,
            "POST",
            url,
            params={"auth_token": token.reveal()},
            content=json.dumps(sample_payload(message)).encode(),
            headers={"Content-Type": "application/json"},
            timeout=timeout or TIMEOUT,
        )
    except replies.BodyTooLarge as err:
        raise HipChatCheckFailed(
            f"Unexpected answer from HipChat at {where}: larger than {replies.size_label()}, "
            "so the wizard stopped reading it.",
            "Check the server address, then retry.",
        ).scrubbed(scrub) from err
    except deadline.ExchangeTimeout as err:
        raise HipChatUnreachable(
            f"HipChat at {where} {err.phrase}.",
            f"Check the address and your network, then retry ({deadline.RAISE_HINT}).",
        ).scrubbed(scrub) from err
    except (httpx.HTTPError, OSError, ValueError, ExceptionGroup) as err:
        raise HipChatUnreachable(
            f"HipChat at {where} {replies.transport_failure(err)}.",
            "Check the server address and your network, then retry.",
        ).scrubbed(scrub) from err
    if response.redirect:
        raise HipChatCheckFailed(
            f"HipChat at {where} redirected the notification to {response.redirect} (HTTP {response.status}); "
            "the wizard does not follow redirects.",
            "Use the address it redirects to as the server address.",
        ).scrubbed(scrub)
    status = response.status
    if status in (200, 204):
        if _accepted(response.content):
            return Notification(url, room)
        raise HipChatCheckFailed(
            f"Unexpected answer from HipChat at {where} (HTTP {status}): {replies.summary(response.content)}.",
            "Check that the address points at a HipChat server (or a compatible service).",
        ).scrubbed(scrub)
    said = _error_message(response)
    quoted = f' ("{said}")' if said else ""
    if status == 401:
        raise HipChatTokenRejected(
            f"HipChat answered 401{quoted}: the token is wrong, expired or revoked.",
            "Create a token with the Send Notification scope and paste it again.",
        ).scrubbed(scrub)
    if status == 403:
        raise HipChatTokenRejected(
            f"HipChat answered 403{quoted}: the token may not post to this room.",
            "Make sure the token has the Send Notification scope and its user can see the room.",
        ).scrubbed(scrub)
    if status == 404:
        hint = (
            "Check the room's name or numeric id; the token's user must be able to see the room."
            if said
            else f"Check the room, and that the server has HipChat's API at {room_api_url}."
        )
        raise HipChatRoomNotFound(f"HipChat answered 404{quoted}: room {room} not found.", hint).scrubbed(scrub)
    if status == 429:
        wait = replies.retry_after(response)
        raise HipChatCheckFailed(
            f"HipChat answered 429 Too Many Requests{quoted}"
            + (f" and asks to wait {wait} (Retry-After)." if wait else "."),
            "Wait a moment, then retry.",
        ).scrubbed(scrub)
    raise HipChatCheckFailed(
        f"HipChat answered {status}{quoted}.", "Check the server address, the room and the token, then retry."
    ).scrubbed(scrub)


def _accepted(content: bytes) -> bool:
    """HipChat answers 204 without a body; a compatible service may answer with JSON."""
    if not content.strip():
        return True
    try:
        data = json.loads(content)
    except ValueError:
        return False
    return not (isinstance(data, dict) and "error" in data)


def _error_message(response: replies.Reply) -> str:
    """HipChat's `{"error": {"message": …}}`, or the start of a plain-text answer, on one line."""
    try:
        data = json.loads(response.content)
    except ValueError:
        text = response.text.strip()
        return mask_received(text, limit=80) if text[:1] != "<" else ""
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return mask_received(error["message"], limit=160)
        if isinstance(error, str):
            return mask_received(error, limit=160)
    return ""
