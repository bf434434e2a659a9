"""Live readings for the screen, and the watch that notices a device gone silent.

`LiveFeed` is the runner's `live` callback: the worker pushes every reading into it (often
100 a second, or thousands at once in virtual time) and it posts one `LiveChanged` message
at a time; the screen takes a snapshot (the latest value, the rate, the last 30 s of
trace) when it handles that message. Readings never queue up behind a slow screen.

`ReadingWatch` answers "has the device of the running test said nothing for too long?".
It counts only while readings are due: from a trial's start to its stop, not while a
question waits for the technician, nor while the runner sleeps between trials
(`WatchedClock`). The silence is measured on the devices' clock, so virtual time works
as real time does.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

from drivers.clock import Clock
from protocols.runner import TrialSpec

WINDOW_S = 30.0
"""How much trace the screen shows (s)."""

QUANTITIES = {"temperature_c": "°C", "pressure_kpa": "kPa"}
"""The live readings the screen shows, and their units."""

STALL_LIMIT_S = 0.75
"""A device silent this long (s) while readings are due is stalled. While a trial reads a
device, a reading is due at least every 0.25 s from either driver (the thermode's polls
between its 1 Hz idle lines, the gauge's polls at 4 Hz or more), so this is three readings
missed. The screen checks ten times a second, so the banner is up within about 0.85 s of
the last reading."""


@dataclass(frozen=True)
class LiveSnapshot:
    """What the live panel shows: the test, the latest value, the PPT rate and its band
    (target, tolerance) if any, and the trace as (t_s, value) over the last `WINDOW_S`."""

    test: str = ""
    site: str = ""
    trial: int = 0
    quantity: str = ""
    unit: str = ""
    value: float | None = None
    t_s: float | None = None
    rate_kpa_per_s: float | None = None
    band: tuple[float, float] | None = None
    points: tuple[tuple[float, float], ...] = ()


class LiveFeed:
    """Thread-safe: `push` from the worker, `take` on the screen. `notify()` is called (from
    the worker) when the screen should take a snapshot; never again until it has."""

    def __init__(self, notify: Callable[[], Any], window_s: float = WINDOW_S):
        self._notify = notify
        self._window_s = window_s
        self._lock = threading.Lock()
        self._pending = False
        self._spec: TrialSpec | None = None
        self._quantity = ""
        self._points: deque[tuple[float, float]] = deque()
        self._value: float | None = None
        self._t_s: float | None = None
        self._rate: float | None = None
        self.last_t_s: dict[str, float] = {}
        """The clock time of the latest reading of each quantity."""

    def push(self, spec: TrialSpec, reading: dict[str, Any]) -> None:
        quantity = next((name for name in QUANTITIES if reading.get(name) is not None), None)
        if quantity is None:
            return
        value = float(reading[quantity])
        t_s = reading.get("t_s")
        with self._lock:
            if quantity != self._quantity:
                self._points.clear()
                self._quantity = quantity
                self._rate = None
            self._spec = spec
            self._value = value
            if t_s is not None:
                t_s = float(t_s)
                self._t_s = t_s
                self.last_t_s[quantity] = t_s
                self._points.append((t_s, value))
                while self._points and self._points[0][0] < t_s - self._window_s:
                    self._points.popleft()
            if "rate_kpa_per_s" in reading:
                rate = reading["rate_kpa_per_s"]
                self._rate = None if rate is None else float(rate)
            if self._pending:
                return
            self._pending = True
        self._notify()

    def take(self) -> LiveSnapshot:
        with self._lock:
            self._pending = False
            spec = self._spec
            if spec is None:
                return LiveSnapshot()
            band = None
            if self._quantity == "pressure_kpa" and "rate_kpa_per_s" in spec.parameters:
                band = (
                    float(spec.parameters["rate_kpa_per_s"]),
                    float(spec.parameters.get("rate_tolerance_kpa_per_s", 0.0)),
                )
            return LiveSnapshot(
                test=spec.test,
                site=spec.site,
                trial=spec.trial,
                quantity=self._quantity,
                unit=QUANTITIES[self._quantity],
                value=self._value,
                t_s=self._t_s,
                rate_kpa_per_s=self._rate,
                band=band,
                points=tuple(self._points),
            )


@dataclass(frozen=True)
class Silence:
    device: str
    silent_s: float


class ReadingWatch:
    """Is the device the running trial reads silent? See the module docstring.

    `expect(device, last_reading)` at a trial's start (`last_reading()` gives the clock
    time of the device's latest reading, or None); `stop()` at its end; `pause()` and
    `resume()` (nested) around waits for a person or a planned sleep.
    """

    def __init__(self, clock: Clock, limit_s: float = STALL_LIMIT_S):
        self.clock = clock
        self.limit_s = limit_s
        self._lock = threading.Lock()
        self._device = ""
        self._last_reading: Callable[[], float | None] | None = None
        self._since_s = 0.0
        self._paused = 0

    def expect(self, device: str, last_reading: Callable[[], float | None]) -> None:
        with self._lock:
            self._device, self._last_reading = device, last_reading
            self._since_s = self.clock.now()

    def stop(self) -> None:
        with self._lock:
            self._device, self._last_reading = "", None

    def pause(self) -> None:
        with self._lock:
            self._paused += 1

    def resume(self) -> None:
        with self._lock:
            self._paused = max(0, self._paused - 1)
            if self._paused == 0:
                self._since_s = self.clock.now()

    def silence(self) -> Silence | None:
        """The device and how long it has been silent, if longer than `limit_s`."""
        with self._lock:
            if self._last_reading is None or self._paused:
                return None
            device, last_reading, since_s = self._device, self._last_reading, self._since_s
        latest = last_reading()
        silent_s = self.clock.now() - max(since_s, latest if latest is not None else -math.inf)
        return Silence(device, silent_s) if silent_s > self.limit_s else None


class WatchedClock:
    """The runner's clock: the devices' clock, with the watch paused while the runner
    sleeps (between trials nothing reads the devices, by design)."""

    def __init__(self, clock: Clock, watch: ReadingWatch):
        self._clock = clock
        self._watch = watch

    def now(self) -> float:
        return self._clock.now()

    def sleep(self, duration_s: float) -> None:
        self._watch.pause()
        try:
            self._clock.sleep(duration_s)
        finally:
            self._watch.resume()
