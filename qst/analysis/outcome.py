"""The primary outcome convention, as settings, and its arithmetic.

Defaults follow the first study: baseline = mean diary rating over the baseline phase; a
phase's endpoint = mean rating over its last 3 days; % change = (baseline − endpoint) /
baseline × 100 (positive = symptoms reduced); reduction over placebo = drug % change −
placebo % change (percentage points); a responder's reduction reaches 30.
"""

from __future__ import annotations

from dataclasses import dataclass

from qst.analysis.errors import AnalysisError

PHASE_MEAN = "mean"
PHASE_LAST = "last"


@dataclass(frozen=True)
class OutcomeSettings:
    """How the primary outcome and the per-phase lab values are computed.

    Phases are named by code (`baseline_phase`, `placebo_phase`, `drug_phase`), so the
    computation needs no unblinding. `endpoint_days`: the phase's last calendar days whose
    ratings make its endpoint; fewer than `min_endpoint_ratings` ratings there → no
    endpoint. `responder_threshold_pct`: reduction over placebo, in percentage points, that
    makes a responder. `lab_phase_value`: a lab measure's value in a phase is the "mean" of
    its visits there or the "last" visit's. `predictor_lab`: the baseline lab value the drug
    response is regressed on. `confidence`: of the per-phase intervals.
    """

    baseline_phase: str
    placebo_phase: str
    drug_phase: str
    endpoint_days: int = 3
    min_endpoint_ratings: int = 1
    responder_threshold_pct: float = 30.0
    lab_phase_value: str = PHASE_MEAN
    predictor_lab: str = "ESR"
    confidence: float = 0.95

    def __post_init__(self) -> None:
        if self.endpoint_days < 1:
            raise AnalysisError(f"endpoint_days must be at least 1, not {self.endpoint_days}")
        if not 1 <= self.min_endpoint_ratings <= self.endpoint_days:
            raise AnalysisError(
                f"min_endpoint_ratings must be 1..{self.endpoint_days}, not {self.min_endpoint_ratings}"
            )
        if self.lab_phase_value not in (PHASE_MEAN, PHASE_LAST):
            raise AnalysisError(f"lab_phase_value must be 'mean' or 'last', not {self.lab_phase_value!r}")
        if not 0 < self.confidence < 1:
            raise AnalysisError(f"confidence must be between 0 and 1, not {self.confidence}")


def percent_change(baseline: float, endpoint: float) -> float:
    """(baseline − endpoint) / baseline × 100: positive when the rating fell. Raises
    AnalysisError when the baseline is 0 (no relative change from nothing)."""
    if baseline == 0:
        raise AnalysisError("baseline rating is 0: % change undefined")
    return (baseline - endpoint) / baseline * 100.0


def reduction_over_placebo(drug_pct_change: float, placebo_pct_change: float) -> float:
    """Drug % change − placebo % change, in percentage points (positive = drug better)."""
    return drug_pct_change - placebo_pct_change


def is_responder(reduction_pct: float, threshold_pct: float = 30.0) -> bool:
    """True when the reduction over placebo reaches the threshold (≥)."""
    return reduction_pct >= threshold_pct
