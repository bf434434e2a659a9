"""The records commands through typer's CliRunner on a temporary SQLite store: what they do,
and that every bad input is one line on stderr, exit 2, with the store exactly as before."""

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.records import Event, ExitStatus, RunStart, RunStop, TrialResult
from qst.cli import app
from qst.store import Store
from qst.study import shipped_study_text

STUDY = "fibromyalgia-ldn"
TODAY = dt.date.today()
ENROLLED = TODAY - dt.timedelta(days=40)  # day 40: visit 4's window (days 39-45) is open
SECRETS = ("baseline", "placebo", "drug", "washout", "naltrexone", "none")
"""The first study's phase names and treatments, word by word."""


def run(db, *args, **options):
    return CliRunner().invoke(app, ["--db", str(db), *map(str, args)], **options)


def ok(db, *args):
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def enrol(db, code, *extra):
    return ok(db, "participant", "add", "--study", STUDY, "--code", code, "--sex", "F", "--birth-year", "1980",
              "--enrolled", ENROLLED.isoformat(), *extra)


def record_visit(db, code: str, number: int, phase: str, values_kpa) -> list[str]:
    """A visit of PPT trials recorded through the store's sink, as a visit would; the run ids."""
    planned = [("PPT", "trapezius-left", trial) for trial in range(1, len(values_kpa) + 1)]
    with Store.open(db) as store:
        visit_id = store.open_visit(STUDY, code, number, phase, STUDY, planned, "tech-1", "bench-1")
        sink = store.sink(visit_id)
        run_ids = []
        for trial, value in enumerate(values_kpa, start=1):
            run_id = f"{code}-{number}-{trial}"
            sink(RunStart(run_id, 0.0, "2026-11-01T10:00:00+00:00", "PPT", "trapezius-left", trial,
                          {"rate_kpa_per_s": 50.0, "unit": "kPa"}, {"algometer": {"serial_number": "M5-1"}}, "tech-1", STUDY))
            sink(Event(run_id, 1.0, "samples", {"columns": ["t_s", "pressure_kpa"], "rows": [[0.0, 0.0], [1.0, 50.0]]}))
            sink(RunStop(run_id, 7.0, "2026-11-01T10:00:07+00:00", ExitStatus.COMPLETED, "completed",
                         TrialResult(value, "kPa", response_t_s=6.9, device_value=value)))
            run_ids.append(run_id)
        store.close_visit(visit_id, "calm participant")
    return run_ids


def snapshot(db) -> dict:
    """Everything the store says about itself, to compare before and after a refusal."""
    with Store.open(db) as store:
        state = {"studies": store.study_names()}
        for name in state["studies"]:
            state[name] = {
                "definition": store.study_text(name),
                "participants": store.participants(name),
                "visits": store.visits(name),
                "diary": store.diary(name),
                "audit": store.audit(name),
                "trials": store.trials(name),
            }
    return state


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A store with the first study, FM01 enrolled, two diary days and one closed visit."""
    folder = tmp_path_factory.mktemp("template")
    db = folder / "qst.sqlite3"
    ok(db, "study", "init", folder / "study.toml")
    ok(db, "study", "add", folder / "study.toml")
    enrol(db, "FM01", "--lab", "ESR=22:mm/h", "--lab", "CRP=3.1:mg/L")
    diary = folder / "ratings.csv"
    diary.write_text(f"participant,date,rating\n{_day(1)},40\n{_day(2)},45\n", encoding="utf-8")
    ok(db, "diary", "import", "--study", STUDY, diary)
    run_ids = record_visit(db, "FM01", 1, "A", [300.0, 320.0, 310.0])
    return db, run_ids


def _day(offset: int, code: str = "FM01") -> str:
    return f"{code},{(ENROLLED + dt.timedelta(days=offset)).isoformat()}"


@pytest.fixture
def store(template, tmp_path):
    """A copy of the template store of this test's own."""
    db, run_ids = template
    copy = tmp_path / "qst.sqlite3"
    for path in db.parent.glob(db.name + "*"):
        shutil.copy(path, tmp_path / path.name)
    return copy, run_ids


# -- help ----------------------------------------------------------------------------------------

COMMANDS = [
    ["study"], ["study", "init"], ["study", "add"], ["study", "show"], ["participant"], ["participant", "add"],
    ["participant", "list"], ["visit"], ["visit", "list"], ["visit", "show"], ["diary"], ["diary", "import"],
    ["export"], ["audit"], ["correct"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_says_what_it_does_with_an_example(command):
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert f"Example: qst {command[0]}" in result.stdout


def test_help_imports_neither_the_store_nor_the_models():
    code = (
        "import sys; from typer.testing import CliRunner; from qst.cli import app; "
        "assert CliRunner().invoke(app, ['--help']).exit_code == 0; "
        "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'pydantic', 'qst.store', 'qst.study'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# -- what the commands do --------------------------------------------------------------------------


def test_study_init_writes_the_starter_and_never_overwrites(tmp_path):
    db = tmp_path / "qst.sqlite3"
    target = tmp_path / "mine.toml"
    assert "qst study add" in ok(db, "study", "init", target)
    assert target.read_text(encoding="utf-8") == shipped_study_text()
    target.write_text("edited", encoding="utf-8")
    result = run(db, "study", "init", target)
    assert result.exit_code == 2 and result.stderr == f"qst: error: {target} already exists; give another path, or move it away first\n"
    assert target.read_text(encoding="utf-8") == "edited"
    ok(db, "study", "init", tmp_path)
    assert (tmp_path / "study.toml").read_text(encoding="utf-8") == shipped_study_text()
    assert not db.exists()  # init never touches the store


def test_study_show_is_blinded_unless_asked(store):
    db, _ = store
    shown = ok(db, "study", "show", STUDY)
    assert "A      2      0–14" in shown and "8      98   95–101  D" in shown
    # The title may name the drug under study; which phase holds what is not shown.
    assert not any(secret in shown.lower() for secret in ("placebo", "washout", "drug", "4.5 mg")), shown
    unblinded = ok(db, "study", "show", STUDY, "--unblind")
    assert "placebo" in unblinded and "naltrexone 4.5 mg nightly" in unblinded


def test_participants_are_enrolled_and_listed(store):
    db, _ = store
    said = enrol(db, "FM02", "--note", "prefers morning visits")
    assert said.startswith(f"enrolled FM02 in {STUDY}: visit 1 on {ENROLLED}, 8 visits every 14 days")
    with Store.open(db) as opened:
        assert opened.participant(STUDY, "FM02") == {
            "code": "FM02", "sex": "F", "birth_year": 1980, "enrolled_on": ENROLLED.isoformat(), "labs": {},
            "notes": "prefers morning visits",
        }
        assert opened.participant(STUDY, "FM01")["labs"] == {"ESR": {"value": 22.0, "unit": "mm/h"},
                                                            "CRP": {"value": 3.1, "unit": "mg/L"}}
    listed = ok(db, "participant", "list", "--study", STUDY).splitlines()
    assert listed[0].split() == ["code", "sex", "born", "enrolled", "labs", "visits", "next"]
    visit_4 = ENROLLED + dt.timedelta(days=42)
    window = f"({visit_4 - dt.timedelta(days=3)} to {visit_4 + dt.timedelta(days=3)})"
    assert listed[1].split()[:4] == ["FM01", "F", "1980", ENROLLED.isoformat()]
    assert "ESR 22 mm/h, CRP 3.1 mg/L" in listed[1] and listed[1].endswith(f"visit 4 on {visit_4} {window}")
    assert listed[2].startswith("FM02") and listed[2].endswith(f"visit 4 on {visit_4} {window}")


def test_diary_import_adds_new_days_and_skips_stored_ones(store, tmp_path):
    db, _ = store
    path = tmp_path / "week.csv"
    path.write_bytes(f"\ufeffparticipant,date,rating,symptom\r\n{_day(2)},45,\r\n{_day(3)},50,\r\n{_day(3)},20,sleep\r\n".encode())
    assert ok(db, "diary", "import", "--study", STUDY, path, "--who", "coordinator") == (
        "imported 2 ratings from week.csv; 1 already in the store\n"
    )
    with Store.open(db) as opened:
        entries = opened.diary(STUDY, "FM01")
        assert [(e["day"], e["symptom"], e["rating"]) for e in entries] == [
            (ENROLLED + dt.timedelta(days=1), "overall", 40),
            (ENROLLED + dt.timedelta(days=2), "overall", 45),
            (ENROLLED + dt.timedelta(days=3), "overall", 50),
            (ENROLLED + dt.timedelta(days=3), "sleep", 20),
        ]
        assert opened.audit(STUDY)[-1]["who"] == "coordinator"


def test_visits_are_listed_and_shown_with_run_ids(store):
    db, run_ids = store
    listed = ok(db, "visit", "list", "--study", STUDY, "--participant", "FM01").splitlines()
    assert listed[1].split()[:6] == ["FM01", "1", "A", "closed", "3/3", "0"]
    shown = ok(db, "visit", "show", "--study", STUDY, "--participant", "FM01", "--visit", "1")
    assert shown.startswith(f"{STUDY}, FM01, visit 1, phase A: closed; 3 of 3 planned trials completed")
    assert "the participant is told: Visit 1, phase A" in shown and "notes: calm participant" in shown
    assert "PPT   trapezius-left  3  310.00   kPa" in shown
    for run_id in run_ids:
        assert run_id in shown
    assert not any(secret in shown.lower().split() for secret in SECRETS)


def test_a_correction_shows_in_the_visit_the_audit_and_the_export(store, tmp_path):
    db, run_ids = store
    assert ok(db, "correct", run_ids[1], "--field", "value", "--value", "44.1", "--why", "typed 320 for 44.1",
              "--who", "A. Examiner") == f"corrected value of run {run_ids[1]} to 44.1\n"
    shown = ok(db, "visit", "show", "--study", STUDY, "--participant", "FM01", "--visit", "1")
    corrected = next(line for line in shown.splitlines() if line.endswith(run_ids[1]))
    assert corrected.split() == ["PPT", "trapezius-left", "2", "44.10", "kPa", "completed,", "corrected", run_ids[1]]
    audit = ok(db, "audit", "--study", STUDY)
    assert "A. Examiner" in audit and "why: typed 320 for 44.1" in audit
    ok(db, "correct", run_ids[2], "--field", "excluded", "--value", "yes", "--why", "participant moved", "--who", "A. Examiner")
    out = tmp_path / "out"
    assert ok(db, "export", "--study", STUDY, "--out", out) == f"exported 3 trials to {out / (STUDY + '-trials.csv')}\n"
    lines = (out / f"{STUDY}-trials.csv").read_text(encoding="utf-8").splitlines()
    assert "treatment" not in lines[0] and ",44.1,kPa," in lines[2]
    ok(db, "export", "--study", STUDY, "--out", out, "--unblind")
    unblinded = (out / f"{STUDY}-trials-unblinded.csv").read_text(encoding="utf-8").splitlines()
    assert unblinded[0].startswith("study,participant,visit,phase_code,treatment,") and ",A,none,PPT," in unblinded[1]
    ok(db, "export", "--study", STUDY, "--out", out, "--what", "summary")
    summary = (out / f"{STUDY}-visit-summaries.csv").read_text(encoding="utf-8").splitlines()
    assert len(summary) == 2 and ",PPT,trapezius-left,kPa,2," in summary[1]
    assert ok(db, "export", "--study", STUDY, "--out", out, "--what", "json") == f"exported 1 visits to {out}\n"
    assert (out / "FM01-v01.json").exists()
    assert ok(db, "export", "--study", STUDY, "--out", out / "traces", "--what", "traces") == f"exported 3 traces to {out / 'traces'}\n"


def test_the_store_comes_from_qst_db_when_no_option_is_given(store, tmp_path):
    db, _ = store
    result = CliRunner().invoke(app, ["participant", "list", "--study", STUDY], env={"QST_DB": str(db)})
    assert result.exit_code == 0 and "FM01" in result.stdout


# -- bad input: one line, exit 2, the store unchanged ------------------------------------------------

ENROL = ["participant", "add", "--study", STUDY, "--sex", "F", "--birth-year", "1980", "--enrolled", "{enrolled}"]

BAD = [
    # id, arguments, what stderr says
    ("bad toml", ["study", "add", "{d}/bad.toml"], "bad.toml:2: invalid TOML"),
    ("unknown battery", ["study", "add", "{d}/battery.toml"], "battery.toml:"),
    ("study twice", ["study", "add", "{d}/study.toml"], "a study named 'fibromyalgia-ldn' is already in the store"),
    ("no study file", ["study", "add", "{d}/missing.toml"], "missing.toml:1: cannot read the file"),
    ("study from a pipe", ["study", "add", "{d}/pipe.toml"], "pipe.toml:1: cannot read the file: it is a pipe"),
    ("show unknown study", ["study", "show", "nope"], "no study named 'nope'; the store has fibromyalgia-ldn"),
    ("enrol in unknown study", ["participant", "add", "--study", "nope", "--code", "FM02", "--sex", "F",
                                "--birth-year", "1980", "--enrolled", "2026-11-01"], "no study named 'nope'"),
    ("e-mail in a note", ENROL + ["--code", "FM02", "--note", "write to jo@example.org"], "notes: looks like an e-mail address"),
    ("phone in a note", ENROL + ["--code", "FM02", "--note", "call 0612 345 678"], "notes: looks like a phone number"),
    ("full date of birth", ENROL[:7] + ["1980-05-12", "--enrolled", "2026-11-01", "--code", "FM02"],
     "birth_year: '1980-05-12' is a full date"),
    ("code off pattern", ENROL + ["--code", "XX02"], "code: 'XX02' does not match the study's code pattern"),
    ("participant twice", ENROL + ["--code", "FM01"], "participant 'FM01' is already enrolled"),
    ("lab format", ENROL + ["--code", "FM02", "--lab", "ESR22"], "lab 'ESR22': write NAME=VALUE:UNIT"),
    ("lab twice", ENROL + ["--code", "FM02", "--lab", "ESR=2:mm/h", "--lab", "ESR=3:mm/h"], "lab ESR is given twice"),
    ("CRP in mg/dL", ENROL + ["--code", "FM02", "--lab", "CRP=0.3:mg/dL"], "CRP is recorded in mg/L"),
    ("bad enrolment date", ENROL[:-1] + ["01/11/2026", "--code", "FM02"], "enrolled_on: should be a date like"),
    ("enrolment in year 9999", ENROL[:-1] + ["9999-12-31", "--code", "FM02"], "enrolled_on: 9999-12-31 is more than a year"),
    ("diary rating", ["diary", "import", "--study", STUDY, "{d}/rating.csv"], "rating.csv:3: rating 101 is outside 0–100"),
    ("diary personal column", ["diary", "import", "--study", STUDY, "{d}/names.csv"], "names.csv:1: column 'Name' looks like a name"),
    ("diary unknown participant", ["diary", "import", "--study", STUDY, "{d}/stranger.csv"], "stranger.csv:2: unknown participant 'FM09'"),
    ("diary contradicts the store", ["diary", "import", "--study", STUDY, "{d}/conflict.csv"], "diary conflict"),
    ("diary not UTF-8", ["diary", "import", "--study", STUDY, "{d}/latin1.csv"], "latin1.csv:2: the file is not UTF-8 text"),
    ("no diary file", ["diary", "import", "--study", STUDY, "{d}/missing.csv"], "missing.csv:1: cannot read the file"),
    ("diary for unknown study", ["diary", "import", "--study", "nope", "{d}/rating.csv"], "no study named 'nope'"),
    ("visits of unknown study", ["visit", "list", "--study", "nope"], "no study named 'nope'"),
    ("visits of unknown participant", ["visit", "list", "--study", STUDY, "-p", "FM09"], "no participant 'FM09'"),
    ("visit not held", ["visit", "show", "--study", STUDY, "-p", "FM01", "--visit", "5"],
     "FM01 has no visit 5 in study fibromyalgia-ldn; visits recorded: 1"),
    ("export what", ["export", "--study", STUDY, "--out", "{d}/out", "--what", "pdf"], "--what 'pdf': choose one of tidy"),
    ("unblind a summary", ["export", "--study", STUDY, "--out", "{d}/out", "--what", "summary", "--unblind"],
     "--unblind applies to --what tidy only"),
    ("export under a file", ["export", "--study", STUDY, "--out", "{d}/blocker/out"], "Not a directory"),
    ("export unknown study", ["export", "--study", "nope", "--out", "{d}/out"], "no study named 'nope'"),
    ("audit unknown study", ["audit", "--study", "nope"], "no study named 'nope'"),
    ("correct unknown run", ["correct", "nope", "--value", "1", "--why", "x", "--who", "y"], "no run with id 'nope'"),
    ("correct with a word", ["correct", "{run}", "--value", "abc", "--why", "x", "--who", "y"], "--value 'abc' is not a number"),
    ("correct beyond the probe", ["correct", "{run}", "--value", "-500", "--why", "x", "--who", "y"],
     "-500 kPa is not a possible PPT value (0 to 10000 kPa)"),
    ("correct to a huge value", ["correct", "{run}", "--value", "1e308", "--why", "x", "--who", "y"],
     "1e+308 kPa is not a possible PPT value"),
    ("correct a field", ["correct", "{run}", "--field", "colour", "--value", "1", "--why", "x", "--who", "y"],
     "cannot correct 'colour'"),
    ("correct without why", ["correct", "{run}", "--value", "1", "--why", " ", "--who", "y"], "a correction needs why"),
    ("correct censored", ["correct", "{run}", "--field", "censored", "--value", "maybe", "--why", "x", "--who", "y"],
     "a censored correction is true or false"),
]


def bad_files(folder: Path) -> None:
    starter = shipped_study_text()
    (folder / "bad.toml").write_text('name = "x"\ntitle = \n', encoding="utf-8")
    (folder / "battery.toml").write_text(starter.replace('battery = "fibromyalgia-ldn"', 'battery = "nope"'), encoding="utf-8")
    (folder / "study.toml").write_text(starter, encoding="utf-8")
    (folder / "rating.csv").write_text(f"participant,date,rating\n{_day(5)},50\n{_day(6)},101\n", encoding="utf-8")
    (folder / "names.csv").write_text(f"participant,date,rating,Name\n{_day(5)},50,Jo\n", encoding="utf-8")
    (folder / "stranger.csv").write_text(f"participant,date,rating\n{_day(5, 'FM09')},50\n", encoding="utf-8")
    (folder / "conflict.csv").write_text(f"participant,date,rating\n{_day(5)},50\n{_day(1)},41\n", encoding="utf-8")
    (folder / "latin1.csv").write_bytes(f"participant,date,rating\n{_day(5)},50 caf\xe9\n".encode("latin-1"))
    (folder / "blocker").write_text("a file, not a folder", encoding="utf-8")
    os.mkfifo(folder / "pipe.toml")  # nothing will ever write to it


@pytest.mark.parametrize("arguments, phrase", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_input_is_one_line_exit_2_and_the_store_unchanged(store, tmp_path, arguments, phrase):
    db, run_ids = store
    bad_files(tmp_path)
    arguments = [a.format(d=tmp_path, run=run_ids[0], enrolled=ENROLLED.isoformat()) for a in arguments]
    before = snapshot(db)
    result = run(db, *arguments)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("qst: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert phrase in result.stderr, result.stderr
    assert snapshot(db) == before


def test_a_store_that_cannot_be_created_is_one_line(tmp_path):
    (tmp_path / "blocker").write_text("a file", encoding="utf-8")
    (tmp_path / "study.toml").write_text(shipped_study_text(), encoding="utf-8")
    result = run(tmp_path / "blocker" / "qst.sqlite3", "study", "add", tmp_path / "study.toml")  # a command that writes
    assert result.exit_code == 2
    assert result.stderr.startswith("qst: error: cannot create the store's folder") and result.stderr.count("\n") == 1


full_disk = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux) to fill the disk")


@full_disk
def test_a_full_disk_under_the_store_is_one_line(tmp_path):
    db = tmp_path / "full.sqlite3"
    db.symlink_to("/dev/full")
    ok(db.with_name("real.sqlite3"), "study", "init", tmp_path / "study.toml")
    result = run(db, "study", "add", tmp_path / "study.toml")
    assert result.exit_code == 2
    assert result.stderr.startswith("qst: error: ") and "the disk is full" in result.stderr
    assert result.stderr.count("\n") == 1


@full_disk
def test_an_export_onto_a_full_disk_is_one_line_and_the_store_unchanged(store, tmp_path):
    db, _ = store
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{STUDY}-trials.csv").symlink_to("/dev/full")
    before = snapshot(db)
    result = run(db, "export", "--study", STUDY, "--out", out)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr == f"qst: error: cannot write {out / (STUDY + '-trials.csv')}: the disk is full\n"
    assert snapshot(db) == before


SETPRIV = shutil.which("setpriv")
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run_without_override(db, *args) -> subprocess.CompletedProcess:
    """`qst` in a child process that file permissions bind: as root, one without the
    capabilities that override them (Linux's setpriv)."""
    command = [sys.executable, "-m", "qst.cli", "--db", str(db), *map(str, args)]
    if ROOT:
        command = [SETPRIV, "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    return subprocess.run(command, capture_output=True, text=True)


@pytest.mark.skipif(not hasattr(os, "geteuid") or (ROOT and not SETPRIV), reason="needs POSIX permissions that bind")
def test_read_only_folders_are_one_line(store, tmp_path):
    db, _ = store
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        before = snapshot(db)
        for arguments in (["study", "init", folder / "study.toml"], ["export", "--study", STUDY, "--out", folder]):
            result = run_without_override(db, *arguments)
            assert result.returncode == 2 and result.stdout == "", result.stderr
            assert result.stderr.startswith("qst: error: ") and result.stderr.count("\n") == 1, result.stderr
            assert "Permission denied" in result.stderr, result.stderr
        assert list(folder.iterdir()) == []
        assert snapshot(db) == before
    finally:
        folder.chmod(0o700)
