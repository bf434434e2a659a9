"""`qst.simulation`: a seeded synthetic cohort through the simulators into a store, and the
known effects coming back out of the analysis.

To stay quick the lab part runs a short version of the shipped study (four one-week
phases, a visit every 7 days: visits on days 0, 7, 14, 21, 28 in phases A, A, B, C, D)
and only the HPT of its battery. The diary regression runs without lab visits on a bigger
cohort (diaries are cheap).
"""

from __future__ import annotations

import statistics

import pytest

from qst.reporting import DRUG, PLACEBO, load, phase_roles
from qst.simulation import VisitJob, cohort, run_visit, simulate_study
from qst.store import Store
from qst.study import load_study, shipped_study_text

HPT_TOLERANCE_C = 0.3
"""|measured − true| mean drug − placebo HPT difference. The virtual participant has no
trial-to-trial noise (trial_sd_c 0); what is left, the probe's lag and noise at the
response, is common to both phases and seen below 0.1 °C."""

SLOPE, SLOPE_TOLERANCE = 0.8, 0.25
"""Reduction over placebo (pp) per mm/h ESR. With 30 participants, ESR 5–60 mm/h (SD ≈ 16)
and a reduction's noise SD ≈ 5.5 pp (daily SD 4 over a 3-day endpoint, of a baseline 45–75),
the slope's standard error is ≈ 0.065: 0.25 is almost 4 of them."""
INTERCEPT, INTERCEPT_TOLERANCE = 5.0, 6.0
"""10 % (drug) − 5 % (placebo) at ESR 0; the intercept's SE is ≈ 2.4 pp here."""


def short_study_text() -> str:
    text = shipped_study_text()
    for old, new in (("weeks = 2", "weeks = 1"), ("weeks = 8", "weeks = 1"), ("every_days = 14", "every_days = 7")):
        assert old in text
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    path = tmp_path_factory.mktemp("sim") / "study.sqlite3"
    with Store.open(path) as store:
        result = simulate_study(store, 4, seed=11, study_text=short_study_text(), tests=("HPT",), workers=2)
        data = load(store, result.study)
        trials = store.trials(result.study)
    return result, data, trials


def test_every_visit_and_diary_day_is_in_the_store(simulated):
    result, data, trials = simulated
    assert [p.code for p in data.participants] == ["FM01", "FM02", "FM03", "FM04"]
    assert result.visits == 4 * 5
    assert len(trials) == 4 * 5 * 3
    assert all(row["exit_status"] == "completed" and not row["censored"] for row in trials)
    assert len(data.diary) == 4 * (28 + 1)
    assert {p.labs["ESR"][1] for p in data.participants} == {"mm/h"}


def test_drug_minus_placebo_hpt_recovers_the_simulated_effect(simulated):
    result, data, _ = simulated
    report = data.cohort(unblind=False)
    measured = report.comparison("HPT volar-forearm-left").comparison.mean_difference
    true = statistics.fmean(p.true_hpt_c(DRUG) - p.true_hpt_c(PLACEBO) for p in result.participants)
    assert true > 1.0
    assert measured == pytest.approx(true, abs=HPT_TOLERANCE_C)


def test_diary_reduction_regresses_on_esr_with_the_simulated_slope(tmp_path):
    with Store.open(tmp_path / "diary.sqlite3") as store:
        result = simulate_study(store, 30, seed=5, study_text=shipped_study_text(), visits=False)
        report = load(store, result.study).cohort(unblind=False)
    fit = report.regression.regression
    assert fit.n == 30
    assert fit.slope == pytest.approx(SLOPE, abs=SLOPE_TOLERANCE)
    assert fit.intercept == pytest.approx(INTERCEPT, abs=INTERCEPT_TOLERANCE)


def test_the_same_seed_gives_the_same_cohort_and_visits(simulated):
    result, _, trials = simulated
    assert cohort(4, seed=11) == result.participants
    assert cohort(4, seed=12) != result.participants
    p = result.participants[0]
    again = run_visit(VisitJob(p.code, 1, "A", "fibromyalgia-ldn", ("HPT",), p.in_phase("none", p.seed * 100 + 1),
                               p.seed * 100 + 1))
    rerun = [d.result.value for d in again.documents if type(d).__name__ == "RunStop"]
    stored = [row["value"] for row in trials if row["participant"] == p.code and row["visit"] == 1]
    assert rerun == stored


def test_phases_take_their_role_from_the_treatments():
    roles = phase_roles(load_study(shipped_study_text()))
    assert roles == {"A": "none", "B": "placebo", "C": "drug", "D": "none"}


def test_a_store_already_holding_the_study_is_refused(tmp_path):
    with Store.open(tmp_path / "real.sqlite3") as store:
        store.add_study("fibromyalgia-ldn", shipped_study_text())
        with pytest.raises(ValueError, match="already holds a study"):
            simulate_study(store, 2, study_text=shipped_study_text(), visits=False)
        assert store.participants("fibromyalgia-ldn") == []
