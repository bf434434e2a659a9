"""A virtual participant on the thermode: true thresholds, a reaction time, trial-to-trial noise.

Plugs into the simulated TCS II as its `response_hook`: consulted every 10 ms tick with the
probe's true zone temperatures, it presses the response button `reaction_time_s` after the
probe's mean temperature first crosses the trial's threshold, and lets go once the probe is
back near the baseline. Each ramp draws its own threshold: the true one plus Gaussian noise
of `trial_sd_c`. What the participant is being tested on is set by `begin(test)`.

Thresholds (°C): detection ones (`CDT`, `WDT`) as signed changes from the baseline, pain
ones (`CPT`, `HPT`) as temperatures. `TSL` uses the detection thresholds for its warm and
cold ramps. `phs_probability`: the chance a cold ramp in `TSL` is felt as heat.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

DEPARTURE_C = 0.2
"""A ramp has begun once the probe is this far from the baseline."""
HOME_C = 0.5
"""A ramp is over once the probe is back this close to the baseline..."""
TURNED_BACK_C = 0.3
"""...having come back at least this far from the furthest it got."""


@dataclass
class ThermalThresholds:
    cdt_c: float = -1.5
    wdt_c: float = 2.0
    cpt_c: float = 12.0
    hpt_c: float = 44.0


@dataclass
class ThermalParticipant:
    """Seeded; `never_responds` makes a participant who never presses (cut-off tests)."""

    seed: int = 0
    thresholds: ThermalThresholds = field(default_factory=ThermalThresholds)
    reaction_time_s: float = 0.3
    trial_sd_c: float = 0.0
    baseline_c: float = 32.0
    phs_probability: float = 0.0
    never_responds: bool = False

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self.test: str | None = None
        self._direction = 0
        self._threshold_c = math.nan
        self._crossed_at_s: float | None = None
        self._furthest_c = 0.0
        self.presses: list[tuple[float, float]] = []
        """(t_s, true probe temperature when the threshold was crossed) per response."""
        self.last_direction = 0

    def begin(self, test: str) -> None:
        """The participant is now doing `test` (e.g. "HPT")."""
        self.test = test.upper()
        self._reset()

    def _reset(self) -> None:
        self._home = False
        self._direction = 0
        self._threshold_c = math.nan
        self._crossed_at_s = None

    def true_threshold_c(self, test: str, direction: int) -> float:
        """The threshold as a temperature for a ramp in `direction` (+1 warming, -1 cooling)."""
        t = self.thresholds
        if test == "HPT":
            return t.hpt_c
        if test == "CPT":
            return t.cpt_c
        if test == "WDT" or (test == "TSL" and direction > 0):
            return self.baseline_c + t.wdt_c
        if test == "CDT" or (test == "TSL" and direction < 0):
            return self.baseline_c + t.cdt_c
        return math.nan

    def hook(self, t_s: float, zones_c: tuple[float, ...]) -> bool:
        """The response button's state at `t_s` given the probe's true zone temperatures."""
        if self.test is None or self.never_responds:
            return False
        probe_c = sum(zones_c) / len(zones_c)
        offset_c = probe_c - self.baseline_c
        if self._direction == 0:
            if abs(offset_c) < DEPARTURE_C:
                self._home = True
                return False
            if not self._home:
                return False  # still on the way back from the last ramp
            self._direction = 1 if offset_c > 0 else -1
            self.last_direction = self._direction
            wanted = self.true_threshold_c(self.test, self._direction)
            self._threshold_c = wanted + self._rng.gauss(0.0, self.trial_sd_c) if self.trial_sd_c else wanted
            self._furthest_c = 0.0
        self._furthest_c = max(self._furthest_c, abs(offset_c))
        if self._crossed_at_s is None and (probe_c - self._threshold_c) * self._direction >= 0:
            self._crossed_at_s = t_s
            self.presses.append((t_s + self.reaction_time_s, self._threshold_c))
        if abs(offset_c) < HOME_C and self._furthest_c - abs(offset_c) > TURNED_BACK_C:
            self._reset()  # back home from this ramp, answered or not
            return False
        return self._crossed_at_s is not None and t_s >= self._crossed_at_s + self.reaction_time_s

    def feeling(self, direction: str) -> str:
        """What the participant says a `TSL` ramp felt like ("warm", "cold" or "hot")."""
        if direction == "warm":
            return "warm"
        return "hot" if self._rng.random() < self.phs_probability else "cold"
