"""The command line: the wizard by default; `show` and `apply` for scripts.

`apply` uses the same validators and the same change plan as the wizard, so a
script and a person get the same checks and send the same requests.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from wizard import __version__
from wizard.core.errors import WizardError
from wizard.core.handlers import HANDLERS, SLACK, handler_status
from wizard.core.kapacitor import API, ConnectionSettings, Element, KapacitorClient
from wizard.core.plan import Plan, plan_changes
from wizard.core.secrets import Scrubber, Secret, install_log_scrubbing
from wizard.core import validators

EPILOG = """\
examples:
  kapacitor-wizard                                   start the wizard (Kapacitor at $KAPACITOR_URL or localhost:9092)
  kapacitor-wizard --url http://kapacitor:9092       start the wizard for another Kapacitor
  kapacitor-wizard show                              print each handler's state
  SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0/B0/XXXX \\
    kapacitor-wizard apply slack --channel '#alerts' --test
"""


class UsageError(WizardError):
    title = "Invalid option"


def _connection_options(*, with_short_credentials: bool) -> argparse.ArgumentParser:
    """Connection options, accepted on the bare command and after every subcommand.

    SUPPRESS keeps a subcommand's missing option from hiding one given before it.
    """
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group("connecting to Kapacitor")
    group.add_argument("--url", default=argparse.SUPPRESS, help="Kapacitor's URL (default: $KAPACITOR_URL, else http://localhost:9092)")
    names = ["--kapacitor-username"] + (["--username"] if with_short_credentials else [])
    group.add_argument(*names, dest="kapacitor_username", metavar="USER", default=argparse.SUPPRESS, help="basic-auth user (default: $KAPACITOR_USERNAME)")
    names = ["--kapacitor-password"] + (["--password"] if with_short_credentials else [])
    group.add_argument(*names, dest="kapacitor_password", metavar="PASSWORD", default=argparse.SUPPRESS, help="basic-auth password (default: $KAPACITOR_PASSWORD; prefer the variable, it stays out of shell history)")
    group.add_argument("--skip-verify", action="store_true", default=argparse.SUPPRESS, help="do not verify Kapacitor's TLS certificate")
    group.add_argument("--ca-cert", default=argparse.SUPPRESS, metavar="FILE", help="CA certificate that signed Kapacitor's TLS certificate")
    group.add_argument("--timeout", type=float, default=argparse.SUPPRESS, metavar="SECONDS", help="how long to wait for Kapacitor (default: 10)")
    return parser


def build_parser() -> argparse.ArgumentParser:
    connection = _connection_options(with_short_credentials=True)
    # `apply slack --username` is Slack's post-as name; Kapacitor's user is --kapacitor-username there.
    connection_for_slack = _connection_options(with_short_credentials=False)
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="kapacitor-wizard",
        description="Get Kapacitor alerts into Slack, Telegram or HipChat: a guided terminal wizard, "
        "and commands for scripts.",
        epilog=EPILOG,
        formatter_class=formatter,
        parents=[connection],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--telegram-api-url", default="https://api.telegram.org", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser(
        "show",
        parents=[connection],
        help="print each handler's state (secrets only as set / not set)",
        description="Print what Kapacitor has for each handler. Secret values are never printed.",
        epilog="example:\n  kapacitor-wizard show --url http://kapacitor:9092",
        formatter_class=formatter,
    )

    apply = commands.add_parser(
        "apply",
        help="configure a handler without the wizard",
        description="Configure a handler with the same checks as the wizard. Only changed options are sent.",
        epilog="example:\n  kapacitor-wizard apply slack --webhook-url - --channel '#alerts' --test < webhook.txt",
        formatter_class=formatter,
    )
    handlers = apply.add_subparsers(dest="handler", metavar="HANDLER", required=True)
    slack = handlers.add_parser(
        "slack",
        parents=[connection_for_slack],
        help="Slack incoming webhook",
        description="Configure Kapacitor's Slack handler. Without a webhook URL, an existing Slack "
        "handler keeps its URL and only the given options change.",
        epilog=(
            "examples:\n"
            "  SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0/B0/XXXX kapacitor-wizard apply slack --channel '#alerts' --test\n"
            "  kapacitor-wizard apply slack --webhook-url - --dry-run < webhook.txt\n"
            "  kapacitor-wizard apply slack --channel '#ops'          (keeps the stored webhook URL)"
        ),
        formatter_class=formatter,
    )
    slack.add_argument(
        "--webhook-url",
        metavar="URL",
        help="the incoming webhook URL; '-' reads it from standard input (default: $SLACK_WEBHOOK_URL). "
        "It is a secret: prefer '-' or the variable to keep it out of shell history",
    )
    slack.add_argument("--channel", help="default channel (#alerts) or person (@alice)")
    slack.add_argument("--username", dest="slack_username", metavar="NAME", help="name alerts are posted under")
    slack.add_argument("--icon-emoji", metavar="EMOJI", help="emoji shown with alerts, e.g. :bell:")
    slack.add_argument("--workspace", default="", help="a named Slack workspace (Kapacitor 1.5+); default: the default workspace")
    _add_apply_flags(slack)
    return parser


def _add_apply_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--test", action="store_true", help="after writing, ask Kapacitor to send a test alert")
    parser.add_argument("--dry-run", action="store_true", help="print the exact request (secrets masked) and write nothing")


def connection_settings(args: argparse.Namespace, env: dict[str, str] | None = None) -> ConnectionSettings:
    return ConnectionSettings.from_environment(
        env,
        url=getattr(args, "url", None),
        username=getattr(args, "kapacitor_username", None),
        password=getattr(args, "kapacitor_password", None),
        skip_verify=getattr(args, "skip_verify", False),
        ca_cert=getattr(args, "ca_cert", None),
        timeout=getattr(args, "timeout", None),
    )


def main(argv: Sequence[str] | None = None) -> int:
    install_log_scrubbing()
    parser = build_parser()
    args = parser.parse_args(argv)
    scrub = Scrubber()
    try:
        settings = connection_settings(args)
        scrub.add(settings.password)
        if args.command is None:
            return run_wizard(args, settings)
        if args.command == "show":
            return asyncio.run(show(settings, scrub, sys.stdout))
        if args.command == "apply" and args.handler == "slack":
            return asyncio.run(apply_slack(args, settings, scrub, sys.stdin, sys.stdout))
    except WizardError as err:
        print(f"kapacitor-wizard: {scrub(str(err))}", file=sys.stderr)
        return 2 if isinstance(err, UsageError) else 1
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return 2


def run_wizard(args: argparse.Namespace, settings: ConnectionSettings) -> int:
    from wizard.tui.app import WizardApp  # Textual loads only for the interactive wizard
    from wizard.tui.state import AppSettings

    WizardApp(AppSettings(connection=settings, telegram_api_url=args.telegram_api_url)).run()
    return 0


async def show(settings: ConnectionSettings, scrub: Scrubber, out: TextIO) -> int:
    async with KapacitorClient(settings, scrubber=scrub) as client:
        version = await client.ping()
        config = await client.get_config()
    print(f"Kapacitor {version} at {settings.url}", file=out)
    for spec in HANDLERS.values():
        for element in config.get(spec.section, []):
            status = handler_status(spec, element.options, element.redacted)
            name = spec.title + (f" ({status.workspace})" if status.workspace else "")
            print(f"  {name:<20} {status.summary()}", file=out)
    return 0


def read_secret(value: str | None, env_name: str, stdin: TextIO, env: dict[str, str] | None = None) -> Secret | None:
    """A secret from the option, standard input ('-') or the environment; None when none is given."""
    env = dict(os.environ) if env is None else env
    if value == "-":
        text = stdin.readline().strip()
        if not text:
            raise UsageError("Standard input was empty; expected the secret on its first line.")
        return Secret(text)
    if value:
        return Secret(value.strip())
    from_env = env.get(env_name, "").strip()
    return Secret(from_env) if from_env else None


def _check(flag: str, verdict: validators.Verdict, err: TextIO) -> str:
    if not verdict.ok:
        raise UsageError(f"{flag}: {verdict.error}")
    if verdict.warning:
        print(f"warning: {flag}: {verdict.warning}", file=err)
    return verdict.value


async def apply_slack(
    args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, stdin: TextIO, out: TextIO
) -> int:
    webhook = read_secret(args.webhook_url, "SLACK_WEBHOOK_URL", stdin)
    desired: dict[str, Any] = {"enabled": True}
    if webhook is not None:
        scrub.add(webhook)
        _check("--webhook-url", validators.slack_webhook_url(webhook.reveal()), sys.stderr)
        desired["url"] = webhook
    if args.channel is not None:
        desired["channel"] = _check("--channel", validators.slack_channel(args.channel), sys.stderr)
    if args.slack_username is not None:
        desired["username"] = _check("--username", validators.slack_username(args.slack_username), sys.stderr)
    if args.icon_emoji is not None:
        desired["icon-emoji"] = _check("--icon-emoji", validators.slack_icon_emoji(args.icon_emoji), sys.stderr)
    workspace = _check("--workspace", validators.slack_workspace(args.workspace), sys.stderr) if args.workspace else ""

    async with KapacitorClient(settings, scrubber=scrub) as client:
        await client.ping()
        element = _find(await client.get_section(SLACK.section), workspace)
        if webhook is None and not (element and element.is_set("url")):
            raise UsageError(
                "No webhook URL: give --webhook-url (or '-' to read it from standard input), or set SLACK_WEBHOOK_URL."
            )
        plan = plan_changes(SLACK, element, desired, workspace=workspace)
        adding = element is None
        if args.dry_run:
            _print_request(settings, plan, adding, out)
            print("Dry run: nothing was written.", file=out)
            return 0
        if adding:
            await client.add_element(SLACK.section, {"workspace": workspace, **plan.set_body()})
            print(f"Added Slack workspace {workspace}: {', '.join(c.option for c in plan.changes)}", file=out)
        elif plan.empty:
            print("Nothing to change: Kapacitor already has these settings.", file=out)
        else:
            await client.update_element(SLACK.section, workspace=workspace, set=plan.set_body(), delete=plan.delete_list())
            print(f"Updated {plan.path}: {', '.join(c.option for c in plan.changes)}", file=out)
        if args.test:
            options: dict[str, Any] = {"message": "Test alert from kapacitor-wizard: Kapacitor can send alerts here."}
            if workspace:
                options.update({"workspace": workspace, "channel": ""})
            result = await client.run_service_test(SLACK.service_test, options)
            if not result.success:
                print(f"kapacitor-wizard: Kapacitor's Slack test alert failed: {result.message}", file=sys.stderr)
                return 1
            print("Kapacitor sent a test alert through Slack.", file=out)
    return 0


def _find(elements: list[Element], workspace: str) -> Element | None:
    for element in elements:
        if element.workspace == workspace:
            return element
    return None


def _print_request(settings: ConnectionSettings, plan: Plan, adding: bool, out: TextIO) -> None:
    if adding:
        body: dict[str, Any] = {"add": {"workspace": plan.workspace, **plan.request_body().get("set", {})}}
        path = f"{API}/config/{plan.spec.section}"
    else:
        body = plan.request_body()
        path = plan.path
    if not body:
        print("Nothing to change: Kapacitor already has these settings.", file=out)
        return
    print(f"POST {settings.url}{path}", file=out)
    print(json.dumps(body, indent=2, ensure_ascii=False), file=out)
