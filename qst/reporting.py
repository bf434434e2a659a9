"""Reports from the records store: a visit, a participant's course, the study.

The store and the study definition are adapted to the analysis inputs here: tidy rows →
`Trial.from_row` (each visit dated on the participant's time axis), the store's diary
(symptom "overall") → `DiaryEntry`, enrolled participants → `Participant` (labs as
value and unit), the study's phases → `PhasePlan` with `Study.phase_days()`, and the outcome
settings from the phases' treatments (`phase_roles`). Blinded by default: every report says
which it is, and a blinded one shows phases by code only.

A visit is dated by the day it was opened when that day falls within the visit's window
(planned day ± window_days after enrolment); otherwise (a simulated visit, a backfilled one)
by its planned day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from qst import analysis as qa
from qst.analysis.visit_summary import GEOMETRIC_MEAN
from qst.study import Study, load_study

NONE, PLACEBO, DRUG, OTHER = "none", "placebo", "drug", "other"
OVERALL = "overall"
_NO_TREATMENT = ("none", "no treatment", "untreated", "")
_ROLE_OF = {"baseline": NONE, "washout": NONE, "placebo": PLACEBO, "drug": DRUG, "other": OTHER}


def phase_roles(study: Study) -> dict[str, str]:
    """Each phase's role by code: "none" (no treatment: a baseline or a washout), "placebo",
    "drug" or "other". From the phases' `role` where the study gives them; else from the
    treatments: "none" (or "no treatment", "untreated") is none, one naming placebo is
    placebo, any other is the drug."""
    if all(phase.role is not None for phase in study.phases):
        return {phase.code: _ROLE_OF[phase.role] for phase in study.phases}
    roles = {}
    for phase in study.phases:
        treatment = " ".join(phase.treatment.lower().split())
        roles[phase.code] = NONE if treatment in _NO_TREATMENT else PLACEBO if "placebo" in treatment else DRUG
    return roles


class ReportError(ValueError):
    """A report that cannot be made; one line."""


def outcome_settings(study: Study) -> qa.OutcomeSettings | None:
    """Baseline = the phase whose role is "baseline" (else the first without treatment),
    placebo and drug = the first of each; None where the study has no placebo or no drug
    phase (no drug vs placebo outcome; visits still report). A baseline that does not come
    first, before placebo and drug, is refused: roles read from the treatments may be wrong,
    and the study file can say them (`role`)."""
    roles = phase_roles(study)
    codes = [phase.code for phase in study.phases]
    first: dict[str, str] = {}
    for code, role in roles.items():
        first.setdefault(role, code)
    baseline = next((p.code for p in study.phases if p.role == "baseline"), first.get(NONE))
    if PLACEBO not in first or DRUG not in first or baseline is None:
        return None
    if codes.index(baseline) > min(codes.index(first[PLACEBO]), codes.index(first[DRUG])):
        said = ", ".join(f"{code} {role}" for code, role in roles.items())
        raise ReportError(f"study {study.name}: the baseline ({baseline}) comes after the placebo or drug phase "
                          f"(roles {said}); give each phase a role in the study file (role = \"baseline\", ...)")
    return qa.OutcomeSettings(baseline_phase=baseline, placebo_phase=first[PLACEBO], drug_phase=first[DRUG])


def phase_plan(study: Study) -> qa.PhasePlan:
    return qa.PhasePlan(tuple(qa.Phase(p.code, p.name, p.treatment, first, last)
                              for p, first, last in study.phase_days()))


@dataclass(frozen=True)
class StudyData:
    """A study's records as the analysis takes them."""

    name: str
    study: Study
    plan: qa.PhasePlan
    settings: qa.OutcomeSettings | None
    """None where the study has no drug vs placebo outcome: only visit reports then."""
    participants: tuple[qa.Participant, ...]
    trials: tuple[qa.Trial, ...]
    diary: tuple[qa.DiaryEntry, ...]
    excluded: Mapping[tuple[str, int], int] = field(default_factory=dict)
    """Trials left out by a correction, by (participant, visit number): not in `trials`."""
    held: frozenset[tuple[str, int]] = frozenset()
    """The (participant, visit number) of every visit opened, with trials or not."""

    def participant(self, code: str) -> qa.Participant:
        for p in self.participants:
            if p.code == code:
                return p
        raise ReportError(f"study {self.name} has no participant {code!r}")

    def outcome(self) -> qa.OutcomeSettings:
        if self.settings is None:
            raise ReportError(f"study {self.name} has no placebo phase and drug phase to compare: "
                              "no course or cohort report (visit reports work)")
        return self.settings

    def course(self, code: str, unblind: bool) -> qa.ParticipantCourse:
        p = self.participant(code)
        return qa.participant_course(p, [t for t in self.trials if t.participant == code],
                                     [d for d in self.diary if d.participant == code], self.plan, self.outcome(),
                                     study=self.name, unblind=unblind)

    def cohort(self, unblind: bool) -> qa.CohortReport:
        return qa.cohort_report(self.participants, self.trials, self.diary, self.plan, self.outcome(),
                                study=self.name, unblind=unblind)


def _visit_date(visit: dict, enrolled_on: dt.date, study: Study) -> dt.date:
    planned = enrolled_on + dt.timedelta(days=study.visit(visit["number"]).day)
    opened = visit.get("opened_utc")
    if opened:
        try:
            day = dt.date.fromisoformat(str(opened)[:10])
        except ValueError:
            return planned
        if abs((day - planned).days) <= study.visits.window_days:
            return day
    return planned


def load(store, name: str) -> StudyData:
    """The study `name` from `store`, ready for the analysis."""
    from qst.participants import Participant as Enrolled

    study = load_study(store.study_text(name), source=f"study {name} (as stored)")
    participants = []
    for record in store.participants(name):
        p = Enrolled.from_record(record)
        participants.append(qa.Participant(p.code, p.sex, p.birth_year, p.enrolled_on,
                                           {lab: (v.value, v.unit) for lab, v in p.labs.items()}))
    enrolled = {p.code: p.enrolled_on for p in participants}
    dates = {(v["participant"], v["number"]): _visit_date(v, enrolled[v["participant"]], study)
             for v in store.visits(name)}
    trials = []
    excluded: dict[tuple[str, int], int] = {}
    for row in store.trials(name):
        key = (row["participant"], int(row["visit"]))
        if row.get("excluded"):
            excluded[key] = excluded.get(key, 0) + 1
            continue
        trials.append(qa.Trial.from_row(dict(row, visit_date=dates.get(key))))
    diary = tuple(qa.DiaryEntry(e["participant"], e["day"], float(e["rating"]))
                  for e in store.diary(name) if e.get("symptom", OVERALL) == OVERALL)
    return StudyData(name, study, phase_plan(study), outcome_settings(study), tuple(participants), tuple(trials), diary,
                     excluded, frozenset(dates))


# -- rendering ---------------------------------------------------------------------------------


def _n(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _plain_row(table: Table, *cells: str) -> None:
    """A row of plain text: a study's words (a treatment "[/day]", a note "[no test]") are
    never read as rich's markup, which would drop them or fail."""
    table.add_row(*(Text(cell) for cell in cells))


def _banner(blinding: qa.Blinding) -> Panel:
    style = "bold red" if blinding.unblinded else "bold green"
    return Panel(Text(blinding.statement), style=style, expand=False)


def visit_report(data: StudyData, code: str, number: int, *, unblind: bool = False) -> Group:
    """One visit: each test and site's trials, value, z-score (where a reference row fits), flags."""
    p = data.participant(code)
    blinding = qa.Blinding.of(unblind)
    mine = [t for t in data.trials if t.participant == code and t.visit == number]
    if not mine:
        if (code, number) not in data.held:
            raise ReportError(f"participant {code} has no visit {number} in study {data.name}")
        left_out = data.excluded.get((code, number), 0)
        why = f"all {left_out} trial(s) excluded by corrections (qst audit says why)" if left_out else "no trials recorded"
        return Group(_banner(blinding), Text(f"{data.name} — {code}, visit {number}: {why}"))
    summaries = qa.summarize_visits(mine, data.plan, unblind=unblind)
    zs = qa.visit_zscores(summaries, p)
    first = summaries[0]
    title = (f"{data.name} — {code}, visit {number}, phase {first.phase_label}"
             + (f", {first.visit_date.isoformat()}" if first.visit_date else ""))
    table = Table(title=Text(title))
    for column in ("test", "site", "trials", "value", "unit", "z", "reference", "flags"):
        table.add_column(column, justify="right" if column in ("value", "z") else "left")
    for s, z in zip(summaries, zs):
        trials = ", ".join(f"{v:.1f}" for v in s.values) + (f" (+{s.censored} censored)" if s.censored else "")
        if s.value is None:
            reference = _why_no_value(s)
        else:
            reference = z.row.describe() if z.row is not None and z.z is not None else (z.reason or "")
        _plain_row(table, s.test, s.site, trials, _n(s.value), s.unit, _n(z.z, 2), reference, ", ".join(s.flags))
    return Group(_banner(blinding), table)


def _why_no_value(s: qa.VisitTestSummary) -> str:
    if s.values and s.kind == GEOMETRIC_MEAN:
        return "no value: no geometric mean of a value at or below 0"
    if s.completed > s.censored:
        return "no value: the completed trials hold none (corrected to none?)"
    if s.censored:
        return "no value: every completed trial was censored"
    return "no value: no completed trial"


def participant_report(data: StudyData, code: str, *, unblind: bool = False) -> Group:
    """A participant's course: per measure a row per visit with sparklines, then the diary and outcome."""
    course = data.course(code, unblind)
    p = course.participant
    visits = sorted({v.visit for v in course.visits})
    table = Table(title=Text(f"{data.name} — {code}: lab measures by visit"))
    table.add_column("test / site")
    table.add_column("unit")
    table.add_column("course")
    for number in visits:
        phase = next(v.phase_code for v in course.visits if v.visit == number)
        table.add_column(Text(f"v{number} {phase}"), justify="right")
    zs = {}
    for s, z in zip(course.visits, qa.visit_zscores(course.visits, p)):
        zs[(s.test, s.site, s.visit)] = (s.value, z.z)
    for test, site in course.measures:
        values = [zs.get((test, site, n), (None, None)) for n in visits]
        unit = next(v.unit for v in course.visits if (v.test, v.site) == (test, site))
        cells = [_n(v) + (f" ({z:+.1f})" if z is not None else "") for v, z in values]
        _plain_row(table, f"{test} {site}", unit, qa.sparkline([v for v, _ in values]), *cells)
    from qst.analysis.report_text import course_text

    text = course_text(course)
    if not course.measures:
        left_out = sum(k for (who, _), k in data.excluded.items() if who == code)
        said = f"{left_out} excluded by corrections" if left_out else "none recorded"
        return Group(_banner(course.blinding), Text(f"{data.name} — {code}: no lab measures to show ({said})"), Text(text))
    return Group(_banner(course.blinding), table, Text("values (z-score vs reference where a row fits)"), Text(text))


@dataclass(frozen=True)
class CourseLine:
    """A line of a participant's course for a narrow panel: what, a sparkline, the latest value."""

    label: str
    spark: str
    latest: str


def course_lines(data: StudyData, code: str) -> list[CourseLine]:
    """The participant's course so far, blinded (for the technician's screen): the diary as
    weekly means (0–100, a character a study week), then each lab measure by visit."""
    course = data.course(code, unblind=False)
    lines = []
    if course.diary:
        weeks: dict[int, list[float]] = {}
        for day in course.diary:
            weeks.setdefault(day.study_day // 7, []).append(day.rating)
        means = [sum(weeks[w]) / len(weeks[w]) if w in weeks else None for w in range(min(weeks), max(weeks) + 1)]
        last = course.diary[-1]
        lines.append(CourseLine("diary, weekly mean", qa.sparkline(means, low=0, high=100),
                                f"{last.rating:.0f} of 100 on study day {last.study_day}"))
    visits = sorted({v.visit for v in course.visits})
    for test, site in course.measures:
        by_visit = {v.visit: v for v in course.visits if v.measure == (test, site)}
        values = [by_visit[n].value if n in by_visit else None for n in visits]
        known = [by_visit[n] for n in visits if n in by_visit and by_visit[n].value is not None]
        latest = f"{known[-1].value:.1f} {known[-1].unit} at visit {known[-1].visit}" if known else "—"
        lines.append(CourseLine(f"{test} {site}", qa.sparkline(values), latest))
    return lines


def study_summary(report: qa.CohortReport) -> Group:
    """The cohort for the terminal: the blinding, a row per participant (with the diary as a
    sparkline), then the results as text."""
    from qst.analysis.report_text import cohort_text

    table = Table(title=Text(f"{report.study} — participants"))
    headers = list(report.table()[0]) if report.rows else []
    for header in headers:
        table.add_column(Text(header))
    table.add_column("diary")
    for row, course in zip(report.table(), report.courses):
        cells = [_n(v) if isinstance(v, float) else ("—" if v is None else str(v)) for v in row.values()]
        _plain_row(table, *cells, qa.sparkline([d.rating for d in course.diary], low=0, high=100))
    return Group(_banner(report.blinding), table, Text(cohort_text(report)))

