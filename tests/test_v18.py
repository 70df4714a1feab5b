"""Kapacitor 1.5 and 1.8: options from what the server says, and Slack's two ways to connect
(incoming webhook, Slack app with a bot token) without ever sending a bot token to a webhook host."""
from __future__ import annotations

import io
import json
import sys
from typing import Iterator

import httpx
import pytest

from wizard.cli import main
from wizard.conf import document as conffile
from wizard.changes import undo
from wizard.handlers.registry import SLACK, SLACK_API_URL
from wizard.kapacitor.client import ConnectionSettings, Element, KapacitorClient
from wizard.changes.plan import plan_changes
from wizard.text.secrets import Secret
from tests.fakes.kapacitor import KapacitorFake
from tests.fakes.receivers import SlackReceiver

TOKEN = "xoxb-1111-2222-FAKEBOTTOKEN"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "SLACK_WEBHOOK_URL", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture(params=["1.5.7", "1.8.3"])
def any_kapacitor(request) -> Iterator[KapacitorFake]:
    with KapacitorFake(version=request.param) as fake:
        yield fake


@pytest.fixture
def kapacitor18() -> Iterator[KapacitorFake]:
    with KapacitorFake(version="1.8.3") as fake:
        yield fake


def run(argv, monkeypatch, capsys, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def set_app_way(kapacitor: KapacitorFake, receiver: SlackReceiver) -> None:
    """What a Slack app set-up leaves in Kapacitor (pointed at the receiver instead of slack.com)."""
    response = httpx.post(kapacitor.url + "/kapacitor/v1/config/slack/", json={"set": {
        "enabled": True, "url": receiver.url + "/api/chat.postMessage", "token": TOKEN, "channel": "#alerts"}})
    assert response.status_code == 204


def service_test(kapacitor: KapacitorFake) -> dict:
    return httpx.post(kapacitor.url + "/kapacitor/v1/service-tests/slack", json={}).json()


# -- the unsafe part: a bearer token must never reach a webhook host ------------------------------------


def test_pointing_an_app_at_a_webhook_clears_the_token_in_the_same_request(kapacitor18, monkeypatch, capsys):
    with SlackReceiver() as api, SlackReceiver() as webhook_host:
        set_app_way(kapacitor18, api)
        service_test(kapacitor18)
        assert api.received[-1].headers["Authorization"] == f"Bearer {TOKEN}"  # the app way works

        monkeypatch.setenv("SLACK_WEBHOOK_URL", webhook_host.webhook_url)
        code, out, err = run(["apply", "slack", "--url", kapacitor18.url],
                             monkeypatch, capsys)
        monkeypatch.delenv("SLACK_WEBHOOK_URL")
        assert code == 0, err
        (post,) = [p.json for p in kapacitor18.config_posts()][1:]
        assert post == {"set": {"url": webhook_host.webhook_url, "token": ""}}
        assert "token" in out

        assert service_test(kapacitor18)["success"] is True
        (got,) = webhook_host.received
        assert "Authorization" not in got.headers
        assert TOKEN not in out + err


def test_without_the_clearing_kapacitor_18_would_send_the_token_to_the_webhook(kapacitor18):
    """Why the rule exists: what Kapacitor 1.8 does with a url change alone (recorded in 18-slack-app-token)."""
    with SlackReceiver() as api, SlackReceiver() as webhook_host:
        set_app_way(kapacitor18, api)
        httpx.post(kapacitor18.url + "/kapacitor/v1/config/slack/", json={"set": {"url": webhook_host.webhook_url}})
        service_test(kapacitor18)
        assert webhook_host.received[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_dry_run_shows_the_token_being_cleared_and_show_knows_the_way(kapacitor18, slack_receiver, monkeypatch, capsys):
    with SlackReceiver() as api:
        set_app_way(kapacitor18, api)
        monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_receiver.webhook_url)
        code, out, err = run(["apply", "slack", "--url", kapacitor18.url,
                              "--dry-run"], monkeypatch, capsys)
        monkeypatch.delenv("SLACK_WEBHOOK_URL")
        assert code == 0, err
        body = json.loads(out[out.index("{"):out.rindex("}") + 1])
        assert body == {"set": {"url": "•••", "token": ""}}
        assert len(kapacitor18.config_posts()) == 1  # only the set-up
        code, out, err = run(["show", "--url", kapacitor18.url], monkeypatch, capsys)
        assert code == 0, err
        assert "1.8.3" in out and "token" in out and TOKEN not in out
        assert "Slack app" in out


# -- the app way from the command line -------------------------------------------------------------------


def test_apply_slack_token_sets_the_app_way_in_one_request(kapacitor18, monkeypatch, capsys):
    with SlackReceiver() as api:
        api_url = api.url + "/api/chat.postMessage"
        code, out, err = run(["apply", "slack", "--url", kapacitor18.url, "--token", "-", "--slack-api-url", api_url,
                              "--channel", "#alerts", "--test"], monkeypatch, capsys, stdin=TOKEN + "\n")
        assert code == 0, err
        assert [p.json for p in kapacitor18.config_posts()] == [
            {"set": {"enabled": True, "url": api_url, "token": TOKEN, "channel": "#alerts"}}]
        (got,) = api.received
        assert got.headers["Authorization"] == f"Bearer {TOKEN}"
        # Kapacitor counts any 200 as sent: the wizard does not claim delivery.
        assert "not confirmed" in out and "Kapacitor sent a test alert" not in out
        assert TOKEN not in out + err


def test_apply_slack_token_defaults_to_chat_post_message_and_masks_it(kapacitor18, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    code, out, err = run(["apply", "slack", "--url", kapacitor18.url, "--channel", "#alerts", "--dry-run"],
                         monkeypatch, capsys)
    assert code == 0, err
    body = json.loads(out[out.index("{"):out.rindex("}") + 1])
    assert body == {"set": {"enabled": True, "url": "•••", "token": "•••", "channel": "#alerts"}}
    assert TOKEN not in out + err


def test_a_token_on_kapacitor_15_is_refused_before_anything_is_sent(monkeypatch, capsys):
    with KapacitorFake() as old:
        monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
        code, out, err = run(["apply", "slack", "--url", old.url], monkeypatch, capsys)
        monkeypatch.delenv("SLACK_BOT_TOKEN")
        assert code == 2
        assert "1.5.7" in err and "1.6" in err and "--webhook-url" in err
        assert old.config_posts() == []
        assert TOKEN not in out + err


def test_both_ways_at_once_are_refused(kapacitor18, slack_receiver, monkeypatch, capsys):
    code, out, err = run(["apply", "slack", "--url", kapacitor18.url, "--token", "-", "--webhook-url", "-"],
                         monkeypatch, capsys, stdin=TOKEN + "\n")
    assert code == 2 and "either --webhook-url" in err
    assert kapacitor18.config_posts() == []


def test_a_user_token_is_refused_with_what_to_use(kapacitor18, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-123-456")
    code, out, err = run(["apply", "slack", "--url", kapacitor18.url], monkeypatch, capsys)
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    assert code == 2 and "xoxb-" in err and "xoxp-123-456" not in err


def test_format_env_names_the_token_as_a_secret(monkeypatch, capsys):
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    code, out, err = run(["apply", "slack", "--format", "env", "--channel", "#a"], monkeypatch, capsys)
    assert code == 0, err
    assert "KAPACITOR_SLACK_0_TOKEN=<set; --show-secrets to print>" in out
    assert f"KAPACITOR_SLACK_0_URL=<set; --show-secrets to print>" in out and TOKEN not in out


def test_webhook_on_either_version_sends_no_token(any_kapacitor, slack_receiver, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_receiver.webhook_url)
    code, out, err = run(["apply", "slack", "--url", any_kapacitor.url,
                          "--test"], monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 0, err
    assert [p.json for p in any_kapacitor.config_posts()] == [
        {"set": {"enabled": True, "url": slack_receiver.webhook_url}}]
    assert "Authorization" not in slack_receiver.received[0].headers
    assert "Kapacitor sent a test alert through Slack" in out


# -- version-aware options ---------------------------------------------------------------------------------


def test_options_come_from_the_server_and_unknown_ones_are_kept():
    element = Element("slack", {"enabled": True, "url": True, "channel": "#a", "future-option": 3},
                      frozenset({"url", "future-option"}), "")
    plan = plan_changes(SLACK, element, {"enabled": True, "token": Secret(TOKEN), "channel": "#b"})
    # This server has no token option: it is never sent, and neither is the url it would bring.
    assert plan.set_body() == {"channel": "#b"}
    assert plan.kept_unknown == ("future-option",)


def test_the_redacted_list_decides_what_is_a_secret():
    element = Element("slack", {"enabled": True, "url": True, "token": False, "username": True, "channel": ""},
                      frozenset({"url", "token", "username"}), "")
    plan = plan_changes(SLACK, element, {"username": "bot"})
    (change,) = plan.changes
    assert change.secret and change.describe_after() == "will be replaced"
    assert "bot" not in json.dumps(plan.request_body())


def test_undo_of_a_switch_to_a_webhook_never_puts_the_token_back(tmp_path):
    element = Element("slack", {"enabled": True, "url": True, "token": True, "channel": "#a"},
                      frozenset({"url", "token"}), "")
    plan = plan_changes(SLACK, element, {"url": Secret("https://hooks.slack.com/services/T/B/X")})
    assert [(c.option, c.describe_after()) for c in plan.changes] == [("url", "will be replaced"), ("token", "cleared")]
    record = undo.record_before_apply(plan, "http://127.0.0.1:9092")
    assert record is not None and record.secrets == {"url": True, "token": True}
    assert record.written["token"] == "cleared"
    restore = undo.restore_plan(record, Element("slack", {"enabled": True, "url": True, "token": False, "channel": "#a"},
                                                frozenset({"url", "token"}), ""))
    assert "token" not in restore.set and "token" in restore.unrestorable


async def test_1_8_error_bodies_are_shown_once(kapacitor18):
    async with KapacitorClient(ConnectionSettings(url=kapacitor18.url)) as client:
        assert await client.ping() == "1.8.3"
        with pytest.raises(Exception) as caught:
            await client.update_element("slack", set={"channel": 5})
    text = str(caught.value)
    assert text.count("wrong kind") == 1


def test_conffile_knows_the_slack_token_as_a_secret():
    assert "token" in conffile.OPTIONS["slack"] and "token" in conffile.SECRETS["slack"]
    lines = conffile.env_lines("slack", {"token": TOKEN, "url": SLACK_API_URL})
    assert "KAPACITOR_SLACK_0_TOKEN=<secret>" in lines


# -- the Slack steps in the wizard ------------------------------------------------------------------------

from tests.tui_helpers import paste, screen_text, shows, wait_for, wait_for_screen  # noqa: E402
from wizard.tui.app import WizardApp  # noqa: E402
from wizard.tui.screens.connect import ConnectScreen  # noqa: E402
from wizard.tui.screens.handlers import HandlersScreen  # noqa: E402
from wizard.tui.screens.review import ReviewScreen  # noqa: E402
from wizard.tui.screens.slack import SlackAppScreen, SlackWayScreen, SlackWebhookScreen  # noqa: E402
from wizard.tui.state import AppSettings  # noqa: E402
from tests.test_slack_flow import apply_finished  # noqa: E402

SIZE = (100, 40)


def wizard_for(kapacitor: KapacitorFake, slack_api: SlackReceiver | None = None) -> WizardApp:
    extra = {"slack_api_url": slack_api.url + "/api"} if slack_api else {}
    return WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url), **extra))


async def choose_slack(pilot) -> None:
    await wait_for_screen(pilot, ConnectScreen)
    await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)
    await pilot.press("down", "enter")


async def on_step(pilot, step_id: str) -> None:
    await wait_for(pilot, lambda: getattr(getattr(pilot.app.screen, "step", None), "id", None) == step_id,
                   what=f"the {step_id} step")


async def test_kapacitor_15_offers_only_the_webhook_way(kapacitor):
    async with wizard_for(kapacitor).run_test(size=SIZE) as pilot:
        await choose_slack(pilot)
        await wait_for_screen(pilot, SlackWebhookScreen)
        assert pilot.app.state.current.way == ""


async def test_switching_an_app_to_a_webhook_in_the_wizard_clears_the_token(kapacitor18):
    with SlackReceiver() as api, SlackReceiver() as webhook_host:
        set_app_way(kapacitor18, api)
        async with wizard_for(kapacitor18).run_test(size=SIZE) as pilot:
            await choose_slack(pilot)
            await wait_for_screen(pilot, SlackWayScreen)
            assert pilot.app.state.current.way == "app"  # what Kapacitor has now
            await pilot.click("#way-webhook")
            await pilot.click("#next")
            await wait_for_screen(pilot, SlackWebhookScreen)
            await pilot.press("enter")  # the stored url is chat.postMessage: it cannot be kept
            assert shows(pilot, "Paste the webhook URL")
            await paste(pilot, webhook_host.webhook_url)
            await pilot.press("enter")
            await on_step(pilot, "channel")
            await pilot.press("enter")
            await on_step(pilot, "extras")
            await pilot.press("enter", "enter")
            await wait_for_screen(pilot, ReviewScreen)
            assert "cleared" in screen_text(pilot)
            await pilot.press("enter")
            await wait_for(pilot, lambda: apply_finished(pilot), what="apply and test to finish")
            assert shows(pilot, "Kapacitor sent the test alert through Slack")
        assert kapacitor18.config_posts()[-1].json == {"set": {"url": webhook_host.webhook_url, "token": ""}}
        (got,) = webhook_host.received
        assert "Authorization" not in got.headers


async def test_the_app_way_checks_the_token_and_never_claims_delivery(kapacitor18):
    with SlackReceiver() as api:
        api.set_answer(200, {"ok": True, "user": "alertbot", "team": "Ops"})
        async with wizard_for(kapacitor18, api).run_test(size=SIZE) as pilot:
            await choose_slack(pilot)
            await wait_for_screen(pilot, SlackWayScreen)
            await pilot.click("#way-app")
            await pilot.click("#next")
            await wait_for_screen(pilot, SlackAppScreen)
            assert shows(pilot, "chat:write") and shows(pilot, "/invite")
            await paste(pilot, TOKEN)
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: shows(pilot, "alertbot in Ops"), what="auth.test's answer")
            assert api.received[-1].path == "/api/auth.test"
            assert api.received[-1].headers["Authorization"] == f"Bearer {TOKEN}"
            await pilot.press("enter")
            await on_step(pilot, "app-channel")
            await paste(pilot, "#alerts")
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: shows(pilot, "sample message in #alerts"), what="chat.postMessage")
            api.set_answer(200, {"ok": False, "error": "not_in_channel"})
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: shows(pilot, "/invite @your-bot in the channel"), what="Slack's refusal")
            await pilot.press("enter")
            await wait_for_screen(pilot, ReviewScreen)
            assert TOKEN not in screen_text(pilot)
            await pilot.press("enter")
            await wait_for(pilot, lambda: apply_finished(pilot), what="apply and test to finish")
            # Slack answered {"ok": false}; Kapacitor calls that success: the wizard does not.
            assert shows(pilot, "not confirmed") and not shows(pilot, "Kapacitor sent the test alert")
        assert kapacitor18.config_posts()[-1].json == {"set": {
            "enabled": True, "url": api.url + "/api/chat.postMessage", "token": TOKEN, "channel": "#alerts"}}
        assert api.received[-1].headers["Authorization"] == f"Bearer {TOKEN}"


# -- kapacitor.conf: the 1.8.3 sample -----------------------------------------------------------------------

SAMPLE_183 = __import__("pathlib").Path(__file__).parent / "data" / "kapacitor-api" / "1.8.3" / "kapacitor.conf.sample"


def test_the_183_sample_gets_the_app_way_and_back_to_a_webhook():
    old = conffile.load(SAMPLE_183)
    app = old.apply("slack", {"enabled": True, "url": SLACK_API_URL, "token": TOKEN, "channel": "#alerts"})
    element = app.read_element("slack")
    assert element["token"] == TOKEN and element["url"] == SLACK_API_URL
    # The key is edited where the sample has it, comments kept.
    assert f'  token = "{TOKEN}"' in app.render() and "# The Slack OAuth token" in app.render()
    diff = conffile.masked_diff(old.render(), app.render())
    assert TOKEN not in diff and "token" in diff
    webhook = app.apply("slack", {"url": "https://hooks.slack.com/services/T0/B0/XXXX", "token": ""})
    assert webhook.read_element("slack")["token"] == ""


def test_apply_slack_token_into_the_183_sample(tmp_path, monkeypatch, capsys):
    path = tmp_path / "kapacitor.conf"
    path.write_text(SAMPLE_183.read_text())
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    code, out, err = run(["apply", "slack", "--config-file", str(path), "--channel", "#alerts"],
                         monkeypatch, capsys)
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    assert code == 0, err
    assert conffile.load(path).read_element("slack")["token"] == TOKEN
    assert TOKEN not in out + err
    code, out, err = run(["apply", "slack", "--config-file", str(path), "--webhook-url", "-"], monkeypatch, capsys,
                         stdin="https://hooks.slack.com/services/T0/B0/XXXX\n")
    assert code == 0, err
    element = conffile.load(path).read_element("slack")
    assert element["token"] == "" and element["url"] == "https://hooks.slack.com/services/T0/B0/XXXX"


async def test_review_shows_options_the_wizard_does_not_know_as_kept(kapacitor18, slack_receiver):
    from tests.fakes import kapacitor as standin

    # A later Kapacitor with a slack option the wizard has never heard of.
    kapacitor18.fields = {**kapacitor18.fields, "slack": (*kapacitor18.fields["slack"], ("thread-ts", str))}
    kapacitor18.reset_overrides()
    kapacitor18._file["slack"] = [{**standin.default_element("slack", "1.8.3"), "thread-ts": ""}]
    kapacitor18.restart()
    async with wizard_for(kapacitor18).run_test(size=SIZE) as pilot:
        await choose_slack(pilot)
        await wait_for_screen(pilot, SlackWayScreen)
        await pilot.click("#next")
        await wait_for_screen(pilot, SlackWebhookScreen)
        await paste(pilot, slack_receiver.webhook_url)
        await pilot.press("enter")
        await on_step(pilot, "channel")
        await pilot.press("enter")
        await on_step(pilot, "extras")
        await pilot.press("enter", "enter")
        await wait_for_screen(pilot, ReviewScreen)
        assert "thread-ts" in screen_text(pilot) and "kept" in screen_text(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: apply_finished(pilot), what="apply to finish")
    assert "thread-ts" not in kapacitor18.config_posts()[-1].json["set"]


def test_a_new_workspace_can_take_the_app_way(kapacitor18, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    code, out, err = run(["apply", "slack", "--url", kapacitor18.url, "--workspace", "ops",
                          "--channel", "#ops"], monkeypatch, capsys)
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    assert code == 0, err
    (post,) = [p.json for p in kapacitor18.config_posts()]
    assert post == {"add": {"workspace": "ops", "enabled": True, "url": SLACK_API_URL, "token": TOKEN, "channel": "#ops"}}
    elements = httpx.get(kapacitor18.url + "/kapacitor/v1/config/slack").json()["elements"]
    assert [e["options"]["token"] for e in elements] == [False, True]


async def test_a_new_workspace_in_the_wizard_offers_both_ways(kapacitor18):
    from textual.widgets import Input

    from wizard.tui.screens.workspaces import WorkspacesScreen

    with SlackReceiver() as api:
        api.set_answer(200, {"ok": True})
        async with wizard_for(kapacitor18, api).run_test(size=SIZE) as pilot:
            await wait_for_screen(pilot, ConnectScreen)
            await pilot.press("enter")
            await wait_for_screen(pilot, HandlersScreen)
            await pilot.press("w")
            await wait_for_screen(pilot, WorkspacesScreen)
            await pilot.press("a")
            await wait_for(pilot, lambda: pilot.app.focused is pilot.app.screen.query_one("#new-name", Input))
            await pilot.press(*"team3", "enter")
            await wait_for_screen(pilot, SlackWayScreen)
            assert pilot.app.state.workspace == "team3"
            await pilot.click("#way-app")
            await pilot.click("#next")
            await wait_for_screen(pilot, SlackAppScreen)
            await paste(pilot, TOKEN)
            await pilot.press("enter")
            await on_step(pilot, "app-channel")
            await paste(pilot, "#team3")
            await pilot.press("enter")
            await wait_for_screen(pilot, ReviewScreen)
            await pilot.press("enter")
            await wait_for(pilot, lambda: apply_finished(pilot), what="apply and test to finish")
        (post,) = [p.json for p in kapacitor18.config_posts()]
        assert post["add"]["workspace"] == "team3" and post["add"]["token"] == TOKEN
        assert post["add"]["url"] == api.url + "/api/chat.postMessage"
        assert api.received[-1].headers["Authorization"] == f"Bearer {TOKEN}"


async def test_the_file_route_offers_the_app_way_for_a_183_conf(tmp_path):
    from wizard.changes.target import FileTarget
    from wizard.tui.state import WizardState

    for sample, offered in ((SAMPLE_183, "webhook"), (__import__("pathlib").Path(__file__).parent / "data" / "kapacitor-sample.conf", "")):
        path = tmp_path / sample.name
        path.write_text(sample.read_text())
        state = WizardState(AppSettings())
        state.target = FileTarget(path, state.scrub)
        state.config = await state.target.read_config()
        assert state.start_flow(SLACK).way == offered


def test_undo_after_a_switch_to_a_webhook_says_the_token_stays_cleared(kapacitor18, monkeypatch, capsys):
    with SlackReceiver() as api, SlackReceiver() as webhook_host:
        set_app_way(kapacitor18, api)
        monkeypatch.setenv("SLACK_WEBHOOK_URL", webhook_host.webhook_url)
        code, out, err = run(["apply", "slack", "--url", kapacitor18.url],
                             monkeypatch, capsys)
        monkeypatch.delenv("SLACK_WEBHOOK_URL")
        assert code == 0, err
        code, out, err = run(["undo", "--url", kapacitor18.url], monkeypatch, capsys)
        sent = [p.json for p in kapacitor18.config_posts()][2:]
        assert all("token" not in json.dumps(body) or '"token": ""' in json.dumps(body) for body in sent)
        assert "bot token" in out + err and TOKEN not in out + err
        assert httpx.get(kapacitor18.url + "/kapacitor/v1/config/slack/").json()["options"]["token"] is False


def test_a_token_into_a_15_conf_needs_a_version_that_reads_it(tmp_path, monkeypatch, capsys):
    from tests.fakes.kapacitor import dead_url

    path = tmp_path / "kapacitor.conf"
    path.write_text((__import__("pathlib").Path(__file__).parent / "data" / "kapacitor-sample.conf").read_text())
    before = path.read_text()
    monkeypatch.setenv("KAPACITOR_URL", dead_url().rstrip("/"))  # no Kapacitor to ask for its version
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    argv = ["apply", "slack", "--config-file", str(path), "--channel", "#a"]
    code, out, err = run(argv, monkeypatch, capsys)
    assert code == 1 and path.read_text() == before  # 1.5 would ignore it: not written without the version
    assert "token" in err and "1.6" in err and "--kapacitor-version" in err and TOKEN not in out + err
    code, out, err = run([*argv, "--kapacitor-version", "1.6.0"], monkeypatch, capsys)
    assert code == 0, err
    assert conffile.load(path).read_element("slack")["token"] == TOKEN


async def test_the_way_is_chosen_with_the_arrow_keys_and_enter_goes_on(kapacitor18):
    async with wizard_for(kapacitor18).run_test(size=SIZE) as pilot:
        await choose_slack(pilot)
        await wait_for_screen(pilot, SlackWayScreen)
        await pilot.press("down", "enter")
        await wait_for_screen(pilot, SlackAppScreen)
        await pilot.press("escape")
        await wait_for_screen(pilot, SlackWayScreen)
        await pilot.press("up", "enter")
        await wait_for_screen(pilot, SlackWebhookScreen)
