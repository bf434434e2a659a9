"""`qst --help` start-up time: the wall time of the whole process, median of N runs (goal < 0.3 s).

    python benchmarks/cli_help.py [--runs 20]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

GOAL_S = 0.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    command = [shutil.which("qst") or "qst", "--help"]
    if command[0] == "qst":
        command = [sys.executable, "-m", "qst", "--help"]
    subprocess.run(command, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"{' '.join(command)}: median {median * 1000:.0f} ms, best {min(times) * 1000:.0f} ms over {args.runs} runs")
    print(f"  median / goal ({GOAL_S} s): {median / GOAL_S:.2f}")


if __name__ == "__main__":
    main()
