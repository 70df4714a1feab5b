"""Removing an element of a list section is a reviewed write with an undo record, like every
other write: the real app and command line against the Kapacitor stand-in (1.8.3 for Discord,
HTTP post and Kafka; 1.5.7 for Slack)."""
from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.kapacitor import KapacitorFake
from tests.fakes.receivers import HttpReceiver
from tests.tui_helpers import screen_text, shows, wait_for, wait_for_screen
from wizard.cli import main
from wizard.changes import undo
from wizard.kapacitor.client import ConnectionSettings
from wizard.tui.app import WizardApp
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.screens.workspaces import WorkspacesScreen
from wizard.tui.state import AppSettings

SIZE = (100, 34)
CONFIG = "/kapacitor/v1/config"
SASL_PASSWORD = "FAKE-sasl-password-71c3"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def kapacitor18() -> Iterator[KapacitorFake]:
    with KapacitorFake(version="1.8.3") as fake:
        yield fake


@pytest.fixture
def discord_receiver() -> Iterator[HttpReceiver]:
    with HttpReceiver() as receiver:
        receiver.set_answer(204)
        yield receiver


def post(kapacitor: KapacitorFake, path: str, body: dict) -> None:
    response = httpx.post(kapacitor.url + CONFIG + path, json=body)
    assert response.status_code == 204, response.text
    kapacitor.requests.clear()


def options(kapacitor: KapacitorFake, path: str) -> dict | None:
    response = httpx.get(kapacitor.url + CONFIG + path)
    return response.json()["options"] if response.status_code == 200 else None


def webhook(receiver: HttpReceiver) -> str:
    return f"{receiver.url}/api/webhooks/1/FAKE-ops-token"


def records() -> list[undo.UndoRecord]:
    return undo.list_records()


def run(argv, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


async def open_list(pilot, row_id: str) -> None:
    """From Connect to the handler list, then the element list of the row with this id."""
    await wait_for_screen(pilot, ConnectScreen)
    await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)
    handlers = pilot.app.screen.query_one("#handler-list")
    ids = [handlers.get_option_at_index(i).id for i in range(handlers.option_count)]
    handlers.highlighted = ids.index(row_id)
    await pilot.press("w")
    await wait_for_screen(pilot, WorkspacesScreen)


async def highlight(pilot, name: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#workspace-list").highlighted = [w.name for w in screen.workspaces].index(name)
    await pilot.pause()


def make_app(url: str) -> WizardApp:
    return WizardApp(AppSettings(ConnectionSettings(url=url)))


# -- the wizard ------------------------------------------------------------------------------

async def test_a_discord_removal_is_reviewed_applied_and_undo_adds_it_again_naming_the_lost_webhook(
    kapacitor18, discord_receiver
):
    post(kapacitor18, "/discord", {"add": {"workspace": "ops", "enabled": True, "url": webhook(discord_receiver),
                                           "username": "ops-bot", "embed-title": "Ops alert"}})
    app = make_app(kapacitor18.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "discord/ops")
        await highlight(pilot, "ops")
        await pilot.press("d")
        await wait_for_screen(pilot, ReviewScreen)
        # What goes, what Kapacitor does then, and what undo cannot bring back.
        assert shows(pilot, "Remove the Discord workspace ops from Kapacitor at")
        assert shows(pilot, "ops-bot") and shows(pilot, "Ops alert")
        assert shows(pilot, "until kapacitord is restarted")
        assert shows(pilot, "but not url: Kapacitor never revealed it, so it must be typed again")
        assert "FAKE-ops-token" not in screen_text(pilot)
        assert kapacitor18.config_posts() == [] and records() == []
        await pilot.click("#apply")
        await wait_for(pilot, lambda: shows(pilot, "Removed Discord workspace ops."), what="the removal")
        await pilot.click("#finish")
        await wait_for_screen(pilot, DoneScreen)
        assert [p.json for p in kapacitor18.config_posts()] == [{"remove": ["ops"]}]
        assert options(kapacitor18, "/discord/ops") is None
        [record] = records()
        assert record.removed and record.status == undo.APPLIED and record.secrets == {"url": True}
        assert "FAKE-ops-token" not in record.path.read_text()

        await pilot.click("#undo")
        await wait_for(pilot, lambda: shows(pilot, "This change is now undone."), what="the undo")
        assert shows(pilot, "Added Discord workspace ops again")
        assert shows(pilot, "webhook URL (workspace ops) could not be restored")
        assert shows(pilot, "disabled until url is typed again")
    added = kapacitor18.config_posts()[-1].json["add"]
    assert (added["workspace"], added["enabled"], added["username"], added["embed-title"]) == ("ops", False, "ops-bot", "Ops alert")
    assert "url" not in added  # never known, never sent
    now = options(kapacitor18, "/discord/ops")
    assert now is not None and now["username"] == "ops-bot" and now["embed-title"] == "Ops alert"
    assert now["enabled"] is False and now["url"] == ""


async def test_escape_on_the_review_removes_nothing_and_keeps_no_record(kapacitor18):
    post(kapacitor18, "/kafka", {"add": {"id": "second", "enabled": True, "brokers": ["127.0.0.1:9"]}})
    app = make_app(kapacitor18.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "kafka/default")
        await highlight(pilot, "second")
        await pilot.press("d")
        await wait_for_screen(pilot, ReviewScreen)
        assert shows(pilot, "Remove the Kafka cluster second") and shows(pilot, "127.0.0.1:9")
        assert shows(pilot, "stops sending to it at once")
        await pilot.press("escape")
        await wait_for_screen(pilot, HandlersScreen)
        assert app.state.flow is None
    assert kapacitor18.config_posts() == [] and records() == []
    assert options(kapacitor18, "/kafka/second")["brokers"] == ["127.0.0.1:9"]


async def test_removing_the_built_in_endpoint_only_resets_it_and_undo_sets_its_values_back(kapacitor18):
    changed = "http://127.0.0.1:9/changed"
    post(kapacitor18, "/httppost/example", {"set": {"url": changed, "row-template": "{{.Name}}"}})
    app = make_app(kapacitor18.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "httppost/example")
        await pilot.press("d")
        await wait_for_screen(pilot, ReviewScreen)
        assert shows(pilot, "Reset the HTTP post endpoint example on Kapacitor at")
        assert shows(pilot, "kapacitor.conf or default") and shows(pilot, "Reset example")
        assert shows(pilot, "sets its previous values back")
        await pilot.click("#apply")
        await wait_for(pilot, lambda: shows(pilot, "Reset the endpoint example"), what="the reset")
        await pilot.click("#finish")
        await wait_for_screen(pilot, DoneScreen)
        assert options(kapacitor18, "/httppost/example")["url"] == "http://example.com"
        await pilot.click("#undo")
        await wait_for(pilot, lambda: shows(pilot, "This change is now undone."), what="the undo")
        assert shows(pilot, "Restored url, row-template of HTTP POST endpoint example as before")
    assert kapacitor18.config_posts()[0].json == {"remove": ["example"]}
    assert kapacitor18.config_posts()[-1].json == {"set": {"url": changed, "row-template": "{{.Name}}"}}
    assert options(kapacitor18, "/httppost/example")["url"] == changed


# -- the command line ---------------------------------------------------------------------------

def test_cli_removes_a_kafka_cluster_with_a_record_and_undo_adds_it_again_without_its_sasl_secret(
    kapacitor18, monkeypatch, capsys
):
    post(kapacitor18, "/kafka", {"add": {"id": "second", "enabled": True, "brokers": ["127.0.0.1:9"], "batch-size": 50,
                                         "SASLAuth": {"SASLUsername": "alice", "SASLPassword": SASL_PASSWORD,
                                                      "SASLMechanism": "PLAIN"}}})
    url = kapacitor18.url
    code, out, err = run(["apply", "kafka", "--url", url, "--remove", "second", "--dry-run"], monkeypatch, capsys)
    assert code == 0, err
    assert f"POST {url}{CONFIG}/kafka" in out and '{"remove": ["second"]}' in out
    assert "but not SASLAuth" in out and kapacitor18.config_posts() == [] and records() == []

    code, out, err = run(["apply", "kafka", "--url", url, "--remove", "second"], monkeypatch, capsys)
    assert code == 0, err
    assert "Kafka: Removed the cluster second." in out and "kapacitor-wizard undo adds it again" in out
    [record] = records()
    assert record.removed and record.values["brokers"] == ["127.0.0.1:9"] and record.secrets == {"SASLAuth": True}
    assert SASL_PASSWORD not in record.path.read_text()

    code, out, err = run(["undo", "--list", "--url", url], monkeypatch, capsys)
    assert "Kafka cluster second: removed the element  (applied)" in out
    code, out, err = run(["undo", "--dry-run", "--url", url], monkeypatch, capsys)
    assert code == 0, err
    assert '"add"' in out and "SASLAuth: not set" in out and len(kapacitor18.config_posts()) == 1
    code, out, err = run(["undo", "--url", url], monkeypatch, capsys)
    assert code == 0, err
    assert "Added Kafka cluster second again" in out and "disabled until SASLAuth is typed again" in out
    assert "SASL authentication (cluster second) could not be restored" in err
    assert kapacitor18.config_posts()[-1].json == {"add": {
        "id": "second", "enabled": False, "brokers": ["127.0.0.1:9"], "timeout": "0s", "batch-size": 50,
        "batch-timeout": "0s"}}
    now = options(kapacitor18, "/kafka/second")
    assert now["brokers"] == ["127.0.0.1:9"] and now["batch-size"] == 50
    assert SASL_PASSWORD not in out + err


def test_cli_undo_of_a_removal_refuses_when_the_element_was_added_again(kapacitor18, monkeypatch, capsys):
    post(kapacitor18, "/kafka", {"add": {"id": "second", "brokers": ["127.0.0.1:9"]}})
    code, out, err = run(["apply", "kafka", "--url", kapacitor18.url, "--remove", "second"], monkeypatch, capsys)
    assert code == 0, err
    post(kapacitor18, "/kafka", {"add": {"id": "second", "brokers": ["127.0.0.1:10"]}})
    code, out, err = run(["undo", "--url", kapacitor18.url], monkeypatch, capsys)
    assert code == 1 and "Kafka cluster second again" in err and "Nothing was changed" in err
    assert kapacitor18.config_posts() == []
    assert options(kapacitor18, "/kafka/second")["brokers"] == ["127.0.0.1:10"]


def test_cli_remove_of_the_built_in_cluster_resets_it_and_undo_sets_it_back(kapacitor18, monkeypatch, capsys):
    post(kapacitor18, "/kafka/default", {"set": {"brokers": ["127.0.0.1:9"], "batch-size": 7}})
    code, out, err = run(["apply", "kafka", "--url", kapacitor18.url, "--remove", "default"], monkeypatch, capsys)
    assert code == 0, err
    assert "Kafka: Reset the cluster default." in out and "only drops the changes" in out
    assert options(kapacitor18, "/kafka/default")["batch-size"] == 0
    code, out, err = run(["undo", "--url", kapacitor18.url], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor18.config_posts()[-1].json == {"set": {"brokers": ["127.0.0.1:9"], "batch-size": 7}}
    assert options(kapacitor18, "/kafka/default")["batch-size"] == 7


def test_cli_refused_removals_send_nothing_and_keep_no_record(kapacitor18, monkeypatch, capsys):
    for argv, expected in [
        (["apply", "kafka", "--remove", "nope"], "no Kafka cluster named nope"),
        (["apply", "discord", "--remove", ""], "cannot be removed"),
    ]:
        code, out, err = run([*argv, "--url", kapacitor18.url], monkeypatch, capsys)
        assert code == 2 and expected in err
    assert kapacitor18.config_posts() == [] and records() == []


def test_a_removal_whose_answer_never_came_is_kept_and_can_be_undone(kapacitor18, monkeypatch, capsys):
    post(kapacitor18, "/kafka", {"add": {"id": "second", "brokers": ["127.0.0.1:9"]}})
    kapacitor18.after_update = "reset"
    code, out, err = run(["apply", "kafka", "--url", kapacitor18.url, "--remove", "second"], monkeypatch, capsys)
    assert code == 1 and "kapacitor-wizard undo takes it back" in err
    kapacitor18.after_update = None
    [record] = records()
    assert record.removed and record.status == undo.UNKNOWN
    code, out, err = run(["undo", "--url", kapacitor18.url], monkeypatch, capsys)
    assert code == 0, err
    assert "Added Kafka cluster second again" in out and "outcome of that apply was unknown" in out
    assert options(kapacitor18, "/kafka/second")["brokers"] == ["127.0.0.1:9"]


def test_cli_slack_remove_workspace_goes_through_the_same_path(kapacitor, slack_receiver, monkeypatch, capsys):
    post(kapacitor, "/slack", {"add": {"workspace": "team2", "enabled": True, "url": slack_receiver.webhook_url,
                                       "channel": "#t2"}})
    code, out, err = run(["apply", "slack", "--url", kapacitor.url, "--remove-workspace", "team2", "--dry-run"],
                         monkeypatch, capsys)
    assert code == 0, err
    assert f"POST {kapacitor.url}{CONFIG}/slack" in out and json.dumps({"remove": ["team2"]}) in out
    assert "but not url" in out and kapacitor.config_posts() == [] and records() == []
    code, out, err = run(["apply", "slack", "--url", kapacitor.url, "--remove-workspace", "team2"], monkeypatch, capsys)
    assert code == 0, err
    assert "Removed Slack workspace team2." in out and "until kapacitord is restarted" in out
    assert [r.removed for r in records()] == [True]
    code, out, err = run(["undo", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    assert "Added Slack workspace team2 again" in out and "webhook URL (workspace team2) could not be restored" in err
    assert options(kapacitor, "/slack/team2")["channel"] == "#t2"
