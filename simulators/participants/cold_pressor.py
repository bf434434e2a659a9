"""A virtual participant in the cold pressor: true times to pain and to withdrawal.

Times are seconds from immersion. `next_mark` says what the examiner will mark next and
how long from now, so a scripted examiner can wait for it on the run's clock.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

PAIN_MEDIAN_S = 12.0
"""Typical time to first pain in water near 1 °C (healthy adults: roughly 5–30 s)."""
ENDURANCE_MEDIAN_S = 40.0
"""Typical time from first pain to withdrawal; with a wide spread, a good share of
participants last past a 180 s ceiling, as in the laboratory."""


@dataclass(frozen=True)
class ColdPressorParticipant:
    """`pain_s`: from immersion to saying "pain" (None: never says it); `tolerance_s`: to
    taking the hand out (None: never does). Both >= 0 s."""

    pain_s: float | None
    tolerance_s: float | None

    def __post_init__(self) -> None:
        for name in ("pain_s", "tolerance_s"):
            value = getattr(self, name)
            if value is not None and not value >= 0:
                raise ValueError(f"{name} must be at least 0 s, not {value}")

    @classmethod
    def draw(cls, seed: int) -> "ColdPressorParticipant":
        """A seeded participant: log-normal time to pain, then log-normal endurance."""
        rng = random.Random(seed)
        pain_s = PAIN_MEDIAN_S * math.exp(rng.gauss(0.0, 0.5))
        return cls(pain_s, pain_s + ENDURANCE_MEDIAN_S * math.exp(rng.gauss(0.0, 0.9)))

    def next_mark(self, elapsed_s: float, names: tuple[str, ...] = ("pain", "withdrawal")) -> tuple[str, float] | None:
        """The next of `names` this participant will give after `elapsed_s` in the water, as
        (name, seconds from now); None if none is coming. Pain comes first if it is still
        ahead and before the withdrawal."""
        pain_ahead = self.pain_s is not None and self.pain_s >= elapsed_s
        if "pain" in names and pain_ahead and (self.tolerance_s is None or self.pain_s <= self.tolerance_s):
            return "pain", self.pain_s - elapsed_s
        if "withdrawal" in names and self.tolerance_s is not None and self.tolerance_s >= elapsed_s:
            return "withdrawal", self.tolerance_s - elapsed_s
        return None
