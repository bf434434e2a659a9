"""The fast course of a push against a sample-by-sample walk of the same rules.

`simulators.mark10.course` skips samples that provably cannot matter (to the crossing, the
cut-off or a peak). Here a plain walk visits every 1 ms sample, as the module doc states the
rules, and everything the course says must be exactly what the walk says: the same floats,
not merely close ones.
"""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simulators
from drivers.mark10 import Mark10Gauge
from simulators.bench import create_core
from simulators.mark10 import PushRecord, VirtualExaminer
from simulators.mark10.course import Course, grid_max
from simulators.mark10.gauge import SENSOR_LIMIT, STEP_S
from simulators.mark10.participant import Trial


def bisect_crossing(push, low_s, high_s, threshold_kpa):
    for _ in range(40):
        mid_s = (low_s + high_s) / 2
        if push.pressure_kpa(mid_s) >= threshold_kpa:
            high_s = mid_s
        else:
            low_s = mid_s
    return high_s


def walk(push, trial, step_s, until_s):
    """Every sample up to `until_s`, one at a time: (events, [(t, kpa), ...])."""
    max_kpa = push.examiner.max_kpa
    start_s = push.start_s
    crossing_s = response_s = None
    cut_off = False
    samples = []
    previous_s = start_s
    k = 0
    while True:
        k += 1
        t = start_s + k * step_s
        if t > until_s:
            break
        if push.release_s is not None:
            if previous_s >= push.end_s:
                break
            samples.append((t, push.pressure_kpa(t)))
        elif response_s is not None and response_s <= t:
            release_s = max(response_s, previous_s)
            push.release(release_s)
            samples.append((release_s, push.pressure_kpa(release_s)))
            if release_s >= push.end_s:
                break
            if t > release_s:
                samples.append((t, push.pressure_kpa(t)))
        else:
            kpa = push.pressure_kpa(t)
            if trial is not None and crossing_s is None and kpa >= trial.threshold_kpa:
                crossing_s = bisect_crossing(push, previous_s, t, trial.threshold_kpa)
                response_s = crossing_s + trial.reaction_s
            if kpa >= max_kpa:
                cut_off = True
                push.release(t)
            samples.append((t, kpa))
        previous_s = t
    unique = [s for i, s in enumerate(samples) if i == 0 or s[0] != samples[i - 1][0]]
    events = (crossing_s, response_s, push.release_s, cut_off, push.end_s)
    return events, unique


push_cases = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**31),
        "rate": st.floats(30, 120),
        "wobble": st.floats(0, 0.5),
        "tremor": st.sampled_from([0.0, 0.3, 1.0, 4.0]),
        "start": st.floats(0, 3),
        "threshold": st.one_of(st.none(), st.floats(1, 500)),
        "reaction": st.sampled_from([0.0, 0.0004, 0.001, 0.25, 0.5]),
        "max_kpa": st.floats(5, 500),
        "release": st.sampled_from([50.0, 400.0]),
    }
)


def make_push(case):
    examiner = VirtualExaminer(
        random.Random(case["seed"]),
        rate_kpa_s=case["rate"],
        wobble=case["wobble"],
        tremor_kpa=case["tremor"],
        release_kpa_s=case["release"],
        max_kpa=case["max_kpa"],
    )
    trial = None if case["threshold"] is None else Trial(case["threshold"], case["reaction"])
    return PushRecord(examiner.push(case["start"]), trial)


def horizon(case):
    return case["start"] + case["max_kpa"] / (case["rate"] * (1 - case["wobble"])) + 1.0 + case["max_kpa"] / case["release"] + 0.5


@settings(max_examples=60, deadline=None)
@given(case=push_cases, cuts=st.lists(st.floats(0, 1), min_size=2, max_size=6))
def test_course_gives_exactly_what_walking_every_sample_gives(case, cuts):
    until_s = horizon(case)
    walked_events, walked = walk(make_push(case).push, make_push(case).trial, STEP_S, until_s)
    record = make_push(case)
    course = Course(record, STEP_S)
    course.publish(until_s)
    assert (record.crossing_s, record.response_s, record.push.release_s, record.cut_off, record.push.end_s) == walked_events
    assert walked_events[2] is not None  # the examiner always lets go in the end
    assert list(course.samples(-1.0, until_s)) == walked
    assert course.last_sample_s == walked[-1][0]
    # Any stretch: the same samples, and the same highest and lowest without visiting them all.
    bounds = sorted(case["start"] + c * (until_s - case["start"]) for c in cuts)
    for after_s, upto_s in zip(bounds, bounds[1:]):
        inside = [kpa for t, kpa in walked if after_s < t <= upto_s]
        assert [kpa for _, kpa in course.samples(after_s, upto_s)] == inside
        highest, lowest = course.extremes(after_s, upto_s, want_lowest=True)
        assert (highest, lowest) == ((max(inside), min(inside)) if inside else (-math.inf, math.inf))


@settings(max_examples=60, deadline=None)
@given(case=push_cases, looks=st.lists(st.floats(0, 1), max_size=30))
def test_events_are_the_same_however_often_one_looks(case, looks):
    until_s = horizon(case)
    once = make_push(case)
    Course(once, STEP_S).publish(until_s)
    often = make_push(case)
    course = Course(often, STEP_S)
    for look in sorted(looks):
        course.publish(case["start"] + look * (until_s - case["start"]))
        assert course.ended_by(until_s)  # looking ahead decides, but publishes nothing early
    course.publish(until_s)
    fields = lambda r: (r.crossing_s, r.response_s, r.push.release_s, r.cut_off, r.push.end_s)  # noqa: E731
    assert fields(often) == fields(once)


def test_nothing_is_published_before_it_happens():
    record = make_push({"seed": 3, "rate": 50, "wobble": 0.1, "tremor": 1.0, "start": 1.0, "threshold": 200.0,
                        "reaction": 0.3, "max_kpa": 1000.0, "release": 400.0})
    course = Course(record, STEP_S)
    assert course.ended_by(60.0)  # decided by looking ahead ...
    detect_s, release_s = course.detect_s, course.release_s
    course.publish(detect_s - 1e-9)
    assert record.crossing_s is None and record.push.release_s is None  # ... but not yet public
    course.publish(detect_s)
    assert record.crossing_s == course.crossing_s and record.response_s == course.response_s
    assert record.push.release_s is None
    course.publish(release_s)
    assert record.push.release_s == release_s == record.response_s and not record.cut_off


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**31), size=st.integers(1, 400), slope=st.floats(0.01, 5))
def test_grid_max_is_the_exact_maximum(seed, size, slope):
    rng = random.Random(seed)
    terms = [(rng.uniform(0, slope / 3), rng.uniform(0.001, 1), rng.uniform(0, 6.3)) for _ in range(3)]
    trend = rng.uniform(-slope / 3, slope / 3)
    values = [trend * k + sum(a * math.sin(w * k + p) for a, w, p in terms) for k in range(size)]
    reach = abs(trend) + sum(a * w for a, w, _ in terms)
    first = rng.randrange(size)
    last = rng.randrange(first, size)
    assert grid_max(values.__getitem__, first, last, reach) == max(values[first : last + 1])
    negated = lambda k: -values[k]  # noqa: E731
    assert -grid_max(negated, first, last, reach, right_first=False) == min(values[first : last + 1])


# -- the gauge around it -------------------------------------------------------------


def reading(core, command):
    core.receive(command + b"\r", core.now_s)
    return float(core.take_output().split()[0])


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    capacity=st.sampled_from(["10", "50", "100"]),
    actions=st.lists(
        st.tuples(st.floats(0.001, 3), st.sampled_from(["?C", "CLR", "Z", "load", "peak"]), st.floats(-20, 20)),
        max_size=12,
    ),
)
def test_peaks_are_the_highest_reading_at_every_sample_and_request(seed, capacity, actions):
    core = create_core("mark10", seed, {"threshold_kpa": "150", "reaction_s": "0.3", "capacity_n": capacity})
    limit = SENSOR_LIMIT * core.model.capacity_n
    core.start_ramp(0.5)
    highest = lowest = 0.0  # the reference: every sample and request, walked
    seen = 0  # samples of the true log walked so far

    def measured(force_n):
        return min(limit, max(-limit, force_n - core.tare_n))

    def fold_to_now():
        nonlocal highest, lowest, seen
        log = core.true_log
        for sample in log[seen:]:
            highest, lowest = max(highest, measured(sample.force_n)), min(lowest, measured(sample.force_n))
        seen = len(log)
        now_n = measured(core.true_force_n(core.now_s))
        highest, lowest = max(highest, now_n), min(lowest, now_n)

    for wait_s, action, load_n in actions + [(6.0, "peak", 0.0)]:
        core.advance_to(core.now_s + wait_s)
        fold_to_now()
        if action == "?C":
            core.receive(b"?C\r", core.now_s)
        elif action == "CLR":
            core.receive(b"CLR\r", core.now_s)
            highest = lowest = 0.0
            fold_to_now()
        elif action == "Z":
            core.receive(b"Z\r", core.now_s)
            highest = lowest = 0.0
            fold_to_now()
        elif action == "load":
            core.set_load(load_n)
            fold_to_now()
        else:
            assert core.peak_compression_n == highest
            assert core.peak_tension_n == -lowest


def test_tension_peak_catches_a_dip_between_requests_after_a_tare():
    # Tared mid-push, the reading goes negative wherever the strong tremor dips below the
    # pressure at the tare: the tension peak is the deepest such sample, not a request.
    core = create_core("mark10", 8, {"threshold_kpa": "900", "tremor_kpa": "5"})
    core.start_ramp(0.0)
    core.advance_to(2.0)
    core.receive(b"Z\r", 2.0)
    core.advance_to(2.4)
    dips = [s.force_n - core.tare_n for s in core.true_log if 2.0 < s.t_s <= 2.4]
    assert min(dips) < -0.05 and core.true_force_n(2.4) - core.tare_n > 0
    assert core.peak_tension_n == -min(dips)
    assert reading(core, b"?PT") == pytest.approx(round(min(dips) / 0.05) * 0.05)


def test_true_log_is_the_same_however_the_gauge_is_polled():
    logs, records = [], []
    for period_s in (None, 0.02, 0.0137):
        core = create_core("mark10", 11, {"threshold_kpa": "220", "reaction_s": "0.35"})
        core.start_ramp(0.25)
        if period_s is None:
            core.advance_to(12.0)
        else:
            while core.now_s < 12.0:
                core.receive(b"?C\r", min(12.0, core.now_s + period_s))
                core.take_output()
        record = core.pushes[-1]
        logs.append([(s.t_s, s.force_n, s.pressure_kpa) for s in core.true_log])
        records.append((record.crossing_s, record.response_s, record.push.release_s, record.push.end_s))
    assert logs[0] == logs[1] == logs[2] and records[0] == records[1] == records[2]
    times = [t for t, _, _ in logs[0]]
    assert times == sorted(times) and len(set(times)) == len(times)
    steps = [b - a for a, b in zip(times, times[1:])]
    assert max(steps) <= STEP_S * (1 + 1e-9)  # every millisecond of the push
    assert logs[0][-1][2] == 0.0 and times[-1] >= records[0][3]  # to the tip leaving the skin


# -- deferred start --------------------------------------------------------------------


def test_a_ramp_started_in_the_future_is_scheduled_not_run_ahead_to():
    core = create_core("mark10", 4, {"threshold_kpa": "100", "reaction_s": "0.2"})
    record = core.start_ramp(2.0)
    assert core.now_s == 0.0 and core.pushes == [record] and record.push.start_s == 2.0
    core.advance_to(1.9)
    assert reading(core, b"?C") == 0.0 and core.true_log == []
    core.advance_to(2.5)
    assert reading(core, b"?C") > 0.0
    core.advance_to(10.0)
    assert record.crossing_s == pytest.approx(2.0 + 100 / 50, abs=0.3)
    assert record.push.release_s == record.response_s == pytest.approx(record.crossing_s + 0.2)
    # The same push as one the start_s parameter schedules at the same time.
    other = create_core("mark10", 4, {"threshold_kpa": "100", "reaction_s": "0.2", "start_s": "2.0"})
    other.advance_to(10.0)
    (twin,) = other.pushes
    assert (twin.crossing_s, twin.response_s, twin.push.end_s) == (record.crossing_s, record.response_s, record.push.end_s)


def test_scheduling_refuses_what_the_examiner_could_not_do():
    core = create_core("mark10", 4, {"threshold_kpa": "100", "reaction_s": "0.2"})
    core.advance_to(1.0)
    with pytest.raises(ValueError, match="past"):
        core.start_ramp(0.5)
    first = core.start_ramp(3.0)
    with pytest.raises(ValueError, match="still pushing"):
        core.start_ramp(2.0)  # a push is scheduled: the examiner's hand is spoken for
    with pytest.raises(ValueError, match="still pushing"):
        core.start_ramp(5.5)  # the first push would still be on the skin
    # Far enough ahead, the first push has ended whenever the clock gets there.
    ends_s = 3.0 + 100 / 50 * 1.2 + 0.2 + 150 / 400
    second = core.start_ramp(ends_s + 1.0)
    assert core.now_s == 1.0 and core.pushes == [first, second]
    core.advance_to(ends_s + 10.0)
    assert first.push.end_s <= second.push.start_s and second.response_s is not None


def test_deferred_start_through_the_sim_port_keeps_the_gauge_on_the_bench_clock():
    bench = simulators.Bench(seed=2)
    core = bench.device("mark10", threshold_kpa="120", reaction_s="0.25")
    with Mark10Gauge.open(bench.url("mark10")) as gauge:
        record = core.start_ramp(bench.clock.now() + 0.5)
        assert core.now_s <= bench.clock.now() < 0.5
        samples = list(gauge.poll(stop=lambda s: core.response_t_s is not None))
        assert core.now_s <= bench.clock.now()
    before = [s for s in samples if s.t_s < 0.5]
    assert len(before) >= 20 and all(s.force_n == 0.0 for s in before)
    assert samples[-1].pressure_kpa == pytest.approx(120 + 50 * 0.25, abs=8)
    assert record.response_s <= bench.clock.now()
