"""How fast the simulated TCS II runs in virtual time: simulated s per wall s, best of 5.

Three cases: a 20 s stimulation with 100 Hz lines, the core alone (23 simulated s); 30 min
idle with 1 Hz lines, the core alone; the same stimulation read line by line through a
`sim://` port. Limit: real time (`_report.REAL_TIME`, 1 simulated s per wall s), which
the pty host needs the core to keep up with; the ratio is the headroom.

    python benchmarks/tcs2_core_speed.py
"""

from __future__ import annotations

import time

import serial

import _report
import simulators
from simulators.tcs2 import create_core


def best_of(runs: int, measure) -> float:
    return min(measure() for _ in range(runs))


def stimulation_20_s() -> float:
    """A 20 s stimulation (13 s ramp, plateau, return) with 100 Hz lines, core alone."""
    core = create_core(3, {})
    core.receive(b"C0450V00010R00050D020000L", 100.0)
    start = time.perf_counter()
    core.advance_to(123.0)
    elapsed = time.perf_counter() - start
    assert core.frames_sent >= 2250 and core.phase == "idle"
    return elapsed


def idle_30_min() -> float:
    """30 minutes between stimulations with 1 Hz lines, core alone."""
    core = create_core(3, {})
    core.advance_to(0.0)
    start = time.perf_counter()
    core.advance_to(1800.0)
    elapsed = time.perf_counter() - start
    assert core.frames_sent == 1801
    return elapsed


def stimulation_through_sim_port() -> float:
    """The same 20 s stimulation read line by line through a sim:// port."""
    bench = simulators.Bench(seed=3)
    port = serial.serial_for_url(bench.url("tcs2"), timeout=1.0)
    start = time.perf_counter()
    port.write(b"C0450V00010R00050D020000L")
    while bench.clock.now() < 23.0:
        port.read(24)
    elapsed = time.perf_counter() - start
    port.close()
    return elapsed


CASES = (
    ("20 s stimulation, 100 Hz lines, core", stimulation_20_s, 23.0),
    ("30 min idle, 1 Hz lines, core", idle_30_min, 1800.0),
    ("20 s stimulation read through a sim:// port", stimulation_through_sim_port, 23.0),
)


def main() -> None:
    _report.start("tcs2 simulator speed in virtual time, best of 5")
    for name, measure, simulated_s in CASES:
        wall_s = best_of(5, measure)
        print(f"{name}: {wall_s * 1e3:.2f} ms wall for {simulated_s:g} simulated s")
        _report.figure(f"{name}, speed", simulated_s / wall_s, "simulated s per wall s", _report.REAL_TIME,
                       _report.HIGHER, digits=0)
    _report.finish()


if __name__ == "__main__":
    main()
