"""The plain inputs the analysis works on: tidy trial rows, diary entries, participants, phases.

Days are calendar dates for the diary and whole days relative to each participant's
enrolment (day 0) for phases. The records store and the study model are adapted to these;
`Trial.from_row` takes one row of the tidy long export as a dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from qst.analysis.errors import AnalysisError

COMPLETED = "completed"
"""The only exit status whose trials count in any summary."""


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "t"):
        return True
    if text in ("0", "false", "no", "n", "f", ""):
        return False
    raise AnalysisError(f"not a yes/no value: {value!r}")


def _as_float_or_none(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    return float(value)


def _as_date_or_none(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Trial:
    """One trial of one test at one site at one visit (a row of the tidy export).

    `value` in `unit` (None when nothing was measured); `censored`: the cut-off or ceiling
    was reached and `value` is that limit, not a threshold; `exit_status` as the records
    hold it — only "completed" trials count. `visit_date`, when known, places the visit on
    the study's time axis.
    """

    study: str
    participant: str
    visit: int
    phase_code: str
    test: str
    site: str
    trial: int
    value: float | None
    unit: str
    censored: bool
    exit_status: str
    visit_date: date | None = None

    @property
    def completed(self) -> bool:
        return self.exit_status == COMPLETED

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Trial:
        """A trial from a dict of the tidy export's columns (strings or typed values)."""
        try:
            return cls(
                study=str(row["study"]),
                participant=str(row["participant"]),
                visit=int(row["visit"]),
                phase_code=str(row["phase_code"]),
                test=str(row["test"]),
                site=str(row["site"]),
                trial=int(row["trial"]),
                value=_as_float_or_none(row.get("value")),
                unit=str(row.get("unit") or ""),
                censored=_as_bool(row.get("censored", False)),
                exit_status=str(getattr(row["exit_status"], "value", row["exit_status"])),
                visit_date=_as_date_or_none(row.get("visit_date")),
            )
        except KeyError as missing:
            raise AnalysisError(f"tidy row has no column {missing}") from None
        except (TypeError, ValueError) as error:
            raise AnalysisError(f"tidy row not usable ({error}): {dict(row)!r}") from None


def trials_from_rows(rows: Iterable[Mapping[str, Any] | Trial]) -> list[Trial]:
    """Trials from tidy rows (dicts) or trials, in the order given."""
    return [row if isinstance(row, Trial) else Trial.from_row(row) for row in rows]


@dataclass(frozen=True)
class DiaryEntry:
    """A daily symptom rating: `rating` 0–100 (100 = worst) given on calendar `day`."""

    participant: str
    day: date
    rating: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.rating <= 100.0:
            raise AnalysisError(f"diary rating {self.rating} of {self.participant} on {self.day} is outside 0–100")


@dataclass(frozen=True)
class Participant:
    """A pseudonymous participant.

    `sex` "F" or "M" (other values get no reference z-scores); `birth_year` (age is known
    to a year: `age_on` may be one year over); `enrolled_on` is study day 0; `labs` baseline
    laboratory values by name, e.g. {"ESR": (22.0, "mm/h")}.
    """

    code: str
    sex: str
    birth_year: int
    enrolled_on: date
    labs: Mapping[str, tuple[float, str]] = field(default_factory=dict, hash=False)

    def age_on(self, day: date) -> int:
        """Age in whole years on `day`, from the birth year alone (birthday unknown)."""
        return day.year - self.birth_year

    def study_day(self, day: date) -> int:
        """Days since enrolment (enrolment day = 0)."""
        return (day - self.enrolled_on).days


@dataclass(frozen=True)
class Phase:
    """A phase of a study: `code` (shown when blinded), `name` and `treatment` (shown only
    when unblinded), from `first_day` to `last_day` inclusive, in days from enrolment."""

    code: str
    name: str
    treatment: str
    first_day: int
    last_day: int

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise AnalysisError(f"phase {self.code} ends (day {self.last_day}) before it starts (day {self.first_day})")

    @property
    def length_days(self) -> int:
        return self.last_day - self.first_day + 1

    def contains(self, study_day: int) -> bool:
        return self.first_day <= study_day <= self.last_day


@dataclass(frozen=True)
class PhasePlan:
    """A study's phases in time order; codes are unique and phases do not overlap."""

    phases: tuple[Phase, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "phases", tuple(sorted(self.phases, key=lambda p: p.first_day)))
        codes = [p.code for p in self.phases]
        if len(set(codes)) != len(codes):
            raise AnalysisError(f"phase codes repeat: {codes}")
        for before, after in zip(self.phases, self.phases[1:]):
            if after.first_day <= before.last_day:
                raise AnalysisError(f"phases {before.code} and {after.code} overlap")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.phases)

    def __getitem__(self, code: str) -> Phase:
        for phase in self.phases:
            if phase.code == code:
                return phase
        raise AnalysisError(f"no phase {code!r} (phases: {', '.join(self.codes)})")

    def __iter__(self):
        return iter(self.phases)

    def __len__(self) -> int:
        return len(self.phases)

    def phase_on(self, study_day: int) -> Phase | None:
        """The phase that holds `study_day`, or None (before, after or between phases)."""
        for phase in self.phases:
            if phase.contains(study_day):
                return phase
        return None
