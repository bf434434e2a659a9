"""A study: its phases, its visit schedule, its battery, and what a participant may be told.

A study file is TOML (see `qst/studies/fibromyalgia-ldn.toml`, which `qst study init` copies
for a coordinator to edit); `load_study` turns it into a validated `Study` or raises a
`StudyError` whose message is one line, `<file>:<line>: <reason>`, located the way battery
errors are (`protocols.battery_lines`).

Days count from enrolment: day 0 is the day a participant is enrolled and has visit 1.
Phase boundaries: a phase of `weeks` weeks ends on the day `7 * weeks` after the previous
one ended, and that boundary day belongs to the phase that ends. A visit held on it measures
the weeks just completed, and the next phase's treatment starts after that visit. So in the
first study (2 + 2 + 8 + 2 weeks) phase A holds days 0–14, B days 15–28, C days 29–84 and
D days 85–98, and the visits on days 0, 14, 28, ..., 98 fall in A, A, B, C, C, C, C, D.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator, model_validator

from protocols.battery import shipped_names as shipped_battery_names
from protocols.battery_lines import SourceLineError, line_of, load_toml
from protocols.battery_model import Slug, path_text, problem, reason_for
from protocols.text_files import TextFileError, read_text_file

__all__ = [
    "DueVisit",
    "Phase",
    "PlannedVisit",
    "ScheduleError",
    "Study",
    "StudyError",
    "load_study",
    "shipped_study_names",
    "shipped_study_text",
]

STARTER = "fibromyalgia-ldn"
"""The shipped study `qst study init` copies."""

_PHASE_CODE = re.compile(r"[A-Z][A-Z0-9]{0,3}")
VIEW_ITEMS = ("visit", "phase_code")
"""What `participant_sees` may list; a phase's name and treatment are not among them."""



_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*(?:[*+]|\{[0-9,]+\})(?:[^()\\]|\\.)*\)(?:[*+]|\{[0-9,]+\})")
"""A group holding a repeat, itself repeated: Python's matcher may backtrack through every
way of splitting a code between the two (exponential time)."""

class StudyError(SourceLineError):
    """A study file that cannot be used; one line: `source:line: reason`."""


class ScheduleError(ValueError):
    """A question about a valid study that has no answer: a visit or phase it does not have."""


@dataclass(frozen=True)
class PlannedVisit:
    """Visit `number` (from 1), planned on study `day` (0 = enrolment), in phase `phase_code`."""

    number: int
    day: int
    phase_code: str


@dataclass(frozen=True)
class DueVisit:
    """The next visit of a participant: planned `on` a date, to be held between `earliest`
    and `latest` (inclusive; never before enrolment)."""

    visit: PlannedVisit
    on: dt.date
    earliest: dt.date
    latest: dt.date

    def is_open(self, today: dt.date) -> bool:
        """Whether `today` lies within the visit's window."""
        return self.earliest <= today <= self.latest


class Phase(BaseModel):
    """One `[[phases]]` table: `code` (1–4 capitals or digits, e.g. "A": what a participant
    may be told), `name` (e.g. "baseline"), `weeks` (1–260), `treatment` (e.g. "none",
    "placebo", "naltrexone 4.5 mg nightly": for the study team and unblinded reports only) and
    `role` in the analysis: "baseline", "placebo", "drug", "washout" or "other" (given for every
    phase or for none; without it the analysis infers roles from the treatments)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name: Slug
    weeks: StrictInt = Field(ge=1, le=260)
    treatment: str = Field(min_length=1, max_length=80)
    role: Literal["baseline", "placebo", "drug", "washout", "other"] | None = None

    @field_validator("code")
    @classmethod
    def _short_code(cls, code: str) -> str:
        if not _PHASE_CODE.fullmatch(code):
            raise ValueError(
                f"should be 1–4 capital letters or digits starting with a letter, like 'A'; got {code!r}"
            )
        return code


class Visits(BaseModel):
    """The `[visits]` table: a visit every `every_days` days (1–365) from day 0 through the
    end of the last phase, each within ± `window_days` days (0–60) of its planned day,
    running the shipped battery named `battery`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    every_days: StrictInt = Field(ge=1, le=365)
    window_days: StrictInt = Field(ge=0, le=60)
    battery: str

    @field_validator("battery")
    @classmethod
    def _shipped(cls, name: str) -> str:
        names = shipped_battery_names()
        if name not in names:
            raise ValueError(f"no shipped battery named {name!r}; shipped: {', '.join(names)}")
        return name

    @model_validator(mode="after")
    def _windows_apart(self) -> "Visits":
        # Overlapping windows would make a date ambiguous between two visits.
        if 2 * self.window_days >= self.every_days:
            reason = (
                f"windows of ± {self.window_days} days overlap with a visit every {self.every_days} days; "
                f"keep window_days below {self.every_days / 2:g}"
            )
            raise problem(reason, ("window_days",))
        return self


class Study(BaseModel):
    """A study file, validated: see the module docstring and `qst/studies/`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Slug
    title: str = Field(min_length=1)
    description: str = ""
    code_pattern: str = Field(min_length=1)
    blinding: Literal["single", "double", "open"]
    phases: tuple[Phase, ...] = Field(min_length=1)
    visits: Visits
    participant_sees: tuple[Literal["visit", "phase_code"], ...] = Field(VIEW_ITEMS, min_length=1)

    @field_validator("code_pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            raise ValueError(f"is not a valid regular expression: {error}") from None
        if compiled.fullmatch(""):
            raise ValueError(f"{pattern!r} accepts an empty code")
        if _NESTED_REPEAT.search(pattern):
            raise ValueError(f"{pattern!r} repeats a group that itself repeats, like (a+)+, which can take "
                             "minutes to match a code; write it without the nesting")
        return pattern

    @field_validator("participant_sees")
    @classmethod
    def _once_each(cls, items: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(items)) != len(items):
            raise ValueError(f"lists an item twice: {list(items)}")
        return items

    @model_validator(mode="after")
    def _phase_codes(self) -> "Study":
        seen: dict[str, int] = {}
        for index, phase in enumerate(self.phases):
            where = ("phases", index, "code")
            if phase.code in seen:
                raise problem(f"{phase.code!r} is already the code of phases[{seen[phase.code]}]", where)
            seen[phase.code] = index
            if self.blinded:
                for told in (phase.name, phase.treatment, phase.role or ""):
                    if told.lower().startswith(phase.code.lower()):
                        reason = (
                            f"{phase.code!r} gives away {told!r} to a participant of a {self.blinding}-blind "
                            "study; use a neutral code such as a letter in order"
                        )
                        raise problem(reason, where)
        return self

    @model_validator(mode="after")
    def _roles_for_all_or_none(self) -> "Study":
        given = [phase.role is not None for phase in self.phases]
        if any(given) and not all(given):
            index = given.index(False)
            raise problem("has no role while other phases do: give every phase a role, or none", ("phases", index))
        baselines = [i for i, phase in enumerate(self.phases) if phase.role == "baseline"]
        if len(baselines) > 1:
            raise problem(f"is a second baseline (phases[{baselines[0]}] is the first)", ("phases", baselines[1], "role"))
        return self

    # -- the schedule --------------------------------------------------------------------------

    @property
    def blinded(self) -> bool:
        return self.blinding != "open"

    @property
    def last_day(self) -> int:
        """The last day of the last phase (days from enrolment)."""
        return 7 * sum(phase.weeks for phase in self.phases)

    def phase_days(self) -> list[tuple[Phase, int, int]]:
        """Each phase with its first and last day (inclusive; see the module docstring)."""
        spans, end = [], 0
        for index, phase in enumerate(self.phases):
            first = 0 if index == 0 else end + 1
            end += 7 * phase.weeks
            spans.append((phase, first, end))
        return spans

    def phase_on(self, day: int) -> Phase | None:
        """The phase study `day` falls in, or None before day 0 or after the last phase."""
        for phase, first, last in self.phase_days():
            if first <= day <= last:
                return phase
        return None

    def planned_visits(self) -> list[PlannedVisit]:
        """Visit 1 on day 0, then one every `every_days` days while the study lasts."""
        days = range(0, self.last_day + 1, self.visits.every_days)
        return [PlannedVisit(number, day, self.phase_on(day).code) for number, day in enumerate(days, start=1)]

    def visit(self, number: int) -> PlannedVisit:
        """Planned visit `number` (from 1); `ScheduleError` if the study has no such visit."""
        planned = self.planned_visits()
        if not 1 <= number <= len(planned):
            raise ScheduleError(f"study {self.name} has visits 1–{len(planned)}; there is no visit {number}")
        return planned[number - 1]

    def due(self, enrolled_on: dt.date, today: dt.date, done: Iterable[int] = ()) -> DueVisit | None:
        """A participant's next visit: the first not in `done` (visit numbers already held)
        whose window has not closed by `today`; None when none is left."""
        held = set(done)
        window = dt.timedelta(days=self.visits.window_days)
        for visit in self.planned_visits():
            if visit.number in held:
                continue
            on = enrolled_on + dt.timedelta(days=visit.day)
            due = DueVisit(visit, on, max(enrolled_on, on - window), on + window)
            if due.latest >= today:
                return due
        return None

    # -- what who may see ----------------------------------------------------------------------

    def participant_view(self, visit: PlannedVisit | int) -> str:
        """What a participant is told about a visit, e.g. "Visit 3, phase B": the items of
        `participant_sees`, never a phase's name or treatment."""
        if isinstance(visit, int):
            visit = self.visit(visit)
        parts = {"visit": f"visit {visit.number}", "phase_code": f"phase {visit.phase_code}"}
        text = ", ".join(parts[item] for item in self.participant_sees)
        return text[0].upper() + text[1:]

    def phase(self, code: str) -> Phase:
        """The phase with `code`; `ScheduleError` if there is none."""
        for phase in self.phases:
            if phase.code == code:
                return phase
        raise ScheduleError(f"study {self.name} has no phase {code!r}; its phases are {', '.join(self.phase_codes())}")

    def phase_codes(self) -> list[str]:
        return [phase.code for phase in self.phases]

    def treatment_of(self, phase_code: str) -> str:
        """The treatment of a phase. For unblinded reports only: never show it to a
        participant, nor to an examiner of a double-blind study."""
        return self.phase(phase_code).treatment

    def accepts_code(self, code: str) -> bool:
        """Whether `code` matches the study's `code_pattern` (as a whole)."""
        return re.fullmatch(self.code_pattern, code) is not None


# -- loading -----------------------------------------------------------------------------------


def load_study(path_or_text: str | os.PathLike, *, source: str | None = None) -> Study:
    """A study from a file (a `Path` or other path-like) or from TOML text (a `str`).

    `source` names the text in error messages (default: the path, or `<study>`).
    Raises `StudyError` for anything wrong, from an unreadable file to a wrong battery name.
    """
    if isinstance(path_or_text, os.PathLike):
        path = Path(path_or_text)
        source = source or str(path)
        return _parse(read_text(path, source), source)
    return _parse(path_or_text, source or "<study>")


def read_text(path: Path, source: str) -> str:
    """A study file's text (see `read_text_file`), or a `StudyError`."""
    try:
        return read_text_file(path)
    except TextFileError as error:
        raise StudyError(source, error.line, error.reason) from None


def shipped_study_names() -> list[str]:
    """The studies that come with qst, by name."""
    folder = resources.files("qst") / "studies"
    return sorted(item.name.removesuffix(".toml") for item in folder.iterdir() if item.name.endswith(".toml"))


def shipped_study_text(name: str = STARTER) -> str:
    """A shipped study's TOML text, comments and all (what `qst study init` writes)."""
    if name not in shipped_study_names():
        raise ScheduleError(f"no shipped study named {name!r}; shipped: {', '.join(shipped_study_names())}")
    return (resources.files("qst") / "studies" / f"{name}.toml").read_text(encoding="utf-8")


def _parse(text: str, source: str) -> Study:
    data, line, reason = load_toml(text)
    if data is None:
        raise StudyError(source, line, reason)
    try:
        return Study.model_validate(data)
    except ValidationError as error:
        raise _located(error, text, source) from None


_TABLES: dict[str, type[BaseModel]] = {"phases": Phase, "visits": Visits}


def _located(error: ValidationError, text: str, source: str) -> StudyError:
    """The first validation error, at its line."""
    first = error.errors()[0]
    loc = tuple(first["loc"])
    field = at = loc
    if first["type"] == "battery":  # raised by `problem`, which names its own key and line
        field, at = loc + first["ctx"]["field"], loc + first["ctx"]["at"]
    reason = reason_for(first)
    if first["type"] == "extra_forbidden":
        model: Any = _TABLES.get(loc[0], Study) if len(loc) > 1 else Study
        reason += f"; the keys here are {', '.join(model.model_fields)}"
    return StudyError(source, line_of(text, at), f"{path_text(field)}: {reason}" if field else reason)
