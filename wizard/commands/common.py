"""What every `apply` command shares: secrets from stdin or the environment, checks, dry-run output."""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from typing import Any, Protocol, TextIO

from wizard.core import undo
from wizard.core.errors import WizardError
from wizard.core.handlers import TEST_MESSAGE
from wizard.core.kapacitor import API, ConnectionSettings, Element, KapacitorClient, ServiceTestResult
from wizard.core.plan import Plan
from wizard.core.secrets import Scrubber, Secret
from wizard.core.validators import Verdict



class UsageError(WizardError):
    """A bad option value: exit status 2, like argparse."""

    title = "Invalid option"


class Streams(Protocol):
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO


def add_apply_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--test", action="store_true", help="after writing, ask Kapacitor to send a test alert")
    parser.add_argument("--dry-run", action="store_true", help="print the exact request (secrets masked) and write nothing")


def read_secret(value: str | None, env_name: str, stdin: TextIO, env: Mapping[str, str] | None = None) -> Secret | None:
    """A secret from the option, standard input ('-') or the environment; None when none is given."""
    env = os.environ if env is None else env
    if value == "-":
        text = stdin.readline().strip()
        if not text:
            raise UsageError("Standard input was empty; expected the secret on its first line.")
        return Secret(text)
    if value:
        return Secret(value.strip())
    from_env = env.get(env_name, "").strip()
    return Secret(from_env) if from_env else None


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


async def write_plan(client: KapacitorClient, plan: Plan, out: TextIO) -> None:
    """Send only what changed and say what was written."""
    if plan.empty:
        print("Nothing to change: Kapacitor already has these settings.", file=out)
        return
    with undo.backup(plan, client.settings.url, warn=warn):
        await client.update_element(plan.spec.section, workspace=plan.workspace, set=plan.set_body(), delete=plan.delete_list())
    print(f"Updated {plan.path}: {', '.join(c.option for c in plan.changes)}", file=out)


def warn(message: str) -> None:
    print(f"kapacitor-wizard: warning: {message}", file=sys.stderr)


def report_test(title: str, result: ServiceTestResult, out: TextIO, err: TextIO) -> int:
    if not result.success:
        print(f"kapacitor-wizard: Kapacitor's {title} test alert failed: {result.message}", file=err)
        return 1
    print(f"Kapacitor sent a test alert through {title}.", file=out)
    return 0


def new_scrubber(*secrets: Secret | None) -> Scrubber:
    scrub = Scrubber()
    for secret in secrets:
        scrub.add(secret)
    return scrub
