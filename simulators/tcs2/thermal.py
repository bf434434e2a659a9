"""One thermal channel of the probe: a slew-limited setpoint driving a first-order lag.

The setpoint moves in a straight line towards its goal at `rate_c_per_s` (never faster
than the probe's 300 °C/s) and stops there. The true temperature follows the setpoint
with time constant `lag_s`. Both are integrated exactly (the lag's answer to a ramp is
closed-form), so one long step and many short ones agree to rounding, and a ramp's slope
after the lag is exactly its rate.
"""

from __future__ import annotations

import math

PROBE_MAX_RATE_C_PER_S = 300.0
# Below this distance from a still setpoint the lag's tail is snapped shut, so a settled
# channel costs nothing to advance; far below the 0.01 °C resolution of any reading.
SETTLE_C = 1e-4


class Channel:
    """Setpoint and true temperature (°C) of a zone or of the neutral reference."""

    __slots__ = ("setpoint_c", "goal_c", "rate_c_per_s", "true_c", "lag_s")

    def __init__(self, temperature_c: float, lag_s: float):
        self.setpoint_c = temperature_c
        self.goal_c = temperature_c
        self.rate_c_per_s = 1.0
        self.true_c = temperature_c
        self.lag_s = lag_s

    def move_to(self, goal_c: float, rate_c_per_s: float) -> None:
        """Head for `goal_c` from wherever the setpoint is, at `rate_c_per_s` (> 0)."""
        self.goal_c = goal_c
        self.rate_c_per_s = min(rate_c_per_s, PROBE_MAX_RATE_C_PER_S)

    @property
    def state(self) -> tuple[float, float, float, float, float]:
        """Everything that decides how the channel moves on: two in the same state stay alike."""
        return (self.setpoint_c, self.goal_c, self.rate_c_per_s, self.true_c, self.lag_s)

    def copy(self) -> "Channel":
        twin = Channel(self.true_c, self.lag_s)
        twin.setpoint_c, twin.goal_c, twin.rate_c_per_s = self.setpoint_c, self.goal_c, self.rate_c_per_s
        return twin

    @property
    def settled(self) -> bool:
        return self.setpoint_c == self.goal_c and self.true_c == self.setpoint_c

    @property
    def at_goal(self) -> bool:
        return self.setpoint_c == self.goal_c

    def advance(self, dt_s: float) -> None:
        """Move `dt_s` seconds (≥ 0) forward."""
        start_c, goal_c, true_c = self.setpoint_c, self.goal_c, self.true_c
        if start_c == goal_c:
            if true_c != start_c:
                self.true_c = self._settle(self._relax(true_c, start_c, dt_s))
            return
        distance_c = goal_c - start_c
        slope = self.rate_c_per_s if distance_c > 0 else -self.rate_c_per_s
        ramp_s = distance_c / slope
        if ramp_s > dt_s:
            # `_follow_ramp`, spelled out: the usual step of every tick of a stimulation
            lag_s = self.lag_s
            if lag_s > 0:
                trail_c = slope * lag_s
                self.true_c = start_c + slope * dt_s - trail_c + (true_c - start_c + trail_c) * math.exp(-dt_s / lag_s)
            else:
                self.true_c = start_c + slope * dt_s
            setpoint_c = start_c + slope * dt_s
            # rounding must not carry the setpoint past its goal
            self.setpoint_c = goal_c if (setpoint_c - goal_c) * slope >= 0 else setpoint_c
        else:
            true_c = self._follow_ramp(true_c, start_c, slope, ramp_s)
            self.setpoint_c = goal_c
            self.true_c = self._settle(self._relax(true_c, goal_c, dt_s - ramp_s))

    def _relax(self, true_c: float, setpoint_c: float, dt_s: float) -> float:
        if self.lag_s <= 0:
            return setpoint_c
        return setpoint_c + (true_c - setpoint_c) * math.exp(-dt_s / self.lag_s)

    def _follow_ramp(self, true_c: float, start_c: float, slope: float, dt_s: float) -> float:
        lag_s = self.lag_s
        if lag_s <= 0:
            return start_c + slope * dt_s
        # Lag output for input start + slope*t: trails the ramp by slope*lag once settled.
        trail_c = slope * lag_s
        return start_c + slope * dt_s - trail_c + (true_c - start_c + trail_c) * math.exp(-dt_s / lag_s)

    def _settle(self, true_c: float) -> float:
        return self.setpoint_c if abs(true_c - self.setpoint_c) < SETTLE_C else true_c


