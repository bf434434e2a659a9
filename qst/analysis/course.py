"""Per participant across the study: every lab measure and the diary by phase, and the
primary outcome (baseline, endpoints, % change, reduction over placebo, responder)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qst.analysis.blinding import Blinding, phase_labels
from qst.analysis.diary import DiaryDay, DiaryPhase, diary_days, diary_phase
from qst.analysis.errors import AnalysisError
from qst.analysis.inputs import DiaryEntry, Participant, PhasePlan, Trial, trials_from_rows
from qst.analysis.outcome import PHASE_LAST, OutcomeSettings, is_responder, percent_change, reduction_over_placebo
from qst.analysis.visit_summary import VisitTestSummary, summarize_visits


@dataclass(frozen=True)
class LabPhaseValue:
    """One lab measure (test at site) in one phase: the visits there and their summaries
    (None where every trial was censored), and the phase's `value` in `unit` — the mean of
    the visits' summaries or the last one's, as the settings say."""

    test: str
    site: str
    unit: str
    phase_code: str
    phase_label: str
    visits: tuple[int, ...]
    visit_values: tuple[float | None, ...]
    value: float | None
    censored_trials: int
    flags: tuple[str, ...]


@dataclass(frozen=True)
class PrimaryOutcome:
    """The diary outcome: `baseline_rating` (0–100), each later phase's endpoint and %
    change by phase code, drug and placebo % change, the reduction over placebo (percentage
    points) and whether that makes a responder. None where it cannot be computed; `notes`
    say why."""

    baseline_rating: float | None
    endpoint_rating: Mapping[str, float | None]
    pct_change: Mapping[str, float | None]
    placebo_pct_change: float | None
    drug_pct_change: float | None
    reduction_over_placebo_pct: float | None
    responder: bool | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ParticipantCourse:
    """A participant's course through the study, blinded or not (`blinding`): phase labels
    by code, per-visit summaries, rated diary days, per-phase diary and lab values, the
    primary outcome, each visit's place on the study-day axis (`visit_days`), and the phase plan."""

    study: str
    participant: Participant
    blinding: Blinding
    phase_labels: Mapping[str, str]
    visits: tuple[VisitTestSummary, ...]
    visit_days: Mapping[int, float]
    diary: tuple[DiaryDay, ...]
    diary_phases: tuple[DiaryPhase, ...]
    lab_phases: tuple[LabPhaseValue, ...]
    outcome: PrimaryOutcome
    plan: PhasePlan = field(repr=False)
    settings: OutcomeSettings = field(repr=False)

    @property
    def measures(self) -> list[tuple[str, str]]:
        """(test, site) pairs in the order the visits met them."""
        return list(dict.fromkeys(v.measure for v in self.visits))

    def lab_value(self, test: str, site: str, phase_code: str) -> float | None:
        for lab in self.lab_phases:
            if (lab.test, lab.site, lab.phase_code) == (test, site, phase_code):
                return lab.value
        return None

    def diary_phase(self, phase_code: str) -> DiaryPhase:
        for phase in self.diary_phases:
            if phase.phase_code == phase_code:
                return phase
        raise AnalysisError(f"no phase {phase_code!r}")


def visit_positions(visits: Iterable[VisitTestSummary], participant: Participant, plan: PhasePlan) -> dict[int, float]:
    """Study day of each visit: from its date when known; otherwise spread evenly through
    its phase (so an undated visit still shows in the right phase, at an approximate day)."""
    dated: dict[int, float] = {}
    undated: dict[str, list[int]] = {}
    for v in visits:
        if v.visit_date is not None:
            dated.setdefault(v.visit, float(participant.study_day(v.visit_date)))
        elif v.visit not in dated:
            undated.setdefault(v.phase_code, [])
            if v.visit not in undated[v.phase_code]:
                undated[v.phase_code].append(v.visit)
    positions = dict(dated)
    for code, numbers in undated.items():
        numbers = [n for n in sorted(numbers) if n not in dated]
        try:
            phase = plan[code]
        except AnalysisError:
            continue
        step = phase.length_days / (len(numbers) + 1)
        for i, number in enumerate(numbers, start=1):
            positions[number] = phase.first_day + i * step
    return positions


def _lab_phases(visits: list[VisitTestSummary], plan: PhasePlan, labels: Mapping[str, str],
                settings: OutcomeSettings) -> list[LabPhaseValue]:
    result = []
    measures = list(dict.fromkeys(v.measure for v in visits))
    for test, site in measures:
        for phase in plan:
            here = sorted((v for v in visits if v.measure == (test, site) and v.phase_code == phase.code),
                          key=lambda v: v.visit)
            if not here:
                continue
            known = [v.value for v in here if v.value is not None]
            if settings.lab_phase_value == PHASE_LAST:
                value = here[-1].value
            else:
                value = statistics.fmean(known) if known else None
            result.append(
                LabPhaseValue(
                    test=test,
                    site=site,
                    unit=here[0].unit,
                    phase_code=phase.code,
                    phase_label=labels[phase.code],
                    visits=tuple(v.visit for v in here),
                    visit_values=tuple(v.value for v in here),
                    value=value,
                    censored_trials=sum(v.censored for v in here),
                    flags=tuple(sorted({f for v in here for f in v.flags})),
                )
            )
    return result


def primary_outcome(diary_by_phase: Mapping[str, DiaryPhase], settings: OutcomeSettings) -> PrimaryOutcome:
    """The outcome from per-phase diary summaries keyed by phase code."""
    notes: list[str] = []
    for code in (settings.baseline_phase, settings.placebo_phase, settings.drug_phase):
        if code not in diary_by_phase:
            raise AnalysisError(f"outcome settings name phase {code!r}, which the study does not have")
    baseline = diary_by_phase[settings.baseline_phase].mean_rating
    if baseline is None:
        notes.append(f"no diary ratings in phase {settings.baseline_phase}: no baseline")
    endpoints: dict[str, float | None] = {}
    changes: dict[str, float | None] = {}
    for code, phase in diary_by_phase.items():
        if code == settings.baseline_phase:
            continue
        endpoints[code] = phase.endpoint_rating
        changes[code] = None
        if phase.endpoint_rating is None:
            notes.append(
                f"phase {code}: {phase.endpoint_ratings} rating(s) in its last days "
                f"(days {phase.endpoint_first_day}–{phase.endpoint_last_day}): no endpoint"
            )
        elif baseline is not None:
            try:
                changes[code] = percent_change(baseline, phase.endpoint_rating)
            except AnalysisError as error:
                notes.append(str(error))
    placebo = changes.get(settings.placebo_phase)
    drug = changes.get(settings.drug_phase)
    reduction = reduction_over_placebo(drug, placebo) if drug is not None and placebo is not None else None
    responder = is_responder(reduction, settings.responder_threshold_pct) if reduction is not None else None
    return PrimaryOutcome(baseline, endpoints, changes, placebo, drug, reduction, responder,
                          tuple(dict.fromkeys(notes)))


def participant_course(
    participant: Participant,
    trials: Iterable[Trial | Mapping[str, Any]],
    diary: Iterable[DiaryEntry],
    plan: PhasePlan,
    settings: OutcomeSettings,
    *,
    study: str = "",
    unblind: bool = False,
) -> ParticipantCourse:
    """The participant's course; rows and entries of other participants are ignored."""
    blinding = Blinding.of(unblind)
    labels = phase_labels(plan, blinding)
    mine = [t for t in trials_from_rows(trials) if t.participant == participant.code]
    visits = summarize_visits(mine, plan, unblind=unblind)
    days = diary_days(diary, participant, plan)
    by_phase = {
        phase.code: diary_phase(days, phase, blinding, endpoint_days=settings.endpoint_days,
                                min_endpoint_ratings=settings.min_endpoint_ratings)
        for phase in plan
    }
    return ParticipantCourse(
        study=study or (mine[0].study if mine else ""),
        participant=participant,
        blinding=blinding,
        phase_labels=labels,
        visits=tuple(visits),
        visit_days=visit_positions(visits, participant, plan),
        diary=tuple(days),
        diary_phases=tuple(by_phase.values()),
        lab_phases=tuple(_lab_phases(visits, plan, labels, settings)),
        outcome=primary_outcome(by_phase, settings),
        plan=plan,
        settings=settings,
    )
