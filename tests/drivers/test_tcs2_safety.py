"""The safety envelope's arithmetic: limits, the trapezoid profile, the dose table."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import SafetyLimitError
from drivers.tcs2.safety import DoseLimit, SafetyEnvelope, StimulusProfile


def test_default_limits_are_0_to_50():
    envelope = SafetyEnvelope()
    envelope.check_target(0.0)
    envelope.check_target(50.0)
    with pytest.raises(SafetyLimitError, match="50"):
        envelope.check_target(50.01)
    with pytest.raises(SafetyLimitError):
        envelope.check_target(-0.01)


def test_widening_stays_within_the_device_range():
    assert SafetyEnvelope().widened(max_c=55.0).max_c == 55.0
    with pytest.raises(SafetyLimitError, match="device"):
        SafetyEnvelope().widened(max_c=60.5)
    with pytest.raises(SafetyLimitError, match="device"):
        SafetyEnvelope().widened(min_c=-1.0)


def test_profile_of_a_heat_ramp_cut_short_by_duration():
    profile = StimulusProfile(neutral_c=32.0, target_c=50.0, ramp_c_per_s=2.0, return_c_per_s=5.0, duration_s=5.0)
    assert profile.rise_s == pytest.approx(9.0)
    assert profile.peak_c == pytest.approx(42.0)
    assert profile.plateau_s == 0.0
    assert profile.total_s == pytest.approx(5.0 + 10.0 / 5.0)


def test_time_above_a_limit_counts_rise_plateau_and_return():
    profile = StimulusProfile(neutral_c=32.0, target_c=50.0, ramp_c_per_s=1.0, return_c_per_s=5.0, duration_s=18.0 + 4.0)
    # 2 °C above 48: 2 s rising, 4 s plateau, 0.4 s returning
    assert profile.time_beyond_s(48.0) == pytest.approx(6.4)
    assert profile.time_beyond_s(50.0) == 0.0


def test_cold_time_counts_below():
    profile = StimulusProfile(neutral_c=32.0, target_c=0.0, ramp_c_per_s=1.0, return_c_per_s=5.0, duration_s=32.0)
    assert profile.time_beyond_s(5.0, cold=True) == pytest.approx(5.0 + 1.0)


def test_a_long_hot_plateau_is_refused_and_a_short_one_allowed():
    envelope = SafetyEnvelope()
    short = StimulusProfile(32.0, 49.0, 1.0, 5.0, duration_s=17.0 + 5.0)
    envelope.check_stimulus(short)
    long = StimulusProfile(32.0, 49.0, 1.0, 5.0, duration_s=17.0 + 60.0)
    with pytest.raises(SafetyLimitError, match="thermal-dose"):
        envelope.check_stimulus(long)


def test_hold_refused_where_the_table_bounds_time():
    envelope = SafetyEnvelope()
    envelope.check_hold(40.0)
    with pytest.raises(SafetyLimitError, match="follow mode"):
        envelope.check_hold(46.0)
    with pytest.raises(SafetyLimitError, match="follow mode"):
        envelope.check_hold(3.0)


@settings(deadline=None, max_examples=60)
@given(
    target_c=st.floats(33.0, 50.0),
    ramp=st.floats(0.1, 10.0),
    back=st.floats(0.1, 10.0),
    plateau_s=st.floats(0.0, 90.0),
)
def test_accepted_profiles_respect_every_row_of_the_table(target_c, ramp, back, plateau_s):
    table = (DoseLimit(45.0, 20.0), DoseLimit(48.0, 5.0))
    envelope = SafetyEnvelope(dose_table=table)
    duration_s = (target_c - 32.0) / ramp + plateau_s
    profile = StimulusProfile(32.0, target_c, ramp, back, duration_s)
    try:
        envelope.check_stimulus(profile)
    except SafetyLimitError:
        assert any(profile.time_beyond_s(row.above_c) > row.max_duration_s for row in table)
    else:
        # Integrate the trapezoid numerically: the accepted time above each limit is within bounds.
        for row in table:
            step = 0.005
            t, above = 0.0, 0.0
            while t < profile.total_s:
                if t < min(duration_s, profile.rise_s):
                    temperature = 32.0 + ramp * t
                elif t < duration_s:
                    temperature = profile.peak_c
                else:
                    temperature = profile.peak_c - back * (t - duration_s)
                above += step if temperature > row.above_c else 0.0
                t += step
            assert above <= row.max_duration_s + 0.02
