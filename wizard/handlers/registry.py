"""Handler definitions as data: options as Kapacitor spells them, secrets, defaults,
validators, and the guide's step texts with their links.

The TUI, the command line and the review all read these; adding a handler means
adding a `HandlerSpec`, not a screen.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wizard.services import hipchat
from wizard.text import checks as v
from wizard.text.secrets import secret_is_set
from wizard.handlers.model import HandlerSpec, Link, OptionSpec, StepText  # noqa: F401  (also imported from here)

GUIDE_URL = "https://docs.influxdata.com/kapacitor/v1/guides/event-handler-setup/"
TEST_MESSAGE = "Test alert from kapacitor-wizard: Kapacitor can send alerts here."
"""The message of Kapacitor's service test, so the person recognizes it in the chat."""


# -- Slack ---------------------------------------------------------------------

SLACK_API_URL = "https://slack.com/api/chat.postMessage"
"""Where a Slack app posts: Kapacitor 1.6+ sends the bot token to `url` as `Authorization: Bearer`."""
SLACK_TOKEN_SINCE = "1.6"

SLACK_TOKEN_HELP = (
    "A Slack app's Bot User OAuth Token (xoxb-…). Kapacitor 1.6 and later send it as "
    "`Authorization: Bearer` to chat.postMessage. Anyone who holds it can post as the bot: treat it "
    "like a password. Switching back to an incoming webhook clears it in the same request, so the "
    "token never goes to a webhook's host."
)

SLACK_WEBHOOK_HELP = (
    "Kapacitor posts alerts to a Slack incoming webhook: a secret URL that lets anyone who "
    "holds it post into one channel. Treat it like a password."
)


def _slack_tickscript(values: Mapping[str, Any]) -> str:
    channel = values.get("channel") or "#alerts"
    workspace = values.get("workspace") or ""
    line = ".slack()"
    if workspace:
        line += f"\n.workspace('{workspace}')"
    return f"{line}\n.channel('{channel}')"


SLACK = HandlerSpec(
    name="slack",
    title="Slack",
    section="slack",
    summary="Post alerts into a Slack channel or direct message through an incoming webhook.",
    service_test="slack",
    list_key="workspace",
    options=(
        OptionSpec("enabled", "Enabled", bool, default=False),
        OptionSpec("default", "Default workspace", bool, default=True),
        OptionSpec("workspace", "Workspace", default=""),
        OptionSpec(
            "url",
            "Webhook URL",
            secret=True,
            required=True,
            validate=v.slack_webhook_url,
            placeholder="https://hooks.slack.com/services/T…/B…/…",
            help=SLACK_WEBHOOK_HELP,
        ),
        OptionSpec(
            "token",
            "Bot token (Slack app)",
            secret=True,
            validate=v.slack_bot_token,
            placeholder="xoxb-…",
            help=SLACK_TOKEN_HELP,
        ),
        OptionSpec(
            "channel",
            "Default channel or DM",
            validate=v.slack_channel,
            placeholder="#alerts or @alice (empty: the webhook's own channel)",
            help="A channel named in an alert rule wins over this one; this one wins over the "
            "channel the webhook was created for.",
        ),
        OptionSpec("username", "Post as (username)", default="kapacitor", validate=v.slack_username, placeholder="kapacitor"),
        OptionSpec("icon-emoji", "Icon emoji", validate=v.slack_icon_emoji, placeholder=":bell:"),
        OptionSpec("global", "Send every alert (global)", bool, default=False),
        OptionSpec("state-changes-only", "Only state changes", bool, default=False),
        OptionSpec("ssl-ca", "TLS CA file"),
        OptionSpec("ssl-cert", "TLS certificate file"),
        OptionSpec("ssl-key", "TLS key file"),
        OptionSpec("insecure-skip-verify", "Skip TLS verification", bool, default=False),
    ),
    steps=(
        StepText(
            id="webhook",
            title="Create an incoming webhook",
            body=(
                "1. Open **Incoming WebHooks** for your Slack workspace (link below) and sign in.\n"
                "2. Choose the channel that alerts should go to by default.\n"
                "3. Click **Add Incoming WebHooks integration**.\n"
                "4. Copy the **Webhook URL** that Slack shows and paste it here.\n\n"
                "You can send a test message to the webhook right away, before anything is saved."
            ),
            options=("url",),
            links=(
                Link("Incoming WebHooks", "https://slack.com/apps/A0F7XDUAZ-incoming-webhooks"),
                Link("Slack: sending messages using incoming webhooks", "https://api.slack.com/messaging/webhooks"),
            ),
            help=SLACK_WEBHOOK_HELP
            + "\n\nIf your network reaches Slack through a proxy or a self-hosted gateway, paste "
            "its address instead: the wizard warns about a host other than hooks.slack.com but "
            "accepts it.",
        ),
        StepText(
            id="channel",
            title="Where alerts go",
            body=(
                "Pick the default channel (`#alerts`) or person (`@alice`) for alerts.\n\n"
                "Which channel wins: a channel set in an alert rule (`.channel('#db')` in TICKscript) "
                "wins over this default, which wins over the channel the webhook was created for. "
                "Leave it empty to use the webhook's own channel."
            ),
            options=("channel",),
            links=(Link("Kapacitor's Slack handler", "https://docs.influxdata.com/kapacitor/v1/reference/event_handlers/slack/"),),
        ),
        StepText(
            id="extras",
            title="How alerts look (optional)",
            body=(
                "The name and emoji that alerts are posted under. Both are optional; Slack may "
                "ignore them for webhooks created by newer Slack apps."
            ),
            options=("username", "icon-emoji"),
            links=(Link("Emoji codes", "https://www.webfx.com/tools/emoji-cheat-sheet/"),),
        ),
    ),
    tickscript=_slack_tickscript,
    test_hint=(
        "Check that the webhook still exists (Slack answers no_team or invalid_token for a removed "
        "one), that the channel exists and is not archived, and that the Kapacitor host can reach "
        "hooks.slack.com (proxy, firewall)."
    ),
)


# -- Telegram ------------------------------------------------------------------

TELEGRAM_DEFAULT_API = "https://api.telegram.org"


def bot_api_base(api_url: str = TELEGRAM_DEFAULT_API) -> str:
    """What python-telegram-bot's ``base_url`` and Kapacitor's ``url`` option take: ``<api>/bot``."""
    return f"{(api_url or TELEGRAM_DEFAULT_API).rstrip('/')}/bot"


def _telegram_tickscript(values: Mapping[str, Any]) -> str:
    chat = values.get("chat-id") or ""
    return f".telegram()\n.chatId('{chat}')" if chat else ".telegram()"


TELEGRAM = HandlerSpec(
    name="telegram",
    title="Telegram",
    section="telegram",
    summary="Send alerts to a Telegram chat, group or channel through a bot.",
    service_test="telegram",
    options=(
        OptionSpec("enabled", "Enabled", bool, default=False),
        OptionSpec("url", "Bot API address", default=bot_api_base()),
        OptionSpec(
            "token",
            "Bot token",
            secret=True,
            required=True,
            validate=v.telegram_token,
            placeholder="123456789:AA…",
        ),
        OptionSpec("chat-id", "Chat id", validate=v.telegram_chat_id, placeholder="-1001234567890 or @channel"),
        OptionSpec("parse-mode", "Parse mode", default="", validate=v.telegram_parse_mode, choices=("Markdown", "HTML")),
        OptionSpec("disable-web-page-preview", "Disable link previews", bool, default=False),
        OptionSpec("disable-notification", "Silent messages", bool, default=False),
        OptionSpec("global", "Send every alert (global)", bool, default=False),
        OptionSpec("state-changes-only", "Only state changes", bool, default=False),
    ),
    steps=(
        StepText(
            id="bot",
            title="Create a bot with @BotFather",
            body=(
                "1. In Telegram, search for **@BotFather** (or open t.me/BotFather) and press Start.\n"
                "2. Send `/newbot`.\n"
                "3. Give the bot a name, for example *Kapacitor alerts*.\n"
                "4. Give it a username that ends in `bot`, for example `acme_alerts_bot`.\n"
                "5. BotFather answers with the bot's **token**: paste it here.\n\n"
                "Lost the token? Send `/token` to @BotFather for a new one (the old one stops working)."
            ),
            options=("token",),
            links=(
                Link("@BotFather", "https://t.me/BotFather"),
                Link("Telegram: bots, an introduction", "https://core.telegram.org/bots/features#botfather"),
            ),
            help=(
                "The token is the bot's password: whoever holds it can send messages as the bot "
                "and read what people send to it. The wizard masks it on screen and never logs it.\n\n"
                "The wizard checks a pasted token right away with Telegram's `getMe` and shows the "
                "bot's name and whether *privacy mode* is on. In privacy mode (BotFather's default) "
                "a bot in a group only sees commands and messages that mention it, so in a group you "
                "send `/start@yourbot` rather than a plain message.\n\n"
                "If Kapacitor already has a token, leave the field empty to keep it. Kapacitor never "
                "reveals a stored token, so the wizard then cannot check it or find the chat for you: "
                "you type the chat id by hand on the next step."
            ),
        ),
        StepText(
            id="chat",
            title="Find the chat",
            body="Send the pairing code to your bot; the wizard lists every chat the bot sees.",
            options=("chat-id",),
            links=(Link("Telegram: privacy mode", "https://core.telegram.org/bots/features#privacy-mode"),),
            help=(
                "The wizard reads the bot's pending updates with `getUpdates` and never confirms "
                "them, so another program using this bot still gets every message.\n\n"
                "- **Private chat**: open the bot's link, press Start, or send it the code.\n"
                "- **Group**: add the bot, then send `/start@yourbot CODE` (privacy mode hides plain "
                "messages from bots).\n"
                "- **Channel**: make the bot an administrator that may post, then post the code.\n\n"
                "Nothing shows up? Telegram keeps updates for 24 hours only; another program polling "
                "the same bot takes them first; a webhook on the bot blocks `getUpdates` altogether.\n\n"
                "You can always type the chat id yourself: a number (`-1001234567890` for groups and "
                "channels) or `@channelname` for a public channel. In a group with topics (a forum), "
                "alerts land in General."
            ),
        ),
        StepText(
            id="format",
            title="Message format",
            body=(
                "**Parse mode** decides how Telegram reads alert text: *Markdown* (the default) turns "
                "`*bold*`, `_italic_`, `` `code` `` and `[links](…)` into formatting; *HTML* reads "
                "`<b>`, `<i>`, `<code>` and `<a href>` tags instead.\n\n"
                "- **Disable link previews**: Telegram shows no preview of links in alerts.\n"
                "- **Silent messages**: alerts arrive without a sound (iOS shows no notification)."
            ),
            options=("parse-mode", "disable-web-page-preview", "disable-notification"),
            help=(
                "Alert messages written for one parse mode may fail in the other: Telegram refuses "
                "text it cannot parse (\"can't parse entities\"), and then the alert is lost. Send "
                "a sample alert from this step to see how it looks before saving."
            ),
        ),
    ),
    tickscript=_telegram_tickscript,
    test_hint=(
        "Check the chat id, that the bot is a member of the group (an admin, for a channel), that "
        "nobody blocked it, and that the Kapacitor host can reach the Bot API (proxy, firewall)."
    ),
)


# -- HipChat -------------------------------------------------------------------

def _hipchat_tickscript(values: Mapping[str, Any]) -> str:
    room = values.get("room") or ""
    return f".hipChat()\n.room('{room}')" if room else ".hipChat()"


HIPCHAT = HandlerSpec(
    name="hipchat",
    title="HipChat",
    section="hipchat",
    summary="Post alerts into a HipChat room (HipChat Server, Data Center or a compatible service).",
    service_test="hipchat",
    options=(
        OptionSpec("enabled", "Enabled", bool, default=False),
        OptionSpec(
            "url",
            "Subdomain or server address",
            required=True,
            validate=hipchat.server_url,
            placeholder="example-hi, or https://chat.example.com for your own server",
        ),
        OptionSpec(
            "room",
            "Room",
            required=True,
            validate=v.hipchat_room,
            placeholder="the room's name or numeric id, e.g. ops-alerts",
            help="Alert rules can name another room with .room('…'); this one is the default.",
        ),
        OptionSpec(
            "token",
            "API token",
            secret=True,
            validate=v.hipchat_token,
            placeholder="the token with the Send Notification scope",
        ),
        OptionSpec(
            "global",
            "Send every alert to HipChat (global)",
            bool,
            default=False,
            help="Without it, only alert rules that name .hipChat() post here.",
        ),
        OptionSpec(
            "state-changes-only",
            "Only when an alert changes state",
            bool,
            default=False,
            help="With global on: skip repeats of the same level (CRITICAL, CRITICAL, …).",
        ),
    ),
    steps=(
        StepText(
            id="server",
            title="Your HipChat address",
            body=(
                "Enter your HipChat **subdomain**: `example-hi` for example-hi.hipchat.com. You may "
                "paste the whole address from your browser; the wizard takes the subdomain from it.\n\n"
                "For **HipChat Server**, **Data Center** or a compatible gateway, enter its base URL "
                "instead, such as `https://chat.example.com`; the wizard adds `/v2/room`.\n\n"
                "Note: Atlassian shut down HipChat Cloud on 2019-02-15, so a hipchat.com subdomain "
                "only works through a HipChat-compatible service."
            ),
            options=("url",),
            links=(
                Link("Kapacitor's HipChat handler", "https://docs.influxdata.com/kapacitor/v1/reference/event_handlers/hipchat/"),
            ),
            help=(
                "Kapacitor posts each alert to `<url>/<room>/notification`, so its `url` option is "
                "the room API's base: `https://<subdomain>.hipchat.com/v2/room`, or `<server>/v2/room`.\n\n"
                "Pasting a room's address (`https://example-hi.hipchat.com/chat/room/123`) works too: "
                "the wizard keeps only what Kapacitor needs and says what it used. The token goes in "
                "the URL's query, so use https:// for anything but a relay on this machine."
            ),
        ),
        StepText(
            id="token",
            title="Room and API token",
            body=(
                "1. Sign in to HipChat and open **Account settings** (your picture, top right).\n"
                "2. Choose **API access** in the menu on the left.\n"
                "3. Type a label for the token, for example *Kapacitor*.\n"
                "4. Under *Scopes*, choose **Send Notification**.\n"
                "5. Click **Create** and paste the token here."
            ),
            options=("room", "token"),
            help=(
                "The token is a secret: anyone who holds it can post as you. Kapacitor keeps it and "
                "never shows it again, so a stored token is kept unless you paste a new one.\n\n"
                "The direct check posts one notification to the room right away, before anything "
                "is saved in Kapacitor."
            ),
        ),
        StepText(
            id="advanced",
            title="Which alerts (advanced)",
            body=(
                "Usually alert rules choose HipChat with `.hipChat()` in TICKscript. Leave both "
                "unticked for that.\n\n"
                "**Global** sends *every* alert of this Kapacitor to the room. **Only state changes** "
                "then skips alerts whose level did not change."
            ),
            options=("global", "state-changes-only"),
        ),
    ),
    tickscript=_hipchat_tickscript,
    test_hint=(
        "Check the room name, that the token has the Send Notification scope, and that the Kapacitor "
        "host can reach the HipChat server (HipChat Cloud at hipchat.com was shut down on 2019-02-15)."
    ),
)

SLACK_APP_STEPS: tuple[StepText, ...] = (
    StepText(
        id="app",
        title="Create a Slack app with a bot token",
        body=(
            "1. Open **Your Apps** (link below) and click **Create New App**, *From scratch*; pick the workspace.\n"
            "2. Under **OAuth & Permissions**, *Bot Token Scopes*, add the **chat:write** scope.\n"
            "3. Click **Install to Workspace** and allow it.\n"
            "4. Copy the **Bot User OAuth Token** (it starts with `xoxb-`) and paste it here.\n"
            "5. In Slack, invite the bot to the alert channel: `/invite @your-bot`.\n\n"
            "Kapacitor then posts to `https://slack.com/api/chat.postMessage` with this token. "
            "The direct check asks Slack which bot and workspace the token belongs to, before anything is saved."
        ),
        options=("token",),
        links=(
            Link("Your Slack apps", "https://api.slack.com/apps"),
            Link("Slack: the chat:write scope", "https://api.slack.com/scopes/chat:write"),
        ),
        help=SLACK_TOKEN_HELP,
    ),
    StepText(
        id="app-channel",
        title="Where alerts go",
        body=(
            "A Slack app needs a channel: pick the default channel (`#alerts`) for alerts, and make sure "
            "the bot is a member of it (`/invite @your-bot`).\n\n"
            "A channel set in an alert rule (`.channel('#db')` in TICKscript) wins over this default."
        ),
        options=("channel",),
        links=(Link("Kapacitor's Slack handler", "https://docs.influxdata.com/kapacitor/v1/reference/event_handlers/slack/"),),
    ),
)
"""The Slack steps for the Slack-app way (Kapacitor 1.6+); SLACK.steps are the webhook way."""


SLACK_WAY_STEP = StepText(
    id="way",
    title="How Kapacitor connects to Slack",
    body=(
        "**Incoming webhook**: a secret URL that posts into one channel. Quick to set up; the bot's "
        "name and channel are fixed when the webhook is created.\n\n"
        "**Slack app with a bot token** (Kapacitor 1.6 and later): a bot that posts with its "
        "`xoxb-…` token into any channel it was invited to.\n\n"
        "Switching ways clears the other way's secret in the same change, so a bot token is never "
        "sent to a webhook's address."
    ),
)


def slack_way(options: Mapping[str, Any]) -> str:
    """"app" when the element has a bot token, else "webhook"."""
    return "app" if options.get("token") else "webhook"


def handler_steps(spec: HandlerSpec, way: str = "") -> tuple[StepText, ...]:
    """The steps of a handler's guide; for Slack with a way to choose (Kapacitor 1.6+), the
    choice first and then that way's steps."""
    if spec.name != "slack" or not way:
        return spec.steps
    return (SLACK_WAY_STEP, *(SLACK_APP_STEPS if way == "app" else spec.steps))


from wizard.handlers.catalog import CATALOG  # noqa: E402  (after the guided three, which it may refer to)

SECRET_IN_URL: dict[str, str] = {
    "hipchat": "query", "slack": "path", "telegram": "path", "discord": "path",
    "teams": "path", "talk": "path", "victorops": "path",
}
"""Services whose secret is part of the address Kapacitor posts to, and where in it: a webhook
URL or an API key in the path, a token in the query. Kapacitor's test errors quote that whole
address, even for a secret stored before and never seen by the wizard, so that part is masked."""

def spec_for_kind(kind: str) -> HandlerSpec | None:
    """The definition of a handler name, a config section or a topic handler's kind (`post`)."""
    return next((s for s in HANDLERS.values() if kind in (s.name, s.section, s.topic_kind)), None)


def secret_options(kind: str, present: Iterable[str] = ()) -> frozenset[str]:
    """Which options of a handler kind are secret: the one answer for config elements, topic
    handlers, `routes`, route undo records and the scrubber.

    `kind` is a handler's name or section, or a topic handler's kind. The definitions' secret
    flags decide, plus `topic_secrets` for topic handlers (a post handler's url); of a kind
    the wizard has no definition of (exec, tcp, or one Kapacitor 1.5.7 accepted unchecked), every
    name in `present` that reads like a key, token, password, address or header is secret.
    """
    spec = spec_for_kind(kind)
    if spec is None:
        return frozenset(name for name in present if _UNKNOWN_SECRET_NAME.search(name))
    found = spec.secrets | (spec.topic_secrets if kind == (spec.topic_kind or spec.name) else frozenset())
    return frozenset(found)


_UNKNOWN_SECRET_NAME = re.compile(r"(?i)key|token|secret|passw|auth(?!or)|credential|url|header|community")


GUIDED = (HIPCHAT, SLACK, TELEGRAM)
"""The handlers with a guide of their own and live checks of their tokens."""
HANDLERS: dict[str, HandlerSpec] = {spec.name: spec for spec in (*GUIDED, *sorted(CATALOG, key=lambda s: s.name))}
"""Every handler: the guided three first, then the rest by name."""


@dataclass(frozen=True, slots=True)
class HandlerStatus:
    """What Kapacitor has for one handler element, without secret values."""

    spec: HandlerSpec
    workspace: str
    enabled: bool
    configured: bool
    """Every option Kapacitor needs to enable it has a value."""
    options_set: tuple[str, ...]
    secrets: dict[str, bool]
    """Secret option name to whether it is set."""

    def summary(self) -> str:
        state = "enabled" if self.enabled else "disabled"
        if self.spec.name == "slack" and self.secrets.get("token"):
            state += " (Slack app)"  # a bot token: Kapacitor sends it to `url` as a bearer token
        if not self.configured:
            return f"{state}, not configured"
        shown = [name for name in self.options_set if name not in ("enabled", "default", "workspace")]
        return f"{state}; set: {', '.join(shown) if shown else 'nothing'}"


def handler_status(spec: HandlerSpec, options: Mapping[str, Any], redacted: frozenset[str] = frozenset()) -> HandlerStatus:
    """Summarize one element as Kapacitor shows it (secrets arrive as booleans)."""
    options_set: list[str] = []
    secrets: dict[str, bool] = {}
    for option in spec.options:
        value = options.get(option.name, option.default)
        if option.secret or option.name in redacted:
            if option.name not in options and not option.required:
                continue  # an option this Kapacitor does not have (Kafka's SASL before 1.8)
            secrets[option.name] = secret_is_set(value)
            if secrets[option.name]:
                options_set.append(option.name)
        elif value not in ("", None, False) and value != option.default:
            options_set.append(option.name)
    required = [o.name for o in spec.options if o.required]
    configured = all(
        bool(options.get(name)) for name in required
    )
    return HandlerStatus(
        spec=spec,
        workspace=str(options.get(spec.list_key, "")) if spec.list_key else "",
        enabled=bool(options.get("enabled")),
        configured=configured,
        options_set=tuple(options_set),
        secrets=secrets,
    )
