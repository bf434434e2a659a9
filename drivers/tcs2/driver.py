"""The TCS II thermode driver: the codec over a port, in physical units, inside a safety envelope.

One reader at a time (the thread running a procedure) pumps the port; `abort()` may be
called from any thread and goes straight to the wire. Temperatures come from the device's
spontaneous stream or, muted, from polls. Whoever collects readings (`samples()`) gets one
at least every `max_reading_gap_s` (0.25 s by default): streaming, when the newest reading is older
than that (the idle stream comes only once a second), the driver polls once (`E`); muted,
it polls anyway. Either way every reading passes the same safety checks:

- a zone above the envelope's cap by more than its tolerance aborts the stimulation;
- during a stimulation, a line silent for longer than `watchdog_s` aborts it
  (`StreamSilentError`); by half-way there the driver has polled (the gap above is at most
  `watchdog_s / 2` during a stimulation), so a live device that has ended its stimulation
  on its own (the stream drops from 100 Hz to 1 Hz) is told apart from a dead one;
- targets, holds and stimulation doses are checked before a byte is sent.

`connect()` sends `A` first (whatever the device was doing, it stops), then `Om` with the
envelope's cap, so the firmware itself refuses anything hotter. `close()` aborts.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import deque
from collections.abc import Sequence
from itertools import islice
from dataclasses import dataclass, field
from typing import NamedTuple

from drivers.clock import Clock, clock_of
from drivers.errors import (
    AbortedError,
    CommandRangeError,
    DeviceReportedError,
    DisconnectedError,
    DriverError,
    NotRespondingError,
    SafetyLimitError,
    StreamSilentError,
)
from drivers.ports import Port, open_port
from drivers.tcs2 import codec
from drivers.tcs2.messages import (
    Battery,
    Buttons,
    ErrorState,
    Identity,
    NeutralCalibrated,
    ReplyKind,
    Temperatures,
    TemperaturesAndButtons,
)
from drivers.tcs2.safety import SafetyEnvelope, StimulusProfile

log = logging.getLogger("drivers.tcs2")


def codec_min_target_c() -> float:
    return 0.01

BAUDRATE = 115200
ZONES = 5
ALL_ZONES = (True,) * ZONES
RESYNC_PADDING = b"\n" * (max(codec.COMMAND_LENGTHS.values()) - 1)
ENDED_AWAY_C = 1.0
ENDED_HOME_C = 0.3
MAX_DURATION_S = 99.999
POLL_DUE_SLACK_S = 1e-9
"""A muted poll this close to due (s) is due: float rounding must not make it wait a few ulps."""
"""The longest `D` the device takes (rise plus plateau)."""


@dataclass(frozen=True)
class DeviceIdentity:
    """Who answered: `name` is the reply to `?` (`TCS`); the rest comes from the help text."""

    name: str
    firmware: str | None
    probe_id: str | None
    probe_type: str | None


class TemperatureSample(NamedTuple):
    """One reading of the probe at `t_s` (the driver's clock, s).

    `zones_c`: zones 1–5 in °C (`None` for a zone that reads no probe). `source` is
    "stream" for a spontaneous line, "poll" for a reply. `response_pressed` is known only
    for polls that asked for the buttons (`Og`), else `None`.
    """

    t_s: float
    neutral_c: float | None
    zones_c: tuple[float | None, ...]
    resolution_c: float
    source: str
    response_pressed: bool | None = None

    @property
    def max_zone_c(self) -> float | None:
        readings = [zone_c for zone_c in self.zones_c if zone_c is not None]
        return max(readings) if readings else None

    @property
    def min_zone_c(self) -> float | None:
        readings = [zone_c for zone_c in self.zones_c if zone_c is not None]
        return min(readings) if readings else None


@dataclass(frozen=True)
class Stimulus:
    """A stimulation: from neutral to `target_c` at `ramp_c_per_s`, hold `plateau_s`, back
    at `return_c_per_s`. `stoppable`: the participant's response button ends it (`Ol`).

    The device's duration `D` is rise + plateau, so the device returns by itself at the end
    even if the host is gone.
    """

    target_c: float
    ramp_c_per_s: float = 1.0
    return_c_per_s: float = 5.0
    plateau_s: float = 0.0
    zones: tuple[bool, ...] = ALL_ZONES
    stoppable: bool = False


@dataclass
class _Stimulation:
    started_s: float
    profile: StimulusProfile
    active_until_s: float
    follow: bool = False
    aborted: bool = False
    furthest_c: float = 0.0


@dataclass
class _Replies:
    """Replies not yet claimed by a query, and the count of temperature readings seen."""

    pending: deque = field(default_factory=deque)
    readings_seen: int = 0


class Tcs2:
    """A QST.Lab TCS II on a port. Methods take and return °C, °C/s and s.

    Open with `Tcs2.open(url)`: `/dev/ttyACM0`, `COM3`, `sim://tcs2?seed=3` (after
    `import simulators`) or a pty host's path.

    `max_reading_gap_s`: how old (s) `samples()` lets the newest reading get before it polls
    for one (`E`); so a silence longer than that is the device's, not the 1 Hz idle stream's.
    """

    def __init__(
        self,
        port: Port,
        *,
        clock: Clock | None = None,
        envelope: SafetyEnvelope | None = None,
        neutral_c: float = 32.0,
        streaming: bool = True,
        watchdog_s: float = 0.5,
        max_reading_gap_s: float = 0.25,
        poll_interval_s: float = 0.01,
        reply_timeout_s: float = 0.5,
        command_pacing_s: float = 0.0,
    ):
        self._port = port
        self.clock: Clock = clock or clock_of(port)
        self.envelope = envelope or SafetyEnvelope()
        self.envelope.check_neutral(neutral_c)
        self.neutral_c = neutral_c
        self.streaming = streaming
        self.watchdog_s = watchdog_s
        self.max_reading_gap_s = max_reading_gap_s
        self.poll_interval_s = poll_interval_s
        self.reply_timeout_s = reply_timeout_s
        self.command_pacing_s = command_pacing_s
        self._parser = codec.ReplyParser()
        self._replies = _Replies()
        self._samples: deque[TemperatureSample] = deque(maxlen=200_000)
        self.latest: TemperatureSample | None = None
        self._last_reading_s = self.clock.now()
        self._stimulation: _Stimulation | None = None
        self._io_lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._aborts = 0
        self._poll_outstanding = False
        self._last_poll_s = -math.inf
        self.identity: DeviceIdentity | None = None

    # -- opening and closing -------------------------------------------------------------

    @classmethod
    def open(cls, url: str, *, connect: bool = True, **options) -> "Tcs2":
        """Open `url` (exclusive), then `connect()` unless told not to."""
        driver = cls(open_port(url, device="tcs2", baudrate=BAUDRATE), **options)
        if connect:
            try:
                driver.connect()
            except BaseException:
                driver._port.close()
                raise
        return driver

    def connect(self) -> DeviceIdentity:
        """Make the device safe and known: `A` first, `Om` cap, neutral, stream mode, identity."""
        # A command cut short (a cable pulled mid-command) swallows the bytes that follow
        # until its fixed length is reached; LF is ignored between commands. So: A first,
        # enough LFs to finish the longest half-sent command, and A again.
        self._send([codec.abort() + RESYNC_PADDING + codec.abort()], interruptible=False)
        self._stimulation = None
        self._send(
            [
                codec.set_max_temperature(self.envelope.max_c),
                codec.set_neutral(self.neutral_c),
                *self._stream_commands(self.streaming),
            ],
            interruptible=False,
        )
        self.identity = self.identify()
        log.info("connected to %s on %s", self.identity, self._port.url)
        return self.identity

    def reconnect(self) -> DeviceIdentity:
        """Reopen the same port (after a disconnect) and `connect()`: the first byte is `A`."""
        url = self._port.url
        self._port.close()
        self._port = open_port(url, device="tcs2", baudrate=BAUDRATE)
        self._parser = codec.ReplyParser()
        self._replies = _Replies()
        self._last_reading_s = self.clock.now()
        return self.connect()

    def close(self) -> None:
        """Abort whatever runs (the probe returns to neutral), then close the port."""
        try:
            if self._port.is_open:
                self.abort()
        except DriverError:
            pass
        finally:
            self._port.close()

    def __enter__(self) -> "Tcs2":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def url(self) -> str:
        return self._port.url

    @property
    def dropped_frames(self) -> int:
        """Frames the codec had to throw away (garbage on the line)."""
        return self._parser.dropped_frames

    # -- writing ---------------------------------------------------------------------------

    def _send(self, commands: list[bytes], *, interruptible: bool = True) -> None:
        """Write whole commands; an `abort()` from another thread stops the rest.

        With `command_pacing_s`, characters go one at a time that far apart (some vendor
        examples pace 1 ms per character); a command is never cut in half.
        """
        aborts_before = self._aborts
        with self._write_lock:
            for command in commands:
                if interruptible and self._aborts != aborts_before:
                    raise AbortedError("aborted before the commands were all sent")
                if self.command_pacing_s > 0:
                    for index in range(len(command)):
                        self._port.write(command[index : index + 1])
                        self.clock.sleep(self.command_pacing_s)
                else:
                    self._port.write(command)

    def abort(self) -> None:
        """Return the probe to neutral now: `A` goes to the wire at once, from any thread."""
        self._aborts += 1
        with self._write_lock:
            self._port.write(codec.abort())
        stimulation = self._stimulation
        if stimulation is not None and not stimulation.aborted:
            stimulation.aborted = True
            stimulation.follow = False
            now = self.clock.now()
            hottest = self._distance_from_neutral_c()
            stimulation.active_until_s = now + hottest / stimulation.profile.return_c_per_s + self.watchdog_s
        log.info("abort sent")

    @property
    def abort_count(self) -> int:
        """How many times `abort()` has been called (it counts before it reaches the wire)."""
        return self._aborts

    def _distance_from_neutral_c(self, readings: Sequence[float] | None = None) -> float:
        """How far (°C) the zone furthest from neutral is: of `readings` (zones that read a
        temperature), or of the latest sample's. The furthest is the hottest or the coldest."""
        if readings is None:
            sample = self.latest
            readings = [] if sample is None else [z for z in sample.zones_c if z is not None]
        if not readings:
            return 0.0
        return max(max(readings) - self.neutral_c, self.neutral_c - min(readings))

    # -- reading ---------------------------------------------------------------------------

    def _pump(self, timeout_s: float) -> None:
        """Read what arrives within `timeout_s`, sort it into readings and replies, check safety."""
        now = self.clock.now()
        if self._stimulating(now):
            # Wake exactly when the watchdog's bound runs out, not a poll later.
            timeout_s = min(timeout_s, self._last_reading_s + self.watchdog_s - now + 1e-6)
        data = self._port.read(4096, max(0.0, timeout_s))
        if not data:
            return
        for message in self._parser.feed(data):
            self._take(message)

    def _take(self, message) -> None:
        now = self.clock.now()
        if isinstance(message, Temperatures):
            source = "poll" if self._poll_outstanding else "stream"
            self._poll_outstanding = False
            self._record(message, now, source)
        elif isinstance(message, TemperaturesAndButtons):
            self._poll_outstanding = False
            self._record(message.temperatures, now, "poll", message.buttons.response)
            self._replies.pending.append(message)
        else:
            self._replies.pending.append(message)

    def _record(self, reading: Temperatures, now: float, source: str, response: bool | None = None) -> None:
        sample = TemperatureSample(now, reading.neutral_c, reading.zones_c, reading.resolution_c, source, response)
        self._replies.readings_seen += 1
        self._last_reading_s = now
        self.latest = sample
        self._samples.append(sample)
        self._check_reading(sample)

    def _check_reading(self, sample: TemperatureSample) -> None:
        zones_c = sample.zones_c
        readings = [zone_c for zone_c in zones_c if zone_c is not None] if None in zones_c else zones_c
        hottest = max(readings) if readings else None
        if hottest is not None and self.envelope.reading_unsafe(hottest):
            self.abort()
            raise SafetyLimitError(
                f"aborted: a zone reads {hottest:.1f} °C, above the {self.envelope.max_c:g} °C cap "
                f"by more than {self.envelope.overshoot_c:g} °C"
            )
        stimulation = self._stimulation
        if stimulation is None:
            return
        if readings is not zones_c:
            self.abort()
            raise SafetyLimitError("aborted: the probe reads as disconnected (a zone above 65 °C)")
        distance_c = self._distance_from_neutral_c(readings)
        stimulation.furthest_c = max(stimulation.furthest_c, distance_c)
        # Out by a degree and back home: the device has ended it (on time, early on the
        # participant's button, or aborted). Follow mode holds until told otherwise.
        if not stimulation.follow and stimulation.furthest_c >= ENDED_AWAY_C and distance_c < ENDED_HOME_C:
            self._stimulation = None

    def _stimulating(self, now: float) -> bool:
        stimulation = self._stimulation
        if stimulation is None:
            return False
        if not stimulation.follow and now > stimulation.active_until_s:
            self._stimulation = None
            return False
        return True

    def _watch(self, now: float) -> bool:
        """The watchdog: during a stimulation, silence past `watchdog_s` aborts. Returns
        whether a stimulation is running."""
        if not self._stimulating(now):
            return False
        silent_s = now - self._last_reading_s
        if silent_s > self.watchdog_s:
            self.abort()
            raise StreamSilentError(
                f"aborted: no temperature from the thermode for {silent_s:.2f} s during a stimulation "
                f"(limit {self.watchdog_s:g} s)"
            )
        return True

    def _query_reading(self, command: bytes, kind: ReplyKind) -> None:
        with self._io_lock:
            self._parser.expect(kind)
            self._poll_outstanding = True
            self._send([command], interruptible=False)

    def samples(self, duration_s: float) -> list[TemperatureSample]:
        """Collect readings for `duration_s` seconds of the driver's clock, watchdog armed.

        Readings come at least every `max_reading_gap_s`. Streaming, the device's own lines
        arrive (100 Hz during a stimulation, 1 Hz otherwise); whenever the newest reading is
        older than the gap (at most `watchdog_s / 2` during a stimulation), the driver polls
        `E` once, and it never waits past the moment the next poll falls due. Muted, the
        driver polls `Og` every `poll_interval_s` during a stimulation (so buttons come with
        each reading) and `E` otherwise. Raises `SafetyLimitError` / `StreamSilentError`
        after aborting, `DisconnectedError` if the port goes away.
        """
        with self._io_lock:
            seen_before = self._replies.readings_seen
            end_s = self.clock.now() + max(0.0, duration_s)
            while True:
                now = self.clock.now()
                stimulating = self._watch(now)
                if self.streaming:
                    if now > self._reading_due_s(stimulating):
                        self._poll_once(buttons=False)
                        if stimulating:
                            self._maybe_ended_on_its_own()
                elif now >= self._last_poll_s + self.poll_interval_s - POLL_DUE_SLACK_S:
                    # Due from the previous poll, which may have been the previous call's last:
                    # back-to-back calls keep the pace instead of polling twice at one instant.
                    self._poll_once(buttons=stimulating)
                now = self.clock.now()
                remaining = end_s - now
                if remaining <= 0:
                    break
                if self.streaming:
                    wait_s = min(remaining, self.poll_interval_s) if stimulating else remaining
                else:
                    wait_s = min(remaining, max(0.0, self._last_poll_s + self.poll_interval_s - now))
                if stimulating:
                    wait_s = min(wait_s, max(0.001, self.watchdog_s / 4))
                if self.streaming:
                    due_in_s = self._reading_due_s(stimulating) - now
                    # Wake just past the moment the next poll falls due; overdue (the poll
                    # went unanswered), ask again after one poll interval.
                    wait_s = min(wait_s, due_in_s + 1e-6 if due_in_s > 0 else self.poll_interval_s)
                    self._pump(wait_s)
                else:
                    # Muted, nothing comes unasked: wait, and the next poll reads what did come.
                    self.clock.sleep(wait_s)
            return self._readings_since(seen_before)

    def _reading_due_s(self, stimulating: bool) -> float:
        """When (driver's clock, s) `samples()` polls if no reading has come by then."""
        gap_s = min(self.max_reading_gap_s, self.watchdog_s / 2) if stimulating else self.max_reading_gap_s
        return self._last_reading_s + gap_s

    def _readings_since(self, seen_before: int) -> list[TemperatureSample]:
        count = min(self._replies.readings_seen - seen_before, len(self._samples))
        if count <= 0:
            return []
        newest_first = list(islice(reversed(self._samples), count))
        newest_first.reverse()
        return newest_first

    def _poll_once(self, buttons: bool) -> None:
        """One polled reading; the reply (if any) lands in the samples via `_take`."""
        before = self._replies.readings_seen
        self._last_poll_s = self.clock.now()
        if buttons:
            self._query_reading(codec.temperatures_and_buttons(), ReplyKind.TEMPERATURES_AND_BUTTONS)
        else:
            self._query_reading(codec.temperatures(), ReplyKind.TEMPERATURES)
        deadline = self.clock.now() + min(self.poll_interval_s * 5, self.reply_timeout_s)
        while True:
            remaining = deadline - self.clock.now()
            if remaining <= 0:
                break
            self._pump(remaining)
            if self._replies.readings_seen != before:
                break
            self._watch(self.clock.now())
        self._discard_claimed(TemperaturesAndButtons)

    def _maybe_ended_on_its_own(self) -> None:
        """A live device that answered a poll but streams no more has ended the stimulation."""
        stimulation = self._stimulation
        if stimulation is None or stimulation.follow:
            return
        if self.clock.now() - self._last_reading_s < self.watchdog_s / 2 and self._distance_from_neutral_c() < 1.0:
            self._stimulation = None

    def _discard_claimed(self, kind: type) -> None:
        pending = self._replies.pending
        if len(pending) == 1 and isinstance(pending[0], kind):  # a poll's own reply: the usual case
            pending.clear()
        elif pending:
            self._replies.pending = deque(m for m in pending if not isinstance(m, kind))

    def _await_reply(self, kind: type, timeout_s: float):
        deadline = self.clock.now() + timeout_s
        while True:
            for message in self._replies.pending:
                if isinstance(message, kind):
                    self._replies.pending.remove(message)
                    return message
            remaining = deadline - self.clock.now()
            if remaining <= 0:
                raise NotRespondingError(f"the thermode on {self._port.url} did not answer within {timeout_s:g} s")
            self._pump(remaining)
            self._watch(self.clock.now())

    def _query(self, command: bytes, kind: ReplyKind, reply_type: type, timeout_s: float | None = None):
        with self._io_lock:
            self._discard_claimed(reply_type)
            self._parser.expect(kind)
            self._send([command], interruptible=False)
            return self._await_reply(reply_type, timeout_s or self.reply_timeout_s)

    # -- queries ---------------------------------------------------------------------------

    def identify(self) -> DeviceIdentity:
        """`?` (must answer `TCS`), then the help text for firmware, probe id and probe type."""
        reply = self._query(codec.identify(), ReplyKind.IDENTITY, Identity)
        if reply.text != "TCS":
            raise DeviceReportedError(f"not a TCS II: the device on {self._port.url} calls itself {reply.text!r}")
        text = self._help_text()
        info = codec.parse_help(text)
        return DeviceIdentity(reply.text, info.firmware, info.probe_id, info.probe_type)

    def _help_text(self, quiet_s: float = 0.15, limit_s: float = 3.0) -> bytes:
        """The `H` reply, read with the stream muted until the line has been quiet `quiet_s`."""
        with self._io_lock:
            self._send([codec.mute()], interruptible=False)
            self._drain_quiet(quiet_s / 3)
            self._send([codec.help_text()], interruptible=False)
            text = bytearray()
            deadline = self.clock.now() + limit_s
            while self.clock.now() < deadline:
                chunk = self._port.read(4096, quiet_s)
                if not chunk:
                    break
                text += chunk
            if self.streaming:
                self._send(self._stream_commands(True), interruptible=False)
            self._parser = codec.ReplyParser()
        return bytes(text)

    def _drain_quiet(self, quiet_s: float) -> None:
        while self._port.read(4096, quiet_s):
            pass

    def temperatures(self) -> TemperatureSample:
        """The current reading (`E`, 0.1 °C), whether the stream runs or not."""
        with self._io_lock:
            before = self._replies.readings_seen
            self._query_reading(codec.temperatures(), ReplyKind.TEMPERATURES)
            return self._await_reading(before)

    def temperatures_fine(self) -> TemperatureSample:
        """The current reading in hundredths of a degree (`Oe`)."""
        with self._io_lock:
            before = self._replies.readings_seen
            self._query_reading(codec.temperatures_fine(), ReplyKind.TEMPERATURES_FINE)
            return self._await_reading(before, lambda sample: sample.resolution_c < 0.1)

    def _await_reading(self, before: int, wanted=lambda sample: True) -> TemperatureSample:
        """The first reading after the `before`-th that `wanted` accepts."""
        deadline = self.clock.now() + self.reply_timeout_s
        while True:
            for sample in self._readings_since(before):
                if wanted(sample):
                    return sample
            remaining = deadline - self.clock.now()
            if remaining <= 0:
                raise NotRespondingError(f"the thermode on {self._port.url} sent no temperatures")
            self._pump(remaining)

    def buttons(self) -> Buttons:
        """The stim and response buttons (`K`)."""
        return self._query(codec.buttons(), ReplyKind.BUTTONS, Buttons)

    def temperatures_and_buttons(self) -> TemperatureSample:
        """One reading with the response button's state (`Og`)."""
        with self._io_lock:
            before = self._replies.readings_seen
            self._query_reading(codec.temperatures_and_buttons(), ReplyKind.TEMPERATURES_AND_BUTTONS)
            sample = self._await_reading(before)
            self._discard_claimed(TemperaturesAndButtons)
            return sample

    def errors(self) -> ErrorState:
        """The error state of neutral and zones (`Q`); 0 is OK."""
        return self._query(codec.errors(), ReplyKind.ERROR_STATE, ErrorState)

    def check_errors(self) -> None:
        """Raise `DeviceReportedError` with the codes if any element reports an error."""
        state = self.errors()
        if not state.ok:
            codes = f"{state.neutral}" + "".join(str(code) for code in state.zones)
            raise DeviceReportedError(f"thermode reports an error state {codes} (neutral, zones 1–5)", codes)

    def battery(self) -> Battery:
        """Battery voltage and charge (`B`)."""
        return self._query(codec.battery(), ReplyKind.BATTERY, Battery)

    # -- settings --------------------------------------------------------------------------

    def _stream_commands(self, on: bool) -> list[bytes]:
        return [codec.stream_idle_on(), codec.stream_stim_on()] if on else [codec.mute()]

    def set_streaming(self, on: bool) -> None:
        """Spontaneous temperatures on (1 Hz idle, 100 Hz stimulating) or muted (polled)."""
        self._send(self._stream_commands(on), interruptible=False)
        self.streaming = on

    def set_neutral(self, temperature_c: float) -> None:
        """The neutral (baseline) temperature, 20.0–40.0 °C, within the envelope."""
        self.envelope.check_neutral(temperature_c)
        self._send([codec.set_neutral(temperature_c)])
        self.neutral_c = temperature_c

    def calibrate_neutral(self, timeout_s: float = 10.0) -> float:
        """`G`: the device measures its neutral; returns it in °C (takes a few seconds)."""
        reply = self._query(codec.calibrate_neutral(), ReplyKind.NEUTRAL, NeutralCalibrated, timeout_s)
        self.neutral_c = reply.neutral_c
        return reply.neutral_c

    def set_zones(self, enabled: tuple[bool, ...]) -> None:
        """Which of zones 1–5 stimulate."""
        self._send([codec.enable_zones(enabled)])

    def set_limits(self, envelope: SafetyEnvelope) -> None:
        """Adopt another envelope (e.g. a battery's widened limits) and cap the device to it."""
        self._send([codec.set_max_temperature(envelope.max_c)], interruptible=False)
        self.envelope = envelope

    def _target_command(self, temperature_c: float) -> bytes:
        # 0 °C (a cold cut-off) is sent as 0.01 °C, the lowest target the device takes.
        temperature_c = max(temperature_c, codec_min_target_c())
        if temperature_c >= 10.0 and round(temperature_c * 10) == round(temperature_c * 100) / 10:
            return codec.set_target(0, temperature_c)
        return codec.set_target_fine(0, temperature_c)

    @staticmethod
    def _speed_command(rate_c_per_s: float, coarse, fine) -> bytes:
        if rate_c_per_s >= 0.1 and abs(rate_c_per_s * 10 - round(rate_c_per_s * 10)) < 1e-9:
            return coarse(0, rate_c_per_s)
        return fine(0, rate_c_per_s)

    # -- stimulation -----------------------------------------------------------------------

    def profile_of(self, stimulus: Stimulus) -> StimulusProfile:
        """The trapezoid `stimulus` would trace from the current neutral."""
        rise_s = abs(stimulus.target_c - self.neutral_c) / stimulus.ramp_c_per_s
        return StimulusProfile(
            neutral_c=self.neutral_c,
            target_c=stimulus.target_c,
            ramp_c_per_s=stimulus.ramp_c_per_s,
            return_c_per_s=stimulus.return_c_per_s,
            duration_s=rise_s + stimulus.plateau_s,
        )

    def stimulate(self, stimulus: Stimulus) -> StimulusProfile:
        """Check `stimulus` against the envelope, set it up and start it (`L`, or `Ol`).

        The device's `D` is rise + plateau, so it returns to neutral by itself. Returns the
        profile it will trace. Raises `SafetyLimitError` (nothing sent) when refused.
        """
        if stimulus.ramp_c_per_s <= 0 or stimulus.return_c_per_s <= 0 or stimulus.plateau_s < 0:
            raise CommandRangeError("ramp and return speeds must be positive and the plateau not negative")
        profile = self.profile_of(stimulus)
        self.envelope.check_stimulus(profile)
        if profile.duration_s > MAX_DURATION_S:
            raise CommandRangeError(
                f"stimulation of {profile.duration_s:.1f} s (rise + plateau) exceeds the device's {MAX_DURATION_S} s"
            )
        commands = [
            codec.enable_zones(stimulus.zones),
            self._target_command(stimulus.target_c),
            self._speed_command(stimulus.ramp_c_per_s, codec.set_ramp_speed, codec.set_ramp_speed_fine),
            self._speed_command(stimulus.return_c_per_s, codec.set_return_speed, codec.set_return_speed_fine),
            codec.set_duration(0, max(0.001, profile.duration_s)),
            codec.start_stoppable() if stimulus.stoppable else codec.start(),
        ]
        with self._io_lock:
            now = self.clock.now()
            if self._stimulating(now):
                raise DriverError("a stimulation is already running; wait for it or abort it")
            self._send(commands)
            now = self.clock.now()
            self._last_reading_s = now
            self._stimulation = _Stimulation(now, profile, now + profile.total_s + self.watchdog_s)
        log.info("stimulation started: %s", profile)
        return profile

    def follow(self, temperature_c: float, ramp_c_per_s: float = 1.0, return_c_per_s: float = 5.0) -> None:
        """Follow mode (`Od`): go to `temperature_c` and hold it until `abort()`.

        An open-ended hold is allowed only where the dose table sets no bound.
        """
        self.envelope.check_hold(temperature_c)
        commands = [
            self._target_command(temperature_c),
            self._speed_command(ramp_c_per_s, codec.set_ramp_speed, codec.set_ramp_speed_fine),
            self._speed_command(return_c_per_s, codec.set_return_speed, codec.set_return_speed_fine),
            codec.follow(),
        ]
        with self._io_lock:
            self._send(commands)
            now = self.clock.now()
            self._last_reading_s = now
            profile = StimulusProfile(self.neutral_c, temperature_c, ramp_c_per_s, return_c_per_s, MAX_DURATION_S)
            self._stimulation = _Stimulation(now, profile, now + MAX_DURATION_S, follow=True)

    @property
    def stimulating(self) -> bool:
        """True from `stimulate()` until the probe is back at neutral (as far as the driver knows)."""
        return self._stimulating(self.clock.now())

    def wait_until_idle(self, timeout_s: float = 120.0) -> list[TemperatureSample]:
        """Collect readings until the stimulation is over; returns them."""
        collected: list[TemperatureSample] = []
        deadline = self.clock.now() + timeout_s
        while self.stimulating:
            if self.clock.now() > deadline:
                raise NotRespondingError(f"the stimulation did not end within {timeout_s:g} s")
            collected += self.samples(0.05)
        return collected

    def drain_samples(self) -> list[TemperatureSample]:
        """All readings kept since the last drain (oldest first), and forget them."""
        with self._io_lock:
            taken = list(self._samples)
            self._samples.clear()
            return taken
