"""`Store`: studies, participants, visits, the record stream of each visit, corrections,
diaries, derived values and exports, over SQLite or PostgreSQL (see `qst.store`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

import sqlalchemy as sa

from qst.store import audit, connect, corrections, derived, diary, exports, lookup, migrate, visits
from qst.store import schema as t
from qst.store.connect import WRITE
from qst.store.encoding import dumps, jsonable, loads, utc_now
from qst.store.errors import StoreError, translated
from qst.store.sink import VisitSink, visit_documents

Out = str | os.PathLike | IO[str]


class Store:
    """The records store. Open with `Store.open(url)`; every method raises `StoreError` (one
    line) for what it refuses or cannot do, and leaves the store as it was."""

    def __init__(self, engine: sa.Engine, location: str):
        self.engine = engine
        self.location = location
        self._write = engine.execution_options(**WRITE)

    @classmethod
    def open(cls, url: str | os.PathLike | None = None, *, create: bool = True) -> "Store":
        """The store at `url`: None for this user's default SQLite file, a file path,
        `sqlite:///path`, or `postgresql+psycopg://user:password@host:port/database`.
        Creates the file (and folders) and the schema, or brings an older schema up to date;
        with `create=False`, opens only a store that exists (`NoStoreError` where there is
        none, nothing made). A database holding other tables than a store's is refused."""
        resolved = connect.resolve(url)
        location = connect.describe(resolved)
        engine = connect.create_engine(resolved, create=create)
        try:
            translated(f"cannot open the store {location}")(migrate.upgrade)(engine, create=create)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, location)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.location!r})"

    # -- studies -------------------------------------------------------------------------------

    @translated("cannot add the study")
    def add_study(self, name: str, definition_text: str, *, who: str = "") -> None:
        """Keep a study's definition (its TOML text) under `name`; a name is used once."""
        if not isinstance(name, str) or not name.strip():
            raise StoreError("a study needs a name")
        if not isinstance(definition_text, str):
            raise StoreError("a study's definition is its TOML text")
        with self._write.begin() as connection:
            if connection.execute(sa.select(t.studies.c.id).where(t.studies.c.name == name)).first():
                raise StoreError(f"a study named {name!r} is already in the store")
            study_id = connection.execute(
                t.studies.insert()
                .values(name=name, definition_text=definition_text, created_utc=utc_now())
                .returning(t.studies.c.id)
            ).scalar_one()
            audit.record(connection, study_id, who=who, action="study added", what=f"study {name} added")

    @translated("cannot read the study")
    def study_text(self, name: str) -> str:
        with self.engine.connect() as connection:
            study_id = lookup.study_id(connection, name)
            return connection.execute(
                sa.select(t.studies.c.definition_text).where(t.studies.c.id == study_id)
            ).scalar_one()

    @translated("cannot list the studies")
    def study_names(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(sa.select(t.studies.c.name).order_by(t.studies.c.name)).scalars())

    # -- participants ----------------------------------------------------------------------------

    @translated("cannot enrol the participant")
    def add_participant(self, study: str, code: str, fields: dict, *, who: str = "") -> None:
        """Enrol `code` in `study` with its `fields` (JSON-able: dates become ISO text,
        dataclasses dicts). The store does not judge what the fields hold; `qst.participants` does."""
        if not isinstance(code, str) or not code.strip():
            raise StoreError("a participant needs a code")
        if not isinstance(fields, dict):
            raise StoreError("a participant's fields must be a dict")
        data = jsonable(fields, "fields")
        if "code" in data and data["code"] != code:
            raise StoreError(f"the fields give code {data['code']!r}, not {code!r}")
        data.pop("code", None)
        with self._write.begin() as connection:
            study_id = lookup.study_id(connection, study)
            exists = connection.execute(
                sa.select(t.participants.c.id).where(t.participants.c.study_id == study_id, t.participants.c.code == code)
            ).first()
            if exists:
                raise StoreError(f"participant {code!r} is already enrolled in study {study!r}")
            connection.execute(
                t.participants.insert().values(study_id=study_id, code=code, fields=dumps(data), created_utc=utc_now())
            )
            audit.record(connection, study_id, who=who, action="participant enrolled", participant=code,
                         what=f"participant {code} enrolled")

    @translated("cannot read the participant")
    def participant(self, study: str, code: str) -> dict:
        """The participant's fields, with `code`. Raises `UnknownParticipantError`."""
        with self.engine.connect() as connection:
            participant_id = lookup.participant_id(connection, study, code)
            fields = connection.execute(
                sa.select(t.participants.c.fields).where(t.participants.c.id == participant_id)
            ).scalar_one()
        return {"code": code, **loads(fields)}

    @translated("cannot list the participants")
    def participants(self, study: str) -> list[dict]:
        """Every participant of the study (as `participant()` gives them), by code."""
        with self.engine.connect() as connection:
            study_id = lookup.study_id(connection, study)
            rows = connection.execute(
                sa.select(t.participants.c.code, t.participants.c.fields)
                .where(t.participants.c.study_id == study_id)
                .order_by(t.participants.c.code)
            ).all()
        return [{"code": row.code, **loads(row.fields)} for row in rows]

    # -- visits and runs -----------------------------------------------------------------------

    @translated("cannot open the visit")
    def open_visit(
        self,
        study: str,
        code: str,
        number: int,
        phase_code: str,
        battery: str,
        planned: list[tuple[str, str, int]],
        examiner: str = "",
        station: str = "",
        *,
        who: str = "",
    ) -> int:
        """The id of visit `number` of participant `code`: a new visit with its plan of
        (test, site, trial) in order, or the same visit again to resume it (the phase,
        battery and plan must match; a closed visit is refused)."""
        with self._write.begin() as connection:
            return visits.open_visit(
                connection, study, code, number, phase_code, battery, planned, examiner, station, who
            )

    @translated("cannot find where to resume")
    def resume_index(self, visit_id: int) -> int:
        """Index of the first planned trial without a completed run: `runner.run_plan(plan, start_at=...)`.
        Trials whose run was interrupted or did not complete are run again; completed ones never."""
        with self.engine.connect() as connection:
            return visits.resume_index(connection, visit_id)

    @translated("cannot record into the visit")
    def sink(self, visit_id: int) -> VisitSink:
        """A `RecordSink` committing each document in its own transaction as it arrives
        (`extend` records a finished visit's documents in one)."""
        return VisitSink(self.engine, visit_id)

    @translated("cannot close the visit")
    def close_visit(self, visit_id: int, notes: str = "", *, who: str = "") -> None:
        with self._write.begin() as connection:
            visits.close_visit(connection, visit_id, notes, who)

    @translated("cannot list the visits")
    def visits(self, study: str, code: str | None = None) -> list[dict]:
        """Visits by participant and number: see `qst.store.visits.listing` for the keys."""
        with self.engine.connect() as connection:
            return visits.listing(connection, study, code)

    @translated("cannot read the visit's documents")
    def visit_documents(self, visit_id: int) -> list[dict]:
        """The visit's documents as recorded (`as_dict` form), in the order they arrived."""
        with self.engine.connect() as connection:
            return visit_documents(connection, visit_id)

    # -- corrections and audit -----------------------------------------------------------------

    @translated("cannot record the correction")
    def correct(self, run_id: str, *, field: str, value, who: str, why: str) -> None:
        """Correct a derived field of a run ("value", "censored" or "excluded"), saying who and why.
        The run's documents stay as recorded; derived values and exports follow the correction."""
        with self._write.begin() as connection:
            corrections.correct(connection, run_id, field, value, who, why)

    @translated("cannot read the audit trail")
    def audit(self, study: str) -> list[dict]:
        """Every study, participant, visit, run, correction and diary-import event of the study,
        oldest first: at_utc, who, action, participant, visit, run_id, what."""
        with self.engine.connect() as connection:
            return audit.entries(connection, lookup.study_id(connection, study))

    # -- diary ---------------------------------------------------------------------------------

    @translated("cannot import the diary")
    def add_diary(self, study: str, entries: list, source: str, who: str) -> dict:
        """Add diary entries (`DiaryEntry`s, or dicts with participant_code, day, rating,
        symptom): {"added": n, "duplicates": m}. A conflict adds nothing."""
        with self._write.begin() as connection:
            return diary.add(connection, study, list(entries), source, who)

    @translated("cannot read the diary")
    def diary(self, study: str, code: str | None = None) -> list[dict]:
        """Diary entries: participant, day (a date), symptom, rating, source, who, imported_utc."""
        with self.engine.connect() as connection:
            return diary.entries(connection, study, code)

    # -- derived values and exports ------------------------------------------------------------

    @translated("cannot derive the trials")
    def trials(self, study: str, *, unblind: bool = False) -> list[dict]:
        """One tidy row per run, corrections applied (columns: `derived.TIDY_COLUMNS`;
        `treatment` after `phase_code` when `unblind`)."""
        with self.engine.connect() as connection:
            return derived.trial_rows(connection, study, unblind=unblind)

    @translated("cannot export the trials")
    def export_tidy_csv(self, study: str, out: Out, *, unblind: bool = False) -> int:
        """Write `trials()` as CSV to `out`; returns the rows written."""
        rows = self.trials(study, unblind=unblind)
        return exports.write_csv(out, derived.tidy_columns(unblind), rows)

    @translated("cannot export the visit summaries")
    def export_visit_summary_csv(self, study: str, out: Out) -> int:
        """Per visit × test × site (columns: `derived.SUMMARY_COLUMNS`); returns the rows written."""
        rows = derived.summary_rows(self.trials(study))
        return exports.write_csv(out, derived.SUMMARY_COLUMNS, rows)

    @translated("cannot export the visit")
    def export_visit_json(self, visit_id: int, out: Out) -> None:
        """The whole visit: study, participant code, the visit, its documents, corrections and derived trials."""
        exports.write_json(out, self.visit_record(visit_id))

    @translated("cannot read the visit")
    def visit_record(self, visit_id: int) -> dict:
        """What `export_visit_json` writes, as data."""
        with self.engine.connect() as connection:
            visit = lookup.visit(connection, visit_id)
            documents = visit_documents(connection, visit_id)
            trials = derived.trial_rows(connection, visit.study, visit_id=visit_id)
            fixes = connection.execute(
                sa.select(t.corrections)
                .join(t.runs, t.runs.c.run_id == t.corrections.c.run_id)
                .where(t.runs.c.visit_id == visit_id)
                .order_by(t.corrections.c.id)
            ).all()
        return {
            "study": visit.study,
            "participant": visit.participant,
            "visit": {
                "number": visit.number,
                "phase_code": visit.phase_code,
                "battery": visit.battery,
                "planned": loads(visit.planned),
                "examiner": visit.examiner,
                "station": visit.station,
                "opened_utc": visit.opened_utc,
                "closed_utc": visit.closed_utc,
                "notes": visit.notes,
            },
            "documents": documents,
            "corrections": [
                {"run_id": row.run_id, "field": row.field, "value": loads(row.value), "who": row.who,
                 "why": row.why, "at_utc": row.at_utc}
                for row in fixes
            ],
            "trials": trials,
        }

    @translated("cannot export the traces")
    def export_traces(self, visit_id: int, directory: str | os.PathLike) -> list[Path]:
        """One CSV per run with `samples` events, in `directory`; returns the files written."""
        with self.engine.connect() as connection:
            visit = lookup.visit(connection, visit_id)
            documents = visit_documents(connection, visit_id)
        base = f"{exports.safe_name(visit.participant)}-v{visit.number:02d}"
        return exports.write_traces(directory, base, documents)
