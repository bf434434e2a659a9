"""A synthetic crossover cohort with known effects, and the analysis recovering them.

The cohort is generated directly as tidy rows and diary entries (no store, no simulator):
phases A (baseline, days 0–13), B (placebo, 14–27), C (drug, 28–83), D (washout, 84–97);
visits on days 0, 13, 27, 41, 55, 69, 83, 97. Known effects:
- HPT rises by exactly `HPT_DRUG_EFFECT_C` = 1.5 °C during the drug phase (trial noise SD 0.7 °C);
- PPT and CPT do not change;
- symptoms fall by `PLACEBO_PCT` = 5 % of baseline under placebo, and by 5 + 10 + 0.8 × ESR %
  under the drug: the true reduction over placebo is 10 + 0.8 × ESR percentage points
  (daily rating noise SD 4 on the 0–100 scale).

Tolerances: each was set from 200 cohorts of 40 generated with seeds 0–199, so that at least
99.5 % of them fall inside it (the figures are in each test); the test runs one fixed seed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from qst.analysis import (
    Blinding,
    DiaryEntry,
    OutcomeSettings,
    Participant,
    Phase,
    PhasePlan,
    cohort_report,
)
from qst.analysis.plots.files import table_figures

STUDY = "ldn-fm-synthetic"
PLAN = PhasePlan((
    Phase("A", "baseline", "", 0, 13),
    Phase("B", "placebo", "placebo capsule", 14, 27),
    Phase("C", "drug", "naltrexone 4.5 mg", 28, 83),
    Phase("D", "washout", "", 84, 97),
))
SETTINGS = OutcomeSettings(baseline_phase="A", placebo_phase="B", drug_phase="C")
VISIT_DAYS = (0, 13, 27, 41, 55, 69, 83, 97)

HPT_DRUG_EFFECT_C = 1.5
PLACEBO_PCT = 5.0
DRUG_INTERCEPT_PP = 10.0
DRUG_SLOPE_PP_PER_MM_H = 0.8
RATING_NOISE_SD = 4.0
HPT_NOISE_SD_C = 0.7


def true_reduction_pp(esr_mm_h: float) -> float:
    return DRUG_INTERCEPT_PP + DRUG_SLOPE_PP_PER_MM_H * esr_mm_h


def make_cohort(n: int = 40, seed: int = 20240611):
    """(participants, tidy rows as dicts, diary entries) of a synthetic cohort of `n`."""
    rng = random.Random(seed)
    participants, rows, diary = [], [], []
    for i in range(n):
        code = f"FM{i + 1:02d}"
        esr = rng.uniform(5.0, 50.0)
        enrolled = date(2024, 1, 8) + timedelta(days=3 * i)
        p = Participant(code, "F" if i % 4 else "M", rng.randint(1960, 1995), enrolled,
                        {"ESR": (round(esr, 1), "mm/h")})
        participants.append(p)
        level = rng.uniform(50.0, 75.0)
        hpt_c = rng.uniform(41.0, 45.0)
        ppt_kpa = {"trapezius-left": rng.uniform(180, 320), "thenar-right": rng.uniform(250, 450)}
        cpt_c = rng.uniform(5.0, 18.0)
        for day in range(PLAN.phases[-1].last_day + 1):
            phase = PLAN.phase_on(day).code
            if rng.random() < 0.05:
                continue  # a day without a diary entry
            effect_pct = {"B": PLACEBO_PCT, "C": PLACEBO_PCT + true_reduction_pp(esr)}.get(phase, 0.0)
            rating = level * (1 - effect_pct / 100) + rng.gauss(0, RATING_NOISE_SD)
            diary.append(DiaryEntry(code, enrolled + timedelta(days=day), min(100.0, max(0.0, rating))))
        for visit, day in enumerate(VISIT_DAYS, start=1):
            phase = PLAN.phase_on(day).code
            visit_of = dict(study=STUDY, participant=code, visit=visit, phase_code=phase,
                            visit_date=(enrolled + timedelta(days=day)).isoformat())

            def row(test, site, trial, value, unit, censored=False, visit_of=visit_of):
                rows.append(dict(visit_of, test=test, site=site, trial=trial, value=value, unit=unit,
                                 censored=censored, exit_status="completed"))

            for site, true_kpa in ppt_kpa.items():
                for trial in (1, 2, 3):
                    row("PPT", site, trial, round(true_kpa * rng.lognormvariate(0, 0.08), 1), "kPa")
            hpt_true = hpt_c + (HPT_DRUG_EFFECT_C if phase == "C" else 0.0)
            for trial in (1, 2, 3):
                row("HPT", "volar-forearm-left", trial, round(hpt_true + rng.gauss(0, HPT_NOISE_SD_C), 2), "°C")
            for trial in (1, 2, 3):
                value = cpt_c + rng.gauss(0, 1.5)
                row("CPT", "volar-forearm-left", trial, round(max(value, 0.0), 2), "°C", censored=value <= 0.0)
        # Traps the analysis must not fall into: a trial at the cut-off (censored, 50 °C) and
        # an aborted trial with a nonsense value, both in the drug phase.
        rows.append(dict(rows[-1], test="HPT", site="volar-forearm-left", trial=4, value=50.0, censored=True,
                         visit=5, phase_code="C", visit_date=(enrolled + timedelta(days=55)).isoformat()))
        rows.append(dict(rows[-1], trial=5, value=20.0, censored=False, exit_status="aborted_by_examiner"))
    return participants, rows, diary


@pytest.fixture(scope="module")
def cohort():
    participants, rows, diary = make_cohort()
    return participants, rows, diary, cohort_report(participants, rows, diary, PLAN, SETTINGS, study=STUDY)


def test_drug_raises_hpt_by_the_known_effect(cohort):
    # Truth 1.5 °C; standard error about 0.07 °C over 40 participants (placebo: 1 visit × 3
    # trials, drug: 4 visits × 3 trials, noise SD 0.7). Over 200 seeds: 1.30–1.64.
    c = cohort[3].comparison("HPT volar-forearm-left").comparison
    assert c.n == 40
    assert c.mean_difference == pytest.approx(HPT_DRUG_EFFECT_C, abs=0.25)
    assert c.paired_t.p < 0.001 and c.paired_t.statistic > 0
    assert c.wilcoxon.p < 0.001 and c.wilcoxon.n == 40


def test_measures_the_drug_does_not_touch_do_not_move(cohort):
    # Truth 0. Over 200 seeds the largest |difference| was 6.0 kPa, 7.4 kPa and 0.47 °C,
    # and the smallest p of the three 0.0016 (0.5 % quantile 0.0032).
    report = cohort[3]
    tolerances = {"PPT trapezius-left": 10.0, "PPT thenar-right": 10.0, "CPT volar-forearm-left": 0.6}
    for measure, tolerance in tolerances.items():
        c = report.comparison(measure).comparison
        assert abs(c.mean_difference) < tolerance, measure
        assert c.paired_t.p > 0.001, measure


def test_censored_and_aborted_trials_never_enter_a_threshold(cohort):
    report = cohort[3]
    course = report.courses[0]
    visit5 = next(v for v in course.visits if v.visit == 5 and v.test == "HPT")
    assert visit5.trials == 5 and visit5.completed == 4 and visit5.censored == 1
    assert len(visit5.values) == 3 and 50.0 not in visit5.values and 20.0 not in visit5.values
    assert "censored" in visit5.flags and "incomplete" in visit5.flags
    assert max(visit5.values) < 50.0 and visit5.value == pytest.approx(sum(visit5.values) / 3)


def test_response_regresses_on_esr_with_the_known_slope(cohort):
    # Truth: reduction = 10 + 0.8 × ESR pp. The reduction's noise is about 5.3 pp per
    # participant (3-day endpoints of SD-4 ratings around a baseline near 62), ESR spans
    # 5–50 mm/h: R² near 0.78. Over 200 seeds (0.5–99.5 % quantiles): slope 0.61–0.93,
    # intercept 5.2–15.9, R² 0.62–0.88, p < 0.001 always.
    r = cohort[3].regression
    fit = r.regression
    assert r.predictor == "ESR" and r.predictor_unit == "mm/h"
    assert fit.n == 40
    assert fit.slope == pytest.approx(DRUG_SLOPE_PP_PER_MM_H, abs=0.2)
    assert fit.intercept == pytest.approx(DRUG_INTERCEPT_PP, abs=7.0)
    assert 0.6 <= fit.r_squared <= 0.92
    assert fit.p < 0.001


def test_placebo_and_drug_changes_and_responders_match_the_truth(cohort):
    # Over 200 seeds: placebo % change 3.6–6.5 (truth 5); drug − placebo minus its truth
    # −2.7 to +2.0 pp.
    participants, _, _, report = cohort
    placebo = report.estimates("diary % change")[0]
    assert placebo.phase_code == "B"
    assert placebo.ci.mean == pytest.approx(PLACEBO_PCT, abs=2.0)
    assert placebo.ci.lower < PLACEBO_PCT < placebo.ci.upper
    diary = report.comparison("diary % change").comparison
    mean_truth = sum(true_reduction_pp(p.labs["ESR"][0]) for p in participants) / len(participants)
    assert diary.mean_difference == pytest.approx(mean_truth, abs=3.0)
    # Participants whose true reduction is more than 16 pp (3 noise SDs) from the 30 pp
    # threshold are classified as the truth says.
    for p, row in zip(participants, report.rows):
        truth = true_reduction_pp(p.labs["ESR"][0])
        if abs(truth - 30.0) > 16.0:
            assert row.responder is (truth >= 30.0), p.code
    assert report.responders == sum(1 for row in report.rows if row.reduction_over_placebo_pct >= 30.0)


def test_every_participant_has_every_phase_value(cohort):
    report = cohort[3]
    assert report.evaluable == 40
    for course in report.courses:
        assert [d.phase_code for d in course.diary_phases] == ["A", "B", "C", "D"]
        assert {lab.phase_code for lab in course.lab_phases if lab.test == "HPT"} == {"A", "B", "C", "D"}
        drug = next(lab for lab in course.lab_phases if lab.test == "HPT" and lab.phase_code == "C")
        assert drug.visits == (4, 5, 6, 7)
        assert course.blinding is Blinding.BLINDED


def test_missing_predictor_and_empty_participants_are_reported_not_fatal():
    participants, rows, diary = make_cohort(n=6, seed=3)
    no_esr = Participant("FM01", participants[0].sex, participants[0].birth_year, participants[0].enrolled_on, {})
    nothing = Participant("FM99", "F", 1970, date(2024, 1, 8), {"ESR": (12.0, "mm/h")})
    report = cohort_report([no_esr, *participants[1:], nothing], rows, diary, PLAN, SETTINGS)
    assert report.regression.regression.n == 5
    assert "no baseline ESR for FM01" in report.notes
    empty = report.rows[-1]
    assert empty.baseline_rating is None and empty.reduction_over_placebo_pct is None and empty.responder is None
    assert report.evaluable == 6 and report.comparison("HPT volar-forearm-left").comparison.n == 6
    mixed = Participant("FM02", participants[1].sex, participants[1].birth_year, participants[1].enrolled_on,
                        {"ESR": (20.0, "mm/hr")})
    report = cohort_report([participants[0], mixed, *participants[2:]], rows, diary, PLAN, SETTINGS)
    assert report.regression.regression.slope is None
    assert any("several units" in note for note in report.notes)
    # The table keeps its columns for every row: each value then says its unit.
    table = report.table()
    assert all(list(row) == list(table[0]) for row in table)
    assert table[1]["ESR"] == "20 mm/hr" and table[0]["ESR"].endswith(" mm/h")


def test_the_table_has_the_same_columns_whoever_lacks_a_lab_or_a_phase():
    participants, rows, diary = make_cohort(n=4, seed=5)
    no_esr = Participant("FM01", participants[0].sex, participants[0].birth_year, participants[0].enrolled_on, {})
    nothing = Participant("FM99", "F", 1970, date(2024, 1, 8), {})
    report = cohort_report([no_esr, *participants[1:], nothing], rows, diary, PLAN, SETTINGS)
    table = report.table()
    assert all(list(row) == list(table[0]) for row in table)
    assert table[0]["ESR (mm/h)"] is None and table[1]["ESR (mm/h)"] is not None
    assert table[-1]["% change C"] is None and table[1]["% change C"] is not None
    pages = table_figures(report)  # the PDF's table pages take their columns from the first row
    assert pages
