"""Pacing a device's output at its serial line's speed.

A pty moves bytes as fast as the kernel copies them; a real UART sends one frame of
`bits_per_byte` bits (8N1: start + 8 data + stop = 10) per byte at `baudrate` bits/s.
`WirePacer` holds the bytes a device has sent and hands each one out only once the wire
would have finished carrying it, on an absolute schedule, so output neither bursts ahead
of the wire nor drifts behind it however late the caller polls.

Pure bookkeeping: no clock, no I/O. Times are seconds on the caller's monotonic scale.
"""

from __future__ import annotations

import math

# Float slack when comparing a poll time with a computed completion time (seconds).
_EPSILON_S = 1e-9


class WirePacer:
    """Bytes queued for a serial line of `baudrate` bits/s, released as the wire delivers them.

    `chunk_s` (seconds) only shapes `next_due_s`: the caller is told to come back once
    about that much wire time has accumulated, instead of once per byte (at 115200 baud a
    byte lasts 87 µs, too short to wake for each one).
    """

    def __init__(self, baudrate: int, bits_per_byte: int = 10, chunk_s: float = 0.0005):
        if baudrate <= 0:
            raise ValueError(f"baud rate must be positive, not {baudrate}")
        self.byte_time_s = bits_per_byte / baudrate
        self.chunk_bytes = max(1, int(chunk_s / self.byte_time_s))
        self._pending = bytearray()
        self._finished = bytearray()  # carried by the wire already, not yet handed out
        # When the first pending byte starts on the wire; with nothing pending, when the
        # wire falls idle (the end of the last byte handed out).
        self._head_s = -math.inf

    @property
    def pending_bytes(self) -> int:
        """Bytes queued and not yet handed out."""
        return len(self._finished) + len(self._pending)

    def push(self, data: bytes, t_s: float) -> None:
        """Queue `data`, sent by the device at `t_s`, behind whatever is still on the wire.

        Calls to `push` and `take_due` must come in order of time.
        """
        if not data:
            return
        # Settle what the wire finished before t_s, so that an idle gap before t_s is not
        # mistaken for time the new bytes could have used.
        self._finished += self._carried_by(t_s)
        if not self._pending:
            self._head_s = max(self._head_s, t_s)
        self._pending += data

    def take_due(self, now_s: float) -> bytes:
        """Every queued byte the wire has finished carrying by `now_s`, oldest first."""
        due = bytes(self._finished) + self._carried_by(now_s)
        self._finished.clear()
        return due

    def _carried_by(self, t_s: float) -> bytes:
        if not self._pending:
            return b""
        count = math.floor((t_s - self._head_s) / self.byte_time_s + _EPSILON_S)
        count = min(max(count, 0), len(self._pending))
        if count == 0:
            return b""
        carried = bytes(self._pending[:count])
        del self._pending[:count]
        self._head_s += count * self.byte_time_s
        return carried

    def next_due_s(self) -> float:
        """When to call `take_due` next (a chunk's worth done, or the last byte); inf if idle."""
        if self._finished:
            return -math.inf
        if not self._pending:
            return math.inf
        return self._head_s + min(len(self._pending), self.chunk_bytes) * self.byte_time_s

    def clear(self) -> int:
        """Forget every queued byte (the line went away); returns how many there were."""
        dropped = self.pending_bytes
        self._pending.clear()
        self._finished.clear()
        self._head_s = -math.inf
        return dropped
