"""One rule for secrets on the command line, in every apply command (guided and generic) and in
detect-chat-id: a secret typed on the command line itself is refused, in the same words, saying
the two ways that keep it out of shell history and the process list (standard input with `-`,
or an environment variable). Nothing is read or sent before the refusal, and the value is never
repeated. The ways it points to work."""
from __future__ import annotations

import io
import sys

import pytest

from tests.fakes.kapacitor import KapacitorFake
from wizard.cli import main
from wizard.handlers.catalog import CATALOG

LITERAL = "FAKE-literal-secret-0042"
RULE = "this is a secret, and a secret typed on the command line stays in shell history and the process list"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "SLACK_WEBHOOK_URL",
                 "SLACK_BOT_TOKEN", "TELEGRAM_BOT_TOKEN", "HIPCHAT_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def run(argv, monkeypatch, capsys, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


GUIDED = [
    # (command, the secret's option, how standard input is named, the variable)
    (["apply", "slack"], "--webhook-url", "--webhook-url -", "SLACK_WEBHOOK_URL"),
    (["apply", "slack"], "--token", "--token -", "SLACK_BOT_TOKEN"),
    (["apply", "hipchat", "--room", "ops"], "--token", "--token -", "HIPCHAT_TOKEN"),
    (["apply", "telegram", "--chat-id", "-1001"], "--token", "--token -", "TELEGRAM_BOT_TOKEN"),
]


@pytest.mark.parametrize(("command", "option", "stdin_form", "variable"), GUIDED,
                         ids=[f"{c[1]}{o}" for c, o, _, _ in GUIDED])
def test_a_guided_commands_literal_secret_is_refused_by_the_rule(kapacitor, monkeypatch, capsys, command, option, stdin_form, variable):
    code, out, err = run([*command, "--url", kapacitor.url, option, LITERAL], monkeypatch, capsys)
    assert code == 2
    line = err.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in err
    assert f"{option}: {RULE}" in line
    assert f"give it as {stdin_form} (read from standard input) or in the environment variable {variable}." in line
    assert LITERAL not in out + err
    assert kapacitor.requests == []


def test_the_ways_the_rule_names_work_where_the_literal_was_refused(kapacitor, slack_receiver, monkeypatch, capsys):
    code, _, err = run(["apply", "slack", "--url", kapacitor.url, "--webhook-url", slack_receiver.webhook_url],
                       monkeypatch, capsys)
    assert code == 2 and RULE in err
    code, out, err = run(
        ["apply", "slack", "--url", kapacitor.url, "--webhook-url", "-", "--channel", "#ops"], monkeypatch, capsys,
        slack_receiver.webhook_url,
    )
    assert code == 0, err
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_receiver.webhook_url)
    code, out, err = run(["apply", "slack", "--url", kapacitor.url, "--channel", "#alerts"], monkeypatch, capsys)
    assert code == 0, err
    assert slack_receiver.webhook_url not in out + err


def test_detect_chat_id_takes_the_token_by_the_same_rule(monkeypatch, capsys):
    code, out, err = run(["detect-chat-id", "--token", "123456789:AAHfakeTokenForTheRuleTests_000001"], monkeypatch, capsys)
    assert code == 2
    assert f"--token: {RULE}" in err and "TELEGRAM_BOT_TOKEN" in err
    assert "AAHfake" not in out + err


SECRET_OPTIONS = sorted({(spec.name, option.name) for spec in CATALOG for option in spec.options if option.secret})


@pytest.mark.parametrize(("handler", "name"), SECRET_OPTIONS, ids=[f"{h}-{n}" for h, n in SECRET_OPTIONS])
def test_every_generic_secret_is_refused_by_the_same_rule(monkeypatch, capsys, handler, name):
    fake = KapacitorFake(version="1.8.3")
    with fake:
        code, out, err = run(["apply", handler, "--url", fake.url, "--set", f"{name}={LITERAL}"], monkeypatch, capsys)
        requests = list(fake.requests)
    assert code == 2
    assert f"--set {name}: {RULE}" in err
    assert f"give it as --set {name}=- (read from standard input) or --set-env {name}=VARIABLE." in err
    assert LITERAL not in out + err
    assert requests == []
