"""`kapacitor-wizard apply slack`."""
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
    report_test,
    switch_values,
)
from wizard.handlers.registry import TEST_MESSAGE
from wizard.text import checks
from wizard.changes import elements as workspaces
from wizard.handlers.registry import SLACK, SLACK_API_URL, SLACK_TOKEN_SINCE
from wizard.kapacitor.client import ConnectionSettings
from wizard.changes.plan import plan_changes, unavailable_options
from wizard.changes.target import ApiTarget
from wizard.text.secrets import Scrubber


def register(handlers: argparse._SubParsersAction, connection_options: Callable[..., argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    parser = handlers.add_parser(
        "slack",
        # Here --username is Slack's post-as name; Kapacitor's user is --kapacitor-username.
        parents=[connection_options(with_short_credentials=False)],
        help="Slack incoming webhook or Slack app (bot token)",
        description="Configure Kapacitor's Slack handler, through an incoming webhook (--webhook-url) or a "
        "Slack app's bot token (--token, Kapacitor 1.6+). Without either, an existing Slack handler keeps "
        "its way and only the given options change. Switching to a webhook clears a stored bot token in "
        "the same request, so Kapacitor never sends the token to the webhook's host.",
        epilog=(
            "examples:\n"
            "  SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0/B0/XXXX kapacitor-wizard apply slack --channel '#alerts' --test\n"
            "  kapacitor-wizard apply slack --webhook-url - --dry-run < webhook.txt\n"
            "  kapacitor-wizard apply slack --channel '#ops'          (keeps the stored webhook URL)\n"
            "  kapacitor-wizard apply slack --global                  (changes only that)\n"
            "  SLACK_BOT_TOKEN=xoxb-... kapacitor-wizard apply slack --channel '#alerts' --test   (Slack app)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--webhook-url",
        metavar="-",
        help="the incoming webhook URL; '-' reads it from standard input (default: $SLACK_WEBHOOK_URL). "
        "A secret: a URL typed here is refused, so it stays out of shell history",
    )
    parser.add_argument(
        "--allow-http",
        action="store_true",
        help="accept an http:// webhook URL on a host other than Kapacitor's own (an internal relay); the URL, "
        "a secret, then travels unencrypted between Kapacitor and that host",
    )
    parser.add_argument(
        "--token",
        metavar="-",
        help="a Slack app's Bot User OAuth Token (xoxb-...), for Kapacitor 1.6+; '-' reads it from standard "
        "input (default: $SLACK_BOT_TOKEN). Kapacitor then posts to chat.postMessage. A secret: a token typed here is refused",
    )
    parser.add_argument(
        "--slack-api-url",
        metavar="URL",
        help=f"with --token: where Kapacitor posts (default: {SLACK_API_URL}); for a proxy or gateway to Slack's API",
    )
    parser.add_argument("--channel", help="default channel (#alerts) or person (@alice)")
    parser.add_argument("--username", dest="slack_username", metavar="NAME", help="name alerts are posted under")
    parser.add_argument("--icon-emoji", metavar="EMOJI", help="emoji shown with alerts, e.g. :bell:")
    parser.add_argument("--workspace", default="", help="a named Slack workspace (Kapacitor 1.5+); default: the default workspace")
    parser.add_argument(
        "--default",
        action="store_true",
        help="with --workspace: alerts that name no workspace go there (refused when Kapacitor already has a default workspace)",
    )
    parser.add_argument(
        "--remove-workspace",
        metavar="NAME",
        help="remove a named Slack workspace instead of configuring one (Kapacitor keeps using it until restarted)",
    )
    add_switch_flags(parser, "Slack", "slack")
    add_apply_flags(parser)
    add_target_flags(parser)
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, stdin: TextIO, out: TextIO) -> int:
    err = sys.stderr
    if args.remove_workspace is not None:
        return await remove_workspace(args, settings, scrub, out)
    if args.webhook_url and args.token:
        raise UsageError("Give either --webhook-url (incoming webhook) or --token (Slack app), not both.")
    token = read_secret(args.token, "SLACK_BOT_TOKEN", stdin, option="--token")
    # A token chooses the app way: a webhook URL left in the environment does not count then.
    webhook = None if token is not None and not args.webhook_url else read_secret(
        args.webhook_url, "SLACK_WEBHOOK_URL", stdin, option="--webhook-url")
    desired: dict[str, Any] = switch_values(args)
    if token is not None:
        scrub.add(token)
        check("--token", checks.slack_bot_token(token.reveal()), err)
        desired["token"] = token
        desired["url"] = SLACK_API_URL
        if args.slack_api_url:
            desired["url"] = check("--slack-api-url", checks.http_url(args.slack_api_url, "The Slack API URL"), err)
    elif args.slack_api_url:
        raise UsageError("--slack-api-url goes with --token (the Slack app way).")
    if webhook is not None:
        scrub.add(webhook)
        verdict = checks.slack_webhook_url(webhook.reveal(), allow_http=args.allow_http)
        if verdict.confirm:
            raise UsageError(f"--webhook-url: {verdict.confirm} Use https://, or give --allow-http if it is a relay you trust.")
        check("--webhook-url", verdict, err)
        desired["url"] = webhook
    if args.channel is not None:
        desired["channel"] = check("--channel", checks.slack_channel(args.channel), err)
    if args.slack_username is not None:
        desired["username"] = check("--username", checks.slack_username(args.slack_username), err)
    if args.icon_emoji is not None:
        desired["icon-emoji"] = check("--icon-emoji", checks.slack_icon_emoji(args.icon_emoji), err)
    workspace = check("--workspace", checks.slack_workspace(args.workspace), err) if args.workspace else ""
    if args.default and not workspace:
        raise UsageError("--default needs --workspace: the default workspace is the default already.")

    if args.format == "env":
        element, where = await existing_element(args, settings, scrub, SLACK.section, workspace, out)
        return print_env(
            plan_changes(SLACK, None, desired, workspace=workspace), desired, out, show_secrets=args.show_secrets,
            element=element, where=where, replaced=("token",) if webhook is not None else (),
        )
    async with open_target(args, settings, scrub) as target:
        elements = (await target.read_config()).get(SLACK.section, [])
        element = find_element(elements, workspace)
        # The options this Kapacitor has, from what it answered (a file target: every known one).
        available = frozenset(elements[0].options) if isinstance(target, ApiTarget) and elements else None
        missing = unavailable_options(SLACK, desired, available)
        if missing:
            version = target.client.version if isinstance(target, ApiTarget) else ""
            raise UsageError(
                f"--{missing[0]}: Kapacitor {version or 'here'} has no Slack {missing[0]} option; a Slack app's bot "
                f"token needs Kapacitor {SLACK_TOKEN_SINCE} or later. Use an incoming webhook (--webhook-url) instead."
            )
        # In a kapacitor.conf, a token needs a Kapacitor that reads it (1.6+): the file target's version rule.
        # Turning a handler off needs no webhook.
        if desired["enabled"] and webhook is None and token is None and not (element and element.is_set("url")):
            raise UsageError(
                "No webhook URL: give --webhook-url (or '-' to read it from standard input), or set SLACK_WEBHOOK_URL."
            )
        if element is None and workspace:
            # Refused before anything is sent: Kapacitor 1.5 mishandles both.
            verdict = workspaces.check_new_workspace(workspace, elements, args.default, api=isinstance(target, ApiTarget))
            check("--workspace", verdict, err)
        elif args.default:
            check("--default", workspaces.check_make_default(workspace, elements), err)
        if args.default:
            desired["default"] = True
        plan = plan_changes(SLACK, element, desired, workspace=workspace, available=available)
        # Without an explicit channel Kapacitor would reuse the default workspace's channel.
        test_options = {"workspace": workspace, "channel": ""} if workspace else {}
        app_way = token is not None or (webhook is None and element is not None and element.is_set("token"))
        if not (app_way and args.test and isinstance(target, ApiTarget)):
            return await carry_out(args, target, plan, out, test_options=test_options)
        # Kapacitor's own test counts any HTTP 200 as sent, and Slack's API answers 200 with
        # {"ok": false} to a bad token or a missing channel: say only what Kapacitor checked.
        written = await carry_out(argparse.Namespace(**{**vars(args), "test": False}), target, plan, out)
        if written != 0 or args.dry_run:
            return written
        result = await target.client.run_service_test(SLACK.service_test, {"message": TEST_MESSAGE, **test_options})
        if not result.success:
            return report_test(SLACK.title, result, out, err)
        print(
            "Kapacitor's test request reached Slack's API (HTTP 200). In the Slack app way Kapacitor does not "
            "read Slack's answer, so delivery is not confirmed: check the channel, and that the bot was "
            "invited to it (/invite @your-bot).",
            file=out,
        )
        return 0



async def remove_workspace(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, out: TextIO) -> int:
    """`apply slack --remove-workspace NAME`: the wizard's checks, then `{"remove": [NAME]}` with an undo record."""
    from wizard.commands.removal import remove_element

    name = args.remove_workspace.strip()
    if not name:
        raise UsageError("--remove-workspace: the default workspace cannot be removed; disable it instead.")
    check("--remove-workspace", checks.slack_workspace(name))
    if getattr(args, "config_file", None):
        raise UsageError(f"--remove-workspace needs Kapacitor's API: in kapacitor.conf, delete the [[slack]] table of {name}.")
    return await remove_element(
        args, settings, scrub, SLACK, name, out, flag="--remove-workspace",
        done=lambda rules, key, verdict, result: f"Removed Slack workspace {key}. " + workspaces.restart_caveat(rules, key),
    )
