"""A virtual participant feeling a graded tuning fork (Rydel–Seiffer, scale 0–8).

The vibration stops being felt when the fork's amplitude falls to the participant's
threshold, read on the scale as `threshold_eighths` (higher is better: felt down to a
smaller amplitude). Each reading is a seeded draw around it with a spread of `spread`
scale units, read to the nearest quarter mark as an examiner reads the fork, kept on the scale.
"""

from __future__ import annotations

import random


class TuningForkParticipant:
    """`threshold_eighths` (0–`scale_max`): where on the scale vibration is lost, on average."""

    def __init__(self, threshold_eighths: float, spread: float = 0.25, scale_max: float = 8.0, seed: int = 0):
        if not 0 <= threshold_eighths <= scale_max or not spread >= 0:
            raise ValueError(f"threshold_eighths 0–{scale_max}, spread ≥ 0; got {threshold_eighths}, {spread}")
        self.threshold_eighths = threshold_eighths
        self.spread = spread
        self.scale_max = scale_max
        self._rng = random.Random(seed)
        self.readings: list[float] = []

    def reading(self) -> float:
        """Where on the scale the vibration stopped being felt this time (to 0.25)."""
        value = round(self._rng.gauss(self.threshold_eighths, self.spread) * 4) / 4
        value = min(self.scale_max, max(0.0, value))
        self.readings.append(value)
        return value
