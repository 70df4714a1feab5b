"""`kapacitor-wizard undo`: send back the values an apply replaced."""
from __future__ import annotations

import argparse
import json
from typing import TextIO

from wizard.core import undo
from wizard.core.kapacitor import ConnectionSettings, KapacitorClient
from wizard.core.secrets import Scrubber

DESCRIPTION = (
    "Restore the values that the last apply (from the wizard or `apply`) replaced on this Kapacitor. "
    "Before every write the previous values are kept in $XDG_STATE_HOME/kapacitor-wizard "
    "(default ~/.local/state/kapacitor-wizard): non-secret values exactly, secrets only as set / not set, "
    "because Kapacitor never reveals them. A secret that was replaced therefore cannot be restored; "
    "undo says so. Undo again goes one apply further back; it never redoes."
)

EPILOG = """\
examples:
  kapacitor-wizard undo                      restore what the last apply changed
  kapacitor-wizard undo --list               list what can be undone on this Kapacitor
  kapacitor-wizard undo --dry-run            print the request undo would send
  kapacitor-wizard undo 20250101T120000.000000Z --url http://kapacitor:9092
"""


def register(commands: argparse._SubParsersAction, connection: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "undo",
        parents=[connection],
        help="restore the values the last apply replaced",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("id", nargs="?", metavar="ID", help="undo this record (see --list) instead of the newest")
    parser.add_argument("--list", action="store_true", help="list the recorded applies to this Kapacitor, newest last")
    parser.add_argument("--dry-run", action="store_true", help="print the request undo would send and change nothing")


async def run(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, out: TextIO, err: TextIO) -> int:
    url = undo.public_url(settings.url)
    if args.list:
        records = undo.list_records(settings.url)
        if not records:
            print(f"Nothing recorded for {url}.", file=out)
            return 0
        print(f"Recorded applies to {url} (undo restores the newest not yet undone):", file=out)
        for record in records:
            print(f"  {record.describe()}", file=out)
        return 0

    async with KapacitorClient(settings, scrubber=scrub) as client:
        await client.ping()
        if args.id:
            outcome = await undo.undo_record(client, undo.find(args.id, settings.url), dry_run=args.dry_run)
        else:
            outcome = await undo.undo_latest(client, settings.url, dry_run=args.dry_run)

    if args.dry_run:
        plan = outcome.plan
        if plan.empty:
            print(outcome.summary(), file=out)
        else:
            print(f"POST {settings.url}{plan.path}", file=out)
            print(json.dumps(plan.request_body(), indent=2, ensure_ascii=False), file=out)
            print(outcome.summary(), file=out)
        for warning in outcome.warnings():
            print(f"warning: {warning}", file=err)
        print("Dry run: nothing was written.", file=out)
        return 0

    print(outcome.summary(), file=out)
    for warning in outcome.warnings():
        print(f"kapacitor-wizard: warning: {warning}", file=err)
    print("This change is now undone: undo again goes one apply further back, it does not redo this one.", file=out)
    return 0
