"""Corrections are appended, never edits: originals stay, derived values follow. Audit and blinding."""

from __future__ import annotations

import io
import csv
from datetime import datetime, timezone

import pytest

from qst.store import StoreError, UnknownRunError
from tests.qst.test_store_setup import (  # noqa: F401 (fixtures)
    STUDY, enrol, fast_dir, one_line, postgres_schema_url, run_visit, store, store_url,
)


def heat_and_pressure(store, phase="A"):
    enrol(store)
    visit_id = run_visit(store, phase=phase)
    rows = {row["test"]: row for row in store.trials(STUDY)}
    return visit_id, rows["HPT"], rows["PPT"]


def summary(store) -> dict:
    out = io.StringIO()
    store.export_visit_summary_csv(STUDY, out)
    return {row["test"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}


def test_a_corrected_value_changes_derived_values_and_never_the_documents(store):
    visit_id, heat, _ = heat_and_pressure(store)
    documents_before = store.visit_documents(visit_id)
    assert heat["corrected"] is False and heat["value"] is not None
    original = heat["value"]

    store.correct(heat["run_id"], field="value", value=44.0, who="monitor", why="transcription check")
    store.correct(heat["run_id"], field="value", value=44.5, who="monitor", why="second look")

    after = {row["test"]: row for row in store.trials(STUDY)}["HPT"]
    assert after["value"] == 44.5 and after["corrected"] is True
    assert float(summary(store)["HPT"]["summary"]) == 44.5
    assert store.visit_documents(visit_id) == documents_before
    (heat_stop,) = [d for d in documents_before if d["document"] == "RunStop" and d["run_id"] == heat["run_id"]]
    assert heat_stop["result"]["value"] == original


def test_censored_and_excluded_corrections_follow_into_summaries(store):
    _, heat, pressure = heat_and_pressure(store)
    store.correct(heat["run_id"], field="censored", value=True, who="monitor", why="cut-off reached per log")
    store.correct(pressure["run_id"], field="excluded", value=True, who="monitor", why="tip slipped")
    rows = {row["test"]: row for row in store.trials(STUDY)}
    assert rows["HPT"]["censored"] is True and rows["PPT"]["excluded"] is True
    summaries = summary(store)
    assert (summaries["HPT"]["n"], summaries["HPT"]["summary"], summaries["HPT"]["censored"]) == ("1", "", "1")
    assert "censored" in summaries["HPT"]["flags"]
    assert (summaries["PPT"]["n"], summaries["PPT"]["summary"], summaries["PPT"]["excluded"]) == ("0", "", "1")
    store.correct(pressure["run_id"], field="excluded", value=False, who="monitor", why="tip was fine on video")
    assert summary(store)["PPT"]["n"] == "1"


@pytest.mark.parametrize(
    "field, value, who, why, words",
    [
        ("site", "x", "m", "w", "cannot correct 'site'"),
        ("value", "44", "m", "w", "finite number"),
        ("value", float("inf"), "m", "w", "finite number"),
        ("censored", 1, "m", "w", "true or false"),
        ("value", 44.0, "", "w", "who"),
        ("value", 44.0, "m", " ", "why"),
    ],
)
def test_bad_corrections_are_refused_and_nothing_is_recorded(store, field, value, who, why, words):
    _, heat, _ = heat_and_pressure(store)
    audit_before = store.audit(STUDY)
    with pytest.raises(StoreError) as caught:
        store.correct(heat["run_id"], field=field, value=value, who=who, why=why)
    assert words in one_line(caught.value)
    assert store.audit(STUDY) == audit_before
    assert {row["test"]: row for row in store.trials(STUDY)}["HPT"] == heat


def test_a_run_that_measured_nothing_can_only_be_excluded(store):
    from tests.qst.test_store_records import PLAN, new_visit, trial

    visit_id = new_visit(store)
    run = trial(store.sink(visit_id), PLAN[0], None)
    with pytest.raises(StoreError) as caught:
        store.correct(run.run_id, field="value", value=45.0, who="m", why="w")
    assert "measured nothing" in one_line(caught.value)
    store.correct(run.run_id, field="excluded", value=True, who="m", why="interrupted by a power cut")
    (row,) = store.trials(STUDY)
    assert row["exit_status"] == "interrupted" and row["excluded"] is True and row["value"] is None
    with pytest.raises(UnknownRunError):
        store.correct("no-such-run", field="excluded", value=True, who="m", why="w")


def test_audit_holds_every_kind_of_event_with_who_and_utc_time(store):
    visit_id, heat, _ = heat_and_pressure(store)
    store.correct(heat["run_id"], field="value", value=44.0, who="monitor", why="check")
    from datetime import date

    store.add_diary(STUDY, [{"participant_code": "FM01", "day": date(2026, 3, 3), "rating": 30}], "march.csv", "nurse")
    store.close_visit(visit_id, notes="fine", who="ex1")
    entries = store.audit(STUDY)
    actions = [entry["action"] for entry in entries]
    for action in ("study added", "participant enrolled", "visit opened", "run started", "run stopped",
                   "correction", "diary import", "visit closed"):
        assert action in actions, action
    assert actions.count("run started") == actions.count("run stopped") == 2
    for entry in entries:
        assert entry["who"] and entry["what"]
        when = datetime.fromisoformat(entry["at_utc"])
        assert when.utcoffset() == timezone.utc.utcoffset(None)
    assert [entry["at_utc"] for entry in entries] == sorted(entry["at_utc"] for entry in entries)
    (correction,) = [entry for entry in entries if entry["action"] == "correction"]
    assert correction["who"] == "monitor" and "check" in correction["what"] and correction["run_id"] == heat["run_id"]
    assert [entry["who"] for entry in entries if entry["action"] == "run started"] == ["ex1", "ex1"]


def test_trials_are_blinded_unless_asked_and_unblinding_reads_the_study(store):
    enrol(store)
    run_visit(store, number=1, phase="A")
    run_visit(store, number=2, phase="C", seed=2)
    blinded = store.trials(STUDY)
    assert all("treatment" not in row for row in blinded)
    out = io.StringIO()
    store.export_tidy_csv(STUDY, out)
    assert "treatment" not in out.getvalue().splitlines()[0].split(",")
    assert "naltrexone" not in out.getvalue()
    unblinded = store.trials(STUDY, unblind=True)
    assert {(row["phase_code"], row["treatment"]) for row in unblinded} == {("A", "none"), ("C", "naltrexone 4.5 mg nightly")}
    assert [{k: v for k, v in row.items() if k != "treatment"} for row in unblinded] == blinded
    assert list(unblinded[0])[:5] == ["study", "participant", "visit", "phase_code", "treatment"]
