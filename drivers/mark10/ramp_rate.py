"""The live ramp rate the examiner watches: a least-squares slope over a sliding window.

Pure: feed it (time, pressure) pairs; it keeps the last `window_s` seconds of contact and
gives their slope in kPa/s. The slope of a straight-line fit best matches the rate at the
middle of the window, so a changing rate shows with a lag of about `window_s / 2`; a short
window follows faster, a long one shrugs off hand tremor and the gauge's resolution.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable


def least_squares_slope(points: Iterable[tuple[float, float]]) -> float | None:
    """The slope of the best straight line through (x, y) points; None if x never varies."""
    points = list(points)
    n = len(points)
    if n < 2:
        return None
    # One pass over the points, x taken from the first one so its square stays small: this
    # runs on every sample of a 50 Hz ramp.
    x0 = points[0][0]
    sum_x = sum_y = sum_xx = sum_xy = 0.0
    for x, y in points:
        x -= x0
        sum_x += x
        sum_y += y
        sum_xx += x * x
        sum_xy += x * y
    sxx = sum_xx - sum_x * sum_x / n
    if sxx <= 1e-12 * max(sum_xx, 1e-300):
        return None
    return (sum_xy - sum_x * sum_y / n) / sxx


REBASE_WINDOWS = 4
"""The running sums start afresh when the window is this many windows past their origin."""


class RampRate:
    """Sliding-window rate of a pressure ramp, kPa/s.

    `window_s` (> 0): how much history the slope spans (0.5 s by default: 25 samples at
    50 Hz). `min_span_s` (0 < min_span_s <= window_s): no rate until the samples in hand
    span at least this long. `contact_kpa` (>= 0): a sample at or below it means the tip is
    off the skin; it clears the window, so a ramp's rate never mixes in the time before it.
    """

    def __init__(self, window_s: float = 0.5, min_span_s: float = 0.2, contact_kpa: float = 2.0):
        if not window_s > 0 or not 0 < min_span_s <= window_s or contact_kpa < 0:
            raise ValueError(
                f"need window_s > 0, 0 < min_span_s <= window_s, contact_kpa >= 0; "
                f"got {window_s}, {min_span_s}, {contact_kpa}"
            )
        self.window_s = window_s
        self.min_span_s = min_span_s
        self.contact_kpa = contact_kpa
        self._points: deque[tuple[float, float]] = deque()
        self.reset()

    def add(self, t_s: float, pressure_kpa: float) -> float | None:
        """Take one sample (time in s, pressure in kPa); returns `rate_kpa_s`."""
        points = self._points
        if pressure_kpa <= self.contact_kpa:
            self.reset()
            return None
        if points and t_s <= points[-1][0]:
            raise ValueError(f"samples must move forward in time: {t_s} s after {points[-1][0]} s")
        if not points or t_s - self._x0 > REBASE_WINDOWS * self.window_s:
            points.append((t_s, pressure_kpa))
            self._rebase()
        else:
            self._include(t_s, pressure_kpa, 1.0)
            points.append((t_s, pressure_kpa))
        while t_s - points[0][0] > self.window_s:
            self._include(*points.popleft(), -1.0)
        return self.rate_kpa_s

    @property
    def rate_kpa_s(self) -> float | None:
        """The current rate in kPa/s, or None (off the skin, or too little history)."""
        points = self._points
        if not points or points[-1][0] - points[0][0] < self.min_span_s:
            return None
        n = len(points)
        sum_x, sum_xx = self._sum_x, self._sum_xx
        sxx = sum_xx - sum_x * sum_x / n
        if sxx <= 1e-12 * max(sum_xx, 1e-300):
            return None
        return (self._sum_xy - sum_x * self._sum_y / n) / sxx

    # `least_squares_slope` of the window, kept as running sums: the rate is asked for at
    # every sample of a 50 Hz ramp. Times count from `_x0`, the window's first time when
    # the sums were last worked out afresh; that is done again once the window has moved
    # on by `REBASE_WINDOWS` windows, so the sums stay small and their rounding with them.

    def _include(self, t_s: float, pressure_kpa: float, sign: float) -> None:
        x = t_s - self._x0
        self._sum_x += sign * x
        self._sum_y += sign * pressure_kpa
        self._sum_xx += sign * x * x
        self._sum_xy += sign * x * pressure_kpa

    def _rebase(self) -> None:
        self._x0 = self._points[0][0]
        self._sum_x = self._sum_y = self._sum_xx = self._sum_xy = 0.0
        for t_s, pressure_kpa in self._points:
            self._include(t_s, pressure_kpa, 1.0)

    def reset(self) -> None:
        self._points.clear()
        self._x0 = self._sum_x = self._sum_y = self._sum_xx = self._sum_xy = 0.0
