"""`qst demo`: the first study's lab visit, run headless on the simulators in virtual time."""

from __future__ import annotations

import time

from rich.console import Console
from rich.table import Table

from protocols.battery import shipped_battery
from protocols.records import RecordList
from qst.summary import summarize
from qst.virtual import VirtualLab, VirtualPerson

BATTERY = "fibromyalgia-ldn"


def run_demo(seed: int = 3, console: Console | None = None) -> RecordList:
    """Run the `fibromyalgia-ldn` battery (cold pressor included) on a virtual participant."""
    console = console or Console()
    battery = shipped_battery(BATTERY)
    person = VirtualPerson.draw(seed)
    records = RecordList()
    started = time.perf_counter()
    with VirtualLab(person) as lab:
        console.print(f"[bold]qst demo[/bold] — {battery.title}, on simulated devices in virtual time")
        for device, fields in lab.devices.identities().items():
            console.print(f"{device}: " + ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in fields.items()))
        runner = lab.runner(records, seed=seed, battery=battery.name)
        plan = battery.plan(include_optional=True)
        stops = runner.run_plan(plan)
        simulated_s = lab.clock.now()
    wall_s = time.perf_counter() - started
    table = Table(title=f"Visit summary — virtual participant {seed}")
    for column in ("test", "site", "trials", "value", "true", "flags"):
        table.add_column(column, justify="right" if column in ("value", "true") else "left")
    truth = {
        "PPT": f"{person.ppt_kpa:.0f} kPa",
        "HPT": f"{person.thermal.hpt_c:.1f} °C",
        "CPT": f"{person.thermal.cpt_c:.1f} °C",
        "CPR": f"{person.tolerance_s:.0f} s" if person.tolerance_s is not None else "—",
    }
    for summary in summarize(records.starts(), records.stops()):
        trials = ", ".join(f"{value:.1f}" for value in summary.values)
        value = "—" if summary.summary is None else f"{summary.summary:.1f} {summary.unit}"
        table.add_row(summary.test, summary.site, trials, value, truth.get(summary.test, ""), ", ".join(summary.flags))
    console.print(table)
    console.print(
        f"{len(stops)} of {len(plan)} trials, {sum(1 for s in stops if s.exit_status.value == 'completed')} completed; "
        f"{simulated_s / 60:.1f} simulated minutes in {wall_s:.2f} s"
    )
    return records
