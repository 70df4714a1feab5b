"""No traceback reaches a person, and no report shows local variables (they hold tokens and passwords).

The bugs are simulated by making a function of the wizard raise: that is the one thing a
test cannot get from a real server.
"""
from __future__ import annotations

import io
import sys

import pytest
from textual.widgets import Input

from tests.fakes.kapacitor import KapacitorFake
from tests.tui_helpers import screen_text, shows, wait_for, wait_for_screen
from wizard.cli import main
from wizard.kapacitor import client as kapacitor_module
from wizard.kapacitor.client import ConnectionSettings
from wizard.text.secrets import MASK, Secret, go_quote, secret_forms
from wizard.tui import crash
from wizard.tui.app import WizardApp
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.state import AppSettings

PASSWORD = "kapacitor-Pa55word"
WEBHOOK = "https://hooks.slack.com/services/T000/B000/\x1bsecret-part"
LOCAL_VALUE = "value-of-a-local-variable"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "SLACK_WEBHOOK_URL",
                 "TELEGRAM_BOT_TOKEN", "HIPCHAT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(crash, "show_traceback", False)


def a_bug(*args: object, **kwargs: object) -> None:
    """What a bug deep in the wizard looks like: its message and its locals hold secrets."""
    auth = ("admin", PASSWORD)  # noqa: F841 (a local, as Textual's report would print it)
    marker = LOCAL_VALUE  # noqa: F841
    raise RuntimeError(f"unexpected shape with auth={auth!r} for {go_quote(WEBHOOK)}")


def holds_no_secret(text: str) -> bool:
    return not any(form in text for form in secret_forms(PASSWORD) | secret_forms(WEBHOOK))


def run_cli(argv, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(argv)
    return code, *capsys.readouterr()


# -- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["--url", "KAPACITOR_URL"])
def test_an_unexpected_error_is_one_scrubbed_line_and_exit_status_1(where, monkeypatch, capsys):
    monkeypatch.setattr("wizard.cli.handler_status", a_bug)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", WEBHOOK)
    with KapacitorFake(auth=("admin", PASSWORD)) as kapacitor:
        url = f"http://admin:{PASSWORD}@127.0.0.1:{kapacitor.port}"
        if where == "--url":
            code, out, err = run_cli(["--url", url, "show"], monkeypatch, capsys)
        else:
            monkeypatch.setenv("KAPACITOR_URL", url)
            code, out, err = run_cli(["show"], monkeypatch, capsys)
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("kapacitor-wizard: unexpected error (RuntimeError): unexpected shape with auth=")
    assert "--debug" in lines[0]
    assert MASK in lines[0]
    assert "Traceback" not in err
    assert holds_no_secret(out + err)


def test_debug_shows_the_traceback_scrubbed_and_without_locals(monkeypatch, capsys):
    monkeypatch.setattr("wizard.cli.handler_status", a_bug)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", WEBHOOK)
    with KapacitorFake(auth=("admin", PASSWORD)) as kapacitor:
        url = f"http://admin:{PASSWORD}@127.0.0.1:{kapacitor.port}"
        code, out, err = run_cli(["show", "--url", url, "--debug"], monkeypatch, capsys)
    assert code == 1
    assert err.startswith("Traceback (most recent call last):")
    assert "in a_bug" in err and 'raise RuntimeError(f"unexpected shape' in err
    assert err.splitlines()[-1].startswith("kapacitor-wizard: unexpected error (RuntimeError):")
    assert LOCAL_VALUE not in err
    assert holds_no_secret(out + err)


def test_debug_also_shows_where_an_expected_error_came_from(monkeypatch, capsys):
    code, out, err = run_cli(["show", "--url", f"http://admin:{PASSWORD}@127.0.0.1:1", "--debug"], monkeypatch, capsys)
    assert code == 1
    assert "Traceback" in err
    assert "kapacitor-wizard: Could not connect" in err.splitlines()[-1]
    assert holds_no_secret(out + err)


def test_interrupt_is_exit_status_130_with_a_short_message(monkeypatch, capsys):
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("wizard.cli.handler_status", interrupted)
    with KapacitorFake() as kapacitor:
        code, out, err = run_cli(["show", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 130
    assert err == "kapacitor-wizard: interrupted.\n"


# -- the wizard ------------------------------------------------------------------------------


def wizard_for(kapacitor: KapacitorFake) -> WizardApp:
    app = WizardApp(AppSettings(
        connection=ConnectionSettings(url=kapacitor.url, username="admin", password=Secret(PASSWORD), timeout=5)
    ))
    app.state.remember_secret(WEBHOOK)  # as the Slack step does with a pasted webhook
    return app


async def test_a_failing_step_worker_is_a_message_on_the_step_and_keeps_what_was_typed(monkeypatch):
    real_get_config = kapacitor_module.KapacitorClient.get_config
    failures = {"left": 2}

    async def get_config(self: kapacitor_module.KapacitorClient) -> object:
        if failures["left"]:
            failures["left"] -= 1
            a_bug()
        return await real_get_config(self)

    monkeypatch.setattr(kapacitor_module.KapacitorClient, "get_config", get_config)
    with KapacitorFake(auth=("admin", PASSWORD)) as kapacitor:
        app = wizard_for(kapacitor)
        async with app.run_test(size=(100, 34)) as pilot:
            await wait_for(pilot, lambda: shows(pilot, "Something went wrong"), what="the message on the step")
            assert isinstance(app.screen, ConnectScreen)
            text = screen_text(pilot)
            assert "unexpected shape with auth=" in " ".join(text.split())
            assert holds_no_secret(text)

            # The person edits a field and tries again: the app is alive, the edit is kept.
            username = app.screen.query_one("#username", Input)
            username.focus()
            await pilot.press("ctrl+e", *"-ops")
            assert username.value == "admin-ops"
            username.value = "admin"
            await pilot.press("enter")
            await wait_for(pilot, lambda: failures["left"] == 0, what="the second attempt")
            await wait_for(pilot, lambda: shows(pilot, "Something went wrong"), what="the message again")
            assert app.screen.query_one("#url", Input).value == kapacitor.url
            assert app.screen.query_one("#password", Input).value == PASSWORD
            assert holds_no_secret(screen_text(pilot))

            await pilot.press("enter")  # the bug is gone now: the wizard goes on
            from wizard.tui.screens.handlers import HandlersScreen

            await wait_for_screen(pilot, HandlersScreen)
        assert app.return_code in (0, None)


@pytest.mark.parametrize("debug", [False, True])
async def test_a_fatal_error_prints_one_scrubbed_line_and_no_locals(debug, monkeypatch, capsys):
    monkeypatch.setattr(crash, "show_traceback", debug)
    monkeypatch.setattr(ConnectScreen, "compose_body", a_bug)
    with KapacitorFake(auth=("admin", PASSWORD)) as kapacitor:
        app = wizard_for(kapacitor)
        with pytest.raises(RuntimeError):  # under Pilot Textual raises the error again at the end
            async with app.run_test(size=(100, 34)):
                pass
    assert app.return_code == 1
    printed = capsys.readouterr().err  # Textual prints nothing of its own
    assert "Traceback" not in printed and holds_no_secret(printed)
    report = crash.report(app)
    assert report.splitlines()[-1].startswith("kapacitor-wizard: unexpected error (RuntimeError): unexpected shape")
    assert ("Traceback" in report) is debug
    assert len(report.splitlines()) == 1 or debug
    assert LOCAL_VALUE not in report
    assert holds_no_secret(report)
