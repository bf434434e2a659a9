"""Readings of a probe at rest, drawn fast: one uniform number per reading.

A settled channel's reading is round(10 · (T + noise)) with T fixed and the noise normal,
so the reading in tenths has a small discrete distribution; sampling it directly from
its cumulative table gives exactly the same distribution as adding gaussian noise and
rounding, at a fraction of the cost. This is what lets a 30-minute idle stretch of 1 Hz
lines simulate in a few milliseconds.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Sequence

_SPAN_SIGMAS = 8.0  # readings further out than this have probability below 1e-15


class QuietNoise:
    """Draws tenth-of-°C readings of fixed true temperatures with gaussian noise `sigma_c`."""

    def __init__(self, sigma_c: float, uniform: Callable[[], float]):
        self._sigma_tenths = sigma_c * 10
        self._uniform = uniform
        self._tables: dict[float, tuple[int, list[float]]] = {}

    def sampler(self, temperatures_c: Sequence[float]) -> Callable[[], tuple[int, ...]]:
        """A function drawing one reading (tenths of °C) of each of `temperatures_c`, in order."""
        tables = [self._table(temperature_c) for temperature_c in temperatures_c]
        uniform = self._uniform

        def draw() -> tuple[int, ...]:
            return tuple([lowest + bisect_right(bounds, uniform()) for lowest, bounds in tables])

        return draw

    def _table(self, temperature_c: float) -> tuple[int, list[float]]:
        table = self._tables.get(temperature_c)
        if table is None:
            if len(self._tables) > 64:
                self._tables.clear()
            centre, sigma = temperature_c * 10, self._sigma_tenths
            if sigma <= 0:
                table = (round(centre), [])
            else:
                lowest = math.floor(centre - _SPAN_SIGMAS * sigma)
                highest = math.ceil(centre + _SPAN_SIGMAS * sigma)
                # P(reading <= k) = P(centre + noise < k + 0.5)
                upper_bounds = [
                    0.5 * (1 + math.erf((k + 0.5 - centre) / (sigma * math.sqrt(2)))) for k in range(lowest, highest)
                ]
                table = (lowest, upper_bounds)
            self._tables[temperature_c] = table
        return table
