"""`sim://KIND?bench=ID&name=N&seed=S&...`: a simulated device as a pyserial port.

Runs in virtual time on its bench's clock. A read that finds nothing waiting moves the
clock on to the device's next event (or the read's timeout), the way a real read would
wait; the port exposes that clock as `.clock` so a driver times itself by it. Exclusive
like a POSIX port: a second open of the same device is refused as busy. An unplugged
device raises `SerialException` on every read and write, as a vanished tty does.
"""

from __future__ import annotations

import errno
import math
from urllib.parse import parse_qs, urlparse

import serial
from serial.serialutil import PortNotOpenError, SerialBase, SerialException

from simulators.bench import Bench, SimulatorError


def _malformed(url: str, reason: object) -> SerialException:
    """A URL naming no device, bench or parameter we know.

    EINVAL, not ENOENT: a caller tells "fix the URL" apart from "the device is not there"
    (an unplugged device) by the errno.
    """
    return SerialException(errno.EINVAL, f"could not open port {url}: {reason}")


def _parse_seed(url: str, text: str | None) -> int | None:
    """The `seed=` value: a whole number (any sign); None when the URL gives none."""
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise _malformed(url, f"seed must be a whole number, not {text!r}") from None


class Serial(SerialBase):
    """A pyserial port onto a device core on a virtual bench."""

    def open(self) -> None:
        if self._port is None:
            raise SerialException("port must be configured before it can be used")
        if self.is_open:
            raise SerialException("port already open")
        kind, name, bench, seed, params = self._parse(self._port)
        try:
            core = bench.device(kind, name=name, seed=seed, **params)
        except (SimulatorError, ValueError) as error:
            raise _malformed(self._port, error) from error
        device_name = name or kind
        if bench.open_ports.get(device_name) is not None:
            raise SerialException(errno.EBUSY, f"could not open port {self._port}: busy")
        if core.unplugged:
            raise SerialException(errno.ENOENT, f"could not open port {self._port}: no such device")
        self.bench, self.core, self.clock = bench, core, bench.clock
        self._device_name = device_name
        self._lock = bench.locks[device_name]
        self._buffer = bytearray()
        self._advanced_to_s = math.nan
        bench.open_ports[device_name] = self
        with self._lock:
            # What the device said while nobody listened is gone, as on a real line.
            core.advance_to(self.clock.now())
            core.take_output()
        self.is_open = True

    @staticmethod
    def _parse(url: str) -> tuple[str, str | None, Bench, int | None, dict[str, str]]:
        """`sim://KIND?...` -> (kind, name, bench, seed or None, the device's own parameters)."""
        parts = urlparse(url)
        if parts.scheme != "sim" or not parts.netloc:
            raise SerialException(errno.EINVAL, f"expected a URL like sim://tcs2?seed=3, not {url!r}")
        params = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        bench_id = params.pop("bench", None)
        name = params.pop("name", None)
        seed = _parse_seed(url, params.pop("seed", None))
        try:
            bench = Bench.lookup(bench_id) if bench_id else Bench(seed=seed or 0)
        except SimulatorError as error:
            raise _malformed(url, error) from error
        return parts.netloc, name, bench, seed, params

    def from_url(self, url: str) -> str:
        return url

    def _reconfigure_port(self) -> None:
        pass

    def close(self) -> None:
        if self.is_open:
            self.is_open = False
            if self.bench.open_ports.get(self._device_name) is self:
                self.bench.open_ports[self._device_name] = None

    def _check_line(self) -> None:
        if not self.is_open:
            raise PortNotOpenError()
        if self.core.unplugged:
            raise SerialException(errno.EIO, "device reports readiness to read but returned no data (device disconnected?)")

    def _pump(self) -> None:
        with self._lock:
            self._check_line()
            now = self.clock.now()
            if now != self._advanced_to_s:  # a core already at `now` has nothing new to do
                self.core.advance_to(now)
                self._advanced_to_s = now
            self._buffer += self.core.take_output()

    @property
    def in_waiting(self) -> int:
        self._pump()
        return len(self._buffer)

    def read(self, size: int = 1) -> bytes:
        buffer = self._buffer
        if len(buffer) >= size:  # the usual read: after `in_waiting` said how much is here
            self._check_line()
            data = bytes(buffer[:size])
            del buffer[:size]
            return data
        deadline = math.inf if self._timeout is None else self.clock.now() + self._timeout
        while True:
            if len(self._buffer) < size:
                self._pump()
            else:
                self._check_line()
            if len(self._buffer) >= size or self._timeout == 0:
                break
            now = self.clock.now()
            if now >= deadline:
                break
            with self._lock:
                upcoming = self.core.next_event_s()
            target = min(upcoming, deadline)
            if math.isinf(target):
                break  # nothing will ever arrive: a blocking read would hang forever
            self.clock.advance_to(max(target, math.nextafter(now, math.inf)))
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def write(self, data: bytes) -> int:
        if type(data) is not bytes:
            data = bytes(data)
        with self._lock:
            self._check_line()
            now = self.clock.now()
            self.core.receive(data, now)
            self._advanced_to_s = now  # receiving ran the core up to now first
        return len(data)

    def reset_input_buffer(self) -> None:
        self._pump()
        self._buffer.clear()

    def reset_output_buffer(self) -> None:
        if not self.is_open:
            raise PortNotOpenError()

    def flush(self) -> None:
        if not self.is_open:
            raise PortNotOpenError()


