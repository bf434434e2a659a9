"""Driving the UI on a virtual lab, for tests and for developers trying a screen.

`HoldableClock` is a virtual clock a test can stop at a moment of its choosing: the
worker that would move time past it waits (inside its device read, as it would on a slow
line) until the test lets go. That is how a test presses Esc in the middle of a heat ramp
that, in virtual time, would otherwise be over before the key arrives.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
import threading
import time
import traceback
from datetime import date, timedelta
from typing import Callable

import simulators
from protocols.battery import Battery, load_battery
from qst.ui.app import QstApp
from qst.ui.prompts import PromptScreen
from qst.ui.screens import DeviceCheckScreen, PickScreen, RunScreen, SummaryScreen
from qst.ui.station import virtual_station
from qst.ui.visits import MemoryVisits, VisitChoice
from qst.virtual import VirtualLab, VirtualPerson
from simulators.clock import VirtualClock

TODAY = date(2024, 3, 4)
STUDY = "pilot"


class HoldableClock(VirtualClock):
    """A `VirtualClock` that stops moving while the condition of `hold_when` holds.

    The condition is checked each time a thread would move time on; while it is true,
    `held` is set and that thread waits. `hold_when` again moves the hold (the waiting
    thread checks the new condition); `release()` lets time run freely. Reading the time
    (`now`) is never held. `hold_at(t_s)` stops time at exactly `t_s`: a thread that would
    move it past `t_s` moves it to `t_s` and waits there.
    """

    HOLD_LIMIT_S = 60.0
    """A hold nobody releases (a failing test) ends after this long (real seconds) with an
    error in the held thread, rather than hanging the test run."""

    def __init__(self, start_s: float = 0.0):
        super().__init__(start_s)
        self._condition: Callable[[], bool] | None = None
        self._stop_s: float | None = None
        self._changed = threading.Condition()
        self.held = threading.Event()

    def hold_when(self, condition: Callable[[], bool]) -> None:
        self._hold(condition, None)

    def hold_at(self, t_s: float) -> None:
        """Let time run up to `t_s` (s) and hold it there, never past it."""
        self._hold(lambda: self.now() >= t_s, t_s)

    def _hold(self, condition: Callable[[], bool], stop_s: float | None) -> None:
        with self._changed:
            self.held.clear()
            self._condition, self._stop_s = condition, stop_s
            self._changed.notify_all()

    def release(self) -> None:
        with self._changed:
            self._condition, self._stop_s = None, None
            self._changed.notify_all()

    def _stop_on_the_way(self, t_s: float) -> bool:
        """Move to the time of `hold_at` if `t_s` lies past it; True if it did."""
        with self._changed:
            stop_s = self._stop_s
            if stop_s is None or not self.now() < stop_s < t_s:
                return False
        super().advance_to(stop_s)
        return True

    def _wait_if_held(self) -> None:
        with self._changed:
            while self._condition is not None and self._condition():
                self.held.set()
                if not self._changed.wait(self.HOLD_LIMIT_S):
                    self._condition = None
                    raise RuntimeError(f"the virtual clock was held for {self.HOLD_LIMIT_S:g} s and never released")

    def sleep(self, duration_s: float) -> None:
        end_s = self.now() + duration_s
        if self._stop_on_the_way(end_s):
            self.advance_to(end_s)  # the rest of the sleep, once let go
            return
        self._wait_if_held()
        super().sleep(duration_s)

    def advance_to(self, t_s: float) -> None:
        while self._stop_on_the_way(t_s):
            self._wait_if_held()  # a new hold may stop it again further on
        self._wait_if_held()
        super().advance_to(t_s)


def virtual_lab(seed: int = 3, person: VirtualPerson | None = None) -> VirtualLab:
    """A `VirtualLab` on a `HoldableClock`."""
    person = person or VirtualPerson.draw(seed)
    return VirtualLab(person, bench=simulators.Bench(seed=person.seed, clock=HoldableClock()))


def ui_battery(name: str, title: str, *tests: dict) -> Battery:
    """A small battery for the UI tests, through the same loader as a battery file: each
    of `tests` is a `[[tests]]` table (one trial with no pause unless it says otherwise)."""
    lines = [f"name = {json.dumps(name)}", f"title = {json.dumps(title)}", 'version = "1"']
    for test in tests:
        lines.append("\n[[tests]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in {"trials": 1, "isi_s": [0.0, 0.0], **test}.items()]
    return load_battery("\n".join(lines) + "\n")


def pilot_visits(battery: Battery, codes: tuple[str, ...] = ("VP01", "VP02"), visits: int = 2,
                 courses: dict[str, list] | None = None) -> MemoryVisits:
    """A small study "pilot" whose visits run `battery`, a fortnight apart from `TODAY`;
    `courses[code]`: a participant's course lines."""
    table = {
        code: [
            VisitChoice(STUDY, code, number, "AB"[min(number - 1, 1)], battery.name,
                        planned_on=TODAY + timedelta(days=14 * (number - 1)))
            for number in range(1, visits + 1)
        ]
        for code in codes
    }
    return MemoryVisits({STUDY: table}, batteries={battery.name: battery},
                        courses={(STUDY, code): lines for code, lines in (courses or {}).items()})


def virtual_app(lab: VirtualLab, source, *, examiner: str = "T1") -> QstApp:
    """The UI on `lab`'s devices and people, in its virtual time, over `source`; text
    cursors do not blink, so a screenshot is the same every time."""
    return QstApp(source, virtual_station(lab), examiner=examiner, today=TODAY, cursor_blink=False)


# -- driving it with Pilot -----------------------------------------------------------------------


def synchronously(test):
    """An `async def` test run to completion in a fresh event loop (no pytest plugin needed)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


async def wait_for(pilot, condition: Callable[[], bool], what: str = "", timeout_s: float = 20.0) -> None:
    """Let the app run until `condition()` holds; fail after `timeout_s` real seconds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out waiting for {what or condition} (screen: {pilot.app.screen!r})\n{thread_stacks()}"
            )
        await pilot.pause(0.01)


def thread_stacks() -> str:
    """Where every other thread is, for a wait that timed out."""
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    return "\n".join(
        f"--- thread {names.get(ident, ident)}\n{''.join(traceback.format_stack(frame)[-8:])}"
        for ident, frame in sys._current_frames().items()
        if ident != threading.get_ident()
    )


def prompt_of(app: QstApp):
    """The question waiting on the screen, or None."""
    screen = app.screen
    return screen.request if isinstance(screen, PromptScreen) and screen.request.open else None


async def open_visit(pilot) -> None:
    """From the start: the first study, participant and their visit by Enter, then the
    device check; returns once the devices are ready (the visit not started)."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, PickScreen) and app.screen.chosen is not None, "the visits")
    await pilot.press("enter", "enter", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, DeviceCheckScreen) and app.screen.ready, "the device check")


async def start_visit(pilot) -> None:
    """`open_visit`, then Enter: the run screen, its first question waiting."""
    await open_visit(pilot)
    await pilot.press("enter")
    await wait_for(pilot, lambda: prompt_of(pilot.app) is not None, "the first question")


async def answer(pilot, lab: VirtualLab, request) -> None:
    """Answer `request` by keys as the examiner would for `lab`'s virtual participant."""
    question = request.question
    if request.kind == "ready":
        keys = ["enter"]
    elif request.kind == "yes_no":
        keys = ["y" if lab.filaments[question.test].answer(float(question.stimulus["force_mn"])) else "n"]
    elif request.kind == "choose":
        keys = [str(request.options.index(lab.thermal.feeling(question.stimulus.get("direction", "warm"))) + 1)]
    elif request.kind == "rating":
        keys = [*str(lab.pinprick.rate(int(question.stimulus.get("stimuli", 1)))), "enter"]
    elif request.kind == "number":
        value = lab.fork.reading() if question.test == "VDT" else lab.person.water_c
        keys = [*f"{value:g}", "enter"]
    elif request.kind == "mark":
        keys = [request.options[0][:1]]
    else:
        raise AssertionError(f"no answer for a {request.kind} question")
    await pilot.press(*keys)
    await wait_for(pilot, lambda: not request.open, f"the answer to {question.text!r}")


async def answer_until(pilot, lab: VirtualLab, done: Callable[[], bool], what: str = "") -> None:
    """Answer every question as it comes until `done()`."""
    app = pilot.app
    while not done():
        await wait_for(pilot, lambda: done() or prompt_of(app) is not None, what or "a question")
        request = prompt_of(app)
        if request is not None and not done():
            await answer(pilot, lab, request)


def run_screen(app: QstApp) -> RunScreen | None:
    return next((screen for screen in reversed(app.screen_stack) if isinstance(screen, RunScreen)), None)


def on_summary(app: QstApp) -> bool:
    return isinstance(app.screen, SummaryScreen) and bool(app.screen.summaries)
