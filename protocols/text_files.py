"""Text files a person hands the harness (a battery, a study, a diary): UTF-8, a byte-order
mark allowed (Windows editors like to start a file with one). A pipe or a device is refused
before it is read: reading one waits for a writer that may never come."""

from __future__ import annotations

import stat
from pathlib import Path


class TextFileError(Exception):
    """Why a text file cannot be used: `line` (1-based) and a one-line `reason`; each caller
    turns it into its own error, naming the file."""

    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line = line
        self.reason = reason


def read_text_file(path: Path) -> str:
    """The text of the file at `path`, or `TextFileError`."""
    try:
        mode = path.stat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # a folder fails below, as "Is a directory"
            raise TextFileError(1, "cannot read the file: it is a pipe, socket or device, not a file")
        data = path.read_bytes()
    except OSError as error:
        raise TextFileError(1, f"cannot read the file: {error.strerror or error}") from None
    return decode_text(data)


def decode_text(data: bytes) -> str:
    """`data` as UTF-8 text, or `TextFileError` at the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TextFileError(data.count(b"\n", 0, error.start) + 1, "the file is not UTF-8 text") from None
