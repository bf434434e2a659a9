"""One way to open any port: `serial.serial_for_url`, logged byte by byte.

`/dev/ttyUSB0`, `COM3`, `spy:///dev/ttyUSB0` and `sim://tcs2?seed=3` (once `simulators` is
imported, which registers its URL handler) all open through `open_port`. POSIX ports are
opened exclusive, so a second program cannot talk to a device over a running visit. Every
byte in and out is logged at DEBUG on the device's own logger (`drivers.wire.<device>`).
"""

from __future__ import annotations

import errno
import logging
import os

import serial

from drivers.clock import Clock, clock_of
from drivers.errors import DisconnectedError, PortError


def _reason(url: str, error: serial.SerialException) -> str:
    """The error's own words on one line, without pyserial's `[Errno n]` and port prefix."""
    text = error.strerror if isinstance(error.strerror, str) else str(error)
    text = text.splitlines()[0] if text.strip() else type(error).__name__
    return text.removeprefix(f"could not open port {url}: ")


def _describe_open_failure(url: str, error: serial.SerialException) -> str:
    """One line telling a missing, busy or forbidden port apart; anything else in its own words."""
    code = getattr(error, "errno", None)
    if code == errno.EINVAL:  # a malformed URL (e.g. sim://bogus): its reason, not a guess
        return f"cannot open port {url}: {_reason(url, error)}"
    text = str(error)
    if code in (errno.EBUSY, errno.EAGAIN, errno.EWOULDBLOCK) or "lock" in text.lower() or "busy" in text.lower():
        return f"port {url} is busy: another program has it open"
    if code == errno.ENOENT or "No such file" in text or "FileNotFoundError" in text:
        return f"port {url} not found: is the device plugged in?"
    if code == errno.EACCES or "Permission denied" in text:
        return f"port {url}: permission denied (on Linux, is the user in the 'dialout' group?)"
    return f"cannot open port {url}: {_reason(url, error)}"


class Port:
    """A byte pipe to one device, every byte logged; the only thing drivers read and write.

    `read` returns what arrived within `timeout_s` (possibly less than asked for, or
    nothing). A vanished device raises `DisconnectedError`.
    """

    def __init__(self, serial_port: serial.SerialBase, device: str, url: str):
        self._serial = serial_port
        self.url = url
        self.device = device
        self.log = logging.getLogger(f"drivers.wire.{device}")
        self.clock: Clock = clock_of(serial_port)

    @property
    def serial(self) -> serial.SerialBase:
        return self._serial

    @property
    def is_open(self) -> bool:
        return bool(self._serial.is_open)

    def write(self, data: bytes) -> None:
        if self.log.isEnabledFor(logging.DEBUG):
            self.log.debug("tx %r", data)
        try:
            self._serial.write(data)
        except (serial.SerialException, OSError) as error:
            raise DisconnectedError(f"{self.device} on {self.url} disconnected while writing: {error}") from error

    def read(self, size: int, timeout_s: float) -> bytes:
        """Up to `size` bytes, waiting at most `timeout_s` for the first ones (0 = poll)."""
        try:
            waiting = self._serial.in_waiting
            if waiting:  # the usual case in a poll loop: the reply is already here, no wait
                data = self._serial.read(min(size, waiting))
            elif timeout_s <= 0:
                data = b""
            else:
                # Only a read that waits needs the timeout: on POSIX each change is a tcsetattr.
                if self._serial.timeout != timeout_s:
                    self._serial.timeout = timeout_s
                data = self._serial.read(1)
                more = self._serial.in_waiting if data and size > 1 else 0
                if more:
                    data += self._serial.read(min(size - 1, more))
        except (serial.SerialException, OSError) as error:
            raise DisconnectedError(f"{self.device} on {self.url} disconnected: {error}") from error
        if data and self.log.isEnabledFor(logging.DEBUG):
            self.log.debug("rx %r", data)
        return data

    def discard_input(self) -> None:
        try:
            self._serial.reset_input_buffer()
        except (serial.SerialException, OSError) as error:
            raise DisconnectedError(f"{self.device} on {self.url} disconnected: {error}") from error

    def close(self) -> None:
        try:
            self._serial.close()
        except (serial.SerialException, OSError):
            pass


def open_port(url: str, *, device: str, baudrate: int, exclusive: bool = True, **settings) -> Port:
    """Open `url` for `device` (a short name such as "tcs2"), exclusive on POSIX.

    Raises `PortError` with a one-line message when the port is missing or busy.
    """
    options = dict(baudrate=baudrate, timeout=0, write_timeout=1.0, **settings)
    if exclusive and os.name == "posix":
        options["exclusive"] = True
    try:
        handle = serial.serial_for_url(url, **options)
    except (serial.SerialException, OSError, ValueError) as error:
        if isinstance(error, serial.SerialException):
            raise PortError(_describe_open_failure(url, error)) from error
        raise PortError(f"cannot open port {url}: {error}") from error
    return Port(handle, device, url)
