"""The cohort statistics and the outcome arithmetic against small examples worked by hand.

Expected values come from the arithmetic written out here (and, for p-values, from the
closed-form t distribution with 2 degrees of freedom, F(t) = 1/2 + t / (2·√(2 + t²)), or
from enumerating the signed-rank distribution), never from the library call under test.
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from pathlib import Path

import pytest

from qst.analysis import (
    AnalysisError,
    is_responder,
    linear_regression,
    mean_ci,
    paired_comparison,
    percent_change,
    reduction_over_placebo,
)


def test_scipy_is_imported_by_the_first_statistic_not_by_the_analysis():
    # The study report draws the participants' pages while another process imports scipy.
    script = """if True:
        import sys
        import qst.reporting
        from qst.analysis import mean_ci, participant_course
        from tests.qst.test_analysis_synthetic import PLAN, SETTINGS, make_cohort
        participants, rows, diary = make_cohort(n=2, seed=1)
        participant_course(participants[0], rows, diary, PLAN, SETTINGS)
        print("scipy" in sys.modules)
        mean_ci([1.0, 2.0, 4.0])
        print("scipy" in sys.modules)
    """
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]


def t2_two_sided_p(t: float) -> float:
    """Two-sided p of t with 2 degrees of freedom: 2·(1 − F(|t|)) = 1 − |t| / √(2 + t²)."""
    return 1 - abs(t) / math.sqrt(2 + t * t)


def t2_quantile(probability: float) -> float:
    """Solve F(t) = probability for df = 2: t / √(2 + t²) = 2p − 1 = a  →  t² = 2a² / (1 − a²)."""
    a = 2 * probability - 1
    return math.sqrt(2 * a * a / (1 - a * a))


def test_t2_helpers_match_a_printed_table():
    # Printed t tables: t(0.975, df 2) = 4.303.
    assert t2_quantile(0.975) == pytest.approx(4.303, abs=5e-4)


def test_mean_ci_of_three_values():
    # 4, 5, 9: mean 6; squared deviations 4 + 1 + 9 = 14, variance 7, SD √7;
    # SE = √7 / √3; t(0.975, 2) = 4.3027; half-width = 4.3027 × 1.5275 = 6.572.
    ci = mean_ci([4, 5, 9])
    half = t2_quantile(0.975) * math.sqrt(7) / math.sqrt(3)
    assert (ci.n, ci.mean) == (3, 6.0)
    assert ci.sd == pytest.approx(math.sqrt(7))
    assert ci.lower == pytest.approx(6 - half) and ci.upper == pytest.approx(6 + half)
    assert half == pytest.approx(6.572, abs=1e-3)


def test_mean_ci_other_confidence():
    # 90 %: t(0.95, 2) = 2.920 (table).
    ci = mean_ci([4, 5, 9], confidence=0.90)
    assert ci.upper - ci.mean == pytest.approx(2.920 * math.sqrt(7 / 3), abs=2e-3)


def test_mean_ci_with_too_few_values():
    assert mean_ci([]).mean is None
    one = mean_ci([7.5])
    assert (one.n, one.mean, one.sd, one.lower, one.upper) == (1, 7.5, None, None, None)


def test_paired_t_by_hand():
    # Differences 1, 2, 3: mean 2, SD 1, SE 1/√3, t = 2√3 = 3.4641 on 2 df;
    # p = 1 − 3.4641/√14 = 0.07418.
    result = paired_comparison([10, 20, 30], [11, 22, 33])
    assert result.n == 3 and result.mean_difference == pytest.approx(2.0)
    assert result.paired_t.statistic == pytest.approx(2 * math.sqrt(3))
    assert result.paired_t.p == pytest.approx(t2_two_sided_p(2 * math.sqrt(3)))
    assert result.paired_t.p == pytest.approx(0.07418, abs=1e-5)
    assert result.paired_t.n == 3


def _exact_signed_rank_p(differences: list[float]) -> tuple[float, float]:
    """(smaller rank sum, exact two-sided p) by enumerating all 2ⁿ sign patterns (no ties)."""
    ranked = sorted(differences, key=abs)
    ranks = range(1, len(ranked) + 1)
    w_minus = sum(r for r, d in zip(ranks, ranked) if d < 0)
    w_plus = sum(r for r, d in zip(ranks, ranked) if d > 0)
    w = min(w_minus, w_plus)
    sums = [sum(r for r, s in zip(ranks, signs) if s) for signs in itertools.product((0, 1), repeat=len(ranked))]
    at_most = sum(1 for s in sums if s <= w)
    return w, min(1.0, 2 * at_most / len(sums))


def test_wilcoxon_all_positive_by_hand():
    # n = 5, every difference positive: W− = 0; only the empty set of ranks sums to ≤ 0,
    # P = 1/32; two-sided p = 2/32 = 0.0625.
    result = paired_comparison([0, 0, 0, 0, 0], [1, 2, 3, 4, 5])
    assert result.wilcoxon.statistic == 0
    assert result.wilcoxon.p == pytest.approx(0.0625)
    assert result.wilcoxon.n == 5


def test_wilcoxon_with_one_negative_by_hand():
    # Differences 1, −2, 3, 4, 5: W− = 2 (rank of |−2|), W+ = 13. Rank subsets summing to
    # ≤ 2: {}, {1}, {2}: 3 of 32; two-sided p = 6/32 = 0.1875.
    first = [10, 10, 10, 10, 10]
    second = [11, 8, 13, 14, 15]
    w, p = _exact_signed_rank_p([b - a for a, b in zip(first, second)])
    assert (w, p) == (2, 0.1875)
    result = paired_comparison(first, second)
    assert result.wilcoxon.statistic == 2
    assert result.wilcoxon.p == pytest.approx(0.1875)


def test_paired_comparison_drops_incomplete_pairs_and_says_so():
    result = paired_comparison([10, None, 20, 30], [11, 5, 22, 33])
    assert result.n == 3
    assert result.paired_t.p == pytest.approx(0.07418, abs=1e-5)
    assert any("dropped" in note for note in result.notes)


def test_paired_comparison_cannot_test_too_little_or_nothing():
    one = paired_comparison([1.0], [2.0])
    assert one.n == 1 and one.wilcoxon is None and one.paired_t is None and one.notes
    zero = paired_comparison([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert zero.mean_difference == 0 and zero.wilcoxon is None and zero.paired_t is None
    assert "zero" in zero.notes[0]
    with pytest.raises(ValueError):
        paired_comparison([1.0], [1.0, 2.0])


def test_differences_that_do_not_vary_get_no_t_test():
    # Every difference 1: s = 0, so t = 1 / (0 / √3) is not a number. The signed ranks still
    # say something: all three positive, W− = 0, P = 1/8, two-sided p = 2/8 = 0.25.
    result = paired_comparison([44.0, 43.0, 45.0], [45.0, 44.0, 46.0])
    assert result.paired_t is None and "the differences do not vary: no t test" in result.notes
    assert (result.wilcoxon.statistic, result.wilcoxon.n) == (0, 3) and result.wilcoxon.p == pytest.approx(0.25)
    # Rounding alone (44.1 − 43.0 is not 45.1 − 44.0 in floating point) is no variation either.
    rounded = paired_comparison([43.0, 44.0, 42.0], [44.1, 45.1, 43.1])
    assert rounded.paired_t is None


def test_the_wilcoxon_n_counts_the_differences_it_ranks():
    # Differences 0, 1, 2, 3: the zero is dropped, n = 3, all positive: p = 2/8 = 0.25.
    result = paired_comparison([5, 5, 5, 5], [5, 6, 7, 8])
    assert result.n == 4 and result.paired_t.n == 4
    assert result.wilcoxon.n == 3 and result.wilcoxon.p == pytest.approx(0.25)
    assert "1 zero difference(s) dropped by the Wilcoxon test" in result.notes


def test_regression_by_hand():
    # x 1..4, y 2, 4, 5, 8: means 2.5 and 4.75; Sxx = 5, Sxy = 9.5, Syy = 18.75;
    # slope 1.9, intercept 4.75 − 1.9 × 2.5 = 0; R² = 9.5² / (5 × 18.75) = 0.962667;
    # t = r√(n−2)/√(1−r²) = 7.1813 on 2 df → p = 1 − 7.1813/√53.571 = 0.01884.
    fit = linear_regression([1, 2, 3, 4], [2, 4, 5, 8])
    r_squared = 9.5**2 / (5 * 18.75)
    t = math.sqrt(r_squared * 2 / (1 - r_squared))
    assert fit.n == 4
    assert fit.slope == pytest.approx(1.9)
    assert fit.intercept == pytest.approx(0.0, abs=1e-12)
    assert fit.r_squared == pytest.approx(r_squared)
    assert fit.p == pytest.approx(t2_two_sided_p(t))
    assert fit.p == pytest.approx(0.01884, abs=1e-5)


def test_regression_needs_three_points_and_varying_x():
    assert linear_regression([1, 2], [3, 4]).slope is None
    flat = linear_regression([5, 5, 5], [1, 2, 3])
    assert flat.slope is None and "vary" in flat.notes[0]
    level = linear_regression([10, 20, 30], [0.0, 0.0, 0.0])  # everyone responded alike: R² is 0/0
    assert level.slope is None and level.r_squared is None and level.notes == ("y does not vary: no regression",)
    dropped = linear_regression([1, 2, None, 3, 4], [2, 4, 9, 5, 8])
    assert dropped.n == 4 and dropped.slope == pytest.approx(1.9)


def test_percent_change_and_reduction_by_hand():
    # Baseline 60, endpoint 45: (60 − 45)/60 × 100 = 25 % better; endpoint 66: −10 %.
    assert percent_change(60.0, 45.0) == pytest.approx(25.0)
    assert percent_change(60.0, 66.0) == pytest.approx(-10.0)
    # Drug 40 %, placebo 10 %: 30 percentage points over placebo — a responder (reaches 30).
    assert reduction_over_placebo(40.0, 10.0) == pytest.approx(30.0)
    assert is_responder(30.0) and not is_responder(29.9)
    assert is_responder(25.0, threshold_pct=20.0)
    with pytest.raises(AnalysisError):
        percent_change(0.0, 10.0)
