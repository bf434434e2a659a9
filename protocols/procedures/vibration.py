"""Vibration detection threshold (VDT) with a graded tuning fork (DFNS, Rolke et al. 2006).

No device the harness drives: the examiner strikes a Rydel–Seiffer fork (64 Hz, scale 0–8),
sets it on a bony prominence, and reads on the fork's scale where the participant stops
feeling the vibration; `series` such readings make one trial, and the value is their mean
(higher is better: the vibration was felt down to a smaller amplitude).
"""

from __future__ import annotations

from protocols.records import TrialResult
from protocols.runner import TrialContext
from protocols.settings import VibrationSettings


class VibrationLimits:
    """VDT: one trial is `series` readings of the fork's scale; the value in /8 (the scale)."""

    def __init__(self, test: str, settings: VibrationSettings):
        self.test = test
        self.settings = settings
        self.unit = f"/{settings.scale_max:g}"

    def run_trial(self, ctx: TrialContext) -> TrialResult:
        s = self.settings
        readings: list[float] = []
        for series in range(1, s.series + 1):
            ctx.check_abort()
            question = ctx.question(
                f"Series {series} of {s.series}: the reading on the fork's scale (0–{s.scale_max:g}) "
                "when the vibration was no longer felt?", series=series, scale_max=s.scale_max)
            reading = float(ctx.operator.number(question, 0.0, s.scale_max))
            ctx.emit("reading", {"series": series, "reading": reading})
            readings.append(reading)
        return TrialResult(value=round(sum(readings) / len(readings), 4), unit=self.unit, extra={"readings": readings})
