"""Probe model and the sliding-window ramp rate (pure)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.mark10.probe import Probe
from drivers.mark10.ramp_rate import RampRate, least_squares_slope


def test_one_newton_on_one_square_centimetre_is_ten_kpa():
    assert Probe().pressure_kpa(1.0) == 10.0
    assert Probe().pressure_kpa(40.0) == 400.0
    assert Probe(tip_area_cm2=0.5).pressure_kpa(1.0) == 20.0
    assert Probe(tip_area_cm2=2.0).force_n(50.0) == 10.0


@pytest.mark.parametrize("area", [0.0, -1.0, math.nan])
def test_probe_refuses_a_tip_without_area(area):
    with pytest.raises(ValueError):
        Probe(tip_area_cm2=area)


@given(st.floats(-1e4, 1e4), st.floats(0.01, 100))
def test_probe_round_trips(force_n, area):
    probe = Probe(area)
    assert probe.force_n(probe.pressure_kpa(force_n)) == pytest.approx(force_n, abs=1e-9)


@settings(max_examples=200)
@given(
    slope=st.floats(-1000, 1000),
    offset=st.floats(-1e4, 1e4),
    t0=st.floats(0, 1e6),
    n=st.integers(2, 60),
    dt=st.floats(0.001, 0.1),
)
def test_slope_of_a_straight_line_is_exact(slope, offset, t0, n, dt):
    points = [(t0 + i * dt, offset + slope * i * dt) for i in range(n)]
    assert least_squares_slope(points) == pytest.approx(slope, abs=1e-6 * (1 + abs(slope) + abs(offset) / (n * dt)))


def test_slope_needs_two_distinct_times():
    assert least_squares_slope([(1.0, 2.0)]) is None
    assert least_squares_slope([(1.0, 2.0), (1.0, 3.0)]) is None


def test_rate_follows_a_ramp_once_the_window_has_enough_span():
    rate = RampRate(window_s=0.5, min_span_s=0.2, contact_kpa=2.0)
    results = [rate.add(i * 0.02, 50.0 * i * 0.02 + 5.0) for i in range(60)]
    assert all(r is None for r in results[:10])  # under 0.2 s of history
    assert all(r == pytest.approx(50.0) for r in results[10:])


def test_window_forgets_the_old_slope():
    rate = RampRate(window_s=0.5)
    t, p = 0.0, 10.0
    for _ in range(50):
        t += 0.02
        p += 50.0 * 0.02
        rate.add(t, p)
    for _ in range(26):
        t += 0.02
        p += 20.0 * 0.02
        last = rate.add(t, p)
    assert last == pytest.approx(20.0)


def test_leaving_the_skin_clears_the_window():
    rate = RampRate(window_s=0.5, min_span_s=0.1, contact_kpa=2.0)
    for i in range(30):
        rate.add(i * 0.02, 10 + 50.0 * i * 0.02)
    assert rate.rate_kpa_s is not None
    assert rate.add(0.62, 1.0) is None
    assert rate.rate_kpa_s is None
    assert rate.add(0.64, 10.0) is None  # fresh start: one point only


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.floats(0.005, 0.05), st.floats(-20.0, 400.0)), min_size=1, max_size=600),
    st.floats(0.0, 1000.0),
)
def test_the_running_rate_is_the_slope_of_the_window(steps, t0):
    """The rate is kept as running sums; at every sample it must be the least-squares slope
    of the points in the window (within rounding), contact lost and regained included."""
    rate = RampRate(window_s=0.5, min_span_s=0.2, contact_kpa=2.0)
    window: list[tuple[float, float]] = []
    t_s = t0
    for dt_s, pressure_kpa in steps:
        t_s += dt_s
        got = rate.add(t_s, pressure_kpa)
        if pressure_kpa <= 2.0:
            window = []
            assert got is None
            continue
        window = [(t, p) for t, p in window + [(t_s, pressure_kpa)] if t_s - t <= 0.5]
        if window[-1][0] - window[0][0] < 0.2:
            assert got is None
        else:
            assert got == pytest.approx(least_squares_slope(window), rel=1e-6, abs=1e-6)


def test_time_must_move_forward():
    rate = RampRate()
    rate.add(1.0, 10.0)
    with pytest.raises(ValueError):
        rate.add(1.0, 11.0)


@pytest.mark.parametrize("args", [(0.0, 0.1, 1.0), (0.5, 0.6, 1.0), (0.5, 0.0, 1.0), (0.5, 0.2, -1.0)])
def test_rate_refuses_bad_windows(args):
    with pytest.raises(ValueError):
        RampRate(*args)
