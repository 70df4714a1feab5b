"""kapacitor.conf that kapacitord will start with: what the wizard writes in file mode passes the
checks kapacitord runs at start, or is refused before anything is written, with the reason.

Every written file is judged by `kapacitord_refuses` below: a small, separate reading of
Kapacitor's own source (not of the wizard's code), so the wizard cannot agree with itself:

* server/config.go `Config.Validate` calls each section's Validate and prefixes the section's name;
* [[slack]] and [[discord]] are decoded by listmap.DoUnmarshalTOML, every entry from Go's zero
  values; the file's entries replace the built-in default element;
* [[kafka]], [[mqtt]] and [[httppost]] are decoded by BurntSushi/toml into the one-element list
  server.NewConfig made: one entry on top of NewConfig()'s values, two or more from zero values
  (decode.go unifySlice makes a new slice when the old one is too short);
* services/{slack,discord,kafka,mqtt,httppost}/config.go: Config.Validate and Configs.Validate.
"""
from __future__ import annotations

import io
import shutil
import socket
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.kapacitor import dead_url
from wizard.cli import main

DATA = Path(__file__).parent / "data"
SAMPLE_157 = DATA / "kapacitor-api" / "1.5.7" / "kapacitor-1.5.7.conf.sample"
SAMPLE_183 = DATA / "kapacitor-api" / "1.8.3" / "kapacitor.conf.sample"
WEBHOOK = "https://hooks.slack.com/services/T000FAKE/B000FAKE/fakefakefakefakefakefake"
DISCORD = "https://discord.com/api/webhooks/000000000000000000/FAKEfakeFAKEfake"
SASL = "SASLMechanism=PLAIN,SASLUsername=FAKE-sasl-user,SASLPassword=FAKE-sasl-secret-0001"


# -- kapacitord's checks at start, from its source -------------------------------------------


def _entries(data: dict[str, Any], section: str) -> list[dict[str, Any]]:
    node = data.get(section)
    if isinstance(node, dict):
        return [node]
    return list(node or [])


def _list_validate(section: str, elements: list[dict[str, Any]]) -> str | None:
    for e in elements:
        enabled = e.get("enabled") is True
        if section in ("slack", "discord") and enabled and not e.get("url"):
            return "must specify url" if section == "slack" else "Must specify the Discord channel webhook URL"
        if section == "kafka" and enabled:
            if not e.get("id"):
                return "id must not be empty"
            if not e.get("brokers"):
                return "no brokers specified, must provide at least one broker URL"
        if section == "mqtt":
            if not e.get("name"):
                return "must specify a name for the mqtt broker"
            if enabled and not e.get("url"):
                return "must specify a url for mqtt service"
        if section == "httppost":
            if not e.get("endpoint"):
                return "must specify endpoint name"
            if not e.get("url"):
                return "must specify url"
    if section in ("slack", "discord"):
        many = len(elements) > 1
        for e in elements:
            if many and not e.get("workspace"):
                return "id must not be empty"
            if e.get("global") is True and e.get("default") is not True:
                return "only the default config may be assigned as global"
            if e.get("state-changes-only") is True and not (e.get("default") is True and e.get("global") is True):
                return "stateChangesOnly may only be assigned when the config is both default and global"
        if many and not any(e.get("default") is True for e in elements):
            return f"at least one {'Slack' if section == 'slack' else 'Discord'} config must be set as default"
    if section == "mqtt":
        defaults = sum(e.get("default") is True for e in elements)
        if defaults > 1:
            return "more than one configuration is marked as the default"
        if defaults == 0 and len(elements) > 1:
            return "no configuration is marked as the default"
    return None


NEW_CONFIG = {"kafka": {"id": "default"}, "mqtt": {"name": "default"}, "httppost": {"endpoint": "example", "url": "http://example.com"}}


def _smtp_validate(smtp: dict[str, Any]) -> str | None:
    """services/smtp/config.go Validate, on top of NewConfig's host localhost, port 25, idle-timeout 30s."""
    e = {"host": "localhost", "port": 25, **smtp}
    if not e["host"]:
        return "host cannot be empty"
    if e["port"] <= 0:
        return f"invalid port {e['port']}"
    if e.get("enabled") is True and not e.get("from"):
        return "must provide a 'from' address"
    return None


def kapacitord_refuses(text: str) -> str | None:
    """What kapacitord would say when refusing to start with this file, or None."""
    data = tomllib.loads(text)
    if isinstance(data.get("smtp"), dict):
        problem = _smtp_validate(data["smtp"])
        if problem:
            return f"smtp: {problem}"
    for section in ("kafka", "mqtt", "httppost", "slack", "discord"):
        entries = _entries(data, section)
        if not entries:
            continue  # the built-in element, which passes
        if section in ("slack", "discord") or len(entries) > 1:
            elements = entries
        else:
            elements = [{**NEW_CONFIG[section], **entries[0]}]
        problem = _list_validate(section, elements)
        if problem:
            return f"{section}: {problem}"
    return None


# -- running the command ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def nothing_answers(monkeypatch):
    """No Kapacitor at the default address: the file's version is unknown unless a test says it."""
    monkeypatch.setenv("KAPACITOR_URL", dead_url().rstrip("/"))
    for name in ("KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)


def run(argv: list[str], monkeypatch, capsys, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(argv)
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sample157(tmp_path: Path) -> Path:
    path = tmp_path / "kapacitor.conf"
    shutil.copy(SAMPLE_157, path)
    return path


def test_a_second_slack_workspace_on_the_157_sample_names_the_default_one(sample157, monkeypatch, capsys):
    # Kapacitor's own samples start (the checker agrees); the edit must keep it so.
    assert kapacitord_refuses(SAMPLE_157.read_text()) is None
    assert kapacitord_refuses(SAMPLE_183.read_text()) is None
    code, out, err = run(
        ["apply", "slack", "--config-file", str(sample157), "--workspace", "team2", "--webhook-url", "-"],
        monkeypatch, capsys, WEBHOOK,
    )
    assert code == 0, err
    text = sample157.read_text()
    assert kapacitord_refuses(text) is None
    slack = tomllib.loads(text)["slack"]
    # The old unnamed entry keeps taking the alerts that name no workspace.
    assert [(e.get("workspace"), e.get("default")) for e in slack] == [("default", True), ("team2", None)]
    assert "named 'default'" in err and "id must not be empty" in err
    assert WEBHOOK not in out + err


def test_a_second_discord_workspace_names_the_default_one(tmp_path, monkeypatch, capsys):
    conf = tmp_path / "kapacitor.conf"
    shutil.copy(SAMPLE_183, conf)
    code, _, err = run(["apply", "discord", "--config-file", str(conf), "--set", "url=-"], monkeypatch, capsys, DISCORD)
    assert code == 0, err
    code, _, err = run(
        ["apply", "discord", "--config-file", str(conf), "--element", "team2", "--set", "url=-"], monkeypatch, capsys, DISCORD
    )
    assert code == 0, err
    text = conf.read_text()
    assert kapacitord_refuses(text) is None
    assert [e.get("workspace") for e in tomllib.loads(text)["discord"]] == ["default", "team2"]


TWO_NAMED = """\
[[slack]]
  enabled = true
  default = true
  workspace = "main"
  url = "https://hooks.slack.com/services/T1/B1/MAIN"

[[slack]]
  enabled = true
  workspace = "second"
  url = "https://hooks.slack.com/services/T2/B2/SECOND"
"""


def test_an_unnamed_slack_entry_beside_named_ones_is_refused_with_the_reason(tmp_path, monkeypatch, capsys):
    conf = tmp_path / "kapacitor.conf"
    conf.write_text(TWO_NAMED)
    code, out, err = run(
        ["apply", "slack", "--config-file", str(conf), "--webhook-url", "-", "--channel", "#ops"], monkeypatch, capsys, WEBHOOK
    )
    assert code == 1
    assert conf.read_text() == TWO_NAMED
    line = err.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in err
    assert "slack: id must not be empty" in line and "--workspace" in line and "Nothing was written" in line


def test_global_on_a_workspace_that_is_not_the_default_is_refused(sample157, monkeypatch, capsys):
    before = sample157.read_text()
    code, _, err = run(
        ["apply", "slack", "--config-file", str(sample157), "--workspace", "team2", "--webhook-url", "-", "--global"],
        monkeypatch, capsys, WEBHOOK,
    )
    assert code == 1
    assert "only the default config may be assigned as global" in err
    assert sample157.read_text() == before


@pytest.mark.parametrize(
    ("section", "lone", "added", "written"),
    [
        # A lone entry inherits NewConfig()'s values; beside a second one it no longer does.
        ("kafka", '[[kafka]]\n  enabled = true\n  brokers = ["127.0.0.1:9092"]\n',
         ["--element", "second", "--set", "brokers=127.0.0.1:9093"], {"id": "default"}),
        ("mqtt", '[[mqtt]]\n  enabled = false\n  name = "first"\n  url = "tcp://127.0.0.1:1883"\n',
         ["--element", "second", "--set", "url=tcp://127.0.0.1:1884", "--disable"], {"default": True}),
        ("httppost", '[[httppost]]\n  endpoint = "first"\n',
         ["--element", "second", "--set", "url=https://alerts.example.com/kapacitor"], {"url": "http://example.com"}),
    ],
    ids=["kafka-id", "mqtt-default", "httppost-url"],
)
def test_a_second_list_element_writes_out_what_the_first_inherited(tmp_path, monkeypatch, capsys, section, lone, added, written):
    conf = tmp_path / "kapacitor.conf"
    conf.write_text(lone)
    assert kapacitord_refuses(lone) is None
    code, out, err = run(["apply", section, "--config-file", str(conf), *added], monkeypatch, capsys)
    assert code == 0, err
    text = conf.read_text()
    assert kapacitord_refuses(text) is None, text
    first = tomllib.loads(text)[section][0]
    assert {k: first.get(k) for k in written} == written


def test_a_single_section_left_without_what_kapacitord_needs_is_refused(tmp_path, monkeypatch, capsys):
    conf = tmp_path / "kapacitor.conf"
    conf.write_text('[smtp]\n  enabled = true\n  host = "127.0.0.1"\n  from = "kapacitor@example.com"\n')
    before = conf.read_text()
    assert kapacitord_refuses(before) is None
    code, out, err = run(["apply", "smtp", "--config-file", str(conf), "--reset", "from"], monkeypatch, capsys)
    assert code == 1 and conf.read_text() == before
    assert "smtp: must provide a 'from' address" in err and "Nothing was written" in err
    # Turned off, it needs no sender: that is written.
    code, out, err = run(["apply", "smtp", "--config-file", str(conf), "--reset", "from", "--disable"], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitord_refuses(conf.read_text()) is None


# -- options only some versions read ------------------------------------------------------------


def test_kafka_sasl_needs_the_files_version_before_it_is_written(sample157, monkeypatch, capsys):
    before = sample157.read_bytes()
    argv = ["apply", "kafka", "--config-file", str(sample157), "--element", "localhost",
            "--set", "brokers=127.0.0.1:9092", "--set", "SASLAuth=-"]
    code, out, err = run(argv, monkeypatch, capsys, SASL)
    assert code == 1 and sample157.read_bytes() == before
    assert "sasl-password" in err and "1.6.4" in err and "--kapacitor-version" in err
    code, out, err = run([*argv, "--kapacitor-version", "1.5.7"], monkeypatch, capsys, SASL)
    assert code == 1 and sample157.read_bytes() == before
    assert "Kapacitor 1.5.7 does not read" in err and "sasl-password" in err
    assert "FAKE-sasl" not in out + err
    code, out, err = run([*argv, "--kapacitor-version", "1.8.3"], monkeypatch, capsys, SASL)
    assert code == 0, err
    assert tomllib.loads(sample157.read_text())["kafka"][0]["sasl-username"] == "FAKE-sasl-user"


def test_the_version_of_the_kapacitor_it_can_reach_is_asked(sample157, kapacitor, monkeypatch, capsys):
    before = sample157.read_bytes()
    code, out, err = run(
        ["apply", "kafka", "--url", kapacitor.url, "--config-file", str(sample157), "--element", "localhost",
         "--set", "brokers=127.0.0.1:9092", "--set", "SASLAuth=-"],
        monkeypatch, capsys, SASL,
    )
    assert code == 1 and sample157.read_bytes() == before
    assert "Kapacitor 1.5.7" in err and kapacitor.url in err


# -- MQTT: a broker that does not answer stops kapacitord; said, and checked on request ------------


@pytest.fixture
def listening() -> Iterator[int]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


def test_an_enabled_mqtt_broker_is_written_with_a_warning_and_checked_on_request(sample157, listening, monkeypatch, capsys):
    code, out, err = run(
        ["apply", "mqtt", "--config-file", str(sample157), "--element", "localhost",
         "--set", f"url=tcp://127.0.0.1:{listening}", "--check-broker"],
        monkeypatch, capsys,
    )
    assert code == 0, err
    assert "exits if one does not answer" in err
    assert f"127.0.0.1:{listening} accepts TCP connections" in out
    assert kapacitord_refuses(sample157.read_text()) is None


def test_a_broker_that_refuses_fails_the_check(sample157, monkeypatch, capsys):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
    code, out, err = run(
        ["apply", "mqtt", "--config-file", str(sample157), "--element", "localhost",
         "--set", f"url=tcp://127.0.0.1:{port}", "--check-broker", "--dry-run"],
        monkeypatch, capsys,
    )
    assert code == 1
    assert "broker check failed" in err and "refused" in err


@pytest.mark.parametrize("url", ["ws://broker.example.com/mqtt", "wss://broker.example.com/mqtt"])
def test_mqtt_websocket_schemes_are_written_as_given(sample157, monkeypatch, capsys, url):
    code, out, err = run(
        ["apply", "mqtt", "--config-file", str(sample157), "--element", "localhost", "--set", f"url={url}", "--disable"],
        monkeypatch, capsys,
    )
    assert code == 0, err
    assert tomllib.loads(sample157.read_text())["mqtt"][0]["url"] == url


# -- the wizard: the version beside the file, the review's notes and the broker check ----------


async def test_the_file_offer_takes_the_version_that_reads_the_file(sample157):
    from textual.widgets import Input

    from tests.tui_helpers import wait_for, wait_for_screen
    from wizard.kapacitor.client import ConnectionSettings
    from wizard.tui.app import WizardApp
    from wizard.tui.screens.handlers import HandlersScreen
    from wizard.tui.state import AppSettings

    app = WizardApp(AppSettings(ConnectionSettings(url=dead_url().rstrip("/"))))
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_for(pilot, lambda: pilot.app.screen.query("#file-route.-shown"), what="the file offer")
        pilot.app.screen.query_one("#config-path", Input).value = str(sample157)
        version = pilot.app.screen.query_one("#kapacitor-version", Input)
        version.value = "1.5.7"
        version.focus()
        await pilot.press("enter")
        await wait_for_screen(pilot, HandlersScreen)
        assert pilot.app.state.target.kapacitor_version == "1.5.7"
        assert pilot.app.state.settings.kapacitor_version == "1.5.7"


async def test_the_review_of_an_mqtt_broker_warns_and_checks_it(sample157, listening):
    from textual.widgets import Button, Input, OptionList

    from tests.tui_helpers import screen_text, shows, wait_for, wait_for_screen
    from wizard.kapacitor.client import ConnectionSettings
    from wizard.tui.app import WizardApp
    from wizard.tui.screens.form_step import FormStepScreen
    from wizard.tui.screens.handlers import HandlersScreen
    from wizard.tui.screens.review import ReviewScreen
    from wizard.tui.screens.workspaces import WorkspacesScreen
    from wizard.tui.state import AppSettings

    settings = AppSettings(ConnectionSettings(url=dead_url().rstrip("/")), config_file=str(sample157))
    app = WizardApp(settings)
    async with app.run_test(size=(110, 44)) as pilot:
        await wait_for_screen(pilot, HandlersScreen)
        options = pilot.app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = next(i for i, option_id in enumerate(ids) if option_id == "mqtt" or option_id.startswith("mqtt/"))
        options.focus()
        await pilot.press("enter")
        await wait_for_screen(pilot, WorkspacesScreen)
        await pilot.press("enter")  # the broker the file has: localhost
        previous = None
        while True:
            await wait_for(
                pilot, lambda: pilot.app.screen is not previous and isinstance(pilot.app.screen, (FormStepScreen, ReviewScreen)),
                what="the next step",
            )
            screen = pilot.app.screen
            if isinstance(screen, ReviewScreen):
                break
            if "url" in screen.step.options:
                screen.query_one("#input-url", Input).value = f"tcp://127.0.0.1:{listening}"
            await pilot.pause()
            screen.query_one("#next", Button).focus()
            await pilot.press("enter")
            previous = screen
        pilot.app.screen.query_one("#step-body").scroll_end(animate=False)
        await pilot.pause()
        assert shows(pilot, "exits if one does not answer"), screen_text(pilot)
        button = pilot.app.screen.query_one("#check-broker", Button)
        button.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: shows(pilot, "accepts TCP connections"), what="the broker check")
