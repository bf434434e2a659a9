"""The runner: start / events / stop per trial, stop and abort kept apart, clean-up on every path."""

from __future__ import annotations

import pytest

from drivers.tcs2.driver import Stimulus
from protocols.operator import ScriptedOperator
from protocols.procedures import TESTS
from protocols.records import Event, ExitStatus, RunStart, RunStop, TrialResult
from protocols.runner import PlannedTrial, TrialSpec
from simulators.participants.thermal import ThermalParticipant, ThermalThresholds
from tests.protocols.thermal_lab import ThermalLab


def hpt_plan(trials: int = 4, isi_s=(8.0, 12.0)) -> list[PlannedTrial]:
    procedure = TESTS["HPT"].build()
    return [
        PlannedTrial(procedure, TrialSpec("HPT", "volar-forearm-left", n), "Press when it hurts.", isi_s)
        for n in range(1, trials + 1)
    ]


@pytest.fixture
def lab():
    lab = ThermalLab(seed=21, participant=ThermalParticipant(thresholds=ThermalThresholds(hpt_c=43.0)))
    yield lab
    lab.close()


def test_documents_come_as_start_events_stop_per_trial(lab):
    stops = lab.runner.run_plan(hpt_plan(2))
    kinds = [type(d).__name__ for d in lab.records.documents]
    assert kinds[0] == "RunStart" and kinds.count("RunStart") == 2 and kinds.count("RunStop") == 2
    first_stop = kinds.index("RunStop")
    assert set(kinds[1:first_stop]) == {"Event"}
    start = lab.records.starts()[0]
    assert (start.test, start.site, start.trial) == ("HPT", "volar-forearm-left", 1)
    assert start.parameters == {} and "thermode" in start.devices
    events = {e.kind for e in lab.records.events(start.run_id)}
    assert {"stimulus", "response", "samples"} <= events
    assert [s.exit_status for s in stops] == [ExitStatus.COMPLETED] * 2
    # the instruction went to the examiner once, before the first trial
    assert [t for t in lab.operator.transcript if t[0] == "instruct"] == [("instruct", "Press when it hurts.", None)]


def test_inter_stimulus_intervals_are_seeded(lab):
    def start_times(seed: int) -> list[float]:
        other = ThermalLab(seed=21, participant=ThermalParticipant(thresholds=ThermalThresholds(hpt_c=43.0)))
        try:
            other.new_runner(seed=seed)
            other.runner.run_plan(hpt_plan(3))
            stops = other.records.stops()
            starts = other.records.starts()
            return [round(b.t_s - a.t_s, 6) for a, b in zip(stops, starts[1:])]
        finally:
            other.close()

    gaps = start_times(1)
    assert gaps == start_times(1)
    assert gaps != start_times(2)
    assert all(8.0 <= gap <= 12.0 + 1e-6 for gap in gaps)


def test_stop_lets_the_trial_finish_then_ends_the_plan(lab):
    def stop_in_second_trial(spec, reading):
        if spec.trial == 2:
            lab.runner.request_stop()

    lab.live_hooks.append(stop_in_second_trial)
    stops = lab.runner.run_plan(hpt_plan(4))
    assert [s.exit_status for s in stops] == [ExitStatus.COMPLETED, ExitStatus.COMPLETED]
    assert stops[1].result.value == pytest.approx(43.3, abs=0.2)


def test_abort_ends_the_trial_at_once_and_the_plan_with_it(lab):
    aborted_at = []

    def abort_in_second_trial(spec, reading):
        if spec.trial == 2 and reading.get("temperature_c", 0) > 38.0 and not aborted_at:
            aborted_at.append(lab.clock.now())
            lab.runner.abort()

    lab.live_hooks.append(abort_in_second_trial)
    stops = lab.runner.run_plan(hpt_plan(4))
    assert [s.exit_status for s in stops] == [ExitStatus.COMPLETED, ExitStatus.ABORTED_BY_EXAMINER]
    assert lab.core.probe_log.max_zone_c(aborted_at[0]) < 38.0 + 0.3
    returning = [r.t_s for r in lab.core.probe_log.between(aborted_at[0]) if r.phase == "return"]
    assert returning[0] - aborted_at[0] <= 0.010


class ActsAt:
    """The runner's clock, doing `action` once the time passes `at_s`."""

    def __init__(self, clock):
        self.clock, self.at_s, self.action = clock, float("inf"), None

    def now(self) -> float:
        return self.clock.now()

    def sleep(self, duration_s: float) -> None:
        self.clock.sleep(duration_s)
        if self.action is not None and self.clock.now() >= self.at_s:
            action, self.action = self.action, None
            action()


@pytest.mark.parametrize("ending", ["stop", "abort"])
def test_a_stop_or_an_abort_in_the_pause_between_trials_ends_the_plan_within_a_tenth_of_a_second(lab, ending):
    clock = ActsAt(lab.clock)
    lab.runner.clock = clock
    told = []

    def waiting(until_s, test, site, trial):
        told.append((until_s - lab.clock.now(), test, site, trial))
        clock.at_s = lab.clock.now() + 2.0
        clock.action = lab.runner.request_stop if ending == "stop" else lab.runner.abort

    lab.operator.waiting = waiting
    stops = lab.runner.run_plan(hpt_plan(3))
    assert [s.exit_status for s in stops] == [ExitStatus.COMPLETED]
    assert len(told) == 1
    pause_s, *trial = told[0]
    assert 8.0 <= pause_s <= 12.0 and trial == ["HPT", "volar-forearm-left", 2]
    # The plan ended 2 s into a pause of 8–12 s, within one slice of the request.
    assert 2.0 <= lab.clock.now() - stops[0].t_s <= 2.1 + 1e-9
    assert [s.trial for s in lab.records.starts()] == [1]


def test_an_interrupted_visit_resumes_at_the_next_trial(lab):
    plan = hpt_plan(4)
    lab.runner.run_plan(plan, start_at=2)
    assert [s.trial for s in lab.records.starts()] == [3, 4]


def test_a_participant_who_declines_stops_the_plan(lab):
    lab.operator._ready = lambda question: False
    stops = lab.runner.run_plan(hpt_plan(3))
    assert len(stops) == 1 and stops[0].exit_status is ExitStatus.STOPPED_BY_PARTICIPANT
    assert lab.core.probe_log.max_zone_c() < 32.5


class Crashing:
    """A procedure with a bug: it starts heating, then fails."""

    test, unit = "HPT", "°C"

    def run_trial(self, ctx) -> TrialResult:
        ctx.devices.thermode.stimulate(Stimulus(target_c=48.0, ramp_c_per_s=2.0))
        ctx.devices.thermode.samples(3.0)
        raise RuntimeError("a bug")


def test_an_internal_error_is_recorded_the_probe_returns_and_the_error_surfaces(lab):
    with pytest.raises(RuntimeError, match="a bug"):
        lab.runner.run_trial(Crashing(), TrialSpec("HPT", "volar-forearm-left", 1))
    stop = lab.records.stops()[-1]
    assert stop.exit_status is ExitStatus.DEVICE_FAULT and "internal error" in stop.reason
    crashed_s = stop.t_s
    assert [t for t, c in lab.core.rx_log if t >= crashed_s - 1e-9 and c == b"A"]
    lab.thermode.samples(5.0)
    assert lab.core.probe_log.max_zone_c(crashed_s + 3.0) < 32.5


class HotPlateau:
    """A procedure holding a plateau close to the cap."""

    test, unit = "HPT", "°C"

    def run_trial(self, ctx) -> TrialResult:
        thermode = ctx.devices.thermode
        thermode.stimulate(Stimulus(target_c=49.5, ramp_c_per_s=5.0, return_c_per_s=5.0, plateau_s=2.0))
        thermode.wait_until_idle()
        return TrialResult(None, "°C")


def test_a_safety_stop_is_recorded_as_such(lab):
    lab.core.overshoot(3.0)
    stop = lab.runner.run_trial(HotPlateau(), TrialSpec("HPT", "volar-forearm-left", 1))
    assert stop.exit_status is ExitStatus.SAFETY_LIMIT and "cap" in stop.reason
    assert stop.result is None
    assert lab.core.probe_log.max_zone_c() < 50.0 + 1.0 + 0.5


def test_documents_are_plain_data():
    from protocols.records import as_dict

    stop = RunStop("r", 1.0, "2026-01-01T00:00:00Z", ExitStatus.COMPLETED, "completed", TrialResult(1.0, "°C"))
    data = as_dict(stop)
    assert data["document"] == "RunStop" and data["exit_status"] == "completed" and data["result"]["unit"] == "°C"
    assert as_dict(Event("r", 0.0, "flag", {"x": 1}))["kind"] == "flag"
    assert as_dict(RunStart("r", 0.0, "", "HPT", "arm", 1, {}, {}, "e"))["test"] == "HPT"
