"""The device interfaces procedures run over; the drivers satisfy them structurally.

A procedure asks only for what it needs: a thermode, an algometer, a response input (the
examiner's key, or any other button that is not the thermode's own). Simulated and real
devices look the same from here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, is_dataclass
from typing import Protocol

from drivers.clock import Clock
from drivers.mark10.samples import PressureSample
from drivers.tcs2.driver import Stimulus, TemperatureSample
from drivers.tcs2.safety import SafetyEnvelope, StimulusProfile


class Thermode(Protocol):
    clock: Clock
    neutral_c: float
    envelope: SafetyEnvelope
    latest: TemperatureSample | None
    streaming: bool

    @property
    def stimulating(self) -> bool: ...

    def set_streaming(self, on: bool) -> None: ...

    def set_neutral(self, temperature_c: float) -> None: ...

    def check_errors(self) -> None: ...

    def temperatures(self) -> TemperatureSample: ...

    def stimulate(self, stimulus: Stimulus) -> StimulusProfile: ...

    def samples(self, duration_s: float) -> list[TemperatureSample]: ...

    def wait_until_idle(self, timeout_s: float = 120.0) -> list[TemperatureSample]: ...

    def abort(self) -> None: ...

    def set_limits(self, envelope: SafetyEnvelope) -> None: ...


class Algometer(Protocol):
    clock: Clock

    def zero(self) -> None: ...

    def clear_peaks(self) -> None: ...

    def poll(
        self,
        *,
        rate_hz: float | None = None,
        duration_s: float | None = None,
        stop: Callable[[PressureSample], bool] | None = None,
    ) -> Iterator[PressureSample]: ...

    def peak_compression(self) -> PressureSample: ...


class ResponseInput(Protocol):
    """A response other than the thermode's own button: the examiner's key, a hand switch."""

    def arm(self) -> None:
        """Forget earlier presses; the next press counts."""

    def pressed_at(self) -> float | None:
        """The clock time (s) of the first press since `arm()`, or None."""


class KeyResponse:
    """A response key pressed from any thread (the UI's Space bar); stamped on `clock`."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self._lock = threading.Lock()
        self._pressed_at: float | None = None

    def arm(self) -> None:
        with self._lock:
            self._pressed_at = None

    def press(self) -> None:
        with self._lock:
            if self._pressed_at is None:
                self._pressed_at = self.clock.now()

    def pressed_at(self) -> float | None:
        with self._lock:
            return self._pressed_at


@dataclass
class Devices:
    """What a visit has plugged in; any of them may be missing for a battery that needs none."""

    thermode: Thermode | None = None
    algometer: Algometer | None = None
    response: ResponseInput | None = None

    def identities(self) -> dict[str, dict[str, str]]:
        """Each connected device's identity as plain fields (firmware, serial or probe id, ...)."""
        found: dict[str, dict[str, str]] = {}
        for name in ("thermode", "algometer"):
            device = getattr(self, name)
            identity = getattr(device, "identity", None) if device is not None else None
            if identity is not None and is_dataclass(identity):
                found[name] = {key: str(value) for key, value in asdict(identity).items() if value is not None}
        return found
