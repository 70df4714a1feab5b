"""Start-up: process start to the first interactive screen, against a minimal Textual app.

Each run is a fresh interpreter (``benchmarks/_startup_child.py``) started with the
same Python and environment. The clock is ``time.monotonic()`` (system-wide on
Linux): the parent reads it just before starting the process, the child writes it
when its first screen is mounted, focused and painted. The wizard starts through
``wizard.cli.main`` as ``kapacitor-wizard --url URL`` does, headless, with a URL where
nothing listens (its first connection attempt starts, and fails, after the screen is ready); the minimal app is an ``App`` with one focused ``Input``. Runs
alternate between the two; the figure is the ratio of the medians.

One more run of each under ``python -X importtime`` lists what the wizard imports
that the minimal app does not, and which wizard module pulls each package in.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass

from benchmarks import HERE, Figure, child_env, median, python

TARGET = 1.3
CHILD = str(HERE / "_startup_child.py")


PHASES = ("IMPORTED", "BUILT", "READY")


def launch(kind: str, url: str, env: dict[str, str]) -> tuple[float, ...]:
    """(imported, built, ready, exited): seconds after the process was started."""
    started = time.monotonic()
    done = subprocess.run([python(), CHILD, kind, url], env=env, capture_output=True, text=True, timeout=60)
    exited = time.monotonic() - started
    marks = dict(line.split() for line in done.stdout.splitlines() if line.startswith(PHASES))
    if done.returncode != 0 or "READY" not in marks:
        raise RuntimeError(f"{kind} did not start (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return (*(float(marks[p]) - started for p in PHASES), exited)


@dataclass
class Import:
    self_us: int
    cumulative_us: int
    depth: int
    name: str


def import_profile(kind: str, url: str, env: dict[str, str]) -> list[Import]:
    done = subprocess.run(
        [python(), "-X", "importtime", CHILD, kind, url], env=env, capture_output=True, text=True, timeout=60
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative, name = line[len("import time:"):].split("|")
        depth = (len(name) - len(name.lstrip(" "))) // 2
        rows.append(Import(int(self_us), int(cumulative), depth, name.strip()))
    return rows


def importer_chain(rows: list[Import], index: int) -> list[str]:
    """The modules whose import led to rows[index] (``-X importtime`` lists children first)."""
    chain = [rows[index].name]
    depth = rows[index].depth
    for row in rows[index + 1:]:
        if row.depth < depth:
            chain.append(row.name)
            depth = row.depth
    return list(reversed(chain))


def extra_imports(wizard: list[Import], minimal: list[Import]) -> list[tuple[str, float, str]]:
    """(top-level package, self time in ms, how the wizard gets to it), biggest first."""
    baseline = {row.name for row in minimal}
    cost: dict[str, int] = defaultdict(int)
    first: dict[str, int] = {}
    for index, row in enumerate(wizard):
        if row.name in baseline:
            continue
        top = row.name.split(".")[0]
        cost[top] += row.self_us
        if top not in first or row.name == top:
            first[top] = index
    result = []
    for top, us in cost.items():
        chain = [m for m in importer_chain(wizard, first[top]) if m.startswith("wizard") or m == top]
        # Keep the wizard modules and the package itself: who imports it, at start-up.
        if top == "wizard":
            how = "the wizard's own modules"
        elif len(chain) > 1:
            how = " → ".join(dict.fromkeys(chain))
        else:
            how = "imported while the app runs (not at module level)"
        result.append((top, us / 1000, how))
    return sorted(result, key=lambda r: -r[1])


def run(quick: bool = False) -> list[Figure]:
    from tests.fakes.kapacitor import dead_url

    rounds = 3 if quick else 9
    url = dead_url()  # the connect step's first attempt fails at once; the screen is ready before that
    with tempfile.TemporaryDirectory() as state:
        env = child_env(XDG_STATE_HOME=state)
        for kind in ("minimal", "wizard"):  # warm the page cache and the .pyc files
            launch(kind, url, env)
        times: dict[str, list[tuple[float, ...]]] = {"minimal": [], "wizard": []}
        for _ in range(rounds):
            for kind in ("minimal", "wizard"):
                times[kind].append(launch(kind, url, env))
        profiles = {kind: import_profile(kind, url, env) for kind in ("minimal", "wizard")}

    def med(kind: str, part: int) -> float:
        return median([t[part] for t in times[kind]])

    ratio = med("wizard", 2) / med("minimal", 2)
    imports = {kind: sum(r.self_us for r in rows) / 1000 for kind, rows in profiles.items()}
    extra = extra_imports(profiles["wizard"], profiles["minimal"])
    print("start-up, median of", rounds, "fresh processes each:")
    print("  ms after process start   imported    built    ready   exited    import self-times (-X importtime)")
    for kind in ("minimal", "wizard"):
        print(f"  {kind:23}" + "".join(f"{med(kind, p) * 1000:9.0f}" for p in range(4))
              + f"    {imports[kind]:.0f} ms")
    print("  imports the minimal app does not make, by package (self time under -X importtime):")
    for top, ms, chain in extra[:12]:
        print(f"    {ms:6.1f} ms  {top:<20} {chain}")
    detail = (
        f"ready at {med('wizard', 2) * 1000:.0f} ms vs {med('minimal', 2) * 1000:.0f} ms "
        f"(imported at {med('wizard', 0) * 1000:.0f} vs {med('minimal', 0) * 1000:.0f} ms)"
    )
    return [
        Figure("start-up ratio", ratio, "x", f"<= {TARGET}x", ratio <= TARGET, detail),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    for figure in run("--quick" in sys.argv):
        print(figure)
