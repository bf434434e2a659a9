"""Participants: pseudonymous codes with the few facts a study needs, and nothing personal.

A `Participant` holds a `code` (matching the study's `code_pattern`), `sex`, `birth_year`,
the date of enrolment, baseline `labs` and optional `notes`. `new_participant` validates
fields as a coordinator typed them and refuses personal data with a `PersonalDataError`:
fields for names, contact details, addresses or dates of birth; e-mail addresses and phone
numbers anywhere in the text; a full date where only a year belongs. Whether a code or a
note is some person's name cannot be told from the text, so that is left to the fields.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from protocols.battery_model import path_text, reason_for

__all__ = [
    "CODE_SHAPE",
    "KNOWN_LABS",
    "Lab",
    "Participant",
    "ParticipantError",
    "PersonalDataError",
    "new_participant",
    "parse_lab",
    "personal_field",
    "personal_text",
]


class ParticipantError(ValueError):
    """A participant's fields that cannot be used; `str(error)` is one line."""


class PersonalDataError(ParticipantError):
    """Fields or text that hold personal data the records must not keep; one line."""


# -- personal data -----------------------------------------------------------------------------

# Field names are compared by their words ("First-Name" -> "first", "name") and run together
# ("firstname"); the first group a name falls in says what it looks like.
_PERSONAL_WORDS = (
    ("a date of birth", {"dob", "birthday", "birthdate", "dateofbirth", "born"}),
    ("an e-mail address", {"email", "mail", "emailaddress"}),
    ("a phone number", {"phone", "telephone", "tel", "mobile", "cell", "cellphone", "fax", "phonenumber"}),
    ("an address", {"address", "street", "postcode", "zip", "zipcode", "postal", "city"}),
    ("an identity number", {"ssn", "passport", "nhs", "insurance"}),
    ("a name", {"name", "names", "surname", "firstname", "lastname", "forename", "fullname", "givenname",
                "familyname", "middlename", "maidenname", "initials"}),
)

_EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[A-Za-z]{2,}")
# A run of digits with the separators people write in phone numbers; 8 digits or more, so
# short counts pass. Dates and decimal numbers are taken out before this is tried.
_PHONE = re.compile(r"(?<![\w.])\+?\(?\d[\d ().\-]{6,}\d(?![\w.])")
_PHONE_MIN_DIGITS = 8
_DECIMAL = re.compile(r"\d+\.\d+")
_BIRTH = re.compile(r"\b(born|d\.?o\.?b\.?|date of birth|birth ?date|birthday)\b", re.IGNORECASE)
_ANY_DATE = re.compile(r"(?<!\d)(\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})(?!\d)")

PRIVACY_NOTE = "the records hold pseudonymous codes only, no names or contact details"


def personal_field(name: str) -> str | None:
    """What a field or column called `name` looks like it holds ("a name", "an e-mail
    address", ...), or None when it does not look personal."""
    words = [word for word in re.split(r"[^a-z0-9]+", name.lower()) if word]
    joined = "".join(words)
    for what, names in _PERSONAL_WORDS:
        if joined in names or any(word in names for word in words):
            return what
    if "birth" in joined and ("date" in joined or "day" in joined):
        return "a date of birth"
    return None


def personal_text(text: str) -> str | None:
    """What personal data free `text` holds ("an e-mail address", "a phone number", "a date
    of birth"), or None."""
    if _EMAIL.search(text):
        return "an e-mail address"
    for match in _PHONE.finditer(_ANY_DATE.sub(" ", text)):
        number = match.group()
        if not _DECIMAL.fullmatch(number) and sum(char.isdigit() for char in number) >= _PHONE_MIN_DIGITS:
            return "a phone number"
    if _BIRTH.search(text) and _ANY_DATE.search(text):
        return "a date of birth"
    return None


def _screen(fields: Mapping[str, Any]) -> None:
    """Refuse personal data in participant fields before anything else looks at them."""
    for key, value in fields.items():
        what = personal_field(str(key))
        if what is not None:
            raise PersonalDataError(f"{key}: this field would hold {what}; {PRIVACY_NOTE}")
        if key == "birth_year" and isinstance(value, (str, dt.date)) and _ANY_DATE.search(str(value)):
            raise PersonalDataError(f"birth_year: {str(value)!r} is a full date; give the year of birth only")
        for where, text in _texts(key, value):
            what = personal_text(text)
            if what is not None:
                raise PersonalDataError(f"{where}: looks like {what}; {PRIVACY_NOTE}")


def _texts(where: str, value: Any):
    """Every string in `value` (keys included), with where it sits."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            yield f"{where}.{key}", str(key)
            yield from _texts(f"{where}.{key}", inner)
    elif isinstance(value, (list, tuple)):
        for index, inner in enumerate(value):
            yield from _texts(f"{where}[{index}]", inner)


# -- labs --------------------------------------------------------------------------------------

KNOWN_LABS: dict[str, tuple[str, tuple[str, ...], float]] = {
    # name: (unit, other spellings of that unit, highest plausible value in it)
    "ESR": ("mm/h", ("mm/hr", "mm/1h"), 200.0),  # the Westergren tube is 200 mm tall
    "CRP": ("mg/L", ("mg/l",), 500.0),
}
_LAB_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,31}")
_UNIT = re.compile(r"\S{1,20}")
_LAB_OPTION = re.compile(r"\s*([^=:\s]+)\s*=\s*([^:]+?)\s*:\s*(\S.*?)\s*")


class Lab(BaseModel):
    """A laboratory value: `value` (finite) in `unit` (e.g. 22 mm/h)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float
    unit: str

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError(f"should be a finite number, got {value}")
        return value

    @field_validator("unit")
    @classmethod
    def _unit_word(cls, unit: str) -> str:
        if not _UNIT.fullmatch(unit):
            raise ValueError(f"should be a unit like 'mg/L' (no spaces), got {unit!r}")
        return unit


def parse_lab(text: str) -> tuple[str, dict[str, Any]]:
    """`"ESR=22:mm/h"` as `("ESR", {"value": 22.0, "unit": "mm/h"})` (the `--lab` option)."""
    match = _LAB_OPTION.fullmatch(text)
    if match is None:
        raise ParticipantError(f"lab {text!r}: write NAME=VALUE:UNIT, like ESR=22:mm/h")
    name, value, unit = match.groups()
    try:
        number = float(value)
    except ValueError:
        raise ParticipantError(f"lab {text!r}: {value!r} is not a number") from None
    return name, {"value": number, "unit": unit}


def _checked_lab(name: str, lab: Lab) -> tuple[str, Lab]:
    """The lab under its canonical name and unit, with known labs' units and ranges checked."""
    known = KNOWN_LABS.get(name.upper())
    if known is None:
        return name, lab
    name = name.upper()
    unit, spellings, highest = known
    if lab.unit != unit and lab.unit not in spellings:
        raise ValueError(f"{name} is recorded in {unit}, got {lab.unit!r}; convert it to {unit}")
    if not 0 <= lab.value <= highest:
        raise ValueError(f"{name} {lab.value:g} {unit} is outside 0–{highest:g} {unit}")
    return name, Lab(value=lab.value, unit=unit)


# -- participants ------------------------------------------------------------------------------

CODE_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,32}")
"""What any participant code looks like; a study's `code_pattern` narrows it."""


EARLIEST_ENROLMENT = dt.date(1990, 1, 1)
"""No enrolment before this day: an earlier date is a typing slip (QST's standard protocols
are younger)."""
ENROL_AHEAD_DAYS = 366
"""How far ahead of today an enrolment may be booked (days)."""


def _plausible_enrolment(enrolled_on: dt.date, today: dt.date) -> None:
    if enrolled_on < EARLIEST_ENROLMENT:
        raise ValueError(f"enrolled_on: {enrolled_on} is before {EARLIEST_ENROLMENT}: check the year")
    if enrolled_on > today + dt.timedelta(days=ENROL_AHEAD_DAYS):
        raise ValueError(f"enrolled_on: {enrolled_on} is more than a year after today ({today}): check the year")


class Participant(BaseModel):
    """A participant of a study.

    `code`: the pseudonym (letters, digits, `_`, `-`; up to 32; matching the study's
    `code_pattern`, given as validation context); `sex`: "F", "M" or "X"; `birth_year`:
    1900 to the year of enrolment; `enrolled_on`: the day of visit 1 (ISO date; a new
    participant's from 1990 to a year after today); `labs`:
    name -> value and unit (ESR in mm/h, 0–200; CRP in mg/L, 0–500); `notes`: free text
    for the study team, without personal data.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    sex: Literal["F", "M", "X"]
    birth_year: int = Field(ge=1900)
    enrolled_on: dt.date
    labs: dict[str, Lab] = Field(default_factory=dict)
    notes: str = Field("", max_length=2000)

    @field_validator("code")
    @classmethod
    def _pseudonym(cls, code: str, info: ValidationInfo) -> str:
        if not CODE_SHAPE.fullmatch(code):
            raise ValueError(f"should be letters, digits, '_' or '-' (up to 32), got {code!r}")
        pattern = (info.context or {}).get("code_pattern")
        if pattern is not None and re.fullmatch(pattern, code) is None:
            raise ValueError(f"{code!r} does not match the study's code pattern {pattern}")
        return code

    @field_validator("sex", mode="before")
    @classmethod
    def _upper_sex(cls, sex: Any) -> Any:
        return sex.strip().upper() if isinstance(sex, str) else sex

    @field_validator("enrolled_on", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError(f"should be a date like 2026-11-01, got {value!r}")
        return value.strip() if isinstance(value, str) else value

    @field_validator("labs")
    @classmethod
    def _labs(cls, labs: dict[str, Lab]) -> dict[str, Lab]:
        checked: dict[str, Lab] = {}
        for name, lab in labs.items():
            if not _LAB_NAME.fullmatch(name):
                raise ValueError(f"lab name {name!r} should be a short name like 'ESR'")
            name, lab = _checked_lab(name, lab)
            if name in checked:
                raise ValueError(f"{name} is given twice")
            checked[name] = lab
        return checked

    @model_validator(mode="after")
    def _born_before_enrolment(self, info: ValidationInfo) -> "Participant":
        context = info.context or {}
        if "today" in context:  # enrolling now (a stored participant was checked when enrolled)
            _plausible_enrolment(self.enrolled_on, context["today"])
        this_year = context.get("today", dt.date.today()).year
        if self.birth_year > this_year:
            raise ValueError(f"birth_year: {self.birth_year} is after this year ({this_year})")
        if self.birth_year > self.enrolled_on.year:
            raise ValueError(f"birth_year: {self.birth_year} is after the year of enrolment ({self.enrolled_on.year})")
        return self

    def record(self) -> dict[str, Any]:
        """The fields as JSON-able data for the store (the code is kept apart)."""
        return self.model_dump(mode="json", exclude={"code"})

    @classmethod
    def from_record(cls, record: Mapping[str, Any], code: str | None = None) -> "Participant":
        """A participant from what the store returns (its fields, with or without `code`)."""
        data = {key: value for key, value in record.items() if key in cls.model_fields}
        if code is not None:
            data["code"] = code
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise ParticipantError(f"stored participant {data.get('code', '?')}: {_one_line(error)}") from None


def new_participant(
    fields: Mapping[str, Any], *, code_pattern: str | None = None, today: dt.date | None = None
) -> Participant:
    """A participant from fields as a coordinator gave them (strings are fine: "1980",
    "2026-11-01"; labs as `{"ESR": {"value": 22, "unit": "mm/h"}}`), checked for personal
    data first. `code_pattern`: the study's. Raises `PersonalDataError` or
    `ParticipantError`, one line each, naming the field."""
    _screen(fields)
    context = {"code_pattern": code_pattern, "today": today or dt.date.today()}
    try:
        return Participant.model_validate(dict(fields), context=context)
    except ValidationError as error:
        raise ParticipantError(_one_line(error)) from None


def _one_line(error: ValidationError) -> str:
    """The first validation error as `field: reason`."""
    first = error.errors()[0]
    where = path_text(tuple(first["loc"]))
    reason = reason_for(first)
    if first["type"] == "extra_forbidden":
        reason += f"; the fields are {', '.join(Participant.model_fields)}"
    return f"{where}: {reason}" if where else reason
