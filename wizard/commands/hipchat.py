"""`kapacitor-wizard apply hipchat`."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TextIO

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
from wizard.services import hipchat
from wizard.text import checks
from wizard.handlers.registry import HIPCHAT
from wizard.kapacitor.client import ConnectionSettings
from wizard.changes.plan import plan_changes
from wizard.text.secrets import Scrubber


def register(handlers: argparse._SubParsersAction, connection_options: Callable[..., argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    parser = handlers.add_parser(
        "hipchat",
        parents=[connection_options(with_short_credentials=True)],
        help="HipChat room notifications",
        description="Configure Kapacitor's HipChat handler. Without a token, an existing HipChat\n"
        "handler keeps its token and only the given options change.\n\n"
        "Atlassian shut down HipChat Cloud on 2019-02-15: a hipchat.com subdomain only works\n"
        "through a HipChat-compatible service. For HipChat Server, Data Center or a gateway,\n"
        "give its base URL with --hipchat-url.",
        epilog=(
            "examples:\n"
            "  HIPCHAT_TOKEN=... kapacitor-wizard apply hipchat \\\n"
            "      --hipchat-url https://chat.example.com --room ops --test\n"
            "  kapacitor-wizard apply hipchat --subdomain example-hi --room 1234 --token - --dry-run < token.txt\n"
            "  kapacitor-wizard apply hipchat --global\n"
            "      (keeps the stored address, room and token)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # Both may be left out when Kapacitor already has them: `apply hipchat --global` changes one thing.
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--subdomain",
        metavar="S",
        help="HipChat Cloud subdomain: example-hi for https://example-hi.hipchat.com/v2/room "
        "(a pasted address such as https://example-hi.hipchat.com/home works too)",
    )
    where.add_argument(
        "--hipchat-url",
        metavar="URL",
        help="base URL of HipChat Server, Data Center or a compatible gateway "
        "(https://chat.example.com becomes https://chat.example.com/v2/room)",
    )
    parser.add_argument(
        "--allow-http",
        action="store_true",
        help="accept an http:// --hipchat-url on a host other than Kapacitor's own (an internal relay); the token "
        "then travels unencrypted between Kapacitor and that host",
    )
    parser.add_argument("--room", metavar="R", help="the room's name or numeric id (default: the one Kapacitor has)")
    parser.add_argument(
        "--token",
        metavar="-",
        help="API token with the Send Notification scope; '-' reads it from standard input "
        "(default: $HIPCHAT_TOKEN). A secret: a token typed here is refused, so it stays out of shell history",
    )
    add_switch_flags(parser, "HipChat", "hipChat")
    add_apply_flags(parser)
    add_target_flags(parser)
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, stdin: TextIO, out: TextIO) -> int:
    err = sys.stderr
    token = read_secret(args.token, "HIPCHAT_TOKEN", stdin, option="--token")
    desired: dict[str, Any] = switch_values(args)
    room = None
    if args.room is not None:
        room = check("--room", checks.hipchat_room(args.room), err)  # refused before any warning about the address
    if args.subdomain is not None:
        verdict = hipchat.server_url(args.subdomain)
        if verdict.ok and not hipchat.is_cloud(verdict.value):
            raise UsageError("--subdomain: this is not a hipchat.com address; give a server's address with --hipchat-url.")
        desired["url"] = check("--subdomain", verdict, err)
    elif args.hipchat_url is not None:
        verdict = hipchat.server_url(args.hipchat_url)
        if verdict.confirm and not args.allow_http:
            raise UsageError(f"--hipchat-url: {verdict.confirm} Use https://, or give --allow-http if it is a relay you trust.")
        desired["url"] = check("--hipchat-url", verdict.confirmed(), err)
    if room is not None:
        desired["room"] = room
    if token is not None:
        scrub.add(token)
        check("--token", checks.hipchat_token(token.reveal()), err)
        desired["token"] = token

    if args.format == "env":
        element, where = await existing_element(args, settings, scrub, HIPCHAT.section, "", out)
        return print_env(
            plan_changes(HIPCHAT, None, desired), desired, out, show_secrets=args.show_secrets, element=element, where=where
        )
    async with open_target(args, settings, scrub) as target:
        element = find_element((await target.read_config()).get(HIPCHAT.section, []))
        # Turning a handler off needs none of its settings.
        if not desired["enabled"]:
            return await carry_out(args, target, plan_changes(HIPCHAT, element, desired), out)
        if "url" not in desired and not (element and element.is_set("url")):
            raise UsageError("No HipChat address: give --subdomain S or --hipchat-url URL.")
        if "room" not in desired and not (element and element.is_set("room")):
            raise UsageError("No room: give --room R.")
        if token is None and not (element and element.is_set("token")):
            raise UsageError(
                "No token: give --token - to read it from standard input, or set HIPCHAT_TOKEN."
            )
        plan = plan_changes(HIPCHAT, element, desired)
        return await carry_out(args, target, plan, out)
