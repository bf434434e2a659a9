"""Wind-up ratio (WUR): temporal summation of pinprick pain (DFNS, Rolke et al. 2006).

No device: the examiner applies a single pinprick, and the participant rates its pain
(0–100); then a train of pinpricks of the same force at about one a second within 1 cm²,
and the participant rates the pain of the train as a whole. `repeats` such pairs make one
trial. The value is the mean train rating over the mean single rating; when no single
stimulus hurt (mean 0) the ratio is undefined: the trial keeps its ratings, no value, and
the flag `single_not_painful`.
"""

from __future__ import annotations

from protocols.records import TrialResult
from protocols.runner import TrialContext
from protocols.settings import WindUpSettings

SINGLE_QUESTION = "Single pinprick: how painful, 0 (no pain) to 100 (worst imaginable)?"


def train_question(settings: WindUpSettings) -> str:
    return (f"Train of {settings.train_length} pinpricks, {settings.train_rate_hz:g} a second: "
            "how painful was the train as a whole, 0 to 100?")


def mean(values: list[int]) -> float:
    return sum(values) / len(values)


class WindUp:
    """WUR: one trial is `repeats` pairs of a single stimulus and a train; the value a ratio."""

    unit = "ratio"

    def __init__(self, test: str, settings: WindUpSettings):
        self.test = test
        self.settings = settings

    def run_trial(self, ctx: TrialContext) -> TrialResult:
        s = self.settings
        singles: list[int] = []
        trains: list[int] = []
        for pair in range(1, s.repeats + 1):
            singles.append(self._rate(ctx, SINGLE_QUESTION, pair, "single", 1))
            trains.append(self._rate(ctx, train_question(s), pair, "train", s.train_length))
        extra = {"single_ratings": singles, "train_ratings": trains,
                 "mean_single": mean(singles), "mean_train": mean(trains)}
        if mean(singles) == 0:
            return TrialResult(value=None, unit=self.unit, flags=("single_not_painful",), extra=extra)
        return TrialResult(value=round(mean(trains) / mean(singles), 4), unit=self.unit, extra=extra)

    def _rate(self, ctx: TrialContext, text: str, pair: int, kind: str, stimuli: int) -> int:
        ctx.check_abort()
        s = self.settings
        question = ctx.question(text, force_mn=s.force_mn, kind=kind, stimuli=stimuli, pair=pair,
                                rate_hz=s.train_rate_hz if stimuli > 1 else None)
        rating = int(ctx.operator.rating(question))
        if not 0 <= rating <= 100:
            raise ValueError(f"a pain rating is 0 to 100, got {rating}")
        ctx.emit("rating", {"pair": pair, "kind": kind, "stimuli": stimuli, "force_mn": s.force_mn, "rating": rating})
        return rating
