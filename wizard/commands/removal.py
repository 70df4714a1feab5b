"""Removing an element of a list section from the command line (`apply slack --remove-workspace`,
`apply <handler> --remove`): the same checks as the wizard's element list, then the same write
as every other apply, with an undo record kept first."""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TextIO

from wizard.commands.common import UsageError, open_target, warn
from wizard.changes import elements as workspaces
from wizard.handlers.registry import HandlerSpec
from wizard.kapacitor.client import ConnectionSettings
from wizard.changes.plan import plan_removal
from wizard.text.secrets import Scrubber, mask_userinfo
from wizard.changes.target import ApiTarget, WriteResult
from wizard.text.checks import Verdict

UNDO_BY = "kapacitor-wizard undo"


async def remove_element(
    args: argparse.Namespace,
    settings: ConnectionSettings,
    scrub: Scrubber,
    spec: HandlerSpec,
    key: str,
    out: TextIO,
    *,
    flag: str,
    done: Callable[[workspaces.ListSection, str, Verdict, WriteResult], str],
) -> int:
    """Check, then `{"remove": [key]}` through Kapacitor's API (`--dry-run` prints it).

    `done` words the line printed after the removal. Exit 1 when the element is still listed:
    it comes from kapacitor.conf, Kapacitor only dropped the changes made over HTTP, and the
    write set them back (ApiTarget.write), so nothing was removed.
    """
    rules = workspaces.list_section(spec.section, spec.list_key or "workspace")
    async with open_target(args, settings, scrub) as target:
        assert isinstance(target, ApiTarget)
        elements = await target.client.get_section(spec.section)
        verdict = workspaces.check_remove_element(rules, key, elements)
        if not verdict.ok:
            raise UsageError(f"{flag} {key}: {verdict.error}")
        plan = plan_removal(spec, workspaces.find_element(elements, key, rules), key)
        lost = [c.option for c in plan.changes if c.secret and c.before]
        if args.dry_run:
            print(mask_userinfo(f"POST {settings.url}{plan.path}"), file=out)
            print(json.dumps(plan.request_body(), ensure_ascii=False), file=out)
            if verdict.warning:
                print(verdict.warning, file=out)
            if caveat := workspaces.file_removal_caveat(rules, key):
                print(caveat, file=out)
            print(workspaces.removal_undo_note(rules, key, lost, by=UNDO_BY), file=out)
            print("Dry run: nothing was written.", file=out)
            return 0
        target.warn = warn
        result = await target.write(plan)
    if result.warnings:
        for line in result.warnings:
            print(line, file=out)
        return 1
    print(done(rules, key, verdict, result), file=out)
    if result.undo_record is not None:
        print(workspaces.removal_undo_note(rules, key, lost, by=UNDO_BY), file=out)
    return 0
