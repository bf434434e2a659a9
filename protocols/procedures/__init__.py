"""The procedures by test name, with their settings model, defaults and what they need.

`TESTS["HPT"].build(settings)` makes a procedure; `TESTS["HPT"].settings(**overrides)`
validates a battery's settings over the test's defaults. Procedure modules are imported
when first built, so loading a battery stays cheap.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from typing import Any

from protocols import settings as s


@dataclass(frozen=True)
class TestKind:
    """A test the harness knows: `name` (e.g. "HPT"), what it measures and with what."""

    __test__ = False  # not a pytest test class, whatever its name

    name: str
    title: str
    unit: str
    model: type
    defaults: dict[str, Any]
    factory: str  # "module:Class", called as Class(name, settings)
    needs: frozenset[str]
    instruction: str
    summary: str = "mean"  # how trials combine: "mean" or "geometric_mean"
    default_trials: int = 3
    default_isi_s: tuple[float, float] = (0.0, 0.0)
    default_sites: tuple[str, ...] = field(default=("hand-dorsum-right",))
    value_range: tuple[float, float] = (-math.inf, math.inf)
    """What a trial's value can be at all, in `unit` (a correction outside it is a slip)."""

    def settings(self, /, **overrides: Any):
        """The test's settings: its defaults, overridden, validated (raises pydantic's ValidationError)."""
        return self.model(**{**self.defaults, **overrides})

    def build(self, settings=None):
        module_name, class_name = self.factory.split(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        return cls(self.name, settings if settings is not None else self.settings())


_THERMAL = "protocols.procedures.thermal:ThermalLimits"
_PROBE_C = (s.DEVICE_MIN_C, s.DEVICE_MAX_C)
_RELATIVE_C = (s.DEVICE_MIN_C - s.DEVICE_MAX_C, s.DEVICE_MAX_C - s.DEVICE_MIN_C)  # from a baseline within the probe's range
_FORCE_MN = (0.0, 10_000.0)  # the heaviest von Frey filaments and pinprick weights are under 3 N
_PRESSURE_KPA = (0.0, 10_000.0)  # the highest ceiling a battery may set
_DURATION_S = (0.0, 600.0)  # the longest cold pressor ceiling
_HEAT_WORDS = "Press the button as soon as the temperature"

TESTS: dict[str, TestKind] = {
    kind.name: kind
    for kind in (
        TestKind(
            "CDT", "cold detection threshold", "°C", s.ThermalLimitsSettings,
            dict(cutoff_c=0.0, return_c_per_s=1.0, relative=True), _THERMAL, frozenset({"thermode"}),
            f"{_HEAT_WORDS} feels cooler. Do not wait for it to be cold.", default_isi_s=(4.0, 6.0),
            value_range=_RELATIVE_C,
        ),
        TestKind(
            "WDT", "warm detection threshold", "°C", s.ThermalLimitsSettings,
            dict(cutoff_c=50.0, return_c_per_s=1.0, relative=True), _THERMAL, frozenset({"thermode"}),
            f"{_HEAT_WORDS} feels warmer. Do not wait for it to be warm.", default_isi_s=(4.0, 6.0),
            value_range=_RELATIVE_C,
        ),
        TestKind(
            "TSL", "thermal sensory limen", "°C", s.LimenSettings, {},
            "protocols.procedures.thermal:ThermalLimen", frozenset({"thermode"}),
            "The probe will warm or cool. Press the button as soon as you feel any change, then say "
            "whether it felt warm, cold or hot.", default_isi_s=(4.0, 6.0),
            value_range=_RELATIVE_C,
        ),
        TestKind(
            "CPT", "cold pain threshold", "°C", s.ThermalLimitsSettings,
            dict(cutoff_c=0.0, return_c_per_s=5.0), _THERMAL, frozenset({"thermode"}),
            f"{_HEAT_WORDS} stops feeling only cold and starts to feel painful.", default_isi_s=(8.0, 12.0),
            value_range=_PROBE_C,
        ),
        TestKind(
            "HPT", "heat pain threshold", "°C", s.ThermalLimitsSettings,
            dict(cutoff_c=50.0, return_c_per_s=5.0), _THERMAL, frozenset({"thermode"}),
            f"{_HEAT_WORDS} stops feeling only hot and starts to feel painful.", default_isi_s=(8.0, 12.0),
            value_range=_PROBE_C,
        ),
        TestKind(
            "MDT", "mechanical detection threshold", "mN", s.FilamentSettings,
            s.mdt_settings().model_dump(), "protocols.procedures.filaments:FilamentLimits",
            frozenset(), "Close your eyes. Say 'yes' each time you feel a touch.",
            summary="geometric_mean", default_trials=1,
            value_range=_FORCE_MN,
        ),
        TestKind(
            "MPT", "mechanical pain threshold", "mN", s.FilamentSettings,
            s.mpt_settings().model_dump(), "protocols.procedures.filaments:FilamentLimits",
            frozenset(), "Close your eyes. Say 'sharp' or 'blunt' for each touch.",
            summary="geometric_mean", default_trials=1,
            value_range=_FORCE_MN,
        ),
        TestKind(
            "WUR", "wind-up ratio", "ratio", s.WindUpSettings, {},
            "protocols.procedures.wind_up:WindUp", frozenset(),
            "You will feel a single pinprick, then a series of them. Each time, rate the pain from 0 "
            "(no pain) to 100 (the worst pain you can imagine).", default_trials=1,
            value_range=(0.0, 1000.0),  # a train rated 100 over singles that average 0.1
        ),
        TestKind(
            "VDT", "vibration detection threshold", "/8", s.VibrationSettings, {},
            "protocols.procedures.vibration:VibrationLimits", frozenset(),
            "Close your eyes. You will feel a vibration; say 'now' as soon as you no longer feel it.",
            default_trials=1, default_sites=("hand-ulnar-styloid-right",), value_range=(0.0, 16.0),
        ),
        TestKind(
            "PPT", "pressure pain threshold", "kPa", s.PressureSettings, {},
            "protocols.procedures.pressure:PressureRamp", frozenset({"algometer"}),
            "I will press slowly. Say 'stop' as soon as the pressure starts to feel painful.",
            default_isi_s=(10.0, 20.0), default_sites=("thenar-right",),
            value_range=_PRESSURE_KPA,
        ),
        TestKind(
            "CPR", "cold pressor", "s", s.ColdPressorSettings, {},
            "protocols.procedures.cold_pressor:ColdPressor", frozenset(),
            "Put your hand in the water up to the wrist. Say when it first becomes painful, and take "
            "it out when you can no longer bear it.", default_trials=1, default_sites=("hand-right",),
            value_range=_DURATION_S,
        ),
    )
}
