"""Where the UI finds visits and keeps their records: a small interface, and an in-memory one.

The terminal UI asks a `VisitSource` for studies, participants and their visits, opens the
visit the technician picks, writes every document of the run to the visit's sink and
closes the visit with the technician's notes. The records store backs it in the lab
(`StoreVisits`, in `qst.ui.store_visits`); `MemoryVisits` keeps everything in memory, for
tests.

What a `VisitChoice` carries is what a participant may see of a visit: its number and
phase code, never the phase's name or treatment.

Every call may do I/O (a database), so the UI calls a source from thread workers only.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

from protocols.battery import Battery, shipped_battery
from protocols.records import Document, ExitStatus, RecordList, RecordSink

Planned = tuple[str, str, int]
"""A planned trial: (test, site, trial)."""

DONE = "done"
INTERRUPTED = "interrupted"
DUE = "due"
PLANNED = "planned"


@dataclass(frozen=True)
class VisitChoice:
    """One visit of one participant, as the technician picks it.

    `state`: "done" (closed), "interrupted" (opened, not closed: it resumes), "due" (the
    next one to hold) or "planned". `visit_id` is set once the visit has been opened;
    `resume_at` is the plan index an interrupted visit resumes at and `planned_trials` the
    length of the plan it was opened with, when known.
    """

    study: str
    code: str
    number: int
    phase_code: str
    battery: str
    planned_on: date | None = None
    state: str = PLANNED
    visit_id: Any = None
    resume_at: int | None = None
    planned_trials: int | None = None

    @property
    def title(self) -> str:
        """What the screens (and the participant) see: code, visit number, phase code."""
        return f"{self.code} · visit {self.number} · phase {self.phase_code}"

    @property
    def label(self) -> str:
        """One line for a list of visits."""
        planned = f" · {self.planned_on.isoformat()}" if self.planned_on else ""
        state = self.state
        if self.state == INTERRUPTED and self.resume_at is not None:
            state = f"{state}, resumes at trial {self.resume_at + 1}"
        return f"visit {self.number} · phase {self.phase_code}{planned} · {state}"


def default_visit(visits: list[VisitChoice]) -> int | None:
    """The index of the visit to offer first: an interrupted one, else the due one, else the
    first not done; None when every visit is done."""
    for wanted in (INTERRUPTED, DUE):
        for index, visit in enumerate(visits):
            if visit.state == wanted:
                return index
    for index, visit in enumerate(visits):
        if visit.state != DONE:
            return index
    return None


class VisitSource(Protocol):
    """What the UI needs of the records and the study. Calls may block: use from workers."""

    def study_names(self) -> list[str]: ...

    def participants(self, study: str) -> list[str]: ...

    def visits(self, study: str, code: str, today: date) -> list[VisitChoice]: ...

    def battery(self, visit: VisitChoice) -> Battery: ...

    def open_visit(self, visit: VisitChoice, planned: list[Planned], examiner: str, station: str) -> Any:
        """Open the visit with its plan of (test, site, trial), or reopen it (interrupted,
        same plan) to resume; returns its id."""

    def resume_index(self, visit_id: Any) -> int:
        """The index of the first planned trial without a completed run (0 for a new visit)."""

    def sink(self, visit_id: Any) -> RecordSink:
        """Where the run's documents go; each is kept before the call returns."""

    def documents(self, visit_id: Any) -> list[Document]:
        """Every document of the visit so far (earlier sessions of a resumed visit included)."""

    def close_visit(self, visit_id: Any, notes: str) -> None: ...

    def course(self, study: str, code: str) -> list:
        """The participant's course so far, blinded, as lines with `label`, `spark` (a
        sparkline) and `latest` (see `qst.reporting.course_lines`); empty when nothing is recorded."""


@dataclass
class MemoryVisit:
    """An opened visit kept in memory."""

    choice: VisitChoice
    planned: list[Planned]
    examiner: str
    station: str
    records: RecordList = field(default_factory=RecordList)
    closed: bool = False
    notes: str = ""


class MemoryVisits:
    """A `VisitSource` in memory: `studies[study][code]` lists each participant's visits.

    `batteries` are used by name before the shipped ones; `courses[(study, code)]` are the
    participants' course lines. The first visit not done is due.
    Like the store, a visit resumes at its first planned trial without a completed run.
    """

    def __init__(
        self,
        studies: dict[str, dict[str, list[VisitChoice]]],
        batteries: dict[str, Battery] | None = None,
        courses: dict[tuple[str, str], list] | None = None,
    ):
        self._studies = studies
        self._batteries = dict(batteries or {})
        self._courses = dict(courses or {})
        self.opened: dict[str, MemoryVisit] = {}
        self._ids = itertools.count(1)

    def study_names(self) -> list[str]:
        return list(self._studies)

    def participants(self, study: str) -> list[str]:
        return list(self._studies.get(study, {}))

    def visits(self, study: str, code: str, today: date) -> list[VisitChoice]:
        found = []
        due_given = False
        for visit in self._studies.get(study, {}).get(code, []):
            visit_id = self._id_of(visit)
            if visit_id is not None:
                opened = self.opened[visit_id]
                visit = replace(visit, state=DONE if opened.closed else INTERRUPTED, visit_id=visit_id,
                                resume_at=self.resume_index(visit_id), planned_trials=len(opened.planned))
            else:
                visit = replace(visit, state=PLANNED if due_given else DUE)
            due_given = due_given or visit.state != DONE
            found.append(visit)
        return found

    def battery(self, visit: VisitChoice) -> Battery:
        return self._batteries.get(visit.battery) or shipped_battery(visit.battery)

    def open_visit(self, visit: VisitChoice, planned: list[Planned], examiner: str, station: str) -> str:
        visit_id = self._id_of(visit)
        if visit_id is not None:
            opened = self.opened[visit_id]
            if opened.closed:
                raise ValueError(f"{visit.title} is closed")
            if opened.planned != list(planned):
                raise ValueError(f"{visit.title} was opened with a different plan of trials")
            return visit_id
        visit_id = f"v{next(self._ids)}"
        choice = replace(visit, visit_id=None, state=PLANNED, resume_at=None, planned_trials=None)
        self.opened[visit_id] = MemoryVisit(choice, list(planned), examiner, station)
        return visit_id

    def resume_index(self, visit_id: str) -> int:
        opened = self.opened[visit_id]
        starts = {start.run_id: start for start in opened.records.starts()}
        done = {
            (start.test, start.site, start.trial)
            for stop in opened.records.stops()
            if stop.exit_status is ExitStatus.COMPLETED and (start := starts.get(stop.run_id)) is not None
        }
        return next((i for i, entry in enumerate(opened.planned) if entry not in done), len(opened.planned))

    def sink(self, visit_id: str) -> RecordSink:
        return self.opened[visit_id].records

    def documents(self, visit_id: str) -> list[Document]:
        return list(self.opened[visit_id].records.documents)

    def close_visit(self, visit_id: str, notes: str) -> None:
        opened = self.opened[visit_id]
        opened.closed = True
        opened.notes = notes

    def course(self, study: str, code: str) -> list:
        return list(self._courses.get((study, code), []))

    def _id_of(self, visit: VisitChoice) -> str | None:
        for visit_id, opened in self.opened.items():
            c = opened.choice
            if (c.study, c.code, c.number) == (visit.study, visit.code, visit.number):
                return visit_id
        return None
