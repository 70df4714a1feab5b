"""Nothing a service echoes leaks: secrets in other shapes, secrets stored by someone else,
topic-handler options and route undo records (issue 18, "Secrets shown").

Each test drives the real command line against the Kapacitor stand-in (which really sends to
loopback services) and a loopback service that echoes part of the request in its error answer,
as relays and misconfigured services do. The last tests keep what a person must recognise readable.
"""
from __future__ import annotations

import base64
import html
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from tests.fakes.kapacitor import KapacitorFake
from tests.fakes.receivers import (
    EchoReceiver,
    SlackReceiver,
    echo_address,
    echo_authorization,
    echo_body,
    echo_cannot_post,
)
from tests.fakes.smtp_sink import SinkSettings, SmtpSink
from wizard.cli import main
from wizard.text.secrets import MASK, Scrubber, Secret

# Realistic shapes, made up: a VictorOps REST key and an OpsGenie key are UUIDs, PagerDuty keys
# 32 hex digits, Pushover keys 30 letters and digits.
VICTOROPS_KEY = "5b2d8e4c-91f7-4a3b-8c6d-2e9f0a1b7c35"
GENIE_KEY = "c0ffee12-3a4b-4c5d-8e9f-0a1b2c3d4e5f"
PAGERDUTY_KEY = "e93facc04764012d7bfb002500d5d1a6"
PUSHOVER_TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
PUSHOVER_USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
# Known secrets that look like words: only knowing them (not guessing) can mask them.
HOOK_SECRET = "hushhushhushhush"
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))


@pytest.fixture
def kapacitor18() -> Iterator[KapacitorFake]:
    with KapacitorFake(version="1.8.3") as fake:
        yield fake


def run(argv: list[str], monkeypatch, capsys, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def decoded(text: str) -> str:
    """The text with every spelling undone that a reader could undo by eye."""
    return html.unescape(unquote(text.replace("\\/", "/")))


def store(kapacitor: KapacitorFake, section: str, options: dict[str, object], element: str = "") -> None:
    """Options stored through Kapacitor's API by someone else: the wizard never sees the secrets."""
    answer = httpx.post(f"{kapacitor.url}/kapacitor/v1/config/{section}/{element}", json={"set": options})
    assert answer.status_code == 204, answer.text


# -- a secret echoed in another shape -----------------------------------------------------------


HOOK_OPTION = {"teams": "channel-url", "discord": "url", "talk": "url"}


@pytest.mark.parametrize("handler", ["slack", "teams", "discord", "talk"])
def test_a_relay_echoing_the_webhook_path_without_its_scheme_shows_no_part_of_it(handler, kapacitor18, monkeypatch, capsys):
    with EchoReceiver(echo_cannot_post, status=404) as relay:
        webhook = f"{relay.url}/services/TEAMZERO/BOTZERO/{HOOK_SECRET}"
        if handler == "slack":
            argv = ["apply", "slack", "--url", kapacitor18.url, "--webhook-url", "-", "--test"]
        else:
            monkeypatch.setenv("HOOK", webhook)
            argv = ["apply", handler, "--url", kapacitor18.url, "--set-env", f"{HOOK_OPTION[handler]}=HOOK", "--test"]
        code, out, err = run(argv, monkeypatch, capsys, stdin=webhook + "\n")
        assert relay.received and relay.received[-1].path.endswith(HOOK_SECRET), "the test reached the relay"
    assert code == 1, out + err
    assert "404" in err  # the status stays
    assert HOOK_SECRET not in decoded(out + err)
    assert "/services/TEAMZERO/BOTZERO" not in decoded(out + err)


def test_an_smtp_535_echoing_the_auth_plain_string_shows_neither_it_nor_the_password(kapacitor18, monkeypatch, capsys):
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    auth_plain = base64.b64encode(f"\0kapacitor\0{PASSWORD}".encode()).decode()
    with SmtpSink(SinkSettings(refuse_logins=True, echo_auth=True)) as sink:
        code, out, err = run(
            ["apply", "smtp", "--url", kapacitor18.url, "--set", "host=127.0.0.1", "--set", f"port={sink.port}",
             "--set", "username=kapacitor", "--set-env", "password=SMTP_PASSWORD", "--set", "no-verify=true",
             "--set", "from=kapacitor@example.com", "--set", "to=oncall@example.com", "--direct-check"],
            monkeypatch, capsys,
        )
        assert sink.logins == [("kapacitor", PASSWORD)]
    assert code == 1, out + err
    assert "refused the login of kapacitor: 535 5.7.8" in err
    assert auth_plain not in out + err and auth_plain[:-4] not in out + err
    assert PASSWORD not in out + err


def test_a_service_echoing_basic_auth_for_servicenow_or_an_httppost_endpoint_shows_no_credentials(
    kapacitor18, monkeypatch, capsys
):
    monkeypatch.setenv("SN_PASSWORD", PASSWORD)
    basic = base64.b64encode(f"kapacitor:{PASSWORD}".encode()).decode()
    with EchoReceiver(echo_authorization, status=401, wrap='{{"error": "{}"}}', content_type="application/json") as service:
        # ServiceNow: Kapacitor's own test sends the Authorization header.
        code, out, err = run(
            ["apply", "servicenow", "--url", kapacitor18.url, "--set", f"url={service.url}/api/global/em/jsonv2",
             "--set", "username=kapacitor", "--set-env", "password=SN_PASSWORD", "--test"],
            monkeypatch, capsys,
        )
        assert service.received[-1].headers["Authorization"] == f"Basic {basic}"
        assert code == 1, out + err
        assert "bad credentials" in err
        shown = out + err
        # httppost basic-auth: the direct check sends it.
        code, out, err = run(
            ["apply", "httppost", "--url", kapacitor18.url, "--set", f"url={service.url}/alerts",
             "--set", "basic-auth=-", "--direct-check"],
            monkeypatch, capsys, stdin=f"username=kapacitor, password={PASSWORD}\n",
        )
        assert service.received[-1].headers["Authorization"] == f"Basic {basic}"
        assert code == 1, out + err
        assert "answered HTTP 401" in err
        shown += out + err
    assert basic not in shown and basic[:-4] not in shown
    assert PASSWORD not in shown


def test_a_bare_token_from_an_httppost_header_echoed_in_a_reply_is_masked(kapacitor18, monkeypatch, capsys):
    token = "letmein-please-now"  # word-like: only knowing it masks it

    def echo_bare_token(request) -> str:
        return f"token {request.headers.get('Authorization', '').split()[-1]} is not valid"

    with EchoReceiver(echo_bare_token, status=401) as service:
        code, out, err = run(
            ["apply", "httppost", "--url", kapacitor18.url, "--set", f"url={service.url}/alerts",
             "--set", "headers=-", "--direct-check"],
            monkeypatch, capsys, stdin=json.dumps({"Authorization": f"Bearer {token}"}) + "\n",
        )
        assert service.received[-1].headers["Authorization"] == f"Bearer {token}"
    assert code == 1, out + err
    assert "answered HTTP 401" in err and "is not valid" in err
    assert token not in out + err


@pytest.mark.parametrize("spell", ["html", "lower-percent", "json-slash"])
def test_a_webhook_echoed_as_html_entities_lower_case_percent_or_escaped_json_is_masked(
    spell, kapacitor18, monkeypatch, capsys
):
    with EchoReceiver(echo_address, status=400, spell=spell, wrap='{{"detail": "{}"}}') as relay:
        webhook = f"{relay.url}/hooks/{HOOK_SECRET}/talk"
        monkeypatch.setenv("TALK_URL", webhook)
        code, out, err = run(["apply", "talk", "--url", kapacitor18.url, "--set-env", "url=TALK_URL", "--test"],
                             monkeypatch, capsys)
        assert relay.received, "the test reached the relay"
    assert code == 1, out + err
    assert "code: 400" in err
    assert HOOK_SECRET not in decoded(out + err)


# -- secrets stored by someone else, never seen by the wizard ----------------------------------


def test_a_victorops_key_stored_elsewhere_is_masked_when_the_service_echoes_the_request_path(
    kapacitor18, monkeypatch, capsys
):
    with EchoReceiver(echo_cannot_post, status=400) as service:
        store(kapacitor18, "victorops", {"enabled": True, "api-key": VICTOROPS_KEY, "routing-key": "ops",
                                         "url": f"{service.url}/integrations/generic/20131114/alert"})
        code, out, err = run(["apply", "victorops", "--url", kapacitor18.url, "--test"], monkeypatch, capsys)
        assert VICTOROPS_KEY in service.received[-1].path  # Kapacitor puts the key in the path
    assert code == 1, out + err
    assert "code: 400" in err
    assert VICTOROPS_KEY not in out + err


def test_an_opsgenie_genie_key_stored_elsewhere_is_masked_when_the_service_echoes_the_header(
    kapacitor18, monkeypatch, capsys
):
    with EchoReceiver(echo_authorization, status=401, wrap='{{"message": "{}"}}',
                      content_type="application/json") as service:
        store(kapacitor18, "opsgenie2", {"enabled": True, "api-key": GENIE_KEY, "url": f"{service.url}/v2/alerts"})
        code, out, err = run(["apply", "opsgenie2", "--url", kapacitor18.url, "--test"], monkeypatch, capsys)
        assert service.received[-1].headers["Authorization"] == f"GenieKey {GENIE_KEY}"
    assert code == 1, out + err
    assert "bad credentials" in err
    assert GENIE_KEY not in out + err


@pytest.mark.parametrize(
    ("section", "options", "key"),
    [
        ("pagerduty", {"service-key": PAGERDUTY_KEY}, PAGERDUTY_KEY),
        ("pagerduty2", {"routing-key": PAGERDUTY_KEY}, PAGERDUTY_KEY),
        ("opsgenie", {"api-key": GENIE_KEY}, GENIE_KEY),
    ],
)
def test_a_key_stored_elsewhere_is_masked_when_the_service_echoes_the_request_body(
    section, options, key, kapacitor18, monkeypatch, capsys
):
    with EchoReceiver(echo_body, status=400) as service:
        store(kapacitor18, section, {"enabled": True, **options, "url": f"{service.url}/v1/events"})
        code, out, err = run(["apply", section, "--url", kapacitor18.url, "--test"], monkeypatch, capsys)
        assert key in service.received[-1].body_raw.decode()
    assert code == 1, out + err
    assert "could not process" in err
    assert key not in out + err


def test_the_pushover_token_and_user_key_stored_elsewhere_are_masked_when_echoed(kapacitor18, monkeypatch, capsys):
    def echo_as_errors(request) -> str:
        return json.dumps({"errors": [echo_body(request)], "status": 0})

    with EchoReceiver(echo_as_errors, status=400, content_type="application/json") as service:
        store(kapacitor18, "pushover", {"enabled": True, "token": PUSHOVER_TOKEN, "user-key": PUSHOVER_USER,
                                        "url": f"{service.url}/1/messages.json"})
        code, out, err = run(["apply", "pushover", "--url", kapacitor18.url, "--test"], monkeypatch, capsys)
        assert PUSHOVER_TOKEN in service.received[-1].body_raw.decode()
    assert code == 1, out + err
    assert "could not process" in err
    assert PUSHOVER_TOKEN not in out + err and PUSHOVER_USER not in out + err


# -- topic handlers made elsewhere: routes, unroute, route undo -----------------------------------


TEAMS_HOOK = f"https://outlook.office.com/webhook/{HOOK_SECRET}/IncomingWebhook/abc/def"
POST_URL = "https://hooks.example.com/incoming/quiet-path-secret"
POST_HEADER = "Bearer bearer-header-secret"
TALK_HOOK = "https://jianliao.com/v2/services/webhook/talk-path-secret"
HIPCHAT_TOKEN = "hipchat-room-token-secret"
TOPIC_SECRETS = (HOOK_SECRET, POST_URL, "quiet-path-secret", "bearer-header-secret", PAGERDUTY_KEY,
                 PUSHOVER_USER, "talk-path-secret", HIPCHAT_TOKEN)


def seed_topic_handlers(kapacitor: KapacitorFake) -> None:
    """Topic handlers defined with Kapacitor's own tools (kapacitor define-topic-handler): their
    options are listed in clear by Kapacitor's API."""
    handlers = {
        "to-teams": ("teams", {"channel-url": TEAMS_HOOK}),
        "to-post": ("post", {"url": POST_URL, "headers": {"Authorization": POST_HEADER}, "capture-response": True}),
        "to-pagerduty": ("pagerduty2", {"routing-key": PAGERDUTY_KEY}),
        "to-pushover": ("pushover", {"user-key": PUSHOVER_USER, "sound": "siren"}),
        "to-talk": ("talk", {"url": TALK_HOOK}),
        "to-hipchat": ("hipchat", {"room": "ops", "token": HIPCHAT_TOKEN}),
    }
    with kapacitor._lock:
        topic = kapacitor.alerts._ensure_topic("main")
        for handler_id, (kind, options) in handlers.items():
            topic["handlers"][handler_id] = {"id": handler_id, "kind": kind, "options": options, "match": ""}


def test_routes_and_unroute_show_secret_topic_handler_options_only_as_set(kapacitor18, monkeypatch, capsys):
    seed_topic_handlers(kapacitor18)
    code, out, err = run(["routes", "--url", kapacitor18.url], monkeypatch, capsys)
    assert code == 0, err
    for shown in ("channel-url=(set)", "headers=(set)", "url=(set)", "routing-key=(set)", "user-key=(set)",
                  "token=(set)", "room=ops", "sound=siren", "capture-response=true"):
        assert shown in out, shown
    outputs = out + err
    for handler_id in ("to-teams", "to-post", "to-pagerduty", "to-pushover", "to-talk", "to-hipchat"):
        code, out, err = run(["unroute", "--url", kapacitor18.url, "--topic", "main", "--id", handler_id, "--dry-run"],
                             monkeypatch, capsys)
        assert code == 0, err
        assert f"Remove from topic main: {handler_id}" in out
        outputs += out + err
    for secret in TOPIC_SECRETS:
        assert secret not in decoded(outputs), secret


def test_route_undo_records_keep_no_secret_option_and_undo_still_restores_the_rest(
    kapacitor18, monkeypatch, capsys, tmp_path
):
    seed_topic_handlers(kapacitor18)
    for handler_id in ("to-teams", "to-post", "to-pagerduty", "to-pushover", "to-talk", "to-hipchat"):
        code, out, err = run(["unroute", "--url", kapacitor18.url, "--topic", "main", "--id", handler_id],
                             monkeypatch, capsys)
        assert code == 0, err
    records = [path.read_text(encoding="utf-8") for path in Path(tmp_path).rglob("route-*.json")]
    assert len(records) == 6
    for secret in TOPIC_SECRETS:
        assert not any(secret in decoded(text) for text in records), secret
    # The newest record is the HipChat handler's removal: undo adds it again, without its token.
    code, out, err = run(["route", "--undo", "--url", kapacitor18.url], monkeypatch, capsys)
    assert code == 0, err
    assert "Undone: Added topic handler to-hipchat on topic main." in out
    assert "the token of topic handler to-hipchat on topic main could not be restored" in err
    assert HIPCHAT_TOKEN not in out + err
    restored = kapacitor18.alerts.topics["main"]["handlers"]["to-hipchat"]
    assert restored["kind"] == "hipchat" and restored["options"] == {"room": "ops"}


def test_a_route_record_of_an_earlier_version_loses_its_secret_when_read(kapacitor18, monkeypatch, capsys, tmp_path):
    folder = Path(tmp_path) / "kapacitor-wizard"
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / "route-20240101T000000.000000Z.json"
    old.write_text(json.dumps({
        "id": "20240101T000000.000000Z", "kapacitor": kapacitor18.url, "topic": "main",
        "before": {"id": "to-hipchat", "kind": "hipchat", "options": {"room": "ops", "token": HIPCHAT_TOKEN}},
        "after": None, "state": "applied",
    }), encoding="utf-8")
    code, out, err = run(["route", "--undo", "--url", kapacitor18.url], monkeypatch, capsys)
    assert code == 0, err
    assert HIPCHAT_TOKEN not in old.read_text(encoding="utf-8") + out + err
    assert kapacitor18.alerts.topics["main"]["handlers"]["to-hipchat"]["options"] == {"room": "ops"}


# -- the two layers, at the seam -----------------------------------------------------------------


@pytest.mark.parametrize("prefix", [b"", b"\0", b"\0user\0", b"kapacitor:", b"x" * 7])
@pytest.mark.parametrize("suffix", [b"", b"\0", b"!?"])
def test_a_known_secret_inside_any_base64_text_is_masked_with_all_of_that_text(prefix, suffix):
    secret = "s3cret-Value"
    scrub = Scrubber()
    scrub.add(Secret(secret))
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        blob = encode(prefix + secret.encode() + suffix).decode()
        assert scrub(f"AUTH {blob} refused") == f"AUTH {MASK} refused"


READABLE = [
    "unknown options [chanel] in section slack",
    "failed to create handler: invalid match expression: parser: unexpected EOF line 1 char 10 in \"level() ==\". continue",
    "failed to understand Slack response. code: 404 content: channel_not_found",
    "Bad Request: chat not found (chat -1001234567890)",
    "failed to connect to MQTT broker broker-1.example.com:1883: connect: connection refused",
    "dial tcp 10.0.0.5:9092: connect: connection refused",
    "unknown element \"team2\" at /kapacitor/v1/config/slack/team2",
    "failed to create handler: cannot register handler, handler with ID \"kapacitor-wizard-slack-team2\" already exists",
    "550 5.1.1 Recipient address rejected: User unknown in virtual mailbox table",
    "open /etc/kapacitor/ssl/ca.pem: no such file or directory",
    "service is not enabled",
    "workspace id not found",
]


@pytest.mark.parametrize("text", READABLE)
def test_what_a_person_must_recognise_stays_readable_in_received_text(text, monkeypatch):
    from wizard.text import secrets
    from wizard.text.secrets import mask_received

    # Only the guessing is judged here: other tests of this process taught the process-wide
    # scrubber their secrets (an httppost basic-auth user name "kapacitor" among them).
    monkeypatch.setattr(secrets, "GLOBAL_SCRUBBER", Scrubber())
    assert mask_received(text, limit=500) == text


def test_kapacitors_refusals_and_slack_error_codes_stay_readable_end_to_end(kapacitor18):
    import asyncio

    from wizard.text.errors import KapacitorRejected
    from wizard.kapacitor.client import ConnectionSettings, KapacitorClient

    async def both() -> tuple[str, str]:
        with SlackReceiver() as slack:
            slack.answer_channel_not_found()
            async with KapacitorClient(ConnectionSettings(url=kapacitor18.url)) as client:
                with pytest.raises(KapacitorRejected) as refused:
                    await client.update_element("slack", set={"chanel": "#alerts"})
                await client.update_element("slack", set={"enabled": True, "url": Secret(slack.webhook_url)})
                result = await client.run_service_test("slack", {"message": "test"})
        return refused.value.message, result.message

    refusal, message = asyncio.run(both())
    assert "unknown options [chanel] in section slack" in refusal
    assert "channel_not_found" in message
