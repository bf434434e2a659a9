"""`qst study ...`: write a starter study file, add a study to the store, show one."""

from __future__ import annotations

from pathlib import Path

import typer

from qst.cli_support import fail, refusing_bad_input, store_of, study_of, table

study_app = typer.Typer(rich_markup_mode=None, 
    help="Studies: phases, visit schedule and battery, defined in a TOML file.\n\n"
    "Example: qst study init my-study.toml && qst study add my-study.toml",
    no_args_is_help=True,
)


@study_app.command("init")
def init(
    path: Path = typer.Argument(
        Path("study.toml"), help="Where to write the starter file (must not exist yet; a folder gets study.toml)."
    ),
) -> None:
    """Write a starter study file to edit: the first study, a fibromyalgia LDN crossover.

    Example: qst study init fm-ldn.toml
    """
    from qst.study import shipped_study_text

    text = shipped_study_text()
    if path.is_dir():
        path = path / "study.toml"
    try:
        out = open(path, "x", encoding="utf-8")  # "x": never overwrite a coordinator's edited file
    except FileExistsError:
        fail(f"{path} already exists; give another path, or move it away first")
    except OSError as error:
        fail(f"cannot write {path}: {error.strerror or error}")
    try:
        with out:
            out.write(text)
    except OSError as error:
        path.unlink(missing_ok=True)  # no half-written starter left behind
        fail(f"cannot write {path}: {error.strerror or error}")
    typer.echo(f"wrote {path}: edit it, then add it with: qst study add {path}")


@study_app.command("add")
def add(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The study's TOML file."),
) -> None:
    """Check a study file and add the study to the store.

    Example: qst study add fm-ldn.toml
    """
    from qst.study import load_study, read_text

    with refusing_bad_input():
        text = read_text(file, str(file))
        study = load_study(text, source=str(file))
    with store_of(ctx) as store:
        store.add_study(study.name, text)
    visits = study.planned_visits()
    typer.echo(
        f"added study {study.name}: {len(study.phases)} phases over {study.last_day} days, "
        f"{len(visits)} visits every {study.visits.every_days} days, battery {study.visits.battery}"
    )


@study_app.command("show")
def show(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The study's name, e.g. fibromyalgia-ldn."),
    unblind: bool = typer.Option(False, "--unblind", help="Also show each phase's name and treatment."),
) -> None:
    """Show a stored study: phases, visit schedule and battery.

    Blinded unless --unblind: phases by code only, as participants know them.

    Example: qst study show fibromyalgia-ldn
    """
    with store_of(ctx, create=False) as store:
        study = study_of(store, name)
    lines = [f"{study.name}: {study.title}"]
    if study.description:
        lines.append(study.description)
    lines += [
        f"blinding: {study.blinding}; participant codes match {study.code_pattern}",
        f"battery: {study.visits.battery}; a visit every {study.visits.every_days} days, "
        f"± {study.visits.window_days} days",
        "",
    ]
    headers = ["phase", "weeks", "days"] + (["name", "treatment"] if unblind else [])
    rows = [
        [phase.code, phase.weeks, f"{first}–{last}"] + ([phase.name, phase.treatment] if unblind else [])
        for phase, first, last in study.phase_days()
    ]
    lines += [table(headers, rows), ""]
    window = study.visits.window_days
    rows = [
        [visit.number, visit.day, f"{max(0, visit.day - window)}–{visit.day + window}", visit.phase_code]
        for visit in study.planned_visits()
    ]
    lines.append(table(["visit", "day", "window", "phase"], rows))
    lines += ["", "A visit on the day one phase ends belongs to the phase that ends; day 0 is enrolment."]
    if not unblind and study.blinded:
        lines.append("Blinded: phases by code only (--unblind shows names and treatments).")
    typer.echo("\n".join(lines))
