"""The thermode's command parser: bytes in, one byte at a time, complete commands out.

Commands have fixed lengths and no terminator (DESIGN.md command table, docs/tcs2-wire.md).
A byte that cannot begin a command is ignored between commands. Once a command has begun,
the parser takes exactly its length in bytes, whatever they are, then checks them: a
command with malformed or out-of-range digits is dropped whole. So a stray `A` in the
middle of `C0450` is a bad digit, not an abort, as on the device.

`Om` takes `100`–`600` (10.0–60.0 °C), the range of `C` targets: the table leaves it open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Command:
    """A complete, valid command.

    `name` is the letters (`"C"`, `"Ot"`, `"L"`); `args` the decoded digits in the command's
    own units: zone first where the command has one (0 = all, 1–5), then the value (tenths
    or hundredths of °C, tenths or hundredths of °C/s, ms). `S` gives five 0/1 flags, `T`
    (code, length_ms), `Os` (1,) for `e` and (0,) for `d`.
    """

    name: str
    raw: bytes
    args: tuple[int, ...] = ()


Decoder = Callable[[bytes], "tuple[int, ...] | None"]


def _number(width: int, low: int, high: int, zoned: bool) -> tuple[int, Decoder]:
    def decode(body: bytes) -> tuple[int, ...] | None:
        if not body.isdigit():
            return None
        value = int(body[1:] if zoned else body)
        if not low <= value <= high:
            return None
        if zoned:
            zone = body[0] - 0x30
            return (zone, value) if zone <= 5 else None
        return (value,)

    return width + (1 if zoned else 0), decode


def _flags(body: bytes) -> tuple[int, ...] | None:
    if any(byte not in b"01" for byte in body):
        return None
    return tuple(byte - 0x30 for byte in body)


def _trigger(body: bytes) -> tuple[int, ...] | None:
    if not body.isdigit():
        return None
    code, length_ms = int(body[:3]), int(body[3:])
    return (code, length_ms) if 1 <= code <= 255 and 10 <= length_ms <= 999 else None


def _trigger_in(body: bytes) -> tuple[int, ...] | None:
    return {b"e": (1,), b"d": (0,)}.get(body)


def _bare(body: bytes) -> tuple[int, ...]:
    return ()


# name -> (length of what follows the name, decoder of that part)
LAYOUTS: dict[bytes, tuple[int, Decoder]] = {
    **{bytes([letter]): (0, _bare) for letter in b"?HGLAFEKQB"},
    **{b"O" + bytes([letter]): (0, _bare) for letter in b"ldabego"},
    b"N": _number(3, 200, 400, zoned=False),
    b"S": (5, _flags),
    b"C": _number(3, 100, 600, zoned=True),
    b"V": _number(4, 1, 9999, zoned=True),
    b"R": _number(4, 1, 9999, zoned=True),
    b"D": _number(5, 1, 99999, zoned=True),
    b"T": (6, _trigger),
    b"Ot": _number(4, 1, 6000, zoned=True),
    b"Ov": _number(5, 1, 99999, zoned=True),
    b"Or": _number(5, 1, 99999, zoned=True),
    b"Om": _number(3, 100, 600, zoned=False),
    b"Os": (1, _trigger_in),
}

_BARE_COMMANDS: dict[bytes, Command] = {
    name: Command(name.decode("ascii"), name) for name, (length, _) in LAYOUTS.items() if length == 0
}
"""Every command without arguments, by its bytes."""


class CommandParser:
    """Turns a byte stream into `Command`s; keeps a partial command between calls."""

    def __init__(self) -> None:
        self._pending = bytearray()
        self._name: bytes | None = None
        self._body_len = 0
        self.dropped = 0  # commands begun but malformed or out of range

    @property
    def partial(self) -> bytes:
        """The bytes of a command begun but not yet complete."""
        return bytes(self._pending)

    def feed(self, data: bytes) -> list[Command]:
        if not self._pending and type(data) is bytes:
            # A host's usual write: one bare command, whole (`E`, `Og`, ... polled 100 times
            # a second). The same Command the byte-by-byte path would make, made once.
            bare = _BARE_COMMANDS.get(data)
            if bare is not None:
                return [bare]
        commands = []
        for byte in data:
            command = self._feed_byte(byte)
            if command is not None:
                commands.append(command)
        return commands

    def _feed_byte(self, byte: int) -> Command | None:
        pending = self._pending
        if not pending:
            if byte == 0x4F:  # "O": the next byte names the command
                pending.append(byte)
                return None
            layout = LAYOUTS.get(bytes([byte]))
            if layout is None:
                return None  # cannot begin a command: ignored
            pending.append(byte)
            self._name, self._body_len = bytes(pending), layout[0]
        elif self._name is None:
            pending.append(byte)
            layout = LAYOUTS.get(bytes(pending))
            if layout is None:
                self._drop()
                return None
            self._name, self._body_len = bytes(pending), layout[0]
        else:
            pending.append(byte)
        if len(pending) < len(self._name) + self._body_len:
            return None
        raw, name = bytes(pending), self._name
        args = LAYOUTS[name][1](raw[len(name):])
        if args is None:
            self._drop()
            return None
        self._reset()
        return Command(name.decode("ascii"), raw, args)

    def _drop(self) -> None:
        self.dropped += 1
        self._reset()

    def _reset(self) -> None:
        self._pending.clear()
        self._name = None
        self._body_len = 0
