"""`kapacitor-wizard apply telegram` and `kapacitor-wizard detect-chat-id`.

Both read the token from --token, from standard input (--token -) or from
$TELEGRAM_BOT_TOKEN, and never print it. Chat detection reads the bot's pending
updates without confirming them, so another program using the bot loses nothing.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from wizard.commands import argtypes as options
from wizard.commands.common import (
    UsageError,
    add_apply_flags,
    add_switch_flags,
    add_target_flags,
    carry_out,
    check,
    existing_element,
    find_element,
    open_target,
    print_env,
    read_secret,
    switch_values,
)
from wizard.text import checks
from wizard.handlers.registry import TELEGRAM, TELEGRAM_DEFAULT_API, bot_api_base
from wizard.kapacitor.client import ConnectionSettings
from wizard.changes.plan import plan_changes
from wizard.text.secrets import Scrubber, Secret

if TYPE_CHECKING:  # python-telegram-bot loads only when a Telegram command runs
    from wizard.services.telegram import BotInfo, ChatCandidate

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
DETECT_TIMEOUT = 120.0
TOKEN_HELP = (
    f"the bot token from @BotFather; '-' reads it from standard input (default: ${TOKEN_ENV}). "
    "A secret: a token typed here is refused, so it stays out of shell history"
)


def _api_url_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS keeps the value given before the subcommand.
    parser.add_argument(
        "--telegram-api-url", metavar="URL", default=argparse.SUPPRESS, type=options.telegram_api_url,
        help=f"the Telegram Bot API server (default: {TELEGRAM_DEFAULT_API}); for a local Bot API server or a gateway",
    )


def register(handlers: argparse._SubParsersAction, connection_options: Callable[..., argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    parser = handlers.add_parser(
        "telegram",
        parents=[connection_options(with_short_credentials=True)],
        help="Telegram bot",
        description="Configure Kapacitor's Telegram handler. Without a token, an existing Telegram "
        "handler keeps its token and only the given options change.",
        epilog=(
            "examples:\n"
            f"  {TOKEN_ENV}=123456789:AA… kapacitor-wizard apply telegram --detect --test\n"
            "  kapacitor-wizard apply telegram --token - --chat-id -1001234567890 --parse-mode HTML < token.txt\n"
            "  kapacitor-wizard apply telegram --chat-id @alerts_channel --dry-run   (keeps the stored token)\n"
            "  kapacitor-wizard apply telegram --state-changes-only   (keeps the stored token and chat)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--token", metavar="-", help=TOKEN_HELP)
    chat = parser.add_mutually_exclusive_group()
    chat.add_argument("--chat-id", metavar="ID", help="the chat: a number such as -1001234567890, or @channelname")
    chat.add_argument(
        "--detect", action="store_true",
        help="wait for a message to the bot and use that chat (needs the token; consumes no updates)",
    )
    parser.add_argument(
        "--detect-timeout", type=options.seconds(options.DETECT_TIMEOUT_MAX), default=DETECT_TIMEOUT, metavar="SECONDS",
        help=f"how long --detect waits for a message (default: {DETECT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--parse-mode", metavar="MODE",
        help="Markdown or HTML (default: what Kapacitor has, else Markdown)",
    )
    parser.add_argument(
        "--disable-web-page-preview", action=argparse.BooleanOptionalAction, default=None,
        help="no link previews in alerts",
    )
    parser.add_argument(
        "--disable-notification", action=argparse.BooleanOptionalAction, default=None,
        help="deliver alerts silently",
    )
    _api_url_option(parser)
    add_switch_flags(parser, "Telegram", "telegram")
    add_apply_flags(parser)
    add_target_flags(parser)
    parser.set_defaults(run=run)


def register_detect(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "detect-chat-id",
        help="print the Telegram chats a bot can see (consumes no updates)",
        description="Wait for a message to the bot and print the chats it can see, newest first. "
        "Updates are read, never confirmed: another program using the bot loses nothing. "
        "While waiting, a pairing code is printed to standard error; the chat that sends it is marked.",
        epilog=(
            "examples:\n"
            f"  {TOKEN_ENV}=123456789:AA… kapacitor-wizard detect-chat-id\n"
            "  kapacitor-wizard detect-chat-id --token - --json --timeout 60 < token.txt"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--token", metavar="-", help=TOKEN_HELP)
    parser.add_argument(
        "--timeout", dest="detect_timeout", type=options.seconds(options.DETECT_TIMEOUT_MAX), default=DETECT_TIMEOUT,
        metavar="SECONDS",
        help=f"how long to wait for the chat that sends the pairing code (default: {DETECT_TIMEOUT:g}); "
        "each exchange with Telegram is bounded by the --timeout given before the command "
        "(kapacitor-wizard --timeout 5 detect-chat-id); a long poll gets its poll time on top",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list of chats")
    _api_url_option(parser)
    parser.set_defaults(run=run_detect)


# -- shared ----------------------------------------------------------------------


def _api_url(args: argparse.Namespace) -> str:
    url = str(getattr(args, "telegram_api_url", "") or TELEGRAM_DEFAULT_API).strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"--telegram-api-url: expected an http:// or https:// address, got {url!r}.")
    return url


def _token(args: argparse.Namespace, stdin: TextIO, scrub: Scrubber) -> Secret | None:
    token = read_secret(args.token, TOKEN_ENV, stdin, option="--token")
    if token is not None:
        scrub.add(token)
        check("--token", checks.telegram_token(token.reveal()))
    return token


def _pairing_hint(code: str, bot: BotInfo, err: TextIO) -> None:
    print(
        f"Pairing code: {code}\n"
        f"Send it (or any message) to {bot.mention}: in a private chat ({bot.start_link(code)}, press Start), "
        f"in a group as {bot.group_command(code)} (privacy mode hides plain messages), or post it in a "
        "channel where the bot is an administrator. Waiting…",
        file=err, flush=True,
    )


async def _detect(
    token: Secret, api_url: str, timeout: float, err: TextIO, exchange_timeout: float
) -> tuple[list[ChatCandidate], str]:
    """Wait up to `timeout` for a chat; each call to Telegram takes at most `exchange_timeout`
    (the connection --timeout; a long poll gets its poll time on top)."""
    from wizard.services.telegram import TelegramClient, detect_chats, make_pairing_code

    code = make_pairing_code()
    # The token is checked before anything says "Waiting…": a wrong one is reported at once,
    # and the hint names the bot instead of a placeholder.
    async with TelegramClient(token, api_url, timeout=exchange_timeout) as client:
        bot = await client.check_token()
    _pairing_hint(code, bot, err)
    candidates = await detect_chats(token, api_url, timeout=timeout, pairing_code=code, exchange_timeout=exchange_timeout)
    return candidates, code


def candidate_json(candidate: ChatCandidate) -> dict[str, Any]:
    return {
        "id": candidate.id,
        "type": candidate.type,
        "title": candidate.title,
        "username": candidate.username,
        "is_forum": candidate.is_forum,
        "paired": candidate.has_pairing_code,
        "migrated_from": candidate.migrated_from,
        "bot_removed": candidate.bot_removed,
        "last_seen": candidate.last_seen.isoformat(),
        "notes": list(candidate.notes),
    }


def _print_table(candidates: list[ChatCandidate], out: TextIO) -> None:
    rows = [
        (
            "*" if c.has_pairing_code else "",
            str(c.id),
            c.type,
            c.title or "",
            f"@{c.username}" if c.username else "",
        )
        for c in candidates
    ]
    header = ("", "CHAT ID", "TYPE", "TITLE OR NAME", "USERNAME")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip(), file=out)
    for c in candidates:
        for note in c.notes:
            print(f"note: {c.id}: {note}", file=out)
    if any(c.has_pairing_code for c in candidates):
        print("* sent the pairing code", file=out)


# -- detect-chat-id ----------------------------------------------------------------


async def run_detect(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, stdin: TextIO, out: TextIO) -> int:
    err = sys.stderr
    token = _token(args, stdin, scrub)
    if token is None:
        raise UsageError(f"No bot token: give --token (or '-' to read it from standard input), or set {TOKEN_ENV}.")
    if args.detect_timeout <= 0:
        raise UsageError("--timeout: expected a number of seconds above 0.")
    candidates, _ = await _detect(token, _api_url(args), args.detect_timeout, err, settings.timeout)
    if args.json:
        print(json.dumps([candidate_json(c) for c in candidates], indent=2, ensure_ascii=False), file=out)
    elif candidates:
        _print_table(candidates, out)
    if not candidates:
        print(
            f"kapacitor-wizard: No chat wrote to the bot within {args.detect_timeout:g} seconds. Send it a "
            "message (updates older than 24 hours are gone; another program polling the bot takes them), "
            "then run the command again.",
            file=err,
        )
        return 1
    return 0


# -- apply telegram ------------------------------------------------------------------


def _choose(candidates: list[ChatCandidate], code: str) -> ChatCandidate:
    paired = next((c for c in candidates if c.has_pairing_code), None)
    if paired is not None:
        return paired
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise UsageError("No chat wrote to the bot in time: send it a message, or give --chat-id.")
    listed = ", ".join(f"{c.id} ({c.type} {c.title})" for c in candidates[:5])
    raise UsageError(f"Several chats found but none sent the code {code}: {listed}. Give --chat-id.")


async def run(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, stdin: TextIO, out: TextIO) -> int:
    err = sys.stderr
    token = _token(args, stdin, scrub)
    api_url = _api_url(args)
    desired: dict[str, Any] = switch_values(args)
    if token is not None:
        desired["token"] = token
    if api_url != TELEGRAM_DEFAULT_API:
        desired["url"] = bot_api_base(api_url)
    if args.chat_id is not None:
        desired["chat-id"] = check("--chat-id", checks.telegram_chat_id(args.chat_id), err)
    if args.parse_mode is not None:
        mode = check("--parse-mode", checks.telegram_parse_mode(args.parse_mode), err)
        if not mode:
            raise UsageError("--parse-mode: give Markdown or HTML.")
        desired["parse-mode"] = mode
    if args.disable_web_page_preview is not None:
        desired["disable-web-page-preview"] = args.disable_web_page_preview
    if args.disable_notification is not None:
        desired["disable-notification"] = args.disable_notification
    if args.detect and token is None:
        raise UsageError(
            f"--detect needs the bot token (Kapacitor never reveals a stored one): give --token or set {TOKEN_ENV}."
        )

    if args.format == "env":
        if args.detect:
            assert token is not None
            desired["chat-id"] = (await _detect_chat(token, api_url, args.detect_timeout, err, settings.timeout)).chat_id
        element, where = await existing_element(args, settings, scrub, TELEGRAM.section, "", out)
        if not (element and element.options.get("parse-mode")):
            desired.setdefault("parse-mode", "Markdown")
        return print_env(
            plan_changes(TELEGRAM, None, desired), desired, out, show_secrets=args.show_secrets, element=element, where=where
        )
    async with open_target(args, settings, scrub) as target:
        element = find_element((await target.read_config()).get(TELEGRAM.section, []))
        # Turning a handler off needs none of its settings.
        if not desired["enabled"] and not args.detect:
            return await carry_out(args, target, plan_changes(TELEGRAM, element, desired), out)
        if token is None and not (element and element.is_set("token")):
            raise UsageError(
                f"No bot token: give --token (or '-' to read it from standard input), or set {TOKEN_ENV}."
            )
        if "chat-id" not in desired and not args.detect and not (element and element.is_set("chat-id")):
            raise UsageError("No chat id: give --chat-id, or --detect to find it.")
        if "parse-mode" not in desired and not (element and element.options.get("parse-mode")):
            desired["parse-mode"] = "Markdown"
        if args.detect:
            assert token is not None
            desired["chat-id"] = (await _detect_chat(token, api_url, args.detect_timeout, err, settings.timeout)).chat_id
        return await carry_out(args, target, plan_changes(TELEGRAM, element, desired), out)


async def _detect_chat(token: Secret, api_url: str, timeout: float, err: TextIO, exchange_timeout: float) -> ChatCandidate:
    """Wait for the chat that sends the pairing code (or the only chat that writes)."""
    candidates, code = await _detect(token, api_url, timeout, err, exchange_timeout)
    chosen = _choose(candidates, code)
    print(f"Chat found: {chosen.id} ({chosen.type} {chosen.label})", file=err)
    for note in chosen.notes:
        print(f"note: {note}", file=err)
    return chosen
