"""`show` and `apply slack`: the same checks and requests as the wizard, for scripts."""
from __future__ import annotations

import io
import sys

import pytest

from wizard.cli import main


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)


def run(argv, monkeypatch, capsys, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_apply_slack_from_standard_input_writes_and_tests(kapacitor, slack_receiver, monkeypatch, capsys):
    webhook = slack_receiver.webhook_url
    code, out, err = run(
        ["apply", "slack", "--url", kapacitor.url, "--webhook-url", "-", "--channel", "#alerts", "--test"],
        monkeypatch, capsys, stdin=webhook + "\n",
    )
    assert code == 0, err
    assert [p.json for p in kapacitor.config_posts()] == [
        {"set": {"enabled": True, "url": webhook, "channel": "#alerts"}}
    ]
    assert slack_receiver.received[0].json["channel"] == "#alerts"
    assert "Kapacitor sent a test alert through Slack" in out
    assert webhook not in out + err


def test_connection_options_work_before_the_subcommand_and_env_gives_the_secret(kapacitor, slack_receiver, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_receiver.webhook_url)
    code, out, err = run(["--url", kapacitor.url, "apply", "slack", "--username", "alertbot"], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor.config_posts()[0].json == {
        "set": {"enabled": True, "url": slack_receiver.webhook_url, "username": "alertbot"}
    }


def test_kapacitor_url_comes_from_the_environment(kapacitor, monkeypatch, capsys):
    monkeypatch.setenv("KAPACITOR_URL", kapacitor.url)
    code, out, err = run(["show"], monkeypatch, capsys)
    assert code == 0, err
    assert f"Kapacitor 1.5.7 at {kapacitor.url}" in out


def test_dry_run_prints_the_request_masked_and_writes_nothing(kapacitor, slack_receiver, monkeypatch, capsys):
    webhook = slack_receiver.webhook_url
    monkeypatch.setenv("SLACK_WEBHOOK_URL", webhook)
    code, out, err = run(
        ["apply", "slack", "--url", kapacitor.url, "--channel", "#ops", "--dry-run"],
        monkeypatch, capsys,
    )
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 0, err
    assert f"POST {kapacitor.url}/kapacitor/v1/config/slack/" in out
    assert '"channel": "#ops"' in out and '"url": "•••"' in out
    assert webhook not in out
    assert "nothing was written" in out
    assert kapacitor.config_posts() == []


def test_without_a_webhook_an_existing_handler_keeps_its_url(kapacitor, slack_receiver, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_receiver.webhook_url)
    run(["apply", "slack", "--url", kapacitor.url, "--channel", "#a"], monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    code, out, err = run(["apply", "slack", "--url", kapacitor.url, "--channel", "#ops", "--test"], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor.config_posts()[-1].json == {"set": {"channel": "#ops"}}
    assert slack_receiver.received[-1].json["channel"] == "#ops"


def test_without_any_webhook_the_command_refuses_with_one_line(kapacitor, monkeypatch, capsys):
    code, out, err = run(["apply", "slack", "--url", kapacitor.url, "--channel", "#ops"], monkeypatch, capsys)
    assert code == 2
    assert err.count("\n") == 1 and "No webhook URL" in err
    assert kapacitor.config_posts() == []


def test_invalid_value_is_refused_before_contacting_kapacitor(kapacitor, slack_receiver, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_receiver.webhook_url)
    code, out, err = run(
        ["apply", "slack", "--url", kapacitor.url, "--channel", "alerts"],
        monkeypatch, capsys,
    )
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 2
    assert "--channel: Start with #" in err
    assert kapacitor.requests == []


def test_unreachable_kapacitor_is_one_clear_line(monkeypatch, capsys):
    code, out, err = run(["show", "--url", "http://127.0.0.1:9"], monkeypatch, capsys)
    assert code == 1
    assert err.startswith("kapacitor-wizard: Could not connect to Kapacitor at http://127.0.0.1:9")
    assert err.count("\n") == 1


def test_failed_service_test_exits_non_zero(kapacitor, slack_receiver, monkeypatch, capsys):
    slack_receiver.answer_invalid_token()
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_receiver.webhook_url)
    code, out, err = run(
        ["apply", "slack", "--url", kapacitor.url, "--test"],
        monkeypatch, capsys,
    )
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    assert code == 1
    assert "test alert failed" in err and "invalid_token" in err
    assert slack_receiver.webhook_url not in err


def test_show_lists_every_handler_without_secrets(kapacitor, slack_receiver, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_receiver.webhook_url)
    run(["apply", "slack", "--url", kapacitor.url, "--channel", "#a"], monkeypatch, capsys)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    code, out, err = run(["show", "--url", kapacitor.url], monkeypatch, capsys)
    assert code == 0
    lines = out.splitlines()
    assert any(line.strip().startswith("Slack") and "● enabled   #a, webhook set" in line for line in lines)
    assert any(line.strip().startswith("Telegram") and "not configured" in line for line in lines)
    assert any(line.strip().startswith("HipChat") for line in lines)
    assert slack_receiver.webhook_url not in out


def test_every_command_has_help_with_an_example(capsys):
    commands = (
        [], ["show"], ["apply"], ["apply", "slack"], ["apply", "telegram"], ["apply", "hipchat"],
        ["detect-chat-id"], ["undo"],
    )
    for argv in (command + ["--help"] for command in commands):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 0
        assert "example" in capsys.readouterr().out, argv
