"""Per participant across the study: diary by phase, the primary outcome worked by hand, lab
measures by phase, visit placement, blinding."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from qst.analysis import (
    AnalysisError,
    Blinding,
    DiaryEntry,
    OutcomeSettings,
    Participant,
    Phase,
    PhasePlan,
    participant_course,
)

ENROLLED = date(2024, 3, 4)
PLAN = PhasePlan((
    Phase("A", "baseline", "", 0, 6),
    Phase("B", "placebo", "placebo capsule", 7, 13),
    Phase("C", "drug", "naltrexone 4.5 mg", 14, 20),
))
SETTINGS = OutcomeSettings(baseline_phase="A", placebo_phase="B", drug_phase="C")
PERSON = Participant("FM07", "F", 1980, ENROLLED, {"ESR": (28.0, "mm/h")})

# Ratings by study day. Baseline A: 50 60 70 50 60 70 60 → 420 / 7 = 60.
# B's last three days (11, 12, 13): 50, 55, 50 → 155 / 3 = 51.667; % change (60 − 51.667)/60 = 13.889 %.
# C's last three days (18, 19, 20): 30, 36, 33 → 33; % change (60 − 33)/60 = 45 %.
# Reduction over placebo 45 − 13.889 = 31.111 pp ≥ 30: a responder.
RATINGS = {
    0: 50, 1: 60, 2: 70, 3: 50, 4: 60, 5: 70, 6: 60,
    7: 65, 8: 64, 9: 60, 10: 58, 11: 50, 12: 55, 13: 50,
    14: 45, 15: 40, 16: 38, 17: 35, 18: 30, 19: 36, 20: 33,
}


def diary(ratings=RATINGS, code="FM07"):
    return [DiaryEntry(code, ENROLLED + timedelta(days=day), float(r)) for day, r in ratings.items()]


def course(ratings=RATINGS, trials=(), settings=SETTINGS, unblind=False):
    return participant_course(PERSON, list(trials), diary(ratings), PLAN, settings, study="s", unblind=unblind)


def test_primary_outcome_worked_by_hand():
    o = course().outcome
    assert o.baseline_rating == pytest.approx(60.0)
    assert o.endpoint_rating["B"] == pytest.approx(155 / 3)
    assert o.endpoint_rating["C"] == pytest.approx(33.0)
    assert o.placebo_pct_change == pytest.approx((60 - 155 / 3) / 60 * 100)
    assert o.placebo_pct_change == pytest.approx(13.889, abs=1e-3)
    assert o.drug_pct_change == pytest.approx(45.0)
    assert o.reduction_over_placebo_pct == pytest.approx(31.111, abs=1e-3)
    assert o.responder is True and o.notes == ()


def test_diary_phases():
    c = course()
    b = c.diary_phase("B")
    assert (b.days_in_phase, b.days_rated, b.endpoint_ratings) == (7, 7, 3)
    assert (b.endpoint_first_day, b.endpoint_last_day) == (11, 13)
    assert b.mean_rating == pytest.approx((65 + 64 + 60 + 58 + 50 + 55 + 50) / 7)


def test_threshold_is_a_setting():
    stricter = OutcomeSettings("A", "B", "C", responder_threshold_pct=35.0)
    assert course(settings=stricter).outcome.responder is False


def test_longer_endpoint_window_is_a_setting():
    # Last 5 days of C (16..20): 38, 35, 30, 36, 33 → 34.4; change (60 − 34.4)/60 = 42.667 %.
    o = course(settings=OutcomeSettings("A", "B", "C", endpoint_days=5)).outcome
    assert o.endpoint_rating["C"] == pytest.approx(34.4)
    assert o.drug_pct_change == pytest.approx(42.667, abs=1e-3)


def test_missing_days_shrink_the_endpoint_and_a_minimum_can_refuse_it():
    ratings = {d: r for d, r in RATINGS.items() if d != 19}
    # Days 18 and 20 only: (30 + 33)/2 = 31.5.
    assert course(ratings).outcome.endpoint_rating["C"] == pytest.approx(31.5)
    strict = OutcomeSettings("A", "B", "C", min_endpoint_ratings=3)
    o = course(ratings, settings=strict).outcome
    assert o.endpoint_rating["C"] is None and o.drug_pct_change is None
    assert o.reduction_over_placebo_pct is None and o.responder is None
    assert any("phase C" in note and "no endpoint" in note for note in o.notes)


def test_several_entries_on_a_day_count_as_their_mean():
    entries = diary() + [DiaryEntry("FM07", ENROLLED + timedelta(days=20), 41.0)]
    c = participant_course(PERSON, [], entries, PLAN, SETTINGS)
    # Day 20: (33 + 41)/2 = 37; endpoint (30 + 36 + 37)/3 = 34.333.
    assert c.outcome.endpoint_rating["C"] == pytest.approx(103 / 3)
    assert [d.entries for d in c.diary if d.study_day == 20] == [2]


def test_zero_baseline_gives_no_percent_change_with_the_reason():
    ratings = {d: (0.0 if d <= 6 else r) for d, r in RATINGS.items()}
    o = course(ratings).outcome
    assert o.baseline_rating == 0.0 and o.placebo_pct_change is None
    assert any("baseline rating is 0" in note for note in o.notes)


def test_no_baseline_diary():
    o = course({d: r for d, r in RATINGS.items() if d > 6}).outcome
    assert o.baseline_rating is None and o.reduction_over_placebo_pct is None
    assert any("no baseline" in note for note in o.notes)


def test_other_participants_diary_and_days_outside_phases_are_ignored():
    entries = diary() + diary({3: 100.0}, code="FM99") + [DiaryEntry("FM07", ENROLLED + timedelta(days=40), 99.0)]
    c = participant_course(PERSON, [], entries, PLAN, SETTINGS)
    assert c.outcome.baseline_rating == pytest.approx(60.0)
    assert [d.phase_code for d in c.diary if d.study_day == 40] == [None]


def test_settings_must_name_the_study_phases():
    with pytest.raises(AnalysisError, match="'X'"):
        participant_course(PERSON, [], diary(), PLAN, OutcomeSettings("A", "X", "C"))
    with pytest.raises(AnalysisError):
        OutcomeSettings("A", "B", "C", lab_phase_value="median")


def _hpt(visit, phase, values, day):
    return [dict(study="s", participant="FM07", visit=visit, phase_code=phase, test="HPT", site="volar-forearm-left",
                 trial=i, value=v, unit="°C", censored=v >= 50.0, exit_status="completed",
                 visit_date=(ENROLLED + timedelta(days=day)).isoformat() if day is not None else None)
            for i, v in enumerate(values, start=1)]


def test_lab_values_by_phase_mean_or_last():
    trials = (_hpt(1, "A", [43.0, 44.0, 45.0], 0) + _hpt(2, "C", [45.0, 46.0, 50.0], 15)
              + _hpt(3, "C", [47.0, 47.0, 47.0], 20))
    # C: visit 2 → (45 + 46)/2 = 45.5 (50 censored), visit 3 → 47; mean 46.25; last 47.
    c = course(trials=trials)
    lab = next(lab for lab in c.lab_phases if lab.phase_code == "C")
    assert lab.visits == (2, 3) and lab.visit_values == (45.5, 47.0)
    assert lab.value == pytest.approx(46.25) and lab.censored_trials == 1 and "censored" in lab.flags
    assert c.lab_value("HPT", "volar-forearm-left", "A") == pytest.approx(44.0)
    assert c.lab_value("HPT", "volar-forearm-left", "B") is None
    last = course(trials=trials, settings=OutcomeSettings("A", "B", "C", lab_phase_value="last"))
    assert last.lab_value("HPT", "volar-forearm-left", "C") == pytest.approx(47.0)


def test_visits_sit_on_their_date_or_spread_through_their_phase():
    trials = _hpt(1, "A", [44.0], 0) + _hpt(2, "C", [45.0], None) + _hpt(3, "C", [45.0], None)
    days = course(trials=trials).visit_days
    # Dated: day 0. Undated visits of C (days 14–20, 7 days): 14 + 7/3 and 14 + 14/3.
    assert days[1] == 0.0
    assert days[2] == pytest.approx(14 + 7 / 3) and days[3] == pytest.approx(14 + 14 / 3)


def test_course_is_blinded_unless_asked():
    blinded, unblinded = course(), course(unblind=True)
    assert blinded.blinding is Blinding.BLINDED and dict(blinded.phase_labels) == {"A": "A", "B": "B", "C": "C"}
    assert [d.phase_label for d in blinded.diary_phases] == ["A", "B", "C"]
    assert unblinded.blinding is Blinding.UNBLINDED
    assert unblinded.phase_labels["C"] == "C: drug (naltrexone 4.5 mg)"


def test_phase_plan_is_checked():
    with pytest.raises(AnalysisError, match="overlap"):
        PhasePlan((Phase("A", "a", "", 0, 7), Phase("B", "b", "", 7, 10)))
    with pytest.raises(AnalysisError, match="repeat"):
        PhasePlan((Phase("A", "a", "", 0, 3), Phase("A", "b", "", 4, 10)))
    with pytest.raises(AnalysisError):
        Phase("A", "a", "", 5, 4)
    with pytest.raises(AnalysisError, match="outside 0–100"):
        DiaryEntry("FM07", ENROLLED, 101.0)
