"""One probe channel: slew-limited setpoint, first-order lag, integrated exactly."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators.tcs2.thermal import PROBE_MAX_RATE_C_PER_S, SETTLE_C, Channel


def test_setpoint_reaches_the_goal_after_distance_over_rate():
    channel = Channel(32.0, lag_s=0.0)
    channel.move_to(45.0, 2.0)
    channel.advance(6.4)
    assert channel.setpoint_c == pytest.approx(44.8)
    assert channel.true_c == pytest.approx(44.8)
    channel.advance(0.2)
    assert channel.setpoint_c == 45.0
    channel.advance(5.0)
    assert channel.settled and channel.true_c == 45.0


def test_step_response_is_first_order():
    channel = Channel(42.0, lag_s=0.05)
    channel.true_c = 32.0  # setpoint jumped: the probe has not followed yet
    channel.advance(0.05)
    assert channel.true_c == pytest.approx(42.0 - 10.0 * math.exp(-1))
    channel.advance(0.10)
    assert channel.true_c == pytest.approx(42.0 - 10.0 * math.exp(-3))


def test_ramp_slope_after_the_lag_is_the_rate():
    channel = Channel(32.0, lag_s=0.05)
    channel.move_to(45.0, 1.0)
    channel.advance(1.0)
    start_c = channel.true_c
    channel.advance(10.0)
    assert (channel.true_c - start_c) / 10.0 == pytest.approx(1.0, abs=1e-9)
    # and it trails the setpoint by rate × lag
    assert channel.setpoint_c - channel.true_c == pytest.approx(0.05, abs=1e-9)


def test_rate_is_capped_at_the_probe_limit():
    channel = Channel(32.0, lag_s=0.0)
    channel.move_to(60.0, 1000.0)
    channel.advance(0.05)
    assert channel.setpoint_c == pytest.approx(32.0 + PROBE_MAX_RATE_C_PER_S * 0.05)


@given(
    start_c=st.floats(0, 60),
    goal_c=st.floats(0, 60),
    rate_c_per_s=st.floats(0.01, 500),
    lag_s=st.sampled_from([0.0, 0.01, 0.05, 0.3]),
    steps_s=st.lists(st.floats(0, 2), min_size=1, max_size=20),
)
def test_many_short_steps_agree_with_one_long_one(start_c, goal_c, rate_c_per_s, lag_s, steps_s):
    whole, pieces = Channel(start_c, lag_s), Channel(start_c, lag_s)
    whole.move_to(goal_c, rate_c_per_s)
    pieces.move_to(goal_c, rate_c_per_s)
    for step_s in steps_s:
        pieces.advance(step_s)
        # a monotone input never drives the lag past the goal or the setpoint past it
        low, high = min(start_c, goal_c), max(start_c, goal_c)
        assert low - 1e-9 <= pieces.setpoint_c <= high + 1e-9
        assert low - 1e-9 <= pieces.true_c <= high + 1e-9
    whole.advance(sum(steps_s))
    assert pieces.setpoint_c == pytest.approx(whole.setpoint_c, abs=1e-9)
    # the settle snap may close the lag's last 1e-4 °C at a different step
    assert pieces.true_c == pytest.approx(whole.true_c, abs=SETTLE_C + 1e-9)

