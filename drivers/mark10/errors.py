"""Errors of the Mark-10 driver beyond the shared ones in `drivers.errors`."""

from drivers.errors import DriverError


class UnreadableReplyError(DriverError):
    """The gauge answered, but with a line that is not a reply to what was asked."""
