"""kapacitor.conf under concurrency and signals, read-only files, awkward layouts.

Writers run as real `kapacitor-wizard apply ... --config-file` processes where it matters
(two at once; one stopped by a signal at a named point of its write).
"""
from __future__ import annotations

import asyncio
import difflib
import fcntl
import io
import os
import signal
import stat
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakes.kapacitor import dead_url
from wizard.cli import main
from wizard.conf import document as conffile
from wizard.conf.document import (
    ConfigFileBusy,
    ConfigFileChanged,
    ConfigFileInvalid,
    ConfigFileReadOnly,
    ConfigFileUnsupported,
    load,
    parse,
    write_atomic,
)
from wizard.handlers.registry import HANDLERS
from wizard.changes.plan import plan_changes
from wizard.changes.target import FileTarget

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
TOKEN = "123456789:AAHsafetyTestSecretTokenValue00000"
OLD_TOKEN = "123456789:AAHtelegramSecretTokenValue000000000"


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    path = tmp_path / "kapacitor.conf"
    path.write_bytes((DATA / "kapacitor-two-slack.conf").read_bytes())
    path.chmod(0o640)
    return path


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env["KAPACITOR_URL"] = dead_url().rstrip("/")  # nothing answers: no API override check reaches anything
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    env.update(extra)
    return env


def leftovers(folder: Path) -> list[str]:
    """Files a write must never leave behind: temporary files and the lock file."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".lock")))


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """Lines removed and added; everything else is byte-identical (the same lines, in order)."""
    a, b = old.split("\n"), new.split("\n")
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    a, b = a[head: len(a) - tail], b[head: len(b) - tail]
    removed, added = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def run_cli(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("KAPACITOR_URL", dead_url().rstrip("/"))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- two writers at once

WRITER = textwrap.dedent(
    """
    import os
    import sys
    from wizard.cli import main
    path, prefix, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    codes = []
    for i in range(rounds):
        if prefix == "telegram":
            codes.append(main(["apply", "telegram", "--config-file", path, "--chat-id", f"-100{i}"]))
            continue
        os.environ["SLACK_WEBHOOK_URL"] = f"https://hooks.slack.com/services/T{i}/B{i}/{prefix}SECRET{i:04d}"
        codes.append(main([
            "apply", "slack", "--config-file", path, "--workspace", f"{prefix}{i}", "--channel", f"#{prefix}{i}",
        ]))
    print("codes:", *codes)
    """
)


def run_writers(conf: Path, tmp_path: Path, prefixes: tuple[str, str], rounds: int) -> list[tuple[list[str], str]]:
    """Two writer processes started together; each one's exit codes and stderr."""
    env = child_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(conf), prefix, str(rounds)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for prefix in prefixes
    ]
    results = []
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        codes = next((line for line in out.splitlines() if line.startswith("codes:")), "codes:").split()[1:]
        assert len(codes) == rounds, err
        results.append((codes, err))
    return results


def check_slack_writer(prefix: str, codes: list[str], err: str, workspaces: set[str]) -> None:
    for i, code in enumerate(codes):
        if code == "0":
            assert f"{prefix}{i}" in workspaces, (prefix, i, err)  # reported as written: it is there
        else:
            assert "Another kapacitor-wizard is writing" in err, err  # refused, in words
            assert f"{prefix}{i}" not in workspaces


def test_two_writers_at_once_lose_nothing(conf: Path, tmp_path: Path) -> None:
    rounds = 20
    results = run_writers(conf, tmp_path, ("a", "b"), rounds)
    workspaces = set(load(conf).slack_workspaces())
    for prefix, (codes, err) in zip(("a", "b"), results):
        check_slack_writer(prefix, codes, err, workspaces)
    assert {"main", "data"} <= workspaces
    assert leftovers(tmp_path) == []
    tomllib.loads(conf.read_text())


def test_telegram_and_slack_written_at_once_both_stay(conf: Path, tmp_path: Path) -> None:
    rounds = 15
    (slack_codes, slack_err), (telegram_codes, telegram_err) = run_writers(conf, tmp_path, ("s", "telegram"), rounds)
    doc = load(conf)
    check_slack_writer("s", slack_codes, slack_err, set(doc.slack_workspaces()))
    assert all(code == "0" for code in telegram_codes) or "Another kapacitor-wizard is writing" in telegram_err
    last = max((i for i, code in enumerate(telegram_codes) if code == "0"), default=None)
    assert last is not None, telegram_err
    assert doc.read_element("telegram")["chat-id"] == f"-100{last}"
    assert doc.read_element("telegram")["token"] == TOKEN
    assert leftovers(tmp_path) == []


def test_a_held_lock_makes_a_writer_wait_then_refuse_in_words(conf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conffile, "LOCK_WAIT", 0.2)
    before = conf.read_bytes()
    fd = os.open(conffile.lock_path(conf), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as another kapacitor-wizard holds it
    try:
        with pytest.raises(ConfigFileBusy) as info:
            write_atomic(conf, "a = 1\n")
        assert "Another kapacitor-wizard is writing" in info.value.message
        # The wizard's own route (FileTarget) takes the same lock.
        target = FileTarget(conf)
        plan = plan_changes(HANDLERS["telegram"], None, {"chat-id": "42"})
        with pytest.raises(ConfigFileBusy):
            asyncio.run(target.write(plan))
    finally:
        os.close(fd)
    assert conf.read_bytes() == before


def test_the_lock_file_is_private_and_gone_after_a_write(conf: Path) -> None:
    seen = []
    conffile._phase_hook = lambda phase: seen.append(
        (phase, stat.S_IMODE(os.stat(conffile.lock_path(conf)).st_mode))
    )
    try:
        write_atomic(conf, load(conf).apply("telegram", {"chat-id": "7"}))
    finally:
        conffile._phase_hook = None
    assert [phase for phase, _ in seen] == ["locked", "before-fsync", "before-rename", "after-rename"]
    assert {mode for _, mode in seen} == {0o600}
    assert leftovers(conf.parent) == []


def test_a_change_after_the_review_is_not_overwritten(conf: Path) -> None:
    target = FileTarget(conf)
    plan = plan_changes(HANDLERS["telegram"], None, {"chat-id": "42"})
    assert '+  chat-id = "42"' in target.preview(plan)
    conf.write_text(conf.read_text().replace('room = "ops"', 'room = "ops-2"'))  # someone edits it meanwhile
    edited = conf.read_bytes()
    with pytest.raises(ConfigFileChanged) as info:
        asyncio.run(target.write(plan))
    assert "review" in info.value.hint
    assert conf.read_bytes() == edited
    # Reviewed again, the same plan is written on top of that edit.
    assert '+  chat-id = "42"' in target.preview(plan)
    asyncio.run(target.write(plan))
    text = conf.read_text()
    assert 'room = "ops-2"' in text and 'chat-id = "42"' in text


def test_a_command_writes_on_top_of_other_sections_changed_meanwhile_but_not_its_own(conf: Path) -> None:
    spec = HANDLERS["telegram"]
    target = FileTarget(conf)
    element = asyncio.run(target.read_config())["telegram"][0]
    plan = plan_changes(spec, element, {"chat-id": "42"})
    conf.write_text(conf.read_text().replace('room = "ops"', 'room = "ops-2"'))  # another section, meanwhile
    asyncio.run(target.write(plan))
    text = conf.read_text()
    assert 'room = "ops-2"' in text and 'chat-id = "42"' in text

    element = asyncio.run(target.read_config())["telegram"][0]
    plan = plan_changes(spec, element, {"chat-id": "43"})
    conf.write_text(conf.read_text().replace('parse-mode = "Markdown"', 'parse-mode = "HTML"'))  # the same one
    edited = conf.read_bytes()
    with pytest.raises(ConfigFileChanged) as info:
        asyncio.run(target.write(plan))
    assert "[telegram]" in info.value.message and "again" in info.value.hint
    assert conf.read_bytes() == edited


# --------------------------------------------------------------------------- signals

STOPPED = textwrap.dedent(
    """
    import sys, time
    from wizard.cli import main
    from wizard.conf import document as conffile
    wanted = sys.argv[1]

    def pause(phase):
        if phase == wanted:
            print("at", phase, flush=True)
            time.sleep(60)  # the test's signal ends this

    conffile._phase_hook = pause
    sys.exit(main(["apply", "telegram", "--config-file", sys.argv[2], "--chat-id", "-100777"]))
    """
)


@pytest.mark.parametrize(
    ("phase", "signum", "written"),
    [
        ("locked", signal.SIGTERM, False),
        ("before-fsync", signal.SIGINT, False),
        ("before-fsync", signal.SIGTERM, False),
        ("before-rename", signal.SIGINT, False),
        ("before-rename", signal.SIGTERM, False),
        ("after-rename", signal.SIGINT, True),
        ("after-rename", signal.SIGTERM, True),
    ],
)
def test_a_signal_leaves_the_file_whole_and_says_which(
    conf: Path, tmp_path: Path, phase: str, signum: int, written: bool
) -> None:
    before = conf.read_bytes()
    child = subprocess.Popen(
        [sys.executable, "-c", STOPPED, phase, str(conf)],
        env=child_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == f"at {phase}", child.communicate()[1]
    child.send_signal(signum)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 128 + signum, err
    assert "Traceback" not in err
    backups = list(conf.parent.glob("kapacitor.conf.bak-*"))
    if written:
        assert f"{conf} was written" in err
        assert 'chat-id = "-100777"' in conf.read_text() and TOKEN in conf.read_text()
        assert len(backups) == 1 and backups[0].read_bytes() == before
        assert str(backups[0]) in err
    else:
        assert f"{conf} was not changed" in err
        assert conf.read_bytes() == before
        assert backups == []
    assert stat.S_IMODE(conf.stat().st_mode) == 0o640
    # No temporary file (with or without the new token) and no lock file remain.
    assert leftovers(tmp_path) == []
    for path in tmp_path.rglob("*"):
        if path.is_file() and path != conf:
            assert TOKEN not in path.read_text(errors="replace"), path
    assert TOKEN not in out + err


def test_a_stale_temporary_file_is_reported_and_removed(conf: Path, monkeypatch, capsys) -> None:
    stale = conf.parent / ".kapacitor.conf.k3x9q2ab.tmp"
    stale.write_text(f'[telegram]\n  token = "{TOKEN}"\n')
    assert conffile.stale_temporary_files(conf) == [stale]
    code, out, err = run_cli(["apply", "telegram", "--config-file", str(conf), "--chat-id", "5"], monkeypatch, capsys)
    assert code == 0, err
    assert str(stale) in err and "temporary file" in err
    assert not stale.exists()
    assert TOKEN not in err


def test_the_temporary_file_is_private_from_its_creation(conf: Path) -> None:
    conf.chmod(0o644)
    modes = []

    def look(phase: str) -> None:
        if phase == "before-fsync":
            (tmp,) = conffile.stale_temporary_files(conf)
            modes.append(stat.S_IMODE(tmp.stat().st_mode))

    conffile._phase_hook = look
    try:
        write_atomic(conf, load(conf).apply("telegram", {"token": TOKEN}))
    finally:
        conffile._phase_hook = None
    assert modes == [0o600]
    assert stat.S_IMODE(conf.stat().st_mode) == 0o644  # the file's own mode once it is in place


# --------------------------------------------------------------------------- refusals


def test_a_read_only_file_is_refused_unless_forced(conf: Path, monkeypatch, capsys) -> None:
    conf.chmod(0o444)
    before = conf.read_bytes()
    argv = ["apply", "telegram", "--config-file", str(conf), "--chat-id", "99"]
    code, out, err = run_cli(argv, monkeypatch, capsys)
    assert code == 1
    assert "read-only" in err and "--force" in err
    assert conf.read_bytes() == before and not list(conf.parent.glob("*.bak-*"))
    code, out, err = run_cli([*argv, "--force"], monkeypatch, capsys)
    assert code == 0, err
    assert 'chat-id = "99"' in conf.read_text()
    assert stat.S_IMODE(conf.stat().st_mode) == 0o444  # still read-only, as it was
    with pytest.raises(ConfigFileReadOnly):
        write_atomic(conf, conf.read_text())


@pytest.mark.parametrize("dry_run", [False, True])
def test_test_with_config_file_is_refused_before_anything_is_written(conf: Path, monkeypatch, capsys, dry_run) -> None:
    before = conf.read_bytes()
    argv = ["apply", "telegram", "--config-file", str(conf), "--chat-id", "99", "--test"]
    code, out, err = run_cli(argv + (["--dry-run"] if dry_run else []), monkeypatch, capsys)
    assert code == 2
    assert "--test" in err and "--config-file" in err and "restart" in err
    assert conf.read_bytes() == before
    assert sorted(p.name for p in conf.parent.iterdir()) == ["kapacitor.conf"]


# --------------------------------------------------------------------------- layouts

SPLIT_SLACK = """\
[[slack]]
  enabled = true
  default = true
  workspace = "main"
  channel = "#alerts"

[telegram]
  enabled = false

# The data team's workspace, kept beside its notes.
[[slack]]
  enabled = true
  workspace = "data"
  channel = "#data"

[http]
  bind-address = ":9092"
"""


def test_split_slack_entries_stay_where_they_are() -> None:
    old = parse(SPLIT_SLACK)
    new = old.apply("slack", {"channel": "#data-team"}, workspace="data")
    assert new.render() == SPLIT_SLACK.replace('channel = "#data"', 'channel = "#data-team"')
    first = old.apply("slack", {"channel": "#ops"}, workspace="main")
    assert first.render() == SPLIT_SLACK.replace('channel = "#alerts"', 'channel = "#ops"')
    added = old.apply("slack", {"channel": "#new"}, workspace="new")
    removed, lines = changed_lines(old.render(), added.render())
    assert removed == []
    assert lines == ["[[slack]]", '  workspace = "new"', '  channel = "#new"', ""]
    text = added.render()
    assert text.index('workspace = "data"') < text.index('workspace = "new"') < text.index("[http]")
    assert text.startswith(SPLIT_SLACK.split("[http]")[0].rstrip("\n"))
    assert added.slack_workspaces() == ["main", "data", "new"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('hostname = "k"\ntelegram.enabled = false\ntelegram.chat-id = "1"\n', 2, "dotted keys"),
        ('hostname = "k"\n\ntelegram = { enabled = false }\n', 3, "inline table"),
        ('slack = [{ workspace = "a" }]\n', 1, "inline table"),
        ("[http]\n  x = 1\n\n[[telegram]]\n  enabled = false\n", 4, "[[telegram]]"),
        ("[[hipchat]]\n  room = 'a'\n[[hipchat]]\n  room = 'b'\n", 1, "[[hipchat]]"),
        ('telegram = "yes"\n', 1, "plain value"),
    ],
)
def test_forms_that_cannot_be_edited_safely_are_named(text: str, line: int, words: str) -> None:
    section = "slack" if text.startswith("slack") else "hipchat" if "hipchat" in text else "telegram"
    doc = parse(text)
    with pytest.raises(ConfigFileUnsupported) as info:
        doc.apply(section, {"enabled": True})
    assert f"line {line}" in info.value.message
    assert words in info.value.message
    assert info.value.hint


def test_a_file_that_starts_with_a_byte_order_mark() -> None:
    doc = parse("\ufeff[telegram]\n  enabled = false\n")
    new = doc.apply("telegram", {"chat-id": "1"}).apply("hipchat", {"room": "r"})
    assert new.render() == '\ufeff[telegram]\n  enabled = false\n  chat-id = "1"\n\n[hipchat]\n  room = "r"\n'
    with pytest.raises(ConfigFileUnsupported) as info:
        parse("\ufefftelegram.enabled = false\n").apply("telegram", {"enabled": True})
    assert "line 1" in info.value.message


def test_unsupported_form_through_the_command_is_one_message(tmp_path: Path, monkeypatch, capsys) -> None:
    path = tmp_path / "kapacitor.conf"
    path.write_text('telegram.enabled = false\n[http]\n  x = 1\n')
    before = path.read_bytes()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    code, out, err = run_cli(["apply", "telegram", "--config-file", str(path), "--chat-id", "1"], monkeypatch, capsys)
    assert code == 1
    assert "dotted keys" in err and "line 1" in err and "Traceback" not in err
    assert path.read_bytes() == before


TRICKY = '''\
motd = """
[telegram]
  token = "not-a-real-one"
"""
matrix = [
  [1, 2],
  [3, 4],
]
names = ["a[1]", "b{2}", 'c]']  # ] [ {

[telegram]
  enabled = false # [not a header]
  chat-id = "1"

["slack"]
  channel = "#x"
'''


def test_headers_inside_strings_and_arrays_are_not_taken_for_headers() -> None:
    doc = parse(TRICKY)
    assert doc.read_element("telegram") == {"enabled": False, "chat-id": "1"}
    new = doc.apply("telegram", {"chat-id": "2"}).apply("slack", {"channel": "#y"})
    removed, added = changed_lines(TRICKY, new.render())
    assert removed == ['  chat-id = "1"', '  channel = "#x"']
    assert added == ['  chat-id = "2"', '  channel = "#y"']


def test_a_fault_in_a_large_file_is_named_at_its_line(tmp_path: Path) -> None:
    filler = "".join(f'[[influxdb]]\n  name = "c{i}"\n  urls = ["http://c{i}:8086"]\n\n' for i in range(25000))
    assert len(filler) > conffile.FULL_CHECK_BYTES
    text = filler + "[telegram]\n  enabled = true\n  chat-id = -\n"
    with pytest.raises(ConfigFileInvalid) as info:
        parse(text)
    assert info.value.line == text.count("\n")  # the last line
    unclosed = filler + '[http]\n  x = "\n'  # a string left open, outside the handlers' sections
    with pytest.raises(ConfigFileInvalid):
        parse(unclosed + 'y = """\n')


def test_a_large_file_keeps_every_other_byte(tmp_path: Path) -> None:
    from benchmarks.conffile import build

    text = build(2 * 1024 * 1024)
    doc = parse(text)
    new = doc.apply("telegram", {"chat-id": "-100123"}).apply("slack", {"channel": "#moved"}, workspace="team-150")
    removed, added = changed_lines(text, new.render())
    assert sorted(removed) == sorted(['  channel = "#alerts-150"', '  chat-id = ""'])
    assert sorted(added) == sorted(['  channel = "#moved"', '  chat-id = "-100123"'])
    diff = conffile.masked_diff(doc, new)
    assert "TEAMSECRET" not in diff and '+  channel = "#moved"' in diff


# --------------------------------------------------------------------------- the outline, against a full parser

VALUES = [
    '"plain"',
    "'lit[eral]'",
    '"a\\"[b]\\" {c}"',
    '"""\n[telegram]\n  token = "fake"\n"""',
    "'''\n[[slack]]\n  workspace = 'fake'\n'''",
    '"""a""b"""',
    '""""x"""""',
    '"""\\\n  [hipchat] \\""""',
    "[\n  [1, 2],\n  [3],\n]",
    '[ "x]", "[y" ]  # [comment]',
    '{ a = "[", b = [1, { c = "]" }] }',
    "[\n  # [telegram]\n  \"a\",\n]",
    "1",
    "true",
]


@st.composite
def documents(draw):
    lines = [f"k{i} = {draw(st.sampled_from(VALUES))}" for i in range(draw(st.integers(0, 3)))]
    tables = draw(
        st.lists(st.sampled_from(["telegram", "hipchat", "slack", "http", "influxdb", "udf.functions.x"]), max_size=7)
    )
    seen = set()
    workspaces = 0
    for name in tables:
        if name == "slack":
            lines.append("\n[[slack]]")
            lines.append(f'  workspace = "w{workspaces}"')
            workspaces += 1
        elif name == "influxdb":
            lines.append("\n[[influxdb]]")
        elif name in seen:
            continue
        else:
            seen.add(name)
            lines.append(f"\n[{name}]")
        for i in range(draw(st.integers(0, 2))):
            lines.append(f"  v{i} = {draw(st.sampled_from(VALUES))}")
        if draw(st.booleans()):
            lines.append("  # [[slack]] in a comment")
    return "\n".join(lines) + "\n"


@settings(max_examples=120, deadline=None)
@given(documents())
def test_the_outline_agrees_with_a_full_parser(text: str) -> None:
    data = tomllib.loads(text)
    doc = parse(text)
    for section in ("telegram", "hipchat"):
        assert doc.read_element(section) == data.get(section, {})
    entries = data.get("slack", [])
    assert doc.slack_workspaces() == [e["workspace"] for e in entries]
    new = doc.apply("telegram", {"chat-id": "9"})
    if entries:
        new = new.apply("slack", {"channel": "#z"}, workspace=entries[-1]["workspace"])
    after = tomllib.loads(new.render())
    assert after["telegram"]["chat-id"] == "9"
    assert {k: v for k, v in after.items() if k not in ("telegram", "slack")} == {
        k: v for k, v in data.items() if k not in ("telegram", "slack")
    }
    if entries:
        assert after["slack"][-1]["channel"] == "#z" and after["slack"][:-1] == entries[:-1]
