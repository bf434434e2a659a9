"""Time for everything that waits or timestamps.

`Clock` is the interface: `now()` in seconds on a monotonic scale (the origin is arbitrary)
and `sleep(duration_s)`. `MonotonicClock` is the real one. The virtual clock lives in
`simulators` and fits this protocol structurally, so neither layer imports the other.
"""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic scale."""
        ...

    def sleep(self, duration_s: float) -> None:
        """Wait `duration_s` seconds (>= 0)."""
        ...


class MonotonicClock:
    """The real clock: `time.monotonic` and `time.sleep`."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, duration_s: float) -> None:
        if duration_s > 0:
            time.sleep(duration_s)


def clock_of(port: object, default: Clock | None = None) -> Clock:
    """The clock a port runs on: a simulated port carries its virtual clock as `.clock`."""
    found = getattr(port, "clock", None)
    if isinstance(found, Clock):
        return found
    return default if default is not None else MonotonicClock()
