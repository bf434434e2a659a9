"""How fast the simulated TCS II runs in virtual time. Prints figures; passes or fails nothing.

    python benchmarks/tcs2_core_speed.py
"""

from __future__ import annotations

import time

import serial

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


if __name__ == "__main__":
    print(f"20 s stimulation, 100 Hz lines, core:      {best_of(5, stimulation_20_s) * 1e3:7.2f} ms wall")
    print(f"30 min idle, 1 Hz lines, core:             {best_of(5, idle_30_min) * 1e3:7.2f} ms wall")
    print(f"20 s stimulation read through sim:// port: {best_of(5, stimulation_through_sim_port) * 1e3:7.2f} ms wall")
