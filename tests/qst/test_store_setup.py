"""Opening the records store: where it lives, which URLs it takes, its schema and migrations.

This module also holds the fixtures the other `test_store_*.py` modules import (the file
names of the store's tests are fixed, so there is no conftest of the store's own):

- `store_url`: an empty store's URL, once on SQLite and once on PostgreSQL. The PostgreSQL
  leg uses `$QST_TEST_POSTGRES_URL` (a schema of its own per test, dropped afterwards); it
  skips only when that is unset and `$CI` is unset too: in CI a missing server fails.
- `store`: that store, open.
- `fast_dir`: a folder for SQLite files, on a RAM file system where there is one (these
  tests kill processes, not machines: fsync is not what they test, and it costs seconds).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
import tomllib
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from qst.store import Store, StoreError
from qst.store import schema as store_schema
from qst.store.migrate import HEAD_REVISION, MIGRATIONS, alembic_config

POSTGRES_ENV = "QST_TEST_POSTGRES_URL"
ROOT = Path(__file__).resolve().parents[2]

# -- fixtures shared by the store's tests ----------------------------------------------------


def postgres_url_or_skip() -> str:
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {POSTGRES_ENV} is not: .ci/run should have started PostgreSQL")
        pytest.skip(f"no PostgreSQL: set {POSTGRES_ENV} (e.g. postgresql+psycopg://user:pw@127.0.0.1/db)")
    return url


@contextlib.contextmanager
def fast_folder():
    """A fresh folder, on a RAM file system where there is one; removed afterwards."""
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    folder = Path(tempfile.mkdtemp(prefix="qst-store-", dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def postgres_schema():
    """The URL of an empty schema on the test server (skips or fails as the module docstring
    says when there is none); the schema is dropped afterwards."""
    url = postgres_url_or_skip()
    schema = f"qst_test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(url)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except sa.exc.OperationalError as error:
        admin.dispose()
        pytest.fail(f"{POSTGRES_ENV} is set but the server does not answer: {' '.join(str(error).split())[:200]}")
    separator = "&" if "?" in url else "?"
    try:
        # synchronous_commit off: these tests kill processes, not servers; waiting for the
        # server's disk on every commit would only make them slow.
        yield f"{url}{separator}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def fast_dir():
    with fast_folder() as folder:
        yield folder


@pytest.fixture
def postgres_schema_url():
    with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, fast_dir):
    if request.param == "sqlite":
        return str(fast_dir / "store.sqlite3")
    return request.getfixturevalue("postgres_schema_url")


@pytest.fixture
def store(store_url):
    opened = Store.open(store_url)
    yield opened
    opened.close()


def one_line(error: BaseException) -> str:
    text = str(error)
    assert text and "\n" not in text and "Traceback" not in text, repr(text)
    return text


STUDY = "fibromyalgia-ldn"

# One heat pain and one pressure pain trial, quick in virtual time (steep ramps).
SHORT_BATTERY = """
name = "short"
title = "Short visit for the store's tests"
version = "1"

[[tests]]
test = "HPT"
sites = ["volar-forearm-left"]
trials = 1
rate_c_per_s = 3.0
return_c_per_s = 20.0

[[tests]]
test = "PPT"
sites = ["thenar-right"]
trials = 1
rate_kpa_per_s = 200.0
rate_tolerance_kpa_per_s = 60.0
poll_rate_hz = 25.0
"""


def study_text() -> str:
    from qst.study import shipped_study_text

    return shipped_study_text(STUDY)


def enrol(store: Store, codes=("FM01",)) -> None:
    """The shipped study with participants `codes`; what is there already is left as it is."""
    if STUDY not in store.study_names():
        store.add_study(STUDY, study_text(), who="coordinator")
    enrolled = {participant["code"] for participant in store.participants(STUDY)}
    for number, code in enumerate(codes):
        if code in enrolled:
            continue
        fields = {"sex": "F", "birth_year": 1970 + number, "enrolled_on": date(2026, 3, 2),
                  "labs": {"esr": {"value": 20.0 + number, "unit": "mm/h"}}}
        store.add_participant(STUDY, code, fields, who="coordinator")


def planned_of(plan) -> list[tuple[str, str, int]]:
    return [(trial.spec.test, trial.spec.site, trial.spec.trial) for trial in plan]


def run_visit(store: Store, code: str = "FM01", number: int = 1, phase: str = "A", *, seed: int = 1,
              battery_text: str = SHORT_BATTERY, tee=None) -> int:
    """A whole visit of `code` on the virtual lab, recorded through `store.sink`; its id."""
    from protocols.battery import load_battery
    from qst.virtual import VirtualLab, VirtualPerson

    battery = load_battery(battery_text)
    plan = battery.plan()
    visit_id = store.open_visit(STUDY, code, number, phase, battery.name, planned_of(plan), examiner="ex1",
                                station="station-1")
    sink = store.sink(visit_id)

    def record(document) -> None:
        sink(document)
        if tee is not None:
            tee(document)

    with VirtualLab(VirtualPerson.draw(seed)) as lab:
        lab.runner(record, seed=seed, battery=battery.name, examiner="ex1").run_plan(
            plan, start_at=store.resume_index(visit_id)
        )
    return visit_id


def record_one_visit(store: Store) -> int:
    """A row in every recorded table: a visit, a correction, a diary entry. The visit's id."""
    enrol(store)
    visit_id = run_visit(store)
    run_id = store.visit_documents(visit_id)[0]["run_id"]
    store.correct(run_id, field="excluded", value=True, who="monitor", why="probe slipped")
    store.add_diary(STUDY, [{"participant_code": "FM01", "day": date(2026, 3, 3), "rating": 40}], "d.csv", "nurse")
    return visit_id


# -- where a store lives ---------------------------------------------------------------------


def test_default_store_is_a_file_in_the_user_data_folder(tmp_path, monkeypatch):
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *args, **kwargs: str(tmp_path / "data" / "qst"))
    with Store.open() as store:
        store.add_study("s", "name = 's'")
    path = tmp_path / "data" / "qst" / "qst.sqlite3"
    assert path.is_file()
    with Store.open(f"sqlite:///{path}") as again:
        assert again.study_names() == ["s"]


def test_sqlite_store_is_wal_full_sync_with_foreign_keys(fast_dir):
    with Store.open(fast_dir / "a" / "b" / "store.sqlite3") as store:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.parametrize(
    "url, words",
    [
        ("", "empty"),
        ("mysql://user@host/db", "unsupported database"),
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
        ("postgresql+asyncpg://host/db", "unsupported PostgreSQL driver"),
        ("postgresql://host:notaport/db", "not a database URL"),
    ],
)
def test_bad_urls_are_one_line_errors(url, words):
    with pytest.raises(StoreError) as caught:
        Store.open(url)
    assert words in one_line(caught.value)


def test_unreachable_postgres_server_is_one_line_error():
    # Port 9 (discard) on the loopback: nothing listens there.
    with pytest.raises(StoreError) as caught:
        Store.open("postgresql+psycopg://nobody:secret@127.0.0.1:9/qst?connect_timeout=3")
    message = one_line(caught.value)
    assert "refused" in message and "secret" not in message


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(fast_dir):
    path = fast_dir / "notes.sqlite3"
    path.write_bytes(b"these are my notes, not a database " * 100)
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert "not a qst store" in one_line(caught.value)
    assert path.read_bytes() == b"these are my notes, not a database " * 100


def test_a_folder_where_the_file_should_be_is_refused(fast_dir):
    (fast_dir / "store.sqlite3").mkdir()
    with pytest.raises(StoreError) as caught:
        Store.open(fast_dir / "store.sqlite3")
    assert "folder" in one_line(caught.value)


# -- schema and migrations -------------------------------------------------------------------


def test_head_revision_is_the_newest_migration():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


def test_migrated_schema_matches_the_tables_the_code_uses(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, store_schema.metadata)
        revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert differences == []
    assert revision == HEAD_REVISION


def test_reopening_keeps_the_data_and_a_newer_schema_is_refused(store_url):
    with Store.open(store_url) as store:
        store.add_study("kept", "name = 'kept'")
    with Store.open(store_url) as store:
        assert store.study_names() == ["kept"]
        with store.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError) as caught:
        Store.open(store_url)
    assert "newer than this qst knows" in one_line(caught.value)


def test_migrations_are_package_data():
    # A wheel holds the packages setuptools finds; the migrations must be among them.
    from setuptools import find_packages

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = find_packages(str(ROOT), include=include)
    assert "qst.store.migrations" in packages and "qst.store.migrations.versions" in packages
    assert (MIGRATIONS / "env.py").is_file()
    assert list((MIGRATIONS / "versions").glob("0001_*.py"))


@pytest.mark.parametrize("table", store_schema.APPEND_ONLY)
def test_the_database_itself_refuses_changing_recorded_rows(store, table):
    record_one_visit(store)  # a row in every recorded table: triggers fire per row
    with store.engine.connect() as connection:
        assert _triggers(connection, table), f"{table} has no append-only trigger"
        rows_before = connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar()
    assert rows_before > 0
    column = "run_id" if table == "run_stops" else "id"
    for statement in (f"UPDATE {table} SET {column} = {column}", f"DELETE FROM {table}"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with store.engine.begin() as connection:
                connection.exec_driver_sql(statement)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar() == rows_before


def _triggers(connection: sa.Connection, table: str) -> list[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:table AS regclass) AND NOT tgisinternal"
    return list(connection.execute(sa.text(query), {"table": table}).scalars())


def test_sqlite_file_passes_integrity_check_after_use(fast_dir):
    path = fast_dir / "store.sqlite3"
    with Store.open(path) as store:
        record_one_visit(store)
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
