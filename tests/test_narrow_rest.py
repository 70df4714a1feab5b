"""Issue 12's rest: --format env prints every variable, options need not be repeated, the http
rule is judged for Kapacitor's side, warnings show on Next, and Apply can retry a write."""
from __future__ import annotations

import httpx

from tests.test_cli import run

WEBHOOK_PATH = "/services/T000/B000/XXXXfakefakefake"


def post_config(kapacitor, section: str, values: dict) -> None:
    answer = httpx.post(f"{kapacitor.url}/kapacitor/v1/config/{section}/", json={"set": values})
    assert answer.status_code == 204, answer.text


# -- --format env ------------------------------------------------------------------------


def test_format_env_prints_a_given_secret_as_set_with_the_flag_that_shows_it(kapacitor, slack_receiver, monkeypatch, capsys):
    webhook = slack_receiver.webhook_url
    code, out, err = run(
        ["apply", "slack", "--url", kapacitor.url, "--webhook-url", "-", "--channel", "#ops", "--format", "env"],
        monkeypatch, capsys, stdin=webhook + "\n",
    )
    assert code == 0, err
    assert "KAPACITOR_SLACK_0_URL=<set; --show-secrets to print>" in out.splitlines()
    assert "KAPACITOR_SLACK_0_CHANNEL=#ops" in out.splitlines()
    assert webhook not in out + err
    code, out, err = run(
        ["apply", "slack", "--url", kapacitor.url, "--webhook-url", "-", "--format", "env", "--show-secrets"],
        monkeypatch, capsys, stdin=webhook + "\n",
    )
    assert code == 0, err
    assert f"KAPACITOR_SLACK_0_URL={webhook}" in out.splitlines()
    assert not kapacitor.config_posts()  # printing never writes


def test_format_env_adds_what_kapacitor_has_and_names_a_stored_secret(kapacitor, slack_receiver, monkeypatch, capsys):
    post_config(kapacitor, "slack", {"enabled": True, "url": slack_receiver.webhook_url, "channel": "#alerts",
                                     "username": "alertbot", "global": True})
    code, out, err = run(["apply", "slack", "--url", kapacitor.url, "--channel", "#ops", "--format", "env"], monkeypatch, capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert "KAPACITOR_SLACK_0_ENABLED=true" in lines
    assert "KAPACITOR_SLACK_0_CHANNEL=#ops" in lines  # the given value wins over the stored one
    assert "KAPACITOR_SLACK_0_USERNAME=alertbot" in lines and "KAPACITOR_SLACK_0_GLOBAL=true" in lines
    assert any(line.startswith("# KAPACITOR_SLACK_0_URL is set in Kapacitor") for line in lines), out
    assert "is needed too" not in out
    assert slack_receiver.webhook_url not in out + err


def test_format_env_for_telegram_keeps_the_stored_parse_mode_and_chat(kapacitor, monkeypatch, capsys):
    post_config(kapacitor, "telegram", {"enabled": True, "token": "123456789:AAFakeFakeFakeFakeFakeFakeFakeFake12",
                                        "chat-id": "-100123", "parse-mode": "HTML"})
    code, out, err = run(["apply", "telegram", "--url", kapacitor.url, "--disable-notification", "--format", "env"],
                         monkeypatch, capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert "KAPACITOR_TELEGRAM_CHAT_ID=-100123" in lines and "KAPACITOR_TELEGRAM_PARSE_MODE=HTML" in lines
    assert "KAPACITOR_TELEGRAM_DISABLE_NOTIFICATION=true" in lines
    assert any(line.startswith("# KAPACITOR_TELEGRAM_TOKEN is set in Kapacitor") for line in lines), out
    assert "FakeFake" not in out


def test_format_env_without_a_kapacitor_prints_what_was_given_and_says_why(monkeypatch, capsys):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    code, out, err = run(["apply", "hipchat", "--url", closed, "--room", "ops", "--format", "env"], monkeypatch, capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert "KAPACITOR_HIPCHAT_ROOM=ops" in lines
    assert any(line.startswith("# Could not connect to Kapacitor") and "Only the values given here" in line for line in lines), out
    assert "# KAPACITOR_HIPCHAT_URL is needed too: not given here (it may be set elsewhere)" in lines


# -- no repeated options -------------------------------------------------------------------

TELEGRAM_TOKEN = "123456789:AAFakeFakeFakeFakeFakeFakeFakeFake12"


def test_apply_slack_switches_on_a_configured_handler_need_no_webhook(kapacitor, slack_receiver, monkeypatch, capsys):
    post_config(kapacitor, "slack", {"enabled": True, "url": slack_receiver.webhook_url, "channel": "#alerts"})
    code, out, err = run(["apply", "slack", "--url", kapacitor.url, "--global", "--state-changes-only"], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor.config_posts()[-1].json == {"set": {"global": True, "state-changes-only": True}}
    code, out, err = run(["apply", "slack", "--url", kapacitor.url, "--disable"], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor.config_posts()[-1].json == {"set": {"enabled": False}}
    code, out, err = run(["apply", "slack", "--url", kapacitor.url, "--enable"], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor.config_posts()[-1].json == {"set": {"enabled": True}}


def test_apply_slack_global_on_a_new_handler_names_the_webhook_option(kapacitor, monkeypatch, capsys):
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    code, out, err = run(["apply", "slack", "--url", kapacitor.url, "--global"], monkeypatch, capsys)
    assert code == 2
    assert "No webhook URL: give --webhook-url" in err and len(err.strip().splitlines()) == 1
    assert not kapacitor.config_posts()


def test_apply_telegram_switches_on_a_configured_handler_need_no_token_or_chat(kapacitor, monkeypatch, capsys):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    post_config(kapacitor, "telegram", {"enabled": True, "token": TELEGRAM_TOKEN, "chat-id": "-100123", "parse-mode": "HTML"})
    code, out, err = run(["apply", "telegram", "--url", kapacitor.url, "--global"], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor.config_posts()[-1].json == {"set": {"global": True}}
    code, out, err = run(["apply", "telegram", "--url", kapacitor.url, "--disable"], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor.config_posts()[-1].json == {"set": {"enabled": False}}


def test_apply_telegram_global_on_a_new_handler_names_what_it_lacks(kapacitor, monkeypatch, capsys):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    code, out, err = run(["apply", "telegram", "--url", kapacitor.url, "--global"], monkeypatch, capsys)
    assert code == 2 and "No bot token: give --token" in err
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    code, out, err = run(["apply", "telegram", "--url", kapacitor.url, "--global"], monkeypatch, capsys)
    assert code == 2 and "No chat id: give --chat-id, or --detect to find it." in err
    assert not kapacitor.config_posts()


def test_apply_hipchat_disable_needs_nothing_else_and_test_with_disable_is_refused(kapacitor, hipchat_receiver, monkeypatch, capsys):
    monkeypatch.delenv("HIPCHAT_TOKEN", raising=False)
    post_config(kapacitor, "hipchat", {"enabled": True, "url": hipchat_receiver.room_url(), "room": "ops",
                                       "token": "FAKE-hipchat-token-0123456789abcdefghij"})
    code, out, err = run(["apply", "hipchat", "--url", kapacitor.url, "--disable", "--test"], monkeypatch, capsys)
    assert code == 2 and "--test cannot be used with --disable" in err
    code, out, err = run(["apply", "hipchat", "--url", kapacitor.url, "--disable"], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor.config_posts()[-1].json == {"set": {"enabled": False}}


# -- plain http:// to a relay --------------------------------------------------------------

RELAY_WEBHOOK = "http://relay.internal:8080" + WEBHOOK_PATH


def test_an_http_webhook_on_another_host_needs_allow_http(kapacitor, monkeypatch, capsys):
    code, out, err = run(["apply", "slack", "--url", kapacitor.url, "--webhook-url", "-"], monkeypatch, capsys,
                         stdin=RELAY_WEBHOOK + "\n")
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "--allow-http" in err and "unencrypted between Kapacitor and relay.internal" in err
    assert RELAY_WEBHOOK not in err and not kapacitor.config_posts()
    code, out, err = run(["apply", "slack", "--url", kapacitor.url, "--webhook-url", "-", "--allow-http"], monkeypatch, capsys,
                         stdin=RELAY_WEBHOOK + "\n")
    assert code == 0, err
    assert "unencrypted between Kapacitor and relay.internal" in err  # said once more, as a warning
    assert kapacitor.config_posts()[-1].json == {"set": {"enabled": True, "url": RELAY_WEBHOOK}}
    assert RELAY_WEBHOOK not in out + err


def test_an_http_webhook_on_kapacitors_own_machine_needs_no_confirmation(kapacitor, slack_receiver, monkeypatch, capsys):
    assert slack_receiver.webhook_url.startswith("http://127.0.0.1:")
    code, out, err = run(["apply", "slack", "--url", kapacitor.url, "--webhook-url", "-"], monkeypatch, capsys,
                         stdin=slack_receiver.webhook_url + "\n")
    assert code == 0, err
    assert "--allow-http" not in err


async def start_slack(pilot):
    from tests.tui_helpers import wait_for_screen
    from wizard.tui.screens.handlers import HandlersScreen
    from wizard.tui.screens.slack import SlackWebhookScreen

    await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)
    await pilot.press("down", "enter")
    await wait_for_screen(pilot, SlackWebhookScreen)


def wizard_app(kapacitor):
    from wizard.kapacitor.client import ConnectionSettings
    from wizard.tui.app import WizardApp
    from wizard.tui.state import AppSettings

    return WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url)))


async def test_an_http_webhook_on_another_host_is_asked_about_once_and_kept(kapacitor):
    from tests.screenshots import SIZE
    from tests.tui_helpers import input_value, paste, screen_text, shows, wait_for, wait_for_screen
    from wizard.tui.screens.base import ConfirmScreen
    from wizard.tui.screens.review import ReviewScreen
    from wizard.tui.screens.slack import SlackWebhookScreen

    async with wizard_app(kapacitor).run_test(size=SIZE) as pilot:
        await start_slack(pilot)
        await paste(pilot, RELAY_WEBHOOK)
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmScreen)
        assert shows(pilot, "Use this address over plain http://?")
        text = screen_text(pilot)  # (the dialog's frame runs into its lines)
        assert "Kapacitor would call relay.internal over plain http://" in text
        assert "travels unencrypted between Kapacitor and" in text
        assert "fakefake" not in screen_text(pilot)  # the webhook URL itself stays masked
        await pilot.click("#no")  # Change it: back to the field, nothing lost
        await wait_for_screen(pilot, SlackWebhookScreen)
        assert input_value(pilot, "#input-url") == RELAY_WEBHOOK
        assert shows(pilot, "confirm that relay.internal is a relay you trust")
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#yes")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "step", None) and pilot.app.screen.step.id == "channel",
                       what="the channel step")
        await pilot.press("escape")  # back and forth: the yes holds for this flow
        await wait_for_screen(pilot, SlackWebhookScreen)
        assert input_value(pilot, "#input-url") == RELAY_WEBHOOK
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "step", None) and pilot.app.screen.step.id == "channel",
                       what="the channel step without a second question")
        await pilot.press("enter", "enter", "enter")
        await wait_for_screen(pilot, ReviewScreen)
        assert pilot.app.state.plan().set_body()["url"].reveal() == RELAY_WEBHOOK


# -- Apply when Kapacitor is away at that moment --------------------------------------------


async def disable_slack_up_to_review(pilot) -> None:
    from tests.tui_helpers import wait_for_screen
    from wizard.tui.screens.handlers import HandlersScreen
    from wizard.tui.screens.review import ReviewScreen

    await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)
    await pilot.press("down", "e")  # disable Slack: a write without a test alert
    await wait_for_screen(pilot, ReviewScreen)


async def test_apply_offers_retry_when_kapacitor_is_away_and_writes_the_reviewed_plan_once(kapacitor, slack_receiver):
    from tests.fakes.switch import SwitchableRelay
    from tests.screenshots import SIZE
    from tests.tui_helpers import shows, wait_for, wait_for_screen
    from wizard.tui.screens.apply import ApplyScreen
    from wizard.tui.screens.done import DoneScreen

    post_config(kapacitor, "slack", {"enabled": True, "url": slack_receiver.webhook_url, "channel": "#alerts"})
    before = len(kapacitor.config_posts())
    from textual.worker import Worker, WorkerState

    attempts_done: list[Worker] = []

    def count_attempts(message) -> None:
        if isinstance(message, Worker.StateChanged) and message.worker.group == "apply" and message.state == WorkerState.SUCCESS:
            attempts_done.append(message.worker)

    with SwitchableRelay(kapacitor.port) as relay:
        async with wizard_app(relay).run_test(size=SIZE, message_hook=count_attempts) as pilot:
            await disable_slack_up_to_review(pilot)
            relay.off()  # Kapacitor goes away between the review and Apply
            await pilot.press("enter")
            await wait_for_screen(pilot, ApplyScreen)
            await wait_for(pilot, lambda: shows(pilot, "Retry sends exactly the reviewed changes again"), what="the retry offer")
            assert shows(pilot, "Could not connect to Kapacitor") and shows(pilot, "Nothing was changed.")
            assert shows(pilot, "Back to the review")
            retry = pilot.app.screen.query_one("#retry-write")
            assert retry.display and pilot.app.focused is retry
            await wait_for(pilot, lambda: not retry.has_class("-active"), what="the button to settle")
            await pilot.press("enter")  # Retry while it is still away: the same offer again
            await wait_for(pilot, lambda: len(attempts_done) == 2, what="the second attempt")
            assert pilot.app.screen.query_one("#retry-write").display and shows(pilot, "Back to the review")
            relay.on()  # back, on the same port
            # (a button ignores a second press while it still shows the first one)
            await wait_for(pilot, lambda: not retry.has_class("-active"), what="the button to settle")
            await pilot.press("enter")
            await wait_for(pilot, lambda: shows(pilot, "Slack is disabled"), what="the write to go through")
            assert not pilot.app.screen.query_one("#retry-write").display and not shows(pilot, "Back to the review")
            assert not shows(pilot, "Escape cancels.")  # nothing runs any more
            await pilot.press("enter")
            await wait_for_screen(pilot, DoneScreen)
    assert [p.json for p in kapacitor.config_posts()[before:]] == [{"set": {"enabled": False}}]


async def test_back_to_the_review_after_a_failed_write_keeps_the_plan(kapacitor, slack_receiver):
    from tests.fakes.switch import SwitchableRelay
    from tests.screenshots import SIZE
    from tests.tui_helpers import shows, wait_for, wait_for_screen
    from wizard.tui.screens.apply import ApplyScreen
    from wizard.tui.screens.review import ReviewScreen

    post_config(kapacitor, "slack", {"enabled": True, "url": slack_receiver.webhook_url, "channel": "#alerts"})
    before = len(kapacitor.config_posts())
    with SwitchableRelay(kapacitor.port) as relay:
        async with wizard_app(relay).run_test(size=SIZE) as pilot:
            await disable_slack_up_to_review(pilot)
            relay.off()
            await pilot.press("enter")
            await wait_for_screen(pilot, ApplyScreen)
            await wait_for(pilot, lambda: shows(pilot, "Back to the review"), what="the retry offer")
            await pilot.click("#back")
            await wait_for_screen(pilot, ReviewScreen)
            assert shows(pilot, "enabled")
            relay.on()
            await pilot.press("enter")
            await wait_for_screen(pilot, ApplyScreen)
            await wait_for(pilot, lambda: shows(pilot, "Slack is disabled"), what="the write to go through")
    assert [p.json for p in kapacitor.config_posts()[before:]] == [{"set": {"enabled": False}}]


# -- a warning shows on Next too -------------------------------------------------------------


async def test_a_first_next_shows_a_warning_not_yet_seen_and_a_second_goes_on(kapacitor, slack_receiver):
    from tests.screenshots import SIZE
    from tests.tui_helpers import input_value, shows, wait_for
    from wizard.tui.screens.slack import SlackWebhookScreen

    async with wizard_app(kapacitor).run_test(size=SIZE) as pilot:
        await start_slack(pilot)
        await pilot.press(*slack_receiver.webhook_url)  # typed, not pasted: no check while typing
        assert not shows(pilot, "is not Slack's webhook host")
        await pilot.click("#next")
        await wait_for(pilot, lambda: shows(pilot, "is not Slack's webhook host"), what="the warning")
        assert isinstance(pilot.app.screen, SlackWebhookScreen)
        assert input_value(pilot, "#input-url") == slack_receiver.webhook_url
        await pilot.click("#next")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "step", None) and pilot.app.screen.step.id == "channel",
                       what="the channel step")


async def test_enter_in_the_field_stops_once_for_a_new_warning_too(kapacitor, slack_receiver):
    from tests.screenshots import SIZE
    from tests.tui_helpers import shows, wait_for
    from wizard.tui.screens.slack import SlackWebhookScreen

    async with wizard_app(kapacitor).run_test(size=SIZE) as pilot:
        await start_slack(pilot)
        await pilot.press(*slack_receiver.webhook_url, "enter")
        await wait_for(pilot, lambda: shows(pilot, "is not Slack's webhook host"), what="the warning")
        assert isinstance(pilot.app.screen, SlackWebhookScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "step", None) and pilot.app.screen.step.id == "channel",
                       what="the channel step")


async def test_a_pasted_value_is_checked_at_once_so_one_next_goes_on(kapacitor, slack_receiver):
    from tests.screenshots import SIZE
    from tests.tui_helpers import paste, shows, wait_for

    async with wizard_app(kapacitor).run_test(size=SIZE) as pilot:
        await start_slack(pilot)
        await paste(pilot, slack_receiver.webhook_url)
        assert shows(pilot, "is not Slack's webhook host")  # seen before Next
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "step", None) and pilot.app.screen.step.id == "channel",
                       what="the channel step")


# -- plain http:// for HipChat: the token is in the address Kapacitor calls -----------------


def test_hipchat_over_http_to_another_host_needs_allow_http(kapacitor, monkeypatch, capsys):
    token = "FAKE-hipchat-token-0123456789abcdefghij"
    argv = ["apply", "hipchat", "--url", kapacitor.url, "--hipchat-url", "http://chat.internal", "--room", "ops", "--token", "-"]
    code, out, err = run(argv, monkeypatch, capsys, stdin=token + "\n")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "--allow-http" in err and "unencrypted between Kapacitor and chat.internal" in err
    assert not kapacitor.config_posts()
    code, out, err = run(argv + ["--allow-http"], monkeypatch, capsys, stdin=token + "\n")
    assert code == 0, err
    assert kapacitor.config_posts()[-1].json["set"]["url"] == "http://chat.internal/v2/room"
    assert token not in out + err


async def test_hipchat_over_http_to_another_host_is_asked_about_in_the_wizard(kapacitor):
    from textual.widgets import OptionList

    from tests.screenshots import SIZE
    from tests.tui_helpers import paste, screen_text, shows, wait_for, wait_for_screen
    from wizard.tui.screens.base import ConfirmScreen
    from wizard.tui.screens.handlers import HandlersScreen
    from wizard.tui.screens.hipchat import HipChatServerScreen, HipChatTokenScreen

    async with wizard_app(kapacitor).run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for_screen(pilot, HandlersScreen)
        options = pilot.app.screen.query_one(OptionList)
        options.highlighted = next(i for i in range(options.option_count) if options.get_option_at_index(i).id == "hipchat")
        options.focus()
        await pilot.press("enter")
        await wait_for_screen(pilot, HipChatServerScreen)
        await paste(pilot, "http://chat.internal")
        assert shows(pilot, "Kapacitor's url: http://chat.internal/v2/room")
        assert shows(pilot, "Kapacitor would call chat.internal over plain http://"), screen_text(pilot)
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#yes")
        await wait_for_screen(pilot, HipChatTokenScreen)
