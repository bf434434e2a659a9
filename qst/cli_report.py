"""`qst simulate-study N` and `qst report visit|participant|study`.

Only typer is imported at first; the store, the simulators and matplotlib when a command runs.
"""

from __future__ import annotations

import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

import typer

from qst.cli_support import db_url, fail, open_store, out_folder, refusing_bad_input

STUDY = typer.Option(..., "--study", "-s", help="The study's name, e.g. fibromyalgia-ldn.")
PARTICIPANT = typer.Option(..., "--participant", "-p", help="The participant's code, e.g. FM01.")
UNBLIND = typer.Option(False, "--unblind", help="Show phase names and treatments (the study team only).")
DB = typer.Option(None, "--db", metavar="URL", help="The records store (default: qst --db, $QST_DB, or yours).")

report_app = typer.Typer(rich_markup_mode=None, 
    help="Reports from the records store, blinded unless --unblind.\n\n"
    "Example: qst report study --study fibromyalgia-ldn --out qst-report",
    no_args_is_help=True,
)


@contextmanager
def _report_errors():
    """Store, study and analysis refusals as one line, exit 2."""
    from qst.analysis import AnalysisError
    from qst.reporting import ReportError

    with refusing_bad_input():
        try:
            yield
        except (ReportError, AnalysisError) as error:
            fail(str(error))


@contextmanager
def _store(ctx: typer.Context, db: str | None):
    """The store the report reads: its own --db, else qst's; one that exists (reports only read)."""
    with _report_errors():
        store = open_store(db if db is not None else db_url(ctx), create=False)
        try:
            yield store
        finally:
            store.close()


def simulate_study(
    n: int = typer.Argument(..., help="How many virtual participants (codes FM01, FM02, ...)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the cohort, their visits and diaries."),
    db: str = typer.Option(
        None, "--db", metavar="URL",
        help="Store to fill (must not hold the study yet). Default: a fresh OUT/simulated.sqlite3.",
    ),
    out: Path = typer.Option(Path("qst-report"), "--out", help="Where the report (and the default store) go."),
    study_name: str = typer.Option("fibromyalgia-ldn", "--study", help="A study shipped with qst."),
    tests: str = typer.Option(None, "--tests", help="Only these tests of the battery, e.g. HPT,PPT."),
    workers: int = typer.Option(0, "--workers", help="Processes running visits (default: CPUs, at most 4)."),
    unblind: bool = UNBLIND,
) -> None:
    """Simulate a whole study on the simulated devices and write its report.

    N virtual participants go through every visit in virtual time, with daily diaries and a
    drug effect that grows with ESR.

    Synthetic data never goes into an existing study: the store is a fresh SQLite file in the
    --out folder unless --db names one, and a store already holding the study is refused.

    Example: qst simulate-study 10 --seed 1 --out sim-report
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from qst.report_files import start_statistics, write_study_report
    from qst.reporting import load, study_summary
    from qst.simulation import simulate_study as simulate
    from qst.study import shipped_study_text

    if workers < 0:
        fail(f"--workers must be 0 (the default) or more, not {workers}")
    console = Console()
    started = time.perf_counter()
    # Forked first, before the progress bar's thread and the visits' workers: the child imports
    # scipy while the visits run, instead of after them.
    statistics = start_statistics()
    with _report_errors(), statistics or nullcontext():
        text = shipped_study_text(study_name)
        url = db if db is not None else str(out / "simulated.sqlite3")
        wanted = [t.strip().upper() for t in tests.split(",") if t.strip()] if tests is not None else None
        from qst.store import Store

        out_folder(out)
        with Store.open(url) as store:
            with Progress(TextColumn("[bold]simulating[/bold] {task.description}"), BarColumn(),
                          MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=False) as bar:
                task = bar.add_task("visits", total=None)

                def progress(what: str, done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total, description=what)

                try:
                    result = simulate(store, n, seed=seed, study_text=text, tests=wanted,
                                      workers=workers or None, progress=progress)
                except ValueError as error:
                    if isinstance(error, _input_errors()):
                        raise
                    fail(str(error))
            simulated_s = time.perf_counter() - started
            console.print(
                f"{result.visits} visits of {n} participant(s), {result.documents} documents, "
                f"{result.diary_entries} diary ratings into {store.location}; "
                f"{result.simulated_s / 3600:.1f} simulated hours in {simulated_s:.1f} s on {result.workers} worker(s)",
                markup=False,
            )
            data = load(store, result.study)
        _, written = write_study_report(data, out, unblind=unblind, statistics=statistics,
                                        show=lambda report: console.print(study_summary(report)))
    console.print(f"wrote {written.pdf} ({written.pages} pages) and {len(written.pngs)} PNGs to {out}", markup=False)
    # One line whatever the terminal's width, so that it can be copied as a command.
    console.print(f"reports: qst report study --study {result.study} --db {url}", markup=False, soft_wrap=True)


def _input_errors():
    from qst.cli_support import _input_errors as errors

    return errors()


@report_app.command("visit")
def report_visit(
    ctx: typer.Context,
    study: str = STUDY,
    participant: str = PARTICIPANT,
    visit: int = typer.Option(..., "--visit", "-v", help="The visit's number, e.g. 3."),
    unblind: bool = UNBLIND,
    db: str = DB,
) -> None:
    """One visit: each test's trials, value, z-score against the reference where a row fits.

    Example: qst report visit --study fibromyalgia-ldn --participant FM01 --visit 3
    """
    from rich.console import Console

    from qst.reporting import load, visit_report

    with _store(ctx, db) as store:
        data = load(store, study)
        Console().print(visit_report(data, participant, visit, unblind=unblind))


@report_app.command("participant")
def report_participant(
    ctx: typer.Context, study: str = STUDY, participant: str = PARTICIPANT, unblind: bool = UNBLIND, db: str = DB
) -> None:
    """A participant's course: every measure by visit with sparklines, diary by phase, outcome.

    Example: qst report participant --study fibromyalgia-ldn --participant FM01
    """
    from rich.console import Console

    from qst.reporting import load, participant_report

    with _store(ctx, db) as store:
        data = load(store, study)
        Console().print(participant_report(data, participant, unblind=unblind))


@report_app.command("study")
def report_study(
    ctx: typer.Context,
    study: str = STUDY,
    unblind: bool = UNBLIND,
    out: Path = typer.Option(Path("qst-report"), "--out", help="Folder for the PNGs and the PDF."),
    db: str = DB,
) -> None:
    """The cohort: per-participant table, phase means, drug vs placebo, response on ESR;
    writes a PNG per page and one PDF (cover, cohort pages, a page per participant).

    Example: qst report study --study fibromyalgia-ldn --out qst-report
    """
    from rich.console import Console

    from qst.report_files import start_statistics, without_cycle_collection, write_study_report

    statistics = start_statistics()  # first: it imports scipy while this process reads the store
    with statistics or nullcontext(), without_cycle_collection():
        from qst.reporting import load, study_summary

        console = Console()
        with _store(ctx, db) as store:
            data = load(store, study)
        with _report_errors():
            _, written = write_study_report(data, out, unblind=unblind, statistics=statistics,
                                            show=lambda report: console.print(study_summary(report)))
    console.print(f"wrote {written.pdf} ({written.pages} pages: {written.cohort_pages} cohort, "
                  f"{written.participant_pages} participant) and {len(written.pngs)} PNGs to {out}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("simulate-study")(simulate_study)
    app.add_typer(report_app, name="report")
