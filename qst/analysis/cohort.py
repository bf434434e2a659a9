"""Cohort: a row per participant, per-phase means with t-based confidence intervals, drug
vs placebo paired comparisons (Wilcoxon signed-rank and paired t), and the regression of
the drug response on a baseline lab value (such as ESR)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qst.analysis.blinding import Blinding, phase_labels
from qst.analysis.course import ParticipantCourse, participant_course
from qst.analysis.inputs import DiaryEntry, Participant, PhasePlan, Trial, trials_from_rows
from qst.analysis.outcome import OutcomeSettings
from qst.analysis.stats import MeanCI, PairedComparison, Regression, linear_regression, mean_ci, paired_comparison

DIARY = "diary"
RATING_UNIT = "0–100"
PCT_UNIT = "%"
PP_UNIT = "percentage points"


@dataclass(frozen=True)
class CohortRow:
    """One participant: sex, age at enrolment (years, ±1), the predictor lab value, the
    baseline rating (0–100), % change by phase code, reduction over placebo (percentage
    points), responder."""

    participant: str
    sex: str
    age_years: int
    predictor: float | None
    predictor_unit: str
    baseline_rating: float | None
    pct_change: Mapping[str, float | None]
    reduction_over_placebo_pct: float | None
    responder: bool | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class PhaseEstimate:
    """The cohort's mean of `measure` in one phase with its confidence interval; `measure`
    is "diary rating" (phase mean), "diary endpoint", "diary % change", or "TEST site"."""

    measure: str
    unit: str
    phase_code: str
    phase_label: str
    ci: MeanCI


@dataclass(frozen=True)
class MeasureComparison:
    """Drug phase vs placebo phase for one measure, paired by participant (difference =
    drug − placebo). `label` names the phases as the blinding allows."""

    measure: str
    unit: str
    placebo_phase: str
    drug_phase: str
    label: str
    comparison: PairedComparison


@dataclass(frozen=True)
class ResponseRegression:
    """Drug response (reduction over placebo, percentage points) regressed on the baseline
    `predictor` lab value (in `predictor_unit`); `points` are (participant, x, y)."""

    predictor: str
    predictor_unit: str
    response_label: str
    regression: Regression
    points: tuple[tuple[str, float, float], ...]


@dataclass(frozen=True)
class CohortReport:
    """Everything the cohort pages show; `blinding` says whether phases appear by code only."""

    study: str
    blinding: Blinding
    phase_labels: Mapping[str, str]
    plan: PhasePlan
    settings: OutcomeSettings
    courses: tuple[ParticipantCourse, ...]
    rows: tuple[CohortRow, ...]
    phase_estimates: tuple[PhaseEstimate, ...]
    comparisons: tuple[MeasureComparison, ...]
    regression: ResponseRegression
    notes: tuple[str, ...] = field(default=())

    @property
    def responders(self) -> int:
        return sum(1 for row in self.rows if row.responder)

    @property
    def evaluable(self) -> int:
        """Participants with a reduction over placebo."""
        return sum(1 for row in self.rows if row.reduction_over_placebo_pct is not None)

    def comparison(self, measure: str) -> MeasureComparison:
        for c in self.comparisons:
            if c.measure == measure:
                return c
        raise KeyError(measure)

    def estimates(self, measure: str) -> list[PhaseEstimate]:
        return [e for e in self.phase_estimates if e.measure == measure]

    def table(self) -> list[dict[str, Any]]:
        """The per-participant table as dicts, with column names the blinding allows."""
        s = self.settings
        reduction = reduction_column(self.blinding, s)
        # The same columns in every row, whoever lacks a lab or a phase's change.
        units = sorted({row.predictor_unit for row in self.rows if row.predictor is not None})
        one_unit = len(units) == 1
        predictor = f"{s.predictor_lab} ({units[0]})" if one_unit else s.predictor_lab
        changed = [code for code in self.plan.codes if any(code in row.pct_change for row in self.rows)]
        rows = []
        for row in self.rows:
            value: Any = row.predictor
            if value is not None and not one_unit:
                value = f"{value:g} {row.predictor_unit}"  # several units: each value says its own
            out: dict[str, Any] = {
                "participant": row.participant,
                "sex": row.sex,
                "age_years": row.age_years,
                predictor: value,
                "baseline rating (0–100)": row.baseline_rating,
            }
            for code in changed:
                out[f"% change {self.phase_labels[code]}"] = row.pct_change.get(code)
            out[reduction] = row.reduction_over_placebo_pct
            out[f"responder (≥{s.responder_threshold_pct:g} pp)"] = row.responder
            rows.append(out)
        return rows


def reduction_column(blinding: Blinding, settings: OutcomeSettings) -> str:
    if blinding.unblinded:
        return "reduction over placebo (pp)"
    return f"reduction {settings.drug_phase} vs {settings.placebo_phase} (pp)"


def comparison_label(blinding: Blinding, settings: OutcomeSettings) -> str:
    if blinding.unblinded:
        return f"drug ({settings.drug_phase}) − placebo ({settings.placebo_phase})"
    return f"{settings.drug_phase} − {settings.placebo_phase}"


def _row(course: ParticipantCourse, settings: OutcomeSettings) -> CohortRow:
    p = course.participant
    lab = p.labs.get(settings.predictor_lab)
    o = course.outcome
    return CohortRow(
        participant=p.code,
        sex=p.sex,
        age_years=p.age_on(p.enrolled_on),
        predictor=float(lab[0]) if lab else None,
        predictor_unit=lab[1] if lab else "",
        baseline_rating=o.baseline_rating,
        pct_change=dict(o.pct_change),
        reduction_over_placebo_pct=o.reduction_over_placebo_pct,
        responder=o.responder,
        notes=o.notes,
    )


def _estimates(courses: Sequence[ParticipantCourse], plan: PhasePlan, labels: Mapping[str, str],
               settings: OutcomeSettings) -> list[PhaseEstimate]:
    out = []

    def add(measure: str, unit: str, code: str, values: Iterable[float | None]) -> None:
        known = [v for v in values if v is not None]
        out.append(PhaseEstimate(measure, unit, code, labels[code], mean_ci(known, settings.confidence)))

    for phase in plan:
        add("diary rating", RATING_UNIT, phase.code, (c.diary_phase(phase.code).mean_rating for c in courses))
    for phase in plan:
        add("diary endpoint", RATING_UNIT, phase.code, (c.diary_phase(phase.code).endpoint_rating for c in courses))
    for phase in plan:
        if phase.code != settings.baseline_phase:
            add("diary % change", PCT_UNIT, phase.code, (c.outcome.pct_change.get(phase.code) for c in courses))
    for test, site, unit in _measures(courses):
        for phase in plan:
            values = [c.lab_value(test, site, phase.code) for c in courses]
            if any(v is not None for v in values):
                add(f"{test} {site}", unit, phase.code, values)
    return out


def _measures(courses: Sequence[ParticipantCourse]) -> list[tuple[str, str, str]]:
    seen: dict[tuple[str, str], str] = {}
    for course in courses:
        for lab in course.lab_phases:
            seen.setdefault((lab.test, lab.site), lab.unit)
    return [(test, site, unit) for (test, site), unit in seen.items()]


def cohort_report(
    participants: Iterable[Participant],
    trials: Iterable[Trial | Mapping[str, Any]],
    diary: Iterable[DiaryEntry],
    plan: PhasePlan,
    settings: OutcomeSettings,
    *,
    study: str = "",
    unblind: bool = False,
) -> CohortReport:
    """The cohort analysis over every participant given (in that order)."""
    blinding = Blinding.of(unblind)
    labels = phase_labels(plan, blinding)
    trials = trials_from_rows(trials)
    trials_of: dict[str, list[Trial]] = {}
    for trial in trials:
        trials_of.setdefault(trial.participant, []).append(trial)
    diary_of: dict[str, list[DiaryEntry]] = {}
    for entry in diary:
        diary_of.setdefault(entry.participant, []).append(entry)
    courses = [
        participant_course(p, trials_of.get(p.code, []), diary_of.get(p.code, []), plan, settings, study=study,
                           unblind=unblind)
        for p in participants
    ]
    rows = [_row(c, settings) for c in courses]
    label = comparison_label(blinding, settings)
    comparisons = [
        MeasureComparison(
            "diary % change", PCT_UNIT, settings.placebo_phase, settings.drug_phase, label,
            paired_comparison([r.pct_change.get(settings.placebo_phase) for r in rows],
                              [r.pct_change.get(settings.drug_phase) for r in rows]),
        )
    ]
    for test, site, unit in _measures(courses):
        comparisons.append(
            MeasureComparison(
                f"{test} {site}", unit, settings.placebo_phase, settings.drug_phase, label,
                paired_comparison([c.lab_value(test, site, settings.placebo_phase) for c in courses],
                                  [c.lab_value(test, site, settings.drug_phase) for c in courses]),
            )
        )
    points = tuple(
        (r.participant, r.predictor, r.reduction_over_placebo_pct)
        for r in rows
        if r.predictor is not None and r.reduction_over_placebo_pct is not None
    )
    units = {r.predictor_unit for r in rows if r.predictor is not None}
    notes = []
    if len(units) > 1:
        notes.append(f"{settings.predictor_lab} comes in several units ({', '.join(sorted(units))}): no regression")
    missing = [r.participant for r in rows if r.predictor is None]
    if missing:
        notes.append(f"no baseline {settings.predictor_lab} for {', '.join(missing)}")
    fitted = points if len(units) <= 1 else ()
    regression = ResponseRegression(
        predictor=settings.predictor_lab,
        predictor_unit=next(iter(units)) if len(units) == 1 else "",
        response_label=reduction_column(blinding, settings),
        regression=linear_regression([p[1] for p in fitted], [p[2] for p in fitted]),
        points=points,
    )
    return CohortReport(
        study=study or (trials[0].study if trials else ""),
        blinding=blinding,
        phase_labels=labels,
        plan=plan,
        settings=settings,
        courses=tuple(courses),
        rows=tuple(rows),
        phase_estimates=tuple(_estimates(courses, plan, labels, settings)),
        comparisons=tuple(comparisons),
        regression=regression,
        notes=tuple(notes),
    )
