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
from qst.ui.messages import LiveChanged, Recorded, RunEnded, VisitOpened
from qst.ui.station import Station
from qst.ui.visits import VisitChoice, VisitSource


def visit_seed(visit: VisitChoice) -> int:
    """The runner's seed for a visit: the same visit gets the same intervals."""
    return zlib.crc32(f"{visit.study}/{visit.code}/{visit.number}".encode())


def device_of(test: str) -> str:
    """The device a test reads live ("thermode", "algometer"), or "" for none."""
    kind = TESTS.get(test)
    needs = kind.needs if kind is not None else frozenset()
    return next((device for device in ("thermode", "algometer") if device in needs), "")


class VisitRun:
    """The plan of `visit` on `station`, posting to the screen with `post` (thread-safe).

    `visit_id`: the visit, if already opened in this session (a resume after a fault).
    `skip`: tests (with their sites) left out of this session's run: the participant declined
    them; their trials stay not done, and a later session offers them again.
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
        skip: frozenset[tuple[str, str]] = frozenset(),
    ):
        self.source = source
        self.station = station
        self.visit = visit
        self.battery = battery
        self.plan = plan
        self.examiner = examiner
        self._post = post
        self.visit_id = visit_id
        self.skip = skip
        """(test, site) pairs the participant declined and the examiner skipped this session."""
        self.start_at = 0
        self.feed = LiveFeed(lambda: post(LiveChanged()))
        self.watch = ReadingWatch(station.clock)
        self.operator = UiOperator(post, station.clock, watch=self.watch)
        self.runner = Runner(
            station.devices(),
            self.operator,
            WatchedClock(station.clock, self.watch),
            station.sink(self._record),
            examiner=examiner,
            battery=battery.name,
            seed=visit_seed(visit),
            live=self.feed.push,
        )
        self._visit_sink: Callable[[Document], None] | None = None
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
            rest = [p for p in self.plan[self.start_at:] if (p.spec.test, p.spec.site) not in self.skip]
            self.runner.run_plan(rest)
        except ExaminerAbort as error:  # aborted while a question between trials waited
            self._post(RunEnded(list(self.stops), error, aborted=True))
        except BaseException as error:  # the screen says what happened; never a dead worker
            self._post(RunEnded(list(self.stops), error))
        else:  # aborted in the pause between trials too: the runner ended the plan there
            self._post(RunEnded(list(self.stops), aborted=self.runner.abort_requested))
        finally:
            self.watch.stop()

    def _record(self, document: Document) -> None:
        """The runner's sink: the visit's records first, then the screen."""
        if isinstance(document, RunStart):
            self._watch_device(document.test)
        elif isinstance(document, RunStop):
            self.stops.append(document)
            self.watch.stop()
        assert self._visit_sink is not None
        self._visit_sink(document)
        self._post(Recorded(document))

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
