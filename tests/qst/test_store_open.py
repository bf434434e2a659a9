"""Opening what is not (yet) a qst store: a database with tables of its own is refused and left
as it was; `Store.open(..., create=False)` opens only a store that exists and makes nothing."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from qst.store import Store, StoreError
from qst.store.errors import NoStoreError
from tests.qst.test_store_setup import fast_dir, one_line, postgres_schema_url, store_url  # noqa: F401 (fixtures)


def _tables(url: str) -> list[str]:
    engine = sa.create_engine(url if "://" in url else f"sqlite:///{url}")
    try:
        with engine.connect() as connection:
            return sorted(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _files(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_an_sqlite_database_of_another_program_is_refused_and_left_byte_for_byte(fast_dir):
    path = fast_dir / "other.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE foo (x)")
        connection.execute("CREATE TABLE bar (y)")
        connection.execute("INSERT INTO foo VALUES (1)")
    connection.close()
    before = path.read_bytes()
    for create in (True, False):
        with pytest.raises(StoreError) as caught:
            Store.open(path, create=create)
        assert one_line(caught.value) == (
            f"{path} is a database but not a qst store (it has tables bar, foo): give another path"
        )
    assert path.read_bytes() == before  # no qst tables, and not even switched to WAL
    assert _files(fast_dir) == ["other.sqlite3"]


def test_a_postgres_database_of_another_program_is_refused_and_left_alone(postgres_schema_url):
    engine = sa.create_engine(postgres_schema_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE foo (x integer)")
    engine.dispose()
    with pytest.raises(StoreError) as caught:
        Store.open(postgres_schema_url)
    message = one_line(caught.value)
    assert "is a database but not a qst store (it has tables foo): give another path" in message
    assert _tables(postgres_schema_url) == ["foo"]


def test_opening_only_an_existing_store_makes_no_file_and_no_folder(fast_dir):
    path = fast_dir / "mistyped" / "dir" / "x.sqlite3"
    with pytest.raises(NoStoreError) as caught:
        Store.open(path, create=False)
    assert one_line(caught.value) == f"no qst store at {path}"
    assert _files(fast_dir) == []


def test_opening_only_an_existing_store_refuses_an_empty_database_and_writes_nothing(store_url):
    if "://" not in store_url:
        open(store_url, "wb").close()  # an empty file: SQLite's empty database
    with pytest.raises(NoStoreError) as caught:
        Store.open(store_url, create=False)
    assert one_line(caught.value).startswith("no qst store at ")
    assert _tables(store_url) == []
    if "://" not in store_url:
        assert open(store_url, "rb").read() == b""


def test_opening_only_an_existing_store_opens_one_that_exists(store_url):
    with Store.open(store_url) as store:
        store.add_study("kept", "name = 'kept'")
    with Store.open(store_url, create=False) as store:
        assert store.study_names() == ["kept"]
