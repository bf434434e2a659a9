"""Cold pressor: the hand in circulating cold water; time to pain (threshold) and to withdrawal
(tolerance), in seconds from immersion, ended at the ceiling.

No device: the examiner enters the water temperature, confirms the hand is in (the timer
starts then) and marks "pain" and "withdrawal" as the participant says or does them. Only
the first pain mark counts; after it only a withdrawal is waited for. At the ceiling the
trial ends censored: tolerance recorded as the ceiling, flagged, pain time perhaps missing.
"""

from __future__ import annotations

from drivers.errors import SafetyLimitError
from protocols.operator import ParticipantStopped
from protocols.records import TrialResult
from protocols.runner import TrialContext
from protocols.settings import ColdPressorSettings

WATER_QUESTION = "Water temperature (°C)?"
IMMERSE_INSTRUCTION = "Put your hand in the water now, up to the wrist, and keep it still."
IMMERSED_QUESTION = "Is the hand in the water? The timer starts now."
MARK_QUESTION = "Mark pain, then withdrawal."


class WaterOutOfRangeError(SafetyLimitError):
    """The water is colder or warmer than the settings allow; the hand does not go in."""


class ColdPressor:
    """One immersion per trial; the value is the tolerance time in s."""

    unit = "s"

    def __init__(self, test: str, settings: ColdPressorSettings):
        self.test = test
        self.settings = settings

    def run_trial(self, ctx: TrialContext) -> TrialResult:
        s = self.settings
        water_c = self._water_c(ctx)
        ctx.operator.instruct(IMMERSE_INSTRUCTION)
        if not ctx.operator.ready(ctx.question(IMMERSED_QUESTION, water_c=water_c)):
            raise ParticipantStopped("the participant did not put the hand in the water")
        immersed_t_s = ctx.clock.now()
        ctx.emit("stimulus", {"water_c": water_c, "ceiling_s": s.ceiling_s})
        pain_s: float | None = None
        tolerance_s: float | None = None
        while tolerance_s is None:
            elapsed_s = ctx.clock.now() - immersed_t_s
            remaining_s = s.ceiling_s - elapsed_s
            if remaining_s <= 0:
                break
            names = ("withdrawal",) if pain_s is not None else ("pain", "withdrawal")
            question = ctx.question(MARK_QUESTION, water_c=water_c, elapsed_s=elapsed_s, marks=names)
            mark = ctx.operator.wait_for_mark(question, names, remaining_s)
            ctx.check_abort()
            if mark is None:
                break
            at_s = mark.t_s - immersed_t_s
            if at_s > s.ceiling_s:
                break  # marked after the ceiling: the trial had already ended
            ctx.emit("response", {"mark": mark.name, "t_s": mark.t_s, "from_immersion_s": at_s})
            if mark.name == "withdrawal":
                tolerance_s = at_s
            elif pain_s is None:
                pain_s = at_s
        return self._result(ctx, water_c, immersed_t_s, pain_s, tolerance_s)

    def _water_c(self, ctx: TrialContext) -> float:
        s = self.settings
        question = ctx.question(WATER_QUESTION)
        water_c = float(ctx.operator.number(question, s.water_min_c, s.water_max_c))
        ctx.emit("operator", {"question": question.text, "answer": water_c})
        # The operator is asked for the range, but a person typing is not bound by it.
        if not s.water_min_c <= water_c <= s.water_max_c:
            raise WaterOutOfRangeError(
                f"water at {water_c:g} °C is outside {s.water_min_c:g}–{s.water_max_c:g} °C: not immersing"
            )
        return water_c

    def _result(
        self,
        ctx: TrialContext,
        water_c: float,
        immersed_t_s: float,
        pain_s: float | None,
        tolerance_s: float | None,
    ) -> TrialResult:
        censored = tolerance_s is None
        flags: tuple[str, ...] = ()
        if censored:
            flags += ("censored_at_ceiling",)
            ctx.emit("flag", {"flag": "censored_at_ceiling", "ceiling_s": self.settings.ceiling_s})
        if pain_s is None:
            flags += ("no_pain_mark",)
        return TrialResult(
            value=self.settings.ceiling_s if censored else round(tolerance_s, 3),
            unit=self.unit,
            censored=censored,
            response_t_s=None if censored else immersed_t_s + tolerance_s,
            flags=flags,
            extra={
                "pain_threshold_s": None if pain_s is None else round(pain_s, 3),
                "water_c": water_c,
                "immersed_t_s": immersed_t_s,
            },
        )
