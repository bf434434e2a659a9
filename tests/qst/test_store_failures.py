"""Failures of the place a store lives: a read-only folder, a full disk. Each is one line, and
the store keeps everything it had.

A read-only folder and a full disk are made with a small tmpfs mounted for the test (as root;
skipped where mounting is not permitted), and a full disk also with SQLite's own
`max_page_count`, which runs everywhere.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from protocols.records import Event
from qst.store import Store, StoreError
from tests.qst.test_store_records import PLAN, start
from tests.qst.test_store_setup import STUDY, fast_dir, one_line, record_one_visit  # noqa: F401 (fixtures)


def snapshot(store: Store) -> dict:
    """Everything the store says it holds."""
    visits = store.visits(STUDY)
    return {
        "studies": store.study_names(),
        "participants": store.participants(STUDY),
        "visits": visits,
        "documents": [store.visit_documents(visit["visit_id"]) for visit in visits],
        "trials": store.trials(STUDY),
        "audit": store.audit(STUDY),
        "diary": store.diary(STUDY),
    }


def big_samples(run_id: str, rows: int = 20000) -> Event:
    return Event(run_id, 1.0, "samples", {"columns": ["t_s", "x"], "rows": [[i * 0.01, i * 1.000001] for i in range(rows)]})


@contextlib.contextmanager
def tmpfs(size: str):
    """A tmpfs of `size` (e.g. "2m") mounted on a fresh folder; skips the test if not permitted."""
    if os.name != "posix" or shutil.which("mount") is None:
        pytest.skip("no mount command")
    folder = Path(tempfile.mkdtemp(prefix="qst-tmpfs-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)
        folder.rmdir()


def remount(folder: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True, capture_output=True)


def fill(folder: Path) -> Path:
    """Write a file until the file system is full; returns it (delete it to free the space)."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as handle:
        chunk = b"\0" * 65536
        try:
            while True:
                handle.write(chunk)
        except OSError as error:
            assert error.errno == errno.ENOSPC
        with contextlib.suppress(OSError):
            while True:
                handle.write(b"\0")
    return filler


# -- read-only ---------------------------------------------------------------------------------


def test_a_new_store_in_a_read_only_folder_is_one_line_error():
    with tmpfs("1m") as folder:
        remount(folder, "ro")
        with pytest.raises(StoreError) as caught:
            Store.open(folder / "store.sqlite3")
        assert "is read-only" in one_line(caught.value)
        assert list(folder.iterdir()) == []
        with pytest.raises(StoreError) as caught:
            Store.open(folder / "sub" / "store.sqlite3")
        assert "cannot create the store's folder" in one_line(caught.value)


def test_a_store_whose_folder_became_read_only_is_refused_then_found_intact():
    with tmpfs("4m") as folder:
        path = folder / "store.sqlite3"
        with Store.open(path) as store:
            record_one_visit(store)
            before = snapshot(store)
        remount(folder, "ro")
        with pytest.raises(StoreError) as caught:
            with Store.open(path) as store:
                store.add_participant(STUDY, "FM02", {})
        assert "is read-only" in one_line(caught.value)
        remount(folder, "rw")
        with Store.open(path) as store:
            assert snapshot(store) == before
            store.add_participant(STUDY, "FM02", {})  # and it works again


def test_a_read_only_folder_without_root(fast_dir):
    # Where permissions bind (not root), a folder without write permission.
    folder = fast_dir / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        probe = folder / "probe"
        try:
            probe.write_bytes(b"")
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("permissions do not bind for this user (root): see the tmpfs tests")
        with pytest.raises(StoreError) as caught:
            Store.open(folder / "store.sqlite3")
        assert "is read-only" in one_line(caught.value)
    finally:
        folder.chmod(0o755)


# -- full disk ---------------------------------------------------------------------------------


def test_a_full_disk_refuses_the_document_and_keeps_the_store():
    with tmpfs("3m") as folder:
        path = folder / "store.sqlite3"
        with Store.open(path) as store:
            visit_id = record_one_visit(store)
            sink_visit = store.open_visit(STUDY, "FM01", 2, "A", "short", PLAN, examiner="ex1")
            sink = store.sink(sink_visit)
            run = start(*PLAN[0])
            sink(run)
            before = snapshot(store)
            filler = fill(folder)
            with pytest.raises(StoreError) as caught:
                sink(big_samples(run.run_id))
            assert "the disk is full" in one_line(caught.value)
            with pytest.raises(StoreError) as caught:
                store.add_participant(STUDY, "FM02", {"history": "x" * 500_000})
            assert "the disk is full" in one_line(caught.value)
            assert snapshot(store) == before
            filler.unlink()
            sink(big_samples(run.run_id, rows=100))  # room again: recording goes on
            assert len(store.visit_documents(sink_visit)) == 2
            assert store.visit_documents(visit_id) == before["documents"][0]
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_opening_a_new_store_on_a_full_disk_is_one_line_error():
    with tmpfs("1m") as folder:
        fill(folder)
        with pytest.raises(StoreError) as caught:
            Store.open(folder / "store.sqlite3")
        assert "the disk is full" in one_line(caught.value)


def test_sqlite_page_limit_reached_is_a_full_disk_and_changes_nothing(fast_dir):
    path = fast_dir / "store.sqlite3"
    with Store.open(path) as store:
        record_one_visit(store)
        visit_id = store.open_visit(STUDY, "FM01", 2, "A", "short", PLAN, examiner="ex1")
        sink = store.sink(visit_id)
        run = start(*PLAN[0])
        sink(run)
        before = snapshot(store)
        with store.engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

        @sa.event.listens_for(store.engine, "connect")
        def _limit(dbapi_connection, _record):
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

        store.engine.dispose()  # new connections, with the limit
        with pytest.raises(StoreError) as caught:
            sink(big_samples(run.run_id))
        assert "the disk is full" in one_line(caught.value)
        assert snapshot(store) == before
    with Store.open(path) as store:  # without the limit
        store.sink(visit_id)(big_samples(run.run_id))
        assert len(store.visit_documents(visit_id)) == 2
