"""`qst participant|visit|diary ...`, `qst export`, `qst audit`, `qst correct`: the records of
a study, for its coordinator. Blinded throughout: phases by code; `--unblind` on an export
adds the treatments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from qst.cli_support import fail, out_folder, store_of, study_of, table

STUDY = typer.Option(..., "--study", "-s", help="The study's name, e.g. fibromyalgia-ldn.")
WHO = typer.Option("", "--who", help="Who does this, for the audit trail (default: your login name).")

participant_app = typer.Typer(rich_markup_mode=None, 
    help="Participants: enrol pseudonymous codes, list them.\n\n"
    "Example: qst participant add --study fibromyalgia-ldn --code FM01 --sex F --birth-year 1980 --enrolled 2026-11-01",
    no_args_is_help=True,
)
visit_app = typer.Typer(rich_markup_mode=None, 
    help="Visits: list them, show one.\n\nExample: qst visit list --study fibromyalgia-ldn --participant FM01",
    no_args_is_help=True,
)
diary_app = typer.Typer(rich_markup_mode=None, 
    help="Daily symptom diaries.\n\nExample: qst diary import --study fibromyalgia-ldn ratings.csv",
    no_args_is_help=True,
)


# -- participants ------------------------------------------------------------------------------


@participant_app.command("add")
def participant_add(
    ctx: typer.Context,
    study: str = STUDY,
    code: str = typer.Option(..., "--code", help="The participant's pseudonymous code, e.g. FM01 (never a name)."),
    sex: str = typer.Option(..., "--sex", help="F, M or X."),
    birth_year: str = typer.Option(..., "--birth-year", help="Year of birth only, e.g. 1980 (never the full date)."),
    enrolled: str = typer.Option(..., "--enrolled", help="Day of enrolment and of visit 1, e.g. 2026-11-01."),
    lab: list[str] = typer.Option(
        [], "--lab", help="A baseline lab as NAME=VALUE:UNIT, e.g. ESR=22:mm/h (repeatable)."
    ),
    note: str = typer.Option("", "--note", help="A note for the study team (no names or contact details)."),
    who: str = WHO,
) -> None:
    """Enrol a participant: pseudonymous code, sex, year of birth, day of enrolment, baseline labs.

    The code must match the study's pattern; ESR is in mm/h, CRP in mg/L. Personal data is refused.

    Example: qst participant add -s fibromyalgia-ldn --code FM01 --sex F --birth-year 1980 --enrolled 2026-11-01 --lab ESR=22:mm/h --lab CRP=3.1:mg/L
    """
    from qst.participants import ParticipantError, new_participant, parse_lab

    with store_of(ctx) as store:
        schedule = study_of(store, study)
        labs: dict[str, dict] = {}
        for text in lab:
            name, value = parse_lab(text)
            if name in labs:
                raise ParticipantError(f"lab {name} is given twice")
            labs[name] = value
        fields = {"code": code, "sex": sex, "birth_year": birth_year, "enrolled_on": enrolled, "labs": labs}
        if note:
            fields["notes"] = note
        participant = new_participant(fields, code_pattern=schedule.code_pattern)
        store.add_participant(study, participant.code, participant.record(), who=who)
    visits = schedule.planned_visits()
    last_on = participant.enrolled_on + dt.timedelta(days=visits[-1].day)
    typer.echo(
        f"enrolled {participant.code} in {study}: visit 1 on {participant.enrolled_on}, "
        f"{len(visits)} visits every {schedule.visits.every_days} days to {last_on}"
    )


@participant_app.command("list")
def participant_list(ctx: typer.Context, study: str = STUDY) -> None:
    """List a study's participants with their labs, visits held and next visit due.

    Example: qst participant list --study fibromyalgia-ldn
    """
    from qst.participants import Participant

    today = dt.date.today()
    with store_of(ctx, create=False) as store:
        schedule = study_of(store, study)
        records = store.participants(study)
        held: dict[str, list[int]] = {}
        for visit in store.visits(study):
            held.setdefault(visit["participant"], []).append(visit["number"])
        rows = []
        for record in records:  # inside the store's block: a bad stored record is a one-line error
            participant = Participant.from_record(record)
            due = schedule.due(participant.enrolled_on, today, done=held.get(participant.code, ()))
            if due is None:
                upcoming = "none left"
            else:
                upcoming = f"visit {due.visit.number} on {due.on} ({due.earliest} to {due.latest})"
            labs = ", ".join(f"{name} {lab.value:g} {lab.unit}" for name, lab in participant.labs.items())
            rows.append([participant.code, participant.sex, participant.birth_year, participant.enrolled_on,
                         labs or None, len(held.get(participant.code, ())), upcoming])
    if not rows:
        typer.echo(f"study {study} has no participants yet (qst participant add)")
        return
    typer.echo(table(["code", "sex", "born", "enrolled", "labs", "visits", "next"], rows))


# -- visits ------------------------------------------------------------------------------------


@visit_app.command("list")
def visit_list(
    ctx: typer.Context,
    study: str = STUDY,
    participant: str = typer.Option(None, "--participant", "-p", help="Only this participant's visits, e.g. FM01."),
) -> None:
    """List visits: participant, number, phase code, open or closed, trials completed.

    Example: qst visit list --study fibromyalgia-ldn --participant FM01
    """
    with store_of(ctx, create=False) as store:
        study_of(store, study)
        visits = store.visits(study, participant)
    if not visits:
        typer.echo("no visits recorded yet")
        return
    rows = [
        [v["participant"], v["number"], v["phase_code"], v["status"], f"{v['completed']}/{v['planned']}",
         v["runs_not_completed"], v["examiner"] or None, v["opened_utc"][:10]]
        for v in visits
    ]
    headers = ["participant", "visit", "phase", "status", "trials", "not completed", "examiner", "opened"]
    typer.echo(table(headers, rows))


@visit_app.command("show")
def visit_show(
    ctx: typer.Context,
    study: str = STUDY,
    participant: str = typer.Option(..., "--participant", "-p", help="The participant's code, e.g. FM01."),
    visit: int = typer.Option(..., "--visit", "-v", help="The visit's number, from 1."),
) -> None:
    """Show one visit: per-test summaries and every trial with its run id (for qst correct).

    Corrections are applied; phases by code only, treatments are not shown.

    Example: qst visit show --study fibromyalgia-ldn --participant FM01 --visit 3
    """
    from qst.store.derived import summary_rows

    with store_of(ctx, create=False) as store:
        schedule = study_of(store, study)
        found = [v for v in store.visits(study, participant) if v["number"] == visit]
        if not found:
            held = ", ".join(str(v["number"]) for v in store.visits(study, participant)) or "none"
            fail(f"{participant} has no visit {visit} in study {study}; visits recorded: {held}")
        record = store.visit_record(found[0]["visit_id"])
    listed, trials = found[0], record["trials"]
    lines = [
        f"{study}, {participant}, visit {visit}, phase {listed['phase_code']}: {listed['status']}; "
        f"{listed['completed']} of {listed['planned']} planned trials completed",
        f"battery {listed['battery']}; examiner {listed['examiner'] or '—'}; station {listed['station'] or '—'}",
        f"opened {listed['opened_utc']}" + (f", closed {listed['closed_utc']}" if listed["closed_utc"] else ""),
    ]
    if visit <= len(schedule.planned_visits()):
        lines.append(f"the participant is told: {schedule.participant_view(visit)}")
    if listed["notes"]:
        lines.append(f"notes: {listed['notes']}")
    if trials:
        summaries = [
            [s["test"], s["site"], s["n"], _number(s["summary"]), s["unit"], s["flags"] or None]
            for s in summary_rows(trials)
        ]
        lines += ["", table(["test", "site", "n", "summary", "unit", "flags"], summaries), ""]
        rows = [
            [t["test"], t["site"], t["trial"], _number(t["value"]), t["unit"], _trial_state(t), t["run_id"]]
            for t in trials
        ]
        lines.append(table(["test", "site", "trial", "value", "unit", "state", "run id"], rows))
    else:
        lines.append("no trials recorded")
    typer.echo("\n".join(lines))


def _number(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _trial_state(trial: dict) -> str:
    words = [trial["exit_status"]]
    words += [word for word in ("censored", "excluded", "corrected") if trial[word]]
    return ", ".join(words)


# -- diary -------------------------------------------------------------------------------------


@diary_app.command("import")
def diary_import(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV with participant, date (ISO), rating (0–100) and optionally symptom."),
    study: str = STUDY,
    who: str = WHO,
) -> None:
    """Import daily symptom ratings (0–100) from a CSV file.

    Columns: participant, date (ISO), rating, and optionally symptom. The whole file is checked first: a bad row, an unknown participant or a column of personal data refuses it all. Ratings already stored are skipped; a different rating for a stored day refuses the file.

    Example: qst diary import --study fibromyalgia-ldn ratings.csv
    """
    from qst.diary import read_diary
    from qst.participants import Participant

    with store_of(ctx) as store:
        study_of(store, study)
        enrolled = {
            participant.code: participant.enrolled_on
            for participant in map(Participant.from_record, store.participants(study))
        }
        entries = read_diary(file, enrolled=enrolled)
        counts = store.add_diary(study, entries, source=file.name, who=who)
    typer.echo(f"imported {counts['added']} ratings from {file.name}; {counts['duplicates']} already in the store")


# -- export, audit, correct ----------------------------------------------------------------------

EXPORTS = ("tidy", "summary", "json", "traces")


def export(
    ctx: typer.Context,
    study: str = STUDY,
    out: Path = typer.Option(..., "--out", "-o", help="The folder to write into (created if needed)."),
    what: str = typer.Option("tidy", "--what", help="tidy (one row per trial), summary (per visit, test and site), "
                             "json (one file per visit) or traces (raw samples, one CSV per trial)."),
    unblind: bool = typer.Option(False, "--unblind", help="Add each phase's treatment (tidy only); the file is "
                                 "named ...-unblinded.csv."),
) -> None:
    """Export a study's records into a folder: tidy trials, visit summaries, visits as JSON, or traces.

    Example: qst export --study fibromyalgia-ldn --out exports/ --what summary
    """
    if what not in EXPORTS:
        fail(f"--what {what!r}: choose one of {', '.join(EXPORTS)}")
    if unblind and what != "tidy":
        fail(f"--unblind applies to --what tidy only, not {what}")
    with store_of(ctx, create=False) as store:
        study_of(store, study)
        out_folder(out)
        if what == "tidy":
            path = out / f"{study}-trials{'-unblinded' if unblind else ''}.csv"
            written = f"{store.export_tidy_csv(study, path, unblind=unblind)} trials to {path}"
        elif what == "summary":
            path = out / f"{study}-visit-summaries.csv"
            written = f"{store.export_visit_summary_csv(study, path)} summaries to {path}"
        elif what == "json":
            visits = store.visits(study)
            for visit in visits:
                store.export_visit_json(visit["visit_id"], out / f"{visit['participant']}-v{visit['number']:02d}.json")
            written = f"{len(visits)} visits to {out}"
        else:
            files = [path for visit in store.visits(study) for path in store.export_traces(visit["visit_id"], out)]
            written = f"{len(files)} traces to {out}"
    typer.echo(f"exported {written}")


def audit(ctx: typer.Context, study: str = STUDY) -> None:
    """Print a study's audit trail: who did what, when (UTC), oldest first.

    Example: qst audit --study fibromyalgia-ldn
    """
    with store_of(ctx, create=False) as store:
        entries = store.audit(study)
    rows = [[e["at_utc"][:19].replace("T", " "), e["who"], e["action"], e["participant"] or None,
             e["visit"], e["what"]] for e in entries]
    typer.echo(table(["at (UTC)", "who", "action", "participant", "visit", "what"], rows))


def correct(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="The trial's run id (qst visit show lists them)."),
    field: str = typer.Option("value", "--field", help="value, censored or excluded."),
    value: str = typer.Option(..., "--value", help="A number (or none) for value; true or false for the others."),
    why: str = typer.Option(..., "--why", help="Why the correction is made."),
    who: str = typer.Option(..., "--who", help="Who makes it."),
) -> None:
    """Correct a trial's value, censoring or exclusion, saying who and why.

    The recorded documents stay as they were; the correction is a new entry in the audit trail, and exports follow it.

    Example: qst correct 3f2a... --field value --value 44.1 --why "entry typo" --who "A. Examiner"
    """
    corrected = _correction(field, value)
    with store_of(ctx) as store:
        store.correct(run_id, field=field, value=corrected, who=who, why=why)
    typer.echo(f"corrected {field} of run {run_id} to {value}")


def _correction(field: str, text: str):
    """`--value` as the store takes it for `field`."""
    word = text.strip().lower()
    if field == "value":
        if word in ("none", "null", ""):
            return None
        try:
            return float(word)
        except ValueError:
            fail(f"--value {text!r} is not a number (or none)")
    if field in ("censored", "excluded"):
        if word in ("true", "yes", "1"):
            return True
        if word in ("false", "no", "0"):
            return False
        fail(f"--value {text!r}: a {field} correction is true or false")
    return text
