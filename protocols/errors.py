"""The protocols package's own errors."""

from drivers.errors import DriverError


class ProtocolError(Exception):
    """Base of the protocols package's errors that are not device errors."""


class MissingDeviceError(DriverError):
    """The battery needs a device the visit does not have (a device fault for the run)."""


class GaugeLoadedError(DriverError):
    """The algometer still carries a changing load where a trial must start from none: the
    tip was not lifted off the skin (a device fault for the run: nothing was measured)."""
