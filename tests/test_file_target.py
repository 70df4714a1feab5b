"""kapacitor.conf as the target: the wizard's route when no Kapacitor answers, and `apply --config-file`."""
from __future__ import annotations

import io
import os
import shutil
import stat
import sys
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.fakes.kapacitor import dead_url
from tests.tui_helpers import paste, screen_text, shows, wait_for, wait_for_screen
from wizard.cli import main
from wizard.kapacitor.client import ConnectionSettings
from wizard.tui.app import WizardApp
from wizard.tui.screens.apply import ApplyScreen
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.screens.slack import SlackWebhookScreen
from wizard.tui.state import AppSettings

DATA = Path(__file__).parent / "data"
WEBHOOK = "https://hooks.slack.com/services/T000FAKE/B000FAKE/fakefakefakefakefakefake"
SIZE = (100, 34)


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    path = tmp_path / "kapacitor.conf"
    shutil.copy(DATA / "kapacitor-sample.conf", path)
    path.chmod(0o640)
    return path


async def slack_steps_to_review(pilot) -> None:
    await pilot.press("down", "enter")
    await wait_for_screen(pilot, SlackWebhookScreen)
    await paste(pilot, WEBHOOK)
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen.step.id == "channel")
    await paste(pilot, "#alerts")
    await pilot.press("enter", "enter", "enter")
    await wait_for_screen(pilot, ReviewScreen)


async def test_no_kapacitor_leads_to_a_finished_kapacitor_conf(conf):
    before = conf.read_text()
    app = WizardApp(AppSettings(ConnectionSettings(url=dead_url().rstrip("/"))))  # nothing answers there
    async with app.run_test(size=SIZE) as pilot:
        # The connect step tries by itself and offers the file route.
        await wait_for(pilot, lambda: pilot.app.screen.query("#file-route.-shown"), what="the file route")
        assert shows(pilot, "Kapacitor unreachable"), screen_text(pilot)
        path_input = pilot.app.screen.query_one("#config-path", Input)
        path_input.value = str(conf)
        path_input.focus()
        await pilot.press("enter")
        await wait_for_screen(pilot, HandlersScreen)
        assert shows(pilot, f"writing {conf}")
        await slack_steps_to_review(pilot)
        pilot.app.screen.query_one("#step-body").scroll_end(animate=False)  # as a person scrolls down
        await pilot.pause()
        assert shows(pilot, '+ url = "•••"') and shows(pilot, '+ channel = "#alerts"'), screen_text(pilot)
        assert "fakefake" not in screen_text(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: shows(pilot, "restart it to load the change"))
        await pilot.press("enter")
        await wait_for_screen(pilot, DoneScreen)
        assert shows(pilot, "restart Kapacitor")
        assert shows(pilot, "KAPACITOR_SLACK_0_URL=<secret>")
        assert "fakefake" not in screen_text(pilot)

    after = conf.read_text()
    assert f'url = "{WEBHOOK}"' in after and 'channel = "#alerts"' in after
    # Only the changed lines differ; comments and everything else stay.
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert len(changed) == 3 and len(before.splitlines()) == len(after.splitlines())
    backups = list(conf.parent.glob("kapacitor.conf.bak-*"))
    assert len(backups) == 1 and backups[0].read_text() == before
    assert stat.S_IMODE(os.stat(conf).st_mode) == 0o640


async def test_config_file_flag_starts_on_the_file(conf):
    app = WizardApp(AppSettings(ConnectionSettings(url="http://127.0.0.1:9"), config_file=str(conf)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HandlersScreen)
        assert shows(pilot, "Slack")


async def test_a_broken_file_is_reported_with_its_line_and_left_alone(tmp_path):
    broken = tmp_path / "kapacitor.conf"
    shutil.copy(DATA / "kapacitor-broken.conf", broken)
    before = broken.read_bytes()
    app = WizardApp(AppSettings(ConnectionSettings(url="http://127.0.0.1:9"), config_file=str(broken)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shows(pilot, "line"), what="the parse error")
        assert isinstance(pilot.app.screen, ConnectScreen)
        assert "column" in screen_text(pilot)
        assert pilot.app.screen.query_one("#config-path", Input).value == str(broken)
    assert broken.read_bytes() == before


async def test_overrides_disabled_offers_the_file(kapacitor):
    kapacitor.overrides_disabled = True
    app = WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: pilot.app.screen.query("#file-route.-shown"), what="the file route")
        assert shows(pilot, "Config overrides disabled")
        assert shows(pilot, "[config-override]")


def run(argv, monkeypatch, capsys, stdin=""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_apply_writes_the_file_without_asking(conf, monkeypatch, capsys):
    code, out, err = run(["apply", "slack", "--config-file", str(conf), "--webhook-url", "-", "--channel", "#ops"], monkeypatch, capsys, WEBHOOK)
    assert code == 0, err
    text = conf.read_text()
    assert f'url = "{WEBHOOK}"' in text and 'channel = "#ops"' in text
    assert "Restart Kapacitor" in out and WEBHOOK not in out


def test_apply_dry_run_prints_the_masked_diff_and_writes_nothing(conf, monkeypatch, capsys):
    before = conf.read_bytes()
    monkeypatch.setenv("SLACK_WEBHOOK_URL", WEBHOOK)
    code, out, err = run(["apply", "slack", "--config-file", str(conf), "--dry-run"], monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 0, err
    assert '+  url = "•••"' in out and WEBHOOK not in out
    assert conf.read_bytes() == before
    assert not list(conf.parent.glob("*.bak-*"))


def test_format_env_prints_variables_with_secrets_only_when_asked(monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", WEBHOOK)
    code, out, err = run(["apply", "slack", "--channel", "#ops", "--format", "env"], monkeypatch, capsys)
    assert code == 0, err
    assert "KAPACITOR_SLACK_0_URL=<set; --show-secrets to print>" in out and "KAPACITOR_SLACK_0_CHANNEL=#ops" in out
    assert WEBHOOK not in out
    code, out, err = run(["apply", "slack", "--format", "env", "--show-secrets"], monkeypatch, capsys)
    assert f"KAPACITOR_SLACK_0_URL={WEBHOOK}" in out


def test_a_running_kapacitor_with_overrides_for_the_same_options_is_named(kapacitor, conf, monkeypatch, capsys):
    # Kapacitor runs with this file and has an API override for the channel.
    kapacitor.set_file_values("slack", {"enabled": False})
    import httpx

    assert httpx.post(f"{kapacitor.url}/kapacitor/v1/config/slack/", json={"set": {"channel": "#override"}}).status_code == 204
    monkeypatch.setenv("SLACK_WEBHOOK_URL", WEBHOOK)
    code, out, err = run(
        ["apply", "slack", "--url", kapacitor.url, "--config-file", str(conf), "--channel", "#ops"],
        monkeypatch, capsys,
    )
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 0, err
    assert "API settings for channel" in err and "win over the file" in err
    assert "url" not in err.split("API settings for")[1].split(";")[0]  # the webhook has no override


def test_no_warning_without_overrides(kapacitor, conf, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", WEBHOOK)
    code, out, err = run(
        ["apply", "slack", "--url", kapacitor.url, "--config-file", str(conf), "--channel", "#ops"],
        monkeypatch, capsys,
    )
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 0, err
    assert "win over the file" not in err
