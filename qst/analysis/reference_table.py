"""Reference tables for z-scores: rows of mean and SD by test, reference site, sex and age
band, each with its provenance. The harness ships the DFNS table (`qst/reference/dfns.csv`,
see the README there); a lab can load its own file with the same columns."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from qst.analysis.errors import ReferenceTableError
from qst.analysis.transforms import SCALES

REQUIRED_COLUMNS = (
    "test", "site", "sex", "age_min", "age_max", "mean", "sd", "unit", "scale", "sign",
    "source_repo", "source_path_commit", "claimed_source", "crosscheck",
)
CROSS_CHECKED = frozenset({"agrees", "verified"})
"""`crosscheck` words that mean the row was checked against a second source."""


@dataclass(frozen=True)
class ReferenceRow:
    """Mean and SD of `test` at reference `site` for `sex` aged `age_min`..`age_max` years
    (inclusive; None = no upper bound), on `scale` of a raw value in `unit`; `sign` −1 when
    z is inverted (positive = gain of function). Provenance: `source_repo`,
    `source_path_commit` ("path@commit"), `claimed_source`, `crosscheck`; `table` and
    `line` locate the row in the file it came from."""

    test: str
    site: str
    sex: str
    age_min: int
    age_max: int | None
    mean: float
    sd: float
    unit: str
    scale: str
    sign: int
    source_repo: str
    source_path_commit: str
    claimed_source: str
    crosscheck: str
    scale_as_inferred: str = ""
    table: str = ""
    line: int = 0

    @property
    def cross_checked(self) -> bool:
        return self.crosscheck.strip().lower() in CROSS_CHECKED

    @property
    def commit(self) -> str:
        """The source's commit ("" when the row names none)."""
        return self.source_path_commit.rpartition("@")[2] if "@" in self.source_path_commit else ""

    @property
    def source(self) -> str:
        """"repo path@commit" of the transcription the row was copied from."""
        return f"{self.source_repo} {self.source_path_commit}".strip()

    @property
    def age_band(self) -> str:
        return f"{self.age_min}+" if self.age_max is None else f"{self.age_min}–{self.age_max}"

    def covers_age(self, age_years: int) -> bool:
        return self.age_min <= age_years and (self.age_max is None or age_years <= self.age_max)

    def describe(self) -> str:
        """One line naming the row and its provenance."""
        checked = "cross-checked" if self.cross_checked else f"not cross-checked ({self.crosscheck or 'no check'})"
        return (
            f"{self.test} {self.site} {self.sex} {self.age_band}: mean {self.mean:g}, SD {self.sd:g} ({self.scale}); "
            f"{self.source}; {self.claimed_source}; {checked}; {self.table}:{self.line}"
        )


@dataclass(frozen=True)
class ReferenceTable:
    """The rows of one table file (`name` says which)."""

    name: str
    rows: tuple[ReferenceRow, ...]

    def rows_for(self, test: str, site: str | None = None) -> list[ReferenceRow]:
        return [r for r in self.rows if r.test == test and (site is None or r.site == site)]


def _int_or_none(text: str, column: str, where: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(float(text))
    except ValueError:
        raise ReferenceTableError(f"{where}: {column} {text!r} is not a number") from None


def _float(text: str, column: str, where: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ReferenceTableError(f"{where}: {column} {text!r} is not a number") from None


def parse_reference_table(text: str, name: str) -> ReferenceTable:
    """A table from CSV text (`name` is used in messages and in each row's `table`)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise ReferenceTableError(f"{name}: missing column(s) {', '.join(missing)}")
    rows = []
    for record in reader:
        where = f"{name}:{reader.line_num}"
        age_min = _int_or_none(record["age_min"], "age_min", where)
        age_max = _int_or_none(record["age_max"], "age_max", where)
        sign = _int_or_none(record["sign"], "sign", where)
        sd = _float(record["sd"], "sd", where)
        sex = record["sex"].strip().upper()
        if age_min is None:
            raise ReferenceTableError(f"{where}: age_min is empty")
        if age_max is not None and age_max < age_min:
            raise ReferenceTableError(f"{where}: age band {age_min}–{age_max} is empty")
        if sign not in (-1, 1):
            raise ReferenceTableError(f"{where}: sign must be -1 or 1, not {record['sign']!r}")
        if record["scale"] not in SCALES:
            raise ReferenceTableError(f"{where}: scale {record['scale']!r} is not one of {', '.join(SCALES)}")
        if sd < 0:
            raise ReferenceTableError(f"{where}: sd {sd} is negative")
        if sex not in ("F", "M"):
            raise ReferenceTableError(f"{where}: sex {record['sex']!r} is not F or M")
        rows.append(
            ReferenceRow(
                test=record["test"].strip().upper(),
                site=record["site"].strip(),
                sex=sex,
                age_min=age_min,
                age_max=age_max,
                mean=_float(record["mean"], "mean", where),
                sd=sd,
                unit=record["unit"].strip(),
                scale=record["scale"],
                sign=sign,
                source_repo=record["source_repo"].strip(),
                source_path_commit=record["source_path_commit"].strip(),
                claimed_source=record["claimed_source"].strip(),
                crosscheck=record["crosscheck"].strip(),
                scale_as_inferred=(record.get("scale_as_inferred") or "").strip(),
                table=name,
                line=reader.line_num,
            )
        )
    _refuse_overlaps(rows)
    return ReferenceTable(name, tuple(rows))


def _refuse_overlaps(rows: Iterable[ReferenceRow]) -> None:
    by_cell: dict[tuple[str, str, str], list[ReferenceRow]] = {}
    for row in rows:
        by_cell.setdefault((row.test, row.site, row.sex), []).append(row)
    for cell in by_cell.values():
        cell.sort(key=lambda r: r.age_min)
        for before, after in zip(cell, cell[1:]):
            if before.age_max is None or after.age_min <= before.age_max:
                raise ReferenceTableError(
                    f"{after.table}:{after.line}: {after.test} {after.site} {after.sex} age {after.age_band} overlaps "
                    f"line {before.line} ({before.age_band}): which row applies would be ambiguous"
                )


def load_reference_table(path: str | Path) -> ReferenceTable:
    """A lab's own table from a CSV file with the columns of `qst/reference/dfns.csv`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ReferenceTableError(f"cannot read reference table {path}: {error.strerror}") from None
    return parse_reference_table(text, path.name)


@functools.cache
def dfns_table() -> ReferenceTable:
    """The DFNS reference values shipped with the harness."""
    text = resources.files("qst").joinpath("reference", "dfns.csv").read_text(encoding="utf-8")
    return parse_reference_table(text, "dfns.csv")
