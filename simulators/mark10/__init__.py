"""A simulated Mark-10 Series 5 force gauge with a virtual examiner and participant.

`sim://mark10?...` and `python -m simulators mark10` build it through `create_core`. URL
parameters, all optional:

- gauge: `capacity_n` (10, 50, 100, 250 or 500; default 100), `units` (display unit, e.g.
  `N`, `lbF`; default N), `show_units` (1/0, default 1), `compression_positive` (1/0, the
  polarity setting, default 1), `baud` (default 115200), `battery` (0 full - 3 low),
  `tip_cm2` (probe tip area, default 1);
- examiner: `rate_kpa_s` (50), `wobble` (0.10), `tremor_kpa` (1.0), `release_kpa_s` (400),
  `max_kpa` (1000), `start_s` (a push scheduled for this time on the gauge's clock, as
  `start_ramp(start_s)` does; default: pushes only on `start_ramp`);
- participant: `threshold_kpa` (400), `reaction_s` (0.25), `threshold_sd_kpa` (0),
  `reaction_sd_s` (0).
"""

from __future__ import annotations

import random

from simulators.bench import SimulatorError
from simulators.mark10.examiner import VirtualExaminer
from simulators.mark10.gauge import Mark10Core, PushRecord, TrueSample
from simulators.mark10.models import MODELS, UNITS, GaugeModel
from simulators.mark10.participant import VirtualParticipant

__all__ = [
    "GaugeModel",
    "MODELS",
    "Mark10Core",
    "PushRecord",
    "TrueSample",
    "UNITS",
    "VirtualExaminer",
    "VirtualParticipant",
    "create_core",
]

_GAUGE = {"capacity_n", "units", "show_units", "compression_positive", "baud", "battery", "tip_cm2", "start_s"}
_EXAMINER = {"rate_kpa_s", "wobble", "tremor_kpa", "release_kpa_s", "max_kpa"}
_PARTICIPANT = {"threshold_kpa", "reaction_s", "threshold_sd_kpa", "reaction_sd_s"}


def create_core(seed: int, params: dict[str, str]) -> Mark10Core:
    """A gauge core from URL-style parameters (see the module doc); bad ones raise
    `SimulatorError` naming the parameter."""
    unknown = set(params) - _GAUGE - _EXAMINER - _PARTICIPANT
    if unknown:
        raise SimulatorError(f"mark10: unknown parameter(s) {', '.join(sorted(unknown))}")
    try:
        values = {key: _number(key, value) for key, value in params.items() if key != "units"}
        rng = random.Random(seed)
        examiner = VirtualExaminer(random.Random(rng.random()), **{k: v for k, v in values.items() if k in _EXAMINER})
        participant = VirtualParticipant(random.Random(rng.random()), **{k: v for k, v in values.items() if k in _PARTICIPANT})
        return Mark10Core(
            rng.randrange(2**31),
            capacity_n=int(values.get("capacity_n", 100)),
            unit=params.get("units", "N"),
            show_units=bool(values.get("show_units", 1)),
            compression_positive=bool(values.get("compression_positive", 1)),
            baudrate=int(values.get("baud", 115200)),
            battery=int(values.get("battery", 0)),
            tip_cm2=values.get("tip_cm2", 1.0),
            examiner=examiner,
            participant=participant,
            start_s=values.get("start_s"),
        )
    except ValueError as error:
        raise SimulatorError(f"mark10: {error}") from error


def _number(key: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"parameter {key}={text!r} is not a number") from None
