"""The virtual examiner: pushes the algometer at a target rate with wobble and tremor.

The pressure of a push is a closed-form function of time, so the simulator can say exactly
what was on the skin at any instant:

- intended rate: `rate_kpa_s * (1 + wobble * w(t))`, where `w` is a sum of two slow sines
  (0.15-0.5 Hz) bounded by 1: the examiner drifts about ±`wobble` around the target;
- hand tremor: two sines of 8-12 Hz, `tremor_kpa` in amplitude, fading in over 0.2 s from
  contact, on top of the smooth push;
- release: once told to let go, pressure falls at `release_kpa_s` to zero.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

TREMOR_FADE_IN_S = 0.2


@dataclass(frozen=True)
class _Sine:
    amplitude: float
    omega: float
    phase: float

    def value(self, tau: float) -> float:
        return self.amplitude * math.sin(self.omega * tau + self.phase)

    def integral(self, tau: float) -> float:
        """The integral from 0 to `tau`."""
        return self.amplitude * (math.cos(self.phase) - math.cos(self.omega * tau + self.phase)) / self.omega


class VirtualExaminer:
    """How one examiner pushes; `push(start_s)` gives each ramp its own wobble and tremor.

    `rate_kpa_s` (> 0, default 50), `wobble` (0..0.5, default 0.10 = ±10 %), `tremor_kpa`
    (>= 0, default 1 kPa), `release_kpa_s` (> 0, default 400), `max_kpa` (> 0, default
    1000: the examiner stops and lets go there even without a response).
    """

    def __init__(
        self,
        rng: random.Random,
        rate_kpa_s: float = 50.0,
        wobble: float = 0.10,
        tremor_kpa: float = 1.0,
        release_kpa_s: float = 400.0,
        max_kpa: float = 1000.0,
    ):
        if not rate_kpa_s > 0 or not 0 <= wobble <= 0.5 or tremor_kpa < 0 or not release_kpa_s > 0 or not max_kpa > 0:
            raise ValueError("examiner: need rate_kpa_s > 0, 0 <= wobble <= 0.5, tremor_kpa >= 0, release_kpa_s > 0, max_kpa > 0")
        self._rng = rng
        self.rate_kpa_s = rate_kpa_s
        self.wobble = wobble
        self.tremor_kpa = tremor_kpa
        self.release_kpa_s = release_kpa_s
        self.max_kpa = max_kpa

    def push(self, start_s: float) -> "Push":
        rng = self._rng
        drift = (
            _Sine(0.65, 2 * math.pi * rng.uniform(0.15, 0.3), rng.uniform(0, 2 * math.pi)),
            _Sine(0.35, 2 * math.pi * rng.uniform(0.3, 0.5), rng.uniform(0, 2 * math.pi)),
        )
        tremor = (
            _Sine(0.6 * self.tremor_kpa, 2 * math.pi * rng.uniform(8, 12), rng.uniform(0, 2 * math.pi)),
            _Sine(0.4 * self.tremor_kpa, 2 * math.pi * rng.uniform(8, 12), rng.uniform(0, 2 * math.pi)),
        )
        return Push(self, start_s, drift, tremor)


class Push:
    """One ramp: contact at `start_s`, pushing until `release(t_s)`, then letting go.

    The sine terms are unpacked once here, and the latest pressure is remembered: the
    gauge asks for it many times a simulated second. The arithmetic is term for term that
    of `_Sine.value` and `_Sine.integral`, added in the same order, so the figures do not
    change (to the bit on Python 3.11, whose `sum` of floats adds plainly).
    """

    def __init__(self, examiner: VirtualExaminer, start_s: float, drift: tuple[_Sine, ...], tremor: tuple[_Sine, ...]):
        self.examiner = examiner
        self.start_s = start_s
        self._drift = drift
        self._tremor = tremor
        self.release_s: float | None = None
        self._release_from_kpa = 0.0
        self._rate = examiner.rate_kpa_s
        self._wobble = examiner.wobble
        self._drift_terms = tuple((s.amplitude, s.omega, s.phase, math.cos(s.phase)) for s in drift)
        self._tremor_terms = tuple((s.amplitude, s.omega, s.phase) for s in tremor)
        self._memo_t = math.nan
        self._memo_kpa = 0.0
        self.lipschitz_kpa_s = (
            examiner.rate_kpa_s * (1 + examiner.wobble * sum(abs(s.amplitude) for s in drift))
            + sum(abs(s.amplitude) * (s.omega + 1 / TREMOR_FADE_IN_S) for s in tremor)
        )
        """A bound on how fast the pressure can change while pushing (wobbling rate, plus
        the tremor's own slope and its fade-in), kPa/s: between two instants `dt` apart the
        pressure moves by at most this times `dt`."""

    def release(self, t_s: float) -> None:
        """Let go from `t_s` on (once; later calls are ignored)."""
        if self.release_s is None:
            self._release_from_kpa = self._pushing_kpa(t_s)
            self.release_s = t_s

    @property
    def end_s(self) -> float:
        """When the tip leaves the skin: infinity while still pushing."""
        if self.release_s is None:
            return math.inf
        return self.release_s + self._release_from_kpa / self.examiner.release_kpa_s

    def pressure_kpa(self, t_s: float) -> float:
        """The true pressure on the skin at `t_s`, kPa (>= 0)."""
        if self.release_s is not None and t_s >= self.release_s:
            return max(0.0, self._release_from_kpa - self.examiner.release_kpa_s * (t_s - self.release_s))
        return self._pushing_kpa(t_s)

    def rate_kpa_s(self, t_s: float) -> float:
        """The examiner's true rate at `t_s` (the intended push, without tremor), kPa/s."""
        if t_s < self.start_s or t_s >= self.end_s:
            return 0.0
        if self.release_s is not None and t_s >= self.release_s:
            return -self.examiner.release_kpa_s
        tau = t_s - self.start_s
        return self.examiner.rate_kpa_s * (1 + self.examiner.wobble * sum(s.value(tau) for s in self._drift))

    def _pushing_kpa(self, t_s: float) -> float:
        """The pressure at `t_s` had the examiner not let go (remembers the latest `t_s`)."""
        if t_s == self._memo_t:
            return self._memo_kpa
        tau = t_s - self.start_s
        if tau <= 0:
            return 0.0
        cos, sin = math.cos, math.sin
        drift = 0.0
        for amplitude, omega, phase, cos_phase in self._drift_terms:
            drift += amplitude * (cos_phase - cos(omega * tau + phase)) / omega
        tremor = 0.0
        for amplitude, omega, phase in self._tremor_terms:
            tremor += amplitude * sin(omega * tau + phase)
        smooth = self._rate * (tau + self._wobble * drift)
        fade = min(1.0, tau / TREMOR_FADE_IN_S)
        kpa = max(0.0, smooth + fade * tremor)
        self._memo_t, self._memo_kpa = t_s, kpa
        return kpa
