"""The thermode's safety envelope: temperature limits and the thermal-dose table.

The probe touches skin. The envelope is the driver's own check, above the firmware's `Om`
cap: a target outside the limits is refused, and a stimulation whose time above a
temperature would break the dose table is refused before a byte is sent.

Burn risk grows fast with temperature (DESIGN.md, Safety): skin contact at 49 °C burns
after minutes, at 55 °C after about half a minute, at 60 °C within seconds. The default
table keeps every stimulus far inside that: the longest a single stimulus may spend above
each temperature.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from drivers.errors import SafetyLimitError

DEVICE_MIN_C = 0.0
"""The lowest target the TCS II accepts (`Ot` 0001 = 0.01 °C; 0.0 as a limit)."""
DEVICE_MAX_C = 60.0
"""The highest target the TCS II accepts (`C` 600)."""
DEFAULT_MIN_C = 0.0
DEFAULT_MAX_C = 50.0


@dataclass(frozen=True)
class DoseLimit:
    """At most `max_duration_s` seconds per stimulus above `above_c` °C (heat) or, when
    `cold` is set, below `above_c` °C."""

    above_c: float
    max_duration_s: float
    cold: bool = False


DEFAULT_DOSE_TABLE: tuple[DoseLimit, ...] = (
    DoseLimit(45.0, 120.0),
    DoseLimit(48.0, 30.0),
    DoseLimit(50.0, 10.0),
    DoseLimit(52.0, 5.0),
    DoseLimit(55.0, 2.0),
    DoseLimit(58.0, 1.0),
    DoseLimit(5.0, 120.0, cold=True),
)


@dataclass(frozen=True)
class StimulusProfile:
    """The trapezoid a stimulation traces on the probe (°C, °C/s, s).

    Rises from `neutral_c` at `ramp_c_per_s` until `target_c` or until `duration_s` (rise
    plus plateau, the device's `D`) runs out, then returns at `return_c_per_s`.
    """

    neutral_c: float
    target_c: float
    ramp_c_per_s: float
    return_c_per_s: float
    duration_s: float

    @property
    def rise_s(self) -> float:
        return abs(self.target_c - self.neutral_c) / self.ramp_c_per_s

    @property
    def peak_c(self) -> float:
        """The furthest the probe gets from neutral (the target, unless `D` cuts the rise)."""
        if self.duration_s >= self.rise_s:
            return self.target_c
        sign = 1.0 if self.target_c >= self.neutral_c else -1.0
        return self.neutral_c + sign * self.ramp_c_per_s * self.duration_s

    @property
    def plateau_s(self) -> float:
        return max(0.0, self.duration_s - self.rise_s)

    @property
    def return_s(self) -> float:
        return abs(self.peak_c - self.neutral_c) / self.return_c_per_s

    @property
    def total_s(self) -> float:
        """From start until the probe is back at neutral."""
        return min(self.duration_s, self.rise_s) + self.plateau_s + self.return_s

    def time_beyond_s(self, limit_c: float, cold: bool = False) -> float:
        """Seconds spent above `limit_c` (or below it, for `cold`)."""
        excess = (limit_c - self.peak_c) if cold else (self.peak_c - limit_c)
        if excess <= 0:
            return 0.0
        return excess / self.ramp_c_per_s + self.plateau_s + excess / self.return_c_per_s


@dataclass(frozen=True)
class SafetyEnvelope:
    """Limits the driver enforces: targets within [`min_c`, `max_c`] and the dose table.

    `overshoot_c`: a zone reading above `max_c` by more than this aborts the stimulation.
    Widen the limits only with `widened()`, which stays within the device's range.
    """

    min_c: float = DEFAULT_MIN_C
    max_c: float = DEFAULT_MAX_C
    dose_table: tuple[DoseLimit, ...] = field(default=DEFAULT_DOSE_TABLE)
    overshoot_c: float = 1.0

    def __post_init__(self) -> None:
        if not DEVICE_MIN_C <= self.min_c < self.max_c <= DEVICE_MAX_C:
            raise SafetyLimitError(
                f"temperature limits {self.min_c}–{self.max_c} °C must lie within the device's "
                f"{DEVICE_MIN_C}–{DEVICE_MAX_C} °C"
            )

    def widened(self, min_c: float | None = None, max_c: float | None = None) -> "SafetyEnvelope":
        """A copy with other limits (a battery's explicit choice), within the device's range."""
        return replace(self, min_c=self.min_c if min_c is None else min_c, max_c=self.max_c if max_c is None else max_c)

    def check_target(self, temperature_c: float) -> None:
        if not self.min_c <= temperature_c <= self.max_c:
            raise SafetyLimitError(
                f"target {temperature_c:.2f} °C refused: outside the safety limits {self.min_c:g}–{self.max_c:g} °C"
            )

    def check_neutral(self, temperature_c: float) -> None:
        self.check_target(temperature_c)

    def check_stimulus(self, profile: StimulusProfile) -> None:
        """Refuse a stimulation whose target or dose breaks the envelope."""
        self.check_target(profile.target_c)
        self.check_neutral(profile.neutral_c)
        for limit in self.dose_table:
            spent_s = profile.time_beyond_s(limit.above_c, limit.cold)
            if spent_s > limit.max_duration_s:
                side = "below" if limit.cold else "above"
                raise SafetyLimitError(
                    f"stimulation refused: {spent_s:.1f} s {side} {limit.above_c:g} °C exceeds the "
                    f"thermal-dose limit of {limit.max_duration_s:g} s"
                )

    def check_hold(self, temperature_c: float) -> None:
        """Refuse an open-ended hold (follow mode) where any time at all would be bounded."""
        self.check_target(temperature_c)
        for limit in self.dose_table:
            beyond = temperature_c < limit.above_c if limit.cold else temperature_c > limit.above_c
            if beyond:
                side = "below" if limit.cold else "above"
                raise SafetyLimitError(
                    f"follow mode at {temperature_c:.2f} °C refused: an open-ended hold {side} "
                    f"{limit.above_c:g} °C would break the thermal-dose table"
                )

    def reading_unsafe(self, temperature_c: float) -> bool:
        """A zone reading above the cap by more than the tolerance."""
        return temperature_c > self.max_c + self.overshoot_c
