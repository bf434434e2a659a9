"""The gauges the simulator can be: capacity, model number, resolution in each unit.

Written from the GCL2 command table and the Mark-10 model range: a model number ends in the
capacity in pounds-force, each model is rated at a round figure in newtons, and resolution
depends on capacity (the 100 N gauge reads 0.05 N). A unit a model cannot show (mN on big
gauges, kN on small ones) is refused with `*11`.
"""

from __future__ import annotations

from dataclasses import dataclass

LBF_N = 4.4482216152605
KGF_N = 9.80665

# unit spelled as on the display -> (newtons per unit, GCL2 command, LIST token)
UNITS: dict[str, tuple[float, str, str]] = {
    "N": (1.0, "N", "N"),
    "mN": (1e-3, "MN", "MN"),
    "kN": (1e3, "KN", "KN"),
    "lbF": (LBF_N, "LB", "LBF"),
    "ozF": (LBF_N / 16, "OZ", "OZF"),
    "kgF": (KGF_N, "KG", "KGF"),
    "gF": (KGF_N / 1000, "G", "GF"),
}
UNIT_BY_COMMAND = {command: unit for unit, (_, command, _) in UNITS.items()}

SENSOR_LIMIT = 1.2
"""The load cell reads up to 120 % of capacity; beyond that the reading sticks."""


@dataclass(frozen=True)
class GaugeModel:
    """`steps` maps each unit the model shows to its resolution (display step) in that unit."""

    model: str
    capacity_n: float
    steps: dict[str, str]

    def step(self, unit: str) -> float:
        return float(self.steps[unit])

    def step_n(self, unit: str) -> float:
        """The display step of `unit` in newtons."""
        return float(self.steps[unit]) * UNITS[unit][0]


MODELS: dict[int, GaugeModel] = {
    10: GaugeModel("M5-2", 10.0, {"N": "0.005", "mN": "5", "lbF": "0.001", "ozF": "0.02", "kgF": "0.0005", "gF": "0.5"}),
    50: GaugeModel("M5-10", 50.0, {"N": "0.02", "lbF": "0.005", "ozF": "0.1", "kgF": "0.002", "gF": "2"}),
    100: GaugeModel("M5-20", 100.0, {"N": "0.05", "lbF": "0.01", "ozF": "0.2", "kgF": "0.005", "gF": "5"}),
    250: GaugeModel("M5-50", 250.0, {"N": "0.1", "lbF": "0.02", "ozF": "0.5", "kgF": "0.01", "gF": "10", "kN": "0.0001"}),
    500: GaugeModel("M5-100", 500.0, {"N": "0.2", "lbF": "0.05", "ozF": "1", "kgF": "0.02", "gF": "20", "kN": "0.0002"}),
}
