"""`kapacitor-wizard undo`: send back the values one write replaced."""
from __future__ import annotations

import argparse
import json
from typing import TextIO

from wizard.commands.common import UsageError
from wizard.changes import undo
from wizard.kapacitor.client import ConnectionSettings, KapacitorClient
from wizard.text.secrets import Scrubber

DESCRIPTION = (
    "Restore the values that one write (from the wizard or `apply`) replaced on this Kapacitor: "
    "by default the newest one not undone yet, or the one named by its id (see --list). "
    "Before every write the previous values and the new ones are kept in $XDG_STATE_HOME/kapacitor-wizard "
    "(default ~/.local/state/kapacitor-wizard): non-secret values exactly, secrets only as set / not set, "
    "because Kapacitor never reveals them. A secret that was replaced therefore cannot be restored; "
    "undo says so. When someone changed those options on Kapacitor after the write, undo names them "
    "and restores nothing (--force restores anyway). A write whose answer never came (a timeout, a "
    "dropped connection, Ctrl+C) is kept too, marked \"outcome unknown\". Undo never redoes."
)

EPILOG = """\
examples:
  kapacitor-wizard undo                      restore what the last write changed
  kapacitor-wizard undo --list               list what can be undone on this Kapacitor
  kapacitor-wizard undo --dry-run            show what undo would restore, and the request
  kapacitor-wizard undo 20250101T120000.000000Z --url http://kapacitor:9092
  kapacitor-wizard undo --force              restore even options changed since the write
"""

AGAIN = "This change is now undone: undo again goes one apply further back, it does not redo this one."


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
    parser.add_argument("--list", action="store_true", help="list the recorded writes to this Kapacitor, newest last")
    parser.add_argument("--dry-run", action="store_true", help="show what undo would restore and the request, change nothing")
    parser.add_argument(
        "--force", action="store_true",
        help="restore even when someone changed those options on Kapacitor after the write",
    )


def print_list(url: str, settings: ConnectionSettings, out: TextIO) -> int:
    records = undo.list_records(settings.url)
    if not records:
        print(f"Nothing recorded for {url}.", file=out)
        return 0
    print(f"Recorded writes to {url}, newest last (undo without an id takes the newest not undone):", file=out)
    for record in records:
        print(f"  {record.describe()}", file=out)
    return 0


async def run(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, out: TextIO, err: TextIO) -> int:
    url = undo.public_url(settings.url)
    if args.list:
        return print_list(url, settings, out)
    if args.id is not None and (problem := undo.id_problem(args.id)):
        # Refused before connecting: `undo ''` must not fall back to the newest record.
        raise UsageError(problem, "List them with: kapacitor-wizard undo --list")

    def announce(lines: list[str]) -> None:
        # Said before the request goes out, so an interrupted undo still told what it was doing.
        print(f"Restoring {lines[0]}", file=out)
        for line in lines[1:]:
            print(line, file=out)
        out.flush()

    async with KapacitorClient(settings, scrubber=scrub) as client:
        await client.ping()
        record = undo.find(args.id, settings.url) if args.id is not None else undo.latest(settings.url)
        if record is None:
            outcome = await undo.undo_latest(client, settings.url)  # raises NothingToUndo with its sentence
        else:
            outcome = await undo.undo_record(
                client, record, dry_run=args.dry_run, force=args.force, announce=announce
            )

    if args.dry_run:
        plan = outcome.plan
        print(f"Would restore {outcome.preview[0]}", file=out)
        for line in outcome.preview[1:]:
            print(line, file=out)
        if not plan.empty:
            print(f"POST {url}{plan.path}", file=out)
            print(json.dumps(plan.request_body(), indent=2, ensure_ascii=False), file=out)
        for line in outcome.notes():
            print(line, file=out)
        for warning in outcome.warnings():
            print(f"warning: {warning}", file=err)
        print("Dry run: nothing was written.", file=out)
        return 0

    for line in outcome.notes():
        print(line, file=out)
    for warning in outcome.warnings():
        print(f"kapacitor-wizard: warning: {warning}", file=err)
    print(AGAIN, file=out)
    return 0
