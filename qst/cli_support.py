"""What the records commands share: the `--db` option, opening the store, turning bad input
into `qst: error: <one line>` (exit 2), and plain aligned tables.

Only typer and the standard library are imported here; the store and the models are
imported when a command runs, so `qst --help` stays quick.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

DB_ENV = "QST_DB"
DB_HELP = (
    "The records store: a file path, sqlite:///path or postgresql+psycopg://user@host/db. "
    "Default: $QST_DB, else qst.sqlite3 in your user data folder."
)


def root_options(
    ctx: typer.Context,
    db: str = typer.Option(None, "--db", envvar=DB_ENV, metavar="URL", help=DB_HELP, show_envvar=False),
) -> None:
    """Options for every command; registered as the `qst` app's callback."""
    ctx.obj = {**(ctx.obj or {}), "db": db}


def fail(message: str) -> None:
    """Print `qst: error: <message>` (one line) and exit 2."""
    from qst.cli import fail as cli_fail

    cli_fail(" ".join(str(message).split()))


def os_reason(error: OSError) -> str:
    """An operating-system failure in a few words, with the file it concerns."""
    reason = error.strerror or str(error) or type(error).__name__
    return f"{error.filename}: {reason}" if error.filename else reason


def _input_errors() -> tuple[type[BaseException], ...]:
    from qst.diary import DiaryError
    from qst.participants import ParticipantError
    from qst.store import StoreError
    from qst.study import ScheduleError, StudyError

    return StudyError, ScheduleError, ParticipantError, DiaryError, StoreError


@contextmanager
def refusing_bad_input() -> Iterator[None]:
    """Bad input, an unknown name, an unwritable folder or a full disk: one line, exit 2."""
    try:
        yield
    except typer.Exit:
        raise
    except OSError as error:
        fail(os_reason(error))
    except Exception as error:
        if isinstance(error, _input_errors()):
            fail(str(error) or type(error).__name__)
        raise


@contextmanager
def store_of(ctx: typer.Context, *, create: bool = True) -> Iterator[Any]:
    """The store `--db` (or `$QST_DB`, or the default) names, open for the command; refusals
    inside the block are one-line errors. Commands that only read pass `create=False`: a
    mistyped location is refused instead of becoming a new, empty store."""
    with refusing_bad_input():
        store = open_store(db_url(ctx), create=create)
        try:
            yield store
        finally:
            store.close()


def open_store(url: str | None, *, create: bool = True) -> Any:
    """`Store.open(url, create=create)`, saying where a missing store would come from."""
    from qst.store import Store
    from qst.store.errors import NoStoreError

    try:
        return Store.open(url, create=create)
    except NoStoreError as error:
        fail(f"{error} (add a study first with qst study add, or check --db)")


def out_folder(out: Path) -> Path:
    """`--out` as a folder, made if need be; a file in its place is a one-line error."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        fail(f"--out {out} is a file, not a folder")
    return out


def db_url(ctx: typer.Context) -> str | None:
    """`--db`, else `$QST_DB`, else None (the default store). An empty one is kept, for the
    store to refuse: falling through to another store would read or write the wrong one."""
    db = (ctx.obj or {}).get("db")
    return db if db is not None else os.environ.get(DB_ENV)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Rows under headers, columns left-aligned and two spaces apart; None shows as "—"."""
    cells = [[str(h) for h in headers]] + [["—" if value is None else str(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in cells)


def study_of(store: Any, name: str) -> Any:
    """The study `name` as stored, loaded and validated."""
    from qst.study import load_study

    return load_study(store.study_text(name), source=f"study {name} (as stored)")
