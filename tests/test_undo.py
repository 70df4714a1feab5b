"""Undo: previous values kept before every apply (never a secret), restored by `undo`."""
from __future__ import annotations

import io
import json
import os
import stat
import sys

import pytest

from wizard.cli import main
from wizard.commands.common import write_plan
from wizard.changes import undo
from wizard.text.errors import KapacitorRejected
from wizard.handlers.registry import SLACK, TELEGRAM
from wizard.kapacitor.client import ConnectionSettings, KapacitorClient
from wizard.changes.plan import plan_changes
from wizard.text.secrets import Secret

OLD_WEBHOOK = "https://hooks.slack.com/services/T000/B000/OLDSECRETxxxxxxxxxxxxxxx"
NEW_WEBHOOK = "https://hooks.slack.com/services/T000/B000/NEWSECRETyyyyyyyyyyyyyyy"
TOKEN = "123456789:AAsecretTOKENzzzzzzzzzzzzzzzzzzzzzz"


@pytest.fixture(autouse=True)
def state_home(tmp_path, monkeypatch):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


def run(argv, monkeypatch, capsys, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def slack_element(kapacitor):
    import httpx

    return httpx.get(f"{kapacitor.url}/kapacitor/v1/config/slack/").json()["options"]


def record_files(state_home):
    folder = state_home / "kapacitor-wizard"
    return sorted(folder.glob("undo-*.json")) if folder.exists() else []


# -- the command line -------------------------------------------------------------

def test_undo_restores_previous_values_exactly(kapacitor, monkeypatch, capsys):
    code, _, err = run(["apply", "slack", "--url", kapacitor.url, "--webhook-url", "-", "--channel", "#alerts",
                        "--username", "alertbot"], monkeypatch, capsys, stdin=NEW_WEBHOOK + "\n")
    assert code == 0, err
    code, out, err = run(["undo", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    # enabled goes back to false in the same request, so clearing the URL is valid.
    assert kapacitor.config_posts()[-1].json == {
        "set": {"enabled": False, "url": "", "channel": "", "username": "kapacitor"}
    }
    options = slack_element(kapacitor)
    assert (options["enabled"], options["url"], options["channel"], options["username"]) == (False, False, "", "kapacitor")
    assert "Restored enabled, url, channel, username of Slack" in out
    assert err == ""
    assert NEW_WEBHOOK not in out + err


def test_record_is_0600_in_a_0700_folder_and_never_holds_the_secret(kapacitor, state_home, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", NEW_WEBHOOK)
    code, _, err = run(["apply", "slack", "--url", kapacitor.url, "--channel", "#a"],
                       monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 0, err
    [path] = record_files(state_home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text()
    assert NEW_WEBHOOK not in text and "NEWSECRET" not in text
    data = json.loads(text)
    assert data["values"] == {"enabled": False, "channel": ""}
    assert data["secrets"] == {"url": False}
    assert data["kapacitor_url"] == kapacitor.url and data["section"] == "slack" and data["workspace"] == ""
    # Marking it undone keeps the mode and still holds no secret.
    run(["undo", "--url", kapacitor.url], monkeypatch, capsys)
    [path] = record_files(state_home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["restored_at"]
    assert not list(path.parent.glob(".*"))


def test_a_replaced_secret_is_reported_as_not_restorable(kapacitor, monkeypatch, capsys):
    kapacitor.set_file_values("slack", {"enabled": True, "url": OLD_WEBHOOK, "channel": "#old"})
    monkeypatch.setenv("SLACK_WEBHOOK_URL", NEW_WEBHOOK)
    code, _, err = run(["apply", "slack", "--url", kapacitor.url, "--channel", "#new"],
                       monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 0, err
    code, out, err = run(["undo", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0
    assert kapacitor.config_posts()[-1].json == {"set": {"channel": "#old"}}
    assert slack_element(kapacitor)["channel"] == "#old"
    assert err.count("\n") == 1
    assert "the previous Slack webhook URL could not be restored: Kapacitor never reveals secrets" in err
    assert "kapacitor-wizard apply slack" in err
    assert OLD_WEBHOOK not in out + err and NEW_WEBHOOK not in out + err


def test_an_empty_plan_writes_no_record(kapacitor, state_home, monkeypatch, capsys):
    kapacitor.set_file_values("slack", {"enabled": True, "url": OLD_WEBHOOK, "channel": "#a"})
    code, out, err = run(["apply", "slack", "--url", kapacitor.url, "--channel", "#a"], monkeypatch, capsys)
    assert code == 0, err
    assert "Nothing to change" in out
    assert record_files(state_home) == []


def test_a_dry_run_apply_writes_no_record(kapacitor, state_home, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", NEW_WEBHOOK)
    run(["apply", "slack", "--url", kapacitor.url, "--dry-run"], monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert record_files(state_home) == []


def test_nothing_to_undo_is_one_line_and_exit_1(kapacitor, monkeypatch, capsys):
    code, out, err = run(["undo", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 1
    assert err.startswith("kapacitor-wizard: Nothing to undo for")
    assert err.count("\n") == 1
    assert kapacitor.config_posts() == []


def test_a_second_undo_does_not_redo(kapacitor, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", NEW_WEBHOOK)
    run(["apply", "slack", "--url", kapacitor.url, "--channel", "#a"], monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    code, out, _ = run(["undo", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0 and "does not redo" in out
    code, out, err = run(["undo", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 1 and "Nothing to undo" in err
    assert len(kapacitor.config_posts()) == 2
    assert slack_element(kapacitor)["channel"] == ""


def test_undo_twice_goes_back_two_applies(kapacitor, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", NEW_WEBHOOK)
    run(["apply", "slack", "--url", kapacitor.url, "--channel", "#one"], monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    run(["apply", "slack", "--url", kapacitor.url, "--channel", "#two"], monkeypatch, capsys)
    assert run(["undo", "--url", kapacitor.url], monkeypatch, capsys)[0] == 0
    assert kapacitor.config_posts()[-1].json == {"set": {"channel": "#one"}}
    assert run(["undo", "--url", kapacitor.url], monkeypatch, capsys)[0] == 0
    assert kapacitor.config_posts()[-1].json == {"set": {"enabled": False, "url": "", "channel": ""}}
    assert slack_element(kapacitor)["url"] is False


def test_list_and_dry_run_change_nothing(kapacitor, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", NEW_WEBHOOK)
    run(["apply", "slack", "--url", kapacitor.url, "--channel", "#a"], monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    code, out, err = run(["undo", "--list", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    [line] = [l for l in out.splitlines() if "Slack" in l]
    assert "enabled, url, channel" in line and "(undone)" not in line
    posts = len(kapacitor.config_posts())
    code, out, err = run(["undo", "--dry-run", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    assert f"POST {kapacitor.url}/kapacitor/v1/config/slack/" in out
    assert json.loads(out[out.index("{"):out.rindex("}") + 1]) == {"set": {"enabled": False, "url": "", "channel": ""}}
    assert "nothing was written" in out
    assert len(kapacitor.config_posts()) == posts
    # The record is still there to undo for real.
    record_id = line.split()[0]
    code, out, err = run(["undo", record_id, "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    code, out, _ = run(["undo", "--list", "--url", kapacitor.url], monkeypatch, capsys)
    assert "(undone)" in out
    code, _, err = run(["undo", record_id, "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 1 and "already undone" in err


def test_records_of_another_kapacitor_are_not_used(kapacitor, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", NEW_WEBHOOK)
    run(["apply", "slack", "--url", kapacitor.url], monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    other = kapacitor.url.replace("127.0.0.1", "localhost")
    code, out, err = run(["undo", "--list", "--url", other], monkeypatch, capsys)
    assert code == 0 and "Nothing recorded" in out


def test_undo_removes_a_workspace_the_apply_added(kapacitor, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", NEW_WEBHOOK)
    code, _, err = run(["apply", "slack", "--url", kapacitor.url, "--workspace", "ops"],
                       monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 0, err
    code, out, err = run(["undo", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor.config_posts()[-1].json == {"remove": ["ops"]}
    import httpx

    elements = httpx.get(f"{kapacitor.url}/kapacitor/v1/config/slack").json()["elements"]
    assert [e["options"]["workspace"] for e in elements] == [""]
    assert "Removed Slack workspace ops" in out


def test_undo_has_help_with_an_example(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["undo", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "example" in out and "--dry-run" in out and "--list" in out


def test_an_unwritable_state_folder_warns_and_the_apply_goes_on(kapacitor, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    monkeypatch.setenv("SLACK_WEBHOOK_URL", NEW_WEBHOOK)
    code, out, err = run(["apply", "slack", "--url", kapacitor.url], monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 0
    assert "warning:" in err and "Undo will not be possible" in err
    assert len(kapacitor.config_posts()) == 1


# -- the core, as the wizard uses it ------------------------------------------------

async def test_undo_latest_clears_a_new_telegram_token_and_disables(kapacitor, state_home):
    settings = ConnectionSettings(url=kapacitor.url)
    async with KapacitorClient(settings) as client:
        [element] = await client.get_section("telegram")
        plan = plan_changes(TELEGRAM, element, {"enabled": True, "token": Secret(TOKEN), "chat-id": "-100123"})
        await write_plan(client, plan, io.StringIO())
        [path] = record_files(state_home)
        assert TOKEN not in path.read_text()
        outcome = await undo.undo_latest(client, kapacitor.url)
        after = await client.get_element("telegram")
    assert kapacitor.config_posts()[-1].json == {"set": {"enabled": False, "token": "", "chat-id": ""}}
    assert outcome.restored == ("enabled", "token", "chat-id")
    assert outcome.unrestorable == ()
    assert (after.options["enabled"], after.options["token"], after.options["chat-id"]) == (False, False, "")
    with pytest.raises(undo.NothingToUndo):
        async with KapacitorClient(settings) as client:
            await undo.undo_latest(client, kapacitor.url)


async def test_undo_latest_reports_a_replaced_token(kapacitor):
    kapacitor.set_file_values("telegram", {"enabled": True, "token": "1:old", "chat-id": "1"})
    async with KapacitorClient(ConnectionSettings(url=kapacitor.url)) as client:
        [element] = await client.get_section("telegram")
        await write_plan(client, plan_changes(TELEGRAM, element, {"token": Secret(TOKEN)}), io.StringIO())
        outcome = await undo.undo_latest(client, kapacitor.url)
    assert outcome.unrestorable == ("token",)
    assert outcome.restored == ()
    assert len(kapacitor.config_posts()) == 1  # nothing else to send
    assert outcome.warnings() == [
        "the previous Telegram bot token could not be restored: Kapacitor never reveals secrets; "
        "paste it again in the wizard or with kapacitor-wizard apply telegram"
    ]
    assert any("could not be restored" in line for line in outcome.lines())


async def test_a_reset_option_gets_its_previous_value_back(kapacitor):
    async with KapacitorClient(ConnectionSettings(url=kapacitor.url)) as client:
        await client.update_element("slack", set={"channel": "#override"})
        [element] = await client.get_section("slack")
        plan = plan_changes(SLACK, element, {}, resets=["channel"])
        await write_plan(client, plan, io.StringIO())
        assert (await client.get_element("slack")).options["channel"] == ""
        [record] = undo.list_records(kapacitor.url)
        assert record.reset == ["channel"] and record.values == {"channel": "#override"}
        await undo.undo_latest(client, kapacitor.url)
        assert (await client.get_element("slack")).options["channel"] == "#override"
    assert kapacitor.config_posts()[-1].json == {"set": {"channel": "#override"}}


async def test_a_refused_write_leaves_nothing_to_undo(kapacitor, state_home):
    async with KapacitorClient(ConnectionSettings(url=kapacitor.url)) as client:
        [element] = await client.get_section("telegram")
        plan = plan_changes(TELEGRAM, element, {"enabled": True})  # Kapacitor: "must specify token"
        with pytest.raises(KapacitorRejected):
            await write_plan(client, plan, io.StringIO())
    assert record_files(state_home) == []
    assert undo.latest(kapacitor.url) is None


def test_an_empty_plan_records_nothing(state_home):
    plan = plan_changes(SLACK, None, {})
    assert undo.record_before_apply(plan, "http://k:9092") is None
    assert record_files(state_home) == []


def test_urls_are_kept_without_credentials():
    assert undo.public_url("https://bob:hunter2@kapacitor.example:9092/?u=bob&p=hunter2") == "https://kapacitor.example:9092"
    assert undo.public_url("kapacitor:9092/") == "http://kapacitor:9092"
    assert undo.public_url("http://[::1]:9092") == "http://[::1]:9092"


def test_records_keep_no_credentials_of_the_kapacitor_url(state_home):
    plan = plan_changes(SLACK, None, {"channel": "#a"})
    record = undo.record_before_apply(plan, "http://bob:hunter2@k:9092", adding=False)
    assert record is not None
    assert "hunter2" not in record.path.read_text()
    assert undo.latest("http://k:9092") == record


def test_state_dir_follows_xdg(monkeypatch, tmp_path):
    assert undo.state_dir({"XDG_STATE_HOME": str(tmp_path)}) == tmp_path / "kapacitor-wizard"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert undo.state_dir({"XDG_STATE_HOME": "relative/path"}) == tmp_path / ".local" / "state" / "kapacitor-wizard"
    assert undo.state_dir({}) == tmp_path / ".local" / "state" / "kapacitor-wizard"


def test_a_wide_open_state_folder_is_tightened(state_home):
    folder = state_home / "kapacitor-wizard"
    folder.mkdir(parents=True, mode=0o755)
    os.chmod(folder, 0o755)
    undo.record_before_apply(plan_changes(SLACK, None, {"channel": "#a"}), "http://k:9092", adding=False)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_damaged_files_are_ignored(state_home):
    folder = state_home / "kapacitor-wizard"
    folder.mkdir(parents=True, mode=0o700)
    (folder / "undo-20240101T000000.000000Z.json").write_text("{not json")
    assert undo.list_records() == []
