"""Force units a Mark-10 gauge displays, and their exact factors to newtons.

The factors are the standard definitions: 1 kgf = 9.80665 N (standard gravity),
1 lbf = 4.4482216152605 N (avoirdupois pound times standard gravity), 1 ozf = 1/16 lbf.
"""

from __future__ import annotations

import enum


class Unit(enum.Enum):
    """A display unit; the value is the spelling the gauge prints after a reading."""

    NEWTON = "N"
    MILLINEWTON = "mN"
    KILONEWTON = "kN"
    POUND_FORCE = "lbF"
    OUNCE_FORCE = "ozF"
    KILOGRAM_FORCE = "kgF"
    GRAM_FORCE = "gF"

    @property
    def newtons(self) -> float:
        """How many newtons one of this unit is."""
        return NEWTONS_PER_UNIT[self]

    @property
    def command(self) -> bytes:
        """The GCL2 command that switches the gauge to this unit (without terminator)."""
        return UNIT_COMMANDS[self]

    def to_newtons(self, value: float) -> float:
        return value * NEWTONS_PER_UNIT[self]

    def from_newtons(self, force_n: float) -> float:
        return force_n / NEWTONS_PER_UNIT[self]


NEWTONS_PER_POUND_FORCE = 4.4482216152605
NEWTONS_PER_KILOGRAM_FORCE = 9.80665

NEWTONS_PER_UNIT: dict[Unit, float] = {
    Unit.NEWTON: 1.0,
    Unit.MILLINEWTON: 1e-3,
    Unit.KILONEWTON: 1e3,
    Unit.POUND_FORCE: NEWTONS_PER_POUND_FORCE,
    Unit.OUNCE_FORCE: NEWTONS_PER_POUND_FORCE / 16,
    Unit.KILOGRAM_FORCE: NEWTONS_PER_KILOGRAM_FORCE,
    Unit.GRAM_FORCE: NEWTONS_PER_KILOGRAM_FORCE / 1000,
}

UNIT_COMMANDS: dict[Unit, bytes] = {
    Unit.POUND_FORCE: b"LB",
    Unit.OUNCE_FORCE: b"OZ",
    Unit.KILOGRAM_FORCE: b"KG",
    Unit.GRAM_FORCE: b"G",
    Unit.NEWTON: b"N",
    Unit.MILLINEWTON: b"MN",
    Unit.KILONEWTON: b"KN",
}

# Upper-cased spellings seen in replies and in `LIST` (which writes `LBF`). A force gauge has
# no meganewtons, so `MN` is always millinewtons.
_BY_TOKEN: dict[str, Unit] = {}
for _unit in Unit:
    _BY_TOKEN[_unit.value.upper()] = _unit
    _BY_TOKEN[UNIT_COMMANDS[_unit].decode()] = _unit
del _unit


def unit_from_token(token: str) -> Unit | None:
    """The unit a reply or `LIST` field names (`lbF`, `LBF`, `LB`, `mN`, ...), or None."""
    return _BY_TOKEN.get(token.strip().upper())
