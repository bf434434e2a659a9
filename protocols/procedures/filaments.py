"""Mechanical detection (MDT, von Frey) and pain (MPT, pinprick) thresholds by the method of limits.

No device: the examiner applies each filament by hand and enters the participant's yes or
no. Series alternate, descending and ascending, over the set of forces, each ending at its
turning point — descending at the first force not felt, ascending at the first force felt
— and each starting one step beyond the previous turning point in its own direction (at
an end of the set, at the end force itself, so one answer there cannot end the test). The
value is the geometric mean of the turning points (forces double from step to step, so
thresholds live on a log scale). A series that runs off either end of the set ends the
trial censored at that end force: the threshold lies beyond what the set can measure.
"""

from __future__ import annotations

import math

from protocols.records import TrialResult
from protocols.runner import TrialContext
from protocols.settings import FilamentSettings

QUESTIONS = {"MPT": "Sharp?"}
DEFAULT_QUESTION = "Did the participant feel it?"


def geometric_mean(values: list[float]) -> float:
    """The geometric mean of positive values."""
    return math.exp(sum(math.log(v) for v in values) / len(values))


class FilamentLimits:
    """MDT or MPT: one trial is the whole set of series; the value in mN."""

    unit = "mN"

    def __init__(self, test: str, settings: FilamentSettings):
        self.test = test
        self.settings = settings
        self.question_text = QUESTIONS.get(test.upper(), DEFAULT_QUESTION)

    def directions(self) -> list[str]:
        """The order of the 2 × `series` series, starting with `settings.first`."""
        first = self.settings.first
        second = "ascending" if first == "descending" else "descending"
        return [first, second] * self.settings.series

    def run_trial(self, ctx: TrialContext) -> TrialResult:
        forces = self.settings.forces_mn
        index = forces.index(self.settings.start_mn)
        turning_mn: list[float] = []
        for number, direction in enumerate(self.directions(), start=1):
            step = -1 if direction == "descending" else 1
            presented: list[list] = []
            turning_index: int | None = None
            while 0 <= index < len(forces):
                felt = self._ask(ctx, forces[index], number, direction)
                presented.append([forces[index], felt])
                if felt == (direction == "ascending"):
                    turning_index = index
                    break
                index += step
            turning = forces[turning_index] if turning_index is not None else None
            ctx.emit("series", {"series": number, "direction": direction, "stimuli": presented, "turning_mn": turning})
            if turning_index is None:
                return self._censored(direction, turning_mn, number)
            turning_mn.append(turning)
            # One step back the other way; at an end of the set, the end force again.
            index = min(max(turning_index - step, 0), len(forces) - 1)
        return TrialResult(
            value=round(geometric_mean(turning_mn), 4),
            unit=self.unit,
            extra={"turning_points_mn": turning_mn, "series": len(turning_mn)},
        )

    def _ask(self, ctx: TrialContext, force_mn: float, series: int, direction: str) -> bool:
        ctx.check_abort()
        question = ctx.question(self.question_text, force_mn=force_mn)
        answer = ctx.operator.yes_no(question)
        ctx.emit(
            "operator",
            {"question": question.text, "force_mn": force_mn, "answer": answer, "series": series, "direction": direction},
        )
        return answer

    def _censored(self, direction: str, turning_mn: list[float], series: int) -> TrialResult:
        """A series ran off the set: felt even at the lowest force, or not at the highest."""
        forces = self.settings.forces_mn
        below = direction == "descending"
        flag = "censored_at_lowest_force" if below else "censored_at_highest_force"
        return TrialResult(
            value=forces[0] if below else forces[-1],
            unit=self.unit,
            censored=True,
            flags=(flag,),
            extra={"turning_points_mn": turning_mn, "series": series},
        )
