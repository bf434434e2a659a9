"""Exports of a study of 10 participants × 7 visits: tidy CSV, visit summaries, JSON, traces.

The visits run once on the virtual lab (one heat and one pressure trial each) and their
documents are recorded through `Store.sink` into each store under test.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json

import pytest
from typer.testing import CliRunner

from protocols.battery import load_battery
from protocols.records import RecordList, as_dict
from qst.cli import app
from qst.store import Store, StoreError
from qst.store.derived import SUMMARY_COLUMNS, TIDY_COLUMNS
from qst.virtual import VirtualLab, VirtualPerson
from tests.qst.test_atomic_files import FullDisk
from tests.qst.test_store_setup import (  # noqa: F401 (fixtures)
    SHORT_BATTERY, STUDY, enrol, fast_dir, fast_folder, planned_of, postgres_schema,
)

CODES = [f"FM{number:02d}" for number in range(1, 11)]
PHASES = ["A", "A", "B", "C", "C", "C", "D"]


@pytest.fixture(scope="module")
def recorded_visits():
    """(code, visit number, phase, planned, documents) for 10 participants × 7 visits."""
    plan = load_battery(SHORT_BATTERY).plan()
    visits = []
    for index, code in enumerate(CODES):
        with VirtualLab(VirtualPerson.draw(100 + index)) as lab:
            for number, phase in enumerate(PHASES, 1):
                records = RecordList()
                lab.runner(records, seed=number, battery="short", examiner=f"ex{number % 2}").run_plan(plan)
                visits.append((code, number, phase, planned_of(plan), records.documents))
    return visits


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def study_store(request, recorded_visits):
    """A store holding the recorded visits, closed; built once per backend (tests only read it)."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = str(stack.enter_context(fast_folder()) / "store.sqlite3")
        else:
            url = stack.enter_context(postgres_schema())
        store = stack.enter_context(Store.open(url))
        enrol(store, CODES)
        for code, number, phase, planned, documents in recorded_visits:
            visit_id = store.open_visit(STUDY, code, number, phase, "short", planned, examiner="ex")
            sink = store.sink(visit_id)
            for document in documents:
                sink(document)
            store.close_visit(visit_id)
        yield store


def parsed(column: str, text: str):
    """A tidy CSV cell back to the type `trials()` gives."""
    if column in ("visit", "trial"):
        return int(text)
    if column in ("censored", "corrected", "excluded"):
        assert text in ("true", "false")
        return text == "true"
    if column == "value":
        return None if text == "" else float(text)
    return text


def test_tidy_csv_reads_back_equal_to_trials(study_store, fast_dir):
    path = fast_dir / "tidy.csv"
    written = study_store.export_tidy_csv(STUDY, path)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == TIDY_COLUMNS
        rows = [{column: parsed(column, text) for column, text in row.items()} for row in reader]
    trials = study_store.trials(STUDY)
    assert written == len(rows) == len(trials) == 10 * 7 * 2
    assert rows == trials
    heat = [row for row in trials if row["test"] == "HPT"]
    pressure = [row for row in trials if row["test"] == "PPT"]
    assert all(row["device_serial"].startswith("SIM") and row["unit"] == "°C" for row in heat)
    assert all(row["device_serial"] and row["unit"] == "kPa" for row in pressure)
    assert {row["device_serial"] for row in heat}.isdisjoint({row["device_serial"] for row in pressure})
    assert all(row["exit_status"] == "completed" and row["stopped_utc"] >= row["started_utc"] for row in trials)
    assert [(row["participant"], row["visit"]) for row in trials] == sorted((row["participant"], row["visit"]) for row in trials)


def test_visit_summary_csv_has_a_row_per_visit_test_and_site(study_store):
    out = io.StringIO()
    written = study_store.export_visit_summary_csv(STUDY, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == SUMMARY_COLUMNS
    assert written == len(rows) == 10 * 7 * 2
    values = {(row["participant"], row["visit"], row["test"]): row["value"] for row in study_store.trials(STUDY)}
    for row in rows:
        assert row["n"] == "1" and row["not_completed"] == "0"
        assert float(row["summary"]) == values[(row["participant"], int(row["visit"]), row["test"])]
        assert row["summary_kind"] == "mean"


def test_visit_json_holds_the_documents_and_derived_values(study_store, recorded_visits, fast_dir):
    visit = next(v for v in study_store.visits(STUDY, "FM04") if v["number"] == 3)
    path = fast_dir / "visit.json"
    study_store.export_visit_json(visit["visit_id"], path)
    data = json.loads(path.read_text(encoding="utf-8"))
    documents = next(docs for code, number, _, _, docs in recorded_visits if (code, number) == ("FM04", 3))
    assert data["participant"] == "FM04" and data["study"] == STUDY
    assert data["visit"]["number"] == 3 and data["visit"]["phase_code"] == "B"
    assert data["documents"] == [json.loads(json.dumps(as_dict(document))) for document in documents]
    expected = [row for row in study_store.trials(STUDY) if (row["participant"], row["visit"]) == ("FM04", 3)]
    assert data["trials"] == expected
    assert "treatment" not in json.dumps(data["trials"])


def test_traces_are_one_csv_per_run_with_its_samples(study_store, recorded_visits, fast_dir):
    visit = next(v for v in study_store.visits(STUDY, "FM02") if v["number"] == 1)
    paths = study_store.export_traces(visit["visit_id"], fast_dir / "traces")
    documents = next(docs for code, number, _, _, docs in recorded_visits if (code, number) == ("FM02", 1))
    samples = [d for d in documents if getattr(d, "kind", None) == "samples"]
    assert len(paths) == len(samples) == 2
    assert [path.name.split("-")[3] for path in paths] == ["HPT", "PPT"]
    for path, event in zip(paths, samples):
        with path.open(newline="", encoding="utf-8") as handle:
            header, *rows = list(csv.reader(handle))
        assert header == event.data["columns"]
        assert [[float(cell) for cell in row] for row in rows] == [[float(v) for v in row] for row in event.data["rows"]]
        assert len(rows) > 10


def files_of(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.parametrize("what", ["tidy", "json", "traces"])
def test_re_exporting_onto_a_full_disk_keeps_the_previous_export(study_store, fast_dir, monkeypatch, what):
    visit = next(v for v in study_store.visits(STUDY, "FM02") if v["number"] == 1)
    exports = {
        "tidy": lambda: [study_store.export_tidy_csv(STUDY, fast_dir / "tidy.csv")],
        "json": lambda: [study_store.export_visit_json(visit["visit_id"], fast_dir / "FM02-v01.json")],
        "traces": lambda: study_store.export_traces(visit["visit_id"], fast_dir),
    }
    exports[what]()
    before = files_of(fast_dir)
    FullDisk(fast_dir, room=1500).install(monkeypatch)  # part of the first file, or all of it and part of the next
    with pytest.raises(StoreError) as raised:
        exports[what]()
    assert files_of(fast_dir) == before  # nothing truncated, no temporary file left
    message = str(raised.value)
    assert "\n" not in message and "the disk is full" in message
    assert any(f"cannot write {fast_dir / name}:" in message for name in before), message


def test_export_into_a_file_or_onto_a_full_disk_is_a_one_line_error(tmp_path, monkeypatch):
    db = tmp_path / "store.sqlite3"
    with Store.open(db) as store:
        enrol(store)
    afile = tmp_path / "afile"
    afile.write_text("not a folder", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["--db", str(db), "export", "-s", STUDY, "--out", str(afile)])
    assert result.exit_code == 2, result.output
    assert result.output == f"qst: error: --out {afile} is a file, not a folder\n"
    out = tmp_path / "exports"
    assert runner.invoke(app, ["--db", str(db), "export", "-s", STUDY, "--out", str(out)]).exit_code == 0
    csv_path = out / f"{STUDY}-trials.csv"
    before = csv_path.read_bytes()
    FullDisk(out, room=40).install(monkeypatch)
    result = runner.invoke(app, ["--db", str(db), "export", "-s", STUDY, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.output == f"qst: error: cannot write {csv_path}: the disk is full\n"
    assert files_of(out) == {csv_path.name: before}
