"""The handler list and `show` say what Kapacitor has: values that are not secret, secrets as set / not set."""
from __future__ import annotations

import json

import httpx

from tests.screenshots import SIZE
from tests.test_cli import run
from tests.tui_helpers import shows, wait_for_screen
from wizard.kapacitor.client import ConnectionSettings
from wizard.tui.app import WizardApp
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.state import AppSettings


def configure(kapacitor, slack_receiver, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_receiver.webhook_url)
    code, _, err = run(
        ["apply", "slack", "--url", kapacitor.url, "--channel", "#alerts"],
        monkeypatch, capsys,
    )
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 0, err


def test_show_prints_values_and_secrets_as_set(kapacitor, slack_receiver, monkeypatch, capsys):
    configure(kapacitor, slack_receiver, monkeypatch, capsys)
    code, out, err = run(["show", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    slack = next(line for line in out.splitlines() if line.strip().startswith("Slack"))
    assert slack.split() == ["Slack", "●", "enabled", "#alerts,", "webhook", "set"]
    assert slack_receiver.webhook_url not in out


def test_show_json_gives_the_same_for_scripts(kapacitor, slack_receiver, monkeypatch, capsys):
    configure(kapacitor, slack_receiver, monkeypatch, capsys)
    code, out, err = run(["show", "--json", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    document = json.loads(out)
    assert document["kapacitor"] == {"url": kapacitor.url, "version": "1.5.7"}
    slack = next(h for h in document["handlers"] if h["handler"] == "slack" and h["workspace"] == "")
    assert slack["enabled"] is True and slack["configured"] is True
    assert slack["options"]["channel"] == "#alerts"
    assert slack["secrets"]["url"] is True
    assert "url" not in slack["options"]
    telegram = next(h for h in document["handlers"] if h["handler"] == "telegram")
    assert telegram["secrets"]["token"] is False
    assert slack_receiver.webhook_url not in out


async def test_handler_list_shows_the_channel_and_that_the_webhook_is_set(kapacitor, slack_receiver):
    settings = {"enabled": True, "url": slack_receiver.webhook_url, "channel": "#alerts"}
    assert httpx.post(f"{kapacitor.url}/kapacitor/v1/config/slack/", json={"set": settings}).status_code == 204
    async with WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url))).run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for_screen(pilot, HandlersScreen)
        # (the list is a grid: the screen's text runs its columns together)
        assert shows(pilot, "● enabled") and shows(pilot, "#alerts, webhook set")
        assert shows(pilot, "not configured yet")
        assert shows(pilot, "r Refresh") and shows(pilot, "^q Quit")


def test_an_error_says_its_cause_once():
    from wizard.text.errors import KapacitorRejected, KapacitorUnreachable
    from wizard.tui.widgets.error_text import titled

    rejected = KapacitorRejected("Kapacitor rejected the request (HTTP 400): bad option.", "Check the value.")
    assert titled(rejected) == ("Kapacitor rejected the request (HTTP 400): bad option.",)
    unreachable = KapacitorUnreachable("Could not connect to Kapacitor at http://k:9092.", "Start it.")
    assert titled(unreachable)[0] == ("Kapacitor unreachable", "bold")


async def test_a_doubtful_webhook_host_is_said_when_leaving_the_field(kapacitor, slack_receiver):
    from tests.tui_helpers import paste, wait_for
    from wizard.tui.screens.slack import SlackWebhookScreen

    async with WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url))).run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for_screen(pilot, HandlersScreen)
        await pilot.press("down", "enter")
        await wait_for_screen(pilot, SlackWebhookScreen)
        await pilot.press(*slack_receiver.webhook_url)  # typed: a relay on 127.0.0.1, not hooks.slack.com
        assert not shows(pilot, "is not Slack's webhook host")
        await pilot.press("tab")
        await wait_for(pilot, lambda: shows(pilot, "is not Slack's webhook host"), what="the warning")


def test_format_env_names_the_variables_it_could_not_print(monkeypatch, capsys):
    code, out, err = run(["apply", "telegram", "--format", "env", "--chat-id", "-100123"], monkeypatch, capsys)
    assert code == 0, err
    assert "KAPACITOR_TELEGRAM_CHAT_ID=-100123" in out
    assert "# KAPACITOR_TELEGRAM_TOKEN is needed too" in out


def test_apply_hipchat_global_on_a_configured_handler_needs_no_address_or_room(kapacitor, hipchat_receiver, monkeypatch, capsys):
    token = "FAKE-hipchat-token-0123456789abcdefghij"
    code, _, err = run(
        ["apply", "hipchat", "--url", kapacitor.url, "--hipchat-url", hipchat_receiver.url, "--room", "ops", "--token", "-"],
        monkeypatch, capsys, stdin=token + "\n",
    )
    assert code == 0, err
    code, _, err = run(["apply", "hipchat", "--url", kapacitor.url, "--global"], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor.config_posts()[-1].json == {"set": {"global": True}}


def test_apply_hipchat_without_an_address_on_a_new_handler_says_which_option(kapacitor, monkeypatch, capsys):
    monkeypatch.setenv("HIPCHAT_TOKEN", "x" * 40)
    code, _, err = run(["apply", "hipchat", "--url", kapacitor.url, "--room", "ops"], monkeypatch, capsys)
    monkeypatch.delenv("HIPCHAT_TOKEN")
    assert code == 2
    assert "No HipChat address: give --subdomain S or --hipchat-url URL." in err
