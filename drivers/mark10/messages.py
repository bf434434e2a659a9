"""Typed replies of a Mark-10 Series 5 gauge (GCL2), as the codec hands them to the driver.

Every message keeps the line it came from (`text`, without the CR LF) so the driver can use
it as it needs: the reply to `RS` may look like a number but is a serial number.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

from drivers.mark10.units import Unit

MAX_READING_N = 1e6
"""No Mark-10 gauge reads anywhere near this; a "reading" beyond it is not one."""


class Mode(enum.Enum):
    """What the primary reading (`?`) shows; the value is the GCL2 command and `LIST` token."""

    CURRENT = "CUR"
    PEAK_TENSION = "PT"
    PEAK_COMPRESSION = "PC"


class ErrorCode(enum.Enum):
    """The gauge's error replies; the value is the code after `*`."""

    ILLEGAL_COMMAND = "10"
    NOT_AVAILABLE = "11"
    BAD_SPECIFIER = "12"
    VALUE_TOO_LARGE = "22"

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    ErrorCode.ILLEGAL_COMMAND: "illegal command",
    ErrorCode.NOT_AVAILABLE: "not available",
    ErrorCode.BAD_SPECIFIER: "bad specifier",
    ErrorCode.VALUE_TOO_LARGE: "value too large",
}


class Reading(NamedTuple):
    """A force reading, as the gauge showed it (a named tuple, like `PressureSample`: one a poll).

    `value` is in `unit`, signed as the gauge signs it (its polarity setting decides whether
    compression is positive). `unit_shown` is False when the gauge printed no unit and the
    parser assumed one. `force_n` is `value` in newtons, |force_n| <= 1e6.
    """

    text: str
    value: float
    unit: Unit
    unit_shown: bool
    force_n: float


@dataclass(frozen=True)
class GaugeError:
    """`*10`, `*11`, `*12` or `*22`: the gauge refused the last command."""

    text: str
    code: ErrorCode

    def describe(self) -> str:
        return f"*{self.code.value} {self.code.meaning}"


@dataclass(frozen=True)
class Settings:
    """The reply to `LIST`, e.g. `V1.00;LBF;CUR;FLTC8;FLTP1;AOUT00;AOFF5;FULL;MIT;POL;B0`.

    `firmware` is the first field without its `V`; `unit` and `mode` are the first fields
    that name one; `battery_level` is 0 (full) to 3 (lowest) from the last field `B0`-`B3`.
    Any of them is None when the line does not carry it. `fields` holds every field as sent.
    """

    text: str
    fields: tuple[str, ...]
    firmware: str | None
    unit: Unit | None
    mode: Mode | None
    battery_level: int | None


@dataclass(frozen=True)
class Text:
    """Any other printable line: the replies to `RN`, `RM`, `RV`, `RS`."""

    text: str


@dataclass(frozen=True)
class Garbled:
    """A line that cannot be a reply: control or non-ASCII bytes, or too long.

    `text` shows the bytes with escapes; `reason` says what was wrong.
    """

    text: str
    reason: str


Message = Reading | GaugeError | Settings | Text | Garbled
