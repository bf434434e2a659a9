"""How values go into the store's text columns: compact JSON, and UTC timestamps."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from datetime import date, datetime, timezone
from typing import Any

from qst.store.errors import StoreError


def dumps(value: Any) -> str:
    """Compact JSON. Floats keep every digit (Python's shortest round-trip form)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def loads(text: str) -> Any:
    return json.loads(text)


def utc_now() -> str:
    """Now, ISO 8601 UTC with milliseconds, e.g. `2026-03-04T09:15:02.123+00:00`."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def jsonable(value: Any, where: str = "value") -> Any:
    """`value` as plain JSON data: dataclasses as dicts, dates as ISO text, tuples as lists,
    enums as their values. Anything else (an object, a NaN) is refused with `StoreError`."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise StoreError(f"{where} is {value}: only finite numbers can be stored")
        return value
    if isinstance(value, enum.Enum):
        return jsonable(value.value, where)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise StoreError(f"{where} has a key {key!r} that is not text")
            out[key] = jsonable(item, f"{where}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        return [jsonable(item, f"{where}[{index}]") for index, item in enumerate(value)]
    raise StoreError(f"{where} is a {type(value).__name__}, which cannot be stored as JSON")
