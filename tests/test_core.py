"""The core: no Textual, secrets kept out of text, plans that send only what changed."""
from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from hypothesis import given, strategies as st

from wizard.text import checks as validators
from wizard.text.errors import KapacitorRejected, KapacitorUnexpected, KapacitorUnreachable
from wizard.handlers.registry import SLACK, TELEGRAM, handler_status
from wizard.kapacitor.client import ConnectionSettings, Element, KapacitorClient, element_path
from wizard.changes.plan import plan_changes
from wizard.text.secrets import Scrubber, Secret


def test_core_imports_no_textual():
    """Every package but the screens, and the command line, load without Textual."""
    code = (
        "import sys, pkgutil, importlib, wizard, wizard.cli\n"
        "for pkg in ('text', 'handlers', 'services', 'records', 'kapacitor', 'conf', 'changes', 'commands'):\n"
        "    base = importlib.import_module('wizard.' + pkg)\n"
        "    for m in pkgutil.iter_modules(base.__path__): importlib.import_module(f'wizard.{pkg}.{m.name}')\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_element_paths_follow_the_trailing_slash_rule():
    assert element_path("telegram") == "/kapacitor/v1/config/telegram/"
    assert element_path("slack") == "/kapacitor/v1/config/slack/"
    assert element_path("slack", "team2") == "/kapacitor/v1/config/slack/team2"


def test_settings_prefer_flags_then_environment_then_default():
    env = {"KAPACITOR_URL": "http://env:9092/", "KAPACITOR_USERNAME": "envuser", "KAPACITOR_PASSWORD": "envpass"}
    assert ConnectionSettings.from_environment({}).url == "http://localhost:9092"
    from_env = ConnectionSettings.from_environment(env)
    assert (from_env.url, from_env.username, from_env.password.reveal()) == ("http://env:9092", "envuser", "envpass")
    assert ConnectionSettings.from_environment(env, url="flag:9092").url == "http://flag:9092"


def test_secret_never_shows_in_repr():
    secret = Secret("123456:ABCDEF-very-secret")
    assert "very-secret" not in repr(secret) and "very-secret" not in f"{secret}"


def test_scrubber_masks_plain_and_url_encoded_secrets():
    scrub = Scrubber()
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    scrub.add(token)
    text = f'Post "https://api.telegram.org/bot{token}/sendMessage": dial tcp: refused ({token.replace(":", "%3A")})'
    assert token not in scrub(text) and "%3A" not in scrub(text)
    assert "dial tcp: refused" in scrub(text)


def _slack_element(**options):
    base = {"enabled": False, "url": False, "channel": "", "username": "kapacitor", "icon-emoji": "", "workspace": "", "default": True}
    base.update(options)
    return Element("slack", base, frozenset({"url"}), "/kapacitor/v1/config/slack/")


def test_plan_sends_only_changes_and_keeps_an_unset_secret_out():
    plan = plan_changes(SLACK, _slack_element(enabled=True, url=True, channel="#a"), {"enabled": True, "url": None, "channel": "#b", "username": "kapacitor"})
    assert plan.request_body(reveal=True) == {"set": {"channel": "#b"}}
    assert plan.kept_secrets == ("url",)


def test_plan_describes_secrets_without_values():
    plan = plan_changes(SLACK, _slack_element(url=True), {"url": Secret("https://hooks.slack.com/services/T/B/new")})
    (change,) = plan.changes
    assert (change.describe_before(), change.describe_after()) == ("set", "will be replaced")
    assert plan.request_body() == {"set": {"url": "•••"}}
    fresh = plan_changes(SLACK, _slack_element(), {"url": Secret("https://hooks.slack.com/services/T/B/new")})
    assert (fresh.changes[0].describe_before(), fresh.changes[0].describe_after()) == ("not set", "set")


def test_plan_resets_are_sent_as_delete():
    plan = plan_changes(SLACK, _slack_element(channel="#a"), {}, resets=["channel"])
    assert plan.request_body() == {"delete": ["channel"]}
    assert plan.changes[0].describe_after() == "from kapacitor.conf"


def test_handler_status_reports_secrets_only_as_set():
    status = handler_status(TELEGRAM, {"enabled": True, "token": True, "chat-id": "-100", "url": "https://api.telegram.org/bot"}, frozenset({"token"}))
    assert status.enabled and status.configured and status.secrets == {"token": True}
    assert "token" in status.options_set and "url" not in status.options_set


async def _client_with(status: int, body: bytes, headers=None) -> KapacitorClient:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body, headers=headers or {}))
    return KapacitorClient(ConnectionSettings(url="http://kapacitor.test:9092"), transport=transport)


async def test_unexpected_statuses_and_non_kapacitor_servers_are_named():
    client = await _client_with(502, b"<html>Bad gateway</html>")
    with pytest.raises(KapacitorUnexpected, match="HTTP 502"):
        await client.get_config()
    client = await _client_with(204, b"")  # answers, but without X-Kapacitor-Version
    with pytest.raises(KapacitorUnexpected, match="does not look like Kapacitor"):
        await client.ping()


async def test_timeouts_are_reported_as_unreachable():
    def slow(request):
        raise httpx.ReadTimeout("timed out", request=request)

    client = KapacitorClient(ConnectionSettings(url="http://kapacitor.test:9092", timeout=2), transport=httpx.MockTransport(slow))
    with pytest.raises(KapacitorUnreachable, match="did not answer within 2 seconds"):
        await client.ping()


async def test_rejections_carry_kapacitors_text_without_secrets():
    token = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    body = ('{\n    "error": "failed: Post \\"https://api.telegram.org/bot' + token + '/sendMessage\\": refused"\n}').encode()
    client = await _client_with(400, body)
    with pytest.raises(KapacitorRejected) as info:
        await client.update_element("telegram", set={"token": Secret(token)})
    assert token not in str(info.value) and "refused" in info.value.message


VALIDATORS = [
    validators.slack_webhook_url, validators.slack_channel, validators.slack_icon_emoji, validators.slack_username,
    validators.slack_workspace, validators.telegram_token, validators.telegram_chat_id, validators.telegram_parse_mode,
    validators.hipchat_room, validators.hipchat_token,
]


@given(st.text(), st.sampled_from(VALIDATORS))
def test_validators_never_raise_and_accepted_values_round_trip(text, validate):
    verdict = validate(text)
    if verdict.ok:
        assert validate(verdict.value).ok
        assert validate(verdict.value).value == verdict.value


@pytest.mark.parametrize(
    ("value", "ok", "warns"),
    [
        ("https://hooks.slack.com/services/T000/B000/XXXX", True, False),
        ("https://relay.example.com/slack", True, True),
        ("http://hooks.slack.com/services/T/B/X", False, False),
        ("http://127.0.0.1:8080/services/T/B/X", True, True),
        ("hooks.slack.com/services/T/B/X", False, False),
        ("", False, False),
    ],
)
def test_slack_webhook_url_rules(value, ok, warns):
    verdict = validators.slack_webhook_url(value)
    assert verdict.ok is ok
    assert bool(verdict.warning) is warns
