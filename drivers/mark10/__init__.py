"""Mark-10 Series 5 force gauge as a pressure algometer: codec, driver, probe, ramp rate."""

from drivers.mark10.driver import DEFAULT_BAUDRATE, Mark10Gauge
from drivers.mark10.errors import UnreadableReplyError
from drivers.mark10.messages import ErrorCode, GaugeError, Garbled, Mode, Reading, Settings, Text
from drivers.mark10.probe import Probe
from drivers.mark10.ramp_rate import RampRate, least_squares_slope
from drivers.mark10.samples import GaugeIdentity, PressureSample, SampleFlag
from drivers.mark10.units import Unit

__all__ = [
    "DEFAULT_BAUDRATE",
    "ErrorCode",
    "GaugeError",
    "GaugeIdentity",
    "Garbled",
    "Mark10Gauge",
    "Mode",
    "PressureSample",
    "Probe",
    "RampRate",
    "Reading",
    "SampleFlag",
    "Settings",
    "Text",
    "Unit",
    "UnreadableReplyError",
    "least_squares_slope",
]
