"""Per-visit summaries: trials combined as each test defines, censored trials counted and
never averaged, flags; tidy rows read from plain dicts."""

from __future__ import annotations

from datetime import date

import pytest

from qst.analysis import AnalysisError, Blinding, Phase, PhasePlan, Trial, summarize_visits


def row(test="HPT", site="volar-forearm-left", trial=1, value=44.0, unit="°C", censored=False, status="completed",
        visit=1, phase="A", participant="FM01"):
    return dict(study="s", participant=participant, visit=visit, phase_code=phase, test=test, site=site, trial=trial,
                value=value, unit=unit, censored=censored, exit_status=status)


def only(summaries, test="HPT"):
    [summary] = [s for s in summaries if s.test == test]
    return summary


def test_mean_of_completed_uncensored_trials():
    s = only(summarize_visits([row(value=44.0), row(trial=2, value=45.0), row(trial=3, value=46.0)]))
    assert (s.trials, s.completed, s.censored) == (3, 3, 0)
    assert s.values == (44.0, 45.0, 46.0) and s.value == pytest.approx(45.0)
    assert s.kind == "mean" and s.unit == "°C" and s.flags == ()


def test_censored_trials_are_counted_and_flagged_not_averaged():
    s = only(summarize_visits([row(value=44.0), row(trial=2, value=50.0, censored=True), row(trial=3, value=46.0)]))
    assert s.censored == 1 and s.values == (44.0, 46.0)
    assert s.value == pytest.approx(45.0)
    assert "censored" in s.flags and "all_censored" not in s.flags


def test_all_censored_gives_no_value():
    s = only(summarize_visits([row(value=50.0, censored=True), row(trial=2, value=50.0, censored=True)]))
    assert s.value is None and s.censored == 2
    assert {"censored", "all_censored"} <= set(s.flags)


def test_only_completed_trials_count():
    rows = [row(value=44.0), row(trial=2, value=20.0, status="aborted_by_examiner"),
            row(trial=3, value=None, status="device_fault"), row(trial=4, value=46.0)]
    s = only(summarize_visits(rows))
    assert (s.trials, s.completed) == (4, 2)
    assert s.value == pytest.approx(45.0)
    assert "incomplete" in s.flags


def test_filament_thresholds_combine_as_geometric_mean():
    # MDT is a geometric-mean test: √(2 × 8) = 4 mN (the arithmetic mean would be 5).
    s = only(summarize_visits([row("MDT", "hand-dorsum-right", 1, 2.0, "mN"),
                               row("MDT", "hand-dorsum-right", 2, 8.0, "mN")]), "MDT")
    assert s.kind == "geometric_mean" and s.value == pytest.approx(4.0)
    zero = only(summarize_visits([row("MPT", "hand-dorsum-right", 1, 0.0, "mN"),
                                  row("MPT", "hand-dorsum-right", 2, 8.0, "mN")]), "MPT")
    assert zero.value is None and "no_geometric_mean" in zero.flags


def test_unknown_test_combines_as_mean():
    s = only(summarize_visits([row("XYZ", value=1.0, unit="s"), row("XYZ", trial=2, value=3.0, unit="s")]), "XYZ")
    assert s.kind == "mean" and s.value == 2.0


def test_large_spread_is_flagged():
    # Range 100 kPa > 25 % of the mean 250 kPa; range 20 kPa of 250 kPa is not.
    def ppt(low, high):
        return only(summarize_visits([row("PPT", "thenar-right", 1, low, "kPa"),
                                      row("PPT", "thenar-right", 2, high, "kPa")]), "PPT")

    wide, narrow = ppt(200.0, 300.0), ppt(240.0, 260.0)
    assert "large_spread" in wide.flags and "large_spread" not in narrow.flags


def test_one_summary_per_visit_test_and_site_in_order_met():
    rows = [row("PPT", "trapezius-left", 1, 300.0, "kPa"), row("PPT", "thenar-right", 1, 400.0, "kPa"),
            row(value=44.0), row(value=43.0, visit=2, phase="B"), row(value=44.0, participant="FM02")]
    keys = [(s.participant, s.visit, s.test, s.site) for s in summarize_visits(rows)]
    assert keys == [("FM01", 1, "PPT", "trapezius-left"), ("FM01", 1, "PPT", "thenar-right"),
                    ("FM01", 1, "HPT", "volar-forearm-left"), ("FM01", 2, "HPT", "volar-forearm-left"),
                    ("FM02", 1, "HPT", "volar-forearm-left")]


def test_tidy_rows_from_csv_strings():
    t = Trial.from_row(dict(study="s", participant="FM01", visit="3", phase_code="B", test="HPT",
                            site="volar-forearm-left", trial="2", value="", unit="°C", censored="True",
                            exit_status="completed", visit_date="2024-02-05T10:00:00"))
    assert (t.visit, t.trial, t.value, t.censored, t.visit_date) == (3, 2, None, True, date(2024, 2, 5))
    assert Trial.from_row(dict(row(), censored="0")).censored is False
    with pytest.raises(AnalysisError, match="exit_status"):
        Trial.from_row({k: v for k, v in row().items() if k != "exit_status"})
    with pytest.raises(AnalysisError):
        Trial.from_row(dict(row(), censored="maybe"))


def test_visit_summaries_are_blinded_unless_asked():
    plan = PhasePlan((Phase("A", "baseline", "", 0, 13), Phase("B", "placebo", "placebo capsule", 14, 27)))
    blinded = only(summarize_visits([row(phase="B")], plan))
    unblinded = only(summarize_visits([row(phase="B")], plan, unblind=True))
    assert blinded.blinding is Blinding.BLINDED and blinded.phase_label == "B"
    assert unblinded.blinding is Blinding.UNBLINDED and "placebo capsule" in unblinded.phase_label
