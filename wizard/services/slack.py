"""Direct checks of Slack, before anything is saved in Kapacitor: an incoming webhook, or a
Slack app's bot token (auth.test, then a sample through chat.postMessage)."""
from __future__ import annotations

import json

import httpx

from wizard.services import replies
from wizard.services import deadline
from wizard.text.errors import WizardError
from wizard.text.secrets import Scrubber, Secret, mask_received

TIMEOUT = 10.0
"""How long one exchange with Slack may take in all (seconds), unless the caller gives `--timeout`'s."""

# Slack's webhook errors, as plain text bodies, and what the person should do.
SLACK_ERRORS = {
    "no_team": "Slack does not know this webhook's workspace: the webhook was removed or the URL is mistyped.",
    "invalid_token": "Slack refused the webhook's token: the webhook was revoked. Create a new one.",
    "no_service": "The webhook was disabled or removed in Slack. Create a new one.",
    "no_service_id": "The webhook URL is incomplete. Copy the whole URL again.",
    "channel_not_found": "Slack cannot find that channel. Check the channel name, or leave it empty.",
    "channel_is_archived": "That channel is archived. Pick another channel.",
    "action_prohibited": "A Slack admin does not allow posting to that channel.",
    "posting_to_general_channel_denied": "Only admins may post to that channel. Pick another channel.",
    "invalid_payload": "Slack could not read the message.",
}


class SlackWebhookFailed(WizardError):
    """Slack (or the gateway in front of it) refused the test message."""


def sample_payload(channel: str = "", username: str = "", icon_emoji: str = "") -> dict[str, object]:
    """A message shaped exactly like the ones Kapacitor sends."""
    text = "Test alert from kapacitor-wizard: if you can read this, the webhook works."
    payload: dict[str, object] = {
        "as_user": False,
        "attachments": [{"fallback": text, "color": "good", "text": text, "mrkdwn_in": ["text"]}],
        "channel": channel,
        "icon_emoji": icon_emoji,
        "text": "",
        "username": username or "kapacitor",
    }
    return payload


async def send_test_message(
    http: httpx.AsyncClient,
    webhook_url: Secret,
    *,
    channel: str = "",
    username: str = "",
    icon_emoji: str = "",
    scrub: Scrubber | None = None,
    timeout: float | None = None,
) -> None:
    """Post a test message straight to the webhook; raises `SlackWebhookFailed` with a clear reason.
    `timeout` bounds the whole exchange (default `TIMEOUT`)."""
    scrub = scrub or Scrubber()
    scrub.add(webhook_url)
    url = webhook_url.reveal()
    problem = replies.address_problem(url)
    if problem:
        raise SlackWebhookFailed(f"The webhook URL cannot be used: {problem}.", "Copy the whole URL again.")
    try:
        reply = await replies.send(
            http, "POST", url, json=sample_payload(channel, username, icon_emoji), timeout=timeout or TIMEOUT
        )
    except replies.BodyTooLarge as err:
        raise SlackWebhookFailed(
            f"Unexpected answer from the Slack webhook: larger than {replies.size_label()}, "
            "so the wizard stopped reading it.",
            "Check the webhook URL, then retry.",
        ) from err
    except deadline.ExchangeTimeout as err:
        raise SlackWebhookFailed(
            f"The Slack webhook {err.phrase}.", f"Check your network or proxy, then retry ({deadline.RAISE_HINT})."
        ) from err
    except (httpx.HTTPError, OSError, ValueError, ExceptionGroup) as err:
        raise SlackWebhookFailed(
            f"The Slack webhook {replies.transport_failure(err)}.",
            "Check the URL and your network, then retry.",
        ) from err
    if reply.redirect:
        raise SlackWebhookFailed(
            f"The Slack webhook redirected the message to {reply.redirect} (HTTP {reply.status}); "
            "the wizard does not follow redirects.",
            "Use the address it redirects to, or copy the webhook URL again.",
        ).scrubbed(scrub)
    if reply.status == 200:
        if _accepted(reply.content):
            return
        raise SlackWebhookFailed(
            f"Unexpected answer from the Slack webhook (HTTP 200): {replies.summary(reply.content)} instead of \"ok\".",
            "Check that the URL is a Slack incoming webhook (or a gateway that answers like one).",
        ).scrubbed(scrub)
    code = _error_code(reply)
    reason = SLACK_ERRORS.get(code, "")
    wait = replies.retry_after(reply) if reply.status == 429 else ""
    raise SlackWebhookFailed(
        f"Slack answered {reply.status}" + (f" ({code})" if code else "")
        + (f": {reason}" if reason else f", asking to wait {wait} (Retry-After)." if wait else "."),
        "" if reason else "Wait, then retry." if reply.status == 429 else "Check the webhook URL, then retry.",
    ).scrubbed(scrub)


def _accepted(content: bytes) -> bool:
    """Slack answers `ok`; a compatible gateway may answer nothing or a JSON object that does not say it failed."""
    text = content.strip()
    if text in (b"", b"ok"):
        return True
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("ok", True) is not False and data.get("success", True) is not False


def _error_code(reply: replies.Reply) -> str:
    text = reply.content.strip()
    try:
        data = json.loads(text)
    except ValueError:
        return replies.summary(text) if text[:1] == b"<" else mask_received(reply.text, limit=80)
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return mask_received(data["error"], limit=80)
    return mask_received(reply.text, limit=80)


# -- the Slack app way (a bot token, Kapacitor 1.6+) ----------------------------------------------------

SLACK_API_BASE = "https://slack.com/api"

# Slack Web API errors ({"ok": false, "error": ...}) and what the person should do.
SLACK_APP_ERRORS = {
    "invalid_auth": "Slack does not accept this token. Copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions.",
    "not_authed": "Slack got no token. Paste the Bot User OAuth Token (xoxb-…).",
    "account_inactive": "The token belongs to a deleted app or a deactivated workspace. Reinstall the app and copy the new token.",
    "token_revoked": "The token was revoked. Reinstall the app to the workspace and copy the new token.",
    "missing_scope": "The app lacks the chat:write scope. Add it under OAuth & Permissions, reinstall the app, and copy the new token.",
    "not_in_channel": "The bot is not in that channel. In Slack, type /invite @your-bot in the channel, then retry.",
    "channel_not_found": "Slack cannot find that channel, or the bot cannot see it. Check the name, and invite the bot (/invite @your-bot).",
    "is_archived": "That channel is archived. Pick another channel.",
    "restricted_action": "A Slack admin does not allow the bot to post there.",
}


class SlackAppFailed(WizardError):
    """Slack's Web API refused the bot token or the test message."""


async def _call_api(
    http: httpx.AsyncClient, token: Secret, method: str, payload: dict[str, object], api_base: str, scrub: Scrubber,
    timeout: float | None,
) -> dict[str, object]:
    """One Web API call with the bearer token; Slack's own `ok`/`error` decides, never the status alone."""
    scrub.add(token)
    url = f"{api_base.rstrip('/')}/{method}"
    try:
        reply = await replies.send(
            http, "POST", url, json=payload, timeout=timeout or TIMEOUT,
            headers={"Authorization": f"Bearer {token.reveal()}"},
        )
    except replies.BodyTooLarge as err:
        raise SlackAppFailed(f"Unexpected answer from Slack's {method}: larger than {replies.size_label()}.",
                             "Retry later.") from err
    except deadline.ExchangeTimeout as err:
        raise SlackAppFailed(f"Slack's API {err.phrase} ({method}).",
                             f"Check your network or proxy, then retry ({deadline.RAISE_HINT}).") from err
    except (httpx.HTTPError, OSError, ValueError, ExceptionGroup) as err:
        raise SlackAppFailed(f"Slack's API {replies.transport_failure(err)}.", "Check your network, then retry.") from err
    try:
        data = json.loads(reply.content)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise SlackAppFailed(
            f"Unexpected answer from Slack's {method} (HTTP {reply.status}): {replies.summary(reply.content)}.",
            "Check your network or proxy, then retry.",
        ).scrubbed(scrub)
    if data.get("ok") is True:
        return data
    code = mask_received(str(data.get("error") or ""), limit=80)
    reason = SLACK_APP_ERRORS.get(code, "")
    raise SlackAppFailed(
        f"Slack refused {method}" + (f" ({code})" if code else "") + (f": {reason}" if reason else "."),
        "" if reason else "Check the token and the channel, then retry.",
    ).scrubbed(scrub)


async def check_bot_token(
    http: httpx.AsyncClient, token: Secret, *, api_base: str = SLACK_API_BASE, scrub: Scrubber | None = None,
    timeout: float | None = None,
) -> str:
    """auth.test: which bot and workspace the token belongs to, as a sentence."""
    data = await _call_api(http, token, "auth.test", {}, api_base, scrub or Scrubber(), timeout)
    bot = replies.one_line(str(data.get("user") or "the bot"), 80)
    team = replies.one_line(str(data.get("team") or "its workspace"), 80)
    return f"The token belongs to {bot} in {team}."


async def post_app_message(
    http: httpx.AsyncClient, token: Secret, channel: str, *, api_base: str = SLACK_API_BASE, scrub: Scrubber | None = None,
    timeout: float | None = None,
) -> None:
    """chat.postMessage with a sample shaped like Kapacitor's; Slack's `ok` is the verdict."""
    payload = sample_payload(channel)
    payload.pop("as_user", None)  # Kapacitor 1.6+ no longer sends it
    await _call_api(http, token, "chat.postMessage", payload, api_base, scrub or Scrubber(), timeout)
