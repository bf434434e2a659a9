"""The first schema: studies, participants, visits, runs and their stops, events, corrections,
diary, audit; triggers that keep the recorded tables append-only.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Utc = sa.String(40)
APPEND_ONLY = ("runs", "run_stops", "events", "corrections", "diary", "audit")


def upgrade() -> None:
    op.create_table(
        "studies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("definition_text", sa.Text, nullable=False),
        sa.Column("created_utc", Utc, nullable=False),
    )
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("study_id", sa.Integer, sa.ForeignKey("studies.id"), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("created_utc", Utc, nullable=False),
        sa.UniqueConstraint("study_id", "code", name="uq_participants_study_code"),
    )
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("phase_code", sa.String(40), nullable=False),
        sa.Column("battery", sa.String(200), nullable=False),
        sa.Column("planned", sa.Text, nullable=False),
        sa.Column("examiner", sa.String(200), nullable=False),
        sa.Column("station", sa.String(200), nullable=False),
        sa.Column("opened_utc", Utc, nullable=False),
        sa.Column("closed_utc", Utc, nullable=True),
        sa.Column("notes", sa.Text, nullable=False),
        sa.UniqueConstraint("participant_id", "number", name="uq_visits_participant_number"),
    )
    op.create_table(
        "runs",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("run_id", sa.String(64), nullable=False, unique=True),
        sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id"), nullable=False),
        sa.Column("test", sa.String(40), nullable=False),
        sa.Column("site", sa.String(200), nullable=False),
        sa.Column("trial", sa.Integer, nullable=False),
        sa.Column("start", sa.Text, nullable=False),
        sa.Column("started_utc", Utc, nullable=False),
        sa.Column("stored_utc", Utc, nullable=False),
    )
    op.create_index("ix_runs_visit_id", "runs", ["visit_id"])
    op.create_table(
        "run_stops",
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), primary_key=True),
        sa.Column("exit_status", sa.String(40), nullable=False),
        sa.Column("stop", sa.Text, nullable=False),
        sa.Column("stopped_utc", Utc, nullable=False),
        sa.Column("stored_utc", Utc, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("t_s", sa.Float, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.UniqueConstraint("run_id", "seq", name="uq_events_run_seq"),
    )
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("at_utc", Utc, nullable=False),
    )
    op.create_index("ix_corrections_run_id", "corrections", ["run_id"])
    op.create_table(
        "diary",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("symptom", sa.String(100), nullable=False),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("imported_utc", Utc, nullable=False),
        sa.UniqueConstraint("participant_id", "day", "symptom", name="uq_diary_participant_day_symptom"),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("study_id", sa.Integer, sa.ForeignKey("studies.id"), nullable=False),
        sa.Column("at_utc", Utc, nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("participant", sa.String(64), nullable=False),
        sa.Column("visit", sa.Integer, nullable=True),
        sa.Column("run_id", sa.String(64), nullable=True),
        sa.Column("what", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_study_id", "audit", ["study_id"])
    _append_only_triggers()


def _append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            """
            CREATE FUNCTION qst_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'append-only: rows of % are never changed or deleted', TG_TABLE_NAME;
            END $$
            """
        )
    for table in APPEND_ONLY:
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION qst_append_only()"
            )
        else:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN "
                    f"SELECT RAISE(ABORT, 'append-only: rows of {table} are never changed or deleted'); END"
                )


def downgrade() -> None:
    raise NotImplementedError("the first schema has nothing to go back to")
