"""Diary imports: duplicates are not doubled, conflicts add nothing and say where."""

from __future__ import annotations

from datetime import date

import pytest

from qst.store import StoreError, UnknownParticipantError
from tests.qst.test_store_setup import (  # noqa: F401 (fixtures)
    STUDY, enrol, fast_dir, one_line, postgres_schema_url, store, store_url,
)


def entry(code: str, day: int, rating: int, symptom: str = "overall") -> dict:
    return {"participant_code": code, "day": date(2026, 3, day), "rating": rating, "symptom": symptom}


def test_reimporting_the_same_diary_adds_nothing_twice(store):
    enrol(store, codes=("FM01", "FM02"))
    week = [entry("FM01", day, 40 + day) for day in range(2, 9)] + [entry("FM02", 2, 10), entry("FM02", 2, 70, "sleep")]
    assert store.add_diary(STUDY, week, "week1.csv", "nurse") == {"added": 9, "duplicates": 0}
    assert store.add_diary(STUDY, week, "week1.csv", "nurse") == {"added": 0, "duplicates": 9}
    more = week[-3:] + [entry("FM01", 9, 50)]
    assert store.add_diary(STUDY, more, "week1-and-a-day.csv", "nurse") == {"added": 1, "duplicates": 3}
    stored = store.diary(STUDY)
    assert len(stored) == 10
    assert [(row["participant"], row["day"], row["symptom"], row["rating"]) for row in store.diary(STUDY, "FM02")] == [
        ("FM02", date(2026, 3, 2), "overall", 10), ("FM02", date(2026, 3, 2), "sleep", 70)]
    assert stored[0]["source"] == "week1.csv" and stored[0]["who"] == "nurse"


def test_a_conflicting_rating_adds_nothing_and_names_the_entry(store):
    enrol(store, codes=("FM01",))
    store.add_diary(STUDY, [entry("FM01", 2, 40)], "first.csv", "nurse")
    before, audit_before = store.diary(STUDY), store.audit(STUDY)
    batch = [entry("FM01", 3, 35), entry("FM01", 2, 55)]
    with pytest.raises(StoreError) as caught:
        store.add_diary(STUDY, batch, "second.csv", "nurse")
    message = one_line(caught.value)
    assert "FM01 2026-03-02 overall" in message and "40" in message and "55" in message and "nothing added" in message
    assert store.diary(STUDY) == before and store.audit(STUDY) == audit_before


def test_a_conflict_within_one_import_adds_nothing(store):
    enrol(store, codes=("FM01",))
    with pytest.raises(StoreError) as caught:
        store.add_diary(STUDY, [entry("FM01", 2, 40), entry("FM01", 3, 1), entry("FM01", 2, 41)], "x.csv", "nurse")
    assert "rated both 40 and 41" in one_line(caught.value)
    assert store.diary(STUDY) == []


def test_unknown_participants_and_bad_entries_add_nothing(store):
    enrol(store, codes=("FM01",))
    with pytest.raises(UnknownParticipantError) as caught:
        store.add_diary(STUDY, [entry("FM01", 2, 40), entry("FM77", 2, 40)], "x.csv", "nurse")
    assert "FM77" in one_line(caught.value)
    with pytest.raises(StoreError) as caught:
        store.add_diary(STUDY, [entry("FM01", 2, 40), {"participant_code": "FM01", "day": "2026-03-04", "rating": 3}],
                        "x.csv", "nurse")
    assert "entry 2" in one_line(caught.value)
    assert store.diary(STUDY) == []


def test_entries_read_by_qst_diary_import(store, tmp_path):
    from qst.diary import read_diary

    enrol(store, codes=("FM01", "FM02"))
    path = tmp_path / "diary.csv"
    path.write_text("participant,date,rating,symptom\nFM01,2026-03-02,40,\nFM02,2026-03-02,12,fatigue\n", encoding="utf-8")
    entries = read_diary(path)
    assert store.add_diary(STUDY, entries, path.name, "nurse") == {"added": 2, "duplicates": 0}
    assert store.add_diary(STUDY, read_diary(path), path.name, "nurse") == {"added": 0, "duplicates": 2}
    assert [(row["participant"], row["symptom"], row["rating"]) for row in store.diary(STUDY)] == [
        ("FM01", "overall", 40), ("FM02", "fatigue", 12)]
