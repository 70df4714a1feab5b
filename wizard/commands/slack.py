"""`kapacitor-wizard apply slack`."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

from wizard.commands.common import (
    UsageError,
    add_apply_flags,
    add_target_flags,
    carry_out,
    check,
    find_element,
    open_target,
    print_env,
    read_secret,
)
from wizard.core import validators, workspaces
from wizard.core.handlers import SLACK
from wizard.core.kapacitor import ConnectionSettings, KapacitorClient
from wizard.core.plan import plan_changes
from wizard.core.secrets import Scrubber


def register(handlers: argparse._SubParsersAction, connection_options: Callable[..., argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    parser = handlers.add_parser(
        "slack",
        # Here --username is Slack's post-as name; Kapacitor's user is --kapacitor-username.
        parents=[connection_options(with_short_credentials=False)],
        help="Slack incoming webhook",
        description="Configure Kapacitor's Slack handler. Without a webhook URL, an existing Slack "
        "handler keeps its URL and only the given options change.",
        epilog=(
            "examples:\n"
            "  SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0/B0/XXXX kapacitor-wizard apply slack --channel '#alerts' --test\n"
            "  kapacitor-wizard apply slack --webhook-url - --dry-run < webhook.txt\n"
            "  kapacitor-wizard apply slack --channel '#ops'          (keeps the stored webhook URL)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--webhook-url",
        metavar="URL",
        help="the incoming webhook URL; '-' reads it from standard input (default: $SLACK_WEBHOOK_URL). "
        "It is a secret: prefer '-' or the variable to keep it out of shell history",
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
    add_apply_flags(parser)
    add_target_flags(parser)
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, stdin: TextIO, out: TextIO) -> int:
    err = sys.stderr
    if args.remove_workspace is not None:
        return await remove_workspace(args, settings, scrub, out)
    webhook = read_secret(args.webhook_url, "SLACK_WEBHOOK_URL", stdin, option="--webhook-url")
    desired: dict[str, Any] = {"enabled": True}
    if webhook is not None:
        scrub.add(webhook)
        check("--webhook-url", validators.slack_webhook_url(webhook.reveal()), err)
        desired["url"] = webhook
    if args.channel is not None:
        desired["channel"] = check("--channel", validators.slack_channel(args.channel), err)
    if args.slack_username is not None:
        desired["username"] = check("--username", validators.slack_username(args.slack_username), err)
    if args.icon_emoji is not None:
        desired["icon-emoji"] = check("--icon-emoji", validators.slack_icon_emoji(args.icon_emoji), err)
    workspace = check("--workspace", validators.slack_workspace(args.workspace), err) if args.workspace else ""
    if args.default and not workspace:
        raise UsageError("--default needs --workspace: the default workspace is the default already.")

    if args.format == "env":
        return print_env(plan_changes(SLACK, None, desired, workspace=workspace), desired, out, show_secrets=args.show_secrets)
    async with open_target(args, settings, scrub) as target:
        elements = (await target.read_config()).get(SLACK.section, [])
        element = find_element(elements, workspace)
        if webhook is None and not (element and element.is_set("url")):
            raise UsageError(
                "No webhook URL: give --webhook-url (or '-' to read it from standard input), or set SLACK_WEBHOOK_URL."
            )
        if element is None and workspace:
            # Refused before anything is sent: Kapacitor 1.5 mishandles both.
            check("--workspace", workspaces.check_new_workspace(workspace, elements, args.default), err)
        elif args.default:
            check("--default", workspaces.check_make_default(workspace, elements), err)
        if args.default:
            desired["default"] = True
        plan = plan_changes(SLACK, element, desired, workspace=workspace)
        # Without an explicit channel Kapacitor would reuse the default workspace's channel.
        test_options = {"workspace": workspace, "channel": ""} if workspace else {}
        return await carry_out(args, target, plan, out, test_options=test_options)



async def remove_workspace(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, out: TextIO) -> int:
    """`apply slack --remove-workspace NAME`: POST {"remove": [NAME]}, after the same checks as the wizard."""
    name = args.remove_workspace.strip()
    if not name:
        raise UsageError("--remove-workspace: the default workspace cannot be removed; disable it instead.")
    check("--remove-workspace", validators.slack_workspace(name))
    if getattr(args, "config_file", None):
        raise UsageError(f"--remove-workspace needs Kapacitor's API: in kapacitor.conf, delete the [[slack]] table of {name}.")
    async with KapacitorClient(settings, scrubber=scrub) as client:
        await client.ping()
        check("--remove-workspace", workspaces.check_remove(name, await client.get_section(SLACK.section)))
        if args.dry_run:
            print(f"POST {settings.url}/kapacitor/v1/config/{SLACK.section}", file=out)
            print(json.dumps({"remove": [name]}), file=out)
            print("Dry run: nothing was written.", file=out)
            return 0
        await client.remove_elements(SLACK.section, [name])
        if workspaces.find_workspace(await client.get_section(SLACK.section), name) is not None:
            print(workspaces.FILE_WORKSPACE_NOTE.format(name=name), file=out)
            return 1
    print(f"Removed Slack workspace {name}. " + workspaces.RESTART_CAVEAT.format(name=name), file=out)
    return 0
