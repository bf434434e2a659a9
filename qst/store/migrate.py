"""Bringing a database's schema to the one this qst knows, with the Alembic migrations shipped
in `qst/store/migrations/`, run programmatically (no alembic.ini) when a store opens.

A store already at `HEAD_REVISION` costs one small query: Alembic itself is imported only
when there is something to do.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from qst.store.connect import WRITE, describe
from qst.store.errors import NoStoreError, StoreError

HEAD_REVISION = "0001"
"""The newest revision in `migrations/versions` (a test keeps the two in step)."""

MIGRATIONS = Path(__file__).with_name("migrations")
_POSTGRES_LOCK_KEY = 0x71737473  # any fixed number: serialises migrations of one database


def current_revision(connection: sa.Connection) -> str | None:
    """The revision the database is at, or None for an empty database."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def upgrade(engine: sa.Engine, *, create: bool = True) -> None:
    """Migrate the database to `HEAD_REVISION` if it is not there; refuse a newer schema, a
    database holding tables that are not a qst store's and, unless `create`, an empty one."""
    with engine.connect() as connection:
        found = current_revision(connection)
        if found == HEAD_REVISION:
            return
        if found is None:
            _refuse_unless_empty(connection, create)
    with engine.execution_options(**WRITE).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_POSTGRES_LOCK_KEY})")
        found = current_revision(connection)  # again: another process may have migrated meanwhile
        if found == HEAD_REVISION:
            return
        _run_alembic(connection, found)


def _refuse_unless_empty(connection: sa.Connection, create: bool) -> None:
    """Refuse, before anything is written, a database that is not a qst store: one with
    tables of its own, or (unless `create`) an empty one."""
    location = describe(connection.engine.url)
    tables = sorted(sa.inspect(connection).get_table_names())
    if tables:
        named = ", ".join(tables[:5]) + (f", … ({len(tables)} in all)" if len(tables) > 5 else "")
        raise StoreError(f"{location} is a database but not a qst store (it has tables {named}): give another path")
    if not create:
        raise NoStoreError(f"no qst store at {location}")


def alembic_config(connection: sa.Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _run_alembic(connection: sa.Connection, found: str | None) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    config = alembic_config(connection)
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if found is not None and found not in known:
        raise StoreError(
            f"the store's schema (revision {found}) is newer than this qst knows ({HEAD_REVISION}): upgrade qst"
        )
    try:
        command.upgrade(config, "head")
    except CommandError as error:
        raise StoreError(f"cannot upgrade the store's schema: {error}") from None
