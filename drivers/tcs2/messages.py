"""Typed replies of the TCS II thermode, as the codec hands them to the driver.

All temperatures are °C. A reading the parser emits is always within -20.0..65.0 °C or
`None` (a zone above 65.0 °C means no probe is connected).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

PROBE_ABSENT_ABOVE_C = 65.0
"""A zone reading above this means no probe is connected (DESIGN.md, device facts)."""

LOWEST_READING_C = -20.0
"""The device cannot read below this; a frame that does is malformed."""


class ReplyKind(enum.Enum):
    """The reply a driver is waiting for; see `ReplyParser.expect`."""

    IDENTITY = "?"
    TEMPERATURES = "E"
    TEMPERATURES_FINE = "Oe"
    BUTTONS = "K"
    TEMPERATURES_AND_BUTTONS = "Og"
    ERROR_STATE = "Q"
    BATTERY = "B"
    NEUTRAL = "G"


@dataclass(frozen=True)
class Identity:
    """Reply to `?`: the device's name, `TCS`."""

    text: str


class Temperatures(NamedTuple):
    """Reply to `E` / `Oe`, or a spontaneous stream line.

    `neutral_c`: the neutral (baseline) reading, 0.0..65.0 °C, `None` above 65.0 °C.
    `zones_c`: zones 1-5, each -20.0..65.0 °C, `None` where the zone reads above 65.0 °C.
    `resolution_c`: 0.1 for `E` and stream lines, 0.01 for `Oe`.
    """

    neutral_c: float | None
    zones_c: tuple[float | None, ...]
    resolution_c: float

    @property
    def probe_connected(self) -> bool:
        """False when any zone reads above 65.0 °C."""
        return all(zone_c is not None for zone_c in self.zones_c)

    @property
    def max_zone_c(self) -> float | None:
        """The hottest zone that reads a temperature, or `None` when none does."""
        readings = [zone_c for zone_c in self.zones_c if zone_c is not None]
        return max(readings) if readings else None


class Buttons(NamedTuple):
    """Reply to `K`: whether the stimulation button and the response button are pressed."""

    stim: bool
    response: bool


class TemperaturesAndButtons(NamedTuple):
    """Reply to `Og`: an `E` reading and a `K` reading taken together."""

    temperatures: Temperatures
    buttons: Buttons


@dataclass(frozen=True)
class ErrorState:
    """Reply to `Q`: error code 0-9 of the neutral element and of zones 1-5; 0 is OK."""

    neutral: int
    zones: tuple[int, ...]

    @property
    def ok(self) -> bool:
        return self.neutral == 0 and all(code == 0 for code in self.zones)


@dataclass(frozen=True)
class Battery:
    """Reply to `B`: `voltage_v` 0.0..99.9999 V, `charge_percent` 0..100."""

    voltage_v: float
    charge_percent: int


@dataclass(frozen=True)
class NeutralCalibrated:
    """What the device sends a few seconds after `G`: the calibrated neutral, 0.0..65.0 °C."""

    neutral_c: float


@dataclass(frozen=True)
class HelpInfo:
    """The `H` text, and the facts picked out of it (`None` where the text lacks the line)."""

    text: str
    firmware: str | None
    probe_id: str | None
    probe_type: str | None


# The three messages of every reading are named tuples, the others frozen dataclasses: a
# frozen dataclass costs about 2 µs to build here, a named tuple a third of that, and a
# reading comes 100 times a second (far more often in simulated visits).
Message = Identity | Temperatures | Buttons | TemperaturesAndButtons | ErrorState | Battery | NeutralCalibrated
"""Everything `ReplyParser.feed` can emit."""
