"""What every `apply` command shares: secrets from stdin or the environment, checks, dry-run output."""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from typing import Any, TextIO

from wizard.conf import document as conffile
from wizard.changes import undo
from wizard.text.errors import WizardError
from wizard.handlers.registry import TEST_MESSAGE, HandlerSpec
from wizard.handlers.service_tests import service_test_options
from wizard.kapacitor.client import API, ConnectionSettings, Element, KapacitorClient, ServiceTestResult
from wizard.changes.plan import Plan
from wizard.text.secrets import Scrubber, Secret, mask_userinfo
from wizard.changes.target import ApiTarget, FileTarget, Target
from wizard.commands import argtypes as options
from wizard.text import checks
from wizard.text.checks import Verdict



class UsageError(WizardError):
    """A bad option value: exit status 2, like argparse."""

    title = "Invalid option"


def add_apply_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--test", action="store_true", help="after writing, ask Kapacitor to send a test alert")
    parser.add_argument("--dry-run", action="store_true", help="print the exact request (secrets masked) and write nothing")


def add_switch_flags(parser: argparse.ArgumentParser, title: str, call: str) -> None:
    """--enable/--disable, --global and --state-changes-only: each changes only itself, so on a
    configured handler none of its address, chat or secret options needs repeating."""
    advanced = parser.add_argument_group("switches (each changes only itself)")
    state = advanced.add_mutually_exclusive_group()
    state.add_argument(
        "--enable", dest="enabled", action="store_const", const=True, default=None,
        help=f"turn the {title} handler on (the default: apply turns it on)",
    )
    state.add_argument(
        "--disable", dest="enabled", action="store_const", const=False,
        help=f"turn the {title} handler off; its settings stay, and nothing else is needed",
    )
    advanced.add_argument(
        "--global", dest="global_", action=argparse.BooleanOptionalAction, default=None,
        help=f"send every alert to {title}, not only rules that name .{call}() (default: unchanged)",
    )
    advanced.add_argument(
        "--state-changes-only", action=argparse.BooleanOptionalAction, default=None,
        help="with --global, send an alert only when its level changes (default: unchanged)",
    )


def switch_values(args: argparse.Namespace) -> dict[str, Any]:
    """What the switch flags ask for: `enabled` always (apply turns a handler on unless --disable)."""
    if args.enabled is False and getattr(args, "test", False):
        raise UsageError("--test cannot be used with --disable: a disabled handler sends no test alert.")
    values: dict[str, Any] = {"enabled": args.enabled is not False}
    if args.global_ is not None:
        values["global"] = args.global_
    if args.state_changes_only is not None:
        values["state-changes-only"] = args.state_changes_only
    return values


STDIN_MAX_BYTES = 64 * 1024
"""Far more than any token or webhook URL; more is not a secret on its first line."""


def literal_secret(flag: str, *, stdin_form: str, env_form: str) -> UsageError:
    """The one refusal of a secret typed on the command line itself, for every command and option
    (`--webhook-url https://…`, `--token 123:AA…`, `--set routing-key=abc`): it would stay in shell
    history and in the process list. It says the two ways that keep it out; never the value."""
    return UsageError(
        f"{flag}: this is a secret, and a secret typed on the command line stays in shell history and "
        f"the process list; give it as {stdin_form} (read from standard input) or {env_form}."
    )


def read_secret(
    value: str | None,
    env_name: str,
    stdin: TextIO,
    env: Mapping[str, str] | None = None,
    *,
    option: str = "the secret",
) -> Secret | None:
    """A secret from standard input (the option's value '-') or the environment; None when none is given.

    A value typed on the command line itself is refused (`literal_secret`). Standard input must
    be UTF-8 text with the secret on one line (a trailing line break is fine); a second line is
    refused rather than silently dropped. Wherever it comes from, a secret with control
    characters is refused. Errors never repeat the secret.
    """
    env = os.environ if env is None else env
    if value == "-":
        text = _secret_from_stdin(stdin, option)
        source = f"{option} (standard input)"
    elif value:
        raise literal_secret(option, stdin_form=f"{option} -", env_form=f"in the environment variable {env_name}")
    else:
        text, source = env.get(env_name, "").strip(), env_name
        if not text:
            return None
    bad = checks.control_character(text)
    if bad:
        raise UsageError(f"{source}: the secret contains a control character ({bad}); give it again without it.")
    return Secret(text)


def _secret_from_stdin(stdin: TextIO, option: str) -> str:
    """The first line of standard input; refuses anything that is not one line of UTF-8 text."""
    if stdin is None:  # started without a standard input at all
        raise UsageError(f"{option}: there is no standard input to read the secret from.")
    buffer = getattr(stdin, "buffer", None)
    interactive = stdin.isatty() if hasattr(stdin, "isatty") else False
    if buffer is not None:
        # A person typing at a terminal ends with Enter, not with end-of-file.
        data = buffer.readline(STDIN_MAX_BYTES + 1) if interactive else buffer.read(STDIN_MAX_BYTES + 1)
        if len(data) > STDIN_MAX_BYTES:
            raise UsageError(f"{option}: standard input is longer than {STDIN_MAX_BYTES // 1024} KiB; expected one line.")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(
                f"{option}: standard input is not UTF-8 text; give the secret as one line of UTF-8."
            ) from None
    else:
        text = stdin.readline() if interactive else stdin.read(STDIN_MAX_BYTES + 1)
    text = text.removeprefix("\ufeff")  # a byte-order mark some editors write first
    first, _, rest = text.partition("\n")
    if rest.strip():
        raise UsageError(f"{option}: standard input has more than one line; expected only the secret, on one line.")
    first = first.strip()
    if not first:
        raise UsageError("Standard input was empty; expected the secret on its first line.")
    return first


def check(flag: str, verdict: Verdict, err: TextIO | None = None) -> str:
    """Refuse a bad value as a usage error; print a warning and go on for a doubtful one."""
    if not verdict.ok:
        raise UsageError(f"{flag}: {verdict.error}")
    if verdict.warning:
        print(f"warning: {flag}: {verdict.warning}", file=err or sys.stderr)
    return verdict.value


def find_element(elements: list[Element], workspace: str = "") -> Element | None:
    for element in elements:
        if element.workspace == workspace:
            return element
    return None


def print_request(settings: ConnectionSettings, plan: Plan, out: TextIO, *, adding: bool = False) -> None:
    """The exact request `apply` would send, secrets masked."""
    if adding:
        body: dict[str, Any] = {"add": {plan.spec.list_key or "workspace": plan.workspace, **plan.request_body().get("set", {})}}
        path = f"{API}/config/{plan.spec.section}"
    else:
        body = plan.request_body()
        path = plan.path
    if not body:
        print("Nothing to change: Kapacitor already has these settings.", file=out)
        return
    print(mask_userinfo(f"POST {settings.url}{path}"), file=out)
    print(mask_userinfo(json.dumps(body, indent=2, ensure_ascii=False)), file=out)  # --telegram-api-url may hold one


async def write_plan(client: KapacitorClient, plan: Plan, out: TextIO) -> None:
    """Send only what changed and say what was written."""
    if plan.empty:
        print("Nothing to change: Kapacitor already has these settings.", file=out)
        return
    # Saved as pending first: kept when Kapacitor never answers (it may have applied the change).
    with undo.backup(plan, client.settings.url, warn=warn):
        await client.update_element(plan.spec.section, workspace=plan.workspace, set=plan.set_body(), delete=plan.delete_list())
    print(f"Updated {plan.path}: {', '.join(c.option for c in plan.changes)}", file=out)


def warn(message: str) -> None:
    print(f"kapacitor-wizard: warning: {message}", file=sys.stderr)


def report_test(
    title: str, result: ServiceTestResult, out: TextIO, err: TextIO, *, spec: HandlerSpec | None = None, direct_follows: bool = False
) -> int:
    if spec is not None and spec.test_proves:
        # Kapacitor's success means less than delivery here (SMTP only queues): say what it checked.
        from wizard.commands.direct import report_test_verdict

        return report_test_verdict(spec, result, out, err, direct_follows=direct_follows)
    if not result.success:
        print(f"kapacitor-wizard: Kapacitor's {title} test alert failed: {result.message}", file=err)
        return 1
    print(f"Kapacitor sent a test alert through {title}.", file=out)
    return 0


def add_target_flags(parser: argparse.ArgumentParser) -> None:
    """Where the settings go: Kapacitor's API (the default), a kapacitor.conf, or environment variables."""
    group = parser.add_argument_group("writing a file instead")
    group.add_argument(
        "--config-file",
        metavar="PATH",
        type=options.config_file,
        default=argparse.SUPPRESS,  # keeps a --config-file given before the subcommand
        help="write the handler's section into this kapacitor.conf instead of calling Kapacitor's API "
        "(comments and everything else are kept; a backup is left beside it; restart Kapacitor afterwards)",
    )
    group.add_argument(
        "--kapacitor-version",
        metavar="VERSION",
        type=options.kapacitor_version,
        default=argparse.SUPPRESS,  # keeps a --kapacitor-version given before the subcommand
        help="with --config-file: the Kapacitor version that reads the file (such as 1.5.7 or 1.8.3). Options "
        "only some versions read (Kafka SASL, Slack's token, smtp to-templates, Zenoss, ...) are refused "
        "while it is unknown; without it, the Kapacitor at --url is asked",
    )
    group.add_argument(
        "--format",
        choices=["env"],
        help="print the settings as KAPACITOR_* environment variables (for containers) instead of writing",
    )
    group.add_argument("--show-secrets", action="store_true", help="with --format env: print secret values instead of a placeholder")
    group.add_argument(
        "--force",
        action="store_true",
        help="with --config-file: replace the file even when it is read-only (its mode is kept)",
    )


def check_target_flags(args: argparse.Namespace) -> None:
    """Refuse flag combinations that cannot work, before anything is read or written."""
    if getattr(args, "kapacitor_version", "") and not getattr(args, "config_file", None):
        raise UsageError(
            "--kapacitor-version goes with --config-file: through the API, the wizard asks Kapacitor itself."
        )
    if getattr(args, "config_file", None) and getattr(args, "test", False):
        raise UsageError(
            "--test cannot be used with --config-file: Kapacitor reads kapacitor.conf only when it starts. "
            "Write the file, restart Kapacitor, then run the command again without --config-file to test."
        )


@asynccontextmanager
async def open_target(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber) -> AsyncIterator[Target]:
    """The file named by --config-file, else Kapacitor's API (checked with a ping)."""
    check_target_flags(args)
    if getattr(args, "config_file", None):
        yield FileTarget(
            args.config_file, scrub, kapacitor=settings, force=getattr(args, "force", False),
            kapacitor_version=getattr(args, "kapacitor_version", ""),
        )
        return
    async with KapacitorClient(settings, scrubber=scrub) as client:
        await client.ping()
        yield ApiTarget(client)


async def existing_element(
    args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, section: str, workspace: str, out: TextIO
) -> tuple[Element | None, str]:
    """For `--format env`: the element Kapacitor (or the --config-file) has now, so its values are printed too.

    Not reaching it is no error here: a comment says so and only the values given are printed.
    """
    check_target_flags(args)
    try:
        async with open_target(args, settings, scrub) as target:
            return find_element((await target.read_config()).get(section, []), workspace), target.description
    except UsageError:
        raise
    except WizardError as err:
        print(f"# {' '.join(err.message.split())} Only the values given here are printed.", file=out)
        return None, ""


def print_env(
    plan: Plan,
    desired: Mapping[str, Any],
    out: TextIO,
    *,
    show_secrets: bool,
    index: int = 0,
    element: Element | None = None,
    where: str = "",
    replaced: Collection[str] = (),
) -> int:
    """Every variable the handler needs, as Kapacitor reads them at start: the values given here,
    then the ones `element` (what Kapacitor has now) holds, except `replaced` ones (the other way's
    secret after a switch). A secret given here is printed only with --show-secrets; one that is
    only stored is named in a comment, since it cannot be read back."""
    section = plan.spec.section
    known = conffile.OPTIONS[section]
    values = {
        name: (value.reveal() if isinstance(value, Secret) else value)
        for name, value in desired.items()
        if value is not None
    }
    if plan.spec.list_key and plan.workspace:
        values.setdefault(plan.spec.list_key, plan.workspace)
    stored_secrets: list[str] = []
    if element is not None:
        for option in plan.spec.options:
            name = option.name
            if name in values or name in replaced or name not in known or not element.is_set(name):
                continue
            if option.secret or name in element.redacted:
                stored_secrets.append(name)
            else:
                values[name] = element.options[name]
    try:
        lines = conffile.env_lines(
            section, values, workspace_index=index, show_secrets=show_secrets, placeholder=conffile.ENV_SECRET_HINT
        )
    except conffile.EnvValueError as err:
        raise UsageError(err.message) from None
    for line in lines:
        print(line, file=out)
    for name in stored_secrets:
        variable = conffile.env_name(section, name, index)
        print(f"# {variable} is set in {where or 'Kapacitor'} (a secret is never read back): give it here to print it", file=out)
    # Kapacitor needs these to send anything; without them here, say so rather than print a partial set.
    for option in plan.spec.options:
        if option.required and option.name not in values and option.name not in stored_secrets:
            name = conffile.env_name(section, option.name, index)
            print(f"# {name} is needed too: not given here (it may be set elsewhere)", file=out)
    return 0


async def carry_out(
    args: argparse.Namespace,
    target: Target,
    plan: Plan,
    out: TextIO,
    *,
    test_options: Mapping[str, Any] | None = None,
) -> int:
    """Dry run, write and test, the same way for every handler and target."""
    err = sys.stderr
    title = plan.spec.title
    check_target_flags(args)
    if args.dry_run:
        if isinstance(target, FileTarget):
            print(target.preview(plan) or f"Nothing to change: {target.path} already has these settings.", file=out)
            for note in target.notes(plan):
                warn(note)
        else:
            print_request(target.client.settings if isinstance(target, ApiTarget) else ConnectionSettings(), plan, out, adding=plan.adding)
        print("Dry run: nothing was written.", file=out)
        if getattr(args, "check_broker", False):
            return await check_broker(target, plan, out, err)
        return 0
    if isinstance(target, ApiTarget) and not plan.adding:
        await write_plan(target.client, plan, out)
    elif isinstance(target, ApiTarget):
        target.warn = warn
        print((await target.write(plan)).summary, file=out)
    elif plan.empty:
        print(f"Nothing to change: {target.description} already has these settings.", file=out)
    else:
        try:
            result = await target.write(plan)
        except conffile.ConfigWriteInterrupted as stop:
            # Ctrl+C or SIGTERM: the file is either untouched or fully written; say which.
            print(f"kapacitor-wizard: {stop.message}", file=err)
            return stop.exit_status
        print(result.summary, file=out)
        if result.backup:
            print(f"The previous file is kept as {result.backup}.", file=out)
        if result.needs_restart:
            print("Restart Kapacitor to load it (for example: sudo systemctl restart kapacitor).", file=out)
        for warning in result.warnings:
            warn(warning)
    status = 0
    if args.test and isinstance(target, ApiTarget):
        if test_options is None:
            test_options = service_test_options(plan.spec, await _element_values(target.client, plan), plan.workspace)
        result_test = await target.client.run_service_test(plan.spec.service_test, {"message": TEST_MESSAGE, **test_options})
        status = report_test(title, result_test, out, err, spec=plan.spec, direct_follows=getattr(args, "direct_check", False))
    if getattr(args, "direct_check", False):
        from wizard.commands.direct import direct_check_after_apply

        status = max(status, await direct_check_after_apply(target, plan, out, err))
    if getattr(args, "check_broker", False):
        status = max(status, await check_broker(target, plan, out, err))
    return status


async def check_broker(target: Target, plan: Plan, out: TextIO, err: TextIO) -> int:
    """`--check-broker` (MQTT): a TCP connection to the element's broker from here, bounded by
    --timeout. kapacitord exits at start when an enabled broker does not answer, so a file is
    best checked before Kapacitor restarts with it. 0 when it answers, 1 when not, 2 without a URL."""
    from wizard.conf import startrules

    url = plan.new_values.get("url")
    if not url:
        try:
            elements = (await target.read_config()).get(plan.spec.section, [])
        except WizardError:
            elements = []
        key = plan.spec.list_key or ""
        element = next((e for e in elements if str(e.options.get(key, "")) == plan.workspace), None)
        url = element.options.get("url") if element is not None else ""
    if not url:
        print(f"kapacitor-wizard: --check-broker: {plan.spec.title} {plan.workspace} has no broker URL to check.", file=err)
        return 2
    settings = target.kapacitor if isinstance(target, FileTarget) else getattr(getattr(target, "client", None), "settings", None)
    timeout = settings.timeout if settings is not None else ConnectionSettings().timeout
    address = startrules.broker_address(str(url))
    where = f"{address[0]}:{address[1]}" if address else str(url)
    print(f"Broker check: connecting to {where} from here (TCP only, at most {timeout:g} s) …", file=out)
    result = await startrules.check_broker(str(url), timeout)
    if result.ok:
        print(f"Broker check passed: {result.summary}.", file=out)
        return 0
    print(
        f"kapacitor-wizard: broker check failed: {result.summary}. kapacitord exits at start while an enabled "
        "broker does not answer; check the address, or the network between Kapacitor and the broker.",
        file=err,
    )
    return 1


async def _element_values(client: KapacitorClient, plan: Plan) -> Mapping[str, Any]:
    """The element as Kapacitor has it after the write (its address for the test); {} if unreadable."""
    try:
        return (await client.get_element(plan.spec.section, plan.workspace)).options
    except WizardError:
        return {}
