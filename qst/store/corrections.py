"""Corrections: new rows saying who changed which derived field of a run, to what, and why.

The run's documents are never touched; derived values apply the latest correction of each
field. Fields: `value` (a finite number the test could measure, or None for "no value"),
`censored` and `excluded` (booleans).
"""

from __future__ import annotations

import math

import sqlalchemy as sa

from protocols.procedures import TESTS
from qst.store import audit, lookup
from qst.store import schema as t
from qst.store.encoding import dumps, loads, utc_now
from qst.store.errors import StoreError

FIELDS = ("value", "censored", "excluded")


def checked_value(field: str, value):
    if field not in FIELDS:
        raise StoreError(f"cannot correct {field!r}: the fields that can be corrected are {', '.join(FIELDS)}")
    if field == "value":
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise StoreError(f"a corrected value must be a finite number or None; got {value!r}")
        return float(value)
    if not isinstance(value, bool):
        raise StoreError(f"a corrected {field} must be true or false; got {value!r}")
    return value


def _within_the_tests_range(test: str, value: float, unit: str) -> None:
    """A corrected value is one the test could have measured (`TestKind.value_range`)."""
    kind = TESTS.get(test)
    if kind is None:
        return
    low, high = kind.value_range
    if not low <= value <= high:
        raise StoreError(f"{value:g} {unit or kind.unit} is not a possible {test} value ({low:g} to {high:g} {kind.unit})")


def correct(connection: sa.Connection, run_id: str, field: str, value, who: str, why: str) -> None:
    value = checked_value(field, value)
    if not isinstance(who, str) or not who.strip():
        raise StoreError("a correction needs who made it")
    if not isinstance(why, str) or not why.strip():
        raise StoreError("a correction needs why it was made")
    run = lookup.run(connection, run_id)
    stop = loads(run.stop) if run.stop is not None else None
    if field != "excluded" and (stop is None or stop.get("result") is None):
        raise StoreError(f"run {run_id} measured nothing (no result in its stop document): only 'excluded' can be corrected")
    if field == "value" and value is not None:
        _within_the_tests_range(run.test, value, stop["result"].get("unit", ""))
    before = current(connection, run_id).get(field, (stop or {}).get("result", {}).get(field, False))
    connection.execute(
        t.corrections.insert().values(
            run_id=run_id, field=field, value=dumps(value), who=who.strip(), why=why.strip(), at_utc=utc_now()
        )
    )
    audit.record(
        connection, run.study_id, who=who, action="correction", participant=run.participant, visit=run.visit_number,
        run_id=run_id, what=f"{run.test} at {run.site}, trial {run.trial}: {field} {before!r} → {value!r}; why: {why.strip()}",
    )


def current(connection: sa.Connection, run_id: str) -> dict:
    """The latest corrected value of each corrected field of one run."""
    return latest(connection, sa.select(t.corrections).where(t.corrections.c.run_id == run_id)).get(run_id, {})


def latest(connection: sa.Connection, query) -> dict[str, dict]:
    """Per run id, the latest value of each corrected field, from a select over `corrections`."""
    found: dict[str, dict] = {}
    for row in connection.execute(query.order_by(t.corrections.c.id)):
        found.setdefault(row.run_id, {})[row.field] = loads(row.value)
    return found
