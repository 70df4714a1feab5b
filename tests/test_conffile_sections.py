"""kapacitor.conf for every handler section: single and list forms, every kind of value,
objects inline or as their own `[section.name]` tables, comments kept, secrets masked, 0600."""
from __future__ import annotations

import asyncio
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wizard.conf import document as conffile
from wizard.conf.document import LIST_KEYS, OPTIONS, SECRETS, env_lines, load, masked_diff, parse, write_atomic
from wizard.handlers.registry import HANDLERS
from wizard.changes.plan import plan_changes
from wizard.text.secrets import MASK, Secret, StructuredSecret
from wizard.changes.target import FileTarget

SAMPLE = Path(__file__).parent / "data" / "kapacitor-api" / "1.8.3" / "kapacitor.conf.sample"
SPECS = {spec.section: spec for spec in HANDLERS.values()}
SECTIONS = sorted(OPTIONS)

OBJECTS: dict[tuple[str, str], dict[str, Any]] = {
    ("httppost", "headers"): {"Authorization": "Bearer FAKE-head-0001", "X-Team": "ops"},
    ("httppost", "basic-auth"): {"username": "kapacitor", "password": "FAKE-basic-0002"},
    ("kafka", "SASLAuth"): {"SASLMechanism": "PLAIN", "SASLUsername": "kap", "SASLPassword": "FAKE-sasl-0003"},
    ("zenoss", "severity-map"): {"ok": "Clear", "critical": "Critical"},
}


def sample_value(section: str, name: str) -> Any:
    """A value of the option's kind (from the handler definition)."""
    if (section, name) in OBJECTS:
        return OBJECTS[(section, name)]
    option = SPECS[section].option(name)
    if option.kind is bool:
        return True
    if option.kind is int:
        return 7
    if option.kind is list:
        return ["first@example.com", "second@example.com"]
    if option.kind is dict:
        return {"key": "value"}
    return f"FAKE-{section}-{name}-value"


def all_values(section: str) -> dict[str, Any]:
    key = LIST_KEYS.get(section)
    return {name: sample_value(section, name) for name in OPTIONS[section] if name != key}


def element_key(section: str) -> str:
    return "team2" if section in LIST_KEYS else ""


def test_every_known_handler_has_a_section_here() -> None:
    assert {spec.section for spec in HANDLERS.values()} == set(OPTIONS)
    for spec in HANDLERS.values():
        assert {o.name for o in spec.options} <= set(OPTIONS[spec.section]), spec.name
        assert spec.secrets <= SECRETS[spec.section], spec.name
        assert (spec.list_key or None) == LIST_KEYS.get(spec.section), spec.name


@pytest.mark.parametrize("section", SECTIONS)
def test_every_option_of_every_kind_round_trips_in_an_empty_file(section: str) -> None:
    values = all_values(section)
    key = element_key(section)
    doc = parse("").apply(section, values, workspace=key)
    data = tomllib.loads(doc.render())
    assert doc.read_element(section, key) == ({LIST_KEYS[section]: key} if key else {}) | values
    assert parse(doc.render()).read_element(section, key) == doc.read_element(section, key)
    if section in LIST_KEYS:
        assert doc.render().startswith(f"[[{section}]]")
        assert isinstance(data[section], list)
    else:
        assert doc.render().startswith(f"[{section}]")


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_of_kapacitors_sample_is_edited_in_place_and_keeps_its_comments(section: str) -> None:
    old = load(SAMPLE)
    keys = old.element_keys(section) if section in LIST_KEYS else [""]
    key = keys[0] if keys else conffile.BUILT_IN_KEYS.get(section, "")
    values = all_values(section)
    new = old.apply(section, values, workspace=key)
    element = new.read_element(section, key)
    for name, value in values.items():
        assert element[name] == value, name
    # Every comment line of the sample stays, and every other section reads as before.
    comments = [line for line in old.render().splitlines() if line.strip().startswith("#")]
    kept = new.render().splitlines()
    assert all(line in kept for line in comments)
    before, after = tomllib.loads(old.render()), tomllib.loads(new.render())
    assert {k: v for k, v in before.items() if k != section} == {k: v for k, v in after.items() if k != section}
    # Deleting the options again leaves the section's other lines as they were.
    again = new.apply(section, delete=list(values), workspace=key)
    assert set(again.read_element(section, key)) <= {LIST_KEYS.get(section, "")}


@pytest.mark.parametrize("section", sorted(LIST_KEYS))
def test_a_new_element_of_a_list_section_is_added_after_the_others_with_its_key(section: str) -> None:
    old = load(SAMPLE)
    before = old.element_keys(section)
    new = old.apply(section, {"url" if "url" in OPTIONS[section] else "brokers": sample_value(section, "url" if "url" in OPTIONS[section] else "brokers")}, workspace="team2")
    assert new.element_keys(section) == [*before, "team2"]
    for key in before:
        assert new.read_element(section, key) == old.read_element(section, key)


def test_an_object_kept_as_its_own_table_is_changed_there_with_its_comments() -> None:
    text = (
        "[[httppost]]\n"
        "  endpoint = \"alerts\"\n"
        "  url = \"http://127.0.0.1:9/alerts\"\n"
        "\n"
        "[httppost.headers]\n"
        "  # the receiver wants these\n"
        "  Authorization = \"Bearer FAKE-old-0004\"\n"
        "  X-Gone = \"1\"\n"
        "\n"
        "[alerta]\n"
        "  enabled = false\n"
    )
    doc = parse(text)
    assert doc.read_element("httppost", "alerts")["headers"] == {"Authorization": "Bearer FAKE-old-0004", "X-Gone": "1"}
    new = doc.apply("httppost", {"headers": {"Authorization": "Bearer FAKE-new-0005", "X-Team": "ops"}}, workspace="alerts")
    assert new.render() == text.replace("FAKE-old-0004", "FAKE-new-0005").replace('  X-Gone = "1"\n', '  X-Team = "ops"\n')
    added = new.apply("httppost", {"url": "http://127.0.0.1:9/other"}, workspace="other")
    (first, second) = tomllib.loads(added.render())["httppost"]
    assert first["headers"] == {"Authorization": "Bearer FAKE-new-0005", "X-Team": "ops"}  # stays with its entry
    assert second == {"endpoint": "other", "url": "http://127.0.0.1:9/other"}
    diff = masked_diff(doc, new)
    assert "FAKE-old-0004" not in diff and "FAKE-new-0005" not in diff and f'Authorization = "{MASK}"' in diff


def test_kafkas_sasl_object_is_the_files_sasl_keys() -> None:
    doc = load(SAMPLE)
    new = doc.apply("kafka", {"SASLAuth": OBJECTS[("kafka", "SASLAuth")]}, workspace="localhost")
    entry = tomllib.loads(new.render())["kafka"][0]
    assert entry["sasl-username"] == "kap" and entry["sasl-password"] == "FAKE-sasl-0003"
    assert entry["sasl-mechanism"] == "PLAIN"
    assert "[kafka.sasl-oauth-parameters]" in new.render()  # the sample's empty table and its comments stay
    assert new.read_element("kafka", "localhost")["SASLAuth"] == OBJECTS[("kafka", "SASLAuth")]
    # A smaller object leaves out what it no longer has.
    smaller = new.apply("kafka", {"SASLAuth": {"SASLUsername": "kap"}}, workspace="localhost")
    assert smaller.read_element("kafka", "localhost")["SASLAuth"] == {"SASLUsername": "kap"}
    reset = new.apply("kafka", delete=["SASLAuth"], workspace="localhost")
    assert "SASLAuth" not in reset.read_element("kafka", "localhost")
    assert "[kafka.sasl-oauth-parameters]" in reset.render()


@pytest.mark.parametrize("section", sorted(s for s, names in SECRETS.items() if names))
def test_the_diff_of_every_section_masks_every_secret(section: str) -> None:
    old = load(SAMPLE)
    key = element_key(section)
    values = {name: sample_value(section, name) for name in SECRETS[section]}
    new = old.apply(section, values, workspace=key)
    diff = masked_diff(old, new)
    assert diff
    for value in values.values():
        for leaf in [value] if isinstance(value, str) else [v for v in (value.values() if isinstance(value, dict) else value)]:
            if isinstance(leaf, str) and leaf.startswith("FAKE"):
                assert leaf not in diff, leaf


def test_a_new_file_is_0600_and_every_section_reads_back_through_the_file_target(tmp_path) -> None:
    path = tmp_path / "kapacitor.conf"
    doc = load(path)
    for section in SECTIONS:
        doc = doc.apply(section, all_values(section), workspace=element_key(section))
    write_atomic(path, doc)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    config = asyncio.run(FileTarget(path).read_config())
    for section in SECTIONS:
        spec = SPECS[section]
        key = element_key(section)
        elements = {str(e.options.get(spec.list_key, "")) if spec.list_key else "": e for e in config[section]}
        assert key in elements, section
        element = elements[key]
        for name, value in all_values(section).items():
            if name in spec.secrets:
                assert element.options[name] is True, (section, name)  # secrets only as set
            elif name in element.options:
                assert element.options[name] == value, (section, name)


def test_the_file_target_knows_kapacitors_built_in_elements(tmp_path) -> None:
    path = tmp_path / "kapacitor.conf"
    path.write_text(SAMPLE.read_text())
    config = asyncio.run(FileTarget(path).read_config())
    assert [e.options["id"] for e in config["kafka"]] == ["localhost"]  # the sample's own [[kafka]]
    assert [e.options["endpoint"] for e in config["httppost"]] == ["example"]  # built in: the sample's is a comment
    assert [e.options["workspace"] for e in config["discord"]] == [""]
    assert config["smtp"][0].options["port"] == 25


def test_a_file_target_write_of_a_new_list_element_with_a_structured_secret(tmp_path) -> None:
    path = tmp_path / "kapacitor.conf"
    path.write_text(SAMPLE.read_text())
    path.chmod(0o600)
    target = FileTarget(path)
    config = asyncio.run(target.read_config())
    spec = HANDLERS["httppost"]
    assert not any(e.options["endpoint"] == "alerts" for e in config["httppost"])
    plan = plan_changes(spec, None, {"url": "http://127.0.0.1:9/a", "headers": StructuredSecret({"Authorization": "FAKE-w-0006"})},
                        workspace="alerts")
    preview = target.preview(plan)
    assert "FAKE-w-0006" not in preview
    result = asyncio.run(target.write(plan))
    assert "[[httppost]]" in result.summary
    entries = tomllib.loads(path.read_text())["httppost"]
    assert entries == [{"endpoint": "alerts", "url": "http://127.0.0.1:9/a", "headers": {"Authorization": "FAKE-w-0006"}}]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_env_lines_for_every_kind() -> None:
    lines = env_lines("smtp", {"port": 587, "to": ["a@example.com", "b@example.com"], "password": "FAKE-env-0007"})
    assert "KAPACITOR_SMTP_PORT=587" in lines
    assert "KAPACITOR_SMTP_TO_0=a@example.com" in lines and "KAPACITOR_SMTP_TO_1=b@example.com" in lines
    assert "KAPACITOR_SMTP_PASSWORD=<secret>" in lines
    lines = env_lines("httppost", {"headers": {"X-Team": "ops"}, "basic-auth": {"username": "u", "password": "FAKE-env-0008"}}, 2,
                      show_secrets=True)
    assert "KAPACITOR_HTTPPOST_2_HEADERS_X-Team=ops" in lines  # a map's key as written in the file
    assert "KAPACITOR_HTTPPOST_2_BASIC_AUTH_PASSWORD=FAKE-env-0008" in lines  # a struct's field in capitals
    assert env_lines("mqtt", {"name": "default", "url": "tcp://127.0.0.1:1883"}, 1)[:2] == [
        "KAPACITOR_MQTT_1_NAME=default", "KAPACITOR_MQTT_1_URL=tcp://127.0.0.1:1883"]
    with pytest.raises(conffile.EnvValueError):
        env_lines("sensu", {"handlers": ["ok", "two\nlines"]})


# -- any edit of any section -------------------------------------------------------------

texts = st.text(alphabet=st.one_of(st.sampled_from(list("\"'\\\t#=[]{} ,")), st.characters(exclude_categories=("Cs", "Cc"))),
                max_size=20)
keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC-_0123456789", min_size=1, max_size=12)


def values_of(section: str, name: str):
    if (section, name) in OBJECTS or SPECS[section].option(name).kind is dict:
        if (section, name) == ("kafka", "SASLAuth"):
            return st.fixed_dictionaries({}, optional={"SASLUsername": texts, "SASLPassword": texts, "SASLMechanism": texts})
        return st.dictionaries(keys, texts, max_size=3)
    kind = SPECS[section].option(name).kind
    if kind is bool:
        return st.booleans()
    if kind is int:
        return st.integers(min_value=-(2**63), max_value=2**63 - 1)
    if kind is list:
        return st.lists(texts, max_size=3)
    return texts


@st.composite
def edits(draw):
    section = draw(st.sampled_from([s for s in SECTIONS if s not in ("hipchat", "slack", "telegram")]))
    key = LIST_KEYS.get(section)
    names = [n for n in OPTIONS[section] if n != key]
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=4))
    values = {name: draw(values_of(section, name)) for name in chosen}
    workspace = draw(st.sampled_from(["localhost", "fresh"])) if key else ""
    return section, workspace, values


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits())
def test_any_edit_of_any_section_parses_and_reads_back(edit) -> None:
    section, workspace, values = edit
    old = load(SAMPLE)
    new = old.apply(section, values, workspace=workspace)
    data = tomllib.loads(new.render())  # an independent parser accepts it
    element = new.read_element(section, workspace)
    for name, value in values.items():
        if (section, name) == ("kafka", "SASLAuth"):
            assert element.get(name, {}) == {k: v for k, v in value.items() if v}
        elif isinstance(value, dict) and not value:
            continue  # an empty object may be written as nothing
        else:
            assert element[name] == value, name
    before = tomllib.loads(old.render())
    assert {k: v for k, v in before.items() if k != section} == {k: v for k, v in data.items() if k != section}
    assert parse(new.render()).read_element(section, workspace) == element


def test_a_single_table_of_a_list_section_is_its_one_element() -> None:
    doc = parse('[kafka]\n  # the only cluster\n  id = "main"\n  brokers = []\n')
    new = doc.apply("kafka", {"brokers": ["k1:9092"]}, workspace="main")
    assert new.render() == '[kafka]\n  # the only cluster\n  id = "main"\n  brokers = ["k1:9092"]\n'
    with pytest.raises(conffile.ConfigFileUnsupported) as refused:
        doc.apply("kafka", {"brokers": ["k2:9092"]}, workspace="second")
    assert "another cluster needs [[kafka]] entries" in refused.value.message
    assert "default = true" not in refused.value.hint  # Kafka has no default cluster


def test_a_plain_section_written_as_a_list_is_named_and_left_alone() -> None:
    with pytest.raises(conffile.ConfigFileUnsupported) as refused:
        parse('[[pagerduty2]]\n  enabled = false\n').apply("pagerduty2", {"enabled": True})
    assert "[[pagerduty2]]" in refused.value.message and "line 1" in refused.value.message


def test_two_writers_of_one_list_section_keep_each_others_elements(tmp_path) -> None:
    path = tmp_path / "kapacitor.conf"
    path.write_text(SAMPLE.read_text())
    path.chmod(0o600)
    spec = HANDLERS["kafka"]
    first, second = FileTarget(path), FileTarget(path)
    asyncio.run(first.read_config())
    asyncio.run(second.read_config())
    asyncio.run(first.write(plan_changes(spec, None, {"brokers": ["a:9092"]}, workspace="a")))
    asyncio.run(second.write(plan_changes(spec, None, {"brokers": ["b:9092"]}, workspace="b")))
    assert [e["id"] for e in tomllib.loads(path.read_text())["kafka"]] == ["localhost", "a", "b"]
    # A change to an element someone else changed meanwhile is refused, nothing written.
    third, fourth = FileTarget(path), FileTarget(path)
    config = asyncio.run(third.read_config())
    asyncio.run(fourth.read_config())
    element = next(e for e in config["kafka"] if e.options["id"] == "a")
    asyncio.run(third.write(plan_changes(spec, element, {"batch-size": 10}, workspace="a")))
    before = path.read_text()
    with pytest.raises(conffile.ConfigFileChanged):
        asyncio.run(fourth.write(plan_changes(spec, element, {"batch-size": 20}, workspace="a")))
    assert path.read_text() == before
    assert not list(tmp_path.glob(".kapacitor.conf.*.tmp*"))
