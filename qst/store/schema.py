"""The store's tables (SQLAlchemy Core). The migrations in `migrations/versions` create them;
a test checks that the two agree.

Documents are kept as compact JSON text: a run's start and stop documents whole, each event's
`data` in one row (a `samples` event's block of rows is one row here, not one per sample).
Rows of `runs`, `run_stops`, `events`, `corrections`, `diary` and `audit` are only ever
inserted; triggers in the database refuse UPDATE and DELETE on them.
Times are ISO 8601 UTC text (`..._utc`); `t_s` is on the run's own clock (s).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# A 64-bit key that stays SQLite's rowid alias (an INTEGER PRIMARY KEY) there.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

APPEND_ONLY = ("runs", "run_stops", "events", "corrections", "diary", "audit")

studies = sa.Table(
    "studies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("definition_text", sa.Text, nullable=False),
    sa.Column("created_utc", sa.String(40), nullable=False),
)

participants = sa.Table(
    "participants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("study_id", sa.Integer, sa.ForeignKey("studies.id"), nullable=False),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("fields", sa.Text, nullable=False),
    sa.Column("created_utc", sa.String(40), nullable=False),
    sa.UniqueConstraint("study_id", "code", name="uq_participants_study_code"),
)

visits = sa.Table(
    "visits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("phase_code", sa.String(40), nullable=False),
    sa.Column("battery", sa.String(200), nullable=False),
    sa.Column("planned", sa.Text, nullable=False),
    sa.Column("examiner", sa.String(200), nullable=False),
    sa.Column("station", sa.String(200), nullable=False),
    sa.Column("opened_utc", sa.String(40), nullable=False),
    sa.Column("closed_utc", sa.String(40), nullable=True),
    sa.Column("notes", sa.Text, nullable=False),
    sa.UniqueConstraint("participant_id", "number", name="uq_visits_participant_number"),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("run_id", sa.String(64), nullable=False, unique=True),
    sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id"), nullable=False, index=True),
    sa.Column("test", sa.String(40), nullable=False),
    sa.Column("site", sa.String(200), nullable=False),
    sa.Column("trial", sa.Integer, nullable=False),
    sa.Column("start", sa.Text, nullable=False),
    sa.Column("started_utc", sa.String(40), nullable=False),
    sa.Column("stored_utc", sa.String(40), nullable=False),
)

run_stops = sa.Table(
    "run_stops",
    metadata,
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), primary_key=True),
    sa.Column("exit_status", sa.String(40), nullable=False),
    sa.Column("stop", sa.Text, nullable=False),
    sa.Column("stopped_utc", sa.String(40), nullable=False),
    sa.Column("stored_utc", sa.String(40), nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("t_s", sa.Float, nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.UniqueConstraint("run_id", "seq", name="uq_events_run_seq"),
)

corrections = sa.Table(
    "corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), nullable=False, index=True),
    sa.Column("field", sa.String(40), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("who", sa.String(200), nullable=False),
    sa.Column("why", sa.Text, nullable=False),
    sa.Column("at_utc", sa.String(40), nullable=False),
)

diary = sa.Table(
    "diary",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id"), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("symptom", sa.String(100), nullable=False),
    sa.Column("rating", sa.Integer, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("who", sa.String(200), nullable=False),
    sa.Column("imported_utc", sa.String(40), nullable=False),
    sa.UniqueConstraint("participant_id", "day", "symptom", name="uq_diary_participant_day_symptom"),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("study_id", sa.Integer, sa.ForeignKey("studies.id"), nullable=False, index=True),
    sa.Column("at_utc", sa.String(40), nullable=False),
    sa.Column("who", sa.String(200), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("participant", sa.String(64), nullable=False),
    sa.Column("visit", sa.Integer, nullable=True),
    sa.Column("run_id", sa.String(64), nullable=True),
    sa.Column("what", sa.Text, nullable=False),
)
