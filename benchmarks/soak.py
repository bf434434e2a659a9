"""Soak: many virtual visits with random seeded faults, then real-time streaming through a pty.

Part 1, virtual time: `--visits` visits (default 500), each a `VirtualLab` running one cell
of the fault matrix (`tests/test_fault_matrix.py`) drawn at random with the seed: a clean
trial, a fault at a random phase of the next, recovery (clear the fault, reconnect or
reopen), one more trial. Checked and printed with their bounds:

- memory flat: resident set size (RSS), mean of the last 10 % of visits minus the first 10 %,
  at most `RSS_BOUND_MB`;
- no stuck thread: `threading.active_count()` after the last visit equals the count before
  the first (and the maximum seen is printed);
- no lost trial: every visit's completed trial 1 has its RunStop with its value in the
  records, and the recovery trial completes;
- outcomes as the fault matrix's table expects (known-bug cells counted apart).

Part 2, real time: `--real-seconds S` of the thermode's 100 Hz stream through the pty host,
the unmodified driver in follow mode at 32.5 °C, `samples()`; frames received by the driver
vs the core's `frames_sent` over the same span, allowing `IN_FLIGHT` lines at the edges.

`--minutes M` bounds the whole: about half for each part (the visit loop stops early at its
half). Exit status 1 if any check fails. CI runs `--minutes 1`.

Limits: a visit is about 30 trials and a station runs hundreds of visits without a restart,
so memory must not grow with them (RSS growth, ratio to the bound), every thread a visit
starts must end (threads after / before, goal 1), and on the wire every frame the device
sends must reach the driver (received / sent, goal 1). Counts bounded by 0 (lost trials,
unexpected outcomes) have no ratio; they are printed beside their bound.

    python benchmarks/soak.py --minutes 1
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _report  # noqa: E402

RSS_BOUND_MB = 25.0
IN_FLIGHT = 2


def rss_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux: the peak is the best the standard library gives
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def virtual_visits(visits: int, seed: int, budget_s: float | None) -> bool:
    from tests.test_fault_matrix import CELLS, EXPECTED, KNOWN_BUGS, run_cell

    rng = random.Random(seed)
    run_cell("thermode", "garbage", "ramp")  # warm-up: imports and caches before the first figure
    threads_before = threading.active_count()
    threads_max = threads_before
    rss: list[float] = []
    lost = not_recovered = 0
    mismatches: Counter = Counter()
    known = 0
    started = time.perf_counter()
    done = 0
    for visit in range(visits):
        if budget_s is not None and time.perf_counter() - started > budget_s:
            break
        cell = rng.choice(CELLS)
        out, _lab, _records = run_cell(*cell, seed=rng.randrange(10**6))
        done += 1
        lost += not out.first_kept
        not_recovered += out.recovered is None or out.recovered.value != "completed"
        status, reason = EXPECTED[cell[:2]][cell[2]]
        if out.status is not status or reason not in out.reason:
            if cell in KNOWN_BUGS:
                known += 1
            else:
                mismatches[cell] += 1
        threads_max = max(threads_max, threading.active_count())
        rss.append(rss_mb())
    wall_s = time.perf_counter() - started
    tenth = max(1, done // 10)
    growth_mb = sum(rss[-tenth:]) / tenth - sum(rss[:tenth]) / tenth
    threads_after = threading.active_count()
    ok = growth_mb <= RSS_BOUND_MB and threads_after == threads_before and lost == 0 and not_recovered == 0 and not mismatches
    print(f"virtual visits: {done} (of {visits}) in {wall_s:.1f} s wall, seed {seed}")
    print(f"  RSS first 10 % {sum(rss[:tenth]) / tenth:.1f} MB, last 10 % {sum(rss[-tenth:]) / tenth:.1f} MB")
    _report.figure("  RSS growth, last 10 % of visits vs first 10 %", growth_mb, "MB", RSS_BOUND_MB, digits=1)
    print(f"  threads before {threads_before}, after {threads_after}, max {threads_max}")
    _report.figure("  threads after / before", threads_after / threads_before, "", 1.0, _report.ONE, digits=2)
    print(f"  completed trials lost: {lost} (bound 0); recovery trials not completed: {not_recovered} (bound 0)")
    print(f"  outcomes unlike the fault table: {sum(mismatches.values())} (bound 0); known-bug cells hit: {known}")
    for cell, count in mismatches.items():
        print(f"    {cell}: {count}")
    return ok


def real_stream(seconds: float) -> bool:
    import simulators  # noqa: F401
    from drivers.tcs2.driver import Tcs2
    from simulators.pty_host import create_host

    with create_host("tcs2", seed=1) as host:
        thermode = Tcs2.open(host.path)
        try:
            thermode.follow(32.5, ramp_c_per_s=1.0)
            thermode.samples(1.0)  # the 100 Hz stream is running
            with host.lock:
                sent_before = host.core.frames_sent
            received = 0
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                received += sum(1 for s in thermode.samples(0.5) if s.source == "stream")
            with host.lock:
                sent = host.core.frames_sent - sent_before
            dropped = thermode.dropped_frames
        finally:
            thermode.close()
    lost = sent - received
    ok = abs(lost) <= IN_FLIGHT and dropped == 0
    print(f"real-time stream via pty: {seconds:g} s, frames sent {sent}, received {received}, "
          f"difference {lost} (bound ±{IN_FLIGHT} in flight), codec-dropped {dropped} (bound 0)")
    _report.figure("  frames received / frames sent", received / sent if sent else 0.0, "", 1.0, _report.ONE, digits=4)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--real-seconds", type=float, default=600.0)
    parser.add_argument("--minutes", type=float, default=None, help="bound the whole run: about half for each part")
    args = parser.parse_args()
    _report.start("soak: virtual visits with faults, then the real-time stream")
    budget_s = None
    real_s = args.real_seconds
    if args.minutes is not None:
        budget_s = args.minutes * 30.0
        real_s = min(real_s, args.minutes * 30.0)
    ok = virtual_visits(args.visits, args.seed, budget_s)
    ok = real_stream(real_s) and ok
    print("soak:", "ok" if ok else "FAILED")
    _report.finish()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
