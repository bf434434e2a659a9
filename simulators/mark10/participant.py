"""The virtual participant: feels pressure, says "stop" a reaction time after the threshold."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Trial:
    """What the participant brings to one ramp: threshold (kPa) and reaction time (s)."""

    threshold_kpa: float
    reaction_s: float


class VirtualParticipant:
    """A true pressure pain threshold and a reaction time, each with optional trial spread.

    `threshold_kpa` (> 0) and `reaction_s` (>= 0) are the means; `threshold_sd_kpa` and
    `reaction_sd_s` (>= 0, default 0) the trial-to-trial standard deviations.
    """

    def __init__(
        self,
        rng: random.Random,
        threshold_kpa: float = 400.0,
        reaction_s: float = 0.25,
        threshold_sd_kpa: float = 0.0,
        reaction_sd_s: float = 0.0,
    ):
        if not threshold_kpa > 0 or reaction_s < 0 or threshold_sd_kpa < 0 or reaction_sd_s < 0:
            raise ValueError("threshold_kpa must be positive; reaction_s and the spreads not negative")
        self._rng = rng
        self.threshold_kpa = threshold_kpa
        self.reaction_s = reaction_s
        self.threshold_sd_kpa = threshold_sd_kpa
        self.reaction_sd_s = reaction_sd_s

    def next_trial(self) -> Trial:
        threshold = self.threshold_kpa + self._rng.gauss(0, self.threshold_sd_kpa) if self.threshold_sd_kpa else self.threshold_kpa
        reaction = self.reaction_s + self._rng.gauss(0, self.reaction_sd_s) if self.reaction_sd_s else self.reaction_s
        return Trial(max(threshold, 1.0), max(reaction, 0.0))
