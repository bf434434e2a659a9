"""Which store a command opens, through typer's CliRunner: a database that is not a qst store,
a mistyped location for a command that only reads, an empty --db or $QST_DB, and a bad
--workers are each one line, exit 2, with nothing on disk made or changed."""

from __future__ import annotations

import sqlite3

import pytest
import typer
from typer.testing import CliRunner

from qst.cli import app
from qst.cli_support import root_options, store_of
from qst.store import Store

REPORTS = [
    ["report", "visit", "--study", "s", "--participant", "FM01", "--visit", "1"],
    ["report", "participant", "--study", "s", "--participant", "FM01"],
    ["report", "study", "--study", "s", "--out", "never-written"],
]


def refused(result, words: str) -> str:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("qst: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert words in result.stderr, result.stderr
    return result.stderr


def invoke(*args, **options):
    return CliRunner().invoke(app, [str(arg) for arg in args], **options)


@pytest.fixture
def kept(tmp_path):
    """A store holding study `s`: what a fall-through to the wrong store would find."""
    path = tmp_path / "kept" / "qst.sqlite3"
    with Store.open(path) as store:
        store.add_study("s", "name = 's'")
    return path


def test_a_database_of_another_program_is_refused_and_left_byte_for_byte(tmp_path):
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE foo (x)")
    connection.close()
    before = path.read_bytes()
    message = refused(invoke("--db", path, "study", "show", "x"), "is a database but not a qst store")
    assert message == f"qst: error: {path} is a database but not a qst store (it has tables foo): give another path\n"
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite3"]


@pytest.mark.parametrize("report", REPORTS, ids=lambda args: args[1])
@pytest.mark.parametrize("where", ["--db", "report --db"])
def test_a_report_on_a_mistyped_store_is_refused_and_makes_nothing(tmp_path, monkeypatch, report, where):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "nonexistent" / "dir" / "x.sqlite3"
    args = ["--db", path, *report] if where == "--db" else [*report, "--db", path]
    message = refused(invoke(*args), "no qst store")
    assert message == f"qst: error: no qst store at {path} (add a study first with qst study add, or check --db)\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_command_opening_an_existing_store_only_is_refused_for_a_mistyped_one(tmp_path):
    # The helper the read-only records commands open their store with.
    reader = typer.Typer()
    reader.callback()(root_options)

    @reader.command()
    def show(ctx: typer.Context) -> None:
        with store_of(ctx, create=False) as store:
            typer.echo(", ".join(store.study_names()))

    @reader.command()
    def other(ctx: typer.Context) -> None:
        """A second command, so that typer keeps `show` a subcommand."""

    path = tmp_path / "nonexistent" / "x.sqlite3"
    result = CliRunner().invoke(reader, ["--db", str(path), "show"])
    refused(result, f"no qst store at {path} (add a study first with qst study add, or check --db)")
    assert not (tmp_path / "nonexistent").exists()


def test_an_empty_db_option_is_refused_not_replaced_by_qst_db(kept):
    result = invoke("--db", "", "study", "show", "s", env={"QST_DB": str(kept)})
    refused(result, "the store's location is empty")


def test_an_empty_db_option_of_a_report_is_refused_not_replaced_by_qst_db(kept):
    result = invoke("report", "participant", "--study", "s", "--participant", "FM01", "--db", "",
                    env={"QST_DB": str(kept)})
    refused(result, "the store's location is empty")


def test_an_empty_qst_db_is_refused_not_replaced_by_the_default_store(tmp_path, monkeypatch):
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *args, **kwargs: str(tmp_path / "data" / "qst"))
    refused(invoke("study", "show", "s", env={"QST_DB": ""}), "the store's location is empty")
    assert not (tmp_path / "data").exists()


def test_an_empty_db_of_simulate_study_is_refused_not_replaced_by_a_fresh_file(tmp_path):
    refused(invoke("simulate-study", "1", "--db", "", "--out", tmp_path / "out"), "the store's location is empty")
    assert not (tmp_path / "out" / "simulated.sqlite3").exists()


def test_negative_workers_are_refused(tmp_path):
    result = invoke("simulate-study", "1", "--workers", "-2", "--out", tmp_path / "out")
    assert refused(result, "--workers") == "qst: error: --workers must be 0 (the default) or more, not -2\n"
    assert not (tmp_path / "out").exists()


READERS = [
    ["study", "show", "s"],
    ["participant", "list", "--study", "s"],
    ["visit", "list", "--study", "s"],
    ["visit", "show", "--study", "s", "-p", "FM01", "--visit", "1"],
    ["audit", "--study", "s"],
    ["export", "--study", "s", "--out", "never-written"],
]


@pytest.mark.parametrize("command", READERS, ids=[" ".join(c[:2]) for c in READERS])
def test_a_reading_command_on_a_mistyped_store_makes_nothing(tmp_path, command):
    missing = tmp_path / "nowhere" / "x.sqlite3"
    refused(invoke("--db", missing, *command), f"no qst store at {missing}")
    assert not missing.parent.exists()


def test_simulate_study_into_a_file_is_one_line(tmp_path):
    (tmp_path / "afile").write_text("a file", encoding="utf-8")
    refused(invoke("simulate-study", "1", "--out", tmp_path / "afile"), f"--out {tmp_path / 'afile'} is a file, not a folder")
