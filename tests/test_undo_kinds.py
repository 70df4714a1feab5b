"""Undo restores what was there, for every kind of option and every handler, and a removal
either completes or changes nothing: the real command line and core against the Kapacitor
stand-in (1.5.7 and 1.8.3)."""
from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fakes.kapacitor import KapacitorFake
from tests.test_remove_elements import SIZE, highlight, make_app, open_list
from tests.tui_helpers import shows, wait_for, wait_for_screen
from wizard.cli import main
from wizard.changes import undo
from wizard.text.errors import WizardError
from wizard.handlers.registry import HANDLERS, HandlerSpec, OptionSpec
from wizard.kapacitor.client import ConnectionSettings, KapacitorClient
from wizard.changes.plan import plan_changes, plan_removal
from wizard.changes.target import ApiTarget
from wizard.changes.elements import find_element, list_section
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.review import ReviewScreen

CONFIG = "/kapacitor/v1/config"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["1.5.7", "1.8.3"])
def any_kapacitor(request) -> Iterator[KapacitorFake]:
    with KapacitorFake(version=request.param) as fake:
        yield fake


@pytest.fixture
def kapacitor157() -> Iterator[KapacitorFake]:
    with KapacitorFake(version="1.5.7") as fake:
        yield fake


def run(argv, monkeypatch, capsys, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


READER = httpx.Client()
"""One client for reading Kapacitor's answers: a new one per request costs a TLS context each."""


@pytest.fixture(autouse=True, scope="module")
def close_reader() -> Iterator[None]:
    yield
    READER.close()


def options(kapacitor: KapacitorFake, section: str, element: str = "") -> dict[str, Any]:
    answer = READER.get(f"{kapacitor.url}{CONFIG}/{section}/{element}")
    assert answer.status_code == 200, answer.text
    return answer.json()["options"]


def post(kapacitor: KapacitorFake, path: str, body: dict) -> None:
    answer = httpx.post(kapacitor.url + CONFIG + path, json=body)
    assert answer.status_code == 204, answer.text
    kapacitor.requests.clear()


# -- null lists ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("handler", "option", "value"), [
    ("smtp", "to", "oncall@example.com"),
    ("opsgenie", "teams", "ops"),
    ("opsgenie", "recipients", "alice"),
    ("opsgenie2", "teams", "ops"),
    ("sensu", "handlers", "pager"),
])
def test_undo_brings_back_a_list_that_was_null(kapacitor157, handler, option, value, monkeypatch, capsys):
    assert options(kapacitor157, handler)[option] is None  # a fresh Kapacitor shows a list never set as null
    code, _, err = run(["apply", handler, "--url", kapacitor157.url, "--set", f"{option}={value}", "--disable"],
                       monkeypatch, capsys)
    assert code == 0, err
    assert options(kapacitor157, handler)[option] == [value]
    code, out, err = run(["undo", "--url", kapacitor157.url], monkeypatch, capsys)
    assert code == 0, err
    assert err == ""
    # Kapacitor refuses null ("wrong kind invalid"): the API setting is deleted instead.
    assert kapacitor157.config_posts()[-1].json == {"delete": [option]}
    assert options(kapacitor157, handler)[option] is None
    assert f"Restored {option} of" in out


# -- every kind of every handler ----------------------------------------------------------------

TLS_PAIR = ("ssl-cert", "ssl-key")
"""Kapacitor checks a client certificate and its key together: neither can be set alone."""

SECRET_TEXT = "FAKE-kinds-secret-0123456789"


def changed_value(spec: HandlerSpec, option: OptionSpec, now: Any) -> Any:
    """A value Kapacitor accepts for this option that differs from what it has now."""
    name = option.name
    if option.kind is bool:
        return not now
    if option.kind is int:
        return int(now or 0) + 7
    if option.kind is list:
        return {"smtp": ["kinds@example.com"], "kafka": ["127.0.0.1:9"]}.get(spec.section, ["kinds"])
    if option.kind is dict:
        if name == "headers":
            return {"X-Kinds": SECRET_TEXT}
        if name == "basic-auth":
            return {"username": "kinds", "password": SECRET_TEXT}
        if name == "SASLAuth":
            return {"SASLMechanism": "PLAIN", "SASLUsername": "kinds", "SASLPassword": SECRET_TEXT}
        return {**now, "critical": "Error"}  # zenoss severity-map
    if name in ("timeout", "batch-timeout", "idle-timeout"):
        return "17s"
    if name == "from":
        return "kinds@example.com"
    if name == "parse-mode":
        return "HTML"
    if name == "recovery_action":
        return "close"
    if name == "addr":
        return "127.0.0.1:9"
    if name.endswith("-file"):
        return "/tmp/kinds.tmpl"
    if name == "ssl-ca":
        return __file__
    if name == "token" and spec.name == "slack":
        return "xoxb-FAKE-kinds-0123456789"
    if "url" in name:
        return f"http://127.0.0.1:9/kinds/{SECRET_TEXT}" if option.secret else "http://127.0.0.1:9/kinds"
    return SECRET_TEXT if option.secret else "kinds text"


def builtin_element(spec: HandlerSpec) -> str:
    return list_section(spec.section, spec.list_key).builtin if spec.list_key else ""


async def apply_then_undo(
    kapacitor: KapacitorFake, client: KapacitorClient, spec: HandlerSpec, option: OptionSpec
) -> tuple[Any, Any, Any]:
    """Set one option through the wizard's write, then undo that write: the element before, in
    between, after."""
    key = builtin_element(spec)
    element = await undo.read_element(client, spec.section, key)
    assert element is not None
    before = options(kapacitor, spec.section, key)
    plan = plan_changes(spec, element, {option.name: changed_value(spec, option, before[option.name])},
                        workspace=key)
    # (a Slack app's token points url at Slack's API in the same write)
    assert option.name in [c.option for c in plan.changes]
    written = await ApiTarget(client).write(plan)
    assert written.undo_record is not None
    between = options(kapacitor, spec.section, key)
    await undo.undo_record(client, written.undo_record)
    return before, between, options(kapacitor, spec.section, key)


KINDS = {
    "text": (str, False), "true/false": (bool, False), "whole number": (int, False), "list": (list, False),
    "object": (dict, False), "secret text": (str, True), "secret object": (dict, True),
}


async def test_undo_reads_back_the_original_of_every_option_of_every_handler(any_kapacitor):
    """Each option of each handler, from the state a fresh Kapacitor starts in (null, empty or
    its default): set through the wizard's write, undone, and read back exactly as it was
    (secrets Kapacitor redacts as set / not set)."""
    wrong, seen = [], set()
    async with KapacitorClient(ConnectionSettings(url=any_kapacitor.url)) as client:
        for spec in HANDLERS.values():
            wrong.extend(await undo_each_option(any_kapacitor, client, spec, seen))
    assert wrong == []
    expected = set(KINDS.values()) - ({(dict, False)} if any_kapacitor.version == "1.5.7" else set())
    assert seen == expected  # 1.5.7's only plain object is Zenoss's severity map, which it lacks


async def undo_each_option(kapacitor: KapacitorFake, client: KapacitorClient, spec: HandlerSpec,
                           seen: set[tuple[type, bool]]) -> list[str]:
    """What did not come back as it was, for each option of one handler."""
    sections = READER.get(f"{kapacitor.url}{CONFIG}").json()["sections"]
    wrong: list[str] = []
    if spec.section not in sections:
        return wrong  # Kapacitor 1.5.7 has no BigPanda or Zenoss
    element = options(kapacitor, spec.section, builtin_element(spec))
    for option in spec.options:
        if option.name in ("enabled", spec.list_key, *TLS_PAIR) or option.name not in element:
            continue  # enabling needs other options; a key is never changed; a later version's option
        try:
            before, between, after = await apply_then_undo(kapacitor, client, spec, option)
        except WizardError as err:
            wrong.append(f"{spec.name} {option.name}: {err.message}")
            continue
        if before[option.name] is not True:  # a secret set before (snmptrap's community) stays "set"
            assert between[option.name] != before[option.name], (spec.name, option.name)
        if after != before:
            wrong.append(f"{spec.name} {option.name}: {before[option.name]!r} came back as {after[option.name]!r}")
        seen.add((option.kind, option.secret))
    return wrong


# -- the empty id -------------------------------------------------------------------------------

def test_undo_refuses_an_empty_id_and_restores_nothing(kapacitor157, monkeypatch, capsys):
    code, _, err = run(["apply", "sensu", "--url", kapacitor157.url, "--set", "source=ops", "--disable"],
                       monkeypatch, capsys)
    assert code == 0, err
    kapacitor157.requests.clear()
    code, out, err = run(["undo", "", "--url", kapacitor157.url], monkeypatch, capsys)
    assert code == 2
    assert out == "" and err.count("\n") == 1 and "undo --list" in err
    assert kapacitor157.requests == []
    assert options(kapacitor157, "sensu")["source"] == "ops"
    assert [r.restored_at for r in undo.list_records(kapacitor157.url)] == [None]


# -- removing an element that kapacitor.conf defines ----------------------------------------------

def conf_cluster(kapacitor: KapacitorFake) -> None:
    """[[kafka]] id = "localhost" in kapacitor.conf, then brokers and batch-size set through the API."""
    kapacitor.set_file_values("kafka", {"brokers": ["conf-broker:9092"]}, "localhost")
    post(kapacitor, "/kafka/localhost", {"set": {"brokers": ["api-broker:9092"], "batch-size": 77}})


def test_removing_a_cluster_from_kapacitor_conf_changes_nothing(kapacitor157, monkeypatch, capsys):
    conf_cluster(kapacitor157)
    code, out, err = run(["apply", "kafka", "--url", kapacitor157.url, "--remove", "localhost"], monkeypatch, capsys)
    assert code == 1
    assert "comes from kapacitor.conf" in out and "delete its [[kafka]] table" in out
    assert "the wizard set brokers, batch-size back as they were" in out
    now = options(kapacitor157, "kafka", "localhost")
    assert now["brokers"] == ["api-broker:9092"] and now["batch-size"] == 77
    # Kapacitor dropped the API settings and the wizard sent them again; nothing is left to undo.
    assert [p.json for p in kapacitor157.config_posts()] == [
        {"remove": ["localhost"]}, {"set": {"brokers": ["api-broker:9092"], "batch-size": 77}}]
    code, out, err = run(["undo", "--url", kapacitor157.url], monkeypatch, capsys)
    assert code == 1 and "Nothing to undo" in err


def test_undo_sets_back_a_conf_cluster_whose_removal_was_recorded_before(kapacitor157, monkeypatch, capsys):
    """A removal recorded as an ordinary one (by an earlier version, or a run stopped between the
    removal and setting the values back): undo explains, and --force sets the values back."""
    conf_cluster(kapacitor157)

    async def remove_only() -> None:
        # The removal and its record, without the step that sets the values back.
        async with KapacitorClient(ConnectionSettings(url=kapacitor157.url)) as client:
            elements = await client.get_section("kafka")
            cluster = find_element(elements, "localhost", list_section("kafka", "id"))
            with undo.backup(plan_removal(HANDLERS["kafka"], cluster, "localhost"), kapacitor157.url):
                await client.remove_elements("kafka", ["localhost"])

    asyncio.run(remove_only())
    assert options(kapacitor157, "kafka", "localhost")["brokers"] == ["conf-broker:9092"]
    [record] = undo.list_records(kapacitor157.url)
    code, out, err = run(["undo", "--url", kapacitor157.url], monkeypatch, capsys)
    assert code == 1 and err.count("\n") == 1
    assert "kapacitor.conf" in err and f"kapacitor-wizard undo {record.id} --force" in err
    code, out, err = run(["undo", record.id, "--force", "--url", kapacitor157.url], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor157.config_posts()[-1].json == {"set": {"brokers": ["api-broker:9092"], "batch-size": 77}}
    now = options(kapacitor157, "kafka", "localhost")
    assert now["brokers"] == ["api-broker:9092"] and now["batch-size"] == 77


async def test_the_wizard_keeps_a_cluster_from_kapacitor_conf_as_it_was(kapacitor157):
    conf_cluster(kapacitor157)
    app = make_app(kapacitor157.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "kafka/default")
        await highlight(pilot, "localhost")
        await pilot.press("d")
        await wait_for_screen(pilot, ReviewScreen)
        assert shows(pilot, "If it comes from kapacitor.conf, Kapacitor cannot remove it")
        await pilot.click("#apply")
        await wait_for(pilot, lambda: shows(pilot, "Kept the cluster localhost"), timeout=60, what="the removal")
        await pilot.click("#finish")
        await wait_for_screen(pilot, DoneScreen)
        await wait_for(pilot, lambda: shows(pilot, "the wizard set brokers, batch-size back as they were"),
                       timeout=60, what="the Done step's text")
        assert shows(pilot, "localhost kept (it comes from kapacitor.conf)")
        assert not pilot.app.screen.query("#undo")  # nothing changed: nothing to undo
    now = options(kapacitor157, "kafka", "localhost")
    assert now["brokers"] == ["api-broker:9092"] and now["batch-size"] == 77
