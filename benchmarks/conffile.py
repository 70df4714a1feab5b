"""Editing a 5 MB kapacitor.conf: load, edit one handler, masked diff, atomic write.

The file is Kapacitor's sample (``tests/data/kapacitor-sample.conf``) grown to 5 MB the
way large real files grow: many ``[[influxdb]]`` clusters with their subscription tables,
UDF function tables, long comment blocks and 200 named ``[[slack]]`` workspaces after
``[telegram]`` (the sample's own ``[[slack]]`` entry is before it). One edit is what the
wizard's Review and Apply steps do: ``FileTarget.read_config``, ``FileTarget.preview``
(load, edit, masked diff), then ``FileTarget.write`` (lock, load, edit, write, rename);
``apply telegram --config-file`` does the same without the diff. Each round changes the
chat id so every write is real; the figure is the median round, the slowest is shown
beside it. A Slack workspace in the middle of the file is edited as well (printed only).
"""
from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks import ROOT, Figure, median

TARGET_S = 1.0
SIZE = 5 * 1024 * 1024
SAMPLE = ROOT / "tests" / "data" / "kapacitor-sample.conf"


def influxdb_cluster(n: int) -> str:
    return (
        f"# Cluster {n}: metrics of site {n % 97}, rack {n % 13}.\n"
        "# Every option is spelled out so operators can diff clusters against each other.\n"
        "[[influxdb]]\n"
        "  enabled = true\n"
        "  default = false\n"
        f'  name = "cluster-{n:05d}"\n'
        f'  urls = ["http://influx-{n:05d}.example.net:8086", "http://influx-{n:05d}b.example.net:8086"]\n'
        '  username = "kapacitor"\n'
        f'  password = "cluster-{n:05d}-password"\n'
        "  timeout = 0\n"
        "  insecure-skip-verify = false\n"
        '  startup-timeout = "5m"\n'
        "  disable-subscriptions = false\n"
        '  subscription-protocol = "http"\n'
        '  subscriptions-sync-interval = "1m0s"\n'
        '  kapacitor-hostname = ""\n'
        "  http-port = 0\n"
        '  udp-bind = ""\n'
        "  udp-buffer = 1000\n"
        "  udp-read-buffer = 0\n"
        "\n"
        "  [influxdb.subscriptions]\n"
        f'    telegraf = ["autogen", "rp-{n % 7}"]\n'
        "  [influxdb.excluded-subscriptions]\n"
        '    _kapacitor = ["autogen"]\n'
        "\n"
    )


def udf_function(n: int) -> str:
    return (
        f"[udf.functions.moving_avg_{n:05d}]\n"
        '  prog = "/usr/bin/python3"\n'
        f'  args = ["-u", "/opt/udf/moving_avg.py", "--window", "{n % 60 + 1}m"]\n'
        '  timeout = "10s"\n'
        "  [udf.functions.moving_avg_%05d.env]\n"
        '    PYTHONPATH = "/opt/udf/lib"\n'
        "\n" % n
    )


def slack_workspace(n: int) -> str:
    return (
        f"# Workspace of team {n}.\n"
        "[[slack]]\n"
        "  enabled = true\n"
        "  default = false\n"
        f'  workspace = "team-{n:03d}"\n'
        f'  url = "https://hooks.slack.com/services/T{n:08d}/B{n:08d}/TEAMSECRET{n:014d}"\n'
        f'  channel = "#alerts-{n:03d}"\n'
        '  username = "kapacitor"\n'
        "\n"
    )


def build(size: int = SIZE) -> str:
    """A kapacitor.conf of about `size` bytes that Kapacitor would accept."""
    sample = SAMPLE.read_text()
    head, rest = sample.split("[smtp]", 1)
    slack_at = rest.index("[hipchat]")
    parts = [head]
    clusters, n = [], 0
    budget = size - len(sample) - 200 * len(slack_workspace(0))
    udf_share = budget // 5
    while sum(map(len, clusters)) < budget - udf_share:
        clusters.append(influxdb_cluster(n))
        n += 1
    parts += clusters
    parts.append("[smtp]" + rest[:slack_at])
    parts += [slack_workspace(i) for i in range(200)]
    parts.append(rest[slack_at:].replace("[udf.functions]\n", "[udf.functions]\n", 1))
    text = "".join(parts)
    if not text.endswith("\n"):
        text += "\n"
    functions, m = [], 0
    while len(text) + sum(map(len, functions)) < size:
        functions.append(udf_function(m))
        m += 1
    return text + "\n" + "".join(functions)


async def edit_once(path: Path, chat: str, workspace: str | None = None) -> tuple[float, float, str]:
    """(preview seconds, write seconds, diff) of one telegram (or slack) edit through FileTarget."""
    from wizard.handlers.registry import HANDLERS
    from wizard.changes.plan import plan_changes
    from wizard.changes.target import FileTarget

    target = FileTarget(path)
    started = time.perf_counter()
    config = await target.read_config()
    if workspace is None:
        spec = HANDLERS["telegram"]
        element = config["telegram"][0]
        plan = plan_changes(spec, element, {"enabled": True, "chat-id": chat})
    else:
        spec = HANDLERS["slack"]
        element = next(e for e in config["slack"] if e.workspace == workspace)
        plan = plan_changes(spec, element, {"channel": f"#{chat}"}, workspace=workspace)
    diff = target.preview(plan)
    previewed = time.perf_counter() - started
    started = time.perf_counter()
    await target.write(plan)
    return previewed, time.perf_counter() - started, diff


def run(quick: bool = False) -> list[Figure]:
    rounds = 2 if quick else 7
    text = build()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kapacitor.conf"
        path.write_text(text)
        print(f"   kapacitor.conf of {len(text) / 1024 / 1024:.1f} MiB, {text.count(chr(10))} lines")
        totals = []
        for n in range(rounds):
            previewed, wrote, diff = asyncio.run(edit_once(path, f"-100{n}"))
            assert "chat-id" in diff, diff
            totals.append(previewed + wrote)
            print(f"   round {n + 1}: read, edit and diff {previewed * 1000:.0f} ms, write {wrote * 1000:.0f} ms")
            for backup in Path(folder).glob("kapacitor.conf.bak-*"):
                backup.unlink()
        previewed, wrote, diff = asyncio.run(edit_once(path, "ops-100", workspace="team-100"))
        assert "#ops-100" in diff and "TEAMSECRET" not in diff, diff
        print(f"   a Slack workspace in the middle: read, edit and diff {previewed * 1000:.0f} ms, write {wrote * 1000:.0f} ms")
        shutil.rmtree(folder, ignore_errors=True)
    return [
        Figure(
            "5 MB kapacitor.conf, one edit (read, diff, write)",
            median(totals) * 1000,
            "ms",
            f"< {TARGET_S * 1000:.0f} ms",
            median(totals) < TARGET_S,
            f"slowest {max(totals) * 1000:.0f} ms, {rounds} rounds",
        )
    ]


if __name__ == "__main__":
    import sys

    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(build())
    else:
        for figure in run(quick=True):
            print(figure.name, figure.shown, figure.verdict)
