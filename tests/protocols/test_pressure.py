"""PPT on the simulated Mark-10, with its own virtual examiner and participant, in virtual time.

Glue (the simulator has no notion of the harness): the examiner puts the tip on when the
procedure emits its `stimulus` event, and the response key is pressed at the moment the
simulated participant says stop (`core.response_t_s`).
"""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

import simulators
from drivers.mark10 import Mark10Gauge
from protocols.devices import Devices
from protocols.operator import ScriptedOperator
from protocols.procedures import TESTS
from protocols.records import Event, ExitStatus, RecordList
from protocols.runner import Runner, TrialSpec

SPEC = TrialSpec("PPT", "thenar-right", 1)


class ParticipantKey:
    """The examiner's response key, pressed when the simulated participant says stop."""

    def __init__(self, core, clock):
        self.core, self.clock = core, clock
        self.armed_t_s = float("inf")

    def arm(self) -> None:
        self.armed_t_s = self.clock.now()

    def pressed_at(self) -> float | None:
        said_s = self.core.response_t_s
        return said_s if said_s is not None and said_s >= self.armed_t_s else None


class Visit:
    """One participant on one bench: gauge, key, operator, records, runner."""

    def __init__(self, seed: int = 0, live=None, **params):
        self.bench = simulators.Bench(seed=seed)
        self.core = self.bench.device("mark10", **params)
        self.gauge = Mark10Gauge.open(self.bench.url("mark10"))
        self.records = RecordList()
        self.lives: list[dict] = []

        def on_live(spec, reading):
            self.lives.append(reading)
            if live is not None:
                live(self, reading)

        devices = Devices(algometer=self.gauge, response=ParticipantKey(self.core, self.bench.clock))
        self.runner = Runner(devices, ScriptedOperator(self.bench.clock), self.bench.clock, self._sink, seed=seed, live=on_live)

    def _sink(self, document) -> None:
        self.records(document)
        if isinstance(document, Event) and document.kind == "stimulus":
            self.core.start_ramp(self.bench.clock.now())

    def run(self, **settings):
        (stop,) = self.run_back_to_back(1, **settings)
        return stop

    def run_back_to_back(self, trials: int, **settings):
        """`trials` trials at one site with no pause between them."""
        procedure = TESTS["PPT"].build(TESTS["PPT"].settings(**settings))
        stops = [self.runner.run_trial(procedure, TrialSpec(SPEC.test, SPEC.site, k)) for k in range(1, trials + 1)]
        self.gauge.close()
        return stops

    def rows(self):
        (samples,) = self.records.events(kind="samples")
        assert samples.data["columns"] == ["t_s", "pressure_kpa"]
        return samples.data["rows"]


def test_200_participants_recover_threshold_plus_rate_times_reaction():
    rng = random.Random(2024)
    poll_s = 1 / TESTS["PPT"].settings().poll_rate_hz
    errors = []
    for seed in range(200):
        threshold_kpa, reaction_s = rng.uniform(150, 700), rng.uniform(0.2, 0.4)
        visit = Visit(seed, threshold_kpa=threshold_kpa, reaction_s=reaction_s)
        stop = visit.run()
        result = stop.result
        examiner = visit.core.examiner
        rate, wobble, tremor = examiner.rate_kpa_s, examiner.wobble, examiner.tremor_kpa
        resolution_kpa = 10 * visit.core.resolution_n()
        # Where the noise comes from, each bounded by the simulator's own parameters:
        # - the examiner's rate wobbles ±wobble around the target during the reaction time;
        # - the reading is the last poll at or before the response, up to one poll earlier
        #   at up to rate × (1 + wobble);
        # - hand tremor (amplitude ≤ tremor_kpa) at the crossing and at the reading;
        # - the display rounds to half a resolution step.
        # 2.0 + 1.1 + 2.0 + 0.25 = 5.35 kPa at the defaults and the slowest reaction.
        below_kpa = wobble * rate * reaction_s + rate * (1 + wobble) * poll_s + 2 * tremor + resolution_kpa / 2
        above_kpa = wobble * rate * reaction_s + 2 * tremor + resolution_kpa / 2
        error_kpa = result.value - (threshold_kpa + rate * reaction_s)
        assert stop.exit_status is ExitStatus.COMPLETED and not result.censored
        assert -below_kpa <= error_kpa <= above_kpa, (seed, threshold_kpa, reaction_s, error_kpa)
        errors.append(error_kpa)
        # The value is the reading nearest the response and not after it.
        response_s = visit.core.pushes[-1].response_s
        assert result.response_t_s == response_s
        before = [row for row in visit.rows() if row[0] <= response_s]
        after = [row for row in visit.rows() if row[0] > response_s]
        assert result.value == before[-1][1] and after and response_s - before[-1][0] < poll_s
        # The gauge's peak: the examiner lets go at the response, so the peak is at least
        # the reading and at most a poll's rise, the tremor and a display step above it.
        assert result.value <= result.device_value == result.extra["peak_kpa"]
        assert result.device_value - result.value <= rate * (1 + wobble) * poll_s + 2 * tremor + resolution_kpa
        assert "rate_out_of_band" not in result.flags
    assert max(map(abs, errors)) > 1.0  # the noise is there: the bound is not vacuous


@pytest.mark.parametrize("rate_kpa_s, out_of_band", [(50.0, False), (80.0, True)])
def test_mean_rate_outside_the_band_is_flagged(rate_kpa_s, out_of_band):
    visit = Visit(3, threshold_kpa=300, rate_kpa_s=rate_kpa_s)
    result = visit.run().result
    mean_rate = result.extra["mean_rate_kpa_per_s"]
    assert mean_rate == pytest.approx(rate_kpa_s, rel=0.12)  # wobble ±10 %, plus tremor at the ends
    assert ("rate_out_of_band" in result.flags) is out_of_band
    assert bool(visit.records.events(kind="flag")) is out_of_band
    # The live rate went to the screen at every good sample and into the record every 0.5 s.
    rates = [r["rate_kpa_per_s"] for r in visit.lives if r["rate_kpa_per_s"] is not None]
    assert len(rates) > 0.8 * len(visit.lives) and sum(rates) / len(rates) == pytest.approx(rate_kpa_s, rel=0.12)
    events = visit.records.events(kind="rate")
    ramp_s = result.response_t_s - result.extra["contact_t_s"]
    assert int(ramp_s / 0.5) - 1 <= len(events) <= int(ramp_s / 0.5) + 1


@pytest.mark.parametrize("poll_rate_hz", [TESTS["PPT"].settings().poll_rate_hz, 4.0])
def test_a_trial_gives_a_gauge_reading_at_least_every_quarter_second(poll_rate_hz):
    # From the trial's start to its stop, at the default rate and at the slowest a battery may set.
    visit = Visit(3, threshold_kpa=300)
    stop = visit.run(poll_rate_hz=poll_rate_hz)
    (start,) = visit.records.starts()
    times = [start.t_s, *(reading["t_s"] for reading in visit.lives), stop.t_s]
    assert stop.exit_status is ExitStatus.COMPLETED and len(visit.lives) > 10
    assert max(later - earlier for earlier, later in zip(times, times[1:])) <= 0.25 + 1e-9


def test_a_battery_may_not_poll_the_gauge_slower_than_4_hz():
    with pytest.raises(ValidationError, match="poll_rate_hz"):
        TESTS["PPT"].settings(poll_rate_hz=3.9)
    assert TESTS["PPT"].settings(poll_rate_hz=4.0).poll_rate_hz == 4.0


def test_never_responding_participant_is_censored_at_the_ceiling():
    # The simulated examiner would go on to 1100 kPa; the harness ends the ramp at 1000.
    visit = Visit(5, threshold_kpa=5000, max_kpa=1100)
    stop = visit.run()
    result = stop.result
    assert stop.exit_status is ExitStatus.COMPLETED and stop.reason == "censored at the limit"
    assert result.censored and result.value == 1000.0 and result.flags[-1] == "censored_at_ceiling"
    assert result.response_t_s is None
    assert visit.rows()[-1][1] is None or visit.rows()[-1][1] >= 1000.0
    assert not visit.records.events(kind="response")


def test_examiner_letting_go_without_a_response_is_censored_at_the_highest_reading():
    visit = Visit(6, threshold_kpa=5000, max_kpa=600)
    result = visit.run().result
    good = [row[1] for row in visit.rows() if row[1] is not None]
    assert result.censored and "released_without_response" in result.flags
    assert result.value == max(good) and 590 <= result.value <= 601


def test_unplug_mid_ramp_ends_the_run_as_a_device_fault():
    def pull_cable(visit, reading):
        if reading["pressure_kpa"] > 200:
            visit.core.unplug()

    visit = Visit(7, live=pull_cable, threshold_kpa=400)
    stop = visit.run()
    assert stop.exit_status is ExitStatus.DEVICE_FAULT and stop.result is None
    assert "disconnected" in stop.reason
    assert 200 < visit.rows()[-1][1] < 205  # the trace up to the cable is kept


def test_failed_polls_around_the_response_never_become_the_value():
    # The gauge hangs from the first reading past the threshold: the polls around the
    # response get no reply, and the peak cannot be read either.
    def hang(visit, reading):
        if reading["pressure_kpa"] >= 300:
            visit.core.stall(True)

    visit = Visit(8, live=hang, threshold_kpa=300, reaction_s=0.25)
    stop = visit.run()
    result = stop.result
    rows = visit.rows()
    good_before = [row for row in rows if row[1] is not None and row[0] <= result.response_t_s]
    assert stop.exit_status is ExitStatus.COMPLETED
    assert rows[-1][1] is None and result.value == good_before[-1][1] >= 300
    assert result.device_value is None and "peak_unavailable" in result.flags


def test_overloaded_readings_never_become_the_value():
    # A 10 N gauge (100 kPa on a 1 cm² tip) under a 300 kPa threshold overloads mid-ramp.
    visit = Visit(9, threshold_kpa=300, capacity_n=10)
    result = visit.run().result
    good = [row[1] for row in visit.rows() if row[1] is not None]
    assert result.censored and "censored_overload" in result.flags
    assert result.value == max(good) <= 100.0
    assert result.device_value is None and "peak_overload" in result.flags  # the cell sticks at 120 %


def test_trials_with_no_pause_zero_the_gauge_only_once_the_tip_has_left_the_skin():
    # The examiner lets go at each response; the next trial starts at once. Zeroed under the
    # hand, the next ramp would read low by what was left of the last push.
    visit = Visit(10, threshold_kpa=350)
    stops = visit.run_back_to_back(3)
    assert [stop.exit_status for stop in stops] == [ExitStatus.COMPLETED] * 3
    pushes = visit.core.pushes
    assert len(pushes) == 3
    for stop, push in zip(stops, pushes):
        truth_kpa = visit.core.true_pressure_kpa(push.response_s)  # the simulator's own record
        assert stop.result.value == pytest.approx(truth_kpa, abs=6.0)
    # Trials 2 and 3 waited for the release, each from well up the last ramp.
    waits = visit.records.events(kind="settle_wait")
    assert len(waits) == 2
    for wait, push in zip(waits, pushes[1:]):
        assert wait.data["from_kpa"] > 100 and abs(wait.data["resting_kpa"]) <= 1.0
        assert wait.t_s <= push.push.start_s  # the next push began after the gauge rested
    # The examiner was told, and the wait was shown on the live display as the pressure fell.
    notices = [text for kind, text, _ in visit.runner.operator.transcript if kind == "notice"]
    assert len(notices) == 2 and all("lift the tip off the skin" in text for text in notices)
    falling = [r["pressure_kpa"] for r in visit.lives if "rate_kpa_per_s" not in r]
    assert falling[0] > 100 and falling[-1] <= 2.0


def test_a_steady_offset_on_the_cell_is_zeroed_after_half_a_second():
    visit = Visit(11, threshold_kpa=300)
    visit.core.set_load(0.5)  # 5 kPa on the 1 cm² tip, nobody touching it
    stop = visit.run()
    assert stop.exit_status is ExitStatus.COMPLETED
    (wait,) = visit.records.events(kind="settle_wait")
    assert wait.data["from_kpa"] == pytest.approx(5.0, abs=0.5)
    assert 0.5 <= wait.data["waited_s"] <= 0.5 + 2 / TESTS["PPT"].settings().poll_rate_hz + 0.05
    push = visit.core.pushes[-1]
    assert stop.result.value == pytest.approx(visit.core.true_pressure_kpa(push.response_s), abs=6.0)


class ChangingLoad:
    """A gauge whose reading climbs by 1 kPa a poll, for ever: a hand that never lets go."""

    def __init__(self, clock):
        self.clock, self.zeroed = clock, False

    def current(self):
        from drivers.mark10.samples import PressureSample

        return PressureSample(self.clock.now(), 5.0, 50.0)

    def poll(self, rate_hz):
        from drivers.mark10.samples import PressureSample

        pressure_kpa = 50.0
        while True:
            self.clock.sleep(1 / rate_hz)
            pressure_kpa += 1.0
            yield PressureSample(self.clock.now(), pressure_kpa / 10, pressure_kpa)

    def zero(self):
        self.zeroed = True


def test_a_gauge_that_never_rests_ends_the_trial_as_a_device_fault_without_zeroing():
    bench = simulators.Bench(seed=0)
    gauge = ChangingLoad(bench.clock)
    records = RecordList()
    devices = Devices(algometer=gauge, response=ParticipantKey(None, bench.clock))
    runner = Runner(devices, ScriptedOperator(bench.clock), bench.clock, records)
    started_s = bench.clock.now()
    stop = runner.run_trial(TESTS["PPT"].build(TESTS["PPT"].settings()), SPEC)
    assert stop.exit_status is ExitStatus.DEVICE_FAULT and stop.result is None
    assert "has not rested in 30 s: lift the tip off the skin" in stop.reason
    assert 30.0 <= stop.t_s - started_s <= 30.1
    assert not gauge.zeroed and not records.events(kind="stimulus")
