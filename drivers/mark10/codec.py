"""Mark-10 GCL2 codec, pure and sans-IO: commands to bytes, reply bytes to typed messages.

Commands end with CR LF (the gauge takes CR or CR LF and ignores LF). Replies end with
CR LF. `ReplyParser.feed` turns any byte stream into messages and never raises: a line
that cannot be a reply becomes a `Garbled` message and is counted.
"""

from __future__ import annotations

import re

from drivers.mark10.messages import (
    MAX_READING_N,
    ErrorCode,
    GaugeError,
    Garbled,
    Message,
    Mode,
    Reading,
    Settings,
    Text,
)
from drivers.mark10.units import Unit, unit_from_token

TERMINATOR = b"\r\n"
MAX_LINE_BYTES = 256
MAX_REPLY_BYTES = 64
"""A generous bound on a reading's or identity reply's length, CR LF included."""
"""The longest reply (`LIST`) is well under this; a longer run without CR LF is noise."""


def encode(command: str | bytes) -> bytes:
    """A GCL2 command with its terminator, e.g. `encode("?C") == b"?C\\r\\n"`."""
    body = command.encode("ascii") if isinstance(command, str) else bytes(command)
    if b"\r" in body or b"\n" in body:
        raise ValueError(f"a command holds no line breaks: {body!r}")
    return body + TERMINATOR


DISPLAYED = encode("?")
CURRENT = encode("?C")
PEAK_TENSION = encode("?PT")
PEAK_COMPRESSION = encode("?PC")
CLEAR_PEAKS = encode("CLR")
ZERO = encode("Z")
NAME = encode("RN")
MODEL = encode("RM")
FIRMWARE = encode("RV")
SERIAL_NUMBER = encode("RS")
LIST = encode("LIST")


def set_unit(unit: Unit) -> bytes:
    """`LB` `OZ` `KG` `G` `N` `MN` `KN`: switch the display unit."""
    return encode(unit.command)


def set_mode(mode: Mode) -> bytes:
    """`CUR` `PT` `PC`: what the primary reading `?` shows."""
    return encode(mode.value)


_READING = re.compile(r"\s*([+-]?)\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:([A-Za-z]+)\s*)?")
_ERROR = re.compile(r"\*(\d\d)\s*")
_PRINTABLE = re.compile(r"[\x20-\x7e]*")


def parse_line(line: bytes, assumed_unit: Unit = Unit.NEWTON) -> Message:
    """One reply line (without CR LF) as a message; never raises.

    A reading without a unit is taken to be in `assumed_unit` (the gauge's unit setting).
    """
    if len(line) > MAX_LINE_BYTES:
        return Garbled(_show(line[:40]) + "...", f"line of {len(line)} bytes, longer than any reply")
    text = line.decode("latin-1")
    if not _PRINTABLE.fullmatch(text):
        return Garbled(_show(line), "control or non-ASCII bytes")
    if match := _ERROR.fullmatch(text):
        try:
            return GaugeError(text, ErrorCode(match.group(1)))
        except ValueError:
            return Garbled(text, f"unknown error code *{match.group(1)}")
    if match := _READING.fullmatch(text):
        reading = _reading(text, match, assumed_unit)
        if reading is not None:
            return reading
    if ";" in text:
        return _settings(text)
    return Text(text.strip())


def _reading(text: str, match: re.Match[str], assumed_unit: Unit) -> Reading | None:
    sign, digits, token = match.groups()
    unit = assumed_unit if token is None else unit_from_token(token)
    if unit is None:
        return None
    value = float(digits)
    if sign == "-":
        value = -value
    force_n = unit.to_newtons(value)
    if abs(force_n) > MAX_READING_N:
        return None
    return Reading(text, value, unit, token is not None, force_n)


def _settings(text: str) -> Settings:
    fields = tuple(field.strip() for field in text.split(";"))
    firmware = fields[0][1:] if fields[0][:1] in ("V", "v") and len(fields[0]) > 1 else None
    unit = next((u for u in map(_unit_field, fields[1:]) if u is not None), None)
    mode = next((m for m in map(_mode_field, fields[1:]) if m is not None), None)
    battery = fields[-1]
    battery_level = int(battery[1]) if re.fullmatch(r"B[0-3]", battery) else None
    return Settings(text, fields, firmware, unit, mode, battery_level)


def _unit_field(field: str) -> Unit | None:
    # Single letters (`N`, `G`) are units in LIST only as whole fields; so is everything else.
    return unit_from_token(field) if field.isalpha() else None


def _mode_field(field: str) -> Mode | None:
    try:
        return Mode(field)
    except ValueError:
        return None


def _show(data: bytes) -> str:
    return repr(bytes(data))[2:-1]


class ReplyParser:
    """Incremental CR LF framing: `feed(bytes) -> list[Message]`, never raises.

    Counts what it could not read: `garbled_lines` (lines that became `Garbled`) and
    `dropped_bytes` (partial lines thrown away by `discard_partial`).
    """

    def __init__(self, assumed_unit: Unit = Unit.NEWTON):
        self.assumed_unit = assumed_unit
        self.garbled_lines = 0
        self.dropped_bytes = 0
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Message]:
        self._buffer += data
        messages: list[Message] = []
        while True:
            end = self._buffer.find(TERMINATOR)
            if end < 0:
                break
            line = bytes(self._buffer[:end])
            del self._buffer[: end + len(TERMINATOR)]
            messages.append(self._count(parse_line(line, self.assumed_unit)))
        if len(self._buffer) > MAX_LINE_BYTES:
            # Keep a trailing CR: it may be the first half of the next terminator.
            keep = 1 if self._buffer.endswith(b"\r") else 0
            messages.append(self._count(parse_line(bytes(self._buffer[: len(self._buffer) - keep]))))
            del self._buffer[: len(self._buffer) - keep]
        return messages

    def discard_partial(self) -> int:
        """Drop an unfinished line (bytes with no CR LF yet); returns how many bytes."""
        dropped = len(self._buffer)
        self.dropped_bytes += dropped
        self._buffer.clear()
        return dropped

    @property
    def pending_bytes(self) -> int:
        return len(self._buffer)

    def _count(self, message: Message) -> Message:
        if isinstance(message, Garbled):
            self.garbled_lines += 1
        return message
