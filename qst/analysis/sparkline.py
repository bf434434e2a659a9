"""Sparklines for the terminal: a sequence of values as a line of unicode block characters."""

from __future__ import annotations

import math
from collections.abc import Iterable

BLOCKS = "▁▂▃▄▅▆▇█"
GAP = " "


def sparkline(values: Iterable[float | None], *, low: float | None = None, high: float | None = None) -> str:
    """One character per value, from ▁ (at `low`, default the smallest) to █ (at `high`,
    default the largest); None or NaN is a space; values outside low..high are clipped.
    When all values are equal (or low == high) every one is drawn at mid height."""
    values = [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values]
    known = [v for v in values if v is not None]
    if not known:
        return GAP * len(values)
    low = min(known) if low is None else low
    high = max(known) if high is None else high
    span = high - low
    out = []
    for v in values:
        if v is None:
            out.append(GAP)
        elif span <= 0:
            out.append(BLOCKS[len(BLOCKS) // 2 - 1])
        else:
            fraction = min(1.0, max(0.0, (v - low) / span))
            out.append(BLOCKS[min(len(BLOCKS) - 1, int(fraction * len(BLOCKS)))])
    return "".join(out)
