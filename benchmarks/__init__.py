"""The wizard's benchmarks: start-up, memory, chat discovery, apply and test, effort, kapacitor.conf.

Run them all with ``python -m benchmarks`` (see ``benchmarks/README.md``). Each
module exposes ``run(quick) -> list[Figure]``; nothing here is a test and no
test asserts on timings.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent

# Every benchmark, in the order the table lists them: name -> module.
BENCHMARKS = {
    "startup": "benchmarks.startup",
    "memory": "benchmarks.memory",
    "discovery": "benchmarks.discovery",
    "apply": "benchmarks.apply_test",
    "effort": "benchmarks.effort",
    "conffile": "benchmarks.conffile",
}


@dataclass
class Figure:
    """One measured figure and whether it meets its target."""

    name: str
    value: float
    unit: str
    target: str
    passed: bool | None
    """None for a figure reported for information, without a target."""
    detail: str = ""

    @property
    def shown(self) -> str:
        if self.unit == "x":
            return f"{self.value:.2f}x"
        if self.unit == "ms":
            return f"{self.value:.0f} ms"
        if self.unit == "MiB":
            return f"{self.value:.1f} MiB"
        if self.unit == "keys":
            return f"{self.value:.0f} keys"
        return f"{self.value:g} {self.unit}"

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "FAIL", None: "info"}[self.passed]


def median(values: list[float]) -> float:
    return statistics.median(values)


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a measured subprocess: the repository importable, nothing else added."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env.pop("PYTHONSTARTUP", None)
    env.update(extra)
    return env


def python() -> str:
    return sys.executable


@contextmanager
def private_state() -> Iterator[str]:
    """Undo records of an apply go to a temporary folder, never the real home of whoever runs this."""
    saved = os.environ.get("XDG_STATE_HOME")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_STATE_HOME"] = folder
        try:
            yield folder
        finally:
            if saved is None:
                os.environ.pop("XDG_STATE_HOME", None)
            else:
                os.environ["XDG_STATE_HOME"] = saved
