"""Files written whole or not at all (`qst.atomic`), and `FullDisk`: a disk that fills up,
for the tests of every writer (exports, report PNGs and PDF) without root or a real full disk."""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path

import pytest

from qst.atomic import replacing

REAL_OPEN = builtins.open


class FullDisk:
    """Files opened for writing under `folder` behave as on a disk with `room` bytes left
    (counted per process): a write beyond it writes what fits and then fails with ENOSPC, as
    write(2) does. `install` puts it in place of `open` (pathlib, PIL and matplotlib use it)."""

    def __init__(self, folder: Path, room: int = 0) -> None:
        self.folder = Path(folder).resolve()
        self.room = room

    def install(self, monkeypatch: pytest.MonkeyPatch) -> FullDisk:
        monkeypatch.setattr(builtins, "open", self.open)
        monkeypatch.setattr(io, "open", self.open)
        return self

    def open(self, file, mode="r", *args, **kwargs):
        handle = REAL_OPEN(file, mode, *args, **kwargs)
        if isinstance(file, int) or not set(mode) & set("wax+"):
            return handle
        if not Path(os.fspath(file)).resolve().is_relative_to(self.folder):
            return handle
        return _Filling(handle, self)


class _Filling:
    """A file on a `FullDisk`."""

    def __init__(self, handle, disk: FullDisk) -> None:
        self._handle = handle
        self._disk = disk

    def write(self, data):
        size = len(data.encode("utf-8")) if isinstance(data, str) else len(memoryview(data).cast("B"))
        if size <= self._disk.room:
            self._disk.room -= size
            return self._handle.write(data)
        fits, self._disk.room = self._disk.room, 0
        self._handle.write(data[:fits])  # a character or a byte per unit: near enough
        self._handle.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fileno(self):
        raise io.UnsupportedOperation("fileno")  # so that PIL writes through `write`

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._handle.close()

    def __getattr__(self, name):
        return getattr(self._handle, name)


def test_a_file_replaced_on_a_full_disk_is_left_as_it_was_and_the_error_names_it(tmp_path, monkeypatch):
    target = tmp_path / "data.csv"
    target.write_text("the earlier export\n" * 100, encoding="utf-8")
    before = target.read_bytes()
    FullDisk(tmp_path, room=500).install(monkeypatch)
    with pytest.raises(OSError) as raised:
        with replacing(target) as temporary, temporary.open("w", encoding="utf-8") as handle:
            handle.write("a new export\n" * 1000)
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(target)
    assert target.read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == ["data.csv"]  # no temporary left


def test_a_file_is_replaced_only_once_written_whole(tmp_path):
    target = tmp_path / "data.csv"
    target.write_text("old\n", encoding="utf-8")
    with replacing(target) as temporary:
        temporary.write_text("new\n", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "old\n"
    assert target.read_text(encoding="utf-8") == "new\n"
    assert [path.name for path in tmp_path.iterdir()] == ["data.csv"]


def test_a_failure_that_is_no_oserror_also_leaves_the_file_and_no_temporary(tmp_path):
    target = tmp_path / "data.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(KeyError):
        with replacing(target) as temporary:
            temporary.write_text("half", encoding="utf-8")
            raise KeyError("a bug while writing")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [path.name for path in tmp_path.iterdir()] == ["data.csv"]


def test_a_new_file_gets_the_mode_a_plain_open_gives(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    with replacing(tmp_path / "replaced.txt") as temporary:
        temporary.write_text("x", encoding="utf-8")
    assert (tmp_path / "replaced.txt").stat().st_mode == plain.stat().st_mode


def test_an_unwritable_folder_is_an_error_naming_the_target(tmp_path):
    target = tmp_path / "missing" / "data.csv"
    with pytest.raises(FileNotFoundError) as raised:
        with replacing(target):
            pass
    assert raised.value.filename == str(target)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlink_stays_one_and_the_file_it_leads_to_is_replaced(tmp_path):
    real = tmp_path / "kept" / "data.csv"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "data.csv"
    link.symlink_to(real)
    with replacing(link) as temporary:
        temporary.write_text("new\n", encoding="utf-8")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new\n"
    assert sorted(path.name for path in real.parent.iterdir()) == ["data.csv"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_device_is_written_itself_and_its_failure_names_the_path_given(tmp_path):
    link = tmp_path / "data.csv"
    link.symlink_to("/dev/full")
    with pytest.raises(OSError) as raised:
        with replacing(link) as written, written.open("w", encoding="utf-8") as handle:
            handle.write("rows\n")
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(link)
    assert link.is_symlink() and Path("/dev/full").is_char_device()
