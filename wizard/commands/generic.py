"""`kapacitor-wizard apply <handler> --set option=value` for every handler without a command of its own.

Options are named as Kapacitor spells them (`routing-key`, `batch-size`, `SASLAuth`); each value
is read as the option's kind (text, true/false, a whole number, a comma-separated list, key=value
pairs or a JSON object) and checked by the option's own validator, as the wizard's form does.
Secrets never come from the command line itself: `--set token=-` reads standard input and
`--set-env token=VARIABLE` an environment variable, so they stay out of shell history and the
process list.
"""
from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from wizard.commands.common import (
    UsageError,
    add_apply_flags,
    add_target_flags,
    carry_out,
    check_target_flags,
    literal_secret,
    open_target,
    print_env,
    read_secret,
)
from wizard.commands.direct import add_direct_check_flag
from wizard.conf import document as conffile
from wizard.changes import elements as workspaces
from wizard.handlers.catalog import CATALOG
from wizard.text.errors import WizardError
from wizard.handlers.registry import HandlerSpec, OptionSpec
from wizard.kapacitor.client import ConnectionSettings, Element
from wizard.changes.plan import plan_changes, unavailable_options
from wizard.text.secrets import Scrubber, Secret, StructuredSecret
from wizard.changes.target import ApiTarget, FileTarget, Target
from wizard.text.checks import Verdict
from wizard.text.values import ValueProblem, parse_text, secret_parts

_OPTION_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,59}")
_KIND_WORDS = {str: "text", bool: "true/false", int: "whole number", list: "list (a, b)", dict: "object (k=v, k2=v2 or JSON)"}
_KIND_SENTENCES = {str: "text", bool: "true or false", int: "a whole number", list: "a comma-separated list",
                   dict: "key=value pairs separated by commas, or a JSON object"}


def register(handlers: argparse._SubParsersAction, connection_options: Callable[..., argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    for spec in sorted(CATALOG, key=lambda s: s.name):
        _register_one(handlers, connection_options, spec)


def _option_lines(spec: HandlerSpec) -> str:
    lines = []
    for option in spec.options:
        if option.name in ("enabled", spec.list_key):
            continue
        what = ("secret " if option.secret else "") + _KIND_WORDS.get(option.kind, "text")
        if option.required:
            what += ", needed"
        lines.append(f"  {option.name:<22} {what}: {option.label}")
    return "\n".join(lines)


def _example(spec: HandlerSpec) -> str:
    parts = [f"kapacitor-wizard apply {spec.name}"]
    for option in spec.options:
        if not option.required or option.name == "enabled":
            continue
        if option.secret:
            variable = f"{spec.name.upper()}_{option.name.upper().replace('-', '_')}"
            parts.append(f"--set-env {option.name}={variable}")
        else:
            parts.append(f"--set {option.name}={option.placeholder.split()[0] if option.placeholder else 'VALUE'}")
    if spec.list_key:
        parts.insert(1, f"--element {workspaces.list_section(spec.section, spec.list_key).builtin or 'NAME'}")
    return " ".join(parts) + " --test"


def _register_one(
    handlers: argparse._SubParsersAction, connection_options: Callable[..., argparse.ArgumentParser], spec: HandlerSpec  # type: ignore[type-arg]
) -> None:
    parser = handlers.add_parser(
        spec.name,
        # --username and --password would be ambiguous beside the handler's own (SMTP, MQTT, …).
        parents=[connection_options(with_short_credentials=False)],
        help=spec.summary,
        description=(
            f"{spec.summary}\n\nConfigure Kapacitor's [{spec.section}] handler with --set OPTION=VALUE, options as\n"
            "Kapacitor spells them. Only the given options change; a configured handler takes\n"
            "--enable or --disable alone. Kapacitor's own user and password are\n"
            "--kapacitor-username and --kapacitor-password here.\n\noptions of this handler:\n" + _option_lines(spec)
        ),
        epilog=(
            "examples:\n  " + _example(spec) + "\n"
            f"  kapacitor-wizard apply {spec.name} --disable\n"
            "secrets come only from standard input (--set OPTION=-) or a variable (--set-env OPTION=VARIABLE)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--set", dest="set_values", action="append", default=[], metavar="OPTION=VALUE",
        help="set one option (repeat for more); a secret as OPTION=- reads it from standard input",
    )
    parser.add_argument(
        "--set-env", dest="env_values", action="append", default=[], metavar="OPTION=VARIABLE",
        help="set one option from an environment variable: the way to give a secret without standard input",
    )
    parser.add_argument(
        "--reset", dest="resets", action="append", default=[], metavar="OPTION",
        help="drop the option's API setting, so the value from kapacitor.conf applies again",
    )
    if spec.list_key:
        rules = workspaces.list_section(spec.section, spec.list_key)
        parser.add_argument(
            "--element", "--workspace", dest="element", metavar="KEY", default=None,
            help=f"which {rules.noun} ({spec.list_key}); a new name adds one "
            f"(default: the only one, else {rules.short_label(rules.builtin) if rules.builtin != chr(0) else 'none'})",
        )
        parser.add_argument(
            "--remove", dest="remove", metavar="KEY", default=None,
            help=f"remove the {rules.noun} KEY instead of configuring one (through Kapacitor's API; "
            "what Kapacitor does then is said before and after; kapacitor-wizard undo adds it again)",
        )
    if any(o.name == "enabled" for o in spec.options):
        state = parser.add_mutually_exclusive_group()
        state.add_argument("--enable", dest="enabled", action="store_const", const=True, default=None,
                           help="turn the handler on (the default: apply turns it on)")
        state.add_argument("--disable", dest="enabled", action="store_const", const=False,
                           help="turn the handler off; its settings stay, and nothing else is needed")
    parser.add_argument("--allow-http", action="store_true",
                        help="accept a plain http:// address on another host (a relay you trust)")
    add_apply_flags(parser)
    if spec.direct_check:
        add_direct_check_flag(parser)
    if spec.section == "mqtt":
        parser.add_argument(
            "--check-broker", action="store_true",
            help="after writing (or with --dry-run), try a TCP connection to the broker from here, within "
            "--timeout: kapacitord exits at start while an enabled broker does not answer",
        )
    add_target_flags(parser)
    parser.set_defaults(run=run, spec=spec, enabled=None, remove=None)


# -- reading the values ------------------------------------------------------------------


def _pairs(items: list[str], flag: str, what: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            # The text is not repeated: it may be a secret given in the wrong place.
            raise UsageError(f"{flag}: expected OPTION={what}, such as {flag} url={'https://…' if what == 'VALUE' else 'MY_VARIABLE'}.")
        pairs.append((name, value))
    return pairs


def _find_option(spec: HandlerSpec, name: str, flag: str) -> OptionSpec:
    for option in spec.options:
        if option.name == name:
            if name == spec.list_key:
                raise UsageError(f"{flag} {name}: name the element with --element instead; Kapacitor cannot rename one.")
            if name == "enabled":
                raise UsageError(f"{flag} enabled: use --enable or --disable.")
            return option
    shown = name if _OPTION_NAME.fullmatch(name) else "this option"
    valid = [o.name for o in spec.options if o.name not in ("enabled", spec.list_key)]
    close = difflib.get_close_matches(name, valid, n=1) if _OPTION_NAME.fullmatch(name) else []
    hint = f" Did you mean {close[0]}?" if close else ""
    raise UsageError(f"{flag} {shown}: {spec.title} has no such option.{hint} Its options: {', '.join(valid)}.")


def _checked(option: OptionSpec, text: str, flag: str, *, allow_http: bool, err: TextIO) -> Any:
    """The value of the option's kind, checked by its validator; a secret's text is never repeated."""
    where = f"{flag} {option.name}"
    if option.kind is bool:
        try:
            return parse_text(option, text)
        except ValueProblem:
            raise UsageError(f"{where}: give true or false.") from None
    try:
        parse_text(option, text)
    except ValueProblem as exc:
        if option.secret:
            raise UsageError(f"{where}: {option.label} must be {_KIND_SENTENCES.get(option.kind, 'text')}"
                             " (the value is not shown: it is a secret).") from None
        raise UsageError(f"{where}: {exc}") from None
    verdict: Verdict = option.validate(text)
    if verdict.confirm and allow_http:
        verdict = verdict.confirmed()
    if verdict.confirm:
        raise UsageError(f"{where}: {verdict.confirm} Use https://, or give --allow-http if it is a relay you trust.")
    if not verdict.ok:
        raise UsageError(f"{where}: {verdict.error}")
    if verdict.warning:
        print(f"warning: {where}: {verdict.warning}", file=err)
    if option.kind is str:
        return verdict.value
    return parse_text(option, verdict.value if isinstance(verdict.value, str) else text)


def given_values(
    spec: HandlerSpec, args: argparse.Namespace, scrub: Scrubber, stdin: TextIO, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What --set and --set-env ask for, parsed and checked; secrets as `Secret`."""
    err = sys.stderr
    values: dict[str, Any] = {}
    from_stdin = ""
    for flag, items, what in (("--set", args.set_values, "VALUE"), ("--set-env", args.env_values, "VARIABLE")):
        for name, text in _pairs(items, flag, what):
            option = _find_option(spec, name, flag)
            if name in values:
                raise UsageError(f"{flag} {name}: given twice; give each option once.")
            if flag == "--set-env":
                variable = text.strip()
                if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):
                    raise UsageError(f"--set-env {name}: give the name of an environment variable, such as {name.upper().replace('-', '_')}.")
                if option.secret:
                    secret = read_secret(None, variable, stdin, env, option=f"--set-env {name}")
                    text = secret.reveal() if secret is not None else ""
                else:  # not taught to the scrubbers: a plain address stays readable in what is printed
                    text = (os.environ if env is None else env).get(variable, "").strip()
                if not text:
                    raise UsageError(f"--set-env {name}: the environment variable {variable} is not set or is empty.")
            elif text.strip() == "-":
                if from_stdin:
                    raise UsageError(f"--set {name}=-: standard input already gives {from_stdin}; give this one with --set-env {name}=VARIABLE.")
                from_stdin = name
                secret = read_secret("-", "", stdin, env, option=f"--set {name}")
                text = secret.reveal() if secret is not None else ""
            elif option.secret:
                scrub.add(text)  # never shown, even by mistake
                if not text.strip():
                    raise UsageError(f"--set {name}: to drop the stored {option.label.lower()}, use --reset {name}.")
                raise literal_secret(f"--set {name}", stdin_form=f"--set {name}=-", env_form=f"--set-env {name}=VARIABLE")
            if option.secret:
                scrub.add_all(secret_parts(option, text))
            value = _checked(option, text, flag, allow_http=args.allow_http, err=err)
            if option.secret:
                if value in ("", [], {}, None):
                    raise UsageError(f"{flag} {name}: the secret is empty; to drop the stored one, use --reset {name}.")
                value = StructuredSecret(value) if isinstance(value, (list, dict)) else Secret(value)
                scrub.add(value)
            values[name] = value
    for name in args.resets:
        option = _find_option(spec, name, "--reset")
        if option.name in values:
            raise UsageError(f"--reset {name}: also given a value; give one or the other.")
    return values


# -- choosing the element ---------------------------------------------------------------


def _key_of(spec: HandlerSpec, element: Element) -> str:
    return str(element.options.get(spec.list_key or "", ""))


def _choose_key(spec: HandlerSpec, args: argparse.Namespace, elements: list[Element]) -> str:
    """The element a list section's change goes to: --element, else the only one, else the built-in one."""
    rules = workspaces.list_section(spec.section, spec.list_key or "")
    if args.element is not None:
        return args.element
    keys = [_key_of(spec, e) for e in elements]
    if len(keys) == 1:
        return keys[0]
    if rules.builtin in keys:
        return rules.builtin
    raise UsageError(
        f"{spec.title} has {len(keys)} {rules.plural} ({', '.join(k or '(default)' for k in keys)}): "
        f"name one with --element KEY."
    )


def _check_element(
    spec: HandlerSpec, key: str, elements: list[Element], values: Mapping[str, Any], err: TextIO, *, api: bool = True
) -> Element | None:
    rules = workspaces.list_section(spec.section, spec.list_key or "")
    element = next((e for e in elements if _key_of(spec, e) == key), None)
    changes = {k: v for k, v in values.items() if k != "enabled" or element is None}
    if element is None:
        verdict = workspaces.check_new_element(rules, key, elements, make_default=values.get("default") is True, api=api)
    else:
        verdict = workspaces.check_change(rules, key, elements, changes, api=api)
    if not verdict.ok:
        raise UsageError(f"--element {key}: {verdict.error}")
    if verdict.warning:
        print(f"warning: --element {key}: {verdict.warning}", file=err)
    return element


def _needs(spec: HandlerSpec, desired: Mapping[str, Any], element: Element | None) -> None:
    """Refuse to turn a handler on without what Kapacitor needs to send anything."""
    for option in spec.options:
        if not option.required or option.name in desired:
            continue
        if element is not None and element.is_set(option.name):
            continue
        how = f"--set {option.name}=- or --set-env {option.name}=VARIABLE" if option.secret else f"--set {option.name}=VALUE"
        raise UsageError(f"No {option.label.lower()} ({option.name}): {spec.title} needs it to be enabled; give {how}.")


# -- running ----------------------------------------------------------------------------


async def run(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, stdin: TextIO, out: TextIO) -> int:
    spec: HandlerSpec = args.spec
    err = sys.stderr
    if args.remove is not None:
        return await remove_element(args, settings, scrub, spec, out)
    has_enabled = any(o.name == "enabled" for o in spec.options)
    if args.enabled is False and args.test:
        raise UsageError("--test cannot be used with --disable: a disabled handler sends no test alert.")
    check_target_flags(args)
    given = given_values(spec, args, scrub, stdin)
    desired: dict[str, Any] = {"enabled": args.enabled is not False} if has_enabled else {}
    desired.update(given)
    if spec.list_key and args.element is not None:
        verdict = workspaces.check_key(args.element, workspaces.list_section(spec.section, spec.list_key))
        if not verdict.ok:
            raise UsageError(f"--element: {verdict.error}")
        args.element = verdict.value

    if args.format == "env":
        return await _print_env(args, settings, scrub, spec, desired, out)
    async with open_target(args, settings, scrub) as target:
        config = await target.read_config()
        if spec.section not in config:
            version = target.client.version if isinstance(target, ApiTarget) else ""
            raise UsageError(f"Kapacitor {version or 'here'} has no {spec.title} handler (no [{spec.section}] section).")
        elements = config[spec.section]
        available = frozenset(elements[0].options) if isinstance(target, ApiTarget) and elements else None
        missing = unavailable_options(spec, desired, available) + [n for n in args.resets if available is not None and n not in available]
        if missing:
            version = target.client.version if isinstance(target, ApiTarget) else ""
            raise UsageError(f"--set {missing[0]}: Kapacitor {version or 'here'} has no {spec.title} option {missing[0]}.")
        key = _choose_key(spec, args, elements) if spec.list_key else ""
        if spec.list_key:
            element = _check_element(spec, key, elements, desired, err, api=isinstance(target, ApiTarget))
        else:
            element = elements[0] if elements else None
        if desired.get("enabled") is not False:
            _needs(spec, desired, element)
        plan = plan_changes(spec, element, desired, workspace=key, resets=args.resets, available=available)
        # The test names this element and its address; a success says what it does not prove (test_proves).
        return await carry_out(args, target, plan, out)


async def remove_element(
    args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, spec: HandlerSpec, out: TextIO
) -> int:
    """`--remove KEY`: POST {"remove": [KEY]} with an undo record, after the same checks as the wizard's element list."""
    rules = workspaces.list_section(spec.section, spec.list_key or "")
    if args.set_values or args.env_values or args.resets or args.element is not None or args.enabled is not None or args.test:
        raise UsageError("--remove goes alone: it takes no --set, --set-env, --reset, --element, --enable, --disable or --test.")
    if getattr(args, "config_file", None) or args.format == "env":
        raise UsageError(f"--remove needs Kapacitor's API: in kapacitor.conf, delete the [[{spec.section}]] table of the {rules.noun}.")
    from wizard.commands.removal import remove_element as remove_through_api

    def done(rules: workspaces.ListSection, key: str, verdict: Verdict, result: object) -> str:
        what = f"Reset {rules.label(key)}." if key == rules.builtin else f"Removed {rules.label(key)}."
        return f"{rules.service}: {what}" + (f" {verdict.warning}" if verdict.warning else "")

    return await remove_through_api(args, settings, scrub, spec, args.remove, out, flag="--remove", done=done)


async def _print_env(
    args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, spec: HandlerSpec, desired: dict[str, Any], out: TextIO
) -> int:
    """`--format env`: the variables Kapacitor reads at start, with what the target has now."""
    element: Element | None = None
    where = ""
    index = 0
    key = args.element if spec.list_key and args.element is not None else ""
    try:
        async with open_target(args, settings, scrub) as target:
            elements = (await target.read_config()).get(spec.section, [])
            where = target.description
            if spec.list_key:
                key = _choose_key(spec, args, elements) if elements or args.element is not None else workspaces.list_section(spec.section, spec.list_key).builtin
                element = next((e for e in elements if _key_of(spec, e) == key), None)
                index = _env_index(target, spec, key)
            else:
                element = elements[0] if elements else None
    except UsageError:
        raise
    except WizardError as err:
        print(f"# {' '.join(err.message.split())} Only the values given here are printed.", file=out)
    plan = plan_changes(spec, None, desired, workspace=key)
    if spec.list_key and not getattr(args, "config_file", None) and key != workspaces.list_section(spec.section, spec.list_key).builtin:
        print(f"# <n> in KAPACITOR_{spec.section.upper()}_<n>_* is the position of {key or 'the default element'} among "
              f"the [[{spec.section}]] entries of kapacitor.conf; 0 is printed: give --config-file to have it counted", file=out)
    if spec.list_key and index < 0:
        index = 0
        print(f"# {key} is not in kapacitor.conf yet: Kapacitor reads KAPACITOR_{spec.section.upper()}_<n>_* only for "
              f"[[{spec.section}]] entries the file has; add the entry there, then use its position as <n>", file=out)
    return print_env(plan, desired, out, show_secrets=args.show_secrets, index=index, element=element, where=where)


def _env_index(target: Target, spec: HandlerSpec, key: str) -> int:
    """The position of the element among the file's `[[section]]` entries (-1: not there);
    through the API, where the file is unknown, the built-in element's 0."""
    if isinstance(target, FileTarget):
        keys = target.load().element_keys(spec.section) if spec.section in conffile.OPTIONS else []
        if not keys:
            return 0 if key == conffile.BUILT_IN_KEYS.get(spec.section, "") else -1
        return keys.index(key) if key in keys else -1
    return 0
