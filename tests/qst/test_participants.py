"""Participants: pseudonymous codes and a few facts; personal data refused with one line."""

import datetime as dt

import pytest

from qst.participants import (
    Participant,
    ParticipantError,
    PersonalDataError,
    new_participant,
    parse_lab,
    personal_field,
    personal_text,
)

PATTERN = r"^FM\d{2}$"
TODAY = dt.date(2026, 11, 20)
GOOD = {
    "code": "FM01",
    "sex": "F",
    "birth_year": "1980",
    "enrolled_on": "2026-11-01",
    "labs": {"ESR": {"value": 22, "unit": "mm/h"}, "CRP": {"value": 3.1, "unit": "mg/L"}},
}


def make(**changes):
    fields = {**GOOD, **changes}
    return new_participant({k: v for k, v in fields.items() if v is not None}, code_pattern=PATTERN, today=TODAY)


def test_a_participant_as_a_coordinator_types_it():
    participant = make(sex="f", labs={"esr": {"value": "22", "unit": "mm/hr"}})
    assert participant.code == "FM01" and participant.sex == "F" and participant.birth_year == 1980
    assert participant.enrolled_on == dt.date(2026, 11, 1)
    assert participant.labs["ESR"].value == 22.0 and participant.labs["ESR"].unit == "mm/h"


def test_record_round_trip():
    participant = make(notes="ESR taken fasting on 2026-10-30")
    record = participant.record()
    assert record == {
        "sex": "F",
        "birth_year": 1980,
        "enrolled_on": "2026-11-01",
        "labs": {"ESR": {"value": 22.0, "unit": "mm/h"}, "CRP": {"value": 3.1, "unit": "mg/L"}},
        "notes": "ESR taken fasting on 2026-10-30",
    }
    assert Participant.from_record(record, "FM01") == participant
    assert Participant.from_record({**record, "code": "FM01", "added_at": "whenever"}) == participant
    with pytest.raises(ParticipantError, match="^stored participant FM01: sex: should be 'F', 'M' or 'X'"):
        Participant.from_record({**record, "sex": "?"}, "FM01")


@pytest.mark.parametrize(
    "changes, phrase",
    [
        ({"code": "XX01"}, "code: 'XX01' does not match the study's code pattern ^FM\\d{2}$"),
        ({"code": "FM 01"}, "code: should be letters, digits, '_' or '-'"),
        ({"sex": "female"}, "sex: should be 'F', 'M' or 'X', got 'FEMALE'"),
        ({"sex": None}, "sex: is missing"),
        ({"birth_year": 1899}, "birth_year: should be at least 1900, got 1899"),
        ({"birth_year": 2027}, "birth_year: 2027 is after this year (2026)"),
        ({"birth_year": 2026, "enrolled_on": "2025-06-01"}, "birth_year: 2026 is after the year of enrolment (2025)"),
        ({"birth_year": "nineteen"}, "birth_year: should be a valid integer"),
        ({"enrolled_on": "1/11/2026"}, "enrolled_on: should be a date like 2026-11-01, got '1/11/2026'"),
        ({"enrolled_on": "2026-02-30"}, "enrolled_on: should be a valid date"),
        ({"enrolled_on": "9999-12-31"}, "enrolled_on: 9999-12-31 is more than a year after today (2026-11-20)"),
        ({"enrolled_on": "2027-11-22"}, "enrolled_on: 2027-11-22 is more than a year after today"),
        ({"enrolled_on": "1989-12-31", "birth_year": 1950}, "enrolled_on: 1989-12-31 is before 1990-01-01"),
        ({"labs": {"ESR": {"value": 22, "unit": "mm"}}}, "labs: ESR is recorded in mm/h, got 'mm'; convert it to mm/h"),
        ({"labs": {"CRP": {"value": 0.3, "unit": "mg/dL"}}}, "labs: CRP is recorded in mg/L, got 'mg/dL'"),
        ({"labs": {"ESR": {"value": -1, "unit": "mm/h"}}}, "labs: ESR -1 mm/h is outside 0–200 mm/h"),
        ({"labs": {"CRP": {"value": 900, "unit": "mg/L"}}}, "labs: CRP 900 mg/L is outside 0–500 mg/L"),
        ({"labs": {"ESR": {"value": "inf", "unit": "mm/h"}}}, "labs.ESR.value: should be a finite number"),
        ({"labs": {"ESR": {"value": 2, "unit": "mm/h"}, "esr": {"value": 3, "unit": "mm/h"}}}, "labs: ESR is given twice"),
        ({"labs": {"ferritin level": {"value": 2, "unit": "ng/mL"}}}, "labs: lab name 'ferritin level'"),
        ({"labs": {"ferritin": {"value": 2, "unit": "ng per mL"}}}, "labs.ferritin.unit: should be a unit like 'mg/L'"),
        ({"colour": "red"}, "colour: unknown key; the fields are code, sex, birth_year, enrolled_on, labs, notes"),
    ],
)
def test_bad_fields_are_refused_with_one_line(changes, phrase):
    with pytest.raises(ParticipantError) as caught:
        make(**changes)
    assert not isinstance(caught.value, PersonalDataError)
    assert phrase in str(caught.value) and "\n" not in str(caught.value), str(caught.value)


def test_enrolment_may_be_booked_up_to_a_year_ahead():
    assert make(enrolled_on="2027-11-21").enrolled_on == dt.date(2027, 11, 21)
    assert make(enrolled_on="1990-01-01", birth_year=1950).enrolled_on == dt.date(1990, 1, 1)


def test_labs_other_than_esr_and_crp_keep_their_units():
    participant = make(labs={"ferritin": {"value": 40, "unit": "ng/mL"}})
    assert participant.labs["ferritin"].unit == "ng/mL"


@pytest.mark.parametrize(
    "changes, phrase",
    [
        ({"name": "Jane"}, "name: this field would hold a name"),
        ({"first_name": "Jane"}, "first_name: this field would hold a name"),
        ({"Surname": "Doe"}, "Surname: this field would hold a name"),
        ({"email": "x"}, "email: this field would hold an e-mail address"),
        ({"phone": "x"}, "phone: this field would hold a phone number"),
        ({"date_of_birth": "1980-05-12"}, "date_of_birth: this field would hold a date of birth"),
        ({"dob": "1980"}, "dob: this field would hold a date of birth"),
        ({"home_address": "x"}, "home_address: this field would hold an address"),
        ({"birth_year": "1980-05-12"}, "birth_year: '1980-05-12' is a full date; give the year of birth only"),
        ({"birth_year": "12/05/1980"}, "birth_year: '12/05/1980' is a full date"),
        ({"birth_year": dt.date(1980, 5, 12)}, "birth_year: '1980-05-12' is a full date"),
        ({"notes": "reach her at jane.doe@example.org"}, "notes: looks like an e-mail address"),
        ({"notes": "call +44 20 7946 0958 to rebook"}, "notes: looks like a phone number"),
        ({"notes": "mobile (555) 123-4567"}, "notes: looks like a phone number"),
        ({"notes": "born 12.05.1980"}, "notes: looks like a date of birth"),
        ({"code": "jane@example.org"}, "code: looks like an e-mail address"),
        ({"labs": {"ESR": {"value": 22, "unit": "a@b.org"}}}, "labs.ESR.unit: looks like an e-mail address"),
    ],
)
def test_personal_data_is_refused(changes, phrase):
    with pytest.raises(PersonalDataError) as caught:
        make(**changes)
    message = str(caught.value)
    assert message.startswith(phrase), message
    assert "\n" not in message
    assert "pseudonymous codes only" in message or "year of birth only" in message


@pytest.mark.parametrize(
    "text",
    ["ESR 22 mm/h, CRP 3.1 mg/L", "seen 2026-11-03 and 03/11/2026 and 03.11.2026", "pi is 3.14159265", "visits 1 2 3 4",
     "VAS 45/100 at 10:30", ""],
)
def test_ordinary_notes_pass(text):
    assert personal_text(text) is None
    assert make(notes=text).notes == text


@pytest.mark.parametrize("column", ["code", "participant", "sex", "birth_year", "enrolled_on", "date", "rating", "symptom", "labs", "notes"])
def test_the_harness_own_fields_are_not_personal(column):
    assert personal_field(column) is None


def test_lab_option():
    assert parse_lab("ESR=22:mm/h") == ("ESR", {"value": 22.0, "unit": "mm/h"})
    assert parse_lab(" CRP = 3.1 : mg/L ") == ("CRP", {"value": 3.1, "unit": "mg/L"})
    for bad, phrase in (("ESR22", "write NAME=VALUE:UNIT"), ("ESR=22", "write NAME=VALUE:UNIT"), ("ESR=high:mm/h", "'high' is not a number")):
        with pytest.raises(ParticipantError, match=phrase):
            parse_lab(bad)
