"""Virtual-time speed: a 32 -> 45 °C ramp at 1 °C/s through `sim://`, driver streaming.

Prints the wall time of the whole stimulation (rise, return, back at neutral; goal under
0.5 s), the simulated seconds per wall second, and the slope of the streamed trace over
the rise after the lag (goal 1.00 ± 0.02 °C/s).

    python benchmarks/tcs2_virtual_ramp.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

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
    runs = [one_ramp(seed) for seed in range(args.repeats)]
    wall = statistics.median(r[0] for r in runs)
    simulated = statistics.median(r[1] for r in runs)
    slopes = [r[2] for r in runs]
    print(f"32 -> 45 °C at 1 °C/s in virtual time, median of {args.repeats}")
    print(f"  wall {wall * 1000:.0f} ms for {simulated:.1f} simulated s; wall / goal ({GOAL_WALL_S} s): {wall / GOAL_WALL_S:.2f}")
    print(f"  speed {simulated / wall:.0f} simulated s per wall s")
    print(f"  slope {min(slopes):.4f}–{max(slopes):.4f} °C/s; worst |slope − 1| / 0.02: {max(abs(s - 1) for s in slopes) / 0.02:.2f}")


if __name__ == "__main__":
    main()
