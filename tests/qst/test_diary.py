"""Diary files: daily ratings read from CSV; every problem refused with `file:line: reason`."""

import datetime as dt

import pytest

from qst.diary import DiaryEntry, DiaryError, read_diary

ENROLLED = {"FM01": dt.date(2026, 11, 1), "FM02": dt.date(2026, 11, 5)}
TODAY = dt.date(2026, 12, 1)
HEADER = "participant,date,rating\n"


def read(text, **options):
    return read_diary(text, source="diary.csv", enrolled=ENROLLED, today=TODAY, **options)


def test_a_diary_with_bom_crlf_blank_lines_and_loose_headers(tmp_path):
    path = tmp_path / "diary.csv"
    text = " Participant ,DATE,rating,Symptom\r\nFM01,2026-11-02,40,\r\n\r\nFM02,2026-11-06,55,sleep-quality\r\nFM01,2026-11-02, 35 ,fatigue\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    entries = read_diary(path, enrolled=ENROLLED, today=TODAY)
    assert entries == [
        DiaryEntry("FM01", dt.date(2026, 11, 2), 40, "overall", 2),
        DiaryEntry("FM02", dt.date(2026, 11, 6), 55, "sleep-quality", 4),
        DiaryEntry("FM01", dt.date(2026, 11, 2), 35, "fatigue", 5),
    ]
    assert entries[1].as_dict() == {"participant_code": "FM02", "day": "2026-11-06", "rating": 55, "symptom": "sleep-quality"}


def test_without_the_symptom_column_every_rating_is_overall():
    entries = read(HEADER + "FM01,2026-11-02,0\nFM01,2026-11-03,100\n")
    assert [(e.rating, e.symptom) for e in entries] == [(0, "overall"), (100, "overall")]


def test_without_a_participant_list_codes_are_not_checked():
    entries = read_diary(HEADER + "FM77,2020-01-01,5\n", today=TODAY)
    assert entries[0].participant_code == "FM77"


@pytest.mark.parametrize(
    "text, line, phrase",
    [
        ("", 1, "the file is empty"),
        ("participant,date,rating,email\nFM01,2026-11-02,40,a@b.org\n", 1,
         "column 'email' looks like an e-mail address; the records hold pseudonymous codes only"),
        ("Name,participant,date,rating\n", 1, "column 'Name' looks like a name"),
        ("participant,date,rating,Phone Number\n", 1, "column 'Phone Number' looks like a phone number"),
        ("participant,DOB,date,rating\n", 1, "column 'DOB' looks like a date of birth"),
        ("participant,date,rating,home address\n", 1, "column 'home address' looks like an address"),
        ("participant,date,rating,comment\n", 1, "unknown column 'comment'; a diary has the columns participant, date, rating, symptom"),
        ("participant,date,rating,date\n", 1, "column 'date' appears twice"),
        ("participant,date\n", 1, "missing column rating"),
        (HEADER + "FM01,2026-11-02,40\nFM01,2026-11-03,101\n", 3, "rating 101 is outside 0–100"),
        (HEADER + "FM01,2026-11-02,-1\n", 2, "rating -1 is outside 0–100"),
        (HEADER + "FM01,2026-11-02,40.5\n", 2, "rating '40.5' should be a whole number from 0 to 100"),
        (HEADER + "FM01,2026-11-02,\n", 2, "rating '' should be a whole number"),
        (HEADER + "FM01,2026-11-02,\u0664\u0660\n", 2, "rating '\u0664\u0660' should be a whole number"),
        (HEADER + "FM01,\u0662\u0660\u0662\u0666-11-02,40\n", 2, "should be an ISO date like"),
        (HEADER + "FM01,2026-11-02," + "4" * 5000 + "\n", 2, "should be a whole number from 0 to 100"),
        (HEADER + "FM01,02/11/2026,40\n", 2, "date '02/11/2026' should be an ISO date like 2026-11-03"),
        (HEADER + "FM01,2026-02-30,40\n", 2, "date '2026-02-30' is not a day of the calendar"),
        (HEADER + "FM01,2026-12-02,40\n", 2, "date 2026-12-02 is in the future"),
        (HEADER + "FM02,2026-11-04,40\n", 2, "date 2026-11-04 is before FM02's enrolment on 2026-11-05"),
        (HEADER + "FM01,2026-11-02,40\nFM09,2026-11-02,40\n", 3, "unknown participant 'FM09'; enrol them first"),
        (HEADER + "jane@example.org,2026-11-02,40\n", 2, "participant 'jane@example.org' is not a participant code"),
        (HEADER + "FM01,2026-11-02\n", 2, "2 cells, but the header has 3 columns"),
        (HEADER + "FM01,2026-11-02,40,x\n", 2, "4 cells, but the header has 3 columns"),
        ("participant,date,rating,symptom\nFM01,2026-11-02,40,Sleep Quality\n", 2, "symptom 'Sleep Quality' should be lower-case"),
        (HEADER + "FM01,2026-11-02,40\nFM02,2026-11-06,1\nFM01,2026-11-02,45\n", 4,
         "FM01 2026-11-02 overall is already rated on line 2"),
        ("participant,date,rating,symptom\nFM01,2026-11-02,40,\nFM01,2026-11-02,40,overall\n", 3, "is already rated on line 2"),
    ],
)
def test_bad_diaries_name_line_and_reason(text, line, phrase):
    with pytest.raises(DiaryError) as caught:
        read(text)
    message = str(caught.value)
    assert message.startswith(f"diary.csv:{line}: "), message
    assert phrase in message and "\n" not in message, message


def test_text_the_csv_reader_cannot_read():
    with pytest.raises(DiaryError, match=r"^diary\.csv:3: not readable as CSV: field larger than field limit"):
        read(HEADER + "FM01,2026-11-02,40\nFM01,2026-11-03," + "4" * 200_000 + "\n")


@pytest.mark.parametrize("tail, reason", [('"41', "unexpected end of data"), ('"41"x', "',' expected after '\"'")])
def test_a_quote_left_open_or_followed_by_text_is_not_guessed(tail, reason):
    with pytest.raises(DiaryError) as caught:
        read(HEADER + "FM01,2026-11-02,40\nFM01,2026-11-03," + tail + "\n")
    assert str(caught.value).startswith("diary.csv:") and reason in str(caught.value), str(caught.value)


def test_line_numbers_count_crlf_and_blank_lines():
    with pytest.raises(DiaryError, match=r"^diary\.csv:5: rating 300"):
        read("participant,date,rating\r\nFM01,2026-11-02,40\r\n\r\n\r\nFM01,2026-11-03,300\r\n")


def test_the_first_problem_is_shown_with_a_count_of_the_rest():
    text = HEADER + "FM01,2026-11-02,101\nFM01,2026-11-03,ok\nFM01,2026-11-04,50\nFM09,2026-11-04,50\n"
    with pytest.raises(DiaryError) as caught:
        read(text)
    assert str(caught.value) == "diary.csv:2: rating 101 is outside 0–100 (and problems on 2 more lines)"
    assert caught.value.line == 2 and caught.value.other_lines == 2


def test_unreadable_and_undecodable_files(tmp_path):
    with pytest.raises(DiaryError, match=r"missing\.csv:1: cannot read the file"):
        read_diary(tmp_path / "missing.csv")
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + b"FM01,2026-11-02,40\nFM\xe901,2026-11-03,40\n")
    with pytest.raises(DiaryError, match=r"latin1\.csv:3: the file is not UTF-8 text"):
        read_diary(path)
