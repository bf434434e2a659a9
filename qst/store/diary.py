"""Daily symptom diaries: imports that never double an entry and never overwrite one.

An entry equal to a stored one (same participant, day, symptom and rating) is a duplicate and
is skipped; the same participant, day and symptom with another rating is a conflict, and the
whole import is refused, naming it.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from qst.store import audit, lookup
from qst.store import schema as t
from qst.store.errors import StoreError, UnknownParticipantError
from qst.store.encoding import utc_now

Key = tuple[str, date, str]


def entry_fields(entry, index: int) -> tuple[str, date, str, int]:
    """(participant code, day, symptom, rating) of a `DiaryEntry` or a dict with those names."""
    get = entry.get if isinstance(entry, dict) else lambda name, default=None: getattr(entry, name, default)
    code, day, symptom, rating = get("participant_code"), get("day"), get("symptom", "overall"), get("rating")
    where = f"diary entry {index + 1}"
    if not isinstance(code, str) or not code:
        raise StoreError(f"{where}: no participant code")
    if isinstance(day, datetime) or not isinstance(day, date):
        raise StoreError(f"{where} ({code}): the day must be a date, got {day!r}")
    if not isinstance(symptom, str) or not symptom:
        raise StoreError(f"{where} ({code}, {day}): no symptom")
    if isinstance(rating, bool) or not isinstance(rating, int):
        raise StoreError(f"{where} ({code}, {day}): the rating must be a whole number, got {rating!r}")
    return code, day, symptom, rating


def add(connection: sa.Connection, study: str, entries, source: str, who: str) -> dict:
    study_id = lookup.study_id(connection, study)
    wanted: dict[Key, int] = {}
    duplicates = 0
    for index, entry in enumerate(entries):
        code, day, symptom, rating = entry_fields(entry, index)
        key = (code, day, symptom)
        if key in wanted:
            if wanted[key] != rating:
                raise StoreError(
                    f"diary conflict in {source}: {code} {day} {symptom} is rated both {wanted[key]} and {rating}; nothing added"
                )
            duplicates += 1
            continue
        wanted[key] = rating
    codes = sorted({code for code, _, _ in wanted})
    ids = _participant_ids(connection, study_id, study, codes)
    stored = _stored(connection, list(ids.values()))
    by_id = {pid: code for code, pid in ids.items()}
    stored_by_key = {(by_id[pid], day, symptom): rating for (pid, day, symptom), rating in stored.items()}
    new_rows = []
    for key, rating in wanted.items():
        if key in stored_by_key:
            if stored_by_key[key] != rating:
                code, day, symptom = key
                raise StoreError(
                    f"diary conflict: {code} {day} {symptom} is {stored_by_key[key]} in the store "
                    f"and {rating} in {source}; nothing added"
                )
            duplicates += 1
            continue
        code, day, symptom = key
        new_rows.append(
            {"participant_id": ids[code], "day": day, "symptom": symptom, "rating": rating, "source": source,
             "who": audit.who_or_login(who), "imported_utc": utc_now()}
        )
    if new_rows:
        connection.execute(t.diary.insert(), new_rows)
    audit.record(
        connection, study_id, who=who, action="diary import",
        what=f"diary from {source}: {len(new_rows)} entries added, {duplicates} duplicates skipped"
        + (f" ({', '.join(codes)})" if codes else ""),
    )
    return {"added": len(new_rows), "duplicates": duplicates}


def _participant_ids(connection: sa.Connection, study_id: int, study: str, codes: list[str]) -> dict[str, int]:
    if not codes:
        return {}
    found = dict(
        connection.execute(
            sa.select(t.participants.c.code, t.participants.c.id).where(
                t.participants.c.study_id == study_id, t.participants.c.code.in_(codes)
            )
        ).all()
    )
    missing = [code for code in codes if code not in found]
    if missing:
        raise UnknownParticipantError(
            f"the diary names {', '.join(repr(code) for code in missing)}, not enrolled in study {study!r}; nothing added"
        )
    return found


def _stored(connection: sa.Connection, participant_ids: list[int]) -> dict[tuple[int, date, str], int]:
    if not participant_ids:
        return {}
    rows = connection.execute(
        sa.select(t.diary.c.participant_id, t.diary.c.day, t.diary.c.symptom, t.diary.c.rating).where(
            t.diary.c.participant_id.in_(participant_ids)
        )
    )
    return {(row.participant_id, row.day, row.symptom): row.rating for row in rows}


def entries(connection: sa.Connection, study: str, code: str | None) -> list[dict]:
    """The study's diary (or one participant's), by participant, day, symptom."""
    study_id = lookup.study_id(connection, study)
    query = (
        sa.select(t.diary, t.participants.c.code)
        .join(t.participants, t.participants.c.id == t.diary.c.participant_id)
        .where(t.participants.c.study_id == study_id)
        .order_by(t.participants.c.code, t.diary.c.day, t.diary.c.symptom)
    )
    if code is not None:
        lookup.participant_id(connection, study, code)
        query = query.where(t.participants.c.code == code)
    return [
        {"participant": row.code, "day": row.day, "symptom": row.symptom, "rating": row.rating,
         "source": row.source, "who": row.who, "imported_utc": row.imported_utc}
        for row in connection.execute(query)
    ]
