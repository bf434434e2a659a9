"""The simulated TCS II thermode: command table, wire replies, probe physics, faults.

Time is whatever the transport says (`advance_to`, `receive`); the first call anchors a
10 ms grid. Everything spontaneous happens on that grid or at exact events (a zone's `D`
running out, the `G` reply), never at the times the host happens to poll, so the same
seed and the same host traffic give the same bytes however finely time is sliced.

Behaviour the table leaves open, as this simulator reads it:

- Defaults at power-on: targets = neutral, ramp and return speed 1.0 °C/s, duration
  1000 ms, maximum (`Om`) 60.0 °C, all zones enabled, both streams on.
- `L`, `Ol` and `Od` start only from idle (every zone back at neutral); while a
  stimulation or its return is under way they are ignored. `S`, `C`/`Ot` and speed
  changes take effect at the next start, except that in follow mode a new target is
  followed at once (at the ramp speed). A new `Om` also caps a running stimulation at once.
- Each zone's `D` is counted from the start; when it runs out that zone returns to
  neutral at its return speed, whether or not it has reached its target.
- `Ol`: a press of the response button (not a button already held) starts the return of
  every zone. `Od`'s hold has no time limit; `A` ends it.
- The stimulation is over when every zone's setpoint is back at neutral; the 100 Hz
  stream runs from the start until then (follow mode included).
- `N` moves the neutral reference and every zone not held at a target to the new neutral
  at its return speed (the reference at the fastest zone's). `G` (idle only) answers
  `\\rNxxx` 3 s later with the zones' mean true temperature at that moment, which it
  adopts as the neutral (within 20.0–40.0 °C).
- The stim button is only reported (`K`, `Og`); the response button is also reported.
- A command begun before an unplug is still waiting for its remaining bytes after the
  replug, as in firmware that never saw the cable go.
- Zone error (`set_zone_error(z, code)`, code 1–9): zone z (1–5) returns to neutral at its
  return speed and takes no part in stimulations until its code is set back to 0; the
  neutral's error (z = 0) ends any stimulation (all zones return) and refuses new starts.
- Battery: 10.8 V at 0 % to 12.6 V at 100 %, linear; drains 6 %/h idle, 60 %/h while a
  stimulation runs.

Ticks come every 10 ms while anything moves or a stimulation runs, and every 1 s when all
is settled; at each, `response_hook` (if set) is asked, `probe_log` gets a record, and a
stream line goes out if one is due. Buttons and faults act at the `t_s` given, or at the
latest time the core has seen (so advance it first when driving it by hand).
"""

from __future__ import annotations

import math
import random
from collections import deque
from typing import Callable

from simulators.tcs2 import replies
from simulators.tcs2.commands import Command, CommandParser
from simulators.tcs2.normal_table import BITS, MASK, normal_table
from simulators.tcs2.probe_log import ProbeLog, ProbeRecord
from simulators.tcs2.quiet_noise import QuietNoise
from simulators.tcs2.settings import Tcs2Settings
from simulators.tcs2.thermal import Channel

TICK_S = 0.01  # physics/log/100 Hz stream grid
IDLE_TICKS = 100  # the 1 Hz stream: every 100th tick
G_DELAY_S = 3.0
DEFAULT_RATE_C_PER_S = 1.0
DEFAULT_DURATION_S = 1.0
DEFAULT_CAP_C = 60.0
IDLE_DRAIN_PERCENT_PER_S = 6.0 / 3600
STIM_DRAIN_PERCENT_PER_S = 60.0 / 3600
EMPTY_VOLTS, FULL_VOLTS = 10.8, 12.6
RX_LOG_SIZE = 100_000
OUTPUT_CHUNKS = 100_000  # a host that never reads loses the oldest lines, whole

ResponseHook = Callable[[float, tuple[float, ...]], bool]


def _flag(value: object) -> bool:
    """A boolean from a control-socket argument: True/False, 1/0, "on"/"off", "true"/"false"."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("1", "true", "on", "yes"):
            return True
        if text in ("0", "false", "off", "no"):
            return False
        raise ValueError(f"not a yes/no value: {value!r}")
    return bool(value)


class Tcs2Core:
    """A TCS II thermode with a 5-zone probe, as `simulators.core.DeviceCore`."""

    FAULTS = ("unplug", "replug", "stall", "inject_garbage", "set_zone_error", "overshoot", "set_battery")
    baudrate = 115200

    def __init__(self, seed: int = 0, settings: Tcs2Settings | None = None):
        self.settings = settings = settings or Tcs2Settings()
        self._rng = random.Random(seed)
        self._quiet_noise = QuietNoise(settings.noise_c, self._rng.random)
        self._reading_noise = normal_table(settings.noise_c) if settings.noise_c > 0 else None
        self._quiet_lines: dict[tuple[int, ...], bytes] = {}
        self._parser = CommandParser()
        neutral_c = settings.neutral_c
        self._neutral_c = neutral_c
        self._reference = Channel(neutral_c, settings.lag_s)
        self._zones = [Channel(neutral_c, settings.lag_s) for _ in range(5)]
        self._moving: list[Channel] = []
        self._share_zones()
        # what the host set, per zone
        self._targets_c = [neutral_c] * 5
        self._ramp_c_per_s = [DEFAULT_RATE_C_PER_S] * 5
        self._return_c_per_s = [DEFAULT_RATE_C_PER_S] * 5
        self._durations_s = [DEFAULT_DURATION_S] * 5
        self._enabled = [True] * 5
        self._cap_c = DEFAULT_CAP_C
        self._stream_idle = True
        self._stream_stim = True
        self._trigger = (1, 10)
        self._trigger_in_enabled = False
        # the stimulation
        self._mode = "idle"  # idle | stim | follow
        self._stop_on_response = False
        self._taking_part = [False] * 5
        self._returning = [False] * 5
        self._deadline_s = [math.inf] * 5
        self._held_target_c = [neutral_c] * 5
        self._g_due_s = math.inf
        # buttons, faults, battery
        self._stim_down = False
        self._response_down = False
        self._errors = [0] * 6
        self._overshoot_c = 0.0
        self._battery_percent = settings.battery_percent
        self._unplugged = False
        self._stalled = False
        self._garbage = b""
        # time
        self._t0: float | None = None
        self._k = 0  # last tick done, at _t0 + _k * TICK_S
        self._t_state = 0.0  # the time the physical state is at
        self._now_s = 0.0  # the latest time seen
        self._last_phase = ""
        # what the world can read
        self.response_hook: ResponseHook | None = None
        self.probe_log = ProbeLog(settings.log_size)
        self.rx_log: deque[tuple[float, bytes]] = deque(maxlen=RX_LOG_SIZE)
        self.rx_bytes: deque[tuple[float, bytes]] = deque(maxlen=RX_LOG_SIZE)
        self.triggers_sent: deque[tuple[float, int, int]] = deque(maxlen=RX_LOG_SIZE)
        self.frames_sent = 0
        self._out: deque[bytes] = deque(maxlen=OUTPUT_CHUNKS)

    # ---- DeviceCore ------------------------------------------------------------------

    @property
    def unplugged(self) -> bool:
        return self._unplugged

    def advance_to(self, t_s: float) -> None:
        """Run physics, timers and spontaneous output up to `t_s` (s); earlier times are ignored."""
        if self._t0 is None:
            self._start_clock(t_s)
            return
        if t_s <= self._now_s:
            return
        while True:
            quiet = self._quiet()
            if quiet and self.response_hook is None:
                self._run_quiet(t_s)
            k = self._next_tick(quiet)
            t_tick = self._t0 + k * TICK_S
            t_event = min(min(self._deadline_s), self._g_due_s)
            if t_event <= t_tick:
                if t_event > t_s:
                    break
                self._sync(t_event, quiet)
                self._fire_timers(t_event)
                if t_event == t_tick:  # the tick at that very instant still runs, after the timer
                    self._k = k
                    self._tick(t_tick, k, self._quiet())
            else:
                if t_tick > t_s:
                    break
                self._sync(t_tick, quiet)
                self._k = k
                self._tick(t_tick, k, quiet)
        self._now_s = t_s

    def receive(self, data: bytes, t_s: float) -> None:
        """Bytes from the host arriving at `t_s` (s)."""
        self.advance_to(t_s)
        if self._unplugged:
            return
        t = self._now_s
        self.rx_bytes.append((t, bytes(data)))
        if self._stalled:
            return
        for command in self._parser.feed(data):
            self._sync(t)
            self.rx_log.append((t, command.raw))
            query = _QUERIES.get(command.name)
            if query is not None:
                self._emit(query(self))  # a query changes nothing: no phase to settle
            else:
                self._apply(command, t)
                self._settle_phase(t)

    def take_output(self) -> bytes:
        if self._unplugged or not self._out:
            return b""
        data = b"".join(self._out)
        self._out.clear()
        return data

    def next_event_s(self) -> float:
        if self._t0 is None:
            return math.inf
        t_event = min(min(self._deadline_s), self._g_due_s)
        quiet = self._quiet()
        if quiet and not self._stream_idle and self.response_hook is None:
            return t_event
        return min(t_event, self._t0 + self._next_tick(quiet) * TICK_S)

    # ---- what tests and hosts read ---------------------------------------------------

    @property
    def now_s(self) -> float:
        return self._now_s

    @property
    def phase(self) -> str:
        """idle, rise, plateau, return or follow (see `probe_log`)."""
        return self._phase()

    @property
    def neutral_c(self) -> float:
        """The neutral temperature set (°C)."""
        return self._neutral_c

    @property
    def true_temperatures_c(self) -> tuple[float, tuple[float, ...]]:
        """(neutral reference, zones 1–5) true temperatures (°C) at the last state update."""
        return self._reference.true_c, tuple(zone.true_c for zone in self._zones)

    @property
    def battery_percent(self) -> float:
        return self._battery_percent

    @property
    def stalled(self) -> bool:
        return self._stalled

    @property
    def commands_dropped(self) -> int:
        return self._parser.dropped

    # ---- buttons and trigger-in (t_s: when, default the core's current time) ----------

    def press_response(self, t_s: float | None = None) -> None:
        self._at(t_s)
        self._set_response(True)
        self._settle_phase(self._t_state)

    def release_response(self, t_s: float | None = None) -> None:
        self._at(t_s)
        self._set_response(False)

    def press_stim(self, t_s: float | None = None) -> None:
        self._at(t_s)
        self._stim_down = True

    def release_stim(self, t_s: float | None = None) -> None:
        self._at(t_s)
        self._stim_down = False

    def trigger_in(self, t_s: float | None = None) -> None:
        """A pulse on the trigger input: starts a stimulation (as `L`) if `Ose` enabled it."""
        self._at(t_s)
        if self._trigger_in_enabled and self._t0 is not None:
            self._start(self._t_state, stop_on_response=False)
            self._settle_phase(self._t_state)

    # ---- faults (FAULTS): plain arguments; t_s keyword-only, out of a control socket's reach

    def unplug(self, *, t_s: float | None = None) -> None:
        """Pull the cable: output is lost, input cannot arrive; the device itself goes on."""
        self._at(t_s)
        self._unplugged = True
        self._out.clear()

    def replug(self, *, t_s: float | None = None) -> None:
        self._at(t_s)
        self._unplugged = False

    def stall(self, on: bool | str | int = True, *, t_s: float | None = None) -> None:
        """Firmware hang (`on`) or its end: no new output, input ignored; physics and timers go on.

        Bytes the device had already sent before the hang still arrive.
        """
        self._at(t_s)
        self._stalled = _flag(on)

    def inject_garbage(self, data: bytes | str, *, t_s: float | None = None) -> None:
        """Bytes to emit just before the next line or reply (str is sent as UTF-8)."""
        self._at(t_s)
        self._garbage += data.encode("utf-8") if isinstance(data, str) else bytes(data)

    def set_zone_error(self, zone: int | str, code: int | str, *, t_s: float | None = None) -> None:
        """Error `code` (0–9, 0 clears) on zone 1–5, or on the neutral with zone 0 (see module doc)."""
        zone, code = int(zone), int(code)
        if not 0 <= zone <= 5 or not 0 <= code <= 9:
            raise ValueError(f"zone must be 0–5 and code 0–9, not zone {zone} code {code}")
        self._at(t_s)
        self._errors[zone] = code
        if code and zone == 0:
            self._abort()
        elif code and self._taking_part[zone - 1] and not self._returning[zone - 1]:
            self._send_home(zone - 1)
        self._settle_phase(self._t_state)

    def overshoot(self, extra_c: float | str, *, t_s: float | None = None) -> None:
        """From now on, zones held at a target run `extra_c` (°C, ≥ 0; 0 = off) above it, cap or not."""
        extra_c = float(extra_c)
        if not extra_c >= 0:
            raise ValueError(f"overshoot must be ≥ 0 °C, not {extra_c}")
        self._at(t_s)
        self._overshoot_c = extra_c
        self._retarget()
        self._settle_phase(self._t_state)

    def set_battery(self, percent: float | str, *, t_s: float | None = None) -> None:
        self._at(t_s)
        self._battery_percent = min(max(float(percent), 0.0), 100.0)

    # ---- time ------------------------------------------------------------------------

    def _start_clock(self, t_s: float) -> None:
        self._t0 = self._t_state = self._now_s = float(t_s)
        self._k = 0
        self._tick(self._t0, 0, self._quiet())

    def _at(self, t_s: float | None) -> None:
        """Bring the state to `t_s` (or to the latest time seen) for an out-of-band change."""
        if t_s is not None:
            self.advance_to(t_s)
        if self._t0 is not None:
            self._sync(self._now_s)

    def _quiet(self) -> bool:
        return self._mode == "idle" and all(channel.settled for channel in self._moving)

    def _next_tick(self, quiet: bool) -> int:
        """Index of the next tick to do: the next 10 ms one, or the next 1 s one when quiet."""
        t0, t_state = self._t0, self._t_state
        k = self._k + 1
        guess = int((t_state - t0) / TICK_S)
        if guess > k:
            k = guess
        while t0 + k * TICK_S <= t_state:
            k += 1
        if quiet:
            k = -(-k // IDLE_TICKS) * IDLE_TICKS
        return k

    def _sync(self, t_s: float, quiet: bool = False) -> None:
        """Bring the state to `t_s`; `quiet`: idle and settled, so nothing moves."""
        dt_s = t_s - self._t_state
        if dt_s <= 0:
            return
        if not quiet:
            for channel in self._moving:
                setpoint_c = channel.setpoint_c
                if setpoint_c != channel.goal_c or channel.true_c != setpoint_c:  # a settled one stays
                    channel.advance(dt_s)
        drain = STIM_DRAIN_PERCENT_PER_S if self._mode != "idle" else IDLE_DRAIN_PERCENT_PER_S
        self._battery_percent = max(self._battery_percent - drain * dt_s, 0.0)
        self._t_state = t_s

    def _run_quiet(self, t_s: float) -> None:
        """The 1 s ticks of a quiet stretch (idle, settled, no hook) up to `t_s`, cheaply.

        Does what `_sync` and `_tick` would do there, in the same arithmetic.
        """
        t0, k, g_due_s = self._t0, self._next_tick(True), self._g_due_s
        neutral_c, zones_c = self._reference.true_c, self._zone_temperatures_c()
        log, stream = self.probe_log, self._stream_idle
        draw = self._quiet_noise.sampler((neutral_c, *zones_c))
        while True:
            t = t0 + k * TICK_S
            if t > t_s or t >= g_due_s:
                break
            self._battery_percent = max(self._battery_percent - IDLE_DRAIN_PERCENT_PER_S * (t - self._t_state), 0.0)
            self._t_state, self._k = t, k
            log.append(ProbeRecord(t, neutral_c, zones_c, "idle"))
            if stream and not (self._unplugged or self._stalled):
                self._emit(self._quiet_line(draw()))
                self.frames_sent += 1
            k += IDLE_TICKS
        self._last_phase = "idle"

    def _tick(self, t_s: float, k: int, quiet: bool) -> None:
        """Hook, end of stimulation, log and stream at grid time `t_s`; `quiet`: nothing moves."""
        zones_c = self._zone_temperatures_c()
        if self.response_hook is not None:
            self._set_response(bool(self.response_hook(t_s, zones_c)))  # moves goals, not temperatures
        self._end_if_home()
        self._log(t_s, self._phase(), zones_c)
        if self._mode != "idle":
            if self._stream_stim:
                self._stream_line(quiet)
        elif self._stream_idle and k % IDLE_TICKS == 0:
            self._stream_line(quiet)

    def _fire_timers(self, t_s: float) -> None:
        for i in range(5):
            if self._deadline_s[i] <= t_s:
                self._send_home(i)
        if self._g_due_s <= t_s:
            self._g_due_s = math.inf
            self._finish_calibration()
        self._settle_phase(t_s)

    def _settle_phase(self, t_s: float) -> None:
        """After a change: end the stimulation if all are home; log a phase change at once."""
        self._end_if_home()
        phase = self._phase()
        if phase != self._last_phase and self._t0 is not None:
            self._log(t_s, phase)

    # ---- the stimulation ---------------------------------------------------------------

    def _phase(self) -> str:
        if self._mode != "stim":
            return self._mode
        held = False
        for zone, taking_part, returning in zip(self._zones, self._taking_part, self._returning):
            if taking_part and not returning:
                if zone.setpoint_c != zone.goal_c:
                    return "rise"  # one zone on its way is enough
                held = True
        return "plateau" if held else "return"

    def _end_if_home(self) -> None:
        if self._mode != "stim":
            return
        for i, zone in enumerate(self._zones):
            if self._taking_part[i] and not (self._returning[i] and zone.setpoint_c == zone.goal_c):
                return
        self._mode = "idle"
        self._stop_on_response = False
        self._taking_part = [False] * 5

    def _start(self, t_s: float, stop_on_response: bool, follow: bool = False) -> None:
        if self._mode != "idle" or self._errors[0]:
            return
        self._mode = "follow" if follow else "stim"
        self._stop_on_response = stop_on_response
        for i in range(5):
            taking_part = self._enabled[i] and not self._errors[i + 1]
            self._taking_part[i] = taking_part
            self._returning[i] = False
            if taking_part:
                self._held_target_c[i] = self._targets_c[i]
                self._send_to_target(i)
                self._deadline_s[i] = math.inf if follow else t_s + self._durations_s[i]

    def _send_to_target(self, i: int) -> None:
        goal_c = min(self._held_target_c[i], self._cap_c) + self._overshoot_c
        self._move_zone(i, goal_c, self._ramp_c_per_s[i])

    def _send_home(self, i: int) -> None:
        if self._taking_part[i]:
            self._returning[i] = True
        self._deadline_s[i] = math.inf
        self._move_zone(i, self._neutral_c, self._return_c_per_s[i])

    # Zones in the same state share one `Channel` (`_zones` may hold an object up to five
    # times), so a stimulation of all five zones is worked out once per step, not five
    # times. A zone is moved only here: on its own channel, then shared again if it is
    # now in step with another; `_moving` lists each channel once, for `_sync`.

    def _move_zone(self, i: int, goal_c: float, rate_c_per_s: float) -> None:
        zone = self._zones[i]
        if self._zones.count(zone) > 1:
            zone = self._zones[i] = zone.copy()
        zone.move_to(goal_c, rate_c_per_s)
        self._share_zones()

    def _share_zones(self) -> None:
        by_state: dict[tuple[float, ...], Channel] = {}
        for i, zone in enumerate(self._zones):
            self._zones[i] = by_state.setdefault(zone.state, zone)
        self._moving = [self._reference, *by_state.values()]

    def _retarget(self) -> None:
        """Zones held at a target take up a new cap, overshoot or (in follow mode) target."""
        for i in range(5):
            if self._taking_part[i] and not self._returning[i]:
                self._send_to_target(i)

    def _abort(self) -> None:
        if self._mode == "idle":
            return
        self._mode = "stim"
        self._return_all()

    def _return_all(self) -> None:
        self._stop_on_response = False
        for i in range(5):
            if self._taking_part[i] and not self._returning[i]:
                self._send_home(i)

    def _set_response(self, pressed: bool) -> None:
        if pressed and not self._response_down and self._mode == "stim" and self._stop_on_response:
            self._return_all()
        self._response_down = pressed

    def _set_neutral(self, neutral_c: float) -> None:
        self._neutral_c = neutral_c
        self._reference.move_to(neutral_c, max(self._return_c_per_s))
        for i in range(5):
            if not self._taking_part[i] or self._returning[i]:
                self._move_zone(i, neutral_c, self._return_c_per_s[i])

    def _finish_calibration(self) -> None:
        if self._mode == "idle":
            mean_c = sum(zone.true_c for zone in self._zones) / 5
            self._set_neutral(min(max(round(mean_c, 1), 20.0), 40.0))
        self._emit(replies.reply(replies.calibration(self._neutral_c)))

    # ---- commands ----------------------------------------------------------------------

    def _apply(self, command: Command, t_s: float) -> None:
        name, args = command.name, command.args
        if name in ("C", "Ot"):
            self._set_target(args[0], args[1] / (10 if name == "C" else 100))
        elif name in ("V", "Ov"):
            self._per_zone(self._ramp_c_per_s, args[0], args[1] / (10 if name == "V" else 100))
        elif name in ("R", "Or"):
            self._per_zone(self._return_c_per_s, args[0], args[1] / (10 if name == "R" else 100))
        elif name == "D":
            self._per_zone(self._durations_s, args[0], args[1] / 1000)
        elif name == "Om":
            self._cap_c = args[0] / 10
            self._retarget()
        elif name == "N":
            self._set_neutral(args[0] / 10)
        elif name == "S":
            self._enabled = [bool(flag) for flag in args]
        elif name == "L":
            self._start(t_s, stop_on_response=False)
        elif name == "Ol":
            self._start(t_s, stop_on_response=True)
        elif name == "Od":
            self._start(t_s, stop_on_response=False, follow=True)
        elif name == "A":
            self._abort()
        elif name == "G":
            if self._mode == "idle" and math.isinf(self._g_due_s):
                self._g_due_s = t_s + G_DELAY_S
        elif name == "F":
            self._stream_idle = self._stream_stim = False
        elif name == "Oa":
            self._stream_idle = True
        elif name == "Ob":
            self._stream_stim = True
        elif name == "T":
            self._trigger = (args[0], args[1])
        elif name == "Oo":
            self.triggers_sent.append((t_s, *self._trigger))
        elif name == "Os":
            self._trigger_in_enabled = bool(args[0])

    @staticmethod
    def _per_zone(values: list[float], zone: int, value: float) -> None:
        for i in range(5) if zone == 0 else (zone - 1,):
            values[i] = value

    def _set_target(self, zone: int, target_c: float) -> None:
        self._per_zone(self._targets_c, zone, target_c)
        if self._mode == "follow":
            for i in range(5) if zone == 0 else (zone - 1,):
                if self._taking_part[i] and not self._returning[i]:
                    self._held_target_c[i] = target_c
                    self._send_to_target(i)

    # ---- output ------------------------------------------------------------------------

    def _zone_temperatures_c(self) -> tuple[float, float, float, float, float]:
        zones = self._zones
        return (zones[0].true_c, zones[1].true_c, zones[2].true_c, zones[3].true_c, zones[4].true_c)

    def _readings(self) -> tuple[float, tuple[float, ...]]:
        """True temperatures plus gaussian noise: neutral reference, zones 1–5 (°C)."""
        zones = self._zones
        neutral_c = self._reference.true_c
        noise = self._reading_noise
        if noise is None:
            return neutral_c, self._zone_temperatures_c()
        bits = self._rng.getrandbits(6 * BITS)  # six table entries from one draw
        return neutral_c + noise[bits & MASK], (
            zones[0].true_c + noise[bits >> BITS & MASK],
            zones[1].true_c + noise[bits >> 2 * BITS & MASK],
            zones[2].true_c + noise[bits >> 3 * BITS & MASK],
            zones[3].true_c + noise[bits >> 4 * BITS & MASK],
            zones[4].true_c + noise[bits >> 5 * BITS & MASK],
        )

    def _temperatures_tenths(self) -> str:
        return replies.temperatures_tenths(*self._readings())

    def _stream_line(self, quiet: bool) -> None:
        if self._unplugged or self._stalled:
            return
        if quiet:
            line = self._quiet_line(self._quiet_noise.sampler([self._reference.true_c, *self._zone_temperatures_c()])())
        else:
            line = replies.reply(self._temperatures_tenths())
        self._emit(line)
        self.frames_sent += 1

    def _quiet_line(self, tenths: tuple[int, ...]) -> bytes:
        """The stream line for readings in tenths (neutral, zones 1–5); a probe at rest repeats a few."""
        line = self._quiet_lines.get(tenths)
        if line is None:
            if len(self._quiet_lines) > 4096:
                self._quiet_lines.clear()
            line = self._quiet_lines[tenths] = replies.reply(replies.tenths_body(tenths[0], tenths[1:]))
        return line

    def _emit(self, data: bytes) -> None:
        if self._unplugged or self._stalled:
            return
        if self._garbage:
            self._out.append(self._garbage)
            self._garbage = b""
        self._out.append(data)

    def _log(self, t_s: float, phase: str, zones_c: tuple[float, ...] | None = None) -> None:
        zones_c = zones_c or self._zone_temperatures_c()
        self.probe_log.append(ProbeRecord(t_s, self._reference.true_c, zones_c, phase))
        self._last_phase = phase

    def _reply_e(self) -> bytes:
        return replies.reply(self._temperatures_tenths())

    def _reply_oe(self) -> bytes:
        return replies.reply(replies.temperatures_hundredths(*self._readings()))

    def _reply_k(self) -> bytes:
        return replies.reply(replies.buttons(self._stim_down, self._response_down))

    def _reply_og(self) -> bytes:
        return replies.reply(self._temperatures_tenths() + replies.buttons(self._stim_down, self._response_down))

    def _reply_q(self) -> bytes:
        return replies.reply(replies.errors(self._errors))

    def _reply_b(self) -> bytes:
        percent = self._battery_percent
        volts = EMPTY_VOLTS + (FULL_VOLTS - EMPTY_VOLTS) * percent / 100
        return replies.reply(replies.battery(volts, percent))

    def _reply_h(self) -> bytes:
        settings = self.settings
        return replies.help_text(settings.firmware, settings.probe_id, settings.probe_type)


_QUERIES: dict[str, Callable[[Tcs2Core], bytes]] = {
    "?": lambda core: replies.identity(),
    "H": Tcs2Core._reply_h,
    "E": Tcs2Core._reply_e,
    "Oe": Tcs2Core._reply_oe,
    "K": Tcs2Core._reply_k,
    "Og": Tcs2Core._reply_og,
    "Q": Tcs2Core._reply_q,
    "B": Tcs2Core._reply_b,
}
