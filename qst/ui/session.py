"""One run of a visit's plan, for the screen: the runner, the operator bridge, the live feed
and the stall watch, wired together.

`VisitRun.run()` is the worker thread's body: it opens the visit in the visit source,
finds where to resume, runs the plan and posts what happens (documents recorded, live
readings, questions, the wait before the next trial, the end). `abort()` is the Esc key:
it cancels the waiting questions and sends the thermode to neutral through the runner,
straight to the device, without waiting for the worker. Esc or S during the wait between
trials ends the run at once, not when the wait is over.
"""

from __future__ import annotations

import zlib
from typing import Any, Callable

from textual.message import Message

from protocols.battery import Battery
from protocols.procedures import TESTS
from protocols.records import Document, RunStart, RunStop
from protocols.runner import ExaminerAbort, PlannedTrial, Runner
from qst.ui.bridge import UiOperator
from qst.ui.live import LiveFeed, ReadingWatch, WatchedClock
from qst.ui.messages import LiveChanged, Recorded, RunEnded, VisitOpened, Waiting
from qst.ui.station import Station
from qst.ui.visits import VisitChoice, VisitSource


def visit_seed(visit: VisitChoice) -> int:
    """The runner's seed for a visit: the same visit gets the same intervals."""
    return zlib.crc32(f"{visit.study}/{visit.code}/{visit.number}".encode())


WAIT_SHOWN_S = 1.0
"""A wait between trials at least this long (s) is shown on the screen, counting down."""

WAIT_SLICE_S = 0.1
"""A wait between trials is slept in slices this long (s), so Esc or S ends it within one."""


class StoppedBetweenTrials(Exception):
    """S (stop after this trial) came while the runner waited for the next trial."""


class PacedClock:
    """The runner's clock. A sleep between trials (the inter-stimulus interval) is told to
    `on_wait(duration_s)` first, for the screen to count down, and slept in slices with
    `check()` before each: it raises to end the wait when the examiner aborts or stops.
    Sleeps within a trial pass through untouched."""

    def __init__(self, clock: Any, *, between_trials: Callable[[], bool],
                 on_wait: Callable[[float], None], check: Callable[[], None]):
        self._clock = clock
        self._between_trials = between_trials
        self._on_wait = on_wait
        self._check = check

    def now(self) -> float:
        return self._clock.now()

    def sleep(self, duration_s: float) -> None:
        if not self._between_trials():
            self._clock.sleep(duration_s)
            return
        self._on_wait(duration_s)
        end_s = self._clock.now() + duration_s
        while True:
            self._check()
            left_s = end_s - self._clock.now()
            if left_s <= 0:
                return
            self._clock.sleep(min(left_s, WAIT_SLICE_S))


def device_of(test: str) -> str:
    """The device a test reads live ("thermode", "algometer"), or "" for none."""
    kind = TESTS.get(test)
    needs = kind.needs if kind is not None else frozenset()
    return next((device for device in ("thermode", "algometer") if device in needs), "")


class VisitRun:
    """The plan of `visit` on `station`, posting to the screen with `post` (thread-safe).

    `visit_id`: the visit, if already opened in this session (a resume after a fault).
    """

    def __init__(
        self,
        *,
        source: VisitSource,
        station: Station,
        visit: VisitChoice,
        battery: Battery,
        plan: list[PlannedTrial],
        examiner: str,
        post: Callable[[Message], Any],
        visit_id: str | None = None,
    ):
        self.source = source
        self.station = station
        self.visit = visit
        self.battery = battery
        self.plan = plan
        self.examiner = examiner
        self._post = post
        self.visit_id = visit_id
        self.start_at = 0
        self.feed = LiveFeed(lambda: post(LiveChanged()))
        self.watch = ReadingWatch(station.clock)
        self.operator = UiOperator(post, station.clock, watch=self.watch)
        self.runner = Runner(
            station.devices(),
            self.operator,
            PacedClock(WatchedClock(station.clock, self.watch), between_trials=lambda: not self._in_trial,
                       on_wait=self._waiting, check=self._check_between_trials),
            station.sink(self._record),
            examiner=examiner,
            battery=battery.name,
            seed=visit_seed(visit),
            live=self.feed.push,
        )
        self._visit_sink: Callable[[Document], None] | None = None
        self._started = 0
        """Trials started in this session."""
        self._in_trial = False
        self.stops: list[RunStop] = []
        """The trials' stops in this session, as recorded."""

    # -- the worker thread -----------------------------------------------------------------------

    def run(self) -> None:
        """Open the visit, run the plan from where it stands, post `RunEnded`. Blocking."""
        try:
            if self.visit_id is None:
                planned = [(p.spec.test, p.spec.site, p.spec.trial) for p in self.plan]
                self.visit_id = self.source.open_visit(self.visit, planned, self.examiner, self.station.name)
            self.start_at = self.source.resume_index(self.visit_id)
            self._visit_sink = self.source.sink(self.visit_id)
            earlier = self.source.documents(self.visit_id) if self.start_at else []
            self._post(VisitOpened(self.visit_id, self.start_at, earlier))
            self.runner.run_plan(self.plan, self.start_at)
        except ExaminerAbort as error:  # aborted between trials: at a question or in the wait
            self._post(RunEnded(list(self.stops), error, aborted=True))
        except StoppedBetweenTrials:
            self._post(RunEnded(list(self.stops)))
        except BaseException as error:  # the screen says what happened; never a dead worker
            self._post(RunEnded(list(self.stops), error))
        else:
            self._post(RunEnded(list(self.stops)))
        finally:
            self.watch.stop()

    def _record(self, document: Document) -> None:
        """The runner's sink: the visit's records first, then the screen."""
        if isinstance(document, RunStart):
            self._started += 1
            self._in_trial = True
            self._watch_device(document.test)
        elif isinstance(document, RunStop):
            self._in_trial = False
            self.stops.append(document)
            self.watch.stop()
        assert self._visit_sink is not None
        self._visit_sink(document)
        self._post(Recorded(document))

    def _waiting(self, duration_s: float) -> None:
        """The wait before the next planned trial: shown, if long enough to notice."""
        index = self.start_at + self._started
        if duration_s >= WAIT_SHOWN_S and index < len(self.plan):
            self._post(Waiting(self.station.clock.now() + duration_s, index, self.plan[index].spec))

    def _check_between_trials(self) -> None:
        # The runner looks at stop and abort only when it is about to start a trial.
        if self.runner.abort_requested:
            raise ExaminerAbort("aborted by the examiner")
        if self.runner.stop_requested:
            raise StoppedBetweenTrials()

    def _watch_device(self, test: str) -> None:
        device = device_of(test)
        if device == "thermode" and self.station.thermode is not None:
            thermode = self.station.thermode
            self.watch.expect(device, lambda: thermode.latest.t_s if thermode.latest is not None else None)
        elif device == "algometer":
            self.watch.expect(device, lambda: self.feed.last_t_s.get("pressure_kpa"))
        else:
            self.watch.stop()

    # -- any thread ----------------------------------------------------------------------------

    def abort(self) -> None:
        """Esc: questions withdrawn, the trial ends aborted, the thermode goes to neutral now."""
        self.operator.cancel()
        self.runner.abort()

    def request_stop(self) -> None:
        self.runner.request_stop()
