"""Daily symptom diaries: a CSV of ratings in, validated `DiaryEntry`s out.

The file has a header row and the columns `participant` (a code), `date` (ISO, e.g.
2026-11-03), `rating` (a whole number 0–100) and optionally `symptom` (lower-case words
joined by hyphens; "overall" when the column or the cell is empty). Column names ignore
case and surrounding spaces; a byte-order mark, CRLF line ends and blank lines are fine.

A column that looks like personal data (a name, e-mail, phone, date of birth, address, ...)
refuses the whole file, as does any other column the diary does not know. Every problem is
a `DiaryError` whose message is one line, `<file>:<line>: <reason>`; the first problem is
shown, with a count of the lines that have others. A participant, date and symptom given
twice in one file is a problem: the file says two things about one day.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from protocols.text_files import TextFileError, read_text_file
from qst.participants import CODE_SHAPE, PRIVACY_NOTE, personal_field

__all__ = ["COLUMNS", "DEFAULT_SYMPTOM", "DiaryEntry", "DiaryError", "read_diary"]

COLUMNS = ("participant", "date", "rating", "symptom")
REQUIRED = ("participant", "date", "rating")
DEFAULT_SYMPTOM = "overall"
RATING_MIN, RATING_MAX = 0, 100

# ASCII digits only: `\d` also takes other scripts' digits, which no diary export writes.
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE = re.compile(r"[+-]?[0-9]{1,6}")
_SYMPTOM = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class DiaryError(ValueError):
    """A diary file that cannot be imported: `source`, `line` (from 1), `reason`, and the
    number of `other_lines` with problems too. `str(error)` is one line."""

    def __init__(self, source: str, line: int, reason: str, other_lines: int = 0):
        self.source = " ".join(str(source).splitlines())
        self.line = line
        self.reason = " ".join(reason.splitlines())
        self.other_lines = other_lines
        more = f" (and problems on {other_lines} more line{'s' if other_lines != 1 else ''})" if other_lines else ""
        super().__init__(f"{self.source}:{self.line}: {self.reason}{more}")


@dataclass(frozen=True)
class DiaryEntry:
    """One rating: participant `participant_code` rated `symptom` at `rating` (0–100) on
    `day`; `line` is where it stood in its file."""

    participant_code: str
    day: dt.date
    rating: int
    symptom: str = DEFAULT_SYMPTOM
    line: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-able: participant_code, day (ISO), rating, symptom."""
        return {
            "participant_code": self.participant_code,
            "day": self.day.isoformat(),
            "rating": self.rating,
            "symptom": self.symptom,
        }


def read_diary(
    path_or_text: str | os.PathLike,
    *,
    source: str | None = None,
    enrolled: Mapping[str, dt.date] | None = None,
    today: dt.date | None = None,
) -> list[DiaryEntry]:
    """The ratings of a diary file (a path-like) or CSV text (a `str`), in file order.

    `enrolled`: the study's participants, code -> day of enrolment; when given, unknown
    codes and dates before a participant's enrolment are refused. Dates after `today`
    (default: today) are refused. Raises `DiaryError`; nothing is returned unless every
    row is good.
    """
    if isinstance(path_or_text, os.PathLike):
        path = Path(path_or_text)
        source = source or str(path)
        text = _read(path, source)
    else:
        text, source = path_or_text, source or "<diary>"
    today = today or dt.date.today()
    # strict: a quote left open at the end, or text after a closing quote, is an error, not a guess.
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        header = next(rows, None)
        if header is None or not any(cell.strip() for cell in header):
            raise DiaryError(source, 1, f"the file is empty; it needs a header row: {', '.join(REQUIRED)}[, symptom]")
        columns = _columns(header, source)
        entries: list[DiaryEntry] = []
        problems: list[tuple[int, str]] = []
        first_seen: dict[tuple[str, dt.date, str], int] = {}
        for cells in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in cells):
                continue
            try:
                entry = _entry(cells, columns, line, enrolled, today)
            except ValueError as error:
                problems.append((line, str(error)))
                continue
            key = (entry.participant_code, entry.day, entry.symptom)
            if key in first_seen:
                said = f"{entry.participant_code} {entry.day} {entry.symptom} is already rated on line {first_seen[key]}"
                problems.append((line, said))
                continue
            first_seen[key] = line
            entries.append(entry)
    except csv.Error as error:
        raise DiaryError(source, rows.line_num or 1, f"not readable as CSV: {error}") from None
    if problems:
        line, reason = problems[0]
        raise DiaryError(source, line, reason, other_lines=len({line for line, _ in problems[1:]}))
    return entries


def _read(path: Path, source: str) -> str:
    try:
        return read_text_file(path)
    except TextFileError as error:
        raise DiaryError(source, error.line, error.reason) from None


def _columns(header: list[str], source: str) -> dict[str, int]:
    """Column name -> index; a personal, unknown, repeated or missing column refuses the file."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = cell.strip().lower()
        what = personal_field(name)
        if what is not None:
            raise DiaryError(source, 1, f"column {cell.strip()!r} looks like {what}; {PRIVACY_NOTE}: remove the column")
        if name not in COLUMNS:
            reason = f"unknown column {cell.strip()!r}; a diary has the columns {', '.join(COLUMNS)}"
            raise DiaryError(source, 1, reason)
        if name in columns:
            raise DiaryError(source, 1, f"column {name!r} appears twice")
        columns[name] = index
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise DiaryError(source, 1, f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    return columns


def _entry(
    cells: list[str], columns: dict[str, int], line: int, enrolled: Mapping[str, dt.date] | None, today: dt.date
) -> DiaryEntry:
    if len(cells) != len(columns):
        cells_said = f"{len(cells)} cell{'s' if len(cells) != 1 else ''}"
        raise ValueError(f"{cells_said}, but the header has {len(columns)} columns")
    cell = {name: cells[index].strip() for name, index in columns.items()}
    code = cell["participant"]
    if not CODE_SHAPE.fullmatch(code):
        raise ValueError(f"participant {code!r} is not a participant code like FM01")
    if enrolled is not None and code not in enrolled:
        raise ValueError(f"unknown participant {code!r}; enrol them first (qst participant add)")
    day = _day(cell["date"])
    if day > today:
        raise ValueError(f"date {day} is in the future")
    if enrolled is not None and day < enrolled[code]:
        raise ValueError(f"date {day} is before {code}'s enrolment on {enrolled[code]}")
    text = cell["rating"]
    if not _WHOLE.fullmatch(text):
        raise ValueError(f"rating {text!r} should be a whole number from {RATING_MIN} to {RATING_MAX}")
    rating = int(text)
    if not RATING_MIN <= rating <= RATING_MAX:
        raise ValueError(f"rating {rating} is outside {RATING_MIN}–{RATING_MAX}")
    symptom = cell.get("symptom") or DEFAULT_SYMPTOM
    if not _SYMPTOM.fullmatch(symptom):
        raise ValueError(f"symptom {symptom!r} should be lower-case words joined by hyphens, like 'sleep-quality'")
    return DiaryEntry(code, day, rating, symptom, line)


def _day(text: str) -> dt.date:
    if not _ISO_DAY.fullmatch(text):
        raise ValueError(f"date {text!r} should be an ISO date like 2026-11-03")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"date {text!r} is not a day of the calendar") from None
