"""What the records commands share: the `--db` option, opening the store, turning bad input
into `qst: error: <one line>` (exit 2), and plain aligned tables.

Only typer and the standard library are imported here; the store and the models are
imported when a command runs, so `qst --help` stays quick.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
def store_of(ctx: typer.Context) -> Iterator[Any]:
    """The store `--db` (or `$QST_DB`, or the default) names, open for the command; refusals
    inside the block are one-line errors."""
    with refusing_bad_input():
        from qst.store import Store

        store = Store.open(db_url(ctx))
        try:
            yield store
        finally:
            store.close()


def db_url(ctx: typer.Context) -> str | None:
    return (ctx.obj or {}).get("db") or os.environ.get(DB_ENV) or None


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Rows under headers, columns left-aligned and two spaces apart; None shows as "—"."""
    cells = [[str(h) for h in headers]] + [["—" if value is None else str(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in cells)


def study_of(store: Any, name: str) -> Any:
    """The study `name` as stored, loaded and validated."""
    from qst.study import load_study

    return load_study(store.study_text(name), source=f"study {name} (as stored)")
