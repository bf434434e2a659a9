"""A participant's symptom diary by study day and by phase: mean and endpoint ratings (0–100)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from qst.analysis.blinding import Blinding, phase_label
from qst.analysis.inputs import DiaryEntry, Participant, Phase, PhasePlan


@dataclass(frozen=True)
class DiaryDay:
    """One calendar day's rating (0–100; the mean when a day holds several entries), its
    study day (days from enrolment) and phase (None outside every phase)."""

    day: date
    study_day: int
    phase_code: str | None
    rating: float
    entries: int


def diary_days(entries: Iterable[DiaryEntry], participant: Participant, plan: PhasePlan) -> list[DiaryDay]:
    """The participant's rated days in date order."""
    by_day: dict[date, list[float]] = {}
    for entry in entries:
        if entry.participant == participant.code:
            by_day.setdefault(entry.day, []).append(entry.rating)
    days = []
    for day in sorted(by_day):
        study_day = participant.study_day(day)
        phase = plan.phase_on(study_day)
        ratings = by_day[day]
        days.append(DiaryDay(day, study_day, phase.code if phase else None, statistics.fmean(ratings), len(ratings)))
    return days


@dataclass(frozen=True)
class DiaryPhase:
    """The diary over one phase: `days_rated` of `days_in_phase`; `mean_rating` over all
    rated days; `endpoint_rating` over the rated days among the phase's last
    `endpoint_days` calendar days (study days `endpoint_first_day`..`endpoint_last_day`),
    None when fewer than the settings' minimum were rated there."""

    phase_code: str
    phase_label: str
    days_in_phase: int
    days_rated: int
    mean_rating: float | None
    endpoint_rating: float | None
    endpoint_ratings: int
    endpoint_first_day: int
    endpoint_last_day: int


def endpoint_window(phase: Phase, endpoint_days: int) -> tuple[int, int]:
    """First and last study day of the phase's endpoint window (the whole phase if shorter)."""
    return max(phase.first_day, phase.last_day - endpoint_days + 1), phase.last_day


def diary_phase(days: list[DiaryDay], phase: Phase, blinding: Blinding, *, endpoint_days: int = 3,
                min_endpoint_ratings: int = 1) -> DiaryPhase:
    inside = [d.rating for d in days if phase.contains(d.study_day)]
    first, last = endpoint_window(phase, endpoint_days)
    window = [d.rating for d in days if first <= d.study_day <= last]
    return DiaryPhase(
        phase_code=phase.code,
        phase_label=phase_label(phase, blinding),
        days_in_phase=phase.length_days,
        days_rated=len(inside),
        mean_rating=statistics.fmean(inside) if inside else None,
        endpoint_rating=statistics.fmean(window) if len(window) >= min_endpoint_ratings and window else None,
        endpoint_ratings=len(window),
        endpoint_first_day=first,
        endpoint_last_day=last,
    )
