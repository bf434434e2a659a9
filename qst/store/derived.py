"""Values derived from the documents: one tidy row per run, per-visit summaries per test and
site. Corrections apply here (the latest of each field wins); the documents stay as recorded.

Blinding: rows carry the visit's phase code; the treatment of a phase comes from the study
definition and is added only when asked to unblind.
"""

from __future__ import annotations

import sqlalchemy as sa

from qst.store import corrections, lookup
from qst.store import schema as t
from qst.store.blinding import treatments
from qst.store.encoding import loads

TIDY_COLUMNS = (
    "study", "participant", "visit", "phase_code", "test", "site", "trial", "value", "unit", "censored",
    "exit_status", "reason", "device_serial", "examiner", "started_utc", "stopped_utc", "run_id", "corrected",
    "excluded", "flags",
)
"""The tidy export's columns; `treatment` follows `phase_code` when unblinded."""

SUMMARY_COLUMNS = (
    "study", "participant", "visit", "phase_code", "test", "site", "unit", "n", "summary", "summary_kind",
    "censored", "excluded", "not_completed", "flags",
)
"""Per visit × test × site: `n` completed, not excluded trials (censored ones included);
`summary` their mean (or geometric mean, as the test defines) over the uncensored values;
`censored`, `excluded` and `not_completed` runs counted; `flags` as `qst.summary` sets them."""

INTERRUPTED = "interrupted"
NO_STOP_REASON = "no stop recorded: the harness stopped during the trial, or it is still running"


def tidy_columns(unblind: bool) -> tuple[str, ...]:
    if not unblind:
        return TIDY_COLUMNS
    at = TIDY_COLUMNS.index("phase_code") + 1
    return TIDY_COLUMNS[:at] + ("treatment",) + TIDY_COLUMNS[at:]


def device_serial(test: str, devices: dict, tests: dict) -> str:
    """The thermode's probe id for a thermode test, the gauge's serial number for PPT, else "".
    `tests`: `protocols.procedures.TESTS` (imported by the caller, once)."""
    kind = tests.get(test)
    needs = kind.needs if kind is not None else frozenset()
    if "thermode" in needs:
        return str(devices.get("thermode", {}).get("probe_id", ""))
    if "algometer" in needs:
        return str(devices.get("algometer", {}).get("serial_number", ""))
    return ""


def trial_rows(connection: sa.Connection, study: str, *, unblind: bool = False, visit_id: int | None = None) -> list[dict]:
    """One row per run of the study (or of one visit), by participant, visit, then run order."""
    from protocols.procedures import TESTS

    study_id = lookup.study_id(connection, study)
    query = (
        sa.select(
            t.runs.c.run_id, t.runs.c.test, t.runs.c.site, t.runs.c.trial, t.runs.c.start, t.runs.c.started_utc,
            t.run_stops.c.stop, t.run_stops.c.stopped_utc,
            t.visits.c.number, t.visits.c.phase_code, t.participants.c.code,
        )
        .outerjoin(t.run_stops, t.run_stops.c.run_id == t.runs.c.run_id)
        .join(t.visits, t.visits.c.id == t.runs.c.visit_id)
        .join(t.participants, t.participants.c.id == t.visits.c.participant_id)
        .where(t.participants.c.study_id == study_id)
        .order_by(t.participants.c.code, t.visits.c.number, t.runs.c.id)
    )
    corrected_query = (
        sa.select(t.corrections)
        .join(t.runs, t.runs.c.run_id == t.corrections.c.run_id)
        .join(t.visits, t.visits.c.id == t.runs.c.visit_id)
        .join(t.participants, t.participants.c.id == t.visits.c.participant_id)
        .where(t.participants.c.study_id == study_id)
    )
    if visit_id is not None:
        query = query.where(t.runs.c.visit_id == visit_id)
        corrected_query = corrected_query.where(t.runs.c.visit_id == visit_id)
    fixes = corrections.latest(connection, corrected_query)
    phase_treatment = treatments(_definition(connection, study_id)) if unblind else {}
    rows = []
    for run in connection.execute(query):
        start = loads(run.start)
        stop = loads(run.stop) if run.stop is not None else None
        result = (stop or {}).get("result") or {}
        fix = fixes.get(run.run_id, {})
        row = {
            "study": study,
            "participant": run.code,
            "visit": run.number,
            "phase_code": run.phase_code,
            "test": run.test,
            "site": run.site,
            "trial": run.trial,
            "value": fix.get("value", result.get("value")),
            "unit": result.get("unit") or start.get("parameters", {}).get("unit", ""),
            "censored": bool(fix.get("censored", result.get("censored", False))),
            "exit_status": stop["exit_status"] if stop else INTERRUPTED,
            "reason": stop["reason"] if stop else NO_STOP_REASON,
            "device_serial": device_serial(run.test, start.get("devices", {}), TESTS),
            "examiner": start.get("examiner", ""),
            "started_utc": run.started_utc,
            "stopped_utc": run.stopped_utc or "",
            "run_id": run.run_id,
            "corrected": bool(fix),
            "excluded": bool(fix.get("excluded", False)),
            "flags": ";".join(result.get("flags", ())),
        }
        if unblind:
            row["treatment"] = phase_treatment.get(run.phase_code, "")
        rows.append({column: row[column] for column in tidy_columns(unblind)})
    return rows


def _definition(connection: sa.Connection, study_id: int) -> str:
    return connection.execute(sa.select(t.studies.c.definition_text).where(t.studies.c.id == study_id)).scalar_one()


def summary_rows(trials: list[dict]) -> list[dict]:
    """Per visit × test × site, in the order the trials came (see `SUMMARY_COLUMNS`)."""
    from protocols.procedures import TESTS
    from qst.summary import SPREAD_FLAG_FRACTION, combine

    groups: dict[tuple, list[dict]] = {}
    for row in trials:
        groups.setdefault((row["participant"], row["visit"], row["test"], row["site"]), []).append(row)
    summaries = []
    for (participant, visit, test, site), rows in groups.items():
        done = [row for row in rows if row["exit_status"] == "completed"]
        used = [row for row in done if not row["excluded"]]
        values = [row["value"] for row in used if not row["censored"] and row["value"] is not None]
        censored = sum(1 for row in used if row["censored"])
        flags = {flag for row in used for flag in row["flags"].split(";") if flag}
        if censored:
            flags.add("censored")
        value = combine(test, values)
        if len(values) >= 2 and value and max(values) - min(values) > SPREAD_FLAG_FRACTION * abs(value):
            flags.add("large_spread")
        kind = TESTS.get(test)
        summaries.append(
            {
                "study": rows[0]["study"],
                "participant": participant,
                "visit": visit,
                "phase_code": rows[0]["phase_code"],
                "test": test,
                "site": site,
                "unit": next((row["unit"] for row in rows if row["unit"]), kind.unit if kind else ""),
                "n": len(used),
                "summary": value,
                "summary_kind": kind.summary if kind else "mean",
                "censored": censored,
                "excluded": len(done) - len(used),
                "not_completed": len(rows) - len(done),
                "flags": ";".join(sorted(flags)),
            }
        )
    return summaries
