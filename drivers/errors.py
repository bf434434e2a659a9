"""The drivers' exception hierarchy: every failure a caller can act on has its own type.

Messages are one line, fit to print as they are.
"""


class DriverError(Exception):
    """Base of every error raised by the drivers package."""


class PortError(DriverError):
    """A port could not be opened: missing, busy, or refused by the system."""


class CommandRangeError(DriverError, ValueError):
    """A command argument lies outside the range the device accepts."""


class NotRespondingError(DriverError):
    """The device did not answer in time."""


class DisconnectedError(DriverError):
    """The port went away under us (cable pulled, device powered off)."""


class DeviceReportedError(DriverError):
    """The device answered with an error state or error code."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


class SafetyLimitError(DriverError):
    """A request was refused, or a stimulation aborted, by the safety envelope."""


class StreamSilentError(SafetyLimitError):
    """The temperature stream went silent during a stimulation; the driver aborted."""


class AbortedError(DriverError):
    """An operation was cut short by `abort()` before it took effect."""
