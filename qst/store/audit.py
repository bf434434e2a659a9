"""The audit trail: who did what to a study, and when (UTC).

Studies, participants, visits, corrections and diary imports write an `audit` row in the same
transaction as what they record. Runs are not written twice: their audit entries are read
from the runs and their stops (the examiner, and when each document was stored).
"""

from __future__ import annotations

import getpass

import sqlalchemy as sa

from qst.store import schema as t
from qst.store.encoding import loads, utc_now


def who_or_login(who: str) -> str:
    """`who`, or the operating system's login name when the caller gave none."""
    if who.strip():
        return who.strip()
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers, services): say so rather than fail
        return "unknown"


def record(
    connection: sa.Connection,
    study_id: int,
    *,
    who: str,
    action: str,
    what: str,
    participant: str = "",
    visit: int | None = None,
    run_id: str | None = None,
    at_utc: str | None = None,
) -> None:
    connection.execute(
        t.audit.insert().values(
            study_id=study_id,
            at_utc=at_utc or utc_now(),
            who=who_or_login(who),
            action=action,
            participant=participant,
            visit=visit,
            run_id=run_id,
            what=what,
        )
    )


def entries(connection: sa.Connection, study_id: int) -> list[dict]:
    """Every audit entry of the study, oldest first: at_utc, who, action, participant, visit, run_id, what."""
    found = [
        {key: row._mapping[key] for key in ("at_utc", "who", "action", "participant", "visit", "run_id", "what")}
        for row in connection.execute(
            sa.select(t.audit).where(t.audit.c.study_id == study_id).order_by(t.audit.c.id)
        )
    ]
    runs = connection.execute(
        sa.select(
            t.runs.c.run_id,
            t.runs.c.test,
            t.runs.c.site,
            t.runs.c.trial,
            t.runs.c.start,
            t.runs.c.stored_utc,
            t.run_stops.c.exit_status,
            t.run_stops.c.stop,
            t.run_stops.c.stored_utc.label("stop_stored_utc"),
            t.visits.c.number,
            t.visits.c.examiner.label("visit_examiner"),
            t.participants.c.code,
        )
        .outerjoin(t.run_stops, t.run_stops.c.run_id == t.runs.c.run_id)
        .join(t.visits, t.visits.c.id == t.runs.c.visit_id)
        .join(t.participants, t.participants.c.id == t.visits.c.participant_id)
        .where(t.participants.c.study_id == study_id)
        .order_by(t.runs.c.id)
    )
    for row in runs:
        examiner = loads(row.start).get("examiner", "") or row.visit_examiner or "unknown"
        trial = f"{row.test} at {row.site}, trial {row.trial}"
        common = {"who": examiner, "participant": row.code, "visit": row.number, "run_id": row.run_id}
        found.append({"at_utc": row.stored_utc, "action": "run started", "what": trial, **common})
        if row.stop is not None:
            reason = loads(row.stop).get("reason", "")
            what = f"{trial}: {row.exit_status}" + (f" ({reason})" if reason and reason != row.exit_status else "")
            found.append({"at_utc": row.stop_stored_utc, "action": "run stopped", "what": what, **common})
    # Stable: entries stored in the same millisecond keep the order they were written in.
    found.sort(key=lambda entry: entry["at_utc"])
    return found
