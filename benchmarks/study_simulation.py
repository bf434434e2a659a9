"""Wall time of `qst simulate-study 10` and of `qst report study` on the store it wrote,
each as a fresh `python -m qst` process, as a user runs it.

Limits: 60 s for the simulated study (a coordinator trying the analysis waits for it, once
a session) and 3 s for the report (run again and again while reading). Prints the
machine's CPU count and load: on a shared or busy machine the wall time says more about
the neighbours than about qst.

    python benchmarks/study_simulation.py [--n 10] [--seed 1] [--workers 0]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _report

SIMULATE_GOAL_S = 60.0
REPORT_GOAL_S = 3.0


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall_s = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr or done.stdout}")
    return wall_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    _report.start(f"qst simulate-study {args.n} and report study, fresh processes")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "sim"
        qst = [sys.executable, "-m", "qst"]
        simulate_s = timed(qst + ["simulate-study", str(args.n), "--seed", str(args.seed), "--out", str(out),
                                  "--workers", str(args.workers)])
        db = out / "simulated.sqlite3"
        report_s = timed(qst + ["--db", str(db), "report", "study", "--study", "fibromyalgia-ldn",
                                "--out", str(Path(folder) / "report")])
    _report.figure(f"simulate-study {args.n} (visits, diaries and the report)", simulate_s, "s", SIMULATE_GOAL_S,
                   digits=1)
    _report.figure("report study", report_s, "s", REPORT_GOAL_S, digits=1)
    _report.finish()


if __name__ == "__main__":
    main()
