"""The Mark-10 Series 5 force gauge as a pressure algometer (GCL2 over a serial port).

Works in newtons whatever unit the gauge displays, and in kPa through the probe's tip.
Pressure is positive for compression whatever the gauge's polarity setting: the setting is
not in the documented `LIST` fields, so the driver is told it (`compression_positive`, the
factory setting, by default).

Overload: the gauge keeps answering with the load it measures, so a reading whose size
exceeds the gauge's rated capacity (from the model number `RM`, or `capacity_n`) is flagged
`OVERLOAD` and never passed as a good value. At exactly full scale the flag has one
resolution step of play.

One lock serialises exchanges, so a UI thread may read the peak while a poll loop runs.
Every wait is timed by the port's clock: on `sim://` that is the bench's virtual clock.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Iterator

from drivers.clock import Clock, clock_of
from drivers.errors import DeviceReportedError, DriverError, NotRespondingError
from drivers.mark10 import codec
from drivers.mark10.errors import UnreadableReplyError
from drivers.mark10.messages import GaugeError, Garbled, Message, Mode, Reading, Settings
from drivers.mark10.models import capacity_n_of_model
from drivers.mark10.probe import Probe
from drivers.mark10.samples import GaugeIdentity, PressureSample, SampleFlag
from drivers.mark10.units import Unit
from drivers.ports import Port, open_port

DEFAULT_BAUDRATE = 115200
"""Current gauges; older ones run at 9600 (a gauge setting: pass `baudrate`)."""


class Mark10Gauge:
    """A Mark-10 gauge on an open port.

    `probe`: the tip that turns force into pressure (1 cm² by default).
    `compression_positive`: the gauge's polarity setting (True: pushing reads positive).
    `capacity_n`: the rated capacity in N; None to learn it from the model number.
    `poll_rate_hz`: the default rate of `poll` (50 Hz).
    `reply_timeout_s`: how long to wait for a reply before `NotRespondingError`.
    `max_failed_polls`: consecutive polls without a value after which `poll` raises.
    """

    def __init__(
        self,
        port: Port,
        *,
        probe: Probe = Probe(),
        compression_positive: bool = True,
        capacity_n: float | None = None,
        poll_rate_hz: float = 50.0,
        reply_timeout_s: float = 0.25,
        max_failed_polls: int = 3,
    ):
        if capacity_n is not None and not capacity_n > 0:
            raise ValueError(f"capacity_n must be positive, not {capacity_n}")
        if not poll_rate_hz > 0 or not reply_timeout_s > 0 or max_failed_polls < 1:
            raise ValueError("poll_rate_hz and reply_timeout_s must be positive, max_failed_polls at least 1")
        self.port = port
        self.clock: Clock = clock_of(port)
        self.probe = probe
        self.compression_positive = compression_positive
        self.capacity_n = capacity_n
        self.poll_rate_hz = poll_rate_hz
        self.reply_timeout_s = reply_timeout_s
        self.max_failed_polls = max_failed_polls
        self.identity: GaugeIdentity | None = None
        self.battery_level: int | None = None
        self.stale_replies = 0
        self._parser = codec.ReplyParser()
        self._inbox: deque[Message] = deque()
        self._noise = False
        self._lock = threading.RLock()

    @classmethod
    def open(cls, url: str, *, baudrate: int = DEFAULT_BAUDRATE, **options) -> "Mark10Gauge":
        """Open `url` (a tty, `COM3`, `sim://mark10?...`) and `connect`; closes it on failure."""
        gauge = cls(open_port(url, device="mark10", baudrate=baudrate), **options)
        try:
            gauge.connect()
        except BaseException:
            gauge.close()
            raise
        return gauge

    def __enter__(self) -> "Mark10Gauge":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.port.close()

    # -- identity and settings ---------------------------------------------------------

    @property
    def unit(self) -> Unit:
        """The gauge's display unit as last learned (from `LIST` or a reading's unit)."""
        return self._parser.assumed_unit

    def connect(self) -> GaugeIdentity:
        """Identify the gauge and learn its capacity, unit and battery level."""
        identity = self.identify()
        if self.capacity_n is None:
            self.capacity_n = capacity_n_of_model(identity.model)
            if self.capacity_n is None:
                raise DriverError(
                    f"unknown Mark-10 model {identity.model!r}: give its capacity (capacity_n) to check overloads"
                )
        self.settings()
        return identity

    def identify(self) -> GaugeIdentity:
        """`RN` `RM` `RV` `RS`: name, model, firmware version, serial number."""
        with self._lock:
            texts = [self._text_reply(request) for request in (codec.NAME, codec.MODEL, codec.FIRMWARE, codec.SERIAL_NUMBER)]
            self.identity = GaugeIdentity(*texts)
            return self.identity

    def settings(self) -> Settings:
        """`LIST`; also learns the display unit (for readings sent without one) and battery."""
        with self._lock:
            reply = self._exchange(codec.LIST)
            if not isinstance(reply, Settings):
                raise self._unexpected(codec.LIST, reply)
            self._learn(reply)
            return reply

    def set_unit(self, unit: Unit) -> None:
        """Switch the gauge's display unit; readings stay in N and kPa either way."""
        settings = self._command(codec.set_unit(unit))
        if settings.unit is not None and settings.unit is not unit:
            raise DriverError(f"the gauge shows {settings.unit.value} after being asked for {unit.value}")

    def set_mode(self, mode: Mode) -> None:
        """`CUR` `PT` `PC`: what the gauge's display (and `displayed()`) shows."""
        self._command(codec.set_mode(mode))

    def zero(self) -> None:
        """`Z`: zero the reading (tare) and clear the peaks."""
        self._command(codec.ZERO)

    def clear_peaks(self) -> None:
        """`CLR`: clear the peak readings."""
        self._command(codec.CLEAR_PEAKS)

    # -- readings ----------------------------------------------------------------------

    def current(self) -> PressureSample:
        """`?C`: the real-time reading. Raises on no reply, a refusal or an unreadable line."""
        return self._read(codec.CURRENT)

    def displayed(self) -> PressureSample:
        """`?`: what the display shows (current or a peak, by mode)."""
        return self._read(codec.DISPLAYED)

    def peak_compression(self) -> PressureSample:
        """`?PC`: the highest compression since the peaks were last cleared."""
        return self._read(codec.PEAK_COMPRESSION)

    def peak_tension(self) -> PressureSample:
        """`?PT`: the highest tension since the peaks were last cleared (negative force)."""
        return self._read(codec.PEAK_TENSION)

    def poll(
        self,
        *,
        rate_hz: float | None = None,
        duration_s: float | None = None,
        stop: Callable[[PressureSample], bool] | None = None,
    ) -> Iterator[PressureSample]:
        """Read `?C` at `rate_hz` (default `poll_rate_hz`; `math.inf` for back to back).

        Yields samples until `duration_s` has passed (None: for ever) or `stop(sample)` is
        true for the sample just yielded. Ticks are kept on a fixed grid; a tick missed
        because an exchange ran long is dropped, not made up in a burst. A poll that gets
        no value gives a flagged sample; `max_failed_polls` of them in a row raise the last
        error. A vanished port raises `DisconnectedError` at once.
        """
        rate_hz = self.poll_rate_hz if rate_hz is None else rate_hz
        if not rate_hz > 0:
            raise ValueError(f"rate_hz must be positive, not {rate_hz}")
        period_s = 0.0 if math.isinf(rate_hz) else 1.0 / rate_hz
        start_s = self.clock.now()
        tick = 0
        failures = 0
        while duration_s is None or tick * period_s < duration_s:
            wait_s = start_s + tick * period_s - self.clock.now()
            if wait_s > 0:
                self.clock.sleep(wait_s)
            sample, error = self._poll_once()
            yield sample
            if stop is not None and stop(sample):
                return
            failures = failures + 1 if error is not None else 0
            if error is not None and failures >= self.max_failed_polls:
                raise error
            if period_s == 0:
                if duration_s is not None and self.clock.now() - start_s >= duration_s:
                    return
                tick += 1
            else:
                tick = max(tick + 1, math.floor((self.clock.now() - start_s) / period_s) + 1)

    def collect(self, duration_s: float, *, rate_hz: float | None = None) -> list[PressureSample]:
        """`poll` for `duration_s` seconds, as a list."""
        return list(self.poll(rate_hz=rate_hz, duration_s=duration_s))

    # -- the wire ----------------------------------------------------------------------

    def _poll_once(self) -> tuple[PressureSample, DriverError | None]:
        with self._lock:
            sent_s = self.clock.now()
            try:
                return self._read(codec.CURRENT, sent_s), None
            except (NotRespondingError, DeviceReportedError, UnreadableReplyError) as error:
                flag = (
                    SampleFlag.NO_REPLY
                    if isinstance(error, NotRespondingError)
                    else SampleFlag.REFUSED
                    if isinstance(error, DeviceReportedError)
                    else SampleFlag.UNREADABLE
                )
                noise = SampleFlag.LINE_NOISE if self._take_noise() else SampleFlag.NONE
                return PressureSample(self.clock.now(), None, None, flag | noise), error

    def _read(self, request: bytes, sent_s: float | None = None) -> PressureSample:
        with self._lock:
            sent_s = self.clock.now() if sent_s is None else sent_s
            reply = self._exchange(request)
            t_s = (sent_s + self.clock.now()) / 2
            if not isinstance(reply, Reading):
                raise self._unexpected(request, reply)
            if reply.unit_shown:
                # Someone may have changed the unit on the gauge's keypad.
                self._parser.assumed_unit = reply.unit
            return self._sample(t_s, reply)

    def _sample(self, t_s: float, reading: Reading) -> PressureSample:
        force_n = reading.force_n if self.compression_positive else -reading.force_n
        flags = SampleFlag.LINE_NOISE if self._take_noise() else SampleFlag.NONE
        if self.capacity_n is not None and abs(force_n) > self.capacity_n:
            flags |= SampleFlag.OVERLOAD
        return PressureSample(t_s, force_n, self.probe.pressure_kpa(force_n), flags)

    def _command(self, request: bytes) -> Settings:
        """Send a command the gauge does not answer, fenced by `LIST` to catch a refusal."""
        with self._lock:
            first = self._exchange(request + codec.LIST)
            if isinstance(first, GaugeError):
                second = self._next_message()
                if isinstance(second, Settings):
                    self._learn(second)
                raise self._unexpected(request, first)
            if not isinstance(first, Settings):
                raise self._unexpected(codec.LIST, first)
            self._learn(first)
            return first

    def _text_reply(self, request: bytes) -> str:
        reply = self._exchange(request)
        if isinstance(reply, (GaugeError, Garbled)):
            raise self._unexpected(request, reply)
        return reply.text

    def _learn(self, settings: Settings) -> None:
        if settings.unit is not None:
            self._parser.assumed_unit = settings.unit
        if settings.battery_level is not None:
            self.battery_level = settings.battery_level

    def _exchange(self, request: bytes) -> Message:
        """Send `request` and return the first message after it that is not line noise.

        A garbled line may be noise that came just ahead of the reply, or the reply itself
        garbled: after one, wait as long as a reply line takes on the wire for another.
        """
        self._drain()
        self.port.write(request)
        message = self._next_message(self.reply_timeout_s)
        while isinstance(message, Garbled):
            self._noise = True
            try:
                message = self._next_message(self._line_time_s())
            except NotRespondingError:
                break
        return message

    def _line_time_s(self) -> float:
        baudrate = getattr(self.port.serial, "baudrate", None) or DEFAULT_BAUDRATE
        return max(0.01, 2 * codec.MAX_REPLY_BYTES * 10 / baudrate)

    def _drain(self) -> None:
        """Drop what arrived unasked (late replies, noise) so replies pair with requests."""
        while data := self.port.read(4096, 0):
            self._inbox.extend(self._parser.feed(data))
        while self._inbox:
            message = self._inbox.popleft()
            if isinstance(message, Garbled):
                self._noise = True
            else:
                self.stale_replies += 1
        if self._parser.discard_partial():
            self._noise = True

    def _next_message(self, timeout_s: float | None = None) -> Message:
        timeout_s = self.reply_timeout_s if timeout_s is None else timeout_s
        deadline_s = self.clock.now() + timeout_s
        while not self._inbox:
            remaining_s = deadline_s - self.clock.now()
            if remaining_s <= 0:
                raise NotRespondingError(f"Mark-10 on {self.port.url} did not answer within {timeout_s:g} s")
            self._inbox.extend(self._parser.feed(self.port.read(256, remaining_s)))
        return self._inbox.popleft()

    def _take_noise(self) -> bool:
        noise, self._noise = self._noise, False
        return noise

    def _unexpected(self, request: bytes, reply: Message) -> DriverError:
        asked = request.decode("ascii", "replace").strip()
        if isinstance(reply, GaugeError):
            return DeviceReportedError(f"Mark-10 refused {asked!r}: {reply.describe()}", code=reply.code.value)
        if isinstance(reply, Garbled):
            return UnreadableReplyError(f"Mark-10 answered {asked!r} with an unreadable line ({reply.reason}): {reply.text}")
        return UnreadableReplyError(f"Mark-10 answered {asked!r} with {reply.text!r}, which is not a reply to it")
