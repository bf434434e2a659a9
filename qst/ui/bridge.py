"""The operator bridge: the procedure's `Operator`, answered by the technician at the screen.

The procedure runs in a worker thread. Each question becomes a `PromptRequest`, posted to
the screen as a message; the worker then blocks on the request's event until the
technician answers (the screen calls `request.answer(...)`), the question times out
(`wait_for_mark`), or the run is aborted (`UiOperator.cancel()`, from the Esc key), in
which case the worker raises `ExaminerAbort` and the runner records the trial as aborted.

Instructions and notices are posted and not waited for.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from textual.message import Message

from drivers.clock import Clock
from protocols.operator import Mark, Question
from protocols.runner import ExaminerAbort
from qst.ui.messages import Instruction, Notice, PromptRequested, PromptWithdrawn, Waiting

OPEN, ANSWERED, WITHDRAWN = "open", "answered", "withdrawn"


@dataclass(eq=False)
class PromptRequest:
    """One question waiting for the technician.

    `kind`: "ready", "yes_no", "rating", "choose", "number" or "mark". `options` for
    "choose", the mark names for "mark"; `low`/`high` bound "number" and "rating";
    `instruction` is the text last given to read aloud (shown with "ready").
    """

    kind: str
    question: Question
    options: tuple[str, ...] = ()
    low: float = 0.0
    high: float = 0.0
    timeout_s: float | None = None
    instruction: str = ""
    value: Any = None
    state: str = OPEN
    _event: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def answer(self, value: Any) -> bool:
        """The technician's answer (any thread); False if the question no longer waits."""
        with self._lock:
            if self.state != OPEN:
                return False
            self.value, self.state = value, ANSWERED
        self._event.set()
        return True

    def withdraw(self) -> bool:
        """Stop waiting for an answer; True only for the call that withdrew it (False if it
        was answered or withdrawn before)."""
        with self._lock:
            if self.state != OPEN:
                return False
            self.state = WITHDRAWN
        self._event.set()
        return True

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until answered or withdrawn (True), or `timeout_s` real seconds (False)."""
        return self._event.wait(timeout_s)

    @property
    def open(self) -> bool:
        return self.state == OPEN


class Pausable(Protocol):
    """What the bridge tells while it waits for a person (the stall watch pauses then)."""

    def pause(self) -> None: ...

    def resume(self) -> None: ...


class UiOperator:
    """An `Operator` whose answers come from the screen. `post` delivers a message to it
    (thread-safe); `clock` stamps marks; `watch` is paused while a question waits."""

    def __init__(self, post: Callable[[Message], Any], clock: Clock, watch: Pausable | None = None):
        self._post = post
        self.clock = clock
        self._watch = watch
        self._lock = threading.Lock()
        self._pending: set[PromptRequest] = set()
        self._cancelled = False
        self.instruction = ""

    # -- the screen's side ------------------------------------------------------------------

    def cancel(self) -> None:
        """The examiner aborted: every waiting question, and every later one, ends the trial."""
        with self._lock:
            self._cancelled = True
            pending = list(self._pending)
        for request in pending:
            if request.withdraw():
                self._post(PromptWithdrawn(request))

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    # -- the procedure's side ----------------------------------------------------------------

    def _ask(self, request: PromptRequest) -> Any:
        with self._lock:
            if self._cancelled:
                raise ExaminerAbort("aborted by the examiner")
            self._pending.add(request)
        if self._watch is not None:
            self._watch.pause()
        try:
            self._post(PromptRequested(request))
            request.wait(request.timeout_s)
        finally:
            with self._lock:
                self._pending.discard(request)
            if self._watch is not None:
                self._watch.resume()
        if request.state == OPEN and request.withdraw():  # timed out
            self._post(PromptWithdrawn(request))
        if request.state == WITHDRAWN:
            if self._cancelled:
                raise ExaminerAbort("aborted by the examiner")
            return None
        return request.value

    def instruct(self, text: str) -> None:
        self.instruction = text
        self._post(Instruction(text))

    def ready(self, question: Question) -> bool:
        return bool(self._ask(PromptRequest("ready", question, instruction=self.instruction)))

    def yes_no(self, question: Question) -> bool:
        return bool(self._ask(PromptRequest("yes_no", question)))

    def rating(self, question: Question) -> int:
        return int(self._ask(PromptRequest("rating", question, low=0, high=100)))

    def choose(self, question: Question, options: tuple[str, ...]) -> str:
        return str(self._ask(PromptRequest("choose", question, options=tuple(options))))

    def number(self, question: Question, low: float, high: float) -> float:
        return float(self._ask(PromptRequest("number", question, low=low, high=high)))

    def wait_for_mark(self, question: Question, names: tuple[str, ...], timeout_s: float) -> Mark | None:
        """Waits up to `timeout_s` real seconds; the mark's time is the clock's at the key."""
        answer = self._ask(PromptRequest("mark", question, options=tuple(names), timeout_s=max(0.0, timeout_s)))
        return answer if isinstance(answer, Mark) else None

    def notice(self, text: str) -> None:
        self._post(Notice(text))

    def waiting(self, until_s: float, test: str, site: str, trial: int) -> None:
        self._post(Waiting(until_s, test, site, trial))
