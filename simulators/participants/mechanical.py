"""A virtual participant for filaments: von Frey touch (MDT) or pinprick sharpness (MPT).

The answer to each filament is random: the probability of "yes" (felt, or sharp) rises
with the logarithm of the force, a logistic function centred on the true threshold. The
examiner enters it; the procedure never sees the participant, only the answers.
"""

from __future__ import annotations

import math
import random


class FilamentParticipant:
    """Seeded yes/no answers to filament forces.

    `threshold_mn` (> 0): the force answered "yes" half the time (mN).
    `slope_per_doubling` (> 0): the logistic slope per doubling of force,
    p(yes) = 1 / (1 + exp(-slope · log2(force / threshold))); at the default 3, twice the
    threshold gets "yes" 95 % of the time and half of it 5 %.
    """

    def __init__(self, threshold_mn: float, slope_per_doubling: float = 3.0, seed: int = 0):
        if not threshold_mn > 0 or not slope_per_doubling > 0:
            raise ValueError(f"threshold_mn and slope_per_doubling must be positive, got {threshold_mn}, {slope_per_doubling}")
        self.threshold_mn = threshold_mn
        self.slope_per_doubling = slope_per_doubling
        self._rng = random.Random(seed)
        self.answers: list[tuple[float, bool]] = []
        """Every (force_mn, answer) given, in order."""

    def p_yes(self, force_mn: float) -> float:
        """The probability of "yes" to `force_mn` (> 0, mN)."""
        x = self.slope_per_doubling * math.log2(force_mn / self.threshold_mn)
        return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0

    def answer(self, force_mn: float) -> bool:
        """Felt (or sharp)? One seeded draw per filament applied."""
        yes = self._rng.random() < self.p_yes(force_mn)
        self.answers.append((force_mn, yes))
        return yes
