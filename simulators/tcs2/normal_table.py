"""Gaussian noise for the readings of a moving probe, drawn from a table.

Six noisy values a reading, a hundred readings a second, and far more in simulated visits:
`math`'s Box–Muller took more time than the rest of the reply. Instead one draw of
`BITS × 6` random bits picks six entries of a table of `SIZE` equally likely values, the
standard normal's quantiles at the middle of each 1/`SIZE` of probability. That is the
normal distribution to within the table's steps (under 0.001 σ near the mean), with the
tails cut at ±3.67 σ: for the 0.03 °C default, ±0.11 °C, about one tenth-of-a-degree step
of a reading.
"""

from __future__ import annotations

from functools import cache
from statistics import NormalDist

BITS = 12
SIZE = 1 << BITS
MASK = SIZE - 1


@cache
def _unit_quantiles() -> tuple[float, ...]:
    unit = NormalDist()
    return tuple(unit.inv_cdf((i + 0.5) / SIZE) for i in range(SIZE))


def normal_table(sigma: float) -> tuple[float, ...]:
    """`SIZE` equally likely values of a normal with mean 0 and SD `sigma` (≥ 0), ascending."""
    return tuple(sigma * z for z in _unit_quantiles())
