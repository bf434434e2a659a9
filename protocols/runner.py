"""Runs trials: one run per trial, start / events / stop, with clean-up guaranteed.

Stop and abort are kept apart. `request_stop()` lets the trial in progress finish and then
ends the plan; `abort()` (the examiner's Esc, from any thread) sends the thermode to neutral
at once, ends the trial in progress as aborted by the examiner and ends the plan. Whatever
happens inside a trial, the thermode is sent back to neutral on the way out.

A plan is a list of `PlannedTrial`s; `run_plan(plan, start_at=k)` resumes an interrupted
visit at trial `k`. Between trials the runner waits an inter-stimulus interval drawn from
the trial's `isi_s` range with the runner's seeded generator, and before the first trial
of each test it gives the examiner the instruction to read and waits until ready.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from drivers.clock import Clock
from drivers.errors import (
    AbortedError,
    DriverError,
    SafetyLimitError,
    StreamSilentError,
)
from protocols.devices import Devices
from protocols.operator import Operator, ParticipantStopped, Question
from protocols.records import (
    Event,
    ExitStatus,
    RecordSink,
    RunStart,
    RunStop,
    TrialResult,
    new_run_id,
    wall_time,
)

log = logging.getLogger("protocols.runner")

PAUSE_SLICE_S = 0.1
"""The pause between trials is slept this much (s) at a time, so a stop or an abort ends it
within that: the examiner never waits out a 30 s pause to end a visit."""


class ExaminerAbort(Exception):
    """The examiner aborted (Esc)."""


@dataclass(frozen=True)
class TrialSpec:
    """One trial of one test at one site: `trial` counts from 1 within the test and site."""

    test: str
    site: str
    trial: int
    parameters: dict[str, Any] = field(default_factory=dict)


class TrialContext:
    """What a procedure gets for one trial: devices, operator, clock, the spec, a seeded
    generator, and `emit` for events of this run."""

    def __init__(self, runner: "Runner", run_id: str, spec: TrialSpec, rng: random.Random):
        self.runner = runner
        self.run_id = run_id
        self.spec = spec
        self.rng = rng
        self.devices: Devices = runner.devices
        self.operator: Operator = runner.operator
        self.clock: Clock = runner.clock

    @property
    def parameters(self) -> dict[str, Any]:
        return self.spec.parameters

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        self.runner.sink(Event(self.run_id, self.clock.now(), kind, data))

    def live(self, **reading: Any) -> None:
        """A live reading for whoever watches (the UI); not recorded."""
        if self.runner.live is not None:
            self.runner.live(self.spec, reading)

    def check_abort(self) -> None:
        """Raise `ExaminerAbort` if the examiner has aborted."""
        if self.runner.abort_requested:
            raise ExaminerAbort("aborted by the examiner")

    def question(self, text: str, **stimulus: Any) -> Question:
        return Question(text, self.spec.test, self.spec.site, dict(stimulus))


class Procedure(Protocol):
    test: str
    unit: str

    def run_trial(self, ctx: TrialContext) -> TrialResult: ...


@dataclass(frozen=True)
class PlannedTrial:
    """A trial in a visit's plan: which procedure, where, with which parameters."""

    procedure: Procedure
    spec: TrialSpec
    instruction: str = ""
    isi_s: tuple[float, float] = (0.0, 0.0)


def classify(error: BaseException) -> tuple[ExitStatus, str]:
    """The exit status and one-line reason for an exception that ended a trial."""
    if isinstance(error, ParticipantStopped):
        return ExitStatus.STOPPED_BY_PARTICIPANT, str(error) or "the participant asked to stop"
    if isinstance(error, (ExaminerAbort, AbortedError)):
        return ExitStatus.ABORTED_BY_EXAMINER, str(error) or "aborted by the examiner"
    if isinstance(error, StreamSilentError):
        return ExitStatus.DEVICE_FAULT, str(error)
    if isinstance(error, SafetyLimitError):
        return ExitStatus.SAFETY_LIMIT, str(error)
    if isinstance(error, DriverError):
        return ExitStatus.DEVICE_FAULT, str(error) or type(error).__name__
    return ExitStatus.DEVICE_FAULT, f"internal error: {type(error).__name__}: {error}"


class Runner:
    """Runs trials over `devices` with `operator`, emitting documents to `sink`.

    `seed` seeds the inter-stimulus intervals and each trial's generator, so the same seed
    gives the same visit. `live(spec, reading)` receives live readings (optional).
    """

    def __init__(
        self,
        devices: Devices,
        operator: Operator,
        clock: Clock,
        sink: RecordSink,
        *,
        examiner: str = "",
        battery: str = "",
        seed: int = 0,
        live=None,
    ):
        self.devices = devices
        self.operator = operator
        self.clock = clock
        self.sink = sink
        self.examiner = examiner
        self.battery = battery
        self.live = live
        self._rng = random.Random(seed)
        self._abort = threading.Event()
        self._stop = threading.Event()

    # -- stop and abort ----------------------------------------------------------------

    def abort(self) -> None:
        """Examiner abort, from any thread: thermode to neutral now; the trial ends aborted."""
        self._abort.set()
        self._thermode_to_neutral()

    def request_stop(self) -> None:
        """Finish the trial in progress, then end the plan."""
        self._stop.set()

    @property
    def abort_requested(self) -> bool:
        return self._abort.is_set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def _thermode_to_neutral(self) -> None:
        thermode = self.devices.thermode
        if thermode is None:
            return
        try:
            thermode.abort()
        except DriverError as error:
            log.warning("could not send the thermode to neutral: %s", error)

    # -- trials ------------------------------------------------------------------------

    def run_trial(self, procedure: Procedure, spec: TrialSpec) -> RunStop:
        """One trial, start to stop. Device faults and safety stops end up in the stop
        document, not as exceptions; an internal error is recorded, then raised."""
        run_id = new_run_id()
        trial_rng = random.Random(self._rng.getrandbits(64))
        self.sink(
            RunStart(
                run_id=run_id,
                t_s=self.clock.now(),
                wall_time=wall_time(),
                test=spec.test,
                site=spec.site,
                trial=spec.trial,
                parameters=dict(spec.parameters),
                devices=self.devices.identities(),
                examiner=self.examiner,
                battery=self.battery,
            )
        )
        ctx = TrialContext(self, run_id, spec, trial_rng)
        result: TrialResult | None = None
        failure: BaseException | None = None
        try:
            ctx.check_abort()
            result = procedure.run_trial(ctx)
            if self.abort_requested:
                raise ExaminerAbort("aborted by the examiner")
            status, reason = ExitStatus.COMPLETED, "censored at the limit" if result.censored else "completed"
        except BaseException as error:  # every way out is recorded
            failure = error
            status, reason = classify(error)
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                status, reason = ExitStatus.ABORTED_BY_EXAMINER, "interrupted"
        finally:
            thermode = self.devices.thermode
            if thermode is not None and (failure is not None or thermode.stimulating):
                self._thermode_to_neutral()
        stop = RunStop(run_id, self.clock.now(), wall_time(), status, reason, result if failure is None else None)
        self.sink(stop)
        if failure is not None:
            self.operator.notice(f"{spec.test} {spec.site} trial {spec.trial}: {status.value.replace('_', ' ')}: {reason}")
            expected = isinstance(failure, (DriverError, ExaminerAbort, ParticipantStopped))
            if not expected:
                raise failure
        return stop

    def _pause(self, duration_s: float, following: TrialSpec) -> bool:
        """The pause before `following`, told to the operator; False if a stop or an abort
        ended it (looked at every `PAUSE_SLICE_S`)."""
        until_s = self.clock.now() + duration_s
        self.operator.waiting(until_s, following.test, following.site, following.trial)
        while not (self.stop_requested or self.abort_requested):
            left_s = until_s - self.clock.now()
            if left_s <= 0:
                return True
            self.clock.sleep(min(left_s, PAUSE_SLICE_S))
        return False

    def run_plan(self, plan: list[PlannedTrial], start_at: int = 0) -> list[RunStop]:
        """Run `plan[start_at:]` in order; end early on stop, abort, a participant's stop,
        or a device fault (the technician decides whether to go on). Returns the stops."""
        stops: list[RunStop] = []
        previous_test: tuple[str, str] | None = None
        for index in range(start_at, len(plan)):
            planned = plan[index]
            key = (planned.spec.test, planned.spec.site)
            if self.stop_requested or self.abort_requested:
                break
            if previous_test is not None:
                low, high = planned.isi_s
                if high > 0 and not self._pause(self._rng.uniform(low, high), planned.spec):
                    break
            if key[0] != (previous_test or ("", ""))[0] and planned.instruction:
                self.operator.instruct(planned.instruction)
            if previous_test != key:
                question = Question(f"Ready for {planned.spec.test} at {planned.spec.site}?", *key)
                if not self.operator.ready(question):
                    stops.append(self.run_trial(_Refused(planned.procedure), planned.spec))
                    break
            previous_test = key
            stop = self.run_trial(planned.procedure, planned.spec)
            stops.append(stop)
            if stop.exit_status not in (ExitStatus.COMPLETED,):
                break
        return stops


class _Refused:
    """A trial the participant declined before it began."""

    def __init__(self, procedure: Procedure):
        self.test = procedure.test
        self.unit = procedure.unit

    def run_trial(self, ctx: TrialContext) -> TrialResult:
        raise ParticipantStopped("the participant declined to start")
