"""What is plugged in: serial ports found, and which of our devices answers on each.

Identification only asks (`?` and `H` for the TCS II; `RN` `RM` `RV` `RS` for the Mark-10):
nothing that heats, moves or changes a setting is sent to a port before we know what is on
it. Ports the system does not list (pty hosts, `sim://` URLs) can be named explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.errors import DriverError
from drivers.mark10.driver import Mark10Gauge
from drivers.ports import open_port
from drivers.tcs2.driver import BAUDRATE as TCS2_BAUDRATE
from drivers.tcs2.driver import Tcs2

MARK10_BAUDRATES = (115200, 9600)


@dataclass(frozen=True)
class DeviceReport:
    """One port and what answered on it: `kind` is "thermode", "algometer" or "" (nothing known)."""

    url: str
    description: str
    kind: str = ""
    identity: str = ""
    detail: str = ""
    error: str = ""


def listed_ports() -> list[tuple[str, str]]:
    """(device path, description) of the serial ports the system lists."""
    from serial.tools import list_ports

    found = sorted(list_ports.comports(), key=lambda p: p.device)
    # Legacy on-board UARTs with no hardware behind them report "n/a"; the lab's devices are USB.
    return [(port.device, port.description or "") for port in found if port.hwid not in ("n/a", "")]


def _as_thermode(url: str) -> DeviceReport | None:
    port = open_port(url, device="tcs2", baudrate=TCS2_BAUDRATE)
    try:
        thermode = Tcs2(port, reply_timeout_s=0.3)
        identity = thermode.identify()
        battery = thermode.battery()
        reading = thermode.temperatures()
        probe = f"probe {reading.max_zone_c:.1f} °C" if reading.max_zone_c is not None else "no probe"
        detail = f"battery {battery.charge_percent} % ({battery.voltage_v:.2f} V), {probe}"
        text = f"TCS II, firmware {identity.firmware}, probe {identity.probe_id} ({identity.probe_type})"
        return DeviceReport(url, "", "thermode", text, detail)
    except DriverError:
        return None
    finally:
        port.close()


def _as_algometer(url: str, baudrate: int) -> DeviceReport | None:
    port = open_port(url, device="mark10", baudrate=baudrate)
    try:
        gauge = Mark10Gauge(port, reply_timeout_s=0.3)
        identity = gauge.identify()
        settings = gauge.settings()
        text = f"{identity.name} {identity.model}, firmware {identity.firmware}, serial {identity.serial_number}"
        unit = getattr(settings.unit, "value", settings.unit)
        detail = f"{baudrate} baud, shows {unit}, battery level {settings.battery_level} of 3"
        return DeviceReport(url, "", "algometer", text, detail)
    except DriverError:
        return None
    finally:
        port.close()


def identify(url: str, description: str = "") -> DeviceReport:
    """Ask `url` whether it is a TCS II or a Mark-10; never raises."""
    try:
        found = _as_thermode(url)
        for baudrate in MARK10_BAUDRATES:
            if found is not None:
                break
            found = _as_algometer(url, baudrate)
    except DriverError as error:
        return DeviceReport(url, description, error=str(error))
    if found is None:
        return DeviceReport(url, description, error="no TCS II or Mark-10 answered")
    return DeviceReport(url, description, found.kind, found.identity, found.detail)


def discover(extra_urls: list[str] | tuple[str, ...] = ()) -> list[DeviceReport]:
    """Identify every listed port and every URL in `extra_urls`."""
    ports = listed_ports() + [(url, "given") for url in extra_urls]
    return [identify(url, description) for url, description in ports]
