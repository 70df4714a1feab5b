"""`--direct-check` on the apply commands: check the service itself, beside Kapacitor's test,
for handlers whose test proves less than delivery (SMTP, HTTP services)."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import Any, TextIO

import httpx

from wizard.services import direct
from wizard.handlers.registry import HandlerSpec
from wizard.kapacitor.client import ServiceTestResult
from wizard.text.secrets import Scrubber


def add_direct_check_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--direct-check",
        action="store_true",
        help="after writing, check the service itself as well: SMTP connects, logs in and sends a test mail; "
        "HTTP services get one test alert POSTed straight to the configured address (it may notify or page "
        "whoever receives these alerts: this flag is your consent)",
    )


def report_test_verdict(
    spec: HandlerSpec, result: ServiceTestResult, out: TextIO, err: TextIO, *, direct_follows: bool = False
) -> int:
    """Kapacitor's test result, saying what a success does not prove for this handler
    (`direct_follows`: --direct-check was given, so the hint says it comes next)."""
    hint = "The direct check follows" if direct_follows and spec.direct_check else direct.cli_direct_hint(spec)
    verdict = direct.test_verdict(spec, result, direct_hint=hint)
    if not verdict.ok:
        print(f"kapacitor-wizard: Kapacitor's {spec.title} test alert failed: {verdict.detail}", file=err)
        return 1
    print(verdict.headline, file=out)
    if verdict.detail:
        print(verdict.detail, file=out)
    return 0


async def run_direct_check(
    spec: HandlerSpec,
    values: Mapping[str, Any],
    scrub: Scrubber,
    out: TextIO,
    *,
    err: TextIO | None = None,
    http: httpx.AsyncClient | None = None,
    timeout: float = direct.TIMEOUT,
) -> int:
    """Run the handler's direct check with `values` (see `direct.check_values`); print each step
    and the outcome. 0 when the service took the test, 1 when not, 2 when it cannot be run.
    `timeout` (--timeout) bounds the HTTP exchange, or each SMTP step."""
    err = err or sys.stderr
    if not spec.direct_check:
        print(f"kapacitor-wizard: {spec.title} has no direct check; Kapacitor's own test (--test) is the check.", file=err)
        return 2
    missing = direct.missing_secrets(spec, values)
    if missing:
        print(
            f"kapacitor-wizard: the direct check needs {', '.join(missing)}: Kapacitor never shows a stored secret, "
            "so give it in this command (from standard input with -, or from the environment).",
            file=err,
        )
        return 2
    if spec.direct_check == direct.SMTP:
        settings = direct.SmtpSettings.from_values(values)
        if isinstance(settings, str):
            print(f"kapacitor-wizard: direct check: {settings}", file=err)
            return 2
        print(f"Direct check: talking to the mail server at {settings.host}:{settings.port} …", file=out)
        result = await direct.check_smtp(settings, scrub, timeout=timeout)
    else:
        request = direct.http_post_request(spec, values)
        if isinstance(request, str):
            print(f"kapacitor-wizard: direct check: {scrub.line(request)}", file=err)
            return 2
        print(scrub.line(f"Direct check (--direct-check): {request.describe()}, straight to {spec.title}, not through Kapacitor."), file=out)
        if http is None:
            async with httpx.AsyncClient() as own:
                result = await direct.check_http_post(own, request, scrub, timeout=timeout)
        else:
            result = await direct.check_http_post(http, request, scrub, timeout=timeout)
    for line in result.steps:
        print(f"  {line}", file=out)
    if result.ok:
        print(f"Direct check passed: {result.summary}", file=out)
        return 0
    print(f"kapacitor-wizard: direct check failed: {result.summary}", file=err)
    return 1


async def direct_check_after_apply(target: Any, plan: Any, out: TextIO, err: TextIO) -> int:
    """`--direct-check` after a write: the element as the target has it now, with the values
    this command gave (secrets included) on top."""
    from wizard.text.errors import WizardError
    from wizard.changes.target import ApiTarget

    spec: HandlerSpec = plan.spec
    scrub: Scrubber = target.client.scrub if isinstance(target, ApiTarget) else getattr(target, "scrub", Scrubber())
    # --timeout: the connection settings of either target (a kapacitor.conf target keeps them too).
    connection = target.client.settings if isinstance(target, ApiTarget) else getattr(target, "kapacitor", None)
    timeout = connection.timeout if connection is not None else direct.TIMEOUT
    stored: Mapping[str, Any] = {}
    redacted: frozenset[str] = frozenset()
    try:
        for element in (await target.read_config()).get(spec.section, []):
            if spec.list_key is None or str(element.options.get(spec.list_key, "")) == plan.workspace:
                stored, redacted = element.options, element.redacted
                break
    except WizardError as error:
        print(f"kapacitor-wizard: warning: {error.message} The direct check uses only the values given here.", file=err)
    values = direct.check_values(spec, stored, redacted, plan.new_values)
    return await run_direct_check(spec, values, scrub, out, err=err, timeout=timeout)
