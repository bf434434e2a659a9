"""The record sink of a visit: each document committed in its own transaction as it arrives,
so a crash loses at most the trial in flight; and the documents read back, in order."""

from __future__ import annotations

import dataclasses
import enum
import json
from datetime import date, datetime
from typing import Any, Iterable

import sqlalchemy as sa

from protocols.records import Document, Event, RunStart, RunStop, as_dict
from qst.store import lookup
from qst.store import schema as t
from qst.store.connect import WRITE
from qst.store.encoding import loads, utc_now
from qst.store.errors import StoreError, translated


def encode_document(value: Any) -> str:
    """A document's data as compact JSON. Values a procedure might hand over that JSON lacks
    (numpy scalars, dates, enums) are converted rather than refused: a visit must not stop
    because a number came in an unusual type."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return repr(value)


class VisitSink:
    """`RecordSink` of one visit: call it with each `RunStart`, `Event` and `RunStop`.

    Each call returns once its document is committed (durably, on SQLite). Raises
    `StoreError` when the document cannot be stored (the visit is closed, the disk is full,
    an event names a run this visit never started); what was stored before stays.
    """

    def __init__(self, engine: sa.Engine, visit_id: int):
        self._engine = engine.execution_options(**WRITE)
        self.visit_id = visit_id
        self._next_seq: dict[str, int] = {}
        with engine.connect() as connection:
            visit = lookup.visit(connection, visit_id)
        if visit.closed_utc is not None:
            raise StoreError(f"visit {visit.number} of {visit.participant} is closed; nothing more can be recorded in it")

    @translated("cannot record the document")
    def __call__(self, document: Document) -> None:
        with self._engine.begin() as connection:
            statement, row = self._row(connection, document, None)
            connection.execute(statement, row)

    @translated("cannot record the documents")
    def extend(self, documents: Iterable[Document]) -> None:
        """Record a finished visit's documents (an import, a simulation) in one transaction:
        all of them or, when one is refused, none. The same checks as one by one, with each
        table's rows inserted together (a simulated visit has a thousand documents)."""
        next_seq = dict(self._next_seq)
        batch = _Batch()
        try:
            with self._engine.begin() as connection:
                for document in documents:
                    statement, row = self._row(connection, document, batch)
                    batch.rows[statement].append(row)
                for statement, rows in batch.rows.items():
                    if rows:
                        connection.execute(statement, rows)
        except BaseException:
            self._next_seq = next_seq  # nothing of the batch was stored
            raise

    def _row(self, connection: sa.Connection, document: Document, batch: "_Batch | None") -> tuple[sa.Insert, dict]:
        """The insert that records `document`, and its row, once the document passed its checks.
        `batch`: the rows of an `extend` not inserted yet (runs it started, stops it holds)."""
        if isinstance(document, Event):
            return _INSERT_EVENT, self._event(connection, document)
        if isinstance(document, RunStart):
            return _INSERT_RUN, self._start(connection, document, batch)
        if isinstance(document, RunStop):
            return _INSERT_STOP, self._stop(connection, document, batch)
        raise StoreError(f"not a record document: {type(document).__name__}")

    def _start(self, connection: sa.Connection, start: RunStart, batch: "_Batch | None") -> dict:
        if batch is None or not batch.open_checked:
            if connection.execute(_CLOSED, {"visit_id": self.visit_id}).scalar() is not None:
                visit = lookup.visit(connection, self.visit_id)
                raise StoreError(f"visit {visit.number} of {visit.participant} is closed; run {start.run_id} not recorded")
            if batch is not None:
                batch.open_checked = True
        if batch is not None:
            batch.started.add(start.run_id)
        self._next_seq[start.run_id] = 0
        return {
            "run_id": start.run_id,
            "visit_id": self.visit_id,
            "test": start.test,
            "site": start.site,
            "trial": start.trial,
            "start": encode_document(as_dict(start)),
            "started_utc": start.wall_time,
            "stored_utc": utc_now(),
        }

    def _event(self, connection: sa.Connection, event: Event) -> dict:
        seq = self._next_seq.get(event.run_id)
        if seq is None:  # a run this sink did not start (another process, before a restart)
            self._check_run(connection, event.run_id)
            seq = connection.execute(_NEXT_SEQ, {"run_id": event.run_id}).scalar_one()
        self._next_seq[event.run_id] = seq + 1
        return {"run_id": event.run_id, "seq": seq, "t_s": float(event.t_s), "kind": event.kind,
                "data": encode_document(event.data)}

    def _stop(self, connection: sa.Connection, stop: RunStop, batch: "_Batch | None") -> dict:
        if stop.run_id not in self._next_seq:
            self._check_run(connection, stop.run_id)
        stopped_in_batch = batch is not None and stop.run_id in batch.stopped
        started_in_batch = batch is not None and stop.run_id in batch.started
        if stopped_in_batch or (not started_in_batch and connection.execute(_HAS_STOP, {"run_id": stop.run_id}).first()):
            raise StoreError(f"run {stop.run_id} already has its stop document")
        if batch is not None:
            batch.stopped.add(stop.run_id)
        return {
            "run_id": stop.run_id,
            "exit_status": stop.exit_status.value,
            "stop": encode_document(as_dict(stop)),
            "stopped_utc": stop.wall_time,
            "stored_utc": utc_now(),
        }

    def _check_run(self, connection: sa.Connection, run_id: str) -> None:
        visit_id = connection.execute(_RUN_VISIT, {"run_id": run_id}).scalar()
        if visit_id != self.visit_id:
            raise StoreError(f"run {run_id} has no RunStart in visit {self.visit_id}; start the run first")


class _Batch:
    """What an `extend` has checked but not inserted yet."""

    def __init__(self) -> None:
        # Runs before their events and stops: the rows refer to their run.
        self.rows: dict[sa.Insert, list[dict]] = {_INSERT_RUN: [], _INSERT_EVENT: [], _INSERT_STOP: []}
        self.started: set[str] = set()
        self.stopped: set[str] = set()
        self.open_checked = False


# Built once: a statement reused with parameters skips most of SQLAlchemy's per-call work.
_CLOSED = sa.select(t.visits.c.closed_utc).where(t.visits.c.id == sa.bindparam("visit_id"))
_INSERT_RUN = t.runs.insert()
_INSERT_EVENT = t.events.insert()
_INSERT_STOP = t.run_stops.insert()
_HAS_STOP = sa.select(t.run_stops.c.run_id).where(t.run_stops.c.run_id == sa.bindparam("run_id"))
_RUN_VISIT = sa.select(t.runs.c.visit_id).where(t.runs.c.run_id == sa.bindparam("run_id"))
_NEXT_SEQ = sa.select(sa.func.coalesce(sa.func.max(t.events.c.seq) + 1, 0)).where(
    t.events.c.run_id == sa.bindparam("run_id")
)


def visit_documents(connection: sa.Connection, visit_id: int) -> list[dict]:
    """The visit's documents as `as_dict` gave them, in the order they arrived."""
    lookup.visit(connection, visit_id)
    runs = connection.execute(
        sa.select(t.runs.c.run_id, t.runs.c.start, t.run_stops.c.stop)
        .outerjoin(t.run_stops, t.run_stops.c.run_id == t.runs.c.run_id)
        .where(t.runs.c.visit_id == visit_id)
        .order_by(t.runs.c.id)
    ).all()
    events: dict[str, list[dict]] = {}
    for row in connection.execute(
        sa.select(t.events.c.run_id, t.events.c.t_s, t.events.c.kind, t.events.c.data)
        .join(t.runs, t.runs.c.run_id == t.events.c.run_id)
        .where(t.runs.c.visit_id == visit_id)
        .order_by(t.events.c.run_id, t.events.c.seq)
    ):
        events.setdefault(row.run_id, []).append(
            {"run_id": row.run_id, "t_s": row.t_s, "kind": row.kind, "data": loads(row.data), "document": "Event"}
        )
    documents: list[dict] = []
    for row in runs:
        documents.append(loads(row.start))
        documents.extend(events.get(row.run_id, ()))
        if row.stop is not None:
            documents.append(loads(row.stop))
    return documents
