"""A virtual participant rating pinprick pain: single stimuli and trains (wind-up).

A single pinprick is rated around `single_rating`; a train of pinpricks around
`single_rating × wind_up`, temporal summation making the train hurt more. Each rating is a
seeded draw with a spread of `spread_fraction` of its centre, rounded to a whole number and
kept within 0–100, as the examiner would enter it.
"""

from __future__ import annotations

import random


class PinprickPainParticipant:
    """`single_rating` (0–100): the typical pain of one pinprick; `wind_up` (> 0): how many
    times a train hurts more than one stimulus."""

    def __init__(self, single_rating: float, wind_up: float, spread_fraction: float = 0.15, seed: int = 0):
        if not 0 <= single_rating <= 100 or not wind_up > 0 or not spread_fraction >= 0:
            raise ValueError(f"single_rating 0–100, wind_up > 0, spread_fraction ≥ 0; got "
                             f"{single_rating}, {wind_up}, {spread_fraction}")
        self.single_rating = single_rating
        self.wind_up = wind_up
        self.spread_fraction = spread_fraction
        self._rng = random.Random(seed)
        self.ratings: list[tuple[int, int]] = []
        """Every (number of stimuli, rating) given, in order."""

    def rate(self, stimuli: int) -> int:
        """The pain rating (0–100) of one stimulus (`stimuli` = 1) or of a train."""
        centre = self.single_rating * (self.wind_up if stimuli > 1 else 1.0)
        rating = round(self._rng.gauss(centre, self.spread_fraction * centre))
        rating = min(100, max(0, rating))
        self.ratings.append((stimuli, rating))
        return rating
