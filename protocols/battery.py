"""Loading batteries: a TOML file or text in, a validated `Battery` out, or one line saying
what is wrong and where.

Every problem is a `BatteryError` whose message is `<file>:<line>: <reason>`, e.g.
`dfns.toml:23: tests[4].cutoff_c: 55.0 °C is above the battery's limit of 50.0 °C`.
The shipped batteries live in `protocols/batteries/` as package data.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from protocols.battery_lines import SourceLineError, line_of, load_toml
from protocols.battery_model import DFNS_ORDER, Battery, Limits, TestEntry, path_text, reason_for
from protocols.text_files import TextFileError, decode_text, read_text_file

__all__ = [
    "DFNS_ORDER",
    "Battery",
    "BatteryError",
    "Limits",
    "TestEntry",
    "load_battery",
    "shipped_battery",
    "shipped_names",
]



class BatteryError(SourceLineError):
    """A battery that cannot be used; one line: `source:line: reason`."""


def load_battery(path_or_text: str | os.PathLike, *, source: str | None = None) -> Battery:
    """A battery from a file (a `Path` or other path-like) or from TOML text (a `str`).

    `source` names the text in error messages (default: the path, or `<battery>`).
    Raises `BatteryError` for anything wrong, from an unreadable file to an unsafe value.
    """
    if isinstance(path_or_text, os.PathLike):
        path = Path(path_or_text)
        source = source or str(path)
        try:
            text = read_text_file(path)
        except TextFileError as error:
            raise BatteryError(source, error.line, error.reason) from None
        return _parse(text, source)
    return _parse(path_or_text, source or "<battery>")


def shipped_names() -> list[str]:
    """The batteries that come with the harness, by name (e.g. "dfns")."""
    folder = resources.files("protocols") / "batteries"
    return sorted(item.name.removesuffix(".toml") for item in folder.iterdir() if item.name.endswith(".toml"))


def shipped_battery(name: str) -> Battery:
    """A shipped battery by name (see `shipped_names()`)."""
    file_name = f"{name}.toml"
    if name not in shipped_names():
        raise BatteryError(file_name, 1, f"no shipped battery named {name!r}; shipped: {', '.join(shipped_names())}")
    data = (resources.files("protocols") / "batteries" / file_name).read_bytes()
    return _parse(_decode(data, file_name), file_name)


def _decode(data: bytes, source: str) -> str:
    try:
        return decode_text(data)
    except TextFileError as error:
        raise BatteryError(source, error.line, error.reason) from None


def _parse(text: str, source: str) -> Battery:
    data, line, reason = load_toml(text)
    if data is None:
        raise BatteryError(source, line, reason)
    try:
        return Battery.model_validate(data)
    except ValidationError as error:
        raise _located(error, text, source) from None


def _located(error: ValidationError, text: str, source: str) -> BatteryError:
    """The first validation error, at its line."""
    first = error.errors()[0]
    loc = tuple(first["loc"])
    field = at = loc
    if first["type"] == "battery":
        field, at = loc + first["ctx"]["field"], loc + first["ctx"]["at"]
    reason = reason_for(first)
    if first["type"] == "extra_forbidden":
        model = Limits if loc[:1] == ("limits",) else Battery
        reason += f"; the keys here are {', '.join(model.model_fields)}"
    return BatteryError(source, line_of(text, at), f"{path_text(field)}: {reason}" if field else reason)
