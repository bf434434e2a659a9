"""`qst --help` start-up time: the wall time of the whole process, median of N runs.

Limit: 0.3 s, about the longest the answer to a typed command still reads as immediate;
the command is what a technician and a coordinator meet first.

    python benchmarks/cli_help.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import _report

GOAL_S = 0.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    # The console script beside this interpreter, as a venv installs it; not whatever `qst`
    # is first on PATH (a version manager's shim adds its own start-up).
    script = Path(sys.executable).with_name("qst")
    command = [str(script), "--help"] if script.exists() else [sys.executable, "-m", "qst", "--help"]
    _report.start(f"{' '.join(command)}: {args.runs} runs")
    subprocess.run(command, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    _report.figure("start-up, median", median * 1000, "ms", GOAL_S * 1000, digits=0)
    _report.context("start-up, best", min(times) * 1000, "ms", 0)
    _report.finish()


if __name__ == "__main__":
    main()
