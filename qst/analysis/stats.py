"""The cohort statistics: mean with a t-based confidence interval, paired comparisons, and a
linear regression — thin, explicit wrappers over scipy.stats that say what they used.

Each result carries its n; a statistic that cannot be computed is None with a `note`.

scipy.stats is imported on the first statistic, not with this module: it takes about a
second, and the study report imports it in a process of its own while another draws the
participants' pages (which need no statistics).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType


def _scipy_stats() -> ModuleType:
    from scipy import stats

    return stats


@dataclass(frozen=True)
class MeanCI:
    """Mean of `n` values with its two-sided `confidence` interval from the t distribution
    (df = n − 1). `sd` is the sample SD; `lower`/`upper`/`sd` are None when n < 2."""

    n: int
    mean: float | None
    sd: float | None
    lower: float | None
    upper: float | None
    confidence: float


def mean_ci(values: Sequence[float], confidence: float = 0.95) -> MeanCI:
    values = [float(v) for v in values]
    n = len(values)
    if n == 0:
        return MeanCI(0, None, None, None, None, confidence)
    mean = statistics.fmean(values)
    if n < 2:
        return MeanCI(n, mean, None, None, None, confidence)
    sd = statistics.stdev(values)
    half_width = _scipy_stats().t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return MeanCI(n, mean, sd, mean - half_width, mean + half_width, confidence)


@dataclass(frozen=True)
class TestResult:
    """A test's `statistic`, two-sided `p` and the `n` pairs it used (`name` says which test:
    for the Wilcoxon signed-rank test the statistic is the smaller rank sum, as scipy gives it)."""

    __test__ = False  # not a pytest test class, whatever its name

    name: str
    statistic: float
    p: float
    n: int


@dataclass(frozen=True)
class PairedComparison:
    """`second` − `first` over complete pairs: n, mean difference, Wilcoxon signed-rank (its n
    the non-zero differences it ranks) and paired t. A test that cannot run (too few pairs,
    all differences zero, for t differences that do not vary) is None, with why in `notes`."""

    n: int
    mean_difference: float | None
    wilcoxon: TestResult | None
    paired_t: TestResult | None
    notes: tuple[str, ...]


def _complete_pairs(first: Sequence[float | None], second: Sequence[float | None], what: str) -> list[tuple[float, float]]:
    """The (first, second) pairs with neither value None nor NaN; `what` names the two in the
    error when their lengths differ."""
    if len(first) != len(second):
        raise ValueError(f"{what} differ in length: {len(first)} and {len(second)}")
    return [
        (float(a), float(b))
        for a, b in zip(first, second)
        if a is not None and b is not None and not (math.isnan(a) or math.isnan(b))
    ]


def paired_comparison(first: Sequence[float], second: Sequence[float]) -> PairedComparison:
    """Compare paired values (same order, same length); pairs with a None or NaN are dropped."""
    pairs = _complete_pairs(first, second, "paired samples")
    n = len(pairs)
    notes = []
    if n < len(first):
        notes.append(f"{len(first) - n} incomplete pair(s) dropped")
    if n < 2:
        notes.append(f"{n} complete pair(s): no test")
        return PairedComparison(n, pairs[0][1] - pairs[0][0] if pairs else None, None, None, tuple(notes))
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    differences = [y - x for x, y in pairs]
    mean_difference = statistics.fmean(differences)
    if all(d == 0 for d in differences):
        notes.append("all differences are zero: no test")
        return PairedComparison(n, mean_difference, None, None, tuple(notes))
    sps = _scipy_stats()
    paired_t = None
    if _spread(differences) <= VARIES_FRACTION * max(abs(d) for d in differences):
        notes.append("the differences do not vary: no t test")
    else:
        t = sps.ttest_rel(b, a)
        paired_t = _finite(TestResult("paired t", float(t.statistic), float(t.pvalue), n), notes)
    nonzero = sum(1 for d in differences if d != 0)
    w = sps.wilcoxon(b, a)
    wilcoxon = _finite(TestResult("Wilcoxon signed-rank", float(w.statistic), float(w.pvalue), nonzero), notes)
    if nonzero < n:
        notes.append(f"{n - nonzero} zero difference(s) dropped by the Wilcoxon test")
    return PairedComparison(n, mean_difference, wilcoxon, paired_t, tuple(notes))


VARIES_FRACTION = 1e-9
"""Values whose spread is below this fraction of their size do not vary: their differences
are rounding, and a t statistic over them is rounding divided by rounding."""


def _spread(values: Sequence[float]) -> float:
    return max(values) - min(values)


def _finite(result: TestResult, notes: list[str]) -> TestResult | None:
    """`result`, or None with a note where scipy gave an infinite or undefined number."""
    if math.isfinite(result.statistic) and math.isfinite(result.p):
        return result
    notes.append(f"{result.name}: not defined for these values")
    return None


@dataclass(frozen=True)
class Regression:
    """Least-squares line y = intercept + slope·x over `n` points: R², the two-sided p of
    slope = 0 and the slope's standard error. None fields when n < 3 or x or y does not vary."""

    n: int
    slope: float | None
    intercept: float | None
    r_squared: float | None
    p: float | None
    slope_stderr: float | None
    notes: tuple[str, ...]


def linear_regression(x: Sequence[float | None], y: Sequence[float | None]) -> Regression:
    """Regress y on x; points with a None or NaN are dropped."""
    points = _complete_pairs(x, y, "x and y")
    n = len(points)
    notes = []
    if n < len(x):
        notes.append(f"{len(x) - n} incomplete point(s) dropped")
    if n < 3:
        notes.append(f"{n} point(s): no regression")
        return Regression(n, None, None, None, None, None, tuple(notes))
    xs = [p[0] for p in points]
    if len(set(xs)) < 2:
        notes.append("x does not vary: no regression")
        return Regression(n, None, None, None, None, None, tuple(notes))
    ys = [p[1] for p in points]
    if _spread(ys) <= VARIES_FRACTION * max(abs(y) for y in ys):
        notes.append("y does not vary: no regression")
        return Regression(n, None, None, None, None, None, tuple(notes))
    fit = _scipy_stats().linregress(xs, ys)
    numbers = (float(fit.slope), float(fit.intercept), float(fit.rvalue) ** 2, float(fit.pvalue), float(fit.stderr))
    if not all(math.isfinite(number) for number in numbers):
        notes.append("the fit is not defined for these values: no regression")
        return Regression(n, None, None, None, None, None, tuple(notes))
    return Regression(n, *numbers, tuple(notes))
