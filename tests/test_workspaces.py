"""Slack workspaces: the pure checks, the workspace screen end to end, and the command line."""
from __future__ import annotations

import io
import sys

import httpx
import pytest
from textual.widgets import Checkbox, Input

from tests.tui_helpers import screen_text, shows, wait_for, wait_for_screen
from wizard.cli import main
from wizard.handlers.registry import SLACK
from wizard.kapacitor.client import ConnectionSettings, Element
from wizard.changes.plan import plan_changes
from wizard.changes.elements import (
    check_make_default,
    check_new_workspace,
    check_remove,
    effective_default,
    list_workspaces,
)
from wizard.tui.app import WizardApp
from wizard.tui.screens.apply import ApplyScreen
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.screens.slack import SlackWebhookScreen
from wizard.tui.screens.workspaces import WorkspacesScreen
from wizard.tui.state import AppSettings

SIZE = (100, 34)
SLACK_PATH = "/kapacitor/v1/config/slack"


# -- pure checks -----------------------------------------------------------------

def element(workspace: str, **options: object) -> Element:
    values: dict[str, object] = {"workspace": workspace, "default": workspace == "", "enabled": False, "url": False}
    values.update(options)
    return Element("slack", values, frozenset({"url"}), f"{SLACK_PATH}/{workspace}")


ELEMENTS = [element(""), element("team2", enabled=True, url=True, channel="#t2")]


@pytest.mark.parametrize("name", ["team2", " team2 "])
def test_a_name_in_use_is_refused(name):
    verdict = check_new_workspace(name, ELEMENTS)
    assert not verdict.ok and "already has a workspace named team2" in verdict.error


def test_names_are_compared_exactly_as_kapacitor_does_with_a_warning_for_case():
    verdict = check_new_workspace("Team2", ELEMENTS)
    assert verdict.ok and verdict.value == "Team2"
    assert "case-sensitive" in verdict.warning


@pytest.mark.parametrize("name", ["", "team 2", "team/2", "tëam.2", "a:b", "ops?"])
def test_names_outside_kapacitors_pattern_are_refused(name):
    assert not check_new_workspace(name, ELEMENTS).ok


@pytest.mark.parametrize("name", ["team-2", "team_2", "a+b", "Ops3"])
def test_names_inside_kapacitors_pattern_are_accepted(name):
    assert check_new_workspace(name, ELEMENTS).ok


def test_a_second_default_is_refused_and_names_the_current_one():
    verdict = check_new_workspace("team3", ELEMENTS, make_default=True)
    assert not verdict.ok and "the default workspace" in verdict.error and "team3" in verdict.error
    named_default = [element("a", default=False), element("b", default=True)]
    verdict = check_new_workspace("c", named_default, make_default=True)
    assert not verdict.ok and "the workspace b" in verdict.error


def test_a_default_is_allowed_when_none_exists():
    no_default = [element("a", default=False), element("b", default=False)]
    assert effective_default(no_default) is None
    assert check_new_workspace("c", no_default, make_default=True).ok
    assert check_make_default("a", no_default).ok
    assert not check_make_default("team2", ELEMENTS).ok
    assert check_make_default("", ELEMENTS).ok  # already the default


def test_the_default_element_cannot_be_removed_and_unknown_names_are_refused():
    assert not check_remove("", ELEMENTS).ok
    assert not check_remove("nosuch", ELEMENTS).ok
    assert check_remove("team2", ELEMENTS).ok


def test_list_puts_the_default_first_and_marks_the_effective_default():
    listed = list_workspaces([element("zeta"), element("team2", default=True), element("")])
    assert [w.name for w in listed] == ["", "team2", "zeta"]
    # The running service sends alerts naming no workspace to a named default.
    assert [w.default for w in listed] == [False, True, False]
    assert listed[0].label == "default workspace"


def test_a_new_workspace_is_planned_against_what_add_creates():
    # `add` starts from Go's zero values: a chosen default and the usual username must be sent.
    plan = plan_changes(SLACK, None, {"enabled": True, "default": True, "username": "kapacitor"}, workspace="team3")
    assert plan.adding
    assert plan.set_body() == {"enabled": True, "default": True, "username": "kapacitor"}


# -- the screen, end to end against the stand-in ------------------------------------

def add_workspace(kapacitor, name: str, **options: object) -> None:
    response = httpx.post(kapacitor.url + SLACK_PATH, json={"add": {"workspace": name, **options}})
    assert response.status_code == 204, response.text
    kapacitor.requests.clear()


def configured(kapacitor, slack_receiver):
    """A default workspace and team2, both with webhooks, set up before the wizard starts."""
    response = httpx.post(
        kapacitor.url + SLACK_PATH + "/",
        json={"set": {"enabled": True, "url": slack_receiver.webhook_url, "channel": "#alerts"}},
    )
    assert response.status_code == 204
    add_workspace(kapacitor, "team2", enabled=True, url=slack_receiver.webhook_url, channel="#team2")
    return kapacitor


async def open_workspaces(pilot) -> None:
    await wait_for_screen(pilot, ConnectScreen)
    await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)
    await pilot.press("w")
    await wait_for_screen(pilot, WorkspacesScreen)


def make_app(url: str) -> WizardApp:
    return WizardApp(AppSettings(ConnectionSettings(url=url)))


async def test_list_shows_the_default_and_named_workspaces(kapacitor, slack_receiver):
    configured(kapacitor, slack_receiver)
    add_workspace(kapacitor, "ops-eu")
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ConnectScreen)
        await pilot.press("enter")
        await wait_for_screen(pilot, HandlersScreen)
        assert shows(pilot, "Slack (ops-eu)") and shows(pilot, "Slack (team2)")
        await pilot.press("w")
        await wait_for_screen(pilot, WorkspacesScreen)
        text = screen_text(pilot)
        lines = {name: next(line for line in text.splitlines() if name in line) for name in ("default workspace", "team2", "ops-eu")}
        assert "★ default" in lines["default workspace"] and "#alerts" in lines["default workspace"]
        assert "enabled" in lines["team2"] and "#team2" in lines["team2"] and "default" not in lines["team2"]
        assert "disabled" in lines["ops-eu"] and "not configured yet" in lines["ops-eu"]
        await pilot.press("escape")
        await wait_for_screen(pilot, HandlersScreen)
    assert kapacitor.config_posts() == []


async def test_editing_a_named_workspace_sends_only_the_changed_options_to_its_path(kapacitor, slack_receiver):
    configured(kapacitor, slack_receiver)
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_workspaces(pilot)
        await pilot.press("down", "enter")  # the default workspace, then team2
        await wait_for_screen(pilot, SlackWebhookScreen)
        assert app.state.workspace == "team2"
        await pilot.press("enter")  # keep the stored webhook
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "step", None) and pilot.app.screen.step.id == "channel")
        field = pilot.app.screen.query_one("#input-channel", Input)
        assert field.value == "#team2"
        field.value = "#team2-ops"
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "step", None) and pilot.app.screen.step.id == "extras")
        await pilot.press("enter", "enter")
        await wait_for_screen(pilot, ReviewScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ApplyScreen) and kapacitor.config_posts())
        await wait_for(pilot, lambda: len(slack_receiver.received) == 1, what="the test alert")
    posts = kapacitor.config_posts()
    assert [p.path for p in posts] == [f"{SLACK_PATH}/team2"]
    assert posts[0].json == {"set": {"channel": "#team2-ops"}}
    assert slack_receiver.received[0].json["channel"] == "#team2-ops"


@pytest.mark.parametrize(
    ("name", "make_default", "expected"),
    [
        ("team2", False, "already has a workspace named team2"),
        ("team3", True, "A second default"),
        ("team 3", False, "Use only letters, digits"),
    ],
)
async def test_add_refuses_at_the_field_keeps_the_value_and_sends_nothing(kapacitor, slack_receiver, name, make_default, expected):
    configured(kapacitor, slack_receiver)
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_workspaces(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: pilot.app.focused is pilot.app.screen.query_one("#new-name", Input))
        pilot.app.screen.query_one("#new-name", Input).value = name
        pilot.app.screen.query_one("#make-default", Checkbox).value = make_default
        await pilot.press("enter")
        await wait_for(pilot, lambda: shows(pilot, expected), what=expected)
        assert isinstance(pilot.app.screen, WorkspacesScreen)
        assert pilot.app.screen.query_one("#new-name", Input).value == name
    assert kapacitor.config_posts() == []


async def test_adding_a_workspace_continues_into_the_slack_steps_and_apply_adds_it(kapacitor, slack_receiver):
    configured(kapacitor, slack_receiver)
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_workspaces(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: pilot.app.focused is pilot.app.screen.query_one("#new-name", Input))
        await pilot.press(*"team3", "enter")
        await wait_for_screen(pilot, SlackWebhookScreen)
        assert app.state.workspace == "team3" and app.state.element() is None
        pilot.app.screen.query_one("#input-url", Input).value = slack_receiver.webhook_url
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "step", None) and pilot.app.screen.step.id == "channel")
        pilot.app.screen.query_one("#input-channel", Input).value = "#team3"
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "step", None) and pilot.app.screen.step.id == "extras")
        await pilot.press("enter", "enter")
        await wait_for_screen(pilot, ReviewScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(slack_receiver.received) == 1 or shows(pilot, "failed"), what="apply and test")
    posts = kapacitor.config_posts()
    assert [p.path for p in posts] == [SLACK_PATH]
    add = posts[0].json["add"]
    assert add["workspace"] == "team3" and add["url"] == slack_receiver.webhook_url and add["channel"] == "#team3"
    assert add.get("default", False) is False
    assert slack_receiver.received[0].json["channel"] == "#team3"


async def test_remove_is_reviewed_first_escape_sends_nothing_apply_removes_exactly_it(kapacitor, slack_receiver):
    configured(kapacitor, slack_receiver)
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_workspaces(pilot)
        await pilot.press("down", "d")
        await wait_for_screen(pilot, ReviewScreen)
        assert shows(pilot, "Remove the Slack workspace team2 from Kapacitor")
        await pilot.press("escape")
        await wait_for_screen(pilot, HandlersScreen)
        assert kapacitor.config_posts() == []

        await pilot.press("w")
        await wait_for_screen(pilot, WorkspacesScreen)
        await pilot.press("down", "d")
        await wait_for_screen(pilot, ReviewScreen)
        await pilot.click("#apply")
        await wait_for(pilot, lambda: shows(pilot, "Removed Slack workspace team2."), what="the removal")
        await pilot.click("#finish")
        await wait_for_screen(pilot, DoneScreen)
        assert shows(pilot, "Removed Slack workspace team2.")
        assert shows(pilot, "until kapacitord is restarted")
        assert "team2" not in [e.workspace for e in app.state.config["slack"]]
    posts = kapacitor.config_posts()
    assert [(p.path, p.json) for p in posts] == [(SLACK_PATH, {"remove": ["team2"]})]


async def test_the_default_workspace_is_not_removed(kapacitor, slack_receiver):
    configured(kapacitor, slack_receiver)
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_workspaces(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: shows(pilot, "The default workspace cannot be removed"))
        assert isinstance(pilot.app.screen, WorkspacesScreen)
    assert kapacitor.config_posts() == []


# -- the command line ----------------------------------------------------------------

@pytest.fixture
def cli(monkeypatch, capsys):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)

    def run(argv, stdin: str = ""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_refuses_a_second_default(kapacitor, slack_receiver, cli, monkeypatch):
    configured(kapacitor, slack_receiver)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_receiver.webhook_url)
    code, out, err = cli(["apply", "slack", "--url", kapacitor.url, "--workspace", "team3", "--default"])
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 2 and "A second default" in err
    assert kapacitor.config_posts() == []


def test_cli_refuses_a_bad_name_before_connecting(kapacitor, slack_receiver, cli, monkeypatch):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_receiver.webhook_url)
    code, out, err = cli(["apply", "slack", "--url", kapacitor.url, "--workspace", "team/3"])
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 2 and "--workspace" in err
    assert kapacitor.requests == []


def test_cli_adds_a_default_when_there_is_none_and_sends_what_add_does_not_default(kapacitor, slack_receiver, cli, monkeypatch):
    # kapacitor.conf with two [[slack]] tables, a and b, neither of them the default.
    kapacitor.set_file_values("slack", {"workspace": "a", "default": False})
    kapacitor.add_file_workspace({"workspace": "b"})
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_receiver.webhook_url)
    code, out, err = cli(["apply", "slack", "--url", kapacitor.url, "--workspace", "c", "--default",
                          "--username", "kapacitor"])
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 0, err
    add = kapacitor.config_posts()[-1].json["add"]
    assert add["workspace"] == "c" and add["default"] is True and add["username"] == "kapacitor"


def test_cli_removes_a_workspace_and_tells_about_the_restart(kapacitor, slack_receiver, cli):
    configured(kapacitor, slack_receiver)
    code, out, err = cli(["apply", "slack", "--url", kapacitor.url, "--remove-workspace", "team2"])
    assert code == 0, err
    assert [p.json for p in kapacitor.config_posts()] == [{"remove": ["team2"]}]
    assert "Removed Slack workspace team2" in out and "until kapacitord is restarted" in out
    code, out, err = cli(["apply", "slack", "--url", kapacitor.url, "--remove-workspace", "nosuch"])
    assert code == 2 and "no Slack workspace named nosuch" in err
    code, out, err = cli(["apply", "slack", "--url", kapacitor.url, "--remove-workspace", ""])
    assert code == 2
