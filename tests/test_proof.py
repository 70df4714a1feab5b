"""`prove`: what a proof creates it records first and removes by that record alone (on success,
failure, Ctrl+C, SIGTERM, lost answers, and after a kill, by the next proof); it never touches
the user's topics, handlers or tasks; and it says no more than its evidence shows.

The Kapacitor stand-in keeps a deleted topic's handlers as Kapacitor 1.5.7 does and streams its
log at GET /kapacitor/v1/logs (tests/fakes/kapacitor_logs.py), with the errors of failed sends.
"""
from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.fakes.kapacitor import dead_url
from tests.tui_helpers import shows, wait_for, wait_for_screen
from wizard.cli import main
from wizard.kapacitor.client import ConnectionSettings
from wizard.tui.app import WizardApp
from wizard.tui.screens.base import ConfirmScreen
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.topics import TopicsScreen
from wizard.tui.state import AppSettings

ROUTE = {"id": "to-slack", "kind": "slack", "options": {"channel": "#oncall"}, "match": ""}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)


def run(argv, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def slack_configured(kapacitor, slack_receiver, **options):
    kapacitor.set_file_values("slack", {"enabled": True, "url": slack_receiver.webhook_url, "channel": "#alerts", **options})


def add_route(kapacitor, topic="main", spec=None):
    """A topic handler of the user's, made through the API as any client would."""
    body = dict(spec or ROUTE)
    answer = httpx.post(f"{kapacitor.url}/kapacitor/v1/alerts/topics/{topic}/handlers", json=body)
    assert answer.status_code == 200, answer.text
    return {**body, "match": body.get("match", "")}


def journal_files() -> list[Path]:
    folder = Path(os.environ["XDG_STATE_HOME"]) / "kapacitor-wizard"
    return sorted(folder.glob("journal-*.json")) if folder.is_dir() else []


def posted_tasks(kapacitor) -> list[str]:
    return [r.path for r in kapacitor.requests if r.method == "POST" and r.path == "/kapacitor/v1/tasks"]


def assert_only_the_users_things(kapacitor, routes: dict[str, dict]) -> None:
    """Nothing of the proof's anywhere: handler specs (of deleted topics too), tasks, topics, records;
    the user's topics as they were (level OK, no event)."""
    specs = {t: {i: {k: h[k] for k in ("id", "kind", "options", "match")} for i, h in hs.items()}
             for t, hs in kapacitor.alerts.handler_specs().items()}
    assert specs == routes
    assert kapacitor.alerts.tasks == {}
    assert sorted(kapacitor.alerts.topics) == sorted(routes)
    for topic in routes:
        assert kapacitor.alerts.topics[topic]["level"] == "OK"
        assert kapacitor.alerts.topics[topic]["events"] == {}
    assert journal_files() == []


def wait_until(condition, what: str, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def start_prove(kapacitor, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "wizard", "prove", "slack", "--url", kapacitor.url, "--timeout", "5", *extra],
        env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def hold(kapacitor, pattern: str) -> threading.Event:
    release = threading.Event()
    kapacitor.alerts.hold[pattern] = release
    return release


def wait_held_or_done(kapacitor, child: subprocess.Popen, count: int = 1) -> bool:
    """True when `count` requests are being held; False when the proof ended first."""
    wait_until(lambda: len(kapacitor.alerts.held) >= count or child.poll() is not None, "a held request")
    return len(kapacitor.alerts.held) >= count


def finish(child: subprocess.Popen) -> tuple[str, str]:
    try:
        return child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


# -- data lost or left behind ---------------------------------------------------------------

def test_a_topic_without_the_route_gets_nothing_from_the_proof_not_even_after_a_restart(
        kapacitor, slack_receiver, monkeypatch, capsys):
    slack_configured(kapacitor, slack_receiver)
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "brandnew"], monkeypatch, capsys)
    assert code == 1
    assert "Topic brandnew has no slack handler" in err and "created nothing" in err
    assert "kapacitor-wizard route slack --topic brandnew" in err
    kapacitor.restart()  # Kapacitor loads every stored handler spec at start, which brings its topic back
    assert kapacitor.alerts.handler_specs() == {} and kapacitor.alerts.topics == {}
    assert kapacitor.alerts.tasks == {} and slack_receiver.received == []


def test_a_failed_write_leaves_nothing_behind_with_or_without_the_route(kapacitor, slack_receiver, monkeypatch, capsys):
    slack_configured(kapacitor, slack_receiver)
    kapacitor.alerts.fail["POST /kapacitor/v1/write"] = 500
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "brandnew"], monkeypatch, capsys)
    assert code == 1
    assert_only_the_users_things(kapacitor, {})

    routes = {"main": {"to-slack": add_route(kapacitor)}}
    kapacitor.alerts.fail["POST /kapacitor/v1/write"] = 500
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "main"], monkeypatch, capsys)
    assert code == 1 and "The proof stopped" in err and "forced failure" in err
    assert "Removed the proof's copy of route to-slack" in out and "Deleted the proof's topic" in out
    assert_only_the_users_things(kapacitor, routes)


def test_a_lost_answer_to_creating_the_copy_leaves_nothing_behind(kapacitor, slack_receiver, monkeypatch, capsys):
    slack_configured(kapacitor, slack_receiver)
    kapacitor.alerts.lose.add("POST /kapacitor/v1/alerts/topics/*/handlers")  # carried out, answer lost
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "brandnew"], monkeypatch, capsys)
    assert_only_the_users_things(kapacitor, {})

    kapacitor.alerts.lose.clear()
    routes = {"main": {"to-slack": add_route(kapacitor)}}
    kapacitor.alerts.lose.add("POST /kapacitor/v1/alerts/topics/*/handlers")
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "main"], monkeypatch, capsys)
    assert code == 1 and "The proof stopped" in err
    assert "Removed the proof's copy of route to-slack" in out
    # A request whose answer was lost might still land later: its record stays, and the next proof
    # looks again, quietly when nothing is there.
    assert len(journal_files()) == 1
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "main"], monkeypatch, capsys)
    assert code == 0, err
    assert "did not finish its clean-up" not in out
    assert_only_the_users_things(kapacitor, routes)


@pytest.mark.parametrize("step", [
    "POST /kapacitor/v1/alerts/topics/*/handlers",  # copying the route
    "POST /kapacitor/v1/tasks",  # creating the task
    "GET /kapacitor/v1/alerts/topics/*/events",  # waiting for the event, after the write
])
def test_ctrl_c_at_any_step_leaves_nothing_behind(kapacitor, slack_receiver, step):
    slack_configured(kapacitor, slack_receiver)
    routes = {"main": {"to-slack": add_route(kapacitor)}}
    release = hold(kapacitor, step)
    child = start_prove(kapacitor, "--topic", "main")
    try:
        held = wait_held_or_done(kapacitor, child)
        child.send_signal(signal.SIGINT)
        threading.Timer(0.3, release.set).start()  # a slow Kapacitor answers after all
        out, err = finish(child)
    finally:
        release.set()
    assert held, f"the proof ended before {step}: {err}"
    assert child.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    held_request = kapacitor.alerts.held[0]
    wait_until(lambda: held_request in kapacitor.alerts.carried_out, "the held request")  # it has landed by now
    assert_only_the_users_things(kapacitor, routes)


def test_sigterm_stops_the_proof_and_it_still_cleans_up(kapacitor, slack_receiver):
    slack_configured(kapacitor, slack_receiver)
    routes = {"main": {"to-slack": add_route(kapacitor)}}
    release = hold(kapacitor, "POST /kapacitor/v1/write")
    child = start_prove(kapacitor, "--topic", "main")
    try:
        assert wait_held_or_done(kapacitor, child)
        child.send_signal(signal.SIGTERM)
        out, err = finish(child)
    finally:
        release.set()
    assert child.returncode == 143, err
    assert "interrupted (SIGTERM)" in err and "Traceback" not in err
    assert "Deleted the temporary task" in out and "Deleted the proof's topic" in out
    wait_until(lambda: "POST /kapacitor/v1/write" in kapacitor.alerts.carried_out, "the held write")
    assert_only_the_users_things(kapacitor, routes)


def test_a_second_ctrl_c_during_the_clean_up_does_not_cut_it_short(kapacitor, slack_receiver):
    slack_configured(kapacitor, slack_receiver)
    # A topic with another kind's route only: an older proof added a temporary slack handler there,
    # and a second Ctrl+C during its clean-up left the task behind.
    routes = {"ops": {"pager": add_route(kapacitor, "ops", {"id": "pager", "kind": "telegram", "options": {}})}}
    write = hold(kapacitor, "POST /kapacitor/v1/write")
    removal = hold(kapacitor, "DELETE /kapacitor/v1/alerts/topics/*/handlers/*")
    child = start_prove(kapacitor, "--topic", "ops")
    try:
        if wait_held_or_done(kapacitor, child):
            child.send_signal(signal.SIGINT)
            if wait_held_or_done(kapacitor, child, 2):
                child.send_signal(signal.SIGINT)
        finish(child)
    finally:
        write.set()
        removal.set()
    time.sleep(0.3)
    assert_only_the_users_things(kapacitor, routes)

    # Through a route, the clean-up has several steps: a Ctrl+C during the first one stops none.
    kapacitor.alerts.held.clear()
    routes["main"] = {"to-slack": add_route(kapacitor)}
    write = hold(kapacitor, "POST /kapacitor/v1/write")
    removal = hold(kapacitor, "DELETE /kapacitor/v1/tasks/*")
    child = start_prove(kapacitor, "--topic", "main")
    try:
        assert wait_held_or_done(kapacitor, child)
        child.send_signal(signal.SIGINT)
        assert wait_held_or_done(kapacitor, child, 2)
        child.send_signal(signal.SIGINT)
        threading.Timer(0.3, removal.set).start()
        out, err = finish(child)
    finally:
        write.set()
        removal.set()
    assert child.returncode == 130, err
    assert "Deleted the temporary task" in out and "Removed the proof's copy of route to-slack" in out
    assert "Deleted the proof's topic" in out and "Traceback" not in err
    wait_until(lambda: "POST /kapacitor/v1/write" in kapacitor.alerts.carried_out, "the held write")
    assert_only_the_users_things(kapacitor, routes)


def test_a_killed_proof_is_cleaned_up_by_the_next_one_even_on_a_topic_deleted_meanwhile(
        kapacitor, slack_receiver, monkeypatch, capsys):
    slack_configured(kapacitor, slack_receiver)
    routes = {"main": {"to-slack": add_route(kapacitor)}}
    release = hold(kapacitor, "GET /kapacitor/v1/alerts/topics/*/events")
    child = start_prove(kapacitor, "--topic", "main")
    try:
        assert wait_held_or_done(kapacitor, child)
        # What the proof created was recorded before it was created, in a private file.
        records = journal_files()
        assert len(records) == 1 and stat.S_IMODE(records[0].stat().st_mode) == 0o600
        recorded = json.loads(records[0].read_text())
        task = next(e["key"]["id"] for e in recorded["entries"] if e["kind"] == "task")
        assert task in kapacitor.alerts.tasks
        child.kill()
        child.wait()
    finally:
        release.set()
        child.stdout.close()
        child.stderr.close()
    private = next(t for t in kapacitor.alerts.topics if t != "main")
    assert kapacitor.alerts.topics[private]["handlers"]  # the copy of the route, left by the killed run
    # Someone deletes that topic by hand: Kapacitor keeps its handler (services/alert/service.go DeleteTopic).
    assert httpx.delete(f"{kapacitor.url}/kapacitor/v1/alerts/topics/{private}").status_code == 204
    assert private in kapacitor.alerts.handler_specs() and private not in kapacitor.alerts.topics

    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "main"], monkeypatch, capsys)
    assert code == 0, err
    assert "did not finish its clean-up" in out
    assert f"Deleted the temporary task {task}" in out
    assert f"Removed the proof's copy of route to-slack from topic {private}" in out
    assert_only_the_users_things(kapacitor, routes)


def test_a_users_task_named_like_the_old_proof_task_is_left_alone(kapacitor, slack_receiver, monkeypatch, capsys):
    slack_configured(kapacitor, slack_receiver)
    script = ("batch|query('SELECT mean(usage_idle) FROM \"telegraf\".\"autogen\".\"cpu\"').period(5m).every(5m)"
              "|alert().crit(lambda: \"mean\" < 10)")
    answer = httpx.post(f"{kapacitor.url}/kapacitor/v1/tasks", json={
        "id": "kapacitor-wizard-proof", "type": "batch", "dbrps": [{"db": "telegraf", "rp": "autogen"}],
        "script": script, "status": "enabled"})
    assert answer.status_code == 200, answer.text
    code, out, err = run(["prove", "slack", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    assert list(kapacitor.alerts.tasks) == ["kapacitor-wizard-proof"]
    users = kapacitor.alerts.tasks["kapacitor-wizard-proof"]
    assert users["status"] == "enabled" and users["script"] == script and users["type"] == "batch"
    assert not any(r.method == "DELETE" and r.path == "/kapacitor/v1/tasks/kapacitor-wizard-proof" for r in kapacitor.requests)


def test_the_users_topic_stays_ok_and_its_other_handlers_get_nothing(kapacitor, slack_receiver, monkeypatch, capsys):
    slack_configured(kapacitor, slack_receiver)
    routes = {"main": {"to-slack": add_route(kapacitor),
                       "pager": add_route(kapacitor, "main", {"id": "pager", "kind": "telegram", "options": {}})}}
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "main"], monkeypatch, capsys)
    assert code == 0, err
    delivered = kapacitor.alerts.wait_for_deliveries(1)
    time.sleep(0.2)
    assert [(d["kind"], d["options"]) for d in kapacitor.alerts.deliveries] == [("slack", {"channel": "#oncall"})]
    assert delivered[0]["topic"] != "main"
    assert_only_the_users_things(kapacitor, routes)


def test_the_proof_records_what_it_creates_or_creates_nothing(kapacitor, slack_receiver, monkeypatch, capsys, tmp_path):
    slack_configured(kapacitor, slack_receiver)
    add_route(kapacitor)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "main"], monkeypatch, capsys)
    assert code == 1
    assert "created nothing" in err and str(blocked) in err
    assert posted_tasks(kapacitor) == [] and list(kapacitor.alerts.handler_specs()) == ["main"]


def test_the_clean_up_after_a_failure_has_its_own_time_budget(kapacitor, slack_receiver, monkeypatch, capsys):
    slack_configured(kapacitor, slack_receiver)
    # Five routes: the clean-up deletes the task, five copies and the private topic.
    routes = {"main": {f"to-slack-{n}": add_route(kapacitor, spec={**ROUTE, "id": f"to-slack-{n}"})
                       for n in range(5)}}
    kapacitor.alerts.fail["POST /kapacitor/v1/write"] = 500
    # Every delete answers one byte every half second: each is cut at --timeout (1 s), and the
    # seven of them together would take longer than the clean-up's own budget of 3 s.
    kapacitor.alerts.trickle["DELETE *"] = 0.5
    started = time.monotonic()
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "main", "--timeout", "1"],
                         monkeypatch, capsys)
    elapsed = time.monotonic() - started
    assert elapsed < 1 * 10 + 10, elapsed
    assert code == 1 and "forced failure" in err
    assert "did not finish within 3 seconds" in err and "the next proof" in err
    assert len(journal_files()) == 1  # what is left stays recorded

    kapacitor.alerts.trickle.clear()
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "main"], monkeypatch, capsys)
    assert code == 0, err
    assert "did not finish its clean-up" in out
    assert_only_the_users_things(kapacitor, routes)


# -- wrong words ---------------------------------------------------------------------------------

@pytest.mark.parametrize("answer, said", [
    ((404, "no_service"), "code: 404"),
    (None, "connection refused"),
])
def test_a_send_that_fails_is_reported_and_the_exit_status_says_so(
        kapacitor, slack_receiver, monkeypatch, capsys, answer, said):
    if answer is None:
        kapacitor.set_file_values("slack", {"enabled": True, "url": dead_url("/services/T0/B0/X"), "channel": "#alerts"})
    else:
        slack_configured(kapacitor, slack_receiver)
        slack_receiver.set_answer(answer[0], answer[1], "text/html")
    routes = {"main": {"to-slack": add_route(kapacitor)}}
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "main"], monkeypatch, capsys)
    assert code == 1
    assert "failed to send it" in err and said in err
    assert "sent the alert" not in out + err and "logged no error" not in out
    assert_only_the_users_things(kapacitor, routes)


def test_what_can_be_checked_first_is_checked_before_anything_is_written(kapacitor, slack_receiver, monkeypatch, capsys):
    kapacitor.set_file_values("slack", {"enabled": False, "url": slack_receiver.webhook_url, "channel": "#alerts"})
    add_route(kapacitor)
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "main"], monkeypatch, capsys)
    assert code == 1 and "Slack is disabled in Kapacitor" in err and "created nothing" in err

    slack_configured(kapacitor, slack_receiver)
    add_route(kapacitor, "ok-only", {"id": "recoveries", "kind": "slack", "options": {}, "match": "level() == OK"})
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "ok-only"], monkeypatch, capsys)
    assert code == 1 and "only takes alerts for which level() == OK" in err and "would not go through" in err

    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--workspace", "nosuch"], monkeypatch, capsys)
    assert code == 1 and "Kapacitor has no Slack workspace nosuch" in err

    assert posted_tasks(kapacitor) == [] and slack_receiver.received == []
    assert "sent the alert" not in out + err


@pytest.mark.parametrize("topic", [".", ".."])
def test_dot_topics_are_refused_since_they_vanish_from_the_url(kapacitor, slack_receiver, monkeypatch, capsys, topic):
    slack_configured(kapacitor, slack_receiver)
    code, out, err = run(["route", "slack", "--url", kapacitor.url, "--topic", topic], monkeypatch, capsys)
    assert code == 2 and "cannot be '.' or '..'" in err
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", topic], monkeypatch, capsys)
    assert code == 2 and "cannot be '.' or '..'" in err
    assert kapacitor.alerts.handler_specs() == {} and kapacitor.alerts.topics == {}


def test_without_kapacitors_log_the_proof_says_it_cannot_tell(kapacitor, slack_receiver, monkeypatch, capsys):
    slack_configured(kapacitor, slack_receiver)
    kapacitor.logs.available = False  # as a Kapacitor without GET /logs (before 1.4)
    code, out, err = run(["prove", "slack", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    assert "could not read Kapacitor's log" in out and "cannot tell whether the send worked" in out
    assert "sent the alert" not in out


def test_a_match_the_wizard_cannot_evaluate_is_said_so(kapacitor, slack_receiver, monkeypatch, capsys):
    slack_configured(kapacitor, slack_receiver)
    routes = {"web": {"web-only": add_route(kapacitor, "web", {"id": "web-only", "kind": "slack", "options": {},
                                                                "match": "\"host\" == 'web1'"})}}
    code, out, err = run(["prove", "slack", "--url", kapacitor.url, "--topic", "web"], monkeypatch, capsys)
    assert code == 0, err
    assert "cannot tell whether the proof's alert is one of them" in out
    assert "sent the alert" not in out
    assert_only_the_users_things(kapacitor, routes)


async def test_the_wizard_shows_the_same_words_for_a_failed_send(kapacitor, slack_receiver):
    slack_configured(kapacitor, slack_receiver)
    slack_receiver.set_answer(404, "no_service", "text/html")
    routes = {"main": {"to-slack": add_route(kapacitor)}}
    async with WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url))).run_test(size=(100, 40)) as pilot:
        await wait_for_screen(pilot, ConnectScreen)
        await pilot.press("enter")
        await wait_for_screen(pilot, HandlersScreen)
        await pilot.press("down", "t")  # HipChat, Slack, Telegram: Slack is second
        await wait_for_screen(pilot, TopicsScreen)
        await wait_for(pilot, lambda: shows(pilot, "main to-slack"), what="the route")
        await pilot.press("p")
        await wait_for_screen(pilot, ConfirmScreen)
        question = str(pilot.app.screen.question)
        assert "route to-slack on topic main" in question and "your topic and its other handlers get nothing" in question
        pilot.app.screen.query_one("#yes").press()
        await wait_for(pilot, lambda: shows(pilot, "failed to send it"), what="the failure")
        assert shows(pilot, "code: 404") and not shows(pilot, "sent it on")
        await wait_for(pilot, lambda: shows(pilot, "Deleted the proof's topic"), what="the clean-up")
    assert_only_the_users_things(kapacitor, routes)
