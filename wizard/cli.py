"""The command line: the wizard by default; `show` and `apply` for scripts.

`apply` uses the same validators and the same change plan as the wizard, so a
script and a person get the same checks and send the same requests.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from collections.abc import Sequence
from typing import TextIO

from wizard import __version__
from wizard.changes import summary
from wizard.conf.document import ConfigWriteInterrupted
from wizard.text.errors import ValidationError, WizardError
from wizard.handlers.registry import HANDLERS, handler_status
from wizard.kapacitor.client import ConnectionSettings, KapacitorClient
from wizard.text.secrets import Scrubber, install_log_scrubbing, mask_userinfo, scrubbed_traceback, unexpected_error_line
from wizard.commands import hipchat as hipchat_command
from wizard.commands import generic as generic_command
from wizard.commands import slack as slack_command
from wizard.commands import undo as undo_command
from wizard.commands import route as route_command
from wizard.commands import telegram as telegram_command
from wizard.commands import argtypes as options
from wizard.commands.common import UsageError
from wizard.commands.argtypes import OneLineParser

# Each module adds `apply <handler>` with register(subparsers, connection_options).
APPLY_COMMANDS = (hipchat_command, slack_command, telegram_command, generic_command)

EPILOG = """\
examples:
  kapacitor-wizard                                   start the wizard (Kapacitor at $KAPACITOR_URL or localhost:9092)
  kapacitor-wizard --url http://kapacitor:9092       start the wizard for another Kapacitor
  kapacitor-wizard show                              print each handler's state
  SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0/B0/XXXX \\
    kapacitor-wizard apply slack --channel '#alerts' --test
  kapacitor-wizard undo                              restore what the last apply changed
  TELEGRAM_BOT_TOKEN=123456789:AA… kapacitor-wizard detect-chat-id
                                                     print the chats a Telegram bot can see
"""


def connection_options(*, with_short_credentials: bool) -> argparse.ArgumentParser:
    """Connection options, accepted on the bare command and after every subcommand.

    SUPPRESS keeps a subcommand's missing option from hiding one given before it.
    """
    parser = OneLineParser(add_help=False)
    group = parser.add_argument_group("connecting to Kapacitor")
    group.add_argument("--url", type=options.kapacitor_url, default=argparse.SUPPRESS, help="Kapacitor's URL (default: $KAPACITOR_URL, else http://localhost:9092)")
    names = ["--kapacitor-username"] + (["--username"] if with_short_credentials else [])
    group.add_argument(*names, dest="kapacitor_username", metavar="USER", default=argparse.SUPPRESS, help="basic-auth user (default: $KAPACITOR_USERNAME)")
    names = ["--kapacitor-password"] + (["--password"] if with_short_credentials else [])
    group.add_argument(*names, dest="kapacitor_password", metavar="PASSWORD", default=argparse.SUPPRESS, help="basic-auth password (default: $KAPACITOR_PASSWORD; prefer the variable, it stays out of shell history)")
    group.add_argument("--skip-verify", action="store_true", default=argparse.SUPPRESS, help="do not verify Kapacitor's TLS certificate")
    group.add_argument("--ca-cert", type=options.ca_cert, default=argparse.SUPPRESS, metavar="FILE", help="CA certificate that signed Kapacitor's TLS certificate")
    group.add_argument(
        "--timeout", type=options.seconds(options.TIMEOUT_MAX), default=argparse.SUPPRESS, metavar="SECONDS",
        help="how long one exchange with a server (Kapacitor, Telegram, Slack, HipChat, a mail server or a direct "
        f"check's address) may take in all, its whole answer included (default: 10, at most {options.TIMEOUT_MAX:g})",
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    connection = connection_options(with_short_credentials=True)
    formatter = argparse.RawDescriptionHelpFormatter
    parser = OneLineParser(
        prog="kapacitor-wizard",
        description="Get Kapacitor alerts into Slack, Telegram or HipChat: a guided terminal wizard, "
        "and commands for scripts.",
        epilog=EPILOG,
        formatter_class=formatter,
        parents=[connection],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # main() takes --debug from anywhere on the line; listed here for --help.
    parser.add_argument("--debug", action="store_true", help="on an unexpected error, also print where it happened (secrets masked)")
    parser.add_argument(
        "--telegram-api-url",
        type=options.telegram_api_url,
        default="https://api.telegram.org",
        metavar="URL",
        help="the Telegram Bot API server the wizard and Kapacitor use (default: https://api.telegram.org); "
        "for a local Bot API server or a gateway",
    )
    parser.add_argument(
        "--config-file",
        type=options.config_file,
        metavar="PATH",
        default="",
        help="write handler settings into this kapacitor.conf instead of Kapacitor's API "
        "(for config kept in files, or when no Kapacitor runs here)",
    )
    parser.add_argument(
        "--kapacitor-version",
        type=options.kapacitor_version,
        metavar="VERSION",
        default="",
        help="with --config-file: the Kapacitor version that reads the file (such as 1.5.7); options only some "
        "versions read are refused while it is unknown",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    show_parser = commands.add_parser(
        "show",
        parents=[connection],
        help="print each handler's state (secrets only as set / not set)",
        description="Print what Kapacitor has for each handler: values that are not secret, "
        "and secrets only as set / not set.",
        epilog="examples:\n  kapacitor-wizard show --url http://kapacitor:9092\n  kapacitor-wizard show --json",
        formatter_class=formatter,
    )
    show_parser.add_argument("--json", action="store_true", help="print the same as JSON, for scripts")

    apply = commands.add_parser(
        "apply",
        help="configure a handler without the wizard",
        description="Configure a handler with the same checks as the wizard. Only changed options are sent.",
        epilog="example:\n  kapacitor-wizard apply slack --webhook-url - --channel '#alerts' --test < webhook.txt",
        formatter_class=formatter,
    )
    handlers = apply.add_subparsers(dest="handler", metavar="HANDLER", required=True)
    for command in APPLY_COMMANDS:
        command.register(handlers, connection_options)
    undo_command.register(commands, connection)
    telegram_command.register_detect(commands)
    route_command.register(commands, connection)
    return parser


def connection_settings(args: argparse.Namespace, env: dict[str, str] | None = None) -> ConnectionSettings:
    """Flags, then KAPACITOR_* variables; a bad value from either is a usage error (exit status 2)."""
    try:
        return ConnectionSettings.from_environment(
            env,
            url=getattr(args, "url", None),
            username=getattr(args, "kapacitor_username", None),
            password=getattr(args, "kapacitor_password", None),
            skip_verify=getattr(args, "skip_verify", False),
            ca_cert=getattr(args, "ca_cert", None),
            timeout=getattr(args, "timeout", None),
        )
    except ValidationError as err:
        raise UsageError(err.message) from None


SECRET_VARIABLES = ("KAPACITOR_PASSWORD", "SLACK_WEBHOOK_URL", "TELEGRAM_BOT_TOKEN", "HIPCHAT_TOKEN")
"""Environment variables that hold a secret: masked in every error, whichever command reads them."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; every error ends as one scrubbed line on stderr, never as a traceback."""
    install_log_scrubbing()
    arguments = list(sys.argv[1:] if argv is None else argv)
    # --debug works anywhere on the line: it only changes how an unexpected error is reported.
    debug = "--debug" in arguments
    arguments = [a for a in arguments if a != "--debug"]
    scrub = Scrubber()
    learn_given_secrets(arguments, scrub)
    scrub.add_all(os.environ.get(name) for name in SECRET_VARIABLES)
    scrub.add_url(os.environ.get("KAPACITOR_URL"))
    try:
        parser = build_parser()
        args = parser.parse_args(arguments)
        settings = connection_settings(args)
        scrub.add(settings.password)
        for value in vars(args).values():  # --telegram-api-url, --hipchat-url, ...
            if isinstance(value, str):
                scrub.add_url(value)
        if args.command is None:
            return run_wizard(args, settings, debug=debug)
        if args.command == "show":
            return asyncio.run(show(settings, scrub, sys.stdout, as_json=args.json))
        if args.command == "undo":
            return asyncio.run(undo_command.run(args, settings, scrub, sys.stdout, sys.stderr))
        if args.command in ("apply", "detect-chat-id", "route", "routes", "unroute", "prove"):
            return asyncio.run(args.run(args, settings, scrub, sys.stdin, sys.stdout))
    except WizardError as err:
        if debug:
            print(scrubbed_traceback(err), file=sys.stderr, end="")
        print(f"kapacitor-wizard: {scrub(str(err))}", file=sys.stderr)
        return 2 if isinstance(err, UsageError) else 1
    except ConfigWriteInterrupted as stop:  # a signal during a kapacitor.conf write: say whether it was written
        print(f"kapacitor-wizard: {stop.message}", file=sys.stderr)
        return stop.exit_status
    except KeyboardInterrupt:
        print("kapacitor-wizard: interrupted.", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: one line (the traceback only with --debug), secrets masked
        if debug:
            print(scrubbed_traceback(err), file=sys.stderr, end="")
        print(f"kapacitor-wizard: {unexpected_error_line(err, with_hint=not debug)}", file=sys.stderr)
        return 1
    parser.print_help()
    return 2


SECRET_OPTION = re.compile(r"pass|pa?s+w|pwd|token|secret|webhook|auth", re.IGNORECASE)
"""Option names whose value is a secret, misspellings included."""


def learn_given_secrets(arguments: Sequence[str], scrub: Scrubber) -> None:
    """Before parsing: argparse echoes values it refuses (a misspelled `--pasword=...` whole),
    and a URL may hold a password."""
    # Handlers' secret options by name (`--routing-key X` typed by habit, `--set api-key=X`);
    # not `url`, which is also Kapacitor's own address.
    handler_secrets = {name for spec in HANDLERS.values() for name in spec.secrets} - {"url"}
    handler = next((HANDLERS[a] for a in arguments if a in HANDLERS), None)
    set_secrets = handler.secrets if handler is not None else handler_secrets

    def following(index: int) -> str:
        return arguments[index] if index < len(arguments) else ""

    for index, argument in enumerate(arguments):
        scrub.add_url(argument)
        name, equals, value = argument.partition("=")
        if name.startswith("--") and (SECRET_OPTION.search(name) or re.search(r"key|community", name) or name[2:] in handler_secrets):
            given = value if equals else following(index + 1)
            if given != "-" and not given.startswith("--"):
                scrub.add(given)
        if name == "--set":
            option, given_here, given = (value if equals else following(index + 1)).partition("=")
            if option in set_secrets or SECRET_OPTION.search(option):
                given = given if given_here else following(index + (1 if equals else 2))
                if given.strip() not in ("-", "") and not given.startswith("--"):
                    scrub.add(given)


def run_wizard(args: argparse.Namespace, settings: ConnectionSettings, *, debug: bool = False) -> int:
    from wizard.tui import crash
    from wizard.tui.app import WizardApp  # Textual loads only for the interactive wizard
    from wizard.tui.state import AppSettings

    crash.show_traceback = debug
    app = WizardApp(
        AppSettings(
            connection=settings, telegram_api_url=args.telegram_api_url, config_file=args.config_file,
            kapacitor_version=args.kapacitor_version,
        )
    )
    app.run()
    if crash.report(app):
        print(crash.report(app), file=sys.stderr)
    return app.return_code or 0


async def show(settings: ConnectionSettings, scrub: Scrubber, out: TextIO, *, as_json: bool = False) -> int:
    """Each handler as the wizard's list shows it: `Slack  ● enabled  #alerts, webhook set`."""
    async with KapacitorClient(settings, scrubber=scrub) as client:
        version = await client.ping()
        config = await client.get_config()
    elements = [(spec, element) for spec in HANDLERS.values() for element in config.get(spec.section, [])]
    if as_json:
        handlers = [summary.as_json(spec, e.options, e.redacted) for spec, e in elements]
        document = {"kapacitor": {"url": mask_userinfo(settings.url), "version": version}, "handlers": handlers}
        print(scrub(json.dumps(document, indent=2)), file=out)
        return 0
    print(f"Kapacitor {version} at {mask_userinfo(settings.url)}", file=out)
    rows = []
    for spec, element in elements:
        status = handler_status(spec, element.options, element.redacted)
        name = spec.title + (f" ({status.workspace})" if status.workspace else "")
        if not any(o.name == "enabled" for o in spec.options):
            state = "● active  "  # no on/off switch (HTTP POST endpoints): alert rules can always use it
        else:
            state = "● enabled " if status.enabled else "○ disabled"
        rows.append((name, state, summary.details(spec, element.options, element.redacted)))
    width = max([20, *(len(name) for name, _, _ in rows)])
    for name, state, details in rows:
        print(scrub(f"  {name:<{width}} {state}  {details}"), file=out)
    return 0
