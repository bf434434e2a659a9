"""How fast the simulated Mark-10 runs a PPT ramp in virtual time: simulated s per wall s.

Each ramp is a fresh bench (`sim://`, virtual clock) with the 100 N gauge, the examiner at
50 kPa/s with his wobble and tremor, and a participant whose threshold is drawn from
150-700 kPa (reaction 0.2-0.4 s). The unmodified driver polls `?C` at 50 Hz from contact
until the participant's response (as a procedure does), then reads the peak once (`?PC`).
Simulated time is the bench clock at the end; wall time is `time.perf_counter` around the
ramps, best of `--repeats`. The core's share is the wall time spent inside the gauge core's
own entry points (`advance_to`, `receive`, `take_output`, `next_event_s`, `start_ramp`,
`response_t_s`); the rest is the driver, its parser and the `sim://` port.

    python benchmarks/mark10_sim_speed.py --ramps 20 --repeats 3
"""

from __future__ import annotations

import argparse
import random
import sys
import time

import simulators
from drivers.mark10 import Mark10Gauge

ENTRY_POINTS = ("advance_to", "receive", "take_output", "next_event_s", "start_ramp")


class CoreTimer:
    """Wall time spent inside one core's entry points (outermost calls only)."""

    def __init__(self) -> None:
        self.spent_s = 0.0
        self._depth = 0

    def wrap(self, core) -> None:
        for name in ENTRY_POINTS:
            setattr(core, name, self._timed(getattr(core, name)))

    def _timed(self, method):
        def timed(*args, **kwargs):
            if self._depth:
                return method(*args, **kwargs)
            self._depth += 1
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.spent_s += time.perf_counter() - started
                self._depth -= 1

        return timed

    def response_t_s(self, core):
        started = time.perf_counter()
        try:
            return core.response_t_s
        finally:
            self.spent_s += time.perf_counter() - started


def run(ramps: int, seed: int) -> tuple[float, float, float, int]:
    """(simulated s, wall s, wall s inside the core, polls) for `ramps` ramps."""
    rng = random.Random(seed)
    simulated_s = wall_s = core_s = 0.0
    polls = 0
    for index in range(ramps):
        threshold_kpa, reaction_s = rng.uniform(150, 700), rng.uniform(0.2, 0.4)
        bench = simulators.Bench(seed=seed * 1000 + index)
        core = bench.device("mark10", threshold_kpa=f"{threshold_kpa:.3f}", reaction_s=f"{reaction_s:.3f}")
        timer = CoreTimer()
        timer.wrap(core)
        started = time.perf_counter()
        with Mark10Gauge.open(bench.url("mark10")) as gauge:
            core.start_ramp(bench.clock.now())
            for sample in gauge.poll(rate_hz=50.0, stop=lambda _: timer.response_t_s(core) is not None):
                polls += 1
                if not sample.ok:
                    raise RuntimeError(f"unexpected sample {sample}")
            peak = gauge.peak_compression()
        wall_s += time.perf_counter() - started
        core_s += timer.spent_s
        simulated_s += bench.clock.now()
        if not peak.ok or not peak.pressure_kpa >= threshold_kpa:
            raise RuntimeError(f"unexpected peak {peak} for a threshold of {threshold_kpa:.1f} kPa")
    return simulated_s, wall_s, core_s, polls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ramps", type=int, default=20, help="PPT ramps per run (default 20)")
    parser.add_argument("--repeats", type=int, default=3, help="runs; the fastest is reported (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="seed of thresholds and benches (default 1)")
    args = parser.parse_args()

    best = min((run(args.ramps, args.seed) for _ in range(args.repeats)), key=lambda r: r[1])
    simulated_s, wall_s, core_s, polls = best
    print(f"mark10 simulator speed: {args.ramps} PPT ramps via sim://, driver polling ?C at 50 Hz, best of {args.repeats}")
    print(f"{'figure':44} {'value':>10}")
    rows = [
        ("simulated s", f"{simulated_s:.1f}"),
        ("wall s", f"{wall_s:.3f}"),
        ("simulated s per wall s", f"{simulated_s / wall_s:.1f}"),
        ("polls", f"{polls}"),
        ("wall µs per poll (all in)", f"{wall_s / polls * 1e6:.1f}"),
        ("share of wall time inside the gauge core", f"{core_s / wall_s:.2f}"),
    ]
    for name, value in rows:
        print(f"{name:44} {value:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
