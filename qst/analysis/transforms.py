"""The DFNS transforms: from a raw value in the reference table's unit to the scale its
mean and SD are on."""

from __future__ import annotations

import math

from qst.analysis.errors import AnalysisError

LINEAR = "linear"
LOG10 = "log10"
LOG10_PLUS_TENTH = "log10_plus_0.1"
LOG10_ABS_FROM_BASELINE = "log10_abs_from_baseline"
SCALES = (LINEAR, LOG10, LOG10_PLUS_TENTH, LOG10_ABS_FROM_BASELINE)

DFNS_BASELINE_C = 32.0
"""The thermode baseline the DFNS detection thresholds (CDT, WDT) are measured from."""


def transform(scale: str, value: float, *, from_baseline: bool = True, baseline_c: float = DFNS_BASELINE_C) -> float:
    """`value` on `scale`. For "log10_abs_from_baseline" (CDT, WDT), `value` is °C from the
    baseline when `from_baseline` (the harness's default for these tests), else an absolute
    temperature that `baseline_c` is subtracted from. Raises AnalysisError where the log has
    no value (≤ 0 after the offset)."""
    if scale == LINEAR:
        return value
    if scale == LOG10:
        argument = value
    elif scale == LOG10_PLUS_TENTH:
        argument = value + 0.1
    elif scale == LOG10_ABS_FROM_BASELINE:
        argument = abs(value if from_baseline else value - baseline_c)
    else:
        raise AnalysisError(f"unknown scale {scale!r} (known: {', '.join(SCALES)})")
    if argument <= 0:
        raise AnalysisError(f"{scale} of {value:g} is undefined (log of {argument:g})")
    return math.log10(argument)
