"""`route`, `routes`, `unroute` and `prove`: alert topics from the command line."""
from __future__ import annotations

import argparse
import json
import signal
import sys
from typing import TextIO

from wizard.commands.common import UsageError
from wizard.kapacitor import proof
from wizard.kapacitor import topics
from wizard.text import checks
from wizard.kapacitor.client import ConnectionSettings, KapacitorClient
from wizard.text.secrets import Scrubber, mask_userinfo

formatter = argparse.RawDescriptionHelpFormatter


def register(commands: argparse._SubParsersAction, connection: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    route = commands.add_parser(
        "route",
        parents=[connection],
        help="send a topic's alerts through a configured handler (a topic handler)",
        description="Add a topic handler so that alerts published with .topic('<topic>') go through the "
        "handler; an existing handler with the same id is changed instead. Without --option the topic "
        "handler uses the handler's own settings.",
        epilog="examples:\n"
        "  kapacitor-wizard route slack --topic main\n"
        "  kapacitor-wizard route slack --topic main --match 'level() == CRITICAL' --option channel=#oncall\n"
        "  kapacitor-wizard route --undo                     put back what the last route change replaced",
        formatter_class=formatter,
    )
    route.add_argument("handler", nargs="?", choices=topics.HANDLER_KINDS, help="the handler the alerts go through")
    route.add_argument("--topic", help="the topic, for example main")
    route.add_argument("--match", default="", metavar="EXPR", help="only alerts for which this is true, e.g. \"level() == CRITICAL\"")
    route.add_argument("--id", default="", dest="handler_id", help="the topic handler's id (default: kapacitor-wizard-<handler>)")
    route.add_argument("--workspace", default="", help="slack: a named workspace")
    route.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                       help="a handler option for this topic only (slack: channel, username, icon-emoji; "
                       "telegram: chat-id, parse-mode, disable-notification, disable-web-page-preview; hipchat: room)")
    route.add_argument("--dry-run", action="store_true", help="print the request and write nothing")
    route.add_argument("--undo", action="store_true", help="undo the last route or unroute on this Kapacitor")
    route.add_argument("--force", action="store_true", help="with --undo: even when the handler was changed since")
    route.set_defaults(run=run_route)

    listing = commands.add_parser(
        "routes", parents=[connection], help="list alert topics and their handlers",
        description="List Kapacitor's alert topics, their level and their topic handlers.",
        epilog="example:\n  kapacitor-wizard routes --topic main", formatter_class=formatter,
    )
    listing.add_argument("--topic", help="only this topic")
    listing.set_defaults(run=run_routes)

    unroute = commands.add_parser(
        "unroute", parents=[connection], help="remove a topic handler",
        description="Remove one topic handler; `route --undo` puts it back.",
        epilog="example:\n  kapacitor-wizard unroute --topic main --id kapacitor-wizard-slack", formatter_class=formatter,
    )
    unroute.add_argument("--topic", required=True)
    unroute.add_argument("--id", required=True, dest="handler_id")
    unroute.add_argument("--dry-run", action="store_true", help="print the request and write nothing")
    unroute.set_defaults(run=run_unroute)

    prove = commands.add_parser(
        "prove", parents=[connection], help="send one real alert through a route or a handler, end to end",
        description="Check first what can be checked (the route exists, the handler is enabled, its Slack "
        "workspace exists, the route's match lets a CRITICAL alert through). Then copy the route's handler "
        "onto a private topic (your topics and handlers are not written to), create a temporary stream task "
        "(database kapacitor_wizard), write one point through Kapacitor's /write endpoint and read Kapacitor's "
        "log for the handler's errors. Kapacitor does not report a successful send, so the proof says what it "
        "saw and exits 1 when it saw a failure. Everything it creates is noted in a record before it is created "
        "and removed by that record, also when a step fails, on Ctrl+C or SIGTERM; what a killed proof left is "
        "removed by the next one. No InfluxDB is needed.",
        epilog="examples:\n  kapacitor-wizard prove slack                 the script calls .slack() directly\n"
        "  kapacitor-wizard prove slack --topic main    through a copy of topic main's slack route",
        formatter_class=formatter,
    )
    prove.add_argument("handler", choices=topics.HANDLER_KINDS)
    prove.add_argument("--topic", default="", help="prove this topic's route instead of calling the handler directly")
    prove.add_argument("--id", default="", dest="handler_id", help="with --topic: only the route with this id")
    prove.add_argument("--workspace", default="", help="slack: a named workspace")
    prove.set_defaults(run=run_prove)


def _checked(option: str, verdict: checks.Verdict) -> str:
    if not verdict.ok:
        raise UsageError(f"{option}: {verdict.error}")
    return verdict.value


def _options(given: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for item in given:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"--option {item!r}: write it as NAME=VALUE, for example channel=#alerts.")
        options[name.strip()] = value
    return options


async def _client(settings: ConnectionSettings, scrub: Scrubber) -> KapacitorClient:
    client = KapacitorClient(settings, scrubber=scrub)
    try:
        await client.ping()
    except BaseException:
        await client.aclose()
        raise
    return client


def _print_request(settings: ConnectionSettings, change: topics.RouteChange, out: TextIO, scrub: Scrubber) -> None:
    method, path, body = change.request()
    print(f"{method} {mask_userinfo(settings.url)}{path}", file=out)
    if body is not None:
        print(scrub(json.dumps(body)), file=out)


async def run_route(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, stdin: TextIO, out: TextIO) -> int:
    if args.undo:
        return await _undo(settings, scrub, out, force=args.force)
    if not args.handler or not args.topic:
        raise UsageError("route needs a handler and --topic, for example: kapacitor-wizard route slack --topic main")
    try:
        desired = topics.desired_handler(
            args.handler, args.topic, handler_id=args.handler_id, match=args.match,
            options=_options(args.option),
            workspace=_checked("--workspace", checks.slack_workspace(args.workspace)) if args.workspace else "",
        )
    except topics.RouteError as err:
        raise UsageError(err.message) from None
    client = await _client(settings, scrub)
    async with client:
        change = topics.plan_route(desired, await topics.get_handler(client, desired.topic, desired.id))
        for line in change.lines():
            print(scrub(line), file=out)
        if change.empty:
            return 0
        if args.dry_run:
            _print_request(settings, change, out, scrub)
            print("Dry run: nothing was written.", file=out)
            return 0
        await topics.apply_change(client, change)
    print(change.summary(), file=out)
    print(f"Tasks publish to it with {topics.topic_tickscript(desired.topic)}; undo with: kapacitor-wizard route --undo", file=out)
    return 0


async def _undo(settings: ConnectionSettings, scrub: Scrubber, out: TextIO, *, force: bool) -> int:
    records = [r for r in topics.route_records(settings.url) if r.state in ("applied", "unknown")]
    if not records:
        raise topics.RouteError("There is no route change to undo for this Kapacitor.")
    client = await _client(settings, scrub)
    async with client:
        change = await topics.undo_route(client, records[0], force=force)
    print(f"Undone: {change.summary()}", file=out)
    for warning in change.lost_warnings():
        print(f"kapacitor-wizard: warning: {scrub(warning)}", file=sys.stderr)
    return 0


async def run_routes(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, stdin: TextIO, out: TextIO) -> int:
    wanted = _checked("--topic", topics.check_topic(args.topic)) if args.topic is not None else None
    client = await _client(settings, scrub)
    async with client:
        listed = [t for t in await topics.list_topics(client) if wanted is None or t.id == wanted]
        handlers = {t.id: await topics.list_handlers(client, t.id) for t in listed}
    if not listed:
        print(f"No topic {wanted} on Kapacitor." if wanted else "Kapacitor has no alert topics yet.", file=out)
        return 0
    for topic in listed:
        note = " (a task's own topic)" if topic.anonymous else ""
        print(scrub(f"{topic.id}  level {topic.level or '?'}, {topic.collected} event(s){note}"), file=out)
        for handler in handlers[topic.id]:
            print(scrub(f"  {handler.describe()}"), file=out)
        if not handlers[topic.id]:
            print("  no topic handlers", file=out)
    return 0


async def run_unroute(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, stdin: TextIO, out: TextIO) -> int:
    topic = _checked("--topic", topics.check_topic(args.topic))
    handler_id = _checked("--id", topics.check_handler_id(args.handler_id))
    client = await _client(settings, scrub)
    async with client:
        current = await topics.get_handler(client, topic, handler_id)
        if current is None:
            raise topics.RouteError(f"Topic {topic} has no handler {handler_id}.", "List them with: kapacitor-wizard routes")
        change = topics.plan_unroute(current)
        for line in change.lines():
            print(scrub(line), file=out)
        if args.dry_run:
            _print_request(settings, change, out, scrub)
            print("Dry run: nothing was written.", file=out)
            return 0
        await topics.apply_change(client, change)
    print(f"{change.summary()} Put it back with: kapacitor-wizard route --undo", file=out)
    return 0


async def run_prove(args: argparse.Namespace, settings: ConnectionSettings, scrub: Scrubber, stdin: TextIO, out: TextIO) -> int:
    topic = _checked("--topic", topics.check_topic(args.topic)) if args.topic else ""
    handler_id = _checked("--id", topics.check_handler_id(args.handler_id)) if args.handler_id else ""
    if handler_id and not topic:
        raise UsageError("--id names a route: give its --topic too, for example: kapacitor-wizard prove slack --topic main --id to-slack")
    workspace = _checked("--workspace", checks.slack_workspace(args.workspace)) if args.workspace else ""
    client = await _client(settings, scrub)
    warnings: list[str] = []

    def report(line: str) -> None:
        print(scrub(line), file=out, flush=True)

    def warn(line: str) -> None:
        warnings.append(line)
        print(f"kapacitor-wizard: warning: {scrub(line)}", file=sys.stderr, flush=True)

    async with client:
        result, stopped = await proof.run_stoppable(proof.prove(
            client, args.handler, topic=topic, handler_id=handler_id, workspace=workspace, report=report, warn=warn))
    if stopped or result is None:
        name = signal.Signals(stopped).name if stopped else "stopped"
        left = ("some of what it created could not be removed (see above); the next proof removes it"
                if warnings else "the proof removed what it had created")
        print(f"kapacitor-wizard: interrupted ({name}); {left}.", file=sys.stderr)
        return 128 + stopped if stopped else 1
    for line in result.conclusion():
        print(scrub(line), file=out)
    return 1 if warnings else 0
