"""What the driver hands out: timestamped pressure samples with flags."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple


class SampleFlag(enum.Flag):
    """What was wrong with a sample; `NONE` when nothing was.

    OVERLOAD: the gauge read beyond its capacity; the value is shown but is not a measurement.
    NO_REPLY, UNREADABLE, REFUSED: the poll got no reply in time, a line that was not a
    reading, or an error code; the sample has no value.
    LINE_NOISE: unreadable bytes arrived since the last exchange; the value itself parsed
    cleanly and stands.
    """

    NONE = 0
    OVERLOAD = enum.auto()
    NO_REPLY = enum.auto()
    UNREADABLE = enum.auto()
    REFUSED = enum.auto()
    LINE_NOISE = enum.auto()


NO_VALUE = SampleFlag.NO_REPLY | SampleFlag.UNREADABLE | SampleFlag.REFUSED
_NOT_A_MEASUREMENT = NO_VALUE | SampleFlag.OVERLOAD


class PressureSample(NamedTuple):
    """One reading of the gauge (a named tuple, not a frozen dataclass: one is built for
    every poll, and a frozen dataclass costs three times as much to build).

    `t_s`: when it was taken, on the driver's clock (s; the middle of the exchange).
    `force_n`: compression force in N, positive when the tip pushes, whatever the gauge's
    polarity setting; None when the poll failed (see `flags`).
    `pressure_kpa`: `force_n` over the probe's tip, kPa; None with `force_n`.
    """

    t_s: float
    force_n: float | None
    pressure_kpa: float | None
    flags: SampleFlag = SampleFlag.NONE

    @property
    def ok(self) -> bool:
        """True when the value is a good measurement (present, within capacity)."""
        flags = self.flags
        # `is NONE` first: Flag arithmetic is slow, and nearly every sample has no flag.
        return self.force_n is not None and (flags is SampleFlag.NONE or not (flags & _NOT_A_MEASUREMENT))


@dataclass(frozen=True)
class GaugeIdentity:
    """Replies to `RN`, `RM`, `RV`, `RS`, as the gauge sent them."""

    name: str
    model: str
    firmware: str
    serial_number: str
