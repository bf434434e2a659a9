"""Mark-10 gauge models and their capacities.

A model number ends in the capacity in pounds-force (`M5-20` is the 20 lbF gauge), but
each model is rated at a round figure in newtons (the 20 lbF gauge at 100 N), which is the
capacity the driver checks readings against.
"""

from __future__ import annotations

import re

CAPACITY_N_BY_SUFFIX: dict[str, float] = {
    "012": 0.5,
    "025": 1.0,
    "05": 2.5,
    "2": 10.0,
    "5": 25.0,
    "10": 50.0,
    "20": 100.0,
    "50": 250.0,
    "100": 500.0,
    "200": 1000.0,
    "300": 1500.0,
    "500": 2500.0,
    "1000": 5000.0,
    "1500": 7500.0,
    "2000": 10000.0,
}

_MODEL = re.compile(r"\s*M\d+-(\d+)\b.*", re.IGNORECASE)


def capacity_n_of_model(model: str) -> float | None:
    """The rated capacity in N of a model number such as `M5-20`; None if not known."""
    match = _MODEL.fullmatch(model)
    return CAPACITY_N_BY_SUFFIX.get(match.group(1)) if match else None
