"""Virtual-time speed: a 32 -> 45 °C ramp at 1 °C/s through `sim://`, driver streaming.

Prints, each with its limit and ratio: the wall time of the whole stimulation (rise,
return, back at neutral); the simulated seconds per wall second; and the slope of the
streamed trace over the rise after the lag.

Limits: wall under 0.5 s, the goal for one stimulation in a test (suites run hundreds);
speed against real time (`_report.REAL_TIME`: the headroom); slope 1.00 ± 0.02 °C/s, the
commanded rate (2 % of the 13 s rise is 0.26 °C), the ratio being the worst
|slope - 1| over 0.02. A streamed stimulation is the slowest part of a visit in virtual
time; the whole visit's pace is `battery_virtual_time.py`'s figure.

    python benchmarks/tcs2_virtual_ramp.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import _report
import simulators
from drivers.tcs2.driver import Stimulus, Tcs2

GOAL_WALL_S = 0.5


def slope(points: list[tuple[float, float]]) -> float:
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_c = sum(c for _, c in points) / n
    return sum((t - mean_t) * (c - mean_c) for t, c in points) / sum((t - mean_t) ** 2 for t, _ in points)


def one_ramp(seed: int) -> tuple[float, float, float]:
    bench = simulators.Bench(seed=seed)
    with Tcs2.open(bench.url("tcs2")) as thermode:
        started_wall = time.perf_counter()
        started_s = thermode.clock.now()
        thermode.stimulate(Stimulus(target_c=45.0, ramp_c_per_s=1.0, return_c_per_s=5.0))
        trace = thermode.wait_until_idle()
        wall_s = time.perf_counter() - started_wall
        simulated_s = thermode.clock.now() - started_s
    rise = [(s.t_s - started_s, sum(s.zones_c) / 5) for s in trace if 1.0 <= s.t_s - started_s <= 12.0]
    return wall_s, simulated_s, slope(rise)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    _report.start(f"32 -> 45 °C at 1 °C/s in virtual time, median of {args.repeats}")
    runs = [one_ramp(seed) for seed in range(args.repeats)]
    wall_s = statistics.median(r[0] for r in runs)
    simulated_s = statistics.median(r[1] for r in runs)
    slopes = [r[2] for r in runs]
    print(f"{simulated_s:.1f} simulated s; slopes {min(slopes):.4f}–{max(slopes):.4f} °C/s")
    _report.figure("whole stimulation, wall", wall_s * 1000, "ms", GOAL_WALL_S * 1000, digits=0)
    _report.figure("speed", simulated_s / wall_s, "simulated s per wall s", _report.REAL_TIME, _report.HIGHER, digits=0)
    _report.figure("worst |slope - 1 °C/s|", max(abs(s - 1) for s in slopes), "°C/s", 0.02, digits=4)
    _report.finish()

if __name__ == "__main__":
    main()
