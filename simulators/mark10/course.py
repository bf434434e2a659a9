"""The course of one push through the gauge's physics samples, worked out only where it matters.

The gauge samples a push every `step_s` from contact, at `t_k = start_s + k * step_s`
(k >= 1). At each sample, in this order:

- after the participant's response the examiner lets go, exactly at the response (or at
  the sample that found the crossing, when the reaction is shorter than a step); no more
  checks once he has let go;
- the participant crosses the threshold at the first sample at or above it; the crossing
  instant is found by bisection between that sample and the one before, and the response
  follows `reaction_s` later;
- the examiner stops and lets go at the first sample at or above his `max_kpa`.

Then the pressure falls at the release rate; the first sample at or after the tip leaves
the skin ends the push. Peaks and the true log are taken at the samples, the release instant
included (the gauge adds every request instant). The grid is fixed by the push alone, so
the course does not depend on when or how often anyone looks.

The pressure is a closed form whose slope is bounded (`Push.lipschitz_kpa_s`), so a sample
a gap below a level rules out the next samples for as long as the pressure could not climb
that gap: the search for the crossing and the cut-off jumps over them, and the highest (or
lowest) sample of a stretch is found by branch and bound. Both give exactly the sample a
sample-by-sample walk would; they only skip samples that provably cannot be it.
"""

from __future__ import annotations

import math
import sys
from typing import Callable, Iterator

from simulators.mark10.examiner import Push

_REL_EPS = 1e-9
"""Slack for rounding in the bounds (relative to the pressure): prune only with room to spare."""


def _slack(kpa: float) -> float:
    return _REL_EPS * (1.0 + abs(kpa))


def grid_max(value: Callable[[int], float], first: int, last: int, reach_per_index: float, right_first: bool = True) -> float:
    """The exact maximum of `value(k)` for `first <= k <= last`, where two indices `n` apart
    differ by at most `reach_per_index * n`; evaluates only what could beat the best so far."""
    best = -math.inf
    stack = [(first, last, math.inf)]
    while stack:
        lo, hi, bound = stack.pop()
        if bound + _slack(bound) <= best:
            continue
        mid = (lo + hi) // 2
        v = value(mid)
        if v > best:
            best = v
        left = (lo, mid - 1, v + reach_per_index * (mid - lo)) if lo < mid else None
        right = (mid + 1, hi, v + reach_per_index * (hi - mid)) if mid < hi else None
        for child in ((left, right) if right_first else (right, left)):
            if child is not None and child[2] + _slack(child[2]) > best:
                stack.append(child)
    return best


class Course:
    """One push with its trial: when the crossing, the response and the letting go happen.

    `resolve(t)` decides every event up to `t` (looking ahead is allowed: the course is
    deterministic); the gauge publishes them on the push record only as its clock passes
    them (`publish`).
    """

    def __init__(self, record, step_s: float):
        self.record = record
        self.push: Push = record.push
        self.start_s = self.push.start_s
        self.step_s = step_s
        trial = record.trial
        self.threshold_kpa = trial.threshold_kpa if trial is not None else math.inf
        self.reaction_s = trial.reaction_s if trial is not None else 0.0
        self.max_kpa = self.push.examiner.max_kpa
        self.release_kpa_s = self.push.examiner.release_kpa_s
        self.reach_per_sample = self.push.lipschitz_kpa_s * step_s * (1 + _REL_EPS)
        self.detect_s: float | None = None
        self.crossing_s: float | None = None
        self.response_s: float | None = None
        self.release_s: float | None = None
        self.cut_off = False
        self.end_s = math.inf
        self._next_k = 1

    def time(self, k: int) -> float:
        return self.start_s + k * self.step_s

    # -- events --------------------------------------------------------------------------

    def resolve(self, until_s: float) -> None:
        """Decide every event at or before `until_s` (and the letting go at the response, once
        no cut-off can come before it)."""
        pushing = self.push._pushing_kpa
        while self.release_s is None:
            k = self._next_k
            t = self.start_s + k * self.step_s
            crossed = self.crossing_s is not None
            if crossed and t >= self.response_s:
                self._let_go(max(self.response_s, self.detect_s), cut_off=False)
                break
            if t > until_s:
                break
            level = self.max_kpa if crossed else min(self.threshold_kpa, self.max_kpa)
            kpa = pushing(t)
            if kpa >= level:
                if not crossed and kpa >= self.threshold_kpa:
                    self.crossing_s = self._bisect(self.time(k - 1), t)
                    self.response_s = self.crossing_s + self.reaction_s
                    self.detect_s = t
                if kpa >= self.max_kpa:
                    self._let_go(t, cut_off=True)
                    break
                self._next_k = k + 1
                continue
            # No sample within gap / reach of this one can reach the level.
            gap = level - kpa - _slack(level)
            self._next_k = k + (math.ceil(gap / self.reach_per_sample) if gap > self.reach_per_sample else 1)

    def publish(self, now_s: float) -> bool:
        """Put on the record what has happened by `now_s`; True once the examiner has let go."""
        self.resolve(now_s)
        record, push = self.record, self.push
        if self.detect_s is not None and self.detect_s <= now_s and record.crossing_s is None:
            record.crossing_s, record.response_s = self.crossing_s, self.response_s
        if self.release_s is not None and self.release_s <= now_s and push.release_s is None:
            push.release(self.release_s)
            record.cut_off = record.cut_off or self.cut_off
        return push.release_s is not None

    def ended_by(self, t_s: float) -> bool:
        """Whether the tip has left the skin by `t_s` (looking ahead if need be)."""
        self.resolve(t_s)
        return self.release_s is not None and self.end_s <= t_s

    def _let_go(self, t_s: float, cut_off: bool) -> None:
        self.release_s = t_s
        self.cut_off = cut_off
        self.end_s = t_s + self.push._pushing_kpa(t_s) / self.release_kpa_s

    def _bisect(self, low_s: float, high_s: float) -> float:
        pushing = self.push._pushing_kpa
        for _ in range(40):
            mid_s = (low_s + high_s) / 2
            if pushing(mid_s) >= self.threshold_kpa:
                high_s = mid_s
            else:
                low_s = mid_s
        return high_s

    # -- samples -------------------------------------------------------------------------

    @property
    def last_sample_s(self) -> float:
        """The time of the push's last sample (infinity until the end is known)."""
        if self.release_s is None:
            return math.inf
        if self.end_s <= self.release_s:
            return self.release_s
        return self.time(self._first_at_or_after(self.end_s))

    def samples(self, after_s: float, upto_s: float) -> Iterator[tuple[float, float]]:
        """(t, pressure) at each sample in (`after_s`, `upto_s`], in order; `upto_s` must not
        lie beyond what `publish` has been given."""
        pressure = self.push.pressure_kpa
        release_s = self.release_s
        last = self._last_at_or_before(upto_s)
        if release_s is not None:
            last = min(last, self._last_before(release_s))
        for k in range(self._first_after(after_s), last + 1):
            t = self.time(k)
            yield t, pressure(t)
        if release_s is None or release_s > upto_s:
            return
        if after_s < release_s:
            yield release_s, pressure(release_s)
        if self.end_s > release_s:
            last = min(self._last_at_or_before(upto_s), self._first_at_or_after(self.end_s))
            for k in range(self._first_after(max(after_s, release_s)), last + 1):
                t = self.time(k)
                yield t, pressure(t)

    def extremes(self, after_s: float, upto_s: float, want_lowest: bool) -> tuple[float, float]:
        """(highest, lowest) pressure at the samples in (`after_s`, `upto_s`]: exactly the
        max and min of `samples`, without evaluating them all. (-inf, inf) for none; the
        lowest is inf unless `want_lowest`."""
        highest, lowest = -math.inf, math.inf
        pushing = self.push._pushing_kpa
        release_s = self.release_s
        first = self._first_after(after_s)
        last = self._last_at_or_before(upto_s)
        if release_s is not None:
            last = min(last, self._last_before(release_s))
        if first <= last:
            start_s, step_s = self.start_s, self.step_s
            highest = grid_max(lambda k: pushing(start_s + k * step_s), first, last, self.reach_per_sample)
            if want_lowest:
                lowest = -grid_max(lambda k: -pushing(start_s + k * step_s), first, last, self.reach_per_sample, False)
        if release_s is None or release_s > upto_s:
            return highest, lowest
        pressure = self.push.pressure_kpa
        if after_s < release_s:
            at_release = pressure(release_s)
            highest, lowest = max(highest, at_release), min(lowest, at_release)
        if self.end_s > release_s:
            # Falling from the release on: the first sample is the highest, the last the lowest.
            first = self._first_after(max(after_s, release_s))
            last = min(self._last_at_or_before(upto_s), self._first_at_or_after(self.end_s))
            if first <= last:
                highest = max(highest, pressure(self.time(first)))
                if want_lowest:
                    lowest = min(lowest, pressure(self.time(last)))
        return highest, lowest

    # -- grid indices (exact: the float times themselves are compared) ---------------------

    def _first_after(self, t_s: float) -> int:
        """The smallest k >= 1 with time(k) > t_s."""
        if t_s < self.start_s:
            return 1
        if t_s == math.inf:
            return sys.maxsize
        k = max(1, int((t_s - self.start_s) / self.step_s))
        while k > 1 and self.time(k - 1) > t_s:
            k -= 1
        while self.time(k) <= t_s:
            k += 1
        return k

    def _first_at_or_after(self, t_s: float) -> int:
        """The smallest k >= 1 with time(k) >= t_s."""
        if t_s <= self.start_s:
            return 1
        if t_s == math.inf:
            return sys.maxsize
        k = max(1, int((t_s - self.start_s) / self.step_s))
        while k > 1 and self.time(k - 1) >= t_s:
            k -= 1
        while self.time(k) < t_s:
            k += 1
        return k

    def _last_at_or_before(self, t_s: float) -> int:
        """The largest k with time(k) <= t_s (0: none at k >= 1)."""
        return self._first_after(t_s) - 1

    def _last_before(self, t_s: float) -> int:
        """The largest k with time(k) < t_s (0: none at k >= 1)."""
        return self._first_at_or_after(t_s) - 1
