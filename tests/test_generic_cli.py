"""`apply <handler> --set option=value` for the other handlers, and `show` with every handler:
the real command line against the Kapacitor stand-in (1.8.3 and 1.5.7) and loopback receivers."""
from __future__ import annotations

import io
import json
import os
import stat
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.kapacitor import KapacitorFake
from tests.fakes.receivers import HttpReceiver, SmtpReceiver
from wizard.cli import main
from wizard.conf import document as conffile
from wizard.handlers.catalog import CATALOG

DATA = Path(__file__).parent / "data"
SAMPLE_18 = DATA / "kapacitor-api" / "1.8.3" / "kapacitor.conf.sample"
ROUTING_KEY = "FAKE-routing-key-5f1c2a"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def kapacitor18() -> Iterator[KapacitorFake]:
    with KapacitorFake(version="1.8.3") as fake:
        yield fake


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with HttpReceiver() as found:
        yield found


def run(argv, monkeypatch, capsys, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's own refusals
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


# -- through Kapacitor's API -------------------------------------------------------------


def test_pagerduty2_from_a_variable_is_written_and_kapacitors_test_reaches_the_receiver(
    kapacitor18, receiver, monkeypatch, capsys
):
    monkeypatch.setenv("PD_ROUTING_KEY", ROUTING_KEY)
    code, out, err = run(
        ["apply", "pagerduty2", "--url", kapacitor18.url, "--set", f"url={receiver.url}/v2/enqueue",
         "--set-env", "routing-key=PD_ROUTING_KEY", "--test"],
        monkeypatch, capsys,
    )
    assert code == 0, err
    assert [p.json for p in kapacitor18.config_posts()] == [
        {"set": {"enabled": True, "url": f"{receiver.url}/v2/enqueue", "routing-key": ROUTING_KEY}}
    ]
    assert receiver.received[-1].json["routing_key"] == ROUTING_KEY
    assert "Kapacitor sent a test alert through PagerDuty" in out
    assert ROUTING_KEY not in out + err


def test_a_secret_typed_on_the_command_line_is_refused_without_showing_it(kapacitor18, monkeypatch, capsys):
    code, out, err = run(
        ["apply", "pagerduty2", "--url", kapacitor18.url, "--set", f"routing-key={ROUTING_KEY}"], monkeypatch, capsys
    )
    assert code == 2
    assert err.count("\n") == 1
    assert "--set routing-key" in err and "--set routing-key=-" in err and "--set-env routing-key=VARIABLE" in err
    assert ROUTING_KEY not in out + err
    assert kapacitor18.requests == []


def test_a_secret_from_standard_input(kapacitor18, receiver, monkeypatch, capsys):
    code, out, err = run(
        ["apply", "teams", "--url", kapacitor18.url, "--set", "channel-url=-", "--dry-run"],
        monkeypatch, capsys, stdin=f"{receiver.url}/webhook/FAKE-teams-secret-91\n",
    )
    assert code == 0, err
    assert f"POST {kapacitor18.url}/kapacitor/v1/config/teams/" in out
    assert '"channel-url": "•••"' in out and "FAKE-teams-secret-91" not in out
    assert kapacitor18.config_posts() == []


def test_an_unknown_option_is_named_with_the_valid_ones(kapacitor18, monkeypatch, capsys):
    code, out, err = run(["apply", "pagerduty2", "--url", kapacitor18.url, "--set", "routng-key=x"], monkeypatch, capsys)
    assert code == 2 and err.count("\n") == 1
    assert "--set routng-key: PagerDuty has no such option. Did you mean routing-key?" in err
    assert "Its options: url, routing-key, global." in err
    assert kapacitor18.requests == []


def test_a_value_of_the_wrong_kind_is_refused_before_kapacitor_stores_it(kapacitor18, monkeypatch, capsys):
    code, out, err = run(["apply", "smtp", "--url", kapacitor18.url, "--set", "port=25.5"], monkeypatch, capsys)
    assert code == 2 and err.count("\n") == 1
    assert "--set port:" in err and "whole number" in err
    assert kapacitor18.requests == []


def test_a_bad_value_is_refused_by_the_options_validator(kapacitor18, monkeypatch, capsys):
    code, out, err = run(["apply", "mqtt", "--url", kapacitor18.url, "--set", "url=localhost"], monkeypatch, capsys)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("kapacitor-wizard: --set url:")
    assert kapacitor18.requests == []


def test_a_configured_handler_takes_disable_and_enable_alone(kapacitor18, receiver, monkeypatch, capsys):
    monkeypatch.setenv("TEAMS_URL", f"{receiver.url}/teams")
    assert run(["apply", "teams", "--url", kapacitor18.url, "--set-env", "channel-url=TEAMS_URL"], monkeypatch, capsys)[0] == 0
    code, out, err = run(["apply", "teams", "--url", kapacitor18.url, "--disable"], monkeypatch, capsys)
    assert code == 0, err
    code, out, err = run(["apply", "teams", "--url", kapacitor18.url, "--enable", "--test"], monkeypatch, capsys)
    assert code == 0, err
    assert [p.json for p in kapacitor18.config_posts()][1:] == [{"set": {"enabled": False}}, {"set": {"enabled": True}}]
    assert receiver.received[-1].path == "/teams"


def test_a_new_handler_without_what_it_needs_names_the_option(kapacitor18, monkeypatch, capsys):
    code, out, err = run(["apply", "teams", "--url", kapacitor18.url, "--enable"], monkeypatch, capsys)
    assert code == 2 and err.count("\n") == 1
    assert "channel-url" in err and "--set-env channel-url=VARIABLE" in err
    assert kapacitor18.config_posts() == []


def test_a_new_discord_workspace_is_added_with_its_key(kapacitor18, receiver, monkeypatch, capsys):
    monkeypatch.setenv("DISCORD_URL", f"{receiver.url}/api/webhooks/1/FAKE-discord-token-11")
    code, out, err = run(
        ["apply", "discord", "--url", kapacitor18.url, "--workspace", "ops", "--set-env", "url=DISCORD_URL",
         "--set", "username=alerts"],
        monkeypatch, capsys,
    )
    assert code == 0, err
    (post,) = kapacitor18.config_posts()
    assert post.path == "/kapacitor/v1/config/discord"
    assert post.json == {"add": {"workspace": "ops", "enabled": True, "url": f"{receiver.url}/api/webhooks/1/FAKE-discord-token-11",
                                 "username": "alerts"}}
    assert "FAKE-discord-token-11" not in out + err


def test_kafka_chooses_its_only_cluster_and_the_test_says_what_it_does_not_prove(kapacitor18, monkeypatch, capsys):
    code, out, err = run(
        ["apply", "kafka", "--url", kapacitor18.url, "--set", "brokers=127.0.0.1:1, 127.0.0.1:2", "--set", "batch-size=50",
         "--test"],
        monkeypatch, capsys,
    )
    assert code == 0, err
    (post,) = kapacitor18.config_posts()
    assert post.path == "/kapacitor/v1/config/kafka/default"
    assert post.json == {"set": {"enabled": True, "brokers": ["127.0.0.1:1", "127.0.0.1:2"], "batch-size": 50}}
    assert "does not" in out and "delivery" in out
    assert "Kapacitor sent a test alert" not in out


def test_smtp_test_reaches_the_mail_server_and_says_it_was_only_queued(kapacitor18, monkeypatch, capsys):
    with SmtpReceiver() as smtp:
        code, out, err = run(
            ["apply", "smtp", "--url", kapacitor18.url, "--set", "host=127.0.0.1", "--set", f"port={smtp.port}",
             "--set", "from=kapacitor@example.com", "--set", "to=oncall@example.com, ops@example.com", "--test"],
            monkeypatch, capsys,
        )
        assert code == 0, err
        assert kapacitor18.config_posts()[0].json["set"]["to"] == ["oncall@example.com", "ops@example.com"]
        assert kapacitor18.config_posts()[0].json["set"]["port"] == smtp.port
        assert smtp.wait_for(lambda: bool(smtp.mails))
    assert "queue" in out.lower()
    assert "Kapacitor sent a test alert" not in out


def test_httppost_headers_from_standard_input_are_a_secret_in_the_dry_run(kapacitor18, receiver, monkeypatch, capsys):
    code, out, err = run(
        ["apply", "httppost", "--url", kapacitor18.url, "--set", f"url={receiver.url}/alerts", "--set", "headers=-", "--dry-run"],
        monkeypatch, capsys, stdin='{"Authorization": "Bearer FAKE-header-secret-33"}\n',
    )
    assert code == 0, err
    assert f"POST {kapacitor18.url}/kapacitor/v1/config/httppost/example" in out
    assert '"headers": "•••"' in out
    assert "FAKE-header-secret-33" not in out + err
    assert kapacitor18.config_posts() == []


def test_a_list_section_with_several_elements_needs_one_named(kapacitor18, receiver, monkeypatch, capsys):
    run(["apply", "httppost", "--url", kapacitor18.url, "--element", "second", "--set", f"url={receiver.url}/2"], monkeypatch, capsys)
    assert run(["apply", "httppost", "--url", kapacitor18.url, "--set", f"url={receiver.url}/1"], monkeypatch, capsys)[0] == 0
    assert kapacitor18.config_posts()[-1].path == "/kapacitor/v1/config/httppost/example"  # the built-in one
    code, out, err = run(["apply", "kafka", "--url", kapacitor18.url, "--element", "Bad Name", "--set", "brokers=a:1"],
                         monkeypatch, capsys)
    assert code == 2 and err.count("\n") == 1


def test_apply_is_undone_like_the_other_commands(kapacitor18, receiver, monkeypatch, capsys):
    monkeypatch.setenv("PD_ROUTING_KEY", ROUTING_KEY)
    run(["apply", "pagerduty2", "--url", kapacitor18.url, "--set", f"url={receiver.url}/v2", "--set-env",
         "routing-key=PD_ROUTING_KEY"], monkeypatch, capsys)
    code, out, err = run(["undo", "--url", kapacitor18.url], monkeypatch, capsys)
    assert code == 0, err
    last = kapacitor18.config_posts()[-1].json
    assert last.get("set", {}).get("enabled") is False or "enabled" in last.get("delete", [])
    assert ROUTING_KEY not in out + err


def test_on_kapacitor_15_a_handler_it_lacks_is_refused(kapacitor, monkeypatch, capsys):
    code, out, err = run(["apply", "zenoss", "--url", kapacitor.url, "--set", "url=https://zenoss.example.com/zport"],
                         monkeypatch, capsys)
    assert code == 2 and err.count("\n") == 1
    assert "has no Zenoss handler" in err
    assert kapacitor.config_posts() == []


def test_every_catalog_handler_has_apply_help_with_its_options(capsys):
    for spec in CATALOG:
        with pytest.raises(SystemExit) as stop:
            main(["apply", spec.name, "--help"])
        assert stop.value.code == 0
        out = capsys.readouterr().out
        assert f"[{spec.section}]" in out and "--set OPTION=VALUE" in out and "examples:" in out
        for option in spec.options:
            if option.name not in ("enabled", spec.list_key):
                assert option.name in out


# -- show --------------------------------------------------------------------------------


def test_show_lists_every_handler_kapacitor_18_has(kapacitor18, monkeypatch, capsys):
    code, out, err = run(["show", "--url", kapacitor18.url], monkeypatch, capsys)
    assert code == 0, err
    lines = out.splitlines()[1:]
    assert len(lines) == 22
    assert any(line.strip().startswith("Zenoss") for line in lines)
    assert any(line.strip().startswith("HTTP POST (example)") and "● active" in line for line in lines)
    code, out, err = run(["show", "--url", kapacitor18.url, "--json"], monkeypatch, capsys)
    handlers = json.loads(out)["handlers"]
    assert len({h["handler"] for h in handlers}) == 22


def test_show_on_kapacitor_15_leaves_out_the_sections_it_lacks(kapacitor, monkeypatch, capsys):
    code, out, err = run(["show", "--url", kapacitor.url, "--json"], monkeypatch, capsys)
    assert code == 0, err
    names = {h["handler"] for h in json.loads(out)["handlers"]}
    assert len(names) == 20
    assert "bigpanda" not in names and "zenoss" not in names


# -- kapacitor.conf and --format env -------------------------------------------------------


@pytest.fixture
def conf(tmp_path) -> Path:
    path = tmp_path / "kapacitor.conf"
    path.write_text(SAMPLE_18.read_text())
    path.chmod(0o600)
    return path


def test_kafka_with_sasl_from_a_variable_is_written_into_its_conf_entry(conf, monkeypatch, capsys):
    before = conf.read_text()
    monkeypatch.setenv("KAFKA_SASL", "SASLMechanism=PLAIN, SASLUsername=kapacitor, SASLPassword=FAKE-sasl-pass-44")
    code, out, err = run(
        ["apply", "kafka", "--config-file", str(conf), "--kapacitor-version", "1.8.3", "--element", "localhost",
         "--set", "brokers=k1:9092, k2:9092", "--set-env", "SASLAuth=KAFKA_SASL"],
        monkeypatch, capsys,
    )
    assert code == 0, err
    text = conf.read_text()
    assert 'brokers = ["k1:9092", "k2:9092"]' in text
    assert 'sasl-password = "FAKE-sasl-pass-44"' in text and 'sasl-mechanism = "PLAIN"' in text
    assert "# sasl-username = \"kafka\"" in text  # the sample's comments stay
    assert text.count("\n") - before.count("\n") == 3  # three new keys, every other line as it was
    assert stat.S_IMODE(os.stat(conf).st_mode) == 0o600
    assert "FAKE-sasl-pass-44" not in out + err


def test_a_new_httppost_endpoint_goes_into_the_file_with_its_headers(conf, monkeypatch, capsys):
    code, out, err = run(
        ["apply", "httppost", "--config-file", str(conf), "--element", "alerts", "--set", "url=http://127.0.0.1:9/alerts",
         "--set", "headers=-"],
        monkeypatch, capsys, stdin='{"Authorization": "Bearer FAKE-header-secret-55"}\n',
    )
    assert code == 0, err
    import tomllib

    (entry,) = tomllib.loads(conf.read_text())["httppost"]
    assert entry == {"endpoint": "alerts", "url": "http://127.0.0.1:9/alerts",
                     "headers": {"Authorization": "Bearer FAKE-header-secret-55"}}
    assert "FAKE-header-secret-55" not in out + err


def test_the_file_dry_run_masks_secrets_and_writes_nothing(conf, monkeypatch, capsys):
    before = conf.read_text()
    monkeypatch.setenv("SMTP_PASSWORD", "FAKE-smtp-pass-66")
    code, out, err = run(
        ["apply", "smtp", "--config-file", str(conf), "--set", "host=mail.example.com", "--set", "port=587",
         "--set", "from=kapacitor@example.com", "--set-env", "password=SMTP_PASSWORD", "--dry-run"],
        monkeypatch, capsys,
    )
    assert code == 0, err
    assert "+  port = 587" in out and '+  password = "•••"' in out
    assert "FAKE-smtp-pass-66" not in out
    assert conf.read_text() == before


def test_test_with_a_config_file_is_refused(conf, monkeypatch, capsys):
    code, out, err = run(["apply", "teams", "--config-file", str(conf), "--test"], monkeypatch, capsys)
    assert code == 2 and "--test cannot be used with --config-file" in err


def test_format_env_for_a_list_section_and_its_objects(conf, monkeypatch, capsys):
    monkeypatch.setenv("KAFKA_SASL", "SASLUsername=kapacitor, SASLPassword=FAKE-sasl-pass-77")
    code, out, err = run(
        ["apply", "kafka", "--config-file", str(conf), "--element", "localhost", "--set", "brokers=k1:9092",
         "--set-env", "SASLAuth=KAFKA_SASL", "--format", "env"],
        monkeypatch, capsys,
    )
    assert code == 0, err
    lines = out.splitlines()
    assert "KAPACITOR_KAFKA_0_ENABLED=true" in lines
    assert "KAPACITOR_KAFKA_0_BROKERS_0=k1:9092" in lines
    assert any(line.startswith("KAPACITOR_KAFKA_0__SASL_PASSWORD=") for line in lines)
    assert "FAKE-sasl-pass-77" not in out
    assert any(line.startswith("# Kapacitor applies KAPACITOR_KAFKA_0_BROKERS_*") for line in lines)


def test_format_env_of_a_single_section(monkeypatch, capsys, tmp_path):
    code, out, err = run(
        ["apply", "zenoss", "--config-file", str(tmp_path / "none.conf"), "--set", "url=https://zenoss.example.com/zport/dmd/evconsole_router",
         "--set", "tid=2", "--set", "severity-map=ok=Clear, critical=Critical", "--format", "env"],
        monkeypatch, capsys,
    )
    assert code == 0, err
    lines = out.splitlines()
    assert "KAPACITOR_ZENOSS_TID=2" in lines
    assert "KAPACITOR_ZENOSS_SEVERITY_MAP_CRITICAL=Critical" in lines


@pytest.mark.parametrize(
    "arguments",
    [
        ["--routing-key", "{key}"],  # an option by habit, as the three guided handlers have them
        ["--routing-key={key}"],
        ["--set", "routing-key", "{key}"],  # the = forgotten
        ["--set=routing-key={key}"],
    ],
)
def test_a_secret_given_the_wrong_way_never_shows_in_the_refusal(arguments, monkeypatch, capsys):
    key = f"FAKE-habit-{uuid.uuid4().hex}"  # new to every scrubber of this process
    arguments = [a.format(key=key) for a in arguments]
    code, out, err = run(["apply", "pagerduty2", "--url", "http://127.0.0.1:9", *arguments], monkeypatch, capsys)
    assert code == 2 and err.count("\n") == 1
    assert key not in out + err


def test_a_secret_kapacitor_echoes_in_a_failed_test_is_masked(kapacitor18, monkeypatch, capsys):
    monkeypatch.setenv("TALK_URL", "http://127.0.0.1:9/hooks/FAKE-talk-secret-99")
    code, out, err = run(["apply", "talk", "--url", kapacitor18.url, "--set-env", "url=TALK_URL", "--test"], monkeypatch, capsys)
    assert code == 1
    assert "Talk test alert failed" in err and "connection refused" in err
    assert "FAKE-talk-secret-99" not in out + err


def test_format_env_through_the_api_prints_what_kapacitor_has_too(kapacitor18, receiver, monkeypatch, capsys):
    monkeypatch.setenv("PD_ROUTING_KEY", ROUTING_KEY)
    run(["apply", "pagerduty2", "--url", kapacitor18.url, "--set", f"url={receiver.url}/v2", "--set-env",
         "routing-key=PD_ROUTING_KEY"], monkeypatch, capsys)
    code, out, err = run(["apply", "pagerduty2", "--url", kapacitor18.url, "--set", "global=true", "--format", "env"],
                         monkeypatch, capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert "KAPACITOR_PAGERDUTY2_GLOBAL=true" in lines
    assert f"KAPACITOR_PAGERDUTY2_URL={receiver.url}/v2" in lines
    assert any(line.startswith("# KAPACITOR_PAGERDUTY2_ROUTING_KEY is set in") for line in lines)
    assert ROUTING_KEY not in out
    assert len(kapacitor18.config_posts()) == 1  # printing writes nothing


def test_reset_drops_an_api_setting(kapacitor18, receiver, monkeypatch, capsys):
    run(["apply", "alerta", "--url", kapacitor18.url, "--set", f"url={receiver.url}/api", "--set", "origin=kapacitor-eu"],
        monkeypatch, capsys)
    code, out, err = run(["apply", "alerta", "--url", kapacitor18.url, "--reset", "origin"], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor18.config_posts()[-1].json == {"delete": ["origin"]}


def test_an_option_kapacitor_15_lacks_is_refused(kapacitor, monkeypatch, capsys):
    monkeypatch.setenv("KAFKA_SASL", "SASLUsername=kapacitor, SASLPassword=FAKE-sasl-pass-88")
    code, out, err = run(["apply", "kafka", "--url", kapacitor.url, "--set", "brokers=127.0.0.1:1", "--set-env",
                          "SASLAuth=KAFKA_SASL"], monkeypatch, capsys)
    assert code == 2 and err.count("\n") == 1
    assert "has no Kafka option SASLAuth" in err
    assert "FAKE-sasl-pass-88" not in out + err
    assert kapacitor.config_posts() == []


@pytest.fixture(scope="module")
def faulty_kapacitor():
    from tests.fakes.faulty import FaultyServer

    with KapacitorFake(version="1.8.3") as upstream, FaultyServer("kapacitor", upstream.url) as faulty:
        yield upstream, faulty


@pytest.mark.parametrize("fault", __import__("tests.fakes.faulty", fromlist=["FAULT_NAMES"]).FAULT_NAMES)
@pytest.mark.parametrize("pattern", [r"^GET /kapacitor/v1/config$", r"^POST /kapacitor/v1/config/pagerduty2/$",
                                     r"^POST /kapacitor/v1/service-tests/pagerduty2$"], ids=["read", "write", "test"])
def test_apply_against_a_misbehaving_kapacitor_is_one_line_without_the_secret(
    faulty_kapacitor, fault, pattern, monkeypatch, capsys
):
    upstream, faulty = faulty_kapacitor
    upstream.reset_overrides()
    faulty.set_fault(fault, pattern)
    faulty.faulted.clear()
    monkeypatch.setenv("PD_ROUTING_KEY", ROUTING_KEY)
    code, out, err = run(
        ["apply", "pagerduty2", "--url", faulty.url, "--timeout", "1", "--set", "url=http://127.0.0.1:9/v2",
         "--set-env", "routing-key=PD_ROUTING_KEY", "--test"],
        monkeypatch, capsys,
    )
    faulty.set_fault(None)
    assert faulty.faulted, "the fault was never reached"
    assert code == 1, (out, err)
    assert err.count("\n") == 1 and err.startswith("kapacitor-wizard: ") and "Kapacitor" in err
    assert "Traceback" not in out + err
    assert ROUTING_KEY not in out + err


# -- every handler through kapacitor.conf ------------------------------------------------------


@pytest.fixture(scope="module")
def case_receivers():
    from tests.handler_cases import Receivers

    found = Receivers()
    yield found
    found.close()


def _case_arguments(case, values):
    from tests.test_handler_flows import cli_arguments

    return cli_arguments(case, values)


@pytest.mark.parametrize("name", sorted(spec.name for spec in CATALOG))
def test_every_handler_is_written_into_kapacitor_conf_and_printed_as_env(name, case_receivers, conf, monkeypatch, capsys):
    import tomllib

    from tests.handler_cases import CASES, secrets_of
    from wizard.text.values import parse_text

    case = CASES[name]
    spec = case.spec
    values = case.values(case_receivers)
    arguments, stdin, environment = _case_arguments(case, values)
    for variable, text in environment.items():
        monkeypatch.setenv(variable, text)
    comments = [line for line in conf.read_text().splitlines() if line.strip().startswith("#")]
    # The file is 1.8.3's sample: that version reads it (bigpanda, zenoss and Kafka SASL need a version that has them).
    code, out, err = run(["apply", name, "--config-file", str(conf), "--kapacitor-version", "1.8.3", *arguments],
                         monkeypatch, capsys, stdin=stdin)
    assert code == 0, out + err
    text = conf.read_text()
    assert all(line in text.splitlines() for line in comments)  # every comment of Kapacitor's sample stays
    assert stat.S_IMODE(os.stat(conf).st_mode) == 0o600
    data = tomllib.loads(text)[spec.section]
    entry = data[-1] if isinstance(data, list) else data
    entry = conffile._nest(spec.section, entry)  # kafka's sasl-* keys as the SASLAuth object
    assert entry.get("enabled", True) is True
    for option_name, typed in values.items():
        assert entry[option_name] == parse_text(spec.option(option_name), typed), option_name
    for secret in secrets_of(case, values):
        assert secret not in out + err
    # The same values as KAPACITOR_* variables, secrets as placeholders.
    code, out, err = run(["apply", name, "--config-file", str(conf), *arguments, "--format", "env"], monkeypatch, capsys,
                         stdin=stdin)
    assert code == 0, out + err
    prefix = f"KAPACITOR_{spec.section.upper()}_"
    assert any(line.startswith(prefix) for line in out.splitlines())
    assert all(line.startswith((prefix, "#")) for line in out.splitlines() if line)
    for secret in secrets_of(case, values):
        assert secret not in out + err


def test_remove_an_element_of_a_list_section_and_what_it_does(kapacitor18, monkeypatch, capsys):
    assert run(["apply", "kafka", "--url", kapacitor18.url, "--element", "second", "--set", "brokers=127.0.0.1:1"],
               monkeypatch, capsys)[0] == 0
    code, out, err = run(["apply", "kafka", "--url", kapacitor18.url, "--remove", "second", "--dry-run"], monkeypatch, capsys)
    assert code == 0, err
    assert '{"remove": ["second"]}' in out and "nothing was written" in out
    code, out, err = run(["apply", "kafka", "--url", kapacitor18.url, "--remove", "second"], monkeypatch, capsys)
    assert code == 0, err
    assert "Kafka: Removed the cluster second." in out and ".cluster('second')" in out
    assert kapacitor18.config_posts()[-1].json == {"remove": ["second"]}
    code, out, err = run(["apply", "kafka", "--url", kapacitor18.url, "--remove", "default"], monkeypatch, capsys)
    assert code == 0 and "built into Kapacitor" in out
    code, out, err = run(["apply", "kafka", "--url", kapacitor18.url, "--remove", "nope"], monkeypatch, capsys)
    assert code == 2 and "has no Kafka cluster named nope" in err
    code, out, err = run(["apply", "discord", "--url", kapacitor18.url, "--remove", ""], monkeypatch, capsys)
    assert code == 2 and "cannot be removed" in err
    assert len(kapacitor18.config_posts()) == 3
