"""A direct check of a Slack incoming webhook, before anything is saved in Kapacitor."""
from __future__ import annotations

import httpx

from wizard.core.errors import WizardError
from wizard.core.secrets import Scrubber, Secret

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
    try:
        response = await http.post(
            webhook_url.reveal(),
            json=sample_payload(channel, username, icon_emoji),
            timeout=10.0,
        )
    except httpx.TimeoutException as err:
        raise SlackWebhookFailed("The webhook did not answer within 10 seconds.", "Check your network or proxy, then retry.") from err
    except httpx.HTTPError as err:
        raise SlackWebhookFailed(
            f"The webhook could not be reached: {scrub(str(err)) or type(err).__name__}.",
            "Check the URL and your network, then retry.",
        ) from err
    if response.status_code == 200:
        return
    code = _error_code(response)
    reason = SLACK_ERRORS.get(code, "")
    raise SlackWebhookFailed(
        f"Slack answered {response.status_code}" + (f" ({code})" if code else "") + (f": {reason}" if reason else "."),
        "" if reason else "Check the webhook URL, then retry.",
    ).scrubbed(scrub)


def _error_code(response: httpx.Response) -> str:
    text = response.text.strip()
    try:
        data = response.json()
    except ValueError:
        return text[:80]
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return data["error"]
    return text[:80]
