"""Undo on a Kapacitor others use too: per write, never over a later change without asking,
and still possible when Kapacitor applied a write but its answer never arrived."""
from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from textual.widgets import Button

from tests.test_slack_flow import SIZE, apply_finished, connect_and_choose_slack, fill_slack_steps, make_app
from tests.tui_helpers import screen_text, shows, wait_for, wait_for_screen
from wizard.cli import main
from wizard.commands.common import write_plan
from wizard.changes import undo
from wizard.text.errors import KapacitorUnreachable
from wizard.handlers.registry import SLACK
from wizard.kapacitor.client import ConnectionSettings, KapacitorClient
from wizard.changes.plan import plan_changes
from wizard.tui.screens.base import ConfirmScreen
from wizard.tui.screens.done import DoneScreen

WEBHOOK = "https://hooks.slack.com/services/T000/B000/NEWSECRETyyyyyyyyyyyyyyy"
HIPCHAT_TOKEN = "hipchatSECRETtoken0123456789abcdefghijkl"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "SLACK_WEBHOOK_URL", "HIPCHAT_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def run(argv, monkeypatch, capsys, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def element(kapacitor, section: str) -> dict:
    return httpx.get(f"{kapacitor.url}/kapacitor/v1/config/{section}/").json()["options"]


def change_behind_our_back(kapacitor, section: str, values: dict) -> None:
    """Someone else (another person, a script) changes Kapacitor directly."""
    answer = httpx.post(f"{kapacitor.url}/kapacitor/v1/config/{section}/", json={"set": values})
    assert answer.status_code == 204


def apply_hipchat(kapacitor, monkeypatch, capsys) -> None:
    code, _, err = run(["apply", "hipchat", "--url", kapacitor.url, "--subdomain", "example-hi", "--room", "ops",
                        "--token", "-"], monkeypatch, capsys, stdin=HIPCHAT_TOKEN + "\n")
    assert code == 0, err


def apply_slack(kapacitor, monkeypatch, capsys, *extra: str):
    return run(["apply", "slack", "--url", kapacitor.url, "--webhook-url", "-", "--channel", "#alerts", *extra],
               monkeypatch, capsys, stdin=WEBHOOK + "\n")


def dialog_text(pilot) -> str:
    """The screen's words on one line, a dialog's thick frame left out."""
    return " ".join(screen_text(pilot).replace("█", " ").replace("▀", " ").split())


def records(kapacitor) -> list[undo.UndoRecord]:
    return undo.list_records(kapacitor.url)


# -- Undo on the Done step: this flow's write, once ------------------------------------

async def test_undo_twice_on_done_takes_back_only_this_flows_write(kapacitor, slack_receiver, monkeypatch, capsys):
    # An earlier write, by someone or by us (the command runs its own event loop, so in a thread).
    await asyncio.to_thread(apply_hipchat, kapacitor, monkeypatch, capsys)
    hipchat_before = element(kapacitor, "hipchat")
    assert hipchat_before["enabled"] is True
    async with make_app(kapacitor.url).run_test(size=SIZE) as pilot:
        await connect_and_choose_slack(pilot)
        await fill_slack_steps(pilot, slack_receiver.webhook_url, "#alerts")
        await pilot.press("enter")
        await wait_for(pilot, lambda: apply_finished(pilot), what="apply and test")
        await pilot.press("enter")
        await wait_for_screen(pilot, DoneScreen)
        assert shows(pilot, "Undo this change")
        await pilot.press("u")
        await wait_for(pilot, lambda: shows(pilot, "Restored"), what="the undo result")
        posts = len(kapacitor.config_posts())
        # The change is undone: nothing on the screen offers it again, and the key does nothing.
        assert not shows(pilot, "Undo this change")
        assert not pilot.app.screen.query_one("#undo", Button).display
        await pilot.press("u")
        await pilot.pause()
        done = pilot.app.screen
        done.action_undo()  # even when called directly
        await wait_for(pilot, lambda: not any(w.is_running for w in pilot.app.workers if w.node is done))
        assert len(kapacitor.config_posts()) == posts
        assert shows(pilot, "Restored enabled, url, channel of Slack")
    assert element(kapacitor, "hipchat") == hipchat_before
    assert kapacitor.config_posts()[-1].path == "/kapacitor/v1/config/slack/"
    hipchat_record, slack_record = records(kapacitor)
    assert hipchat_record.handler == "hipchat" and not hipchat_record.restored_at
    assert slack_record.handler == "slack" and slack_record.restored_at


async def test_undo_on_done_asks_before_overwriting_a_later_change(kapacitor, slack_receiver):
    kapacitor.set_file_values("slack", {"channel": "#old"})
    async with make_app(kapacitor.url).run_test(size=SIZE) as pilot:
        await connect_and_choose_slack(pilot)
        await fill_slack_steps(pilot, slack_receiver.webhook_url, "#new")
        await pilot.press("enter")
        await wait_for(pilot, lambda: apply_finished(pilot), what="apply and test")
        await pilot.press("enter")
        await wait_for_screen(pilot, DoneScreen)
        change_behind_our_back(kapacitor, "slack", {"channel": "#someone-else"})
        posts = len(kapacitor.config_posts())
        await pilot.press("u")
        await wait_for_screen(pilot, ConfirmScreen)
        assert 'channel is now "#someone-else" (the apply wrote "#new")' in dialog_text(pilot)
        await pilot.press("escape")  # keep their change
        await wait_for(pilot, lambda: shows(pilot, "Nothing was restored"), what="the refusal")
        assert len(kapacitor.config_posts()) == posts
        assert element(kapacitor, "slack")["channel"] == "#someone-else"
        assert shows(pilot, "Undo this change")  # still possible
        await pilot.press("u")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#yes")
        await wait_for(pilot, lambda: shows(pilot, "Restored"), what="the forced undo")
        assert shows(pilot, "This overwrote what was changed after the apply: channel")
    assert element(kapacitor, "slack")["channel"] == "#old"
    assert kapacitor.config_posts()[-1].json == {"set": {"enabled": False, "url": "", "channel": "#old"}}


# -- the command line: refusing over a later change, --force ------------------------------

def test_undo_refuses_after_a_concurrent_change_and_names_the_options(kapacitor, monkeypatch, capsys):
    code, _, err = apply_slack(kapacitor, monkeypatch, capsys, "--username", "alertbot")
    assert code == 0, err
    change_behind_our_back(kapacitor, "slack", {"channel": "#ops", "username": "ops-bot"})
    posts = len(kapacitor.config_posts())
    code, out, err = run(["undo", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 1
    assert err.count("\n") == 1
    assert "(channel, username)" in err
    assert 'channel is now "#ops" (the apply wrote "#alerts")' in err
    assert "--force" in err
    assert len(kapacitor.config_posts()) == posts  # nothing was sent
    assert element(kapacitor, "slack")["channel"] == "#ops"
    assert not records(kapacitor)[-1].restored_at

    code, out, err = run(["undo", "--force", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    assert "This overwrote what was changed after the apply: channel, username." in out
    options = element(kapacitor, "slack")
    assert (options["enabled"], options["url"], options["channel"], options["username"]) == (False, False, "", "kapacitor")
    assert WEBHOOK not in out + err


def test_a_later_change_of_other_options_does_not_block_undo(kapacitor, monkeypatch, capsys):
    code, _, err = apply_slack(kapacitor, monkeypatch, capsys)
    assert code == 0, err
    change_behind_our_back(kapacitor, "slack", {"icon-emoji": ":bell:"})
    code, out, err = run(["undo", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    assert element(kapacitor, "slack")["icon-emoji"] == ":bell:"  # not ours: left alone


def test_a_cleared_secret_counts_as_a_change(kapacitor, monkeypatch, capsys):
    kapacitor.set_file_values("slack", {"enabled": True, "url": "https://hooks.slack.com/services/T/B/OLD"})
    monkeypatch.setenv("SLACK_WEBHOOK_URL", WEBHOOK)
    code, _, err = run(["apply", "slack", "--url", kapacitor.url], monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 0, err
    change_behind_our_back(kapacitor, "slack", {"enabled": False, "url": ""})
    code, out, err = run(["undo", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 1
    assert "url is now not set (the apply set it)" in err
    assert WEBHOOK not in err


# -- undo --list, undo <id>, undo --dry-run ------------------------------------------------

def test_undo_list_shows_id_time_handler_options_and_status(kapacitor, monkeypatch, capsys):
    apply_hipchat(kapacitor, monkeypatch, capsys)
    assert apply_slack(kapacitor, monkeypatch, capsys)[0] == 0
    monkeypatch.setenv("SLACK_WEBHOOK_URL", WEBHOOK)
    run(["apply", "slack", "--url", kapacitor.url, "--workspace", "ops"], monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert run(["undo", "--url", kapacitor.url], monkeypatch, capsys)[0] == 0  # the workspace
    code, out, err = run(["undo", "--list", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    hipchat, slack, workspace = [line.strip().split("  ") for line in out.splitlines()[1:]]
    hipchat_record, slack_record, workspace_record = records(kapacitor)
    assert hipchat[0].strip() == hipchat_record.id
    assert hipchat[1].endswith(" UTC") and hipchat[1][:4].isdigit()
    assert hipchat[2] == "HipChat: enabled, url, room, token" and hipchat[3] == "(applied)"
    assert slack[0].strip() == slack_record.id and slack[2] == "Slack: enabled, url, channel" and slack[3] == "(applied)"
    assert workspace[2] == "Slack workspace ops: added the element" and workspace[3] == "(undone)"
    assert HIPCHAT_TOKEN not in out and WEBHOOK not in out


def test_undo_with_an_id_restores_that_write_only(kapacitor, monkeypatch, capsys):
    apply_hipchat(kapacitor, monkeypatch, capsys)
    assert apply_slack(kapacitor, monkeypatch, capsys)[0] == 0
    slack_before = element(kapacitor, "slack")
    hipchat_record = records(kapacitor)[0]
    code, out, err = run(["undo", hipchat_record.id, "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    # Which handler and options, before the request went out.
    first, *rest = out.splitlines()
    assert first.startswith(f"Restoring HipChat, as before the apply of {hipchat_record.when} (undo id {hipchat_record.id})")
    assert "  enabled: yes -> no" in rest and "  token: set -> not set" in rest and '  room: "ops" -> (empty)' in rest
    assert out.index("enabled: yes -> no") < out.index("Restored enabled, url, room, token of HipChat")
    assert element(kapacitor, "slack") == slack_before
    assert element(kapacitor, "hipchat")["enabled"] is False
    assert [r.handler for r in records(kapacitor) if not r.restored_at] == ["slack"]


def test_undo_dry_run_shows_what_it_would_restore_with_secrets_masked(kapacitor, monkeypatch, capsys):
    assert apply_slack(kapacitor, monkeypatch, capsys)[0] == 0
    posts = len(kapacitor.config_posts())
    code, out, err = run(["undo", "--dry-run", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Would restore Slack, as before the apply of")
    assert "  enabled: yes -> no" in lines and "  url: set -> not set" in lines and '  channel: "#alerts" -> (empty)' in lines
    assert "Would restore enabled, url, channel of Slack" in out and "Dry run: nothing was written." in out
    assert WEBHOOK not in out + err and "NEWSECRET" not in out + err
    assert len(kapacitor.config_posts()) == posts
    assert not records(kapacitor)[-1].restored_at


# -- a write whose answer never came ---------------------------------------------------------

@pytest.mark.parametrize("lost", ["reset", "hang"])
def test_a_write_kapacitor_applied_without_answering_can_be_undone(kapacitor, lost, monkeypatch, capsys):
    kapacitor.after_update = lost  # applies the change, then resets the connection or never answers
    code, out, err = apply_slack(kapacitor, monkeypatch, capsys, "--timeout", "2")
    assert code == 1
    assert "kapacitor-wizard undo takes it back" in err and err.count("\n") == 1
    assert element(kapacitor, "slack")["channel"] == "#alerts"  # Kapacitor did apply it
    [record] = records(kapacitor)
    assert record.status == "unknown"
    assert WEBHOOK not in record.path.read_text()
    kapacitor.after_update = None

    code, out, err = run(["undo", "--list", "--url", kapacitor.url], monkeypatch, capsys)
    assert "(outcome unknown)" in out
    code, out, err = run(["undo", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    assert "the outcome of that apply was unknown" in out.splitlines()[0]
    assert "Restored enabled, url, channel of Slack" in out
    assert "The outcome of that apply was unknown: Kapacitor never answered it." in out
    options = element(kapacitor, "slack")
    assert (options["enabled"], options["url"], options["channel"]) == (False, False, "")


def test_an_interrupted_write_stays_undoable(kapacitor, state_dir):
    """Ctrl+C while Kapacitor holds the answer: the record, pending until then, stays as outcome unknown."""
    kapacitor.after_update = "hang"
    env = {**os.environ, "SLACK_WEBHOOK_URL": WEBHOOK, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "wizard", "apply", "slack", "--url", kapacitor.url, "--channel", "#alerts"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not (kapacitor.config_posts() and element(kapacitor, "slack")["channel"] == "#alerts"):
            assert time.monotonic() < deadline and process.poll() is None, "the write did not arrive"
            time.sleep(0.02)
        # The record was written before the request, as pending.
        [path] = state_dir.glob("undo-*.json")
        assert json.loads(path.read_text())["status"] == "pending"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert "Interrupted before Kapacitor answered" in err and WEBHOOK not in err
    [record] = records(kapacitor)
    assert record.status == "unknown"
    kapacitor.after_update = None
    settings = ConnectionSettings(url=kapacitor.url)

    async def take_back() -> undo.UndoOutcome:
        async with KapacitorClient(settings) as client:
            return await undo.undo_latest(client, kapacitor.url)

    outcome = asyncio.run(take_back())
    assert outcome.restored == ("enabled", "url", "channel")
    assert "The outcome of that apply was unknown: Kapacitor never answered it." in outcome.lines()
    assert element(kapacitor, "slack")["channel"] == ""


async def test_an_unknown_write_that_never_took_effect_restores_nothing(kapacitor):
    async with KapacitorClient(ConnectionSettings(url=kapacitor.url)) as client:
        [current] = await client.get_section("slack")
        plan = plan_changes(SLACK, current, {"channel": "#never"})
        record = undo.record_before_apply(plan, kapacitor.url)
        undo.settle(record, asyncio.CancelledError())  # interrupted before the request left
        outcome = await undo.undo_latest(client, kapacitor.url)
    assert kapacitor.config_posts() == []
    assert outcome.summary().endswith("did not take effect: Kapacitor has the values from before it.")
    assert undo.latest(kapacitor.url) is None


async def test_a_write_that_never_reached_kapacitor_leaves_no_record():
    from tests.fakes.kapacitor import dead_url

    url = dead_url().rstrip("/")
    async with KapacitorClient(ConnectionSettings(url=url)) as client:
        plan = plan_changes(SLACK, None, {"channel": "#a"})
        with pytest.raises(KapacitorUnreachable):
            await write_plan(client, plan, io.StringIO())
    assert undo.list_records(url) == []


@pytest.fixture
def state_dir() -> Path:
    return undo.state_dir()


async def test_the_apply_step_does_not_claim_nothing_changed_when_the_answer_was_lost(kapacitor, slack_receiver):
    async with make_app(kapacitor.url).run_test(size=SIZE) as pilot:
        await connect_and_choose_slack(pilot)
        await fill_slack_steps(pilot, slack_receiver.webhook_url, "#alerts")
        kapacitor.after_update = "reset"
        await pilot.press("enter")
        await wait_for(pilot, lambda: apply_finished(pilot), what="the write to fail")
        assert shows(pilot, "kapacitor-wizard undo takes it back")
        assert not shows(pilot, "Nothing was changed")
    [record] = records(kapacitor)
    assert record.status == "unknown" and record.handler == "slack"


@pytest.mark.parametrize(
    ("status", "kept"), [(400, False), (403, False), (500, False), (502, False), (504, True)],
)
def test_an_error_answer_drops_the_record_unless_a_gateway_gave_up_waiting(kapacitor, status, kept, monkeypatch, capsys):
    """Kapacitor (or a proxy in front of it) answers every config update with `status`."""
    plan_posts = []

    def refuse_updates(method, path, query, headers, body, _dispatch=kapacitor._dispatch):
        if method == "POST" and path.startswith("/kapacitor/v1/config/"):
            plan_posts.append(path)
            return _error_answer(status)
        return _dispatch(method, path, query, headers, body)

    monkeypatch.setattr(kapacitor, "_dispatch", refuse_updates)
    code, _, err = apply_slack(kapacitor, monkeypatch, capsys)
    assert code == 1 and plan_posts
    assert [r.status for r in records(kapacitor)] == (["unknown"] if kept else [])
    assert ("kapacitor-wizard undo takes it back" in err) is kept


def _error_answer(status: int):
    from tests.fakes.kapacitor import _error

    return _error(status, "refused by the test")
