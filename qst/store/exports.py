"""Exports: tidy CSV (one row per trial), per-visit summaries CSV, a visit as JSON, raw traces.

`out` is a path or an open text file (opened with `newline=""` for CSV). CSV cells: numbers
as Python writes them (every digit kept), booleans as `true`/`false`, nothing as an empty cell.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
from pathlib import Path
from typing import IO, Iterable, Iterator

from qst.atomic import replacing
from qst.store.errors import StoreError, plain_reason


@contextlib.contextmanager
def text_out(out: str | os.PathLike | IO[str]) -> Iterator[IO[str]]:
    """A text file to write to: `out` itself, or the file at path `out` — created, or replaced
    only once written whole: a failure leaves what was there (a StoreError naming the file)."""
    if hasattr(out, "write"):
        yield out  # type: ignore[misc]
        return
    path = Path(out)
    try:
        with replacing(path) as temporary, temporary.open("w", encoding="utf-8", newline="") as handle:
            yield handle
    except OSError as error:
        raise StoreError(f"cannot write {path}: {plain_reason(error)}") from None


def cell(value) -> str | float | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_csv(out, columns: Iterable[str], rows: list[dict]) -> int:
    columns = list(columns)
    with text_out(out) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([cell(row[column]) for column in columns] for row in rows)
    return len(rows)


def write_json(out, data: dict) -> None:
    with text_out(out) as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
        handle.write("\n")


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_name(text: str) -> str:
    """`text` usable in a file name on every system."""
    return _UNSAFE.sub("_", str(text)).strip("._") or "_"


def write_traces(directory: str | os.PathLike, base: str, documents: list[dict]) -> list[Path]:
    """One CSV per run that has `samples` events: the rows of its blocks, in order, under the
    union of their columns. Files: `<base>-<run number>-<test>-<site>-t<trial>.csv`."""
    folder = Path(directory)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create {folder}: {error.strerror or error}") from None
    starts = [document for document in documents if document["document"] == "RunStart"]
    blocks: dict[str, list[dict]] = {}
    for document in documents:
        if document["document"] == "Event" and document["kind"] == "samples":
            blocks.setdefault(document["run_id"], []).append(document["data"])
    written = []
    for number, start in enumerate(starts, 1):
        run_blocks = blocks.get(start["run_id"])
        if not run_blocks:
            continue
        columns: list[str] = []
        for block in run_blocks:
            columns += [column for column in block.get("columns", ()) if column not in columns]
        name = f"{base}-{number:03d}-{safe_name(start['test'])}-{safe_name(start['site'])}-t{start['trial']}.csv"
        path = folder / name
        with text_out(path) as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for block in run_blocks:
                where = [columns.index(column) for column in block.get("columns", ())]
                for row in block.get("rows", ()):
                    line = [""] * len(columns)
                    for position, value in zip(where, row):
                        line[position] = cell(value)
                    writer.writerow(line)
        written.append(path)
    return written
