"""Device emulators: an independent implementation of the device specifications.

Importing this package registers the `sim://` URL handler with pyserial, so
`serial.serial_for_url("sim://tcs2?seed=3")` opens a simulated thermode in virtual time.
Never imports drivers, protocols or qst (DESIGN.md, "Layout and layers").
"""

import serial

from simulators.bench import Bench, SimulatorError
from simulators.clock import VirtualClock

if "simulators.urlhandler" not in serial.protocol_handler_packages:
    serial.protocol_handler_packages.append("simulators.urlhandler")

__all__ = ["Bench", "SimulatorError", "VirtualClock"]
