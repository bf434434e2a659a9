"""Per-test summaries of a visit's trials: what a technician reads at the end of a visit.

Trials combine as their test defines (mean, or geometric mean for filament thresholds);
censored trials count and are flagged, never averaged in as thresholds; a large spread
between trials is flagged.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from protocols.procedures import TESTS
from protocols.records import ExitStatus, RunStart, RunStop

SPREAD_FLAG_FRACTION = 0.25
"""Trials of one test and site whose range exceeds this fraction of their mean are flagged."""


@dataclass(frozen=True)
class TestSummary:
    test: str
    site: str
    unit: str
    values: tuple[float, ...]
    censored: int
    incomplete: int
    summary: float | None
    flags: tuple[str, ...]


def combine(test: str, values: list[float]) -> float | None:
    if not values:
        return None
    kind = TESTS.get(test)
    if kind is not None and kind.summary == "geometric_mean" and all(v > 0 for v in values):
        return math.exp(statistics.fmean(math.log(v) for v in values))
    return statistics.fmean(values)


def summarize(starts: list[RunStart], stops: list[RunStop]) -> list[TestSummary]:
    """One summary per (test, site), in the order the visit met them."""
    by_run = {stop.run_id: stop for stop in stops}
    order: list[tuple[str, str]] = []
    groups: dict[tuple[str, str], list[RunStop | None]] = {}
    for start in starts:
        key = (start.test, start.site)
        if key not in groups:
            order.append(key)
            groups[key] = []
        groups[key].append(by_run.get(start.run_id))
    summaries = []
    for test, site in order:
        runs = groups[(test, site)]
        done = [run for run in runs if run is not None and run.exit_status is ExitStatus.COMPLETED and run.result]
        uncensored = [run.result.value for run in done if not run.result.censored and run.result.value is not None]
        censored = sum(1 for run in done if run.result.censored)
        flags: set[str] = set()
        for run in done:
            flags.update(run.result.flags)
        if censored and not any(flag.startswith("censored_") for flag in flags):
            flags.add("censored")  # only when no trial said where it was censored
        value = combine(test, uncensored)
        if len(uncensored) >= 2 and value:
            spread = max(uncensored) - min(uncensored)
            if abs(value) > 0 and spread > SPREAD_FLAG_FRACTION * abs(value):
                flags.add("large_spread")
        unit = done[0].result.unit if done else (TESTS[test].unit if test in TESTS else "")
        summaries.append(
            TestSummary(
                test=test,
                site=site,
                unit=unit,
                values=tuple(run.result.value for run in done if run.result.value is not None),
                censored=censored,
                incomplete=len(runs) - len(done),
                summary=value,
                flags=tuple(sorted(flags)),
            )
        )
    return summaries
