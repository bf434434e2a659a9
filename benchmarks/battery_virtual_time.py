"""Whole batteries in virtual time: wall seconds for a visit on the simulators.

Runs each shipped battery (optional tests included) on a virtual participant through the
unmodified drivers on `sim://` devices; median of N seeds. Prints, each with its limit and
ratio, the wall time against the goal and the speed (simulated s per wall s) against the
speed the goal asks for.

Limits: the goals are whole visits, `fibromyalgia-ldn` (13.2 simulated min) in 2 s of wall
time and `dfns` (6.4 simulated min) in 5 s; the speed limit is that visit length over that
wall time, 13.2 x 60 / 2 = 396 and 6.4 x 60 / 5 = 76.8 simulated s per wall s. The visit
length varies a little with the participant's responses, so the two ratios differ slightly.
Parts of a visit (`tcs2_core_speed.py`, `mark10_sim_speed.py`) are held to real time
instead: a visit's pace is an average that waiting and the 1 Hz idle stream carry.

    python benchmarks/battery_virtual_time.py [--seeds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import _report
from protocols.battery import shipped_battery
from protocols.records import RecordList
from qst.virtual import VirtualLab, VirtualPerson

GOALS = {"fibromyalgia-ldn": (13.2 * 60, 2.0), "dfns": (6.4 * 60, 5.0)}  # (simulated s, wall s)


def one_visit(name: str, seed: int) -> tuple[float, float, int]:
    battery = shipped_battery(name)
    plan = battery.plan(include_optional=True)
    with VirtualLab(VirtualPerson.draw(seed)) as lab:
        records = RecordList()
        runner = lab.runner(records, seed=seed, battery=name)
        started_s, started_wall = lab.clock.now(), time.perf_counter()
        stops = runner.run_plan(plan)
        wall_s = time.perf_counter() - started_wall
        return wall_s, lab.clock.now() - started_s, sum(1 for s in stops if s.exit_status.value == "completed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    _report.start(f"whole visits in virtual time, median of {args.seeds} seeds")
    for name, (goal_simulated_s, goal_wall_s) in GOALS.items():
        runs = [one_visit(name, seed) for seed in range(args.seeds)]
        wall_s = statistics.median(r[0] for r in runs)
        simulated_s = statistics.median(r[1] for r in runs)
        print(f"{name}: {runs[0][2]} trials completed (seed 0), {simulated_s / 60:.1f} simulated min, "
              f"{wall_s:.2f} s wall")
        _report.figure(f"{name} wall", wall_s, "s", goal_wall_s, digits=2)
        _report.figure(f"{name} speed", simulated_s / wall_s, "simulated s per wall s", goal_simulated_s / goal_wall_s,
                       _report.HIGHER, digits=1)
    _report.finish()

if __name__ == "__main__":
    main()
