"""Alert topics: route a handler's alerts through a topic, list and remove routes, undo, and the
end-to-end proof (a temporary task, one point through /write, the alert at the receiver)."""
from __future__ import annotations

import io
import sys

import pytest

from wizard.cli import main
from wizard.kapacitor import proof
from wizard.kapacitor import topics
from wizard.kapacitor.client import ConnectionSettings, KapacitorClient


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)


def run(argv, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def slack_configured(kapacitor, slack_receiver, channel="#alerts"):
    """Slack enabled and pointed at the receiver, as after an apply."""
    kapacitor.set_file_values("slack", {"enabled": True, "url": slack_receiver.webhook_url, "channel": channel})


def writes(kapacitor):
    return [(r.method, r.path) for r in kapacitor.requests if r.method != "GET"]


# -- checks before sending ------------------------------------------------------------

@pytest.mark.parametrize("expression, problem", [
    ("level() ==", "ends with '=='"),
    ("lambda: level() == CRITICAL", "Leave out 'lambda:'"),
    ("(level() == CRITICAL", "parenthesis open"),
    ("\"host\" == 'serverA", "quote open"),
    ("AND changed()", "starts with 'AND'"),
])
def test_bad_match_expressions_are_refused_with_the_reason(expression, problem):
    verdict = topics.check_match(expression)
    assert not verdict.ok and problem in verdict.error


@pytest.mark.parametrize("expression", ["", "TRUE", "level() == CRITICAL", "changed() AND \"host\" == 'serverA'",
                                        "level() >= WARNING OR \"env\" == 'prod'"])
def test_ordinary_match_expressions_pass(expression):
    assert topics.check_match(expression).ok


def test_handler_ids_and_topics_follow_kapacitors_rules():
    assert not topics.check_handler_id("bad id!").ok
    assert not topics.check_handler_id("a/b").ok
    assert topics.check_handler_id("to-slack.v2_x").ok
    assert topics.check_topic("main:task:alert2").ok
    assert not topics.check_topic("bad topic").ok


def test_unknown_options_are_named_before_anything_is_sent():
    with pytest.raises(topics.RouteError) as caught:
        topics.desired_handler("slack", "main", options={"chanel": "#x"})
    assert "chanel" in caught.value.message and "channel" in caught.value.message


# -- the command line ---------------------------------------------------------------------

def test_route_adds_a_topic_handler_and_routes_lists_it(kapacitor, monkeypatch, capsys):
    code, out, err = run(["route", "slack", "--url", kapacitor.url, "--topic", "main",
                          "--match", "level() == CRITICAL", "--option", "channel=#oncall"], monkeypatch, capsys)
    assert code == 0, err
    post = [r for r in kapacitor.requests if r.method == "POST"][-1]
    assert post.path == "/kapacitor/v1/alerts/topics/main/handlers"
    assert post.json == {"id": "kapacitor-wizard-slack", "kind": "slack", "options": {"channel": "#oncall"},
                         "match": "level() == CRITICAL"}
    assert "Added topic handler kapacitor-wizard-slack on topic main" in out
    assert ".topic('main')" in out

    code, out, err = run(["routes", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    assert "main  level OK" in out
    assert "kapacitor-wizard-slack (slack: channel=#oncall; only when level() == CRITICAL)" in out


def test_route_again_edits_with_put_and_undo_puts_the_old_handler_back(kapacitor, monkeypatch, capsys):
    assert run(["route", "telegram", "--url", kapacitor.url, "--topic", "main"], monkeypatch, capsys)[0] == 0
    code, out, err = run(["route", "telegram", "--url", kapacitor.url, "--topic", "main",
                          "--option", "disable-notification=true"], monkeypatch, capsys)
    assert code == 0, err
    put = kapacitor.requests[-1]
    assert (put.method, put.path) == ("PUT", "/kapacitor/v1/alerts/topics/main/handlers/kapacitor-wizard-telegram")
    assert put.json["options"] == {"disable-notification": True}
    assert "Change on topic main" in out

    code, out, err = run(["route", "--undo", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor.requests[-1].method == "PUT" and kapacitor.requests[-1].json["options"] == {}
    assert kapacitor.alerts.topics["main"]["handlers"]["kapacitor-wizard-telegram"]["options"] == {}


def test_undo_refuses_when_the_handler_was_changed_since(kapacitor, monkeypatch, capsys):
    assert run(["route", "slack", "--url", kapacitor.url, "--topic", "main"], monkeypatch, capsys)[0] == 0
    kapacitor.alerts.topics["main"]["handlers"]["kapacitor-wizard-slack"]["options"] = {"channel": "#someone-else"}
    code, out, err = run(["route", "--undo", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 1
    assert "was changed after the route change" in err and "--force" in err
    assert "kapacitor-wizard-slack" in kapacitor.alerts.topics["main"]["handlers"]


def test_unroute_removes_and_undo_brings_it_back(kapacitor, monkeypatch, capsys):
    assert run(["route", "hipchat", "--url", kapacitor.url, "--topic", "ops", "--option", "room=ops-room"],
               monkeypatch, capsys)[0] == 0
    code, out, err = run(["unroute", "--url", kapacitor.url, "--topic", "ops", "--id", "kapacitor-wizard-hipchat"],
                         monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor.alerts.topics["ops"]["handlers"] == {}
    assert "Removed topic handler kapacitor-wizard-hipchat" in out
    assert run(["route", "--undo", "--url", kapacitor.url], monkeypatch, capsys)[0] == 0
    assert kapacitor.alerts.topics["ops"]["handlers"]["kapacitor-wizard-hipchat"]["options"] == {"room": "ops-room"}


def test_dry_run_prints_the_request_and_writes_nothing(kapacitor, monkeypatch, capsys):
    code, out, err = run(["route", "slack", "--url", kapacitor.url, "--topic", "main", "--dry-run"], monkeypatch, capsys)
    assert code == 0, err
    assert f"POST {kapacitor.url}/kapacitor/v1/alerts/topics/main/handlers" in out
    assert "Dry run: nothing was written." in out
    assert writes(kapacitor) == []


def test_bad_input_is_one_clear_line_and_nothing_is_sent(kapacitor, monkeypatch, capsys):
    code, out, err = run(["route", "slack", "--url", kapacitor.url, "--topic", "main", "--match", "level() =="],
                         monkeypatch, capsys)
    assert code == 2
    assert err.count("\n") == 1 and "ends with '=='" in err
    code, out, err = run(["route", "slack", "--url", kapacitor.url, "--topic", "main", "--id", "bad id!"],
                         monkeypatch, capsys)
    assert code == 2 and "letters, digits" in err
    code, out, err = run(["unroute", "--url", kapacitor.url, "--topic", "main", "--id", "nosuch"], monkeypatch, capsys)
    assert code == 1 and "has no handler nosuch" in err
    assert writes(kapacitor) == []


def test_a_duplicate_kind_under_the_same_id_is_refused_before_sending(kapacitor, monkeypatch, capsys):
    assert run(["route", "slack", "--url", kapacitor.url, "--topic", "main", "--id", "chat"], monkeypatch, capsys)[0] == 0
    code, out, err = run(["route", "telegram", "--url", kapacitor.url, "--topic", "main", "--id", "chat"],
                         monkeypatch, capsys)
    assert code == 1 and "already has a handler chat of kind slack" in err
    assert [m for m, _ in writes(kapacitor)] == ["POST"]


# -- the stand-in follows the recordings ----------------------------------------------------

async def test_kapacitors_own_refusals_come_back_as_one_clear_error(kapacitor):
    async with KapacitorClient(ConnectionSettings(url=kapacitor.url)) as client:
        await client.call("POST", topics.handler_path("main"), {"id": "to-slack", "kind": "slack", "options": {}})
        with pytest.raises(topics.KapacitorError) as caught:
            await client.call("POST", topics.handler_path("main"), {"id": "to-slack", "kind": "slack", "options": {}})
        assert 'handler with ID "to-slack" already exists' in caught.value.message
        with pytest.raises(topics.KapacitorError) as caught:
            await client.call("POST", topics.handler_path("main"), {"id": "t", "kind": "slack", "options": {"chanel": "#x"}})
        assert "invalid keys: chanel" in caught.value.message


# -- the end-to-end proof -----------------------------------------------------------------------

def test_prove_direct_sends_a_real_alert_and_leaves_nothing_behind(kapacitor, slack_receiver, monkeypatch, capsys):
    slack_configured(kapacitor, slack_receiver)
    code, out, err = run(["prove", "slack", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    delivered = kapacitor.alerts.wait_for_deliveries(1)
    assert delivered[0]["error"] is None
    message = slack_receiver.received[0].json["attachments"][0]["text"]
    assert message.startswith("kapacitor-wizard proof")
    assert "Kapacitor raised CRITICAL alert" in out and message in out
    assert "Deleted the temporary task kapacitor-wizard-proof-" in out
    assert "logged no error for it" in out and "does not report a successful send" in out
    assert kapacitor.alerts.tasks == {} and kapacitor.alerts.topics == {}
    write = next(r for r in kapacitor.requests if r.path.startswith("/kapacitor/v1/write"))
    assert write.path == "/kapacitor/v1/write?db=kapacitor_wizard&rp=autogen"


def test_prove_through_a_topic_reaches_a_copy_of_the_route_and_leaves_the_topic_as_it_was(
        kapacitor, slack_receiver, monkeypatch, capsys):
    slack_configured(kapacitor, slack_receiver)
    assert run(["route", "slack", "--url", kapacitor.url, "--topic", "proof-topic", "--option", "channel=#oncall"],
               monkeypatch, capsys)[0] == 0
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "proof-topic"], monkeypatch, capsys)
    assert code == 0, err
    kapacitor.alerts.wait_for_deliveries(1)
    assert slack_receiver.received[0].json["channel"] == "#oncall"
    assert "route kapacitor-wizard-slack (topic proof-topic)" in out
    assert list(kapacitor.alerts.topics) == ["proof-topic"]
    assert list(kapacitor.alerts.topics["proof-topic"]["handlers"]) == ["kapacitor-wizard-slack"]
    assert kapacitor.alerts.tasks == {} and kapacitor.alerts.orphans == {}


def test_a_failure_in_the_middle_still_deletes_the_task(kapacitor, slack_receiver, monkeypatch, capsys):
    slack_configured(kapacitor, slack_receiver)
    kapacitor.alerts.fail["POST /kapacitor/v1/write"] = 500
    code, out, err = run(["prove", "slack", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 1
    assert "The proof stopped" in err and "forced failure" in err
    assert "Deleted the temporary task kapacitor-wizard-proof-" in out
    assert kapacitor.alerts.tasks == {} and kapacitor.alerts.topics == {}
    assert any(m == "DELETE" and p.startswith("/kapacitor/v1/tasks/kapacitor-wizard-proof-") for m, p in writes(kapacitor))


async def test_a_failure_through_a_topic_removes_the_task_the_copy_and_the_private_topic(kapacitor, slack_receiver):
    slack_configured(kapacitor, slack_receiver)
    async with KapacitorClient(ConnectionSettings(url=kapacitor.url)) as client:
        await topics.write_change(client, topics.RouteChange(
            topics.ADD, "fresh", None, topics.TopicHandler("fresh", "to-slack", "slack", {})))
        kapacitor.alerts.fail["PATCH /kapacitor/v1/tasks/*"] = 500
        with pytest.raises(proof.ProofFailed) as caught:
            await proof.prove(client, "slack", topic="fresh")
    steps = " ".join(caught.value.steps)
    assert "Deleted the temporary task" in steps and "Deleted the proof's topic" in steps
    assert "Removed the proof's copy of route to-slack" in steps
    assert kapacitor.alerts.tasks == {} and list(kapacitor.alerts.topics) == ["fresh"]
    assert kapacitor.alerts.handler_specs() == {"fresh": kapacitor.alerts.topics["fresh"]["handlers"]}
    assert kapacitor.alerts.deliveries == []


async def test_quitting_during_the_proof_still_cleans_up(kapacitor, slack_receiver):
    import asyncio

    slack_configured(kapacitor, slack_receiver)
    async with KapacitorClient(ConnectionSettings(url=kapacitor.url)) as client:
        enabled = asyncio.Event()

        def report(line: str) -> None:
            if line.startswith("Enabled"):
                enabled.set()

        running = asyncio.create_task(proof.prove(client, "slack", report=report))
        await enabled.wait()
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
    assert kapacitor.alerts.tasks == {}
    assert any(m == "DELETE" and p.startswith("/kapacitor/v1/tasks/kapacitor-wizard-proof-") for m, p in writes(kapacitor))


# -- the wizard: "Route alerts here" ------------------------------------------------------------

from tests.tui_helpers import paste, shows, wait_for, wait_for_screen  # noqa: E402
from wizard.tui.app import WizardApp  # noqa: E402
from wizard.tui.screens.base import ConfirmScreen  # noqa: E402
from wizard.tui.screens.connect import ConnectScreen  # noqa: E402
from wizard.tui.screens.handlers import HandlersScreen  # noqa: E402
from wizard.tui.screens.topics import TopicsScreen  # noqa: E402
from wizard.tui.state import AppSettings  # noqa: E402

SIZE = (100, 40)


async def open_slack_routes(pilot) -> None:
    await wait_for_screen(pilot, ConnectScreen)
    await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)
    await pilot.press("down", "t")  # HipChat, Slack, Telegram: Slack is second
    await wait_for_screen(pilot, TopicsScreen)
    await wait_for(pilot, lambda: not any(w.is_running for w in pilot.app.workers if w.node is pilot.app.screen),
                   what="the routes to load")


def wizard_for(kapacitor) -> WizardApp:
    return WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url)))


async def test_route_from_the_handler_list_is_reviewed_written_and_undone(kapacitor, slack_receiver):
    slack_configured(kapacitor, slack_receiver)
    async with wizard_for(kapacitor).run_test(size=SIZE) as pilot:
        await open_slack_routes(pilot)
        assert shows(pilot, "No topic sends its alerts here yet")
        pilot.app.screen.query_one("#route-match").focus()
        await pilot.pause()
        await paste(pilot, "level() ==")
        await pilot.press("enter")
        assert shows(pilot, "ends with '=='")
        assert writes(kapacitor) == []
        pilot.app.screen.query_one("#route-match").value = "level() == CRITICAL"
        pilot.app.screen.query_one("#route-option").focus()
        await pilot.pause()
        await paste(pilot, "#oncall")
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmScreen)
        question = str(pilot.app.screen.question)  # the review, as the dialog shows it
        assert "Add to topic main: kapacitor-wizard-slack (slack: channel=#oncall; only when level() == CRITICAL)" in question
        assert writes(kapacitor) == []  # nothing before the review is confirmed
        pilot.app.screen.query_one("#yes").press()
        await wait_for(pilot, lambda: shows(pilot, "Added topic handler kapacitor-wizard-slack on topic main"))
        await wait_for(pilot, lambda: shows(pilot, "main kapacitor-wizard-slack"), what="the new route listed")
        assert kapacitor.alerts.topics["main"]["handlers"]["kapacitor-wizard-slack"]["match"] == "level() == CRITICAL"

        await pilot.press("u")
        await wait_for(pilot, lambda: shows(pilot, "Undone."))
        assert kapacitor.alerts.topics["main"]["handlers"] == {}


async def test_remove_asks_first_and_the_proof_shows_the_alert_and_cleans_up(kapacitor, slack_receiver):
    slack_configured(kapacitor, slack_receiver)
    async with KapacitorClient(ConnectionSettings(url=kapacitor.url)) as client:
        await topics.write_change(client, topics.RouteChange(
            topics.ADD, "main", None, topics.TopicHandler("main", "to-slack", "slack", {"channel": "#ops"})))
    async with wizard_for(kapacitor).run_test(size=SIZE) as pilot:
        await open_slack_routes(pilot)
        assert shows(pilot, "main to-slack (slack: channel=#ops)")

        await pilot.press("p")
        await wait_for_screen(pilot, ConfirmScreen)
        assert "through route to-slack on topic main" in str(pilot.app.screen.question)
        pilot.app.screen.query_one("#yes").press()
        await wait_for(pilot, lambda: shows(pilot, "logged no error for it"), what="the proof")
        assert shows(pilot, "Deleted the temporary task kapacitor-wizard-proof-")
        kapacitor.alerts.wait_for_deliveries(1)
        assert slack_receiver.received[0].json["channel"] == "#ops"
        assert kapacitor.alerts.tasks == {}

        await pilot.press("d")
        await wait_for_screen(pilot, ConfirmScreen)
        assert "Remove from topic main: to-slack (slack: channel=#ops)" in str(pilot.app.screen.question)
        pilot.app.screen.query_one("#no").press()
        await wait_for(pilot, lambda: shows(pilot, "Nothing was written."))
        assert "to-slack" in kapacitor.alerts.topics["main"]["handlers"]
        await pilot.press("d")
        await wait_for_screen(pilot, ConfirmScreen)
        pilot.app.screen.query_one("#yes").press()
        await wait_for(pilot, lambda: shows(pilot, "Removed topic handler to-slack"))
    assert kapacitor.alerts.topics["main"]["handlers"] == {}


async def test_a_proof_that_fails_in_the_middle_says_so_and_leaves_no_task(kapacitor, slack_receiver):
    slack_configured(kapacitor, slack_receiver)
    kapacitor.alerts.fail["POST /kapacitor/v1/write"] = 500
    async with wizard_for(kapacitor).run_test(size=SIZE) as pilot:
        await open_slack_routes(pilot)
        await pilot.press("p")
        await wait_for_screen(pilot, ConfirmScreen)
        assert "through Slack directly" in str(pilot.app.screen.question)
        pilot.app.screen.query_one("#yes").press()
        await wait_for(pilot, lambda: shows(pilot, "The proof stopped"), what="the failure")
        assert shows(pilot, "Deleted the temporary task kapacitor-wizard-proof-")
    assert kapacitor.alerts.tasks == {} and kapacitor.alerts.topics == {}


async def test_done_shows_the_topic_line_beside_the_handler_call_and_routes_from_there(kapacitor, slack_receiver):
    from tests.test_slack_flow import apply_finished, connect_and_choose_slack, fill_slack_steps
    from wizard.tui.screens.done import DoneScreen

    async with wizard_for(kapacitor).run_test(size=(100, 50)) as pilot:
        await connect_and_choose_slack(pilot)
        await fill_slack_steps(pilot, slack_receiver.webhook_url, "#alerts")
        await pilot.press("enter")
        await wait_for(pilot, lambda: apply_finished(pilot), what="apply and test")
        await pilot.press("enter")
        await wait_for_screen(pilot, DoneScreen)
        assert shows(pilot, ".slack()") and shows(pilot, ".topic('main')")
        assert shows(pilot, "kapacitor-wizard route slack --topic main")
        await pilot.press("t")
        await wait_for_screen(pilot, TopicsScreen)
        assert shows(pilot, "Route alerts to Slack")
        await pilot.press("escape")
        await wait_for_screen(pilot, DoneScreen)


async def test_quitting_the_wizard_during_the_proof_deletes_the_temporary_task(kapacitor, slack_receiver):
    import threading

    slack_configured(kapacitor, slack_receiver)
    release = threading.Event()
    kapacitor.alerts.hold["POST /kapacitor/v1/write"] = release  # the write hangs: the person quits meanwhile
    try:
        async with wizard_for(kapacitor).run_test(size=SIZE) as pilot:
            await open_slack_routes(pilot)
            await pilot.press("p")
            await wait_for_screen(pilot, ConfirmScreen)
            pilot.app.screen.query_one("#yes").press()
            await wait_for(pilot, lambda: kapacitor.requests[-1].path.startswith("/kapacitor/v1/write"), what="the write")
            await pilot.press("ctrl+q")
    finally:
        release.set()
    assert kapacitor.alerts.tasks == {}
    assert any(m == "DELETE" and p.startswith("/kapacitor/v1/tasks/kapacitor-wizard-proof-") for m, p in writes(kapacitor))


# -- the stand-in replays the recordings -----------------------------------------------------------

import json as _json  # noqa: E402
from pathlib import Path  # noqa: E402

import httpx  # noqa: E402

from tests.fakes.kapacitor import KapacitorFake  # noqa: E402

RECORDINGS = Path(__file__).parent / "data" / "kapacitor-api-topics"
VOLATILE = {"created", "modified", "last-enabled", "dot", "script", "stats", "executing", "time", "details", "vars"}


def _without_volatile(value):
    if isinstance(value, dict):
        return {k: _without_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_without_volatile(v) for v in value]
    return value


@pytest.mark.parametrize("version", ["1.5.7", "1.8.3"])
@pytest.mark.parametrize("scenario", ["01-topic-handlers", "02-end-to-end"])
def test_the_stand_in_answers_every_recorded_request_as_kapacitor_did(version, scenario):
    recording = _json.loads((RECORDINGS / f"{scenario}-{version}.json").read_text())
    with KapacitorFake(version=version) as fake, httpx.Client(base_url=fake.url) as http:
        for number, step in enumerate(recording["steps"]):
            request, expected = step["request"], step["response"]
            if "body_raw" in request:
                content = request["body_raw"].encode()
            else:
                content = None if request.get("body") is None else _json.dumps(request["body"]).encode()
            answer = http.request(request["method"], request["path"], content=content)
            where = f"step {number}: {request['method']} {request['path']}"
            assert answer.status_code == expected["status"], where
            if isinstance(expected.get("body"), dict):
                assert _without_volatile(answer.json()) == _without_volatile(expected["body"]), where


async def test_an_answer_of_the_wrong_shape_is_one_clear_error():
    from wizard.text.errors import KapacitorUnexpected

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/handlers"):
            return httpx.Response(200, json={"handlers": [{"id": "x", "kind": 5}]})
        return httpx.Response(200, json={"topics": "none"})

    settings = ConnectionSettings(url="http://kapacitor.test:9092")
    async with KapacitorClient(settings, transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(KapacitorUnexpected) as caught:
            await topics.list_topics(client)
        assert "topics is" in caught.value.message
        with pytest.raises(KapacitorUnexpected) as caught:
            await topics.list_handlers(client, "main")
        assert "handlers[0].kind" in caught.value.message
        assert "\n" not in caught.value.message


from hypothesis import given, strategies as st  # noqa: E402


@given(st.text(max_size=200))
def test_the_checks_never_raise_and_accepted_values_round_trip(text):
    for check in (topics.check_match, topics.check_topic, topics.check_handler_id):
        verdict = check(text)
        if verdict.ok:
            assert check(verdict.value).value == verdict.value


def test_a_regex_match_is_accepted():
    assert topics.check_match('"host" =~ /^web-/').ok


def test_route_and_prove_work_the_same_on_kapacitor_1_8_3(slack_receiver, monkeypatch, capsys):
    with KapacitorFake(version="1.8.3") as kapacitor:
        slack_configured(kapacitor, slack_receiver)
        assert run(["route", "slack", "--url", kapacitor.url, "--topic", "main", "--id", "chat"], monkeypatch, capsys)[0] == 0
        code, out, err = run(["route", "telegram", "--url", kapacitor.url, "--topic", "main", "--id", "chat"],
                             monkeypatch, capsys)
        assert code == 1 and "already has a handler chat" in err
        code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "main"], monkeypatch, capsys)
        assert code == 0, err
        kapacitor.alerts.wait_for_deliveries(1)
        assert "as_user" not in slack_receiver.received[0].json or kapacitor.version == "1.5.7"
        assert kapacitor.alerts.tasks == {} and "chat" in kapacitor.alerts.topics["main"]["handlers"]


async def test_edit_loads_the_route_into_the_form_and_writes_it_with_put(kapacitor, slack_receiver):
    slack_configured(kapacitor, slack_receiver)
    async with KapacitorClient(ConnectionSettings(url=kapacitor.url)) as client:
        await topics.write_change(client, topics.RouteChange(
            topics.ADD, "ops", None, topics.TopicHandler("ops", "to-slack", "slack", {"channel": "#ops"})))
    async with wizard_for(kapacitor).run_test(size=SIZE) as pilot:
        await open_slack_routes(pilot)
        await pilot.press("e")
        screen = pilot.app.screen
        assert screen.query_one("#route-topic").value == "ops" and screen.query_one("#route-id").value == "to-slack"
        assert screen.query_one("#route-option").value == "#ops"
        await paste(pilot, "changed()")  # the match field has the focus
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmScreen)
        assert "Change on topic ops: to-slack (slack: channel=#ops)" in str(pilot.app.screen.question)
        pilot.app.screen.query_one("#yes").press()
        await wait_for(pilot, lambda: shows(pilot, "Changed topic handler to-slack on topic ops"))
        assert [r for r in kapacitor.requests if r.method == "PUT"][-1].json == {
            "id": "to-slack", "kind": "slack", "options": {"channel": "#ops"}, "match": "changed()"}
        await wait_for(pilot, lambda: screen_idle(pilot), what="the list again")
        await pilot.press("u")
        await wait_for(pilot, lambda: shows(pilot, "Undone."))
    assert kapacitor.alerts.topics["ops"]["handlers"]["to-slack"]["match"] == ""


def screen_idle(pilot) -> bool:
    return not any(w.is_running for w in pilot.app.workers if w.node is pilot.app.screen)


def test_ctrl_c_during_prove_deletes_the_temporary_task(kapacitor, slack_receiver, tmp_path):
    import os
    import signal
    import subprocess
    import threading

    slack_configured(kapacitor, slack_receiver)
    release = threading.Event()
    kapacitor.alerts.hold["POST /kapacitor/v1/write"] = release
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path)}
    child = subprocess.Popen([sys.executable, "-m", "wizard", "prove", "slack", "--url", kapacitor.url],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        arrived = threading.Event()
        while not arrived.wait(0.02):  # until the write is being held
            if any(r.path.startswith("/kapacitor/v1/write") for r in kapacitor.requests) or child.poll() is not None:
                arrived.set()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        release.set()
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, err
    assert "Deleted the temporary task kapacitor-wizard-proof-" in out
    assert "interrupted" in err and "Traceback" not in err
    assert kapacitor.alerts.tasks == {}
