"""How every benchmark prints: a figure beside its limit, the ratio, and the machine's load.

    figure("abort p99", 0.8, "ms", 1.0, LOWER)
    -> abort p99: 0.800 ms (limit 1.000 ms, ratio 0.80; ≤ 1 meets it)

Ratio is always value / limit; `good` says which way is good. The machine line (CPUs and
load average, from `os.getloadavg`) goes at the start and the end of a run: on a shared
machine a figure says as much about the neighbours as about qst.
"""

from __future__ import annotations

import os

LOWER = "≤ 1 meets it"
HIGHER = "≥ 1 meets it"
ONE = "1 is the goal"
CEILING = "1 is the ceiling, nearer is better"
FLOOR = "1 is the floor, nearer is better"

REAL_TIME = 1.0
"""Simulated s per wall s of real time: the pty host runs a core on the wall clock, so a
core (or the stack above it) must at least keep up; the ratio is the headroom."""


def machine() -> str:
    """CPU count and load average (1, 5, 15 min)."""
    if not hasattr(os, "getloadavg"):
        return f"{os.cpu_count()} CPUs, load average unknown"
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def start(title: str) -> None:
    print(title)
    print(f"machine at start: {machine()}")


def finish() -> None:
    print(f"machine at end: {machine()}")


def figure(name: str, value: float, unit: str, limit: float, good: str = LOWER, digits: int = 3) -> float:
    """Print `name: value unit (limit L unit, ratio R; which way is good)`; returns the ratio."""
    unit = f" {unit}" if unit else ""
    ratio = value / limit
    places = 4 if good == ONE else 0 if abs(ratio) >= 100 else 2
    print(f"{name}: {value:,.{digits}f}{unit} (limit {limit:,.{digits}f}{unit}, ratio {ratio:,.{places}f}; {good})")
    return ratio


def context(name: str, value: float, unit: str, digits: int = 3) -> None:
    """A figure printed for context only, with no limit of its own."""
    unit = f" {unit}" if unit else ""
    print(f"{name}: {value:,.{digits}f}{unit} (context, no limit)")


def percentile(values: list[float], fraction: float) -> float:
    """The value at `fraction` (0–1) of the sorted values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]

