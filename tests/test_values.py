"""Typed values for every kind of option, and secrets that Kapacitor does not keep secret.

Kapacitor checks kinds strictly and stores some wrong kinds anyway (a fractional port breaks every
later config read), shows some secrets in clear (a Discord webhook URL), and quotes stored secrets in
its connection errors (a VictorOps API key in the path). These tests hold the wizard to turning typed
text into exactly the kind Kapacitor expects, and to never showing such a secret.
"""
from __future__ import annotations

import asyncio
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wizard.cli import main
from wizard.handlers.registry import HANDLERS
from wizard.kapacitor.client import ConnectionSettings, KapacitorClient
from wizard.changes.plan import plan_changes
from wizard.text.secrets import MASK, StructuredSecret
from wizard.text.values import ValueProblem, format_value, parse_text, problem
from tests.fakes.kapacitor import KapacitorFake

BROKERS = HANDLERS["kafka"].option("brokers")
HEADERS = HANDLERS["httppost"].option("headers")
PORT = HANDLERS["smtp"].option("port")

WEBHOOK = "https://discord.com/api/webhooks/123456789/DiscordSecretToken-abcdef"
VICTOROPS_KEY = "FAKE1111-2222-3333-4444-555566667777"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- kinds ---------------------------------------------------------------------------------------

_word = st.text(alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters="-_.:/"), min_size=1, max_size=20)


@given(st.lists(_word, max_size=5))
def test_a_list_reads_back_as_typed(items):
    assert parse_text(BROKERS, format_value(BROKERS, items)) == items


@given(st.dictionaries(_word, st.text(max_size=20).filter(lambda t: t == t.strip() and "\x00" not in t), max_size=4))
def test_an_object_reads_back_as_typed(pairs):
    if any(problem(HEADERS, v) for v in pairs.values()):
        return  # a control character is refused anyway
    assert parse_text(HEADERS, format_value(HEADERS, pairs)) == pairs


def test_a_list_is_typed_with_commas():
    assert parse_text(BROKERS, " 10.0.0.1:9092 , kafka2:9092,, ") == ["10.0.0.1:9092", "kafka2:9092"]


def test_an_object_is_typed_as_pairs_or_json():
    assert parse_text(HEADERS, "Authorization=Bearer abc, X-Team=ops") == {"Authorization": "Bearer abc", "X-Team": "ops"}
    assert parse_text(HEADERS, '{"X-List": "a,b"}') == {"X-List": "a,b"}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Authorization", "key=value pairs"),
        ('{"a": ', "not a valid JSON object"),
        ('["a"]', "key=value pairs"),
        ('{"a":' * 3000, "too"),
    ],
)
def test_an_object_that_cannot_be_read_says_how_to_write_it(text, says):
    assert says in problem(HEADERS, text)


def test_a_fractional_port_is_refused_with_what_it_would_do_to_kapacitor():
    message = problem(PORT, "25.5")
    assert "whole number" in message and "next start" in message
    assert parse_text(PORT, " 587 ") == 587
    assert "too large" in problem(PORT, str(2**63))


def test_an_empty_number_keeps_kapacitors_value_and_is_not_sent():
    spec = HANDLERS["smtp"]
    plan = plan_changes(spec, None, {"port": parse_text(PORT, ""), "host": "mail.example.com"})
    assert [c.option for c in plan.changes] == ["host"]


def test_a_secret_object_is_masked_in_the_review_and_sent_whole():
    spec = HANDLERS["httppost"]
    secret = StructuredSecret({"Authorization": "Bearer very-secret-token"})
    plan = plan_changes(spec, None, {"headers": secret}, workspace="ops")
    assert "very-secret-token" not in str(plan.request_body())
    assert plan.request_body(reveal=True)["set"]["headers"] == {"Authorization": "Bearer very-secret-token"}
    assert repr(secret) == f"Secret({MASK})"


def test_object_validators_read_objects_as_the_form_does_and_never_raise():
    from wizard.text import checks as validators

    deep = '{"a":' * 3000
    assert "nested too deeply" in validators.http_headers(deep).error
    assert "nested too deeply" in validators.basic_auth(deep).error


def test_control_characters_are_refused_in_every_kind():
    for option in (BROKERS, HEADERS, PORT):
        with pytest.raises(ValueProblem, match="control character"):
            parse_text(option, "a\x07b")


# -- secrets Kapacitor shows or quotes -----------------------------------------------------------


def test_a_webhook_kapacitor_shows_in_clear_is_read_as_set_and_masked_from_then_on():
    with KapacitorFake(version="1.8.3") as fake:
        fake.set_file_values("discord", {"url": WEBHOOK})

        async def read():
            async with KapacitorClient(ConnectionSettings(url=fake.url)) as client:
                config = await client.get_config()
                return config, client.scrub(f"error posting to {WEBHOOK}")

        config, scrubbed = asyncio.run(read())
    element = config["discord"][0]
    assert element.options["url"] is True and "url" in element.redacted
    assert WEBHOOK not in scrubbed and "DiscordSecretToken" not in scrubbed


def test_show_never_prints_a_secret_kapacitor_shows_in_clear(capsys, monkeypatch):
    monkeypatch.delenv("KAPACITOR_URL", raising=False)
    with KapacitorFake(version="1.8.3") as fake:
        fake.set_file_values("discord", {"url": WEBHOOK})
        fake.set_file_values("teams", {"channel-url": "https://example.webhook.office.com/webhookb2/TeamsSecret-123456"})
        assert main(["show", "--url", fake.url]) == 0
        assert main(["show", "--json", "--url", fake.url]) == 0
    out = capsys.readouterr().out
    assert "DiscordSecretToken" not in out and "TeamsSecret" not in out
    assert "Discord" in out and "Teams" in out
    # A fresh Kafka section has SASL defaults (numbers, empty texts): that is no secret being set.
    kafka = next(line for line in out.splitlines() if line.strip().startswith("Kafka"))
    assert "SASLAuth set" not in kafka


def test_a_stored_api_key_kapacitor_quotes_in_a_connection_error_is_not_shown():
    dead = free_port()
    with KapacitorFake(version="1.8.3") as fake:
        # Stored before, never typed in the wizard: its scrubber cannot know it.
        fake.set_file_values("victorops", {
            "enabled": True, "api-key": VICTOROPS_KEY, "routing-key": "ops-team",
            "url": f"http://127.0.0.1:{dead}/integrations/generic/20131114/alert",
        })

        async def test():
            async with KapacitorClient(ConnectionSettings(url=fake.url)) as client:
                return await client.run_service_test("victorops", {"message": "hello"})

        result = asyncio.run(test())
    assert not result.success
    assert VICTOROPS_KEY not in result.message
    assert f"127.0.0.1:{dead}" in result.message and "connection refused" in result.message
