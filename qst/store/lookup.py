"""Finding a study, participant, visit or run by what callers know it as, or saying it is not there."""

from __future__ import annotations

import sqlalchemy as sa

from qst.store import schema as t
from qst.store.errors import UnknownParticipantError, UnknownRunError, UnknownStudyError, UnknownVisitError


def study_id(connection: sa.Connection, name: str) -> int:
    found = connection.execute(sa.select(t.studies.c.id).where(t.studies.c.name == name)).scalar()
    if found is None:
        names = connection.execute(sa.select(t.studies.c.name).order_by(t.studies.c.name)).scalars().all()
        known = f"; the store has {', '.join(names)}" if names else "; the store has no studies yet"
        raise UnknownStudyError(f"no study named {name!r}{known}")
    return found


def participant_id(connection: sa.Connection, study: str, code: str) -> int:
    found = connection.execute(
        sa.select(t.participants.c.id).where(
            t.participants.c.study_id == study_id(connection, study), t.participants.c.code == code
        )
    ).scalar()
    if found is None:
        raise UnknownParticipantError(f"no participant {code!r} in study {study!r}")
    return found


def visit(connection: sa.Connection, visit_id: int) -> sa.Row:
    """The visit's row with its participant's code and its study's id and name."""
    row = connection.execute(
        sa.select(
            t.visits,
            t.participants.c.code.label("participant"),
            t.studies.c.id.label("study_id"),
            t.studies.c.name.label("study"),
        )
        .join(t.participants, t.participants.c.id == t.visits.c.participant_id)
        .join(t.studies, t.studies.c.id == t.participants.c.study_id)
        .where(t.visits.c.id == visit_id)
    ).first()
    if row is None:
        raise UnknownVisitError(f"no visit with id {visit_id}")
    return row


def run(connection: sa.Connection, run_id: str) -> sa.Row:
    """The run's row, its stop's row fields (None when it has none), its visit's study id."""
    row = connection.execute(
        sa.select(
            t.runs,
            t.run_stops.c.exit_status,
            t.run_stops.c.stop,
            t.visits.c.number.label("visit_number"),
            t.participants.c.code.label("participant"),
            t.participants.c.study_id,
        )
        .outerjoin(t.run_stops, t.run_stops.c.run_id == t.runs.c.run_id)
        .join(t.visits, t.visits.c.id == t.runs.c.visit_id)
        .join(t.participants, t.participants.c.id == t.visits.c.participant_id)
        .where(t.runs.c.run_id == run_id)
    ).first()
    if row is None:
        raise UnknownRunError(f"no run with id {run_id!r}")
    return row
