"""The algometer probe: a tip of known area turns force into pressure.

1 N on 1 cm² is 10 kPa (1 N / 1e-4 m² = 10 000 Pa).
"""

from __future__ import annotations

from dataclasses import dataclass

KPA_PER_N_PER_CM2 = 10.0


@dataclass(frozen=True)
class Probe:
    """A rubber tip of `tip_area_cm2` (> 0; the standard PPT tip is 1 cm²)."""

    tip_area_cm2: float = 1.0

    def __post_init__(self) -> None:
        if not self.tip_area_cm2 > 0:
            raise ValueError(f"a probe tip has a positive area, not {self.tip_area_cm2} cm²")

    def pressure_kpa(self, force_n: float) -> float:
        """Pressure in kPa under `force_n` newtons spread over the tip."""
        return force_n * KPA_PER_N_PER_CM2 / self.tip_area_cm2

    def force_n(self, pressure_kpa: float) -> float:
        """The force in newtons that makes `pressure_kpa` under the tip."""
        return pressure_kpa * self.tip_area_cm2 / KPA_PER_N_PER_CM2
