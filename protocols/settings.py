"""Each procedure's settings, validated: the defaults are DESIGN.md's procedure facts.

A battery file sets any of these per test; pydantic refuses what is unsafe or
inconsistent (a cut-off on the wrong side of the baseline, a rate of zero, a filament set
that is not rising). Units are in the names.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEVICE_MIN_C = 0.0
DEVICE_MAX_C = 60.0

Response = Literal["thermode_button", "examiner_key"]


class _Settings(BaseModel):
    # A TOML file can spell inf and nan; neither is a setting, and nan slips past every bound.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ThermalLimitsSettings(_Settings):
    """Method of limits on the thermode (CDT, WDT, CPT, HPT).

    From `baseline_c` at `rate_c_per_s` towards `cutoff_c` until the participant responds;
    back at `return_c_per_s`. The device's duration is set so that it turns back by itself
    at the cut-off. `relative`: report the value as a difference from the baseline
    (detection thresholds) rather than a temperature (pain thresholds).
    """

    baseline_c: float = Field(32.0, ge=20.0, le=40.0)
    rate_c_per_s: float = Field(1.0, gt=0.0, le=10.0)
    return_c_per_s: float = Field(1.0, gt=0.0, le=20.0)
    cutoff_c: float = Field(50.0, ge=DEVICE_MIN_C, le=DEVICE_MAX_C)
    relative: bool = False
    response: Response = "thermode_button"

    @property
    def heating(self) -> bool:
        return self.cutoff_c > self.baseline_c

    @model_validator(mode="after")
    def _cutoff_apart_from_baseline(self) -> "ThermalLimitsSettings":
        if abs(self.cutoff_c - self.baseline_c) < 1.0:
            raise ValueError(f"cutoff_c {self.cutoff_c} must lie at least 1 °C from baseline_c {self.baseline_c}")
        return self


class LimenSettings(_Settings):
    """Thermal sensory limen with paradoxical heat (TSL, PHS): alternating warm and cold
    ramps from the baseline; after each, the examiner enters what the participant felt."""

    baseline_c: float = Field(32.0, ge=20.0, le=40.0)
    rate_c_per_s: float = Field(1.0, gt=0.0, le=10.0)
    return_c_per_s: float = Field(1.0, gt=0.0, le=20.0)
    warm_cutoff_c: float = Field(50.0, ge=DEVICE_MIN_C, le=DEVICE_MAX_C)
    cold_cutoff_c: float = Field(0.0, ge=DEVICE_MIN_C, le=DEVICE_MAX_C)
    response: Response = "thermode_button"

    @model_validator(mode="after")
    def _cutoffs_either_side(self) -> "LimenSettings":
        if not self.cold_cutoff_c < self.baseline_c < self.warm_cutoff_c:
            raise ValueError(
                f"need cold_cutoff_c < baseline_c < warm_cutoff_c, got "
                f"{self.cold_cutoff_c}, {self.baseline_c}, {self.warm_cutoff_c}"
            )
        return self


class PressureSettings(_Settings):
    """Pressure pain threshold: the examiner ramps at `rate_kpa_per_s` until the participant
    responds; a trial whose mean rate falls outside the band is flagged. `poll_rate_hz` is at
    least 4 Hz: while a trial reads a device, a reading comes at least every 0.25 s."""

    rate_kpa_per_s: float = Field(50.0, gt=0.0, le=500.0)
    rate_tolerance_kpa_per_s: float = Field(15.0, ge=0.0)
    ceiling_kpa: float = Field(1000.0, gt=0.0, le=10000.0)
    poll_rate_hz: float = Field(50.0, ge=4.0, le=1000.0)
    response: Literal["examiner_key"] = "examiner_key"

    @model_validator(mode="after")
    def _band_inside(self) -> "PressureSettings":
        if self.rate_tolerance_kpa_per_s >= self.rate_kpa_per_s:
            raise ValueError("rate_tolerance_kpa_per_s must be smaller than rate_kpa_per_s")
        return self


def _doubling(low: float, count: int) -> tuple[float, ...]:
    return tuple(low * 2**i for i in range(count))


class FilamentSettings(_Settings):
    """Mechanical detection (von Frey) or pain (pinprick) thresholds by the method of
    limits over a rising set of forces (mN): `series` descending and `series` ascending
    runs alternating from `start_mn`; the value is the geometric mean of the turning points."""

    forces_mn: tuple[float, ...] = _doubling(0.25, 12)
    start_mn: float = 16.0
    series: int = Field(5, ge=1, le=10)
    first: Literal["descending", "ascending"] = "descending"

    @model_validator(mode="after")
    def _forces_rise(self) -> "FilamentSettings":
        forces = self.forces_mn
        if len(forces) < 2 or any(b <= a for a, b in zip(forces, forces[1:])) or forces[0] <= 0:
            raise ValueError("forces_mn must be at least two positive forces in rising order")
        if self.start_mn not in forces:
            raise ValueError(f"start_mn {self.start_mn} must be one of forces_mn")
        return self


def mdt_settings() -> FilamentSettings:
    return FilamentSettings()


def mpt_settings() -> FilamentSettings:
    return FilamentSettings(forces_mn=_doubling(8.0, 7), start_mn=8.0, first="ascending")


class ColdPressorSettings(_Settings):
    """Cold pressor: the hand in circulating water; the examiner marks pain (threshold) and
    withdrawal (tolerance); the water temperature is entered; ended at `ceiling_s`."""

    ceiling_s: float = Field(180.0, gt=0.0, le=600.0)
    water_min_c: float = Field(0.0, ge=-2.0, le=20.0)
    water_max_c: float = Field(10.0, ge=-2.0, le=20.0)

    @model_validator(mode="after")
    def _water_range(self) -> "ColdPressorSettings":
        if self.water_min_c >= self.water_max_c:
            raise ValueError("water_min_c must be below water_max_c")
        return self


class WindUpSettings(_Settings):
    """Wind-up ratio (WUR): a single pinprick of `force_mn`, rated, then a train of
    `train_length` at `train_rate_hz` within about 1 cm², its pain rated as a whole (0–100
    each); `repeats` such pairs. The value: mean train rating over mean single rating."""

    force_mn: float = Field(256.0, gt=0.0, le=1000.0)
    train_length: int = Field(10, ge=2, le=30)
    train_rate_hz: float = Field(1.0, gt=0.0, le=2.0)
    repeats: int = Field(5, ge=1, le=10)


class VibrationSettings(_Settings):
    """Vibration detection (VDT) with a graded tuning fork (Rydel–Seiffer, 64 Hz): on a bony
    prominence, the examiner reads where on the fork's scale (0 to `scale_max`) the
    participant stops feeling the vibration, `series` times; the value is their mean."""

    scale_max: float = Field(8.0, gt=0.0, le=16.0)
    series: int = Field(3, ge=1, le=10)
