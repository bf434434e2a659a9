"""Studies, participants, visits and the record stream in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pytest

from protocols.records import Event, ExitStatus, RecordList, RunStart, RunStop, TrialResult, as_dict, new_run_id
from qst.store import StoreError, UnknownParticipantError, UnknownStudyError, UnknownVisitError
from tests.qst.test_store_setup import (  # noqa: F401 (fixtures)
    STUDY, enrol, fast_dir, one_line, postgres_schema_url, run_visit, store, store_url, study_text,
)

PLAN = [("HPT", "volar-forearm-left", 1), ("HPT", "volar-forearm-left", 2), ("PPT", "thenar-right", 1)]


def start(test: str, site: str, trial: int) -> RunStart:
    return RunStart(new_run_id(), 0.0, "2026-03-02T10:00:00.000+00:00", test, site, trial, {"unit": "°C"},
                    {"thermode": {"probe_id": "P1"}}, "ex1")


def stop(run: RunStart, status: ExitStatus = ExitStatus.COMPLETED, value: float | None = 45.0) -> RunStop:
    result = TrialResult(value, "°C") if status is ExitStatus.COMPLETED else None
    return RunStop(run.run_id, 10.0, "2026-03-02T10:00:10.000+00:00", status, status.value, result)


def trial(sink, entry, status: ExitStatus | None = ExitStatus.COMPLETED) -> RunStart:
    """One run of planned `entry` into `sink`: start, an event, and a stop unless `status` is None."""
    run = start(*entry)
    sink(run)
    sink(Event(run.run_id, 1.0, "stimulus", {"target_c": 50.0}))
    if status is not None:
        sink(stop(run, status))
    return run


def new_visit(store, number: int = 1, planned=PLAN) -> int:
    enrol(store)
    return store.open_visit(STUDY, "FM01", number, "A", "short", planned, examiner="ex1")


# -- studies and participants ----------------------------------------------------------------


def test_a_study_is_kept_by_name_and_a_duplicate_refused(store):
    store.add_study(STUDY, study_text())
    store.add_study("other", "name = 'other'")
    assert store.study_names() == [STUDY, "other"]
    assert store.study_text(STUDY) == study_text()
    with pytest.raises(StoreError) as caught:
        store.add_study(STUDY, "name = 'again'")
    assert "already" in one_line(caught.value)
    assert store.study_text(STUDY) == study_text()
    with pytest.raises(UnknownStudyError) as caught:
        store.study_text("nope")
    assert "nope" in one_line(caught.value)


@dataclass(frozen=True)
class LabValue:
    value: float
    unit: str


def test_participants_round_trip_as_json_fields_and_duplicates_are_refused(store):
    enrol(store, codes=())
    fields = {"sex": "M", "birth_year": 1981, "enrolled_on": date(2026, 3, 2), "labs": {"esr": LabValue(12.5, "mm/h")}}
    store.add_participant(STUDY, "FM07", fields)
    expected = {"code": "FM07", "sex": "M", "birth_year": 1981, "enrolled_on": "2026-03-02",
                "labs": {"esr": {"value": 12.5, "unit": "mm/h"}}}
    assert store.participant(STUDY, "FM07") == expected
    with pytest.raises(StoreError) as caught:
        store.add_participant(STUDY, "FM07", {"sex": "F"})
    assert "already enrolled" in one_line(caught.value)
    assert store.participants(STUDY) == [expected]
    with pytest.raises(UnknownParticipantError):
        store.participant(STUDY, "FM99")
    with pytest.raises(StoreError) as caught:
        store.add_participant(STUDY, "FM08", {"weight": float("nan")})
    assert "finite" in one_line(caught.value)
    with pytest.raises(StoreError):
        store.add_participant(STUDY, "FM08", {"thing": object()})
    assert [p["code"] for p in store.participants(STUDY)] == ["FM07"]


def test_a_participant_from_qst_participants_round_trips(store):
    from qst.participants import Participant

    enrol(store, codes=())
    participant = Participant.from_record(
        {"sex": "F", "birth_year": 1975, "enrolled_on": "2026-03-02", "labs": {"esr": {"value": 31.0, "unit": "mm/h"}}},
        code="FM03",
    )
    store.add_participant(STUDY, participant.code, participant.record())
    assert Participant.from_record(store.participant(STUDY, "FM03")) == participant


# -- visits ----------------------------------------------------------------------------------


def test_reopening_a_visit_resumes_it_and_a_different_plan_is_refused(store):
    visit_id = new_visit(store)
    assert new_visit(store) == visit_id
    for change in ({"phase_code": "B"}, {"battery": "dfns"}, {"planned": PLAN[:2]}):
        arguments = {"phase_code": "A", "battery": "short", "planned": PLAN, **change}
        with pytest.raises(StoreError) as caught:
            store.open_visit(STUDY, "FM01", 1, **arguments)
        assert "visit 1 of FM01" in one_line(caught.value)
    with pytest.raises(StoreError) as caught:
        store.open_visit(STUDY, "FM01", 2, "A", "short", PLAN + [PLAN[0]])
    assert "twice" in one_line(caught.value)
    with pytest.raises(StoreError):
        store.open_visit(STUDY, "FM01", 0, "A", "short", PLAN)
    with pytest.raises(UnknownParticipantError):
        store.open_visit(STUDY, "FM02", 1, "A", "short", PLAN)
    assert [v["number"] for v in store.visits(STUDY)] == [1]


def test_visits_list_counts_and_status(store):
    visit_id = new_visit(store)
    sink = store.sink(visit_id)
    trial(sink, PLAN[0])
    trial(sink, PLAN[1], None)  # interrupted
    trial(sink, PLAN[1], ExitStatus.STOPPED_BY_PARTICIPANT)
    (listed,) = store.visits(STUDY, "FM01")
    assert listed["visit_id"] == visit_id
    assert (listed["status"], listed["planned"], listed["completed"], listed["runs"], listed["runs_not_completed"]) == (
        "open", 3, 1, 3, 2)
    store.close_visit(visit_id, notes="participant tired")
    (listed,) = store.visits(STUDY)
    assert listed["status"] == "closed" and listed["notes"] == "participant tired" and listed["closed_utc"]
    with pytest.raises(StoreError) as caught:
        store.close_visit(visit_id)
    assert "already closed" in one_line(caught.value)
    with pytest.raises(StoreError) as caught:
        new_visit(store)
    assert "closed" in one_line(caught.value)
    with pytest.raises(StoreError) as caught:
        store.sink(visit_id)
    assert "closed" in one_line(caught.value)
    with pytest.raises(UnknownVisitError):
        store.close_visit(visit_id + 100)


# -- where to resume -------------------------------------------------------------------------


def test_resume_index_skips_completed_trials_and_reruns_interrupted_ones(store):
    visit_id = new_visit(store)
    sink = store.sink(visit_id)
    assert store.resume_index(visit_id) == 0
    trial(sink, PLAN[0])
    assert store.resume_index(visit_id) == 1
    trial(sink, PLAN[1], None)  # the harness died mid-trial: RunStart without RunStop
    assert store.resume_index(visit_id) == 1
    trial(sink, PLAN[1], ExitStatus.DEVICE_FAULT)
    assert store.resume_index(visit_id) == 1
    trial(sink, PLAN[1], ExitStatus.ABORTED_BY_EXAMINER)
    assert store.resume_index(visit_id) == 1
    trial(sink, PLAN[1])
    assert store.resume_index(visit_id) == 2
    # A second process (a restart) records into the same visit with a sink of its own.
    trial(store.sink(visit_id), PLAN[2])
    assert store.resume_index(visit_id) == 3 == len(PLAN)


def test_a_resumed_virtual_visit_completes_each_planned_trial_once(store):
    from protocols.battery import load_battery
    from tests.qst.test_store_setup import SHORT_BATTERY, planned_of

    enrol(store)
    plan = load_battery(SHORT_BATTERY).plan()
    visit_id = store.open_visit(STUDY, "FM01", 1, "A", "short", planned_of(plan))
    sink = store.sink(visit_id)
    trial(sink, planned_of(plan)[0], None)  # a first attempt died during the heat trial
    assert store.resume_index(visit_id) == 0
    assert run_visit(store) == visit_id
    assert store.resume_index(visit_id) == len(plan)
    completed = [row for row in store.trials(STUDY) if row["exit_status"] == "completed"]
    assert sorted((row["test"], row["site"], row["trial"]) for row in completed) == sorted(planned_of(plan))


# -- the record stream -----------------------------------------------------------------------


def test_documents_read_back_exactly_as_the_runner_emitted_them(store):
    enrol(store)
    emitted = RecordList()
    visit_id = run_visit(store, tee=emitted)
    expected = [json.loads(json.dumps(as_dict(document))) for document in emitted.documents]
    assert store.visit_documents(visit_id) == expected
    kinds = {(d["document"], d.get("kind")) for d in expected}
    assert ("Event", "samples") in kinds and ("RunStop", None) in kinds


def test_each_document_is_committed_when_the_sink_returns(store_url, store):
    from qst.store import Store

    visit_id = new_visit(store)
    sink = store.sink(visit_id)
    run = start(*PLAN[0])
    sink(run)
    sink(Event(run.run_id, 1.0, "samples", {"columns": ["t_s", "x"], "rows": [[0.0, 1.5], [0.01, 1.6]]}))
    with Store.open(store_url) as other:  # another connection sees it at once
        documents = other.visit_documents(visit_id)
    assert [d["document"] for d in documents] == ["RunStart", "Event"]
    assert documents[1]["data"]["rows"] == [[0.0, 1.5], [0.01, 1.6]]


def test_the_sink_refuses_documents_it_cannot_place_and_keeps_what_it_had(store):
    visit_id = new_visit(store)
    sink = store.sink(visit_id)
    run = trial(sink, PLAN[0])
    before = store.visit_documents(visit_id)
    with pytest.raises(StoreError) as caught:
        sink(Event("no-such-run", 1.0, "stimulus", {}))
    assert "no RunStart" in one_line(caught.value)
    with pytest.raises(StoreError) as caught:
        sink(stop(run))
    assert "already has its stop" in one_line(caught.value)
    with pytest.raises(StoreError) as caught:
        sink(run)
    one_line(caught.value)
    with pytest.raises(StoreError):
        sink("not a document")
    assert store.visit_documents(visit_id) == before


def test_a_finished_visit_is_recorded_in_one_transaction_all_or_nothing(store):
    visit_id = new_visit(store)
    emitted = RecordList()
    first = trial(emitted, PLAN[0])
    trial(emitted, PLAN[1])
    store.sink(visit_id).extend(emitted.documents)
    expected = [json.loads(json.dumps(as_dict(document))) for document in emitted.documents]
    assert store.visit_documents(visit_id) == expected
    # One refused document (a second stop for the first run) leaves none of the batch behind.
    batch = RecordList()
    trial(batch, PLAN[2])
    with pytest.raises(StoreError) as caught:
        store.sink(visit_id).extend([*batch.documents, stop(first)])
    assert "already has its stop" in one_line(caught.value)
    assert store.visit_documents(visit_id) == expected


def test_a_batch_is_checked_as_its_documents_one_by_one_would_be(store):
    visit_id = new_visit(store)
    sink = store.sink(visit_id)
    batch = RecordList()
    run = trial(batch, PLAN[0], status=None)
    # the run's stop twice in one batch: refused, nothing kept, the sink none the worse
    with pytest.raises(StoreError) as caught:
        sink.extend([*batch.documents, stop(run), stop(run)])
    assert "already has its stop" in one_line(caught.value)
    assert store.visit_documents(visit_id) == []
    sink.extend(batch.documents)
    # a later batch goes on with a run of an earlier one: its events keep their order
    sink.extend([Event(run.run_id, 2.0, "response", {"t_s": 2.0}), stop(run)])
    with pytest.raises(StoreError) as caught:
        sink.extend([stop(run)])
    assert "already has its stop" in one_line(caught.value)
    documents = store.visit_documents(visit_id)
    assert [d.get("kind", d["document"]) for d in documents] == ["RunStart", "stimulus", "response", "RunStop"]
    # every batch checks that the visit is still open
    store.close_visit(visit_id, "done")
    with pytest.raises(StoreError) as caught:
        sink.extend(RecordList().documents + [start(*PLAN[1])])
    assert "closed" in one_line(caught.value)


def test_a_visit_recorded_from_a_worker_thread_while_another_thread_reads(store):
    # The UI reads the store while the procedure thread records into it.
    import threading

    enrol(store)
    failures: list[BaseException] = []
    reads = 0
    worker_done = threading.Event()

    def visit() -> None:
        try:
            run_visit(store)
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            worker_done.set()

    worker = threading.Thread(target=visit)
    worker.start()
    while not worker_done.is_set():
        store.visits(STUDY)
        store.trials(STUDY)
        reads += 1
    worker.join()
    assert failures == [] and reads > 0
    (listed,) = store.visits(STUDY)
    assert listed["completed"] == listed["planned"] == 2
