"""The Mark-10 Series 5 gauge as a device core: GCL2 in, replies out, a load cell between.

Written from the command table in DESIGN.md, never from the driver. Commands end with CR
(an LF is ignored wherever it comes); each complete command is answered at once, on the
core's clock: the time a reply spends on the wire is the transport's business (the pty
host paces output at `baudrate`; `sim://` hands it over at once).

Physics: the load on the cell is a static load (`set_load`) plus the virtual examiner's
push through the probe tip. The gauge shows `load - tare`, signed by its polarity setting
(compression positive by default), rounded to the model's step in the display unit. The
cell reads up to 120 % of capacity and sticks there; beyond capacity is an overload, which
the reply does not mark (the table has no way to) but the value shows. Peaks are tracked
every millisecond of a push and at every request.

A push runs: `start_ramp` (or the `start_s` parameter) puts the examiner's tip on, now or
at a time to come; the participant crosses the threshold, responds `reaction_s` later, and
the examiner lets go at the response. `true_log` keeps the true force every millisecond of a
push; `pushes` keeps each push with its crossing and response times.

Speed: a push is a closed form sampled on a fixed 1 ms grid from contact (see `course`), so
nothing is stepped. The crossing and the cut-off are searched for by jumping over samples
that cannot reach them, peaks are folded in only when someone reads them (or the load, tare
or peaks change), and the true log is written out when asked for. What it all gives is what
walking every sample would give.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass

from simulators.mark10.course import Course
from simulators.mark10.display import format_reading
from simulators.mark10.examiner import Push, VirtualExaminer
from simulators.mark10.models import MODELS, SENSOR_LIMIT, UNIT_BY_COMMAND, UNITS, GaugeModel
from simulators.mark10.participant import Trial, VirtualParticipant

STEP_S = 0.001
"""Physics sampling of a push: peaks, the true log and the threshold crossing at 1 kHz
(read when a push starts)."""

MAX_COMMAND_BYTES = 64
ERROR_CODES = (b"*10", b"*11", b"*12", b"*22")
ILLEGAL, NOT_AVAILABLE, BAD_SPECIFIER, TOO_LARGE = ERROR_CODES
_SETTING_RANGES = {"FLTC": 10, "FLTP": 10, "AOFF": 30}


@dataclass(frozen=True)
class TrueSample:
    """What was really on the cell at `t_s`: force in N (compression positive) and the
    pressure under the tip in kPa."""

    t_s: float
    force_n: float
    pressure_kpa: float


@dataclass
class PushRecord:
    """One ramp as it happened. Times in s on the core's clock; None until they happen."""

    push: Push
    trial: Trial | None
    crossing_s: float | None = None
    response_s: float | None = None
    cut_off: bool = False


class Mark10Core:
    """A simulated Mark-10 gauge with an examiner and a participant (a `DeviceCore`)."""

    FAULTS = ("unplug", "replug", "stall", "inject_garbage", "error_storm")

    def __init__(
        self,
        seed: int = 0,
        *,
        capacity_n: int = 100,
        unit: str = "N",
        show_units: bool = True,
        compression_positive: bool = True,
        baudrate: int = 115200,
        tip_cm2: float = 1.0,
        battery: int = 0,
        examiner: VirtualExaminer | None = None,
        participant: VirtualParticipant | None = None,
        start_s: float | None = None,
    ):
        if capacity_n not in MODELS:
            raise ValueError(f"no Mark-10 model of {capacity_n} N here; choose one of {sorted(MODELS)}")
        self.model: GaugeModel = MODELS[capacity_n]
        if unit not in self.model.steps:
            raise ValueError(f"a {self.model.model} cannot show {unit}; it shows {', '.join(self.model.steps)}")
        if not tip_cm2 > 0 or battery not in range(4) or baudrate <= 0:
            raise ValueError("tip_cm2 and baudrate must be positive, battery 0-3")
        self.rng = random.Random(seed)
        self.baudrate = baudrate
        self.unit = unit
        self.show_units = show_units
        self.compression_positive = compression_positive
        self.tip_cm2 = tip_cm2
        self.battery = battery
        self.mode = "CUR"
        self.settings = {"FLTC": 8, "FLTP": 1, "AOFF": 5}
        self.serial_number = f"{self.rng.randrange(10**7):07d}"
        self.examiner = examiner or VirtualExaminer(random.Random(self.rng.random()))
        self.participant = participant or VirtualParticipant(random.Random(self.rng.random()))
        self.pushes: list[PushRecord] = []
        self.static_load_n = 0.0
        self.tare_n = 0.0
        self.commands_seen = 0
        self._t = 0.0
        self._courses: list[Course] = []  # one per push, in order
        self._open = 0  # index of the first course not yet let go of in public
        self._compression_peak_n = 0.0
        self._tension_peak_n = 0.0
        self._peaks_through_s = 0.0  # push samples up to here are in the peaks
        self._true_log: list[TrueSample] = []
        self._logged_through_s = 0.0  # push samples up to here are in `_true_log`
        self._static_changes: list[float] = []  # when the static load changed ...
        self._static_values: list[float] = [0.0]  # ... and what it was before the first, after each
        self._line = bytearray()
        self._line_overflow = False
        self._output = bytearray()
        self._unplugged = False
        self._stalled = False
        self._storm = False
        if start_s is not None:
            self.start_ramp(max(start_s, self._t))

    # -- DeviceCore ----------------------------------------------------------------------

    @property
    def unplugged(self) -> bool:
        return self._unplugged

    @property
    def now_s(self) -> float:
        return self._t

    def advance_to(self, t_s: float) -> None:
        if not t_s > self._t:
            return  # nothing moves; the peaks already hold the reading at `now_s`
        self._t = t_s
        courses = self._courses
        while self._open < len(courses) and courses[self._open].start_s <= t_s and courses[self._open].publish(t_s):
            self._open += 1
        self._track_peaks()

    def receive(self, data: bytes, t_s: float) -> None:
        self.advance_to(t_s)
        if self._unplugged or self._stalled:
            return
        for byte in bytes(data):
            if byte == 0x0A:
                continue
            if byte == 0x0D:
                line, overflow = bytes(self._line), self._line_overflow
                self._line.clear()
                self._line_overflow = False
                if line or overflow:
                    self._execute(line, overflow)
            elif len(self._line) < MAX_COMMAND_BYTES:
                self._line.append(byte)
            else:
                self._line_overflow = True

    def take_output(self) -> bytes:
        if not self._output:
            return b""
        out = bytes(self._output)
        self._output.clear()
        return out

    def next_event_s(self) -> float:
        return self._t if self._output else math.inf

    # -- the bench: loads, pushes, truth -------------------------------------------------

    def set_load(self, force_n: float, t_s: float | None = None) -> None:
        """Put a static load on the cell from now (or `t_s`): N, compression positive."""
        if t_s is not None:
            self.advance_to(t_s)
        self._fold_peaks()
        self.static_load_n = float(force_n)
        self._static_changes.append(self._t)
        self._static_values.append(self.static_load_n)
        self._track_peaks()

    def start_ramp(self, t_s: float | None = None) -> PushRecord:
        """The examiner puts the tip on at `t_s` (default: now) and starts pushing.

        A `t_s` to come schedules the push (as the `start_s` parameter does): the gauge's
        clock stays where it is and the push begins when the clock gets there. Refused
        (`ValueError`) for a time in the past, or while the examiner would still be pushing
        at `t_s` (a push already scheduled counts as pushing).
        """
        start_s = self._t if t_s is None else float(t_s)
        if start_s < self._t:
            raise ValueError(f"cannot start a ramp in the past ({start_s} s < {self._t} s)")
        if self._courses and not self._courses[-1].ended_by(start_s):
            raise ValueError("the examiner is still pushing")
        record = PushRecord(self.examiner.push(start_s), self.participant.next_trial())
        self.pushes.append(record)
        self._courses.append(Course(record, STEP_S))
        return record

    @property
    def response_t_s(self) -> float | None:
        """When the participant responded in the latest push; None until it has happened."""
        record = self.pushes[-1] if self.pushes else None
        if record is None or record.response_s is None or record.response_s > self._t:
            return None
        return record.response_s

    def true_pressure_kpa(self, t_s: float) -> float:
        """The true pressure under the tip at `t_s` (up to now) from the examiner, kPa."""
        return self._push_force_n(t_s) * 10.0 / self.tip_cm2

    def true_force_n(self, t_s: float) -> float:
        """The true load on the cell at `t_s` (up to now), N, compression positive."""
        return self.static_load_n + self._push_force_n(t_s)

    def true_rate_kpa_s(self, t_s: float) -> float:
        """The examiner's true (intended, tremor-free) rate at `t_s`, kPa/s."""
        record = self._record_at(t_s)
        return record.push.rate_kpa_s(t_s) if record else 0.0

    def resolution_n(self) -> float:
        """The display step of the current unit, in N."""
        return self.model.step_n(self.unit)

    @property
    def true_log(self) -> list[TrueSample]:
        """The true load at every physics sample of every push so far (1 kHz), in order."""
        after_s, upto_s = self._logged_through_s, self._t
        if upto_s > after_s:
            tip = self.tip_cm2
            for course in self._courses:
                if course.start_s >= upto_s:
                    break
                if course.last_sample_s <= after_s:
                    continue
                for t, kpa in course.samples(after_s, upto_s):
                    self._true_log.append(TrueSample(t, self._static_at(t) + kpa * tip / 10.0, kpa))
            self._logged_through_s = upto_s
        return self._true_log

    @property
    def peak_compression_n(self) -> float:
        """The highest compression since the peaks were cleared, N (as measured, before polarity)."""
        self._fold_peaks()
        return self._compression_peak_n

    @property
    def peak_tension_n(self) -> float:
        """The highest tension since the peaks were cleared, N (positive)."""
        self._fold_peaks()
        return self._tension_peak_n

    # -- faults ----------------------------------------------------------------------------

    def unplug(self) -> None:
        """The cable is pulled: the line drops, bytes in flight are lost."""
        self._unplugged = True
        self._output.clear()
        self._line.clear()

    def replug(self) -> None:
        self._unplugged = False

    def stall(self, on: bool = True) -> None:
        """The gauge hangs (on) or recovers (off): while hung it ignores input and says nothing."""
        self._stalled = _truthy(on)
        self._line.clear()

    def inject_garbage(self, data: bytes | str | None = None) -> None:
        """Put noise on the line now: `data`, or 24 random bytes."""
        if data is None:
            data = bytes(self.rng.randrange(256) for _ in range(24))
        elif isinstance(data, str):
            data = data.encode("latin-1")
        if not self._unplugged:
            self._output += data

    def error_storm(self, on: bool = True) -> None:
        """While on, every command is answered with a random error code."""
        self._storm = _truthy(on)

    # -- the command table ---------------------------------------------------------------

    def _execute(self, line: bytes, overflow: bool) -> None:
        self.commands_seen += 1
        if self._storm:
            self._reply(self.rng.choice(ERROR_CODES))
            return
        command = line.decode("latin-1")
        if overflow:
            self._reply(ILLEGAL)
        elif command == "?":
            self._reply_reading({"CUR": self._current_n, "PT": self._peak_tension_n, "PC": self._peak_compression_n}[self.mode]())
        elif command == "?C":
            self._reply_reading(self._current_n())
        elif command == "?PT":
            self._reply_reading(self._peak_tension_n())
        elif command == "?PC":
            self._reply_reading(self._peak_compression_n())
        elif command in ("?A", "?ET"):
            self._reply(NOT_AVAILABLE)  # average and external-trigger modes are not enabled
        elif command in UNIT_BY_COMMAND:
            unit = UNIT_BY_COMMAND[command]
            if unit in self.model.steps:
                self.unit = unit
            else:
                self._reply(NOT_AVAILABLE)
        elif command in ("CUR", "PT", "PC"):
            self.mode = command
        elif command == "CLR":
            self._clear_peaks()
        elif command == "Z":
            self.tare_n = self._load_n(self._t)
            self._clear_peaks()
        elif command == "RN":
            self._reply(b"Mark-10 Series 5")
        elif command == "RM":
            self._reply(self.model.model.encode())
        elif command == "RV":
            self._reply(b"1.00")
        elif command == "RS":
            self._reply(self.serial_number.encode())
        elif command == "LIST":
            self._reply(self._list().encode())
        elif command == "SAVE":
            pass
        elif (name := command[:4]) in _SETTING_RANGES:
            self._set(name, command[4:])
        else:
            self._reply(ILLEGAL)

    def _set(self, name: str, argument: str) -> None:
        if not argument.isdigit() or not argument.isascii():
            self._reply(BAD_SPECIFIER)
        elif int(argument) > _SETTING_RANGES[name]:
            self._reply(TOO_LARGE)
        else:
            self.settings[name] = int(argument)

    def _list(self) -> str:
        unit_token = UNITS[self.unit][2]
        s = self.settings
        return f"V1.00;{unit_token};{self.mode};FLTC{s['FLTC']};FLTP{s['FLTP']};AOFF{s['AOFF']};B{self.battery}"

    def _reply(self, data: bytes) -> None:
        self._output += data + b"\r\n"

    def _reply_reading(self, measured_n: float) -> None:
        shown_n = measured_n if self.compression_positive else -measured_n
        self._reply(format_reading(shown_n, self.unit, self.model, self.show_units).encode())

    # -- physics ---------------------------------------------------------------------------

    def _load_n(self, t_s: float) -> float:
        return self.static_load_n + self._push_force_n(t_s)

    def _measured_n(self, t_s: float) -> float:
        limit = SENSOR_LIMIT * self.model.capacity_n
        return min(limit, max(-limit, self._load_n(t_s) - self.tare_n))

    def _current_n(self) -> float:
        return self._measured_n(self._t)

    def _peak_compression_n(self) -> float:
        return self.peak_compression_n

    def _peak_tension_n(self) -> float:
        return -self.peak_tension_n

    def _track_peaks(self) -> None:
        measured = self._measured_n(self._t)
        if measured > self._compression_peak_n:
            self._compression_peak_n = measured
        if -measured > self._tension_peak_n:
            self._tension_peak_n = -measured

    def _clear_peaks(self) -> None:
        self._compression_peak_n = 0.0
        self._tension_peak_n = 0.0
        self._peaks_through_s = self._t  # the samples so far no longer count
        self._track_peaks()

    def _fold_peaks(self) -> None:
        """Bring the peaks up to date with the push samples since they were last folded in,
        under the current static load and tare (which is why this runs before they change)."""
        after_s, upto_s = self._peaks_through_s, self._t
        if not upto_s > after_s:
            return
        self._peaks_through_s = upto_s
        limit = SENSOR_LIMIT * self.model.capacity_n
        static, tare, tip = self.static_load_n, self.tare_n, self.tip_cm2
        for course in self._courses:
            if course.start_s >= upto_s:
                break
            if course.last_sample_s <= after_s:
                continue
            # The push adds a force >= 0, so no sample reads below `static - tare`: the lowest
            # sample matters only if the tension peak is not already beyond that.
            want_lowest = self._tension_peak_n < -min(limit, max(-limit, static + 0.0 - tare))
            highest, lowest = course.extremes(after_s, upto_s, want_lowest)
            # Load, tare and the sensor limit are monotone: the highest (lowest) pressure
            # gives the highest (lowest) reading, computed as at the sample itself.
            if highest > -math.inf:
                measured = min(limit, max(-limit, static + highest * tip / 10.0 - tare))
                self._compression_peak_n = max(self._compression_peak_n, measured)
                self._tension_peak_n = max(self._tension_peak_n, -measured)
            if lowest < math.inf:
                measured = min(limit, max(-limit, static + lowest * tip / 10.0 - tare))
                self._compression_peak_n = max(self._compression_peak_n, measured)
                self._tension_peak_n = max(self._tension_peak_n, -measured)

    def _static_at(self, t_s: float) -> float:
        """The static load on the cell at `t_s` (a change at `t_s` applies after it)."""
        return self._static_values[bisect.bisect_left(self._static_changes, t_s)]

    def _record_at(self, t_s: float) -> PushRecord | None:
        for record in reversed(self.pushes):
            if record.push.start_s <= t_s:
                return record
        return None

    def _push_force_n(self, t_s: float) -> float:
        record = self._record_at(t_s)
        return record.push.pressure_kpa(t_s) * self.tip_cm2 / 10.0 if record else 0.0


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "off", "no", "")
    return bool(value)
