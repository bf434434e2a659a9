"""How fast the simulated Mark-10 runs a PPT ramp in virtual time: simulated s per wall s.

Each ramp is a fresh bench (`sim://`, virtual clock) with the 100 N gauge, the examiner at
50 kPa/s with his wobble and tremor, and a participant whose threshold is drawn from
150-700 kPa (reaction 0.2-0.4 s). The unmodified driver polls `?C` at 50 Hz from contact
until the participant's response (as a procedure does), then reads the peak once (`?PC`).
Simulated time is the bench clock at the end; wall time is `time.perf_counter` around the
ramps, best of `--repeats`. With `--breakdown`, one more run times the gauge core's own entry
points (`advance_to`, `receive`, `take_output`, `next_event_s`, `start_ramp`,
`response_t_s`) to give the core's share of the wall time; the rest is the driver, its
parser and the `sim://` port. That run is slower (the timing wrappers cost a little per
call) and is not the one the speed figures come from; the part of the wrappers' cost that
falls inside the timed calls (measured on a call that does nothing) is taken off.

Limit: real time (`_report.REAL_TIME`, 1 simulated s per wall s), which the pty host
needs the gauge to keep up with; the ratio is the headroom. (The whole visit's pace in
virtual time is `battery_virtual_time.py`'s figure.)

    python benchmarks/mark10_sim_speed.py --ramps 20 --repeats 3 --breakdown
"""

from __future__ import annotations

import argparse
import random
import sys
import time

import _report
import simulators
from drivers.mark10 import Mark10Gauge

ENTRY_POINTS = ("advance_to", "receive", "take_output", "next_event_s", "start_ramp")


class CoreTimer:
    """Wall time spent inside one core's entry points (outermost calls only)."""

    def __init__(self) -> None:
        self.spent_s = 0.0
        self.calls = 0
        self._depth = 0

    def wrap(self, core) -> None:
        for name in ENTRY_POINTS:
            setattr(core, name, self._timed(getattr(core, name)))

    def _timed(self, method):
        def timed(*args, **kwargs):
            if self._depth:
                return method(*args, **kwargs)
            self._depth += 1
            self.calls += 1
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.spent_s += time.perf_counter() - started
                self._depth -= 1

        return timed

    def response_t_s(self, core):
        self.calls += 1
        started = time.perf_counter()
        try:
            return core.response_t_s
        finally:
            self.spent_s += time.perf_counter() - started


def timer_overhead_s(calls: int = 200_000) -> float:
    """Wall time a timed call to a method that does nothing shows inside the timer."""

    class Idle:
        def advance_to(self, *args): ...

    idle, timer = Idle(), CoreTimer()
    timed = timer._timed(idle.advance_to)
    for _ in range(calls):
        timed(0.0)
    return timer.spent_s / calls


def run(ramps: int, seed: int, breakdown: bool = False) -> tuple[float, float, float, int]:
    """(simulated s, wall s, wall s inside the core (0 without `breakdown`), polls)."""
    rng = random.Random(seed)
    overhead_s = timer_overhead_s() if breakdown else 0.0
    simulated_s = wall_s = core_s = 0.0
    polls = 0
    for index in range(ramps):
        threshold_kpa, reaction_s = rng.uniform(150, 700), rng.uniform(0.2, 0.4)
        bench = simulators.Bench(seed=seed * 1000 + index)
        core = bench.device("mark10", threshold_kpa=f"{threshold_kpa:.3f}", reaction_s=f"{reaction_s:.3f}")
        timer = CoreTimer()
        if breakdown:
            timer.wrap(core)
        response_t_s = (lambda: timer.response_t_s(core)) if breakdown else (lambda: core.response_t_s)
        started = time.perf_counter()
        with Mark10Gauge.open(bench.url("mark10")) as gauge:
            core.start_ramp(bench.clock.now())
            for sample in gauge.poll(rate_hz=50.0, stop=lambda _: response_t_s() is not None):
                polls += 1
                if not sample.ok:
                    raise RuntimeError(f"unexpected sample {sample}")
            peak = gauge.peak_compression()
        wall_s += time.perf_counter() - started
        core_s += timer.spent_s - timer.calls * overhead_s
        simulated_s += bench.clock.now()
        if not peak.ok or not peak.pressure_kpa >= threshold_kpa:
            raise RuntimeError(f"unexpected peak {peak} for a threshold of {threshold_kpa:.1f} kPa")
    return simulated_s, wall_s, core_s, polls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ramps", type=int, default=20, help="PPT ramps per run (default 20)")
    parser.add_argument("--repeats", type=int, default=3, help="runs; the fastest is reported (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="seed of thresholds and benches (default 1)")
    parser.add_argument("--breakdown", action="store_true", help="one more run, timing the core's share")
    args = parser.parse_args()

    _report.start(f"mark10 simulator speed: {args.ramps} PPT ramps via sim://, driver polling ?C at 50 Hz, "
                  f"best of {args.repeats}")
    best = min((run(args.ramps, args.seed) for _ in range(args.repeats)), key=lambda r: r[1])
    simulated_s, wall_s, core_s, polls = best
    print(f"{simulated_s:.1f} simulated s in {wall_s:.3f} s wall, {polls} polls")
    _report.figure("speed", simulated_s / wall_s, "simulated s per wall s", _report.REAL_TIME, _report.HIGHER, 1)
    _report.context("wall per poll (all in)", wall_s / polls * 1e6, "µs", 1)
    if args.breakdown:
        _, timed_wall_s, core_s, _ = run(args.ramps, args.seed, breakdown=True)
        _report.context("share of wall time inside the gauge core", core_s / timed_wall_s, "", 2)
    _report.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
