"""The examiner, as procedures see them: instructions to read aloud and questions to answer.

A procedure never talks to a person directly; it talks to an `Operator`. The terminal UI is
one; `ScriptedOperator` is another, for tests and virtual visits, answering from functions
(often a virtual participant's judgement) on the run's clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol


@dataclass(frozen=True)
class Question:
    """What the examiner is asked. `stimulus` says what was just applied (e.g.
    `{"force_mn": 8.0}`), so a virtual participant can answer from it."""

    text: str
    test: str = ""
    site: str = ""
    stimulus: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Mark:
    """The examiner marked an event (`name`, e.g. "pain") at `t_s` on the run's clock."""

    name: str
    t_s: float


class Operator(Protocol):
    def instruct(self, text: str) -> None:
        """Show `text` for the examiner to read aloud to the participant."""

    def ready(self, question: Question) -> bool:
        """Wait until the examiner says go; False means the participant wants to stop."""

    def yes_no(self, question: Question) -> bool:
        """The participant's yes or no, as the examiner enters it."""

    def rating(self, question: Question) -> int:
        """A rating 0–100."""

    def choose(self, question: Question, options: tuple[str, ...]) -> str:
        """One of `options` (e.g. what the participant felt: "warm", "cold", "hot")."""

    def number(self, question: Question, low: float, high: float) -> float:
        """A number within [low, high] the examiner enters (e.g. water temperature, °C)."""

    def wait_for_mark(self, question: Question, names: tuple[str, ...], timeout_s: float) -> Mark | None:
        """Wait up to `timeout_s` for the examiner to mark one of `names`; None on time-out."""

    def notice(self, text: str) -> None:
        """Tell the examiner something (a flag, a fault); no answer needed."""

    def waiting(self, until_s: float, test: str, site: str, trial: int) -> None:
        """The runner pauses until `until_s` (clock time, s) before that trial; a stop or an
        abort ends the pause at once. No answer needed."""


class ParticipantStopped(Exception):
    """The participant asked to stop (the examiner answered 'not ready')."""


Answer = Callable[[Question], Any]


class ScriptedOperator:
    """An `Operator` that answers from functions and keeps a transcript.

    `yes_no`, `rating`, `number`: functions of the `Question`. `marks`: a function of the
    question returning `(name, delay_s)` or None; the operator sleeps the clock for the
    delay (capped at the time-out), as a person watching would. `ready`: the answer to
    every ready question (default always ready).
    """

    def __init__(
        self,
        clock,
        *,
        yes_no: Answer | None = None,
        rating: Answer | None = None,
        choose: Answer | None = None,
        number: Answer | None = None,
        marks: Callable[[Question], tuple[str, float] | None] | None = None,
        ready: Answer | None = None,
    ):
        self.clock = clock
        self._yes_no = yes_no or (lambda question: False)
        self._rating = rating or (lambda question: 0)
        self._choose = choose
        self._number = number or (lambda question: None)
        self._marks = marks or (lambda question: None)
        self._ready = ready or (lambda question: True)
        self.transcript: list[tuple[str, str, Any]] = []

    def _say(self, kind: str, text: str, answer: Any = None) -> Any:
        self.transcript.append((kind, text, answer))
        return answer

    def instruct(self, text: str) -> None:
        self._say("instruct", text)

    def ready(self, question: Question) -> bool:
        return bool(self._say("ready", question.text, self._ready(question)))

    def yes_no(self, question: Question) -> bool:
        return bool(self._say("yes_no", question.text, self._yes_no(question)))

    def rating(self, question: Question) -> int:
        answer = int(self._rating(question))
        if not 0 <= answer <= 100:
            raise ValueError(f"a rating is 0–100, not {answer}")
        return self._say("rating", question.text, answer)

    def choose(self, question: Question, options: tuple[str, ...]) -> str:
        answer = self._choose(question) if self._choose is not None else options[0]
        if answer not in options:
            raise ValueError(f"{question.text}: {answer!r} is not one of {options}")
        return self._say("choose", question.text, answer)

    def number(self, question: Question, low: float, high: float) -> float:
        answer = self._number(question)
        if answer is None:
            answer = low
        answer = float(answer)
        if not low <= answer <= high:
            raise ValueError(f"{question.text}: {answer} is outside {low}–{high}")
        return self._say("number", question.text, answer)

    def wait_for_mark(self, question: Question, names: tuple[str, ...], timeout_s: float) -> Mark | None:
        planned = self._marks(question)
        if planned is None or planned[1] > timeout_s:
            self.clock.sleep(timeout_s)
            return self._say("mark", question.text, None)
        name, delay_s = planned
        if name not in names:
            raise ValueError(f"mark {name!r} is not one of {names}")
        self.clock.sleep(max(0.0, delay_s))
        return self._say("mark", question.text, Mark(name, self.clock.now()))

    def notice(self, text: str) -> None:
        self._say("notice", text)

    def waiting(self, until_s: float, test: str, site: str, trial: int) -> None:
        self._say("waiting", f"{test} {site} trial {trial}", until_s)
