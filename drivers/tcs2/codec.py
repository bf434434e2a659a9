"""TCS II wire codec, pure and sans-IO: commands to bytes, reply bytes to typed messages.

No port, no clock, no threads. Layouts follow DESIGN.md ("Device facts") as read by
docs/tcs2-wire.md.

Encoders take physical units, round to the device step (half away from zero, on the value's
decimal text, so 0.285 °C/s -> `0.29`), and raise `CommandRangeError` when the *rounded*
value lies outside the device range: the range is a property of what goes on the wire.
`ReplyParser` turns any byte stream into messages and counted framing errors.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from drivers.errors import CommandRangeError
from drivers.tcs2.messages import (
    LOWEST_READING_C,
    PROBE_ABSENT_ABOVE_C,
    Battery,
    Buttons,
    ErrorState,
    HelpInfo,
    Identity,
    Message,
    NeutralCalibrated,
    ReplyKind,
    Temperatures,
    TemperaturesAndButtons,
)

__all__ = [
    "COMMAND_LENGTHS",
    "Battery",
    "Buttons",
    "ErrorState",
    "HelpInfo",
    "Identity",
    "Message",
    "NeutralCalibrated",
    "ReplyKind",
    "ReplyParser",
    "Temperatures",
    "TemperaturesAndButtons",
    "abort",
    "battery",
    "buttons",
    "calibrate_neutral",
    "enable_zones",
    "errors",
    "follow",
    "help_text",
    "identify",
    "mute",
    "parse_help",
    "send_trigger",
    "set_duration",
    "set_max_temperature",
    "set_neutral",
    "set_ramp_speed",
    "set_ramp_speed_fine",
    "set_return_speed",
    "set_return_speed_fine",
    "set_target",
    "set_target_fine",
    "set_trigger",
    "start",
    "start_stoppable",
    "stream_idle_on",
    "stream_stim_on",
    "temperatures",
    "temperatures_and_buttons",
    "temperatures_fine",
    "trigger_in",
]

COMMAND_LENGTHS: dict[bytes, int] = {
    b"?": 1,
    b"H": 1,
    b"N": 4,
    b"G": 1,
    b"S": 6,
    b"C": 5,
    b"Ot": 7,
    b"V": 6,
    b"R": 6,
    b"Ov": 8,
    b"Or": 8,
    b"D": 7,
    b"Om": 5,
    b"L": 1,
    b"Ol": 2,
    b"A": 1,
    b"Od": 2,
    b"F": 1,
    b"Oa": 2,
    b"Ob": 2,
    b"E": 1,
    b"Oe": 2,
    b"K": 1,
    b"Og": 2,
    b"Q": 1,
    b"B": 1,
    b"T": 7,
    b"Oo": 2,
    b"Os": 3,
}
"""Each command prefix and the full fixed length of the command it begins (no terminator)."""


# --- encoders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    """A numeric command field: `width` digits counting steps of 1/`per_unit` `unit`."""

    what: str
    unit: str
    per_unit: int
    lo_steps: int
    hi_steps: int
    width: int

    def range_text(self) -> str:
        decimals = len(str(self.per_unit)) - 1
        lo = self.lo_steps / self.per_unit
        hi = self.hi_steps / self.per_unit
        return f"{lo:.{decimals}f}..{hi:.{decimals}f}{self._unit_suffix()}"

    def _unit_suffix(self) -> str:
        return f" {self.unit}" if self.unit else ""

    def digits(self, value: float) -> bytes:
        number = float(value)
        shown = value if isinstance(value, int) else number
        out_of_range = CommandRangeError(
            f"{self.what} {shown!r}{self._unit_suffix()} is outside {self.range_text()}"
        )
        if not math.isfinite(number) or abs(number) > 1e9:
            raise out_of_range
        # Decimal from the shortest repr rounds the value as written, not its binary
        # approximation (0.285 is stored as 0.28499999...).
        scaled = Decimal(repr(number)) * self.per_unit
        steps = int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if not self.lo_steps <= steps <= self.hi_steps:
            raise out_of_range
        return b"%0*d" % (self.width, steps)


_NEUTRAL = _Field("neutral temperature", "°C", 10, 200, 400, 3)
_TARGET = _Field("target temperature", "°C", 10, 100, 600, 3)
_TARGET_FINE = _Field("target temperature", "°C", 100, 1, 6000, 4)
_RAMP_SPEED = _Field("ramp speed", "°C/s", 10, 1, 9999, 4)
_RETURN_SPEED = _Field("return speed", "°C/s", 10, 1, 9999, 4)
_RAMP_SPEED_FINE = _Field("ramp speed", "°C/s", 100, 1, 99999, 5)
_RETURN_SPEED_FINE = _Field("return speed", "°C/s", 100, 1, 99999, 5)
_DURATION = _Field("stimulus duration", "s", 1000, 1, 99999, 5)
_MAX_TEMPERATURE = _Field("maximum temperature", "°C", 10, 100, 600, 3)
_TRIGGER_CODE = _Field("trigger code", "", 1, 1, 255, 3)
_TRIGGER_DURATION = _Field("trigger duration", "ms", 1, 10, 999, 3)


def _zone(zone: int) -> bytes:
    index = operator.index(zone)
    if not 0 <= index <= 5:
        raise CommandRangeError(f"zone {index} is outside 0..5 (0 = all zones)")
    return b"%d" % index


def identify() -> bytes:
    """`?`: the device answers `TCS`."""
    return b"?"


def help_text() -> bytes:
    """`H`: multi-line help text with firmware, probe id and probe type (see `parse_help`)."""
    return b"H"


def set_neutral(temperature_c: float) -> bytes:
    """`Nxxx`: neutral (baseline) temperature, 20.0..40.0 °C in 0.1 °C steps."""
    return b"N" + _NEUTRAL.digits(temperature_c)


def calibrate_neutral() -> bytes:
    """`G`: calibrate the neutral; a few seconds later the device sends `Nxxx`."""
    return b"G"


def enable_zones(enabled: Sequence[bool]) -> bytes:
    """`Sxxxxx`: which of zones 1-5 take part in the stimulation; exactly five flags."""
    flags = tuple(enabled)
    if len(flags) != 5:
        raise CommandRangeError(f"enable_zones needs 5 flags (zones 1-5), got {len(flags)}")
    return b"S" + bytes(ord("1") if flag else ord("0") for flag in flags)


def set_target(zone: int, temperature_c: float) -> bytes:
    """`Csxxx`: target of `zone` (0 = all, 1-5), 10.0..60.0 °C in 0.1 °C steps."""
    return b"C" + _zone(zone) + _TARGET.digits(temperature_c)


def set_target_fine(zone: int, temperature_c: float) -> bytes:
    """`Otsxxxx`: target of `zone`, 0.01..60.00 °C in 0.01 °C steps (needed below 10 °C)."""
    return b"Ot" + _zone(zone) + _TARGET_FINE.digits(temperature_c)


def set_ramp_speed(zone: int, rate_c_per_s: float) -> bytes:
    """`Vsxxxx`: ramp speed of `zone`, 0.1..999.9 °C/s in 0.1 °C/s steps."""
    return b"V" + _zone(zone) + _RAMP_SPEED.digits(rate_c_per_s)


def set_return_speed(zone: int, rate_c_per_s: float) -> bytes:
    """`Rsxxxx`: return speed of `zone`, 0.1..999.9 °C/s in 0.1 °C/s steps."""
    return b"R" + _zone(zone) + _RETURN_SPEED.digits(rate_c_per_s)


def set_ramp_speed_fine(zone: int, rate_c_per_s: float) -> bytes:
    """`Ovsxxxxx`: ramp speed of `zone`, 0.01..999.99 °C/s in 0.01 °C/s steps."""
    return b"Ov" + _zone(zone) + _RAMP_SPEED_FINE.digits(rate_c_per_s)


def set_return_speed_fine(zone: int, rate_c_per_s: float) -> bytes:
    """`Orsxxxxx`: return speed of `zone`, 0.01..999.99 °C/s in 0.01 °C/s steps."""
    return b"Or" + _zone(zone) + _RETURN_SPEED_FINE.digits(rate_c_per_s)


def set_duration(zone: int, duration_s: float) -> bytes:
    """`Dsxxxxx`: stimulus duration (rise + plateau) of `zone`, 0.001..99.999 s in ms."""
    return b"D" + _zone(zone) + _DURATION.digits(duration_s)


def set_max_temperature(temperature_c: float) -> bytes:
    """`Omxxx`: maximum temperature capping every target, 10.0..60.0 °C in 0.1 °C steps."""
    return b"Om" + _MAX_TEMPERATURE.digits(temperature_c)


def start() -> bytes:
    """`L`: start the stimulation."""
    return b"L"


def start_stoppable() -> bytes:
    """`Ol`: start a stimulation the participant can stop with the response button."""
    return b"Ol"


def abort() -> bytes:
    """`A`: abort, leave follow mode, return to neutral."""
    return b"A"


def follow() -> bytes:
    """`Od`: follow mode: go to the target and hold it."""
    return b"Od"


def mute() -> bytes:
    """`F`: mute both spontaneous temperature streams."""
    return b"F"


def stream_idle_on() -> bytes:
    """`Oa`: spontaneous temperature lines between stimulations (1 Hz)."""
    return b"Oa"


def stream_stim_on() -> bytes:
    """`Ob`: spontaneous temperature lines during stimulations (100 Hz)."""
    return b"Ob"


def temperatures() -> bytes:
    """`E`: current temperatures in 0.1 °C."""
    return b"E"


def temperatures_fine() -> bytes:
    """`Oe`: current temperatures in 0.01 °C."""
    return b"Oe"


def buttons() -> bytes:
    """`K`: state of the stimulation and response buttons."""
    return b"K"


def temperatures_and_buttons() -> bytes:
    """`Og`: `E` and `K` in one reply."""
    return b"Og"


def errors() -> bytes:
    """`Q`: error state of the neutral element and zones 1-5."""
    return b"Q"


def battery() -> bytes:
    """`B`: battery voltage and charge."""
    return b"B"


def set_trigger(code: int, duration_ms: float) -> bytes:
    """`Txxxyyy`: trigger-out code 1..255 and pulse length 10..999 ms."""
    return b"T" + _TRIGGER_CODE.digits(operator.index(code)) + _TRIGGER_DURATION.digits(duration_ms)


def send_trigger() -> bytes:
    """`Oo`: send the trigger set by `set_trigger`."""
    return b"Oo"


def trigger_in(enabled: bool) -> bytes:
    """`Ose` / `Osd`: whether a trigger in starts the stimulation."""
    return b"Ose" if enabled else b"Osd"


# --- the H text -----------------------------------------------------------------------------

_HELP_KEYS = {"firmware": "firmware", "probe id": "probe_id", "probe type": "probe_type"}


def parse_help(data: bytes) -> HelpInfo:
    """The `H` reply: lines split on CR/LF; `firmware...: x`, `probe id: x`, `probe type: x`.

    Keys match case-insensitively at the start of a line; the value is what follows the
    first `:`, stripped. The first non-empty value of each key wins; missing ones are None.
    """
    decoded = data.decode("ascii", errors="replace")
    lines = [line.rstrip() for line in decoded.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    found: dict[str, str] = {}
    for line in lines:
        stripped = line.strip()
        lowered = stripped.lower()
        for key, field in _HELP_KEYS.items():
            if field in found or not lowered.startswith(key) or ":" not in stripped:
                continue
            value = stripped.split(":", 1)[1].strip()
            if value:
                found[field] = value
    return HelpInfo(
        text="\n".join(lines).strip("\n"),
        firmware=found.get("firmware"),
        probe_id=found.get("probe_id"),
        probe_type=found.get("probe_type"),
    )


# --- reply shapes ---------------------------------------------------------------------------

CR = 0x0D
LF = 0x0A

_DIGIT = frozenset(b"0123456789")
_SIGN = frozenset(b"+-")
_BIT = frozenset(b"01")


def _classes(layout: str) -> tuple[frozenset[int], ...]:
    """`#` a digit, `+` a sign (`+`/`-`), `~` a `0`/`1`, anything else itself."""
    special = {"#": _DIGIT, "+": _SIGN, "~": _BIT}
    return tuple(special[char] if char in special else frozenset(char.encode("ascii")) for char in layout)


_ZONE_FIELDS = {3: re.compile(rb"[+-][0-9]{3}"), 4: re.compile(rb"[+-][0-9]{4}")}
"""Zones 1–5 (sign and digits) of an `E` / `Oe` body, by the digits' count."""
_STEP_LIMITS = {per_unit: (round(LOWEST_READING_C * per_unit), round(PROBE_ABSENT_ABOVE_C * per_unit))
                for per_unit in (10, 100)}
"""(lowest reading, absent above) in steps of 1/per_unit °C."""


def _parse_temperatures(body: bytes, neutral_width: int, zone_width: int, per_unit: int) -> Temperatures | None:
    # Run for every reading (100 a second, and far more in simulated visits), so the fields
    # are found, read and scaled by library loops (`findall`, `map`), not one by one here.
    lowest, absent_above = _STEP_LIMITS[per_unit]
    steps = list(map(int, _ZONE_FIELDS[zone_width].findall(body, neutral_width)))
    if min(steps) < lowest:
        return None
    if max(steps) > absent_above:
        zones_c = tuple([None if step > absent_above else step / per_unit for step in steps])
    else:
        zones_c = tuple(map(operator.truediv, steps, (per_unit,) * 5))
    neutral_steps = int(body[:neutral_width])
    return Temperatures(
        neutral_c=None if neutral_steps > absent_above else neutral_steps / per_unit,
        zones_c=zones_c,
        resolution_c=0.1 if per_unit == 10 else 0.01,
    )


def _parse_buttons(body: bytes) -> Buttons:
    return Buttons(stim=body[0] == ord("1"), response=body[1] == ord("1"))


def _parse_temperatures_and_buttons(body: bytes) -> TemperaturesAndButtons | None:
    reading = _parse_temperatures(body[:23], 3, 3, 10)
    if reading is None:
        return None
    return TemperaturesAndButtons(reading, _parse_buttons(body[23:]))


def _parse_battery(body: bytes) -> Battery | None:
    percent = int(body[9:12])
    if percent > 100:
        return None
    return Battery(voltage_v=int(body[0:2] + body[3:7]) / 10_000, charge_percent=percent)


def _parse_neutral(body: bytes) -> NeutralCalibrated | None:
    steps = int(body[1:4])
    if steps > round(PROBE_ABSENT_ABOVE_C * 10):
        return None
    return NeutralCalibrated(steps / 10)


@dataclass(frozen=True)
class _Shape:
    """One reply layout. `evident`: complete at its fixed length even when not expected."""

    kind: ReplyKind
    classes: tuple[frozenset[int], ...]
    parse: Callable[[bytes], Message | None]
    evident: bool


_SHAPES = (
    _Shape(ReplyKind.IDENTITY, _classes("TCS"), lambda body: Identity("TCS"), True),
    _Shape(
        ReplyKind.TEMPERATURES,
        _classes("###" + "+###" * 5),
        lambda body: _parse_temperatures(body, 3, 3, 10),
        True,
    ),
    _Shape(
        ReplyKind.TEMPERATURES_FINE,
        _classes("####" + "+####" * 5),
        lambda body: _parse_temperatures(body, 4, 4, 100),
        True,
    ),
    _Shape(ReplyKind.BUTTONS, _classes("~~"), _parse_buttons, False),
    _Shape(
        ReplyKind.TEMPERATURES_AND_BUTTONS,
        _classes("###" + "+###" * 5 + "~~"),
        _parse_temperatures_and_buttons,
        False,
    ),
    _Shape(
        ReplyKind.ERROR_STATE,
        _classes("######"),
        lambda body: ErrorState(body[0] - ord("0"), tuple(code - ord("0") for code in body[1:])),
        False,
    ),
    _Shape(ReplyKind.BATTERY, _classes("##.####v ###%"), _parse_battery, True),
    _Shape(ReplyKind.NEUTRAL, _classes("N###"), _parse_neutral, True),
)

_OUTSIDE, _IN_FRAME, _SKIPPING = range(3)

# The shapes as bit masks, so that each byte costs a table look-up, not a scan:
# _ACCEPT[pos][byte] has bit i set when shape i allows `byte` at `pos`.
_MAX_LENGTH = max(len(shape.classes) for shape in _SHAPES)
_ALL_SHAPES = (1 << len(_SHAPES)) - 1
_ACCEPT = [[0] * 256 for _ in range(_MAX_LENGTH)]
for _index, _shape in enumerate(_SHAPES):
    for _pos, _allowed in enumerate(_shape.classes):
        for _byte in _allowed:
            _ACCEPT[_pos][_byte] |= 1 << _index
_ENDS_AT = [sum(1 << i for i, shape in enumerate(_SHAPES) if len(shape.classes) == n) for n in range(_MAX_LENGTH + 1)]
_LONGER_THAN = [sum(1 << i for i, shape in enumerate(_SHAPES) if len(shape.classes) > n) for n in range(_MAX_LENGTH + 1)]


def _whole_reply_patterns() -> dict[ReplyKind, re.Pattern[bytes]]:
    """For each reply kind a poll waits for, a pattern of the whole frame (CR and body) that
    the byte-by-byte path would emit as that reply and nothing else: the kind has one shape,
    and no other shape of its length accepts the same bytes. (A shorter shape ending on the
    way is never emitted while a longer expected one is still alive.)"""
    patterns = {}
    for shape in _SHAPES:
        if sum(other.kind is shape.kind for other in _SHAPES) != 1:
            continue
        length = len(shape.classes)
        rivals = [other for other in _SHAPES if other is not shape and len(other.classes) == length]
        if any(all(a & b for a, b in zip(shape.classes, other.classes)) for other in rivals):
            continue
        body = b"".join(b"[" + b"".join(re.escape(bytes([c])) for c in sorted(allowed)) + b"]"
                        for allowed in shape.classes)
        patterns[shape.kind] = re.compile(b"\r" + body)
    return patterns


_WHOLE_REPLY = _whole_reply_patterns()
_SHAPE_OF = {shape.kind: shape for shape in _SHAPES}


def _kind_mask(kind: ReplyKind | None) -> int:
    return sum(1 << i for i, shape in enumerate(_SHAPES) if shape.kind is kind)


_EXPECTATIONS: dict[ReplyKind | None, tuple[int, re.Pattern[bytes] | None, _Shape | None]] = {
    kind: (_kind_mask(kind), _WHOLE_REPLY.get(kind), _SHAPE_OF.get(kind)) for kind in (None, *ReplyKind)
}
"""Per expected kind: its shapes' mask, its whole-reply pattern and shape (if it has one)."""


class ReplyParser:
    """Incremental parser of everything the TCS II sends except the `H` text.

    `feed` takes any bytes, split anyhow across calls, and never raises. Every reply starts
    with CR. A frame is emitted as soon as it is complete: at its fixed length when the shape
    says so by itself (`TCS`, `Nxxx`, battery, an `E`/`Oe`/stream temperature line unless an
    `Og` reply is expected), or when it is the reply announced with `expect`; otherwise
    (`K`, `Q`, an `E` line while `Og` is expected) when the next CR, or `flush`, ends it.

    Framing errors are counted, never raised:
    - `dropped_frames`: frames begun by a CR and abandoned because their bytes fit no reply
      layout or hold an impossible value (a zone below -20.0 °C, a charge above 100 %, a
      calibrated neutral above 65.0 °C). The rest of such a frame, up to the next CR, is
      skipped without further counting.
    - `garbage_bytes`: bytes outside any frame: before the first CR, after `flush`, or after
      a frame emitted at its fixed length. A run of them is *not* a dropped frame: opening a
      port mid-line normally starts with the tail of a line, which is no fault.

    LF is ignored wherever it occurs (no reply layout contains one). A CR with nothing
    after it before the next CR is not a frame and is not counted.

    `expect` resolves shapes that are ambiguous by length alone: `\\r01` (`K`) is also the
    start of `\\r000000` (`Q`), and a 23-char `E` line is also the start of a 25-char `Og`
    reply. The expectation is consumed when a reply of that kind is emitted; spontaneous
    stream lines have the `E` shape, so one arriving first satisfies an `E` expectation.
    While `K` is expected, a stream line whose neutral field begins `0`/`1` (below 20.0 °C,
    which the device does not use) would be taken for the `K` reply.
    """

    def __init__(self) -> None:
        self._state = _OUTSIDE
        self._body = bytearray()
        self._alive = 0  # bit mask over _SHAPES of the layouts the frame still fits
        self._expected: ReplyKind | None = None
        self._expected_mask, self._whole_reply, self._expected_shape = _EXPECTATIONS[None]
        self._dropped_frames = 0
        self._garbage_bytes = 0

    @property
    def dropped_frames(self) -> int:
        return self._dropped_frames

    @property
    def garbage_bytes(self) -> int:
        return self._garbage_bytes

    @property
    def expected(self) -> ReplyKind | None:
        return self._expected

    def expect(self, kind: ReplyKind | None) -> None:
        """Announce the one reply the driver now waits for; `None` clears it."""
        self._expected = kind
        self._expected_mask, self._whole_reply, self._expected_shape = _EXPECTATIONS[kind]

    def feed(self, data: bytes) -> list[Message]:
        """Messages completed by `data` (possibly none)."""
        pattern = self._whole_reply
        if pattern is not None and self._state != _IN_FRAME and pattern.fullmatch(data):
            # The usual read of a poll loop: the awaited reply, whole, alone. One match
            # instead of a step per byte, with the same outcome.
            message = self._expected_shape.parse(bytes(data[1:]))
            if message is not None:
                self.expect(None)
                self._state = _OUTSIDE
                self._body.clear()
                return [message]
        out: list[Message] = []
        if self._state == _IN_FRAME:
            # an expectation announced since the last feed may complete the pending frame
            self._emit_if_complete(out)
        # The per-byte loop works on locals (the stream runs at 100 lines a second, and
        # simulated visits push far more through here); `_add` is the same step, spelled out.
        body, state, alive = self._body, self._state, self._alive
        accept, ends_at = _ACCEPT, _ENDS_AT
        for byte in bytes(data):
            if byte == LF:
                continue
            if byte == CR:
                if state == _IN_FRAME:
                    self._alive = alive
                    self._end_frame(out)
                state = _IN_FRAME
                body.clear()
                alive = _ALL_SHAPES
            elif state == _IN_FRAME:
                pos = len(body)
                body.append(byte)
                alive = alive & accept[pos][byte] if pos < _MAX_LENGTH else 0
                if not alive:
                    self._abandon()
                    state = _SKIPPING
                elif alive & ends_at[pos + 1]:
                    self._state, self._alive = state, alive
                    self._emit_if_complete(out)
                    state, alive = self._state, self._alive
            elif state == _OUTSIDE:
                self._garbage_bytes += 1
        self._state, self._alive = state, alive
        return out

    def flush(self) -> list[Message]:
        """Treat what is pending as ended by a CR (the line has gone quiet)."""
        out: list[Message] = []
        if self._state == _IN_FRAME:
            self._end_frame(out)
        self._state = _OUTSIDE
        self._body.clear()
        return out

    def _add(self, byte: int, out: list[Message]) -> None:
        pos = len(self._body)
        self._body.append(byte)
        alive = self._alive & _ACCEPT[pos][byte] if pos < _MAX_LENGTH else 0
        self._alive = alive
        if not alive:
            self._abandon()
        elif alive & _ENDS_AT[pos + 1]:
            self._emit_if_complete(out)

    def _emit_if_complete(self, out: list[Message]) -> None:
        length = len(self._body)
        if length > _MAX_LENGTH:
            return
        ending = self._alive & _ENDS_AT[length]
        if not ending:
            return
        index = (ending & -ending).bit_length() - 1  # the first layout, in _SHAPES order
        shape = _SHAPES[index]
        longer_expected = self._alive & self._expected_mask & _LONGER_THAN[length]
        if shape.kind is self._expected or (shape.evident and not longer_expected):
            self._finish(shape, out)

    def _end_frame(self, out: list[Message]) -> None:
        if not self._body:
            return
        length = len(self._body)
        ending = self._alive & _ENDS_AT[length] if length <= _MAX_LENGTH else 0
        if ending:
            self._finish(_SHAPES[(ending & -ending).bit_length() - 1], out)
            return
        self._abandon()

    def _finish(self, shape: _Shape, out: list[Message]) -> None:
        message = shape.parse(bytes(self._body))
        if message is None:
            self._abandon()
            return
        out.append(message)
        if shape.kind is self._expected:
            self.expect(None)
        self._state = _OUTSIDE
        self._body.clear()

    def _abandon(self) -> None:
        self._dropped_frames += 1
        self._state = _SKIPPING
        self._body.clear()
