"""Visits: opening (or resuming) one with its plan, where to resume, closing, listing."""

from __future__ import annotations

import sqlalchemy as sa

from qst.store import audit, lookup
from qst.store import schema as t
from qst.store.encoding import dumps, loads, utc_now
from qst.store.errors import StoreError

COMPLETED = "completed"


def planned_list(planned) -> list[tuple[str, str, int]]:
    """The plan as (test, site, trial) tuples, checked: non-empty, no trial twice."""
    trials: list[tuple[str, str, int]] = []
    try:
        for test, site, trial in planned:
            if not isinstance(test, str) or not isinstance(site, str) or isinstance(trial, bool):
                raise TypeError
            trials.append((test, site, int(trial)))
    except (TypeError, ValueError):
        raise StoreError("the plan must be a list of (test, site, trial) entries, e.g. ('HPT', 'volar-forearm-left', 1)") from None
    if not trials:
        raise StoreError("the plan is empty: a visit needs at least one planned trial")
    seen = set()
    for entry in trials:
        if entry in seen:
            raise StoreError(f"the plan has {entry[0]} at {entry[1]}, trial {entry[2]} twice")
        seen.add(entry)
    return trials


def open_visit(
    connection: sa.Connection,
    study: str,
    code: str,
    number: int,
    phase_code: str,
    battery: str,
    planned,
    examiner: str,
    station: str,
    who: str,
) -> int:
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise StoreError(f"a visit number counts from 1; got {number!r}")
    if not isinstance(phase_code, str) or not phase_code.strip():
        raise StoreError("a visit needs its phase code (e.g. 'A')")
    trials = planned_list(planned)
    participant_id = lookup.participant_id(connection, study, code)
    study_id = lookup.study_id(connection, study)
    existing = connection.execute(
        sa.select(t.visits).where(t.visits.c.participant_id == participant_id, t.visits.c.number == number)
    ).first()
    if existing is not None:
        return _resume(connection, existing, study_id, code, phase_code, battery, trials, who or examiner)
    visit_id = connection.execute(
        t.visits.insert()
        .values(
            participant_id=participant_id,
            number=number,
            phase_code=phase_code,
            battery=battery,
            planned=dumps([list(entry) for entry in trials]),
            examiner=examiner,
            station=station,
            opened_utc=utc_now(),
            closed_utc=None,
            notes="",
        )
        .returning(t.visits.c.id)
    ).scalar_one()
    where = f" at {station}" if station else ""
    audit.record(
        connection, study_id, who=who or examiner, action="visit opened", participant=code, visit=number,
        what=f"visit {number}, phase {phase_code}, battery {battery}: {len(trials)} trials planned{where}",
    )
    return visit_id


def _resume(connection, existing, study_id, code, phase_code, battery, trials, who) -> int:
    number = existing.number
    if existing.closed_utc is not None:
        raise StoreError(f"visit {number} of {code} was closed at {existing.closed_utc}; it cannot be resumed")
    for name, stored, given in (("phase", existing.phase_code, phase_code), ("battery", existing.battery, battery)):
        if stored != given:
            raise StoreError(f"visit {number} of {code} was opened with {name} {stored!r}, not {given!r}")
    if [tuple(entry) for entry in loads(existing.planned)] != trials:
        raise StoreError(f"visit {number} of {code} was opened with a different plan of trials; resume it with the same plan")
    index = resume_index(connection, existing.id)
    audit.record(
        connection, study_id, who=who, action="visit resumed", participant=code, visit=number,
        what=f"visit {number} resumed at planned trial {index + 1} of {len(trials)}",
    )
    return existing.id


def completed_trials(connection: sa.Connection, visit_id: int) -> set[tuple[str, str, int]]:
    rows = connection.execute(
        sa.select(t.runs.c.test, t.runs.c.site, t.runs.c.trial)
        .join(t.run_stops, t.run_stops.c.run_id == t.runs.c.run_id)
        .where(t.runs.c.visit_id == visit_id, t.run_stops.c.exit_status == COMPLETED)
    )
    return {(row.test, row.site, row.trial) for row in rows}


def resume_index(connection: sa.Connection, visit_id: int) -> int:
    """The index in the plan of the first trial without a completed run (len(plan) when all are done)."""
    planned = [tuple(entry) for entry in loads(lookup.visit(connection, visit_id).planned)]
    done = completed_trials(connection, visit_id)
    for index, entry in enumerate(planned):
        if entry not in done:
            return index
    return len(planned)


def close_visit(connection: sa.Connection, visit_id: int, notes: str, who: str) -> None:
    visit = lookup.visit(connection, visit_id)
    if visit.closed_utc is not None:
        raise StoreError(f"visit {visit.number} of {visit.participant} is already closed (at {visit.closed_utc})")
    planned = loads(visit.planned)
    done = len(completed_trials(connection, visit_id) & {tuple(entry) for entry in planned})
    connection.execute(
        t.visits.update().where(t.visits.c.id == visit_id).values(closed_utc=utc_now(), notes=notes)
    )
    audit.record(
        connection, visit.study_id, who=who or visit.examiner, action="visit closed", participant=visit.participant,
        visit=visit.number, what=f"visit {visit.number} closed: {done} of {len(planned)} planned trials completed"
        + (f"; notes: {notes}" if notes else ""),
    )


def listing(connection: sa.Connection, study: str, code: str | None) -> list[dict]:
    """Each visit: ids, number, phase, status ("open"/"closed"), and counts: `planned` trials,
    `completed` planned trials, `runs` recorded, `runs_not_completed` (interrupted, stopped,
    aborted or faulted runs)."""
    study_id = lookup.study_id(connection, study)
    query = (
        sa.select(t.visits, t.participants.c.code.label("participant"))
        .join(t.participants, t.participants.c.id == t.visits.c.participant_id)
        .where(t.participants.c.study_id == study_id)
        .order_by(t.participants.c.code, t.visits.c.number)
    )
    if code is not None:
        lookup.participant_id(connection, study, code)
        query = query.where(t.participants.c.code == code)
    counts = _run_counts(connection, study_id)
    found = []
    for row in connection.execute(query):
        planned = {tuple(entry) for entry in loads(row.planned)}
        runs, completed_runs, done = counts.get(row.id, (0, 0, set()))
        found.append(
            {
                "visit_id": row.id,
                "participant": row.participant,
                "number": row.number,
                "phase_code": row.phase_code,
                "battery": row.battery,
                "status": "closed" if row.closed_utc else "open",
                "planned": len(planned),
                "completed": len(done & planned),
                "runs": runs,
                "runs_not_completed": runs - completed_runs,
                "examiner": row.examiner,
                "station": row.station,
                "opened_utc": row.opened_utc,
                "closed_utc": row.closed_utc,
                "notes": row.notes,
            }
        )
    return found


def _run_counts(connection: sa.Connection, study_id: int) -> dict[int, tuple[int, int, set]]:
    """Per visit id: runs, runs stopped completed, and the completed (test, site, trial)s."""
    rows = connection.execute(
        sa.select(t.runs.c.visit_id, t.runs.c.test, t.runs.c.site, t.runs.c.trial, t.run_stops.c.exit_status)
        .outerjoin(t.run_stops, t.run_stops.c.run_id == t.runs.c.run_id)
        .join(t.visits, t.visits.c.id == t.runs.c.visit_id)
        .join(t.participants, t.participants.c.id == t.visits.c.participant_id)
        .where(t.participants.c.study_id == study_id)
    )
    counts: dict[int, tuple[int, int, set]] = {}
    for row in rows:
        runs, completed, done = counts.get(row.visit_id, (0, 0, set()))
        if row.exit_status == COMPLETED:
            completed += 1
            done.add((row.test, row.site, row.trial))
        counts[row.visit_id] = (runs + 1, completed, done)
    return counts
