"""python -m benchmarks [NAME ...] [--quick] [--list]: run the benchmarks, print a table.

Exit status 0 when every figure meets its target, 1 otherwise.
"""
from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time

from benchmarks import BENCHMARKS, ROOT, Figure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"run only these: {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke run, not figures to report")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, module in BENCHMARKS.items():
            doc = (importlib.import_module(module).__doc__ or "").strip().splitlines()[0]
            print(f"{name:10} {doc}")
        return 0
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    figures: list[Figure] = []
    for name in args.names or list(BENCHMARKS):
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        figures += importlib.import_module(BENCHMARKS[name]).run(quick=args.quick)
        print(f"   ({time.perf_counter() - started:.1f} s)\n", flush=True)
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.system()} {platform.machine()}"
          + ("  (--quick: fewer rounds)" if args.quick else ""))
    width = max(len(f.name) for f in figures)
    print(f"{'figure':<{width}}  {'value':>10}  {'target':<10}  result  detail")
    for f in figures:
        print(f"{f.name:<{width}}  {f.shown:>10}  {f.target:<10}  {f.verdict:<6}  {f.detail}")
    return 0 if all(f.passed is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
