"""The virtual examiner and participant behind the simulated algometer."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators.bench import create_core
from simulators.mark10 import VirtualExaminer, VirtualParticipant


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31), rate=st.floats(10, 100), wobble=st.floats(0, 0.3))
def test_true_rate_wobbles_within_bounds_and_is_the_slope_of_the_push(seed, rate, wobble):
    push = VirtualExaminer(random.Random(seed), rate_kpa_s=rate, wobble=wobble, tremor_kpa=0).push(1.0)
    times = [1.0 + i * 0.05 for i in range(1, 200)]
    rates = [push.rate_kpa_s(t) for t in times]
    assert all(rate * (1 - wobble) - 1e-9 <= r <= rate * (1 + wobble) + 1e-9 for r in rates)
    for t in times[::20]:
        slope = (push.pressure_kpa(t + 1e-5) - push.pressure_kpa(t - 1e-5)) / 2e-5
        assert slope == pytest.approx(push.rate_kpa_s(t), rel=1e-4, abs=1e-3)


def test_tremor_is_fast_small_and_fades_in_from_contact():
    examiner = VirtualExaminer(random.Random(4), tremor_kpa=1.0)
    push = examiner.push(0.0)
    smooth = VirtualExaminer(random.Random(4), tremor_kpa=0.0).push(0.0)
    deviations = [push.pressure_kpa(t / 1000) - smooth.pressure_kpa(t / 1000) for t in range(0, 4000)]
    assert max(map(abs, deviations)) <= 1.0 + 1e-9
    assert max(map(abs, deviations[1000:])) > 0.5
    assert max(map(abs, deviations[:20])) < 0.1
    sign_changes = sum(1 for a, b in zip(deviations[1000:], deviations[1001:]) if a * b < 0)
    assert 3 * 2 * 7 <= sign_changes <= 3 * 2 * 13  # 8-12 Hz over 3 s
    assert push.pressure_kpa(-1.0) == 0.0


def test_release_goes_down_at_the_release_rate_to_zero():
    push = VirtualExaminer(random.Random(1), release_kpa_s=400.0, tremor_kpa=0).push(0.0)
    push.release(4.0)
    top = push.pressure_kpa(4.0)
    assert push.pressure_kpa(4.1) == pytest.approx(top - 40.0)
    assert push.end_s == pytest.approx(4.0 + top / 400.0)
    assert push.pressure_kpa(push.end_s + 0.01) == 0.0
    assert push.rate_kpa_s(4.05) == -400.0 and push.rate_kpa_s(push.end_s + 1) == 0.0


def test_participant_responds_a_reaction_time_after_the_crossing_and_the_examiner_lets_go():
    core = create_core("mark10", 9, {"threshold_kpa": "300", "reaction_s": "0.4"})
    record = core.start_ramp(1.0)
    core.advance_to(20.0)
    assert record.crossing_s == pytest.approx(1.0 + 300 / 50, abs=0.7)  # ±10 % wobble
    assert core.true_pressure_kpa(record.crossing_s) == pytest.approx(300.0, abs=1e-6)
    assert max(core.true_pressure_kpa(record.crossing_s - i / 1000) for i in range(1, 500)) < 300.0 + 1.0
    assert record.response_s == pytest.approx(record.crossing_s + 0.4)
    assert record.push.release_s == record.response_s
    assert core.response_t_s == record.response_s
    assert core.true_pressure_kpa(record.response_s + 0.05) < core.true_pressure_kpa(record.response_s)
    assert not record.cut_off


def test_response_time_is_not_known_before_it_happens():
    core = create_core("mark10", 9, {"threshold_kpa": "100", "reaction_s": "0.3"})
    record = core.start_ramp(0.0)
    core.advance_to(2.1)
    assert record.crossing_s is not None
    core.advance_to(record.crossing_s + 0.1)
    assert core.response_t_s is None
    core.advance_to(record.crossing_s + 0.3)
    assert core.response_t_s == pytest.approx(record.crossing_s + 0.3)


def test_examiner_stops_at_the_cut_off_without_a_response():
    core = create_core("mark10", 2, {"threshold_kpa": "900", "max_kpa": "200"})
    record = core.start_ramp(0.0)
    core.advance_to(10.0)
    assert record.cut_off and record.response_s is None
    assert core.true_pressure_kpa(record.push.release_s) == pytest.approx(200.0, abs=1.0)
    assert core.true_pressure_kpa(10.0) == 0.0


def test_the_same_seed_gives_the_same_trace():
    traces = []
    for _ in range(2):
        core = create_core("mark10", 42, {"start_s": "0.5", "threshold_kpa": "150"})
        core.advance_to(6.0)
        traces.append([(t.t_s, t.force_n) for t in core.true_log])
    assert traces[0] == traces[1] and len(traces[0]) > 3000
    other = create_core("mark10", 43, {"start_s": "0.5", "threshold_kpa": "150"})
    other.advance_to(6.0)
    assert [(t.t_s, t.force_n) for t in other.true_log] != traces[0]


def test_participant_spread_varies_trials():
    participant = VirtualParticipant(random.Random(3), 400.0, 0.25, threshold_sd_kpa=40.0, reaction_sd_s=0.05)
    trials = [participant.next_trial() for _ in range(200)]
    thresholds = [t.threshold_kpa for t in trials]
    assert 380 < sum(thresholds) / 200 < 420 and max(thresholds) - min(thresholds) > 80
    assert all(t.reaction_s >= 0 for t in trials)
    fixed = VirtualParticipant(random.Random(3)).next_trial()
    assert (fixed.threshold_kpa, fixed.reaction_s) == (400.0, 0.25)


def test_a_second_push_waits_for_the_first_to_end():
    core = create_core("mark10", 1, {"threshold_kpa": "50"})
    core.start_ramp(0.0)
    with pytest.raises(ValueError, match="still pushing"):
        core.start_ramp(0.5)
    core.advance_to(5.0)
    second = core.start_ramp()
    core.advance_to(10.0)
    assert second.response_s is not None and len(core.pushes) == 2
