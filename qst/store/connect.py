"""From what a user gives (nothing, a path, a URL) to a configured SQLAlchemy engine.

SQLite: WAL journal, `synchronous=FULL` (each commit is on disk when it returns), foreign
keys on, transactions begun by us (write transactions with BEGIN IMMEDIATE, so two writers
queue instead of failing mid-transaction). PostgreSQL through psycopg 3.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from qst.store.errors import NoStoreError, StoreError

DEFAULT_FILE_NAME = "qst.sqlite3"
SQLITE_BUSY_TIMEOUT_S = 30.0
"""How long a writer waits for another station's transaction on the same SQLite file (s)."""
POSTGRES_CONNECT_TIMEOUT_S = 10
"""How long to wait for a PostgreSQL server to answer before saying it is unreachable (s)."""

WRITE = {"qst_write": True}
"""Execution options of a write transaction (`engine.execution_options(**WRITE).begin()`)."""


def default_path() -> Path:
    """The store of this user on this machine: `<user data dir>/qst/qst.sqlite3`."""
    import platformdirs

    return Path(platformdirs.user_data_dir("qst", appauthor=False)) / DEFAULT_FILE_NAME


def resolve(url: str | os.PathLike | None) -> URL:
    """The database URL for `url`: None → the default file; a path → an SQLite file; a URL as is.

    Raises `StoreError` for a URL this store cannot use.
    """
    if url is None:
        return sa.URL.create("sqlite+pysqlite", database=str(default_path()))
    text = os.fspath(url)
    if not isinstance(text, str) or not text.strip():
        raise StoreError("the store's location is empty: give a file path or a database URL")
    if "://" not in text:
        return sa.URL.create("sqlite+pysqlite", database=str(Path(text).expanduser().absolute()))
    try:
        parsed = make_url(text)
    except Exception as error:  # SQLAlchemy's ArgumentError, or a ValueError from a bad port
        raise StoreError(f"not a database URL: {text!r} ({' '.join(str(error).split())})") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "sqlite":
        if driver not in ("", "pysqlite"):
            raise StoreError(f"unsupported SQLite driver {driver!r} in {parsed.drivername}://; use sqlite:///path")
        if not parsed.database or parsed.database == ":memory:":
            raise StoreError("an in-memory SQLite store keeps nothing: give a file, e.g. sqlite:///visits.sqlite3")
        return parsed.set(drivername="sqlite+pysqlite", database=str(Path(parsed.database).expanduser().absolute()))
    if backend in ("postgresql", "postgres"):
        if driver not in ("", "psycopg"):
            raise StoreError(f"unsupported PostgreSQL driver {driver!r}; use postgresql+psycopg://user@host/database")
        return parsed.set(drivername="postgresql+psycopg")
    raise StoreError(
        f"unsupported database {parsed.drivername!r}: use a file path, sqlite:///path or postgresql+psycopg://..."
    )


def describe(url: URL) -> str:
    """The store's location for messages, without a password."""
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


def create_engine(url: URL, *, create: bool = True) -> sa.Engine:
    """An engine for `url`, configured as the module docstring says. Creates an SQLite file's
    folder; unless `create`, refuses (`NoStoreError`) an SQLite file that does not exist."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, create)
    connect_args = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
    return sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)


def _sqlite_engine(url: URL, create: bool) -> sa.Engine:
    path = Path(url.database)
    if create:
        _make_folder(path.parent)
    elif not path.exists():
        raise NoStoreError(f"no qst store at {path}")
    if path.exists() and path.is_dir():
        raise StoreError(f"the store {path} is a folder, not a file")
    if not os.access(path.parent, os.W_OK):
        # SQLite would say only "unable to open database file": its WAL and shared-memory
        # files live beside the store, so even reading needs a writable folder.
        raise StoreError(f"cannot open the store {path}: its folder {path.parent} is read-only")
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # Leave transactions to us: pysqlite's own would not begin one before DDL, and
        # could not begin one IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        if connection.get_execution_options().get("qst_write", False):
            _use_wal(connection, path)
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create the store's folder {folder}: {error.strerror or error}") from None


def _use_wal(connection: sa.Connection, path: Path) -> None:
    """Switch the file to WAL before this connection's first write transaction.

    Not on connect: the journal mode is kept in the file, so switching it writes, and a file
    that turns out not to be a qst store, or a read-only open, must be left as it was. A
    store's first write (its schema) switches it; every store on disk is WAL from then on.
    """
    info = connection.connection.info
    if info.get("qst_wal"):
        return
    mode = connection.exec_driver_sql("PRAGMA journal_mode=WAL").scalar()
    if str(mode).lower() != "wal":
        raise StoreError(f"the store {path} cannot use SQLite's WAL journal here (got {mode!r})")
    info["qst_wal"] = True
