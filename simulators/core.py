"""What every device emulator is: a state machine on a clock, bytes in and bytes out.

A core knows nothing of transports. `sim://` (virtual time, in-process) and the pty host
(real time, a real tty) both drive a core through this interface:

- `advance_to(t_s)`: run physics and spontaneous output up to `t_s` (seconds, monotonic).
- `receive(data, t_s)`: bytes from the host arriving at `t_s` (the core advances first).
- `take_output()`: the bytes produced so far and not yet taken (device -> host).
- `next_event_s()`: when the core next has output or a state change to make; `math.inf`
  when nothing will happen until the host sends something.
- `unplugged`: True while the cable is pulled (fault); the transport drops the line.
- `baudrate`: the wire's speed, for transports that pace output.
"""

from __future__ import annotations

from typing import Protocol


class DeviceCore(Protocol):
    baudrate: int

    @property
    def unplugged(self) -> bool: ...

    def advance_to(self, t_s: float) -> None: ...

    def receive(self, data: bytes, t_s: float) -> None: ...

    def take_output(self) -> bytes: ...

    def next_event_s(self) -> float: ...
