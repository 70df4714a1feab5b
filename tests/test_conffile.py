"""kapacitor.conf target: in-place edits, masked diff, atomic write, env vars."""
from __future__ import annotations

import difflib
import os
import re
import stat
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wizard.conf import document as conffile
from wizard.conf.document import (
    ENV_SECRET_PLACEHOLDER,
    OPTIONS,
    SECRETS,
    ConfigDocument,
    ConfigFileChanged,
    ConfigFileInvalid,
    ConfigFileUnsupported,
    ConfigFileUnwritable,
    default_config_path,
    env_lines,
    env_name,
    load,
    masked_diff,
    parse,
    write_atomic,
)
from wizard.text.errors import WizardError
from wizard.text.secrets import MASK

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "kapacitor-sample.conf"
MINIMAL = DATA / "kapacitor-minimal.conf"
TWO_SLACK = DATA / "kapacitor-two-slack.conf"
SINGLE_SLACK = DATA / "kapacitor-single-slack.conf"
BROKEN = DATA / "kapacitor-broken.conf"
SPLIT_SLACK = DATA / "kapacitor-split-slack.conf"  # [[slack]] entries with other tables between them
GOOD_FILES = [SAMPLE, MINIMAL, TWO_SLACK, SINGLE_SLACK, SPLIT_SLACK]

TWO_SLACK_SECRETS = [
    "hipchat-secret-token-0001",
    "MAINSECRETXXXXXXXXXXXXXX",
    "DATASECRETYYYYYYYYYYYYYY",
    "123456789:AAHtelegramSecretTokenValue000000000",
]


def changed(old: str, new: str) -> tuple[list[str], list[str]]:
    """Lines removed from and added to `old`; everything else is byte-identical."""
    a, b = old.split("\n"), new.split("\n")
    removed, added = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def only_keys(lines: list[str], keys: set[str], extra: tuple[str, ...] = ()) -> bool:
    pattern = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
    for line in lines:
        if line in extra:
            continue
        m = pattern.match(line)
        if not m or m.group(1) not in keys:
            return False
    return True


def without(data: dict, section: str, workspace: str | None = None) -> dict:
    """Parsed data with one element removed, for "nothing else changed" checks."""
    data = dict(data)
    if workspace is None or not isinstance(data.get(section), list):
        data.pop(section, None)
    else:
        data[section] = [e for e in data[section] if e.get("workspace", "") != workspace]
        if not data[section]:
            del data[section]
    return data


# --------------------------------------------------------------------------- loading


def test_missing_file_is_an_empty_document(tmp_path: Path) -> None:
    doc = load(tmp_path / "kapacitor.conf")
    assert doc.render() == ""
    assert doc.existed is False
    assert doc.read_element("telegram") == {}
    assert doc.slack_workspaces() == []


def test_reads_current_values() -> None:
    doc = load(TWO_SLACK)
    assert doc.slack_workspaces() == ["main", "data"]
    assert doc.read_element("slack", "data")["channel"] == "#data-alerts"
    assert doc.read_element("slack", "main")["default"] is True
    assert doc.read_element("slack", "") == {}
    assert doc.read_element("hipchat")["token"] == "hipchat-secret-token-0001"
    assert doc.slack_index("data") == 1
    assert doc.slack_index("nope") is None


def test_broken_file_reports_line_and_column_and_is_untouched(tmp_path: Path) -> None:
    target = tmp_path / "kapacitor.conf"
    target.write_bytes(BROKEN.read_bytes())
    before = target.stat()
    with pytest.raises(ConfigFileInvalid) as info:
        load(target)
    err = info.value
    assert isinstance(err, WizardError)
    assert (err.line, err.column) == (9, 12)
    assert "line 9" in err.message and "column 12" in err.message
    assert "BROKENSECRET" not in str(err)
    assert err.hint
    assert target.read_bytes() == BROKEN.read_bytes()
    assert target.stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kapacitor.conf"]


def test_non_utf8_file_reports_where(tmp_path: Path) -> None:
    target = tmp_path / "kapacitor.conf"
    target.write_bytes(b'hostname = "a"\n[http]\n  x = "\xff"\n')
    with pytest.raises(ConfigFileInvalid) as info:
        load(target)
    assert (info.value.line, info.value.column) == (3, 8)


def test_duplicate_key_is_invalid() -> None:
    with pytest.raises(ConfigFileInvalid):
        parse("[telegram]\n  token = 'a'\n  token = 'b'\n")


# --------------------------------------------------------------------------- editing


def test_edit_existing_section_in_sample_keeps_everything_else() -> None:
    old = load(SAMPLE)
    new = old.apply(
        "telegram",
        {
            "enabled": True,
            "token": "123456789:AAHnewTokenValue0000000000000000000",
            "chat-id": "-1001234567890",
            "disable-web-page-preview": True,
            "parse-mode": "HTML",
        },
    )
    removed, added = changed(old.render(), new.render())
    keys = {"enabled", "token", "chat-id", "disable-web-page-preview", "parse-mode"}
    assert only_keys(removed, keys) and only_keys(added, keys)
    assert len(removed) == 4 and len(added) == 5
    text = new.render()
    # trailing comment kept on a changed line
    assert "  disable-web-page-preview = true # link previews\n" in text
    # the commented-out sample line is left alone; the new key goes after the section's last key
    assert '  #parse-mode  = "Markdown"\n' in text
    tele = text.split("[telegram]")[1].split("[hipchat]")[0]
    assert tele.endswith('  state-changes-only = false\n  parse-mode = "HTML"\n\n')
    # the other handlers' and sections' values are untouched, incl. pushover's token
    assert without(tomllib.loads(text), "telegram") == without(tomllib.loads(old.render()), "telegram")
    assert new.read_element("telegram")["parse-mode"] == "HTML"
    assert old.render() == SAMPLE.read_text()  # the old document is untouched


def test_delete_removes_the_key_only() -> None:
    old = load(SAMPLE)
    new = old.apply("hipchat", {"url": "https://acme.hipchat.com/v2/room", "token": "hc-token-123456"}, ["room"])
    removed, added = changed(old.render(), new.render())
    assert removed == ['  room = ""', '  token = ""']
    assert added == ['  token = "hc-token-123456"', '  url = "https://acme.hipchat.com/v2/room"']
    assert "room" not in new.read_element("hipchat")
    assert "  # Default room for messages\n" in new.render()


def test_delete_of_missing_key_or_section_is_a_no_op() -> None:
    doc = load(MINIMAL)
    assert doc.apply("hipchat", delete=["room"]).render() == doc.render()
    doc = load(SAMPLE)
    assert doc.apply("hipchat", delete=["url"]).render() == doc.render()


def test_unchanged_value_keeps_its_formatting() -> None:
    doc = parse("[telegram]\n  enabled = true   # on\n  parse-mode = 'HTML'\n")
    assert doc.apply("telegram", {"enabled": True, "parse-mode": "HTML"}).render() == doc.render()


def test_literal_string_stays_literal_and_keeps_comment() -> None:
    old = load(TWO_SLACK)
    new = old.apply("hipchat", {"token": "hipchat-secret-token-0002"})
    removed, added = changed(old.render(), new.render())
    assert removed == ["  token = 'hipchat-secret-token-0001'   # rotated 2025-03"]
    assert added == ["  token = 'hipchat-secret-token-0002'   # rotated 2025-03"]
    tricky = old.apply("hipchat", {"token": "it's"})
    assert "  token = \"it's\"   # rotated 2025-03\n" in tricky.render()


def test_edit_one_slack_workspace_only() -> None:
    old = load(TWO_SLACK)
    new = old.apply("slack", {"channel": "#data-team", "username": "bot"}, ["ssl-ca"], workspace="data")
    removed, added = changed(old.render(), new.render())
    assert removed == ['  channel = "#data-alerts"', '  ssl-ca = "/etc/ssl/certs/corp-ca.pem"']
    assert added == ['  channel = "#data-team"', '  username = "bot"']
    assert new.read_element("slack", "main") == old.read_element("slack", "main")
    assert "  channel = \"#alerts\"   # ops channel\n" in new.render()


def test_new_slack_workspace_goes_after_the_last_entry() -> None:
    old = load(TWO_SLACK)
    new = old.apply("slack", {"enabled": True, "url": "https://hooks.slack.com/services/T3/B3/NEW"}, workspace="ops")
    removed, added = changed(old.render(), new.render())
    assert removed == []
    assert added == [
        "[[slack]]",
        "  enabled = true",
        '  workspace = "ops"',
        '  url = "https://hooks.slack.com/services/T3/B3/NEW"',
        "",
    ]
    text = new.render()
    assert text.index("corp-ca.pem") < text.index('workspace = "ops"') < text.index("# Telegram for")
    assert "# Telegram for the on-call phone.\n[telegram]\n" in text
    assert new.slack_workspaces() == ["main", "data", "ops"]
    data = tomllib.loads(text)
    assert [e.get("default") for e in data["slack"]] == [True, False, None]


def test_new_default_slack_entry_in_sample_gets_default_only_when_none_is() -> None:
    old = load(TWO_SLACK)
    new = old.apply("slack", {"url": "https://hooks.slack.com/services/T4/B4/X"})
    assert "default" not in new.read_element("slack", "")  # "main" already is the default
    empty = parse("")
    fresh = empty.apply("slack", {"enabled": True, "url": "https://hooks.slack.com/services/T/B/X"})
    assert fresh.render() == (
        "[[slack]]\n  enabled = true\n  default = true\n  url = \"https://hooks.slack.com/services/T/B/X\"\n"
    )


def test_new_default_slack_entry_without_default_when_asked() -> None:
    new = load(MINIMAL).apply("slack", {"enabled": False}, ["default"])
    assert new.read_element("slack") == {"enabled": False}


def test_sample_slack_default_edited_in_place_and_second_workspace_appended() -> None:
    old = load(SAMPLE)
    new = old.apply("slack", {"enabled": True, "url": "https://hooks.slack.com/services/T1/B1/S1"})
    removed, added = changed(old.render(), new.render())
    assert removed == ["  enabled = false", '  url = ""']
    assert added == ["  enabled = true", '  url = "https://hooks.slack.com/services/T1/B1/S1"']
    two = new.apply("slack", {"channel": "#team2"}, workspace="team2")
    text = two.render()
    assert text.index("insecure-skip-verify = false\n\n[[slack]]\n  workspace = \"team2\"") > 0
    assert '  channel = "#team2"\n\n[telegram]\n' in text


def test_missing_sections_are_appended_at_the_end() -> None:
    old = load(MINIMAL)
    new = (
        old.apply("telegram", {"enabled": True, "token": "1:abc", "chat-id": "42"})
        .apply("hipchat", {"room": "ops"})
        .apply("slack", {"url": "https://hooks.slack.com/services/T/B/C"}, workspace="w1")
    )
    text = new.render()
    assert text.startswith(old.render())
    assert text[len(old.render()):] == (
        "\n[telegram]\n    enabled = true\n    token = \"1:abc\"\n    chat-id = \"42\"\n"
        "\n[hipchat]\n    room = \"ops\"\n"
        "\n[[slack]]\n    workspace = \"w1\"\n    url = \"https://hooks.slack.com/services/T/B/C\"\n"
    )


def test_file_without_final_newline() -> None:
    doc = parse("[telegram]\n  enabled = false")
    assert doc.apply("telegram", {"chat-id": "1"}).render() == '[telegram]\n  enabled = false\n  chat-id = "1"\n'
    assert doc.apply("hipchat", {"room": "r"}).render() == '[telegram]\n  enabled = false\n\n[hipchat]\n  room = "r"\n'


def test_crlf_file_stays_crlf() -> None:
    doc = parse("[telegram]\r\n  enabled = false\r\n\r\n[http]\r\n  x = 1\r\n")
    new = doc.apply("telegram", {"enabled": True, "chat-id": "1"}).apply("hipchat", {"room": "r"})
    assert "\n" not in new.render().replace("\r\n", "")
    assert new.read_element("telegram") == {"enabled": True, "chat-id": "1"}


def test_single_slack_table_is_the_default_and_edited_in_place() -> None:
    old = load(SINGLE_SLACK)
    assert old.is_single_slack_table()
    new = old.apply("slack", {"channel": "#alerts", "icon-emoji": ":bell:"})
    text = new.render()
    assert "[slack]\n" in text and "[[slack]]" not in text
    removed, added = changed(old.render(), text)
    assert removed == ['  channel = "#ops"']
    assert added == ['  channel = "#alerts"', '  icon-emoji = ":bell:"']
    assert new.read_element("slack")["channel"] == "#alerts"
    with pytest.raises(ConfigFileUnsupported) as info:
        old.apply("slack", {"channel": "#x"}, workspace="team2")
    assert "[[slack]]" in info.value.hint
    assert old.render() == SINGLE_SLACK.read_text()


def test_rejects_unknown_names_and_values() -> None:
    doc = load(SAMPLE)
    with pytest.raises(ValueError):
        doc.apply("telegram", {"chat_id": "1"})
    with pytest.raises(ValueError):
        doc.apply("influxdb", {"enabled": True})  # not a handler section
    with pytest.raises(ValueError):
        doc.apply("telegram", {"chat-id": "1"}, workspace="w")
    with pytest.raises(TypeError):
        doc.apply("telegram", {"chat-id": None})


def test_plain_value_where_a_section_belongs_is_unsupported() -> None:
    with pytest.raises(ConfigFileUnsupported):
        parse('telegram = "yes"\n').apply("telegram", {"enabled": True})


# --------------------------------------------------------------------------- diff


def test_masked_diff_has_no_secret() -> None:
    old = load(TWO_SLACK)
    new = (
        old.apply("slack", {"url": "https://hooks.slack.com/services/T9/B9/NEWSECRETQQQQQQ"}, workspace="main")
        .apply("telegram", {"token": "987654321:AAHanotherSecretToken1111111111111"})
        .apply("hipchat", {"room": "ops2"})
    )
    diff = masked_diff(old.render(), new.render())
    for secret in TWO_SLACK_SECRETS + ["NEWSECRETQQQQQQ", "anotherSecretToken"]:
        assert secret not in diff
    assert f'-  url = "{MASK}"\n' in diff and f'+  url = "{MASK}"\n' in diff
    assert f'+  token = "{MASK}"\n' in diff
    assert '+  room = "ops2"\n' in diff
    assert diff.startswith("--- kapacitor.conf (current)\n+++ kapacitor.conf (new)\n@@ ")
    assert masked_diff(old.render(), old.render()) == ""


def test_masked_diff_hides_copies_of_secrets_in_comments() -> None:
    old = parse('[telegram]\n  # old: "777:OLDSECRETTOKEN"\n  token = "777:OLDSECRETTOKEN"\n  chat-id = "1"\n')
    new = old.apply("telegram", {"chat-id": "2"})
    diff = masked_diff(old.render(), new.render())
    assert "OLDSECRETTOKEN" not in diff
    assert '+  chat-id = "2"' in diff


def test_masked_diff_of_new_file_and_multiline_secret() -> None:
    text = '[hipchat]\n  token = """abc\ndefSECRETLINE"""\n  room = "a"\n'
    new = parse(text).apply("hipchat", {"room": "b"})
    diff = masked_diff(text, new.render())
    assert "SECRETLINE" not in diff and "abc" not in diff
    assert '-  room = "a"\n+  room = "b"\n' in diff
    created = masked_diff("", parse("").apply("telegram", {"token": "5:TOKENTOKEN"}).render())
    assert "TOKENTOKEN" not in created and f'+  token = "{MASK}"' in created


def test_empty_secret_is_shown_as_empty() -> None:
    diff = masked_diff("", '[telegram]\n  token = ""\n')
    assert '+  token = ""' in diff


# --------------------------------------------------------------------------- writing


def test_write_keeps_mode_and_makes_backup(tmp_path: Path) -> None:
    target = tmp_path / "kapacitor.conf"
    target.write_text(SAMPLE.read_text())
    os.chmod(target, 0o640)
    doc = load(target)
    new = doc.apply("telegram", {"enabled": True})
    when = datetime(2026, 11, 26, 12, 34, 56)
    backup = write_atomic(target, new.render(), expected_text=doc.render(), now=when)
    assert backup == tmp_path / "kapacitor.conf.bak-20261126T123456"
    assert backup.read_text() == SAMPLE.read_text()
    assert target.read_text() == new.render()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    # a second write in the same second does not overwrite the first backup
    again = write_atomic(target, doc.render(), now=when)
    assert again == tmp_path / "kapacitor.conf.bak-20261126T123456-1"
    assert again.read_text() == new.render()
    assert backup.read_text() == SAMPLE.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_new_file_is_private(tmp_path: Path) -> None:
    target = tmp_path / "kapacitor.conf"
    text = parse("").apply("telegram", {"token": "1:x"}).render()
    assert write_atomic(target, text) is None
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert load(target).read_element("telegram") == {"token": "1:x"}


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_write_keeps_owner(tmp_path: Path) -> None:
    target = tmp_path / "kapacitor.conf"
    target.write_text("[telegram]\n  enabled = false\n")
    os.chown(target, 4321, 4322)
    write_atomic(target, "[telegram]\n  enabled = true\n")
    st = target.stat()
    assert (st.st_uid, st.st_gid) == (4321, 4322)


def test_owner_that_cannot_be_kept_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "kapacitor.conf"
    target.write_text("[telegram]\n  enabled = false\n")
    real_stat = os.stat

    def fake_stat(path, *args, **kwargs):
        st = real_stat(path, *args, **kwargs)
        if Path(path) == target:
            values = list(st)
            values[stat.ST_UID] = st.st_uid + 1
            return os.stat_result(values)
        return st

    def refuse(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(conffile.os, "stat", fake_stat)
    monkeypatch.setattr(conffile.os, "chown", refuse)
    with pytest.raises(ConfigFileUnwritable) as info:
        write_atomic(target, "[telegram]\n  enabled = true\n")
    assert "owner" in info.value.hint
    assert target.read_text() == "[telegram]\n  enabled = false\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kapacitor.conf"]


def test_crash_before_rename_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "kapacitor.conf"
    target.write_text(TWO_SLACK.read_text())
    os.chmod(target, 0o600)

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(conffile.os, "replace", crash)
    new = load(target).apply("telegram", {"enabled": False})
    with pytest.raises(ConfigFileUnwritable) as info:
        write_atomic(target, new.render())
    assert "Nothing was changed" in info.value.hint
    assert target.read_text() == TWO_SLACK.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kapacitor.conf"]


def test_interrupt_before_rename_also_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "kapacitor.conf"
    target.write_text("a = 1\n")

    def crash(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(conffile.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "a = 2\n")
    assert target.read_text() == "a = 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kapacitor.conf"]


def test_changed_on_disk_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "kapacitor.conf"
    target.write_text("a = 1\n")
    doc = load(target)
    target.write_text("a = 1\nb = 2\n")
    with pytest.raises(ConfigFileChanged):
        write_atomic(target, "a = 3\n", expected_text=doc.render())
    assert target.read_text() == "a = 1\nb = 2\n"


def test_invalid_text_is_never_written(tmp_path: Path) -> None:
    target = tmp_path / "kapacitor.conf"
    target.write_text("a = 1\n")
    with pytest.raises(ConfigFileInvalid):
        write_atomic(target, "a = = 2\n")
    assert target.read_text() == "a = 1\n"


def test_missing_folder_is_unwritable(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileUnwritable):
        write_atomic(tmp_path / "nope" / "kapacitor.conf", "a = 1\n")


def test_symlink_target_is_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.conf"
    real.write_text("a = 1\n")
    link = tmp_path / "kapacitor.conf"
    link.symlink_to(real)
    backup = write_atomic(link, "a = 2\n")
    assert link.is_symlink() and real.read_text() == "a = 2\n"
    assert backup is not None and backup.read_text() == "a = 1\n"


# --------------------------------------------------------------------------- paths and env


def test_default_config_path(tmp_path: Path) -> None:
    system = tmp_path / "etc" / "kapacitor.conf"
    cwd = tmp_path / "here"
    assert default_config_path(system, cwd) == cwd / "kapacitor.conf"
    system.parent.mkdir()
    system.write_text("")
    assert default_config_path(system, cwd) == system
    assert default_config_path().name == "kapacitor.conf"


def test_env_lines() -> None:
    assert env_lines(
        "telegram",
        {"enabled": True, "token": "1:SECRET", "chat-id": "-100", "disable-notification": False},
    ) == [
        "KAPACITOR_TELEGRAM_ENABLED=true",
        f"KAPACITOR_TELEGRAM_TOKEN={ENV_SECRET_PLACEHOLDER}",
        "KAPACITOR_TELEGRAM_CHAT_ID=-100",
        "KAPACITOR_TELEGRAM_DISABLE_NOTIFICATION=false",
    ]
    assert env_lines("slack", {"url": "https://hooks.slack.com/x", "icon-emoji": ":bell:"}, show_secrets=True) == [
        "KAPACITOR_SLACK_0_URL=https://hooks.slack.com/x",
        "KAPACITOR_SLACK_0_ICON_EMOJI=:bell:",
    ]
    assert env_lines("slack", {"state-changes-only": True}, workspace_index=2) == [
        "KAPACITOR_SLACK_2_STATE_CHANGES_ONLY=true"
    ]
    assert env_lines("hipchat", {"token": "", "room": None}) == ["KAPACITOR_HIPCHAT_TOKEN="]
    assert env_name("hipchat", "state-changes-only") == "KAPACITOR_HIPCHAT_STATE_CHANGES_ONLY"
    with pytest.raises(ValueError):
        env_lines("telegram", {"chat-id": "1\n2"})
    with pytest.raises(ValueError):
        env_name("slack", "chat-id")


def test_every_secret_is_masked_in_env() -> None:
    for section, names in SECRETS.items():
        for name in names:
            (line,) = env_lines(section, {name: "value-that-is-secret"})
            assert "value-that-is-secret" not in line


# --------------------------------------------------------------------------- properties

STRING_OPTIONS = {
    section: [o for o in names if o not in {"enabled", "default", "global", "state-changes-only",
                                            "insecure-skip-verify", "disable-web-page-preview",
                                            "disable-notification", "workspace"}]
    for section, names in OPTIONS.items()
}
BOOL_OPTIONS = {
    section: [o for o in names if o not in STRING_OPTIONS[section] and o != "workspace"]
    for section, names in OPTIONS.items()
}
texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\"'\\\n\r\t\x00\x7f\u2028#=[] ")),
        st.characters(exclude_categories=("Cs",)),
    ),
    max_size=30,
)


@st.composite
def edits(draw):
    path = draw(st.sampled_from(GOOD_FILES))
    section = draw(st.sampled_from(["hipchat", "slack", "telegram"]))  # every section and kind: test_conffile_sections.py
    workspace = ""
    if section == "slack" and path != SINGLE_SLACK:
        workspace = draw(st.sampled_from(["", "main", "data", "fresh-1"]))
    strings = draw(st.dictionaries(st.sampled_from(STRING_OPTIONS[section]), texts, max_size=4))
    bools = draw(st.dictionaries(st.sampled_from(BOOL_OPTIONS[section]), st.booleans(), max_size=3))
    delete = draw(st.lists(st.sampled_from(OPTIONS[section]), max_size=2))
    delete = [d for d in delete if d != "workspace"]
    return path, section, workspace, {**strings, **bools}, delete


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits())
def test_any_edit_parses_and_reads_back(edit) -> None:
    path, section, workspace, values, delete = edit
    old = load(path)
    new = old.apply(section, values, delete, workspace=workspace)
    text = new.render()
    data = tomllib.loads(text)  # an independent parser accepts it
    element = new.read_element(section, workspace)
    for name, value in values.items():
        assert element[name] == value
    for name in delete:
        if name not in values:
            assert name not in element
    assert parse(text).read_element(section, workspace) == element  # a fresh parse agrees
    assert without(data, section, workspace) == without(tomllib.loads(old.render()), section, workspace)
    removed, added = changed(old.render(), text)
    keys = set(values) | set(delete) | {"workspace", "default"}
    assert only_keys(removed, keys)
    assert only_keys(added, keys, extra=("", f"[{section}]", f"[[{section}]]"))


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["hipchat", "slack", "telegram"]),  # the other sections: test_conffile_sections.py
    texts,
)
def test_masked_diff_never_shows_a_secret(section: str, tail: str) -> None:
    old = load(TWO_SLACK)
    name = sorted(SECRETS[section])[-1]  # slack has two (url, token): its url
    workspace = "data" if section == "slack" else ""
    secret = "Zq8SECRET" + tail
    new = old.apply(section, {name: secret}, workspace=workspace)
    assert new.read_element(section, workspace)[name] == secret
    diff = masked_diff(old.render(), new.render())
    assert f'+  {name} = "{MASK}"' in diff
    for shown in ["Zq8SECRET", *TWO_SLACK_SECRETS]:
        assert shown not in diff
