"""Memory: peak RSS of the whole Telegram flow, against a minimal Textual app.

Each run is a fresh interpreter (``benchmarks/_memory_child.py``) that drives its app
with Pilot (``App.run_test``) and reports ``getrusage(RUSAGE_SELF).ru_maxrss``. The
wizard goes from launch to Kapacitor's successful Telegram test alert along the
shortest path (``benchmarks/telegram_flow.py``); the minimal app (one ``Input``) gets a
URL typed into it. The Kapacitor and Bot API stand-ins run in this process, so their
memory is not counted. The figure is the ratio of the medians.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile

from benchmarks import HERE, Figure, child_env, median, python

TARGET = 1.3
CHILD = str(HERE / "_memory_child.py")


def drive(kind: str, env: dict[str, str]) -> tuple[int, int]:
    """Peak RSS in KiB of one run: once the modules are loaded, and at the end."""
    from tests.fakes.kapacitor import KapacitorFake
    from tests.fakes.telegram import TelegramBotApiFake

    with KapacitorFake() as kapacitor, TelegramBotApiFake() as telegram:
        telegram.add_private_chat(111, "Alice", username="alice")
        args = [kapacitor.url, telegram.url, telegram.token] if kind == "wizard" else []
        child = subprocess.Popen(
            [python(), CHILD, kind, *args], env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        assert child.stdout is not None and child.stdin is not None
        report: dict[str, str] = {}
        for line in child.stdout:
            word, _, value = line.strip().partition(" ")
            if word == "CODE":
                telegram.inject_message(111, f"/start {value}")
                child.stdin.write("SENT\n")
                child.stdin.flush()
            else:
                report[word] = value
        stderr = child.stderr.read() if child.stderr else ""
        child.wait(timeout=60)
        if kind == "wizard":
            posts = kapacitor.config_posts()
            assert [p.path for p in posts] == ["/kapacitor/v1/config/telegram/"], posts
        if child.returncode != 0 or report.get("OK") != "True":
            raise RuntimeError(f"the {kind} run did not finish (exit {child.returncode}):\n{stderr[-2000:]}")
        return int(report["IMPORTED"]), int(report["RSS"])


def run(quick: bool = False) -> list[Figure]:
    rounds = 1 if quick else 3
    with tempfile.TemporaryDirectory() as state:
        env = child_env(XDG_STATE_HOME=state)
        runs: dict[str, list[tuple[int, int]]] = {"minimal": [], "wizard": []}
        for _ in range(rounds):
            for kind in runs:
                runs[kind].append(drive(kind, env))
    loaded = {k: median([r[0] for r in v]) / 1024 for k, v in runs.items()}
    peak = {k: median([r[1] for r in v]) / 1024 for k, v in runs.items()}
    minimal, wizard = peak["minimal"], peak["wizard"]
    ratio = wizard / minimal
    print(f"memory, peak RSS, median of {rounds} runs each:")
    print(f"  minimal app:  {loaded['minimal']:5.1f} MiB once imported, {minimal:5.1f} MiB at the end")
    print(f"  wizard:       {loaded['wizard']:5.1f} MiB once imported, {wizard:5.1f} MiB after the Telegram flow")
    return [
        Figure("memory ratio", ratio, "x", f"<= {TARGET}x", ratio <= TARGET,
               f"peak RSS {wizard:.1f} MiB vs {minimal:.1f} MiB"),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    for figure in run("--quick" in sys.argv):
        print(figure)
