"""The virtual clock: `sleep` advances time at once, so a visit runs in a blink.

Fits `drivers.clock.Clock` structurally (`now`, `sleep`) without importing it.
"""

from __future__ import annotations

import threading


class VirtualClock:
    """Simulated seconds. `sleep(dt)` and `advance_to(t)` move time forward instantly."""

    def __init__(self, start_s: float = 0.0):
        self._now = float(start_s)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def sleep(self, duration_s: float) -> None:
        if duration_s < 0:
            raise ValueError(f"cannot sleep a negative time ({duration_s} s)")
        with self._lock:
            self._now += duration_s

    def advance_to(self, t_s: float) -> None:
        """Move to `t_s` if that lies ahead; time never goes back."""
        with self._lock:
            if t_s > self._now:
                self._now = t_s
