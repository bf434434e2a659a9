"""The records store and the study schedule as the UI's `VisitSource`.

Studies and participants come from the store; each participant's visits are the study's
planned visits, dated from the participant's enrolment, marked done (closed in the
store), interrupted (open in the store: it resumes at `Store.resume_index`), due (the
study's next visit for the participant) or planned. A visit shows its number and phase
code, never the phase's treatment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from protocols.battery import Battery, shipped_battery
from protocols.records import Document, Event, ExitStatus, RecordSink, RunStart, RunStop, TrialResult
from qst.ui.visits import DONE, DUE, INTERRUPTED, PLANNED, Planned, VisitChoice


def document_from_dict(data: dict[str, Any]) -> Document:
    """A document back from its `as_dict` form (what the store keeps)."""
    fields = {key: value for key, value in data.items() if key != "document"}
    kind = data.get("document")
    if kind == "RunStart":
        return RunStart(**fields)
    if kind == "RunStop":
        result = fields.get("result")
        if result is not None:
            result = TrialResult(**{**result, "flags": tuple(result.get("flags", ()))})
        return RunStop(**{**fields, "exit_status": ExitStatus(fields["exit_status"]), "result": result})
    if kind == "Event":
        return Event(**fields)
    raise ValueError(f"not a document: {kind!r}")


class StoreVisits:
    """A `VisitSource` over a `qst.store.Store` (blocking calls: use from workers)."""

    def __init__(self, store):
        self.store = store
        self._studies: dict[str, Any] = {}

    def study(self, name: str):
        """The study `name` as stored, loaded (kept for the session)."""
        if name not in self._studies:
            from qst.study import load_study

            self._studies[name] = load_study(self.store.study_text(name), source=f"study {name} (as stored)")
        return self._studies[name]

    def study_names(self) -> list[str]:
        return self.store.study_names()

    def participants(self, study: str) -> list[str]:
        return [participant["code"] for participant in self.store.participants(study)]

    def visits(self, study: str, code: str, today: dt.date) -> list[VisitChoice]:
        schedule = self.study(study)
        enrolled_on = dt.date.fromisoformat(str(self.store.participant(study, code)["enrolled_on"]))
        held = {visit["number"]: visit for visit in self.store.visits(study, code)}
        due = schedule.due(enrolled_on, today, done=held)
        due_number = due.visit.number if due is not None else None
        found = []
        for planned in schedule.planned_visits():
            stored = held.get(planned.number)
            choice = VisitChoice(
                study,
                code,
                planned.number,
                planned.phase_code,
                schedule.visits.battery,
                planned_on=enrolled_on + dt.timedelta(days=planned.day),
                state=DUE if planned.number == due_number else PLANNED,
            )
            if stored is not None:
                closed = stored["status"] == "closed"
                choice = VisitChoice(
                    study,
                    code,
                    planned.number,
                    stored["phase_code"],
                    stored["battery"],
                    planned_on=choice.planned_on,
                    state=DONE if closed else INTERRUPTED,
                    visit_id=stored["visit_id"],
                    resume_at=None if closed else self.store.resume_index(stored["visit_id"]),
                    planned_trials=stored["planned"],
                )
            found.append(choice)
        return found

    def battery(self, visit: VisitChoice) -> Battery:
        return shipped_battery(visit.battery)

    def open_visit(self, visit: VisitChoice, planned: list[Planned], examiner: str, station: str) -> int:
        return self.store.open_visit(
            visit.study, visit.code, visit.number, visit.phase_code, visit.battery, planned, examiner, station
        )

    def resume_index(self, visit_id: int) -> int:
        return self.store.resume_index(visit_id)

    def sink(self, visit_id: int) -> RecordSink:
        return self.store.sink(visit_id)

    def documents(self, visit_id: int) -> list[Document]:
        return [document_from_dict(data) for data in self.store.visit_documents(visit_id)]

    def close_visit(self, visit_id: int, notes: str) -> None:
        self.store.close_visit(visit_id, notes)

    def course(self, study: str, code: str) -> list:
        from qst.reporting import course_lines, load  # the analysis (scipy) only when asked

        return course_lines(load(self.store, study), code)
