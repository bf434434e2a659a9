"""The store's exceptions, and database failures turned into one line a person can act on.

Every failure a caller can meet is a `StoreError` whose `str()` is one line: an unwritable
folder, a full disk, a bad URL, a server that does not answer, a duplicate, an unknown code.
"""

from __future__ import annotations

import functools
from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable)


class StoreError(Exception):
    """Anything the store refuses or cannot do; the message is one line."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


class NoStoreError(StoreError):
    """No store where one was to be opened, and none was to be made there."""


class UnknownStudyError(StoreError):
    """No study of that name."""


class UnknownParticipantError(StoreError):
    """No participant of that code in the study."""


class UnknownVisitError(StoreError):
    """No visit of that id (or number)."""


class UnknownRunError(StoreError):
    """No run of that id."""


# SQLite's and libpq's words for the failures people meet, in plain words.
_PLAIN = (
    ("database or disk is full", "the disk is full"),
    ("disk i/o error", "the disk failed to read or write (disk I/O error)"),
    ("attempt to write a readonly database", "the store is read-only (check the folder's and the file's permissions)"),
    ("readonly database", "the store is read-only (check the folder's and the file's permissions)"),
    ("unable to open database file", "cannot open the database file (does the folder exist and can it be written?)"),
    ("file is not a database", "the file is not a qst store (not an SQLite database)"),
    ("database is locked", "the store is busy: another program holds it locked"),
    ("connection refused", "the PostgreSQL server refused the connection (is it running?)"),
    ("password authentication failed", "the PostgreSQL server refused the user name or password"),
    ("timeout expired", "the PostgreSQL server did not answer in time"),
    ("could not translate host name", "the PostgreSQL server's host name is unknown"),
    ("does not exist", None),  # keep the server's own words: they name what is missing
    ("no space left on device", "the disk is full"),
    ("read-only file system", "the store is on a read-only file system"),
)


def plain_reason(error: BaseException) -> str:
    """One line saying why `error` happened, from the driver's message."""
    original = getattr(error, "orig", None) or error
    text = " ".join(str(original).split()) or type(original).__name__
    lowered = text.lower()
    for words, plain in _PLAIN:
        if words in lowered:
            return plain or _first_sentence(text)
    if isinstance(original, OSError) and original.strerror:
        return original.strerror
    return _first_sentence(text)


def _first_sentence(text: str) -> str:
    # psycopg's messages carry the server's detail lines after the first; SQLAlchemy adds
    # a "(Background on this error at: ...)" link. One line is enough.
    text = text.split(" (Background on this error")[0]
    return text if len(text) <= 300 else text[:297] + "..."


def translated(action: str) -> Callable[[F], F]:
    """Decorate a store method: database and OS failures become `StoreError("<action>: <why>")`."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapper(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except StoreError:
                raise
            except (OSError, UnicodeError) as error:
                raise StoreError(f"{action}: {plain_reason(error)}") from error
            except Exception as error:
                if _is_database_error(error):
                    raise StoreError(f"{action}: {plain_reason(error)}") from error
                raise

        return wrapper  # type: ignore[return-value]

    return decorate


def _is_database_error(error: BaseException) -> bool:
    from sqlalchemy import exc

    return isinstance(error, (exc.DBAPIError, exc.SQLAlchemyError))
