"""The probe's true temperatures over time: what safety tests read, not any driver.

A record every 10 ms while anything moves or a stimulation runs, one a second when all
is settled, and one at every phase change (stimulation start, D running out, abort,
response press), so peaks and the start of a return are visible within 10 ms.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterator
from typing import NamedTuple

PHASES = ("idle", "rise", "plateau", "return", "follow")


class ProbeRecord(NamedTuple):
    t_s: float
    neutral_c: float
    zones_c: tuple[float, float, float, float, float]
    phase: str  # one of PHASES; "rise" is on the way to the target, up or down


def _time(record: ProbeRecord) -> float:
    return record.t_s


class ProbeLog:
    """The last `maxlen` records, oldest first."""

    def __init__(self, maxlen: int):
        self._records: deque[ProbeRecord] = deque(maxlen=maxlen)

    def append(self, record: ProbeRecord) -> None:
        self._records.append(record)

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[ProbeRecord]:
        return iter(self._records)

    def __getitem__(self, index: int) -> ProbeRecord:
        return self._records[index]

    def between(self, t0_s: float = -math.inf, t1_s: float = math.inf) -> list[ProbeRecord]:
        """Records with `t0_s <= t_s <= t1_s`."""
        records = self._records
        first = bisect_left(records, t0_s, key=_time)
        last = bisect_right(records, t1_s, key=_time)
        return [records[i] for i in range(first, last)]

    def max_zone_c(self, t0_s: float = -math.inf, t1_s: float = math.inf) -> float:
        """The hottest true zone temperature (°C) recorded in `[t0_s, t1_s]`; -inf if none."""
        return max((max(record.zones_c) for record in self.between(t0_s, t1_s)), default=-math.inf)

    def min_zone_c(self, t0_s: float = -math.inf, t1_s: float = math.inf) -> float:
        """The coldest true zone temperature (°C) recorded in `[t0_s, t1_s]`; inf if none."""
        return min((min(record.zones_c) for record in self.between(t0_s, t1_s)), default=math.inf)

    def phase_at(self, t_s: float) -> str | None:
        """The phase of the last record at or before `t_s`; None before the first."""
        index = bisect_right(self._records, t_s, key=_time)
        return self._records[index - 1].phase if index else None

    def phase_changes(self) -> list[tuple[float, str]]:
        """(t_s, phase) at the first record and wherever the phase differs from the one before."""
        changes: list[tuple[float, str]] = []
        for record in self._records:
            if not changes or record.phase != changes[-1][1]:
                changes.append((record.t_s, record.phase))
        return changes
