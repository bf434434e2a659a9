"""Plain-text renderings of the reports (the terminal, the PDF's cover page). Each starts
with the blinding statement."""

from __future__ import annotations

from qst.analysis.cohort import CohortReport, MeasureComparison
from qst.analysis.course import ParticipantCourse
from qst.analysis.sparkline import sparkline
from qst.analysis.stats import TestResult


def number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def p_value(p: float | None) -> str:
    if p is None:
        return "—"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _test(result: TestResult | None, symbol: str) -> str:
    if result is None:
        return f"{symbol} —"
    return f"{symbol} = {result.statistic:.2f}, {p_value(result.p)}, n = {result.n}"


def comparison_line(c: MeasureComparison) -> str:
    pc = c.comparison
    notes = f"  [{'; '.join(pc.notes)}]" if pc.notes else ""
    return (
        f"{c.measure} ({c.unit}), {c.label}: mean difference {number(pc.mean_difference, 2)}; "
        f"{_test(pc.paired_t, 't')}; {_test(pc.wilcoxon, 'W')}{notes}"
    )


def regression_lines(report: CohortReport) -> list[str]:
    r = report.regression
    fit = r.regression
    head = f"{r.response_label} on baseline {r.predictor} ({r.predictor_unit or '?'})"
    if fit.slope is None:
        return [f"{head}: no fit ({'; '.join(fit.notes)})"]
    return [
        f"{head}: slope {fit.slope:.3g} pp per {r.predictor_unit}, intercept {fit.intercept:.3g} pp, "
        f"R² = {fit.r_squared:.2f}, {p_value(fit.p)}, n = {fit.n}"
    ]


def cohort_text(report: CohortReport) -> str:
    """The cohort's results in a few lines."""
    s = report.settings
    lines = [
        report.blinding.statement,
        f"Study {report.study}: {len(report.rows)} participant(s); phases "
        + ", ".join(report.phase_labels[p.code] for p in report.plan),
        f"Primary outcome: baseline = mean rating over {report.phase_labels[s.baseline_phase]}; endpoint = mean of a "
        f"phase's last {s.endpoint_days} days; % change = (baseline − endpoint) / baseline × 100; responder when "
        f"{comparison_label_short(report)} ≥ {s.responder_threshold_pct:g} pp.",
        f"Responders: {report.responders} of {report.evaluable} evaluable.",
        "",
        f"Per phase, by code (mean [{report.settings.confidence:.0%} CI], n):",
    ]
    for measure in dict.fromkeys(e.measure for e in report.phase_estimates):
        cells = [
            f"{e.phase_code} {number(e.ci.mean)} [{number(e.ci.lower)}, {number(e.ci.upper)}] n={e.ci.n}"
            for e in report.estimates(measure)
        ]
        lines.append(f"  {measure} ({report.estimates(measure)[0].unit}): " + "; ".join(cells))
    paired = "Drug vs placebo" if report.blinding.unblinded else f"Phase {s.drug_phase} vs phase {s.placebo_phase}"
    lines += ["", f"{paired}, paired:"]
    lines += ["  " + comparison_line(c) for c in report.comparisons]
    lines += ["", "Regression:"] + ["  " + line for line in regression_lines(report)]
    lines += [f"Note: {note}" for note in report.notes]
    return "\n".join(lines)


def comparison_label_short(report: CohortReport) -> str:
    s = report.settings
    if report.blinding.unblinded:
        return "the reduction over placebo"
    return f"the reduction {s.drug_phase} vs {s.placebo_phase}"


def course_text(course: ParticipantCourse) -> str:
    """A participant's course: diary sparkline, per-phase diary and lab values, the outcome."""
    p = course.participant
    o = course.outcome
    lines = [
        course.blinding.statement,
        f"{p.code} ({p.sex}, born {p.birth_year}; enrolled {p.enrolled_on.isoformat()}) "
        + " ".join(f"{name} {value:g} {unit}" for name, (value, unit) in p.labs.items()),
        "diary " + sparkline([d.rating for d in course.diary], low=0, high=100),
    ]
    for phase in course.diary_phases:
        change = o.pct_change.get(phase.phase_code)
        lines.append(
            f"  {phase.phase_label}: mean {number(phase.mean_rating)} ({phase.days_rated}/{phase.days_in_phase} days), "
            f"endpoint {number(phase.endpoint_rating)}" + (f", change {number(change)} %" if change is not None else "")
        )
    for test, site in course.measures:
        values = [lab for lab in course.lab_phases if (lab.test, lab.site) == (test, site)]
        cells = "; ".join(f"{lab.phase_label} {number(lab.value)}" + (f" ({lab.censored_trials} censored)"
                                                                     if lab.censored_trials else "")
                          for lab in values)
        lines.append(f"  {test} {site} ({values[0].unit}): {cells}")
    responder = {True: "responder", False: "not a responder", None: "not evaluable"}[o.responder]
    lines.append(f"  reduction: {number(o.reduction_over_placebo_pct)} pp — {responder}")
    lines += [f"  note: {note}" for note in o.notes]
    return "\n".join(lines)
