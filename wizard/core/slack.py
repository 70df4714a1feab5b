"""A direct check of a Slack incoming webhook, before anything is saved in Kapacitor."""
from __future__ import annotations

import json

import httpx

from wizard.core import answers
from wizard.core.errors import WizardError
from wizard.core.secrets import Scrubber, Secret

TIMEOUT = 10.0
"""How long the direct check waits for the webhook (seconds)."""

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
) -> None:
    """Post a test message straight to the webhook; raises `SlackWebhookFailed` with a clear reason."""
    scrub = scrub or Scrubber()
    scrub.add(webhook_url)
    url = webhook_url.reveal()
    problem = answers.address_problem(url)
    if problem:
        raise SlackWebhookFailed(f"The webhook URL cannot be used: {problem}.", "Copy the whole URL again.")
    try:
        reply = await answers.send(
            http, "POST", url, json=sample_payload(channel, username, icon_emoji), timeout=TIMEOUT
        )
    except answers.BodyTooLarge as err:
        raise SlackWebhookFailed(
            f"Unexpected answer from the Slack webhook: larger than {answers.size_label()}, "
            "so the wizard stopped reading it.",
            "Check the webhook URL, then retry.",
        ) from err
    except httpx.TimeoutException as err:
        raise SlackWebhookFailed(
            f"The Slack webhook did not answer within {TIMEOUT:g} seconds.", "Check your network or proxy, then retry."
        ) from err
    except (httpx.HTTPError, OSError, ValueError, ExceptionGroup) as err:
        raise SlackWebhookFailed(
            f"The Slack webhook {answers.transport_failure(err)}.",
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
            f"Unexpected answer from the Slack webhook (HTTP 200): {answers.summary(reply.content)} instead of \"ok\".",
            "Check that the URL is a Slack incoming webhook (or a gateway that answers like one).",
        ).scrubbed(scrub)
    code = _error_code(reply)
    reason = SLACK_ERRORS.get(code, "")
    wait = answers.retry_after(reply) if reply.status == 429 else ""
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


def _error_code(reply: answers.Reply) -> str:
    text = reply.content.strip()
    try:
        data = json.loads(text)
    except ValueError:
        return answers.summary(text) if text[:1] == b"<" else answers.one_line(reply.text, 80)
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return answers.one_line(data["error"], 80)
    return answers.one_line(reply.text, 80)
