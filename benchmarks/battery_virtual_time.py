"""Whole batteries in virtual time: wall seconds for a visit on the simulators.

Runs each shipped battery (optional tests included) on a virtual participant through the
unmodified drivers on `sim://` devices, and prints wall time against the goal (fibromyalgia-ldn
under 2 s, dfns under 5 s) and simulated seconds per wall second. Median of N seeds.

    python benchmarks/battery_virtual_time.py [--seeds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from protocols.battery import shipped_battery
from protocols.records import RecordList
from qst.virtual import VirtualLab, VirtualPerson

GOALS_S = {"fibromyalgia-ldn": 2.0, "dfns": 5.0}


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
    for name, goal_s in GOALS_S.items():
        runs = [one_visit(name, seed) for seed in range(args.seeds)]
        wall = statistics.median(r[0] for r in runs)
        simulated = statistics.median(r[1] for r in runs)
        print(
            f"{name}: {runs[0][2]} trials, wall {wall:.2f} s for {simulated / 60:.1f} simulated min "
            f"({simulated / wall:.0f}× real time); wall / goal ({goal_s:g} s): {wall / goal_s:.2f}"
        )


if __name__ == "__main__":
    main()
