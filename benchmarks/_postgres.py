"""A throw-away PostgreSQL schema for a benchmark run, so the figures come from empty tables
and nothing is left behind."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def scratch_schema(url: str) -> Iterator[str | None]:
    """Yield `url` with its search path set to a new schema (dropped afterwards), or None
    (with a line saying why) when the server cannot be reached."""
    import sqlalchemy as sa

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except Exception as error:  # any reason the server is not there
        print(f"PostgreSQL: not reachable at {url.split('@')[-1]}: {' '.join(str(error).split())[:160]}")
        admin.dispose()
        yield None
        return
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
