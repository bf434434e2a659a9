"""Per visit: each test and site's trials combined as the test defines, with censored counts and flags.

Only completed trials count. Censored trials (cut-off or ceiling reached) are counted and
flagged, never averaged in as thresholds. A test's trials combine by its `summary` in
`protocols.procedures.TESTS` ("mean" or "geometric_mean"); an unknown test by the mean.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from protocols.procedures import TESTS
from qst.analysis.blinding import Blinding, phase_labels
from qst.analysis.inputs import PhasePlan, Trial, trials_from_rows

SPREAD_FLAG_FRACTION = 0.25
"""A test's trials whose range exceeds this fraction of their summary are flagged "large_spread"."""

MEAN = "mean"
GEOMETRIC_MEAN = "geometric_mean"


def summary_kind(test: str) -> str:
    """How `test`'s trials combine: "mean" or "geometric_mean"."""
    kind = TESTS.get(test)
    return kind.summary if kind is not None else MEAN


def combine(kind: str, values: Iterable[float]) -> float | None:
    """Mean or geometric mean of `values`; None when there are none, or when a geometric
    mean meets a value ≤ 0 (it has none)."""
    values = list(values)
    if not values:
        return None
    if kind == GEOMETRIC_MEAN:
        if any(v <= 0 for v in values):
            return None
        return math.exp(statistics.fmean(math.log(v) for v in values))
    return statistics.fmean(values)


@dataclass(frozen=True)
class VisitTestSummary:
    """One test at one site at one visit.

    `trials`: rows seen (any exit status); `completed`: those that count; `values`: the
    completed, uncensored values in `unit`; `censored`: completed trials that reached the
    cut-off; `value`: `values` combined by `kind` (None when nothing uncensored).
    `flags`: "censored", "all_censored", "incomplete" (a trial did not complete),
    "large_spread", "no_geometric_mean" (a value ≤ 0), "mixed_units".
    """

    study: str
    participant: str
    visit: int
    visit_date: date | None
    phase_code: str
    phase_label: str
    test: str
    site: str
    unit: str
    trials: int
    completed: int
    values: tuple[float, ...]
    censored: int
    kind: str
    value: float | None
    flags: tuple[str, ...]
    blinding: Blinding

    @property
    def measure(self) -> tuple[str, str]:
        return (self.test, self.site)


def _flags(group: list[Trial], done: list[Trial], values: list[float], kind: str, value: float | None,
           spread_fraction: float) -> tuple[str, ...]:
    flags = set()
    censored = sum(1 for t in done if t.censored)
    if censored:
        flags.add("censored")
        if not values:
            flags.add("all_censored")
    if len(done) < len(group):
        flags.add("incomplete")
    if kind == GEOMETRIC_MEAN and values and value is None:
        flags.add("no_geometric_mean")
    if len({t.unit for t in done}) > 1:
        flags.add("mixed_units")
    if len(values) >= 2 and value is not None and abs(value) > 0:
        if max(values) - min(values) > spread_fraction * abs(value):
            flags.add("large_spread")
    return tuple(sorted(flags))


def summarize_visits(
    trials: Iterable[Trial | Mapping[str, Any]],
    plan: PhasePlan | None = None,
    *,
    unblind: bool = False,
    spread_flag_fraction: float = SPREAD_FLAG_FRACTION,
) -> list[VisitTestSummary]:
    """One summary per (participant, visit, test, site), in the order the rows first meet them.

    `plan` gives phase labels when `unblind` is True; without it phases show by code.
    """
    blinding = Blinding.of(unblind)
    labels = phase_labels(plan, blinding) if plan is not None else {}
    groups: dict[tuple[str, str, int, str, str], list[Trial]] = {}
    for trial in trials_from_rows(trials):
        groups.setdefault((trial.study, trial.participant, trial.visit, trial.test, trial.site), []).append(trial)
    summaries = []
    for (study, participant, visit, test, site), group in groups.items():
        done = [t for t in group if t.completed]
        values = [t.value for t in done if not t.censored and t.value is not None]
        kind = summary_kind(test)
        value = combine(kind, values)
        first = group[0]
        unit = done[0].unit if done else first.unit
        dates = [t.visit_date for t in group if t.visit_date is not None]
        summaries.append(
            VisitTestSummary(
                study=study,
                participant=participant,
                visit=visit,
                visit_date=min(dates) if dates else None,
                phase_code=first.phase_code,
                phase_label=labels.get(first.phase_code, first.phase_code),
                test=test,
                site=site,
                unit=unit,
                trials=len(group),
                completed=len(done),
                values=tuple(values),
                censored=sum(1 for t in done if t.censored),
                kind=kind,
                value=value,
                flags=_flags(group, done, values, kind, value, spread_flag_fraction),
                blinding=blinding,
            )
        )
    return summaries
