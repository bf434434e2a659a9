"""Fuzzing the loaders the coordinator feeds files to: any input gives a result or the module's
own clear error type (`StudyError`, `DiaryError`), never another exception.

The TCS II and Mark-10 codecs and the battery loader have their own property tests
(`tests/drivers/test_tcs2_codec_properties.py`, `tests/drivers/test_mark10_codec.py`,
`tests/protocols/test_battery_fuzz.py`); these cover the study loader and the diary importer.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qst.diary import DiaryError, read_diary
from qst.study import StudyError, load_study, shipped_study_text
from tests.toml_mutations import mutate_lines

STUDY = shipped_study_text()
STUDY_LINES = STUDY.split("\n")
TOML_VALUES = st.sampled_from([
    "0", "-1", "1", "14", "1e400", "nan", "inf", "true", '""', '"x"', '"baseline"', "[]", "[1, 2]", "{}",
    "{ a = 1 }", "1979-05-27", "2026-13-40", '"""', "[", "", "99999999999999999999999", '"fibromyalgia-ldn"',
])


def _study_or_error(text: str) -> None:
    try:
        load_study(text)
    except StudyError as error:
        assert str(error)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_mutated_study_loads_or_is_a_study_error(data):
    _study_or_error("\n".join(mutate_lines(STUDY_LINES, data, TOML_VALUES)))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_study_or_a_study_error(text):
    _study_or_error(text)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_any_file_bytes_are_a_study_or_a_study_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("study") / "study.toml"
    path.write_bytes(data)
    try:
        load_study(path)
    except StudyError as error:
        assert str(error)


CODES = st.sampled_from(["FM01", "FM02", "fm01", "", "FM99", "X" * 40, "FM01 ", "é"])
DAYS = st.one_of(
    st.dates(dt.date(1990, 1, 1), dt.date(2035, 1, 1)).map(str),
    st.sampled_from(["", "2026-02-30", "2026/01/05", "05.01.2026", "yesterday", "2026-1-5", "0000-00-00"]),
)
RATINGS = st.one_of(
    st.integers(-10, 120).map(str),
    st.sampled_from(["", "50.5", "nan", "inf", "1e3", "fifty", "-0", " 40 "]),
)
CELL = st.one_of(CODES, DAYS, RATINGS, st.text(max_size=12))
HEADERS = st.one_of(
    st.just(["participant", "date", "rating"]),
    st.just(["participant", "date", "rating", "symptom"]),
    st.lists(st.sampled_from(["participant", "date", "rating", "symptom", "", "extra", "Date"]), max_size=5),
)
ENROLLED = {"FM01": dt.date(2026, 1, 1), "FM02": dt.date(2026, 1, 10)}


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text


@settings(max_examples=200, deadline=None)
@given(
    HEADERS,
    st.lists(st.one_of(st.tuples(CODES, DAYS, RATINGS).map(list), st.lists(CELL, max_size=5)), max_size=8),
    st.booleans(),
)
def test_a_diary_of_odd_rows_reads_or_is_a_diary_error(header, rows, with_enrolment):
    text = "\n".join(",".join(_csv_cell(cell) for cell in row) for row in [header, *rows])
    try:
        entries = read_diary(text, enrolled=ENROLLED if with_enrolment else None, today=dt.date(2026, 6, 1))
    except DiaryError as error:
        assert str(error)
        return
    for entry in entries:
        assert isinstance(entry.rating, int) and 0 <= entry.rating <= 100


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_diary_or_a_diary_error(text):
    try:
        read_diary(text, today=dt.date(2026, 6, 1))
    except DiaryError as error:
        assert str(error)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_any_file_bytes_are_a_diary_or_a_diary_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("diary") / "diary.csv"
    path.write_bytes(data)
    try:
        read_diary(path, today=dt.date(2026, 6, 1))
    except DiaryError as error:
        assert str(error)
