"""`qst report visit|participant|study` and `qst simulate-study` through typer's CliRunner,
on a small synthetic study (the short study of `test_simulation`, HPT only, 2 participants)."""

from __future__ import annotations

import errno
import gc
import time
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from qst.cli import app
from qst.report_files import write_study_report
from qst.report_files import can_fork
from qst.reporting import ReportError, load, outcome_settings, phase_roles, visit_report
from qst.simulation import simulate_study
from qst.store import Store
from qst.study import load_study, shipped_study_text
from tests.qst.test_atomic_files import FullDisk
from tests.qst.test_simulation import short_study_text

STUDY = "fibromyalgia-ldn"
TREATMENT_WORDS = ("placebo", "naltrexone", "washout", "drug")
"""The shipped study's treatments and the phase names that tell them ("baseline" is left out:
the outcome's own words use it, e.g. "baseline rating")."""


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "study.sqlite3"
    with Store.open(path) as store:
        simulate_study(store, 2, seed=3, study_text=short_study_text(), tests=("HPT",), workers=2)
    return path


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], terminal_width=240)


def blinded(output: str) -> bool:
    return not any(word in output.lower() for word in TREATMENT_WORDS)


def test_treatment_words_are_the_studys():
    study = load_study(shipped_study_text())
    for phase in study.phases:
        if phase.treatment != "none":
            assert any(word in phase.treatment.lower() for word in TREATMENT_WORDS)
        assert phase.name in TREATMENT_WORDS + ("baseline",)


def test_visit_report_is_blinded_with_z_scores_where_a_row_fits(db):
    result = invoke("--db", db, "report", "visit", "--study", STUDY, "--participant", "FM01", "--visit", "4")
    assert result.exit_code == 0, result.output
    assert "BLINDED" in result.output
    assert "HPT" in result.output and "phase C" in result.output
    assert blinded(result.output)


def test_participant_report_shows_the_course_blinded_or_not(db):
    result = invoke("report", "participant", "--study", STUDY, "-p", "FM02", "--db", db)
    assert result.exit_code == 0, result.output
    assert "BLINDED" in result.output and blinded(result.output)
    assert "v5 D" in result.output and "diary" in result.output
    assert any(ch in result.output for ch in "▁▂▃▄▅▆▇█")
    opened = invoke("report", "participant", "--study", STUDY, "-p", "FM02", "--db", db, "--unblind")
    assert opened.exit_code == 0, opened.output
    assert "UNBLINDED" in opened.output and "naltrexone" in opened.output


def test_study_report_writes_pngs_and_a_pdf_with_a_page_per_participant(db, tmp_path):
    out = tmp_path / "report"
    result = invoke("--db", db, "report", "study", "--study", STUDY, "--out", out)
    assert result.exit_code == 0, result.output
    assert "BLINDED" in result.output and blinded(result.output)
    pdf = out / f"report-{STUDY}.blinded.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert " 2 participant)" in result.output.replace("\n", " ")
    pages = pdf.read_bytes().count(b"/Type /Page\n") + pdf.read_bytes().count(b"/Type /Page ")
    assert pages >= 1 + 2 + 2  # cover, cohort pages, one per participant
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert "course-FM01.blinded.png" in pngs and "course-FM02.blinded.png" in pngs
    assert any(name.startswith("cohort-") for name in pngs)
    assert all(".blinded." in name for name in pngs)
    assert not any(word.encode() in pdf.read_bytes().lower() for word in ("placebo", "naltrexone"))


def test_the_study_files_are_the_same_drawn_by_three_processes_or_by_one(db, tmp_path, monkeypatch):
    with Store.open(db) as store:
        data = load(store, STUDY)

    def run(out):
        shown = []

        def show(report):
            shown.append((report, (out / f"report-{STUDY}.blinded.pdf").exists()))

        report, written = write_study_report(data, out, unblind=False, show=show)
        assert shown == [(report, False)]  # the summary comes before the files are drawn
        assert gc.isenabled()  # the collector, off while the report was drawn, is back
        return report, written

    forked_report, forked = run(tmp_path / "forked")
    monkeypatch.setattr("qst.report_files.can_fork", lambda: False)
    alone_report, alone = run(tmp_path / "alone")
    assert forked_report.table() == alone_report.table()
    assert [p.name for p in forked.pngs] == [p.name for p in alone.pngs]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(forked.pngs, alone.pngs))
    assert (forked.pages, forked.cohort_pages, forked.participant_pages) == (alone.pages, 4, 2)


def test_unknown_names_are_one_line_errors(db):
    for args in (("report", "study", "--study", "nope"),
                 ("report", "participant", "--study", STUDY, "-p", "FM09"),
                 ("report", "visit", "--study", STUDY, "-p", "FM01", "--visit", "99")):
        result = invoke("--db", db, *args)
        assert result.exit_code == 2, result.output
        assert result.output.strip().count("\n") == 0 and result.output.startswith("qst: error:")


def test_simulate_study_refuses_a_store_with_the_study_and_a_bad_size(db, tmp_path):
    result = invoke("simulate-study", "2", "--db", db, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "already holds a study" in result.output
    result = invoke("simulate-study", "0", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "1 to 99" in result.output


def files_of(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.parametrize("forked", [True, False])
def test_a_study_report_redrawn_onto_a_full_disk_leaves_the_earlier_files(db, tmp_path, monkeypatch, forked):
    if not forked:
        monkeypatch.setattr("qst.report_files.can_fork", lambda: False)
    out = tmp_path / "report"
    assert invoke("--db", db, "report", "study", "--study", STUDY, "--out", out).exit_code == 0
    before = files_of(out)
    FullDisk(out, room=20_000).install(monkeypatch)  # in each process: a child's files fail too
    result = invoke("--db", db, "report", "study", "--study", STUDY, "--out", out)
    assert result.exit_code == 2, result.output
    error = result.output.splitlines()[-1]  # after the cohort's summary
    assert error.startswith("qst: error: cannot write ") and error.endswith(": the disk is full")
    assert any(f" {out / name}: " in error for name in before), error
    assert files_of(out) == before  # nothing truncated, no temporary file left


def test_a_study_report_into_a_file_is_a_one_line_error(db, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("not a folder", encoding="utf-8")
    result = invoke("--db", db, "report", "study", "--study", STUDY, "--out", afile)
    assert result.exit_code == 2, result.output
    assert result.output == f"qst: error: {afile} is a file, not a folder\n"


@pytest.mark.skipif(not can_fork(), reason="the PNGs are drawn by a child only where one can be forked")
def test_a_png_child_stopped_mid_file_leaves_no_temporary_file(db, tmp_path, monkeypatch):
    out = tmp_path / "report"
    with Store.open(db) as store:
        data = load(store, STUDY)

    def stalled_imsave(path, *args, **kwargs):
        Path(path).write_bytes(b"\x89PNG, half")
        time.sleep(60)  # until the parent stops this child

    def failing_pdf(report, path):
        deadline = time.monotonic() + 30
        while not any(out.glob(".*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.01)  # the child is midway through a PNG
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("qst.analysis.plots.files.imsave", stalled_imsave)
    monkeypatch.setattr("qst.analysis.plots.write_report_pdf", failing_pdf)
    with pytest.raises(OSError):
        write_study_report(data, out, unblind=False, show=lambda report: None)
    assert list(out.iterdir()) == []


def small_study(tmp_path, participants: int, seed: int, text: str | None = None) -> tuple[Path, str]:
    """A store in `tmp_path` with the short study (HPT only, `text` if given) simulated for
    `participants`; its path and the study's name."""
    text = text or short_study_text()
    path = tmp_path / f"study-{seed}.sqlite3"
    with Store.open(path) as store:
        simulate_study(store, participants, seed=seed, study_text=text, tests=("HPT",), workers=1)
    return path, load_study(text).name


def test_a_study_s_words_in_brackets_are_shown_as_written(tmp_path):
    # rich would read "[/day]" as a closing tag (and fail) and "[at night]" as a style (and drop it).
    text = short_study_text().replace('"naltrexone 4.5 mg nightly"', '"naltrexone 4.5 mg [/day] [at night]"')
    path, study = small_study(tmp_path, 2, seed=4, text=text)
    for args in (["participant", "--study", study, "--participant", "FM01"], ["study", "--study", study, "--out", tmp_path / "r"]):
        result = invoke("--db", path, "report", *args, "--unblind")
        assert result.exit_code == 0, result.output
        assert "naltrexone 4.5 mg [/day] [at night]" in result.output


def without_roles(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("role = ")) + "\n"


def test_roles_come_from_the_study_file_or_else_from_the_treatments():
    text = shipped_study_text()
    assert phase_roles(load_study(text)) == {"A": "none", "B": "placebo", "C": "drug", "D": "none"}
    # Without roles: "no treatment" is no treatment (it was read as a drug, and the washout
    # became the baseline).
    inferred = load_study(without_roles(text).replace('treatment = "none"', 'treatment = "no treatment"', 1))
    assert phase_roles(inferred)["A"] == "none"
    settings = outcome_settings(inferred)
    assert (settings.baseline_phase, settings.placebo_phase, settings.drug_phase) == ("A", "B", "C")
    # A treatment the inference reads wrongly puts the baseline after the drug: refused, not guessed.
    misread = load_study(without_roles(text).replace('treatment = "none"', 'treatment = "run-in, no capsules"', 1))
    with pytest.raises(ReportError, match="the baseline \\(D\\) comes after the placebo or drug phase"):
        outcome_settings(misread)
    # Said in the file, the same treatments are read right.
    told = load_study(text.replace('treatment = "none"', 'treatment = "run-in, no capsules"', 1))
    assert outcome_settings(told).baseline_phase == "A"


def test_a_study_without_placebo_still_reports_its_visits(tmp_path):
    text = short_study_text().replace('treatment = "placebo"', 'treatment = "naltrexone 1.5 mg"')
    path, study = small_study(tmp_path, 1, seed=5, text=text.replace('role = "placebo"', 'role = "drug"'))
    visit = invoke("--db", path, "report", "visit", "--study", study, "--participant", "FM01", "--visit", "1")
    assert visit.exit_code == 0, visit.output
    assert "HPT" in visit.output
    course = invoke("--db", path, "report", "participant", "--study", study, "--participant", "FM01")
    assert course.exit_code == 2 and course.stderr.count("\n") == 1
    assert "has no placebo phase and drug phase to compare" in course.stderr


def test_a_visit_whose_trials_are_all_excluded_says_so(tmp_path):
    path, study = small_study(tmp_path, 1, seed=6)
    with Store.open(path) as store:
        runs = [row["run_id"] for row in store.trials(study) if row["participant"] == "FM01"]
        first_visit = [row["run_id"] for row in store.trials(study) if row["participant"] == "FM01" and int(row["visit"]) == 1]
        for run_id in first_visit:
            store.correct(run_id, field="excluded", value=True, who="dm", why="probe not in contact")
    visit = invoke("--db", path, "report", "visit", "--study", study, "--participant", "FM01", "--visit", "1")
    assert visit.exit_code == 0, visit.output
    assert f"visit 1: all {len(first_visit)} trial(s) excluded by corrections" in visit.output
    missing = invoke("--db", path, "report", "visit", "--study", study, "--participant", "FM01", "--visit", "99")
    assert missing.exit_code == 2 and "FM01 has no visit 99" in missing.stderr
    with Store.open(path) as store:
        for run_id in set(runs) - set(first_visit):
            store.correct(run_id, field="excluded", value=True, who="dm", why="probe not in contact")
    course = invoke("--db", path, "report", "participant", "--study", study, "--participant", "FM01")
    assert course.exit_code == 0, course.output
    assert f"no lab measures to show ({len(runs)} excluded by corrections)" in course.output


def test_a_visit_value_corrected_to_none_says_so(tmp_path):
    path, study = small_study(tmp_path, 1, seed=7)
    with Store.open(path) as store:
        for row in store.trials(study):
            if int(row["visit"]) == 1:
                store.correct(row["run_id"], field="value", value=None, who="dm", why="thermode recalibrated")
        data = load(store, study)
    console = Console(width=400, record=True)
    console.print(visit_report(data, "FM01", 1))
    shown = console.export_text()
    assert "no value: the completed trials hold none (corrected to none?)" in shown
    assert "no completed, uncensored trial" not in shown
