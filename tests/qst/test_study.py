"""Study files: the first study's schedule, phases, blinding, and malformed files refused
with one line naming the line."""

import datetime as dt
from pathlib import Path

import pytest

from qst.study import (
    PlannedVisit,
    ScheduleError,
    StudyError,
    load_study,
    shipped_study_names,
    shipped_study_text,
)

FIRST = Path(__file__).parents[2] / "qst" / "studies" / "fibromyalgia-ldn.toml"


@pytest.fixture(scope="module")
def first():
    return load_study(FIRST)


def test_the_first_study_is_shipped_and_is_what_init_copies(first):
    assert "fibromyalgia-ldn" in shipped_study_names()
    text = shipped_study_text()
    assert text == FIRST.read_text(encoding="utf-8")
    assert load_study(text) == first
    assert first.blinding == "single" and first.visits.battery == "fibromyalgia-ldn"
    assert [(p.code, p.name, p.weeks) for p in first.phases] == [
        ("A", "baseline", 2), ("B", "placebo", 2), ("C", "drug", 8), ("D", "washout", 2)
    ]


def test_first_study_has_eight_visits_every_two_weeks(first):
    visits = first.planned_visits()
    assert [v.day for v in visits] == [0, 14, 28, 42, 56, 70, 84, 98]
    assert [v.number for v in visits] == list(range(1, 9))
    assert first.last_day == 98


def test_a_visit_on_a_boundary_belongs_to_the_phase_that_ends(first):
    assert [v.phase_code for v in first.planned_visits()] == ["A", "A", "B", "C", "C", "C", "C", "D"]
    assert [(p.code, start, end) for p, start, end in first.phase_days()] == [
        ("A", 0, 14), ("B", 15, 28), ("C", 29, 84), ("D", 85, 98)
    ]


@pytest.mark.parametrize(
    "day, code",
    [(0, "A"), (14, "A"), (15, "B"), (28, "B"), (29, "C"), (84, "C"), (85, "D"), (98, "D"), (99, None), (-1, None)],
)
def test_phase_on(first, day, code):
    phase = first.phase_on(day)
    assert (phase.code if phase else None) == code


def test_participant_view_never_shows_a_treatment_or_phase_name(first):
    secrets = {phase.treatment.lower() for phase in first.phases} | {phase.name.lower() for phase in first.phases}
    for visit in first.planned_visits():
        text = first.participant_view(visit)
        assert text == f"Visit {visit.number}, phase {visit.phase_code}"
        assert not any(secret in text.lower() for secret in secrets), text
    assert first.participant_view(3) == "Visit 3, phase B"
    # Every phase is met by at least one visit above.
    assert {v.phase_code for v in first.planned_visits()} == set(first.phase_codes())


def test_participant_sees_only_what_the_file_lists():
    study = load_study(shipped_study_text().replace('participant_sees = ["visit", "phase_code"]', 'participant_sees = ["phase_code"]'))
    assert [study.participant_view(v) for v in study.planned_visits()][:3] == ["Phase A", "Phase A", "Phase B"]


def test_treatment_is_there_for_unblinded_reports(first):
    assert first.treatment_of("B") == "placebo"
    assert first.treatment_of("C").startswith("naltrexone")
    with pytest.raises(ScheduleError, match="no phase 'Z'"):
        first.treatment_of("Z")


def test_due_gives_the_next_visit_and_its_window(first):
    enrolled = dt.date(2026, 11, 1)
    due = first.due(enrolled, enrolled)
    assert due.visit == PlannedVisit(1, 0, "A")
    assert (due.on, due.earliest, due.latest) == (enrolled, enrolled, dt.date(2026, 11, 4))
    assert due.is_open(enrolled)
    # After visit 1's window has closed, visit 2 (day 14, ± 3 days) is next, not yet open.
    due = first.due(enrolled, dt.date(2026, 11, 5))
    assert due.visit.number == 2
    assert (due.on, due.earliest, due.latest) == (dt.date(2026, 11, 15), dt.date(2026, 11, 12), dt.date(2026, 11, 18))
    assert not due.is_open(dt.date(2026, 11, 5)) and due.is_open(dt.date(2026, 11, 12))
    # Visits already held are skipped while their window is still open.
    assert first.due(enrolled, dt.date(2026, 11, 13), done=[1, 2]).visit.number == 3
    assert first.due(enrolled, dt.date(2027, 2, 10)).visit.number == 8
    assert first.due(enrolled, dt.date(2027, 2, 11)) is None


def test_a_schedule_that_does_not_divide_the_study_stops_before_its_end():
    text = shipped_study_text().replace("weeks = 8", "weeks = 9")  # 105 days in all
    study = load_study(text)
    assert study.last_day == 105
    assert [v.day for v in study.planned_visits()] == [0, 14, 28, 42, 56, 70, 84, 98]
    assert study.planned_visits()[-1].phase_code == "D"  # D holds days 92-105
    with pytest.raises(ScheduleError, match="visits 1–8; there is no visit 9"):
        study.visit(9)


def test_a_phase_code_may_name_its_treatment_only_in_an_open_study():
    text = shipped_study_text().replace('code = "B"', 'code = "P"')
    with pytest.raises(StudyError, match="'P' gives away 'placebo'"):
        load_study(text)
    open_study = load_study(text.replace('blinding = "single"', 'blinding = "open"'))
    assert open_study.phase_codes() == ["A", "P", "C", "D"]
    assert "placebo" not in open_study.participant_view(3).lower()


def test_file_with_a_byte_order_mark_and_crlf(tmp_path):
    path = tmp_path / "study.toml"
    path.write_bytes(b"\xef\xbb\xbf" + shipped_study_text().replace("\n", "\r\n").encode())
    assert load_study(path).name == "fibromyalgia-ldn"


def test_missing_and_undecodable_files(tmp_path):
    with pytest.raises(StudyError, match=r"nothing\.toml:1: cannot read the file"):
        load_study(tmp_path / "nothing.toml")
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'name = "x"\n# caf\xe9\n')
    with pytest.raises(StudyError, match=r"latin1\.toml:2: the file is not UTF-8 text"):
        load_study(path)


HEAD = 'name = "pilot"\ntitle = "Pilot"\ncode_pattern = \'^P\\d{3}$\'\nblinding = "single"\n'  # lines 1-4
PHASE = '[[phases]]\ncode = "A"\nname = "baseline"\nweeks = 2\ntreatment = "none"\n'  # lines 5-9
VISITS = '[visits]\nevery_days = 14\nwindow_days = 3\nbattery = "dfns"\n'  # lines 10-13

CASES = [
    # id, text, line, phrase
    ("bad toml", HEAD + PHASE + "weeks = \n", 10, "invalid TOML: Invalid value"),
    ("backslash in a basic string", 'code_pattern = "^P\\d$"\n', 1, "invalid TOML"),
    ("missing visits", HEAD + PHASE, 1, "visits: is missing"),
    ("missing phases", HEAD + VISITS, 1, "phases: is missing"),
    ("unknown top key", HEAD + 'colour = "red"\n' + PHASE + VISITS, 5, "colour: unknown key; the keys here are name,"),
    ("unknown phase key", HEAD + PHASE + "dose_mg = 4.5\n" + VISITS, 10,
     "phases[0].dose_mg: unknown key; the keys here are code, name, weeks, treatment"),
    ("blinding", HEAD.replace('"single"', '"triple"') + PHASE + VISITS, 4,
     "blinding: should be 'single', 'double' or 'open', got 'triple'"),
    ("pattern not a regex", HEAD.replace("^P\\d{3}$", "^P(\\d$") + PHASE + VISITS, 3,
     "code_pattern: is not a valid regular expression"),
    ("pattern accepts nothing", HEAD.replace("^P\\d{3}$", "^P?$") + PHASE + VISITS, 3, "accepts an empty code"),
    ("pattern that backtracks", HEAD.replace("^P\\d{3}$", "^(P\\d+)+$") + PHASE + VISITS, 3,
     "code_pattern: '^(P\\\\d+)+$' repeats a group that itself repeats"),
    ("weeks 0", HEAD + PHASE.replace("weeks = 2", "weeks = 0") + VISITS, 8, "phases[0].weeks: should be at least 1, got 0"),
    ("role for some phases only", HEAD + PHASE + 'role = "baseline"\n' + PHASE.replace('"A"', '"X"').replace('"none"', '"drug"')
     + VISITS, 11, "phases[1]: has no role while other phases do"),
    ("a second baseline", HEAD + PHASE + 'role = "baseline"\n' + PHASE.replace('"A"', '"X"') + 'role = "baseline"\n' + VISITS,
     16, "phases[1].role: is a second baseline"),
    ("unknown role", HEAD + PHASE + 'role = "control"\n' + VISITS, 10, "phases[0].role: should be 'baseline', 'placebo'"),
    ("weeks a string", HEAD + PHASE.replace("weeks = 2", 'weeks = "2"') + VISITS, 8, "phases[0].weeks: should be a valid integer"),
    ("phase code lower case", HEAD + PHASE.replace('"A"', '"a"') + VISITS, 6,
     "phases[0].code: should be 1–4 capital letters or digits"),
    ("phase name not a slug", HEAD + PHASE.replace('"baseline"', '"Base Line"') + VISITS, 7, "phases[0].name: should be lower-case"),
    ("phase code twice", HEAD + PHASE + PHASE.replace('"none"', '"drug"') + VISITS, 11,
     "phases[1].code: 'A' is already the code of phases[0]"),
    ("code gives a phase away", HEAD + PHASE + PHASE.replace('"A"', '"DR"').replace('"none"', '"drug"') + VISITS, 11,
     "phases[1].code: 'DR' gives away 'drug' to a participant of a single-blind study"),
    ("unknown battery", HEAD + PHASE + VISITS.replace('"dfns"', '"dnfs"'), 13,
     "visits.battery: no shipped battery named 'dnfs'; shipped: dfns, fibromyalgia-ldn"),
    ("overlapping windows", HEAD + PHASE + VISITS.replace("window_days = 3", "window_days = 7"), 12,
     "visits.window_days: windows of ± 7 days overlap with a visit every 14 days; keep window_days below 7"),
    ("negative window", HEAD + PHASE + VISITS.replace("window_days = 3", "window_days = -1"), 12,
     "visits.window_days: should be at least 0"),
    ("shows the treatment", HEAD + 'participant_sees = ["visit", "treatment"]\n' + PHASE + VISITS, 5,
     "participant_sees[1]: should be 'visit' or 'phase_code', got 'treatment'"),
    ("shows nothing", HEAD + "participant_sees = []\n" + PHASE + VISITS, 5, "participant_sees: is empty"),
    ("shows twice", HEAD + 'participant_sees = ["visit", "visit"]\n' + PHASE + VISITS, 5, "participant_sees: lists an item twice"),
]


@pytest.mark.parametrize("text, line, phrase", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_malformed_study_names_line_and_reason(text, line, phrase):
    with pytest.raises(StudyError) as caught:
        load_study(text, source="pilot.toml")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"pilot.toml:{line}: "), message
    assert phrase in message, message


def test_a_good_pilot_study_loads():
    study = load_study(HEAD + PHASE + VISITS)
    assert study.planned_visits() == [PlannedVisit(1, 0, "A"), PlannedVisit(2, 14, "A")]
    assert study.accepts_code("P001") and not study.accepts_code("P01") and not study.accepts_code("xP001")
