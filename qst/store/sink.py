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
            self._record(connection, document)

    @translated("cannot record the documents")
    def extend(self, documents: Iterable[Document]) -> None:
        """Record a finished visit's documents (an import, a simulation) in one transaction:
        all of them or, when one is refused, none."""
        with self._engine.begin() as connection:
            for document in documents:
                self._record(connection, document)

    def _record(self, connection: sa.Connection, document: Document) -> None:
        if isinstance(document, Event):
            self._event(connection, document)
        elif isinstance(document, RunStart):
            self._start(connection, document)
        elif isinstance(document, RunStop):
            self._stop(connection, document)
        else:
            raise StoreError(f"not a record document: {type(document).__name__}")

    def _start(self, connection: sa.Connection, start: RunStart) -> None:
        if connection.execute(_CLOSED, {"visit_id": self.visit_id}).scalar() is not None:
            visit = lookup.visit(connection, self.visit_id)
            raise StoreError(f"visit {visit.number} of {visit.participant} is closed; run {start.run_id} not recorded")
        connection.execute(
            _INSERT_RUN,
            {
                "run_id": start.run_id,
                "visit_id": self.visit_id,
                "test": start.test,
                "site": start.site,
                "trial": start.trial,
                "start": encode_document(as_dict(start)),
                "started_utc": start.wall_time,
                "stored_utc": utc_now(),
            },
        )
        self._next_seq[start.run_id] = 0

    def _event(self, connection: sa.Connection, event: Event) -> None:
        seq = self._next_seq.get(event.run_id)
        if seq is None:  # a run this sink did not start (another process, before a restart)
            self._check_run(connection, event.run_id)
            seq = connection.execute(_NEXT_SEQ, {"run_id": event.run_id}).scalar_one()
        connection.execute(
            _INSERT_EVENT,
            {"run_id": event.run_id, "seq": seq, "t_s": float(event.t_s), "kind": event.kind,
             "data": encode_document(event.data)},
        )
        self._next_seq[event.run_id] = seq + 1

    def _stop(self, connection: sa.Connection, stop: RunStop) -> None:
        if stop.run_id not in self._next_seq:
            self._check_run(connection, stop.run_id)
        if connection.execute(_HAS_STOP, {"run_id": stop.run_id}).first():
            raise StoreError(f"run {stop.run_id} already has its stop document")
        connection.execute(
            _INSERT_STOP,
            {
                "run_id": stop.run_id,
                "exit_status": stop.exit_status.value,
                "stop": encode_document(as_dict(stop)),
                "stopped_utc": stop.wall_time,
                "stored_utc": utc_now(),
            },
        )

    def _check_run(self, connection: sa.Connection, run_id: str) -> None:
        visit_id = connection.execute(_RUN_VISIT, {"run_id": run_id}).scalar()
        if visit_id != self.visit_id:
            raise StoreError(f"run {run_id} has no RunStart in visit {self.visit_id}; start the run first")


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
