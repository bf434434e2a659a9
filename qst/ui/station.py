"""The test station: the thermode and algometer the UI checks and a visit runs on.

A `Station` opens the drivers (on given ports, or on the first listed port each device
answers on), reports what it found (identity, battery, probe temperature), calibrates the
thermode's neutral, reconnects after a fault and sends the thermode to neutral from any
thread. Every method but `abort_thermode` does device I/O: call them from a worker.

A `stand_in` puts simulated people in front of simulated devices: the virtual participant
presses the thermode's button and says "stop" on the algometer, the virtual examiner
pushes the algometer when a PPT stimulus starts. `VirtualStandIn` works on a `VirtualLab`
(virtual time, tests); `PtyStandIn` on pty hosts (real time, `qst run --simulate`).
"""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from drivers.clock import Clock, MonotonicClock
from drivers.errors import DisconnectedError, DriverError
from drivers.mark10.driver import Mark10Gauge
from drivers.tcs2.driver import Tcs2
from protocols.devices import Devices, KeyResponse, ResponseInput
from protocols.records import Document, Event, RecordSink, RunStart

KINDS = ("thermode", "algometer")


@dataclass(frozen=True)
class DeviceStatus:
    """A device as checked: `ok` when it answered and is fit to use."""

    kind: str
    url: str = ""
    ok: bool = False
    identity: str = ""
    detail: str = ""
    error: str = ""


@dataclass(frozen=True)
class StationReport:
    """The ports the system lists, (path, description), and each device's status."""

    ports: tuple[tuple[str, str], ...]
    devices: tuple[DeviceStatus, ...]

    def status(self, kind: str) -> DeviceStatus | None:
        return next((device for device in self.devices if device.kind == kind), None)

    def ready_for(self, needs: set[str]) -> bool:
        return all((status := self.status(kind)) is not None and status.ok for kind in needs)


class StandIn(Protocol):
    """Simulated people at the bench: an extra response input and a hook on the records."""

    response: ResponseInput

    def wrap(self, downstream: RecordSink) -> RecordSink: ...

    def close(self) -> None: ...


class EitherResponse:
    """Several response inputs as one: armed together; the earliest press counts."""

    def __init__(self, *inputs: ResponseInput):
        self.inputs = inputs

    def arm(self) -> None:
        for each in self.inputs:
            each.arm()

    def pressed_at(self) -> float | None:
        times = [t for each in self.inputs if (t := each.pressed_at()) is not None]
        return min(times) if times else None


def listed_ports() -> list[tuple[str, str]]:
    """(path, description) of the serial ports the system lists."""
    from qst.devices import listed_ports as listed

    return listed()


def discover(kind: str, skip: set[str]) -> str | None:
    """The first listed port a `kind` device answers on (ports in `skip` are not asked)."""
    from qst.devices import identify

    for url, description in listed_ports():
        if url not in skip and identify(url, description).kind == kind:
            return url
    return None


class Station:
    """The devices of one test station. Give ports (`thermode_url`, `algometer_url`), or
    opened drivers, or neither (the listed ports are searched). `clock` is the devices'
    clock (the response key is stamped on it)."""

    def __init__(
        self,
        *,
        thermode_url: str | None = None,
        algometer_url: str | None = None,
        thermode: Tcs2 | None = None,
        algometer: Mark10Gauge | None = None,
        clock: Clock | None = None,
        stand_in: StandIn | None = None,
        list_ports: Callable[[], list[tuple[str, str]]] = listed_ports,
        name: str = "",
    ):
        self.thermode_url = thermode_url or (thermode.url if thermode is not None else None)
        self.algometer_url = algometer_url or (algometer.port.url if algometer is not None else None)
        self.thermode = thermode
        self.algometer = algometer
        self.clock: Clock = clock or MonotonicClock()
        self.stand_in = stand_in
        self.list_ports = list_ports
        self.name = name
        self.key = KeyResponse(self.clock)
        """The technician's response key (Space)."""

    # -- checking ------------------------------------------------------------------------------

    def check(self, needs: set[str], *, reconnect: bool = False) -> StationReport:
        """Open what is needed (or named) and report on every device. `reconnect`: reopen
        the devices already open (after a fault: the thermode's first command is then an
        abort). Blocking."""
        devices = []
        if "thermode" in needs or self.thermode_url or self.thermode is not None:
            devices.append(self._check_thermode(reconnect))
        if "algometer" in needs or self.algometer_url or self.algometer is not None:
            devices.append(self._check_algometer(reconnect))
        try:
            ports = list(self.list_ports())
        except Exception as error:  # a broken port listing must not hide the devices
            ports = [("", f"cannot list the serial ports: {error}")]
        listed = {path for path, _ in ports}
        ports += [(url, "given") for url in (self.thermode_url, self.algometer_url) if url and url not in listed]
        return StationReport(tuple(ports), tuple(devices))

    def _held(self) -> set[str]:
        return {url for url in (self.thermode_url, self.algometer_url) if url}

    def _check_thermode(self, reconnect: bool) -> DeviceStatus:
        try:
            if self.thermode is not None and reconnect:
                self.thermode.reconnect()
            if self.thermode is None:
                url = self.thermode_url or discover("thermode", self._held())
                if url is None:
                    return DeviceStatus("thermode", error="no thermode found: plug in its USB cable and switch it on")
                self.thermode_url = url
                self.thermode = Tcs2.open(url)
            thermode = self.thermode
            try:
                battery = thermode.battery()
            except DisconnectedError:
                thermode.reconnect()
                battery = thermode.battery()
            reading = thermode.temperatures()
        except DriverError as error:
            return DeviceStatus("thermode", self.thermode_url or "", error=str(error))
        identity = thermode.identity
        text = "TCS II" if identity is None else (
            f"TCS II · firmware {identity.firmware or '?'} · probe {identity.probe_id or '?'} ({identity.probe_type or '?'})"
        )
        zones = [zone_c for zone_c in reading.zones_c if zone_c is not None]
        probe = f"probe {sum(zones) / len(zones):.1f} °C" if zones else "no probe connected"
        detail = f"battery {battery.charge_percent} % ({battery.voltage_v:.2f} V) · {probe}"
        return DeviceStatus("thermode", thermode.url, ok=bool(zones), identity=text, detail=detail,
                            error="" if zones else "no probe: connect the probe to the thermode")

    def _check_algometer(self, reconnect: bool) -> DeviceStatus:
        try:
            if self.algometer is not None and reconnect:
                self._reopen_algometer()
            if self.algometer is None:
                url = self.algometer_url or discover("algometer", self._held())
                if url is None:
                    return DeviceStatus("algometer", error="no algometer found: plug in its USB cable and switch it on")
                self.algometer_url = url
                self.algometer = Mark10Gauge.open(url)
            try:
                settings = self.algometer.settings()
            except DisconnectedError:
                self._reopen_algometer()
                settings = self.algometer.settings()
        except DriverError as error:
            return DeviceStatus("algometer", self.algometer_url or "", error=str(error))
        identity = self.algometer.identity
        text = "Mark-10" if identity is None else (
            f"{identity.name} {identity.model} · firmware {identity.firmware} · serial {identity.serial_number}"
        )
        level = settings.battery_level
        battery = "battery unknown" if level is None else f"battery {('full', 'good', 'low', 'very low')[min(level, 3)]}"
        return DeviceStatus("algometer", self.algometer.port.url, ok=True, identity=text, detail=battery)

    def _reopen_algometer(self) -> None:
        old = self.algometer
        if old is not None:
            old.close()
        self.algometer = Mark10Gauge.open(self.algometer_url)

    def calibrate_neutral(self) -> float:
        """The thermode measures its neutral (`G`, a few seconds); returns it in °C. Blocking."""
        if self.thermode is None:
            raise DriverError("no thermode is connected")
        return self.thermode.calibrate_neutral()

    # -- running -----------------------------------------------------------------------------

    def devices(self) -> Devices:
        response: ResponseInput = self.key
        if self.stand_in is not None:
            response = EitherResponse(self.key, self.stand_in.response)
        return Devices(thermode=self.thermode, algometer=self.algometer, response=response)

    def sink(self, downstream: RecordSink) -> RecordSink:
        return self.stand_in.wrap(downstream) if self.stand_in is not None else downstream

    def abort_thermode(self) -> str:
        """Send the thermode to neutral now (any thread); returns an error text, or ""."""
        thermode = self.thermode
        if thermode is None:
            return ""
        try:
            thermode.abort()
        except DriverError as error:
            return str(error)
        return ""

    def close(self) -> None:
        for device in (self.thermode, self.algometer):
            if device is not None:
                try:
                    device.close()
                except DriverError:
                    pass
        if self.stand_in is not None:
            self.stand_in.close()


# -- simulated people ----------------------------------------------------------------------------


class VirtualStandIn:
    """The participant and examiner of a `VirtualLab` (virtual time)."""

    def __init__(self, lab):
        self.lab = lab
        self.response = lab.devices.response
        self._current: tuple[str, str] | None = None

    def wrap(self, downstream: RecordSink) -> RecordSink:
        forward = self.lab.sink(downstream)  # the examiner pushes when a PPT stimulus starts

        def record(document: Document) -> None:
            if isinstance(document, RunStart) and (document.test, document.site) != self._current:
                self._current = (document.test, document.site)
                self.lab.thermal.begin(document.test)
            forward(document)

        return record

    def close(self) -> None:
        self.lab.close()


class _FirstReading:
    """A monotonic clock that remembers its first reading: a pty host's time zero."""

    def __init__(self):
        self.t0: float | None = None

    def __call__(self) -> float:
        now = time.monotonic()
        if self.t0 is None:
            self.t0 = now
        return now


class _GaugeParticipantKey:
    """The virtual participant's "stop" on a pty-hosted gauge, on the monotonic clock."""

    def __init__(self, host, t0_s: float):
        self.host, self.t0_s = host, t0_s
        self.armed_t_s = float("inf")

    def arm(self) -> None:
        self.armed_t_s = time.monotonic()

    def pressed_at(self) -> float | None:
        with self.host.lock:
            said_s = self.host.core.response_t_s
        if said_s is None:
            return None
        t_s = self.t0_s + said_s
        return t_s if t_s >= self.armed_t_s else None


class PtyStandIn:
    """A virtual participant and examiner at simulated devices served on ptys (real time).

    Starts the two hosts (thermode, gauge) with links in a temporary folder; `urls` are
    the links, which follow the device across an unplug and replug.
    """

    def __init__(self, person, folder: Path | None = None):
        from simulators.bench import create_core
        from simulators.mark10.participant import VirtualParticipant
        from simulators.participants.thermal import ThermalParticipant
        from simulators.pty_host import PtyHost

        self._folder = None if folder is not None else tempfile.TemporaryDirectory(prefix="qst-sim-")
        folder = Path(folder if folder is not None else self._folder.name)
        self.thermal = ThermalParticipant(seed=person.seed, thresholds=person.thermal, reaction_time_s=person.reaction_s)
        tcs2_core = create_core("tcs2", person.seed, {})
        tcs2_core.response_hook = self.thermal.hook
        gauge_core = create_core("mark10", person.seed, {})
        gauge_core.participant = VirtualParticipant(
            random.Random(person.seed), threshold_kpa=person.ppt_kpa, reaction_s=person.reaction_s
        )
        self.hosts = {}
        self.urls = {}
        zeros = {}
        try:
            for kind, core in (("thermode", tcs2_core), ("algometer", gauge_core)):
                zeros[kind] = _FirstReading()
                link = folder / ("tcs2" if kind == "thermode" else "mark10")
                self.hosts[kind] = PtyHost(core, link=link, clock=zeros[kind]).start()
                self.urls[kind] = str(link)
        except BaseException:
            self.close()
            raise
        self.response = _GaugeParticipantKey(self.hosts["algometer"], zeros["algometer"].t0)
        self._current: tuple[str, str] | None = None

    def wrap(self, downstream: RecordSink) -> RecordSink:
        thermode_host, gauge_host = self.hosts["thermode"], self.hosts["algometer"]

        def record(document: Document) -> None:
            if isinstance(document, RunStart):
                if (document.test, document.site) != self._current:
                    self._current = (document.test, document.site)
                    with thermode_host.lock:
                        self.thermal.begin(document.test)
            elif isinstance(document, Event) and document.kind == "stimulus" and self._current[0] == "PPT":
                with gauge_host.lock:
                    gauge_host.core.start_ramp()  # the trial waited for the last push to end
            downstream(document)

        return record

    def close(self) -> None:
        for host in self.hosts.values():
            host.stop()
        if self._folder is not None:
            self._folder.cleanup()


def virtual_station(lab, name: str = "virtual") -> Station:
    """A station on a `VirtualLab`'s devices, in its virtual time, with its people."""
    return Station(
        thermode=lab.thermode,
        algometer=lab.algometer,
        clock=lab.clock,
        stand_in=VirtualStandIn(lab),
        list_ports=lambda: [],
        name=name,
    )


def simulated_station(seed: int, name: str = "simulated", person=None) -> Station:
    """Simulated devices on ptys in real time, with a virtual participant (`person`, or one
    drawn from `seed`)."""
    from qst.virtual import VirtualPerson

    stand_in = PtyStandIn(person or VirtualPerson.draw(seed))
    return Station(
        thermode_url=stand_in.urls["thermode"],
        algometer_url=stand_in.urls["algometer"],
        stand_in=stand_in,
        name=name,
    )
