"""The study report's files — a PNG per cohort page and per participant, one PDF — made by
three processes where a process can be forked.

Of a cold `qst report study`, importing scipy.stats takes about a second, matplotlib most of
one, and each page a tenth to a few tenths of a second to draw, once as a PNG and once into
the PDF. Only the cohort needs scipy, and the PDF is drawn in order by one process, its cover
and cohort pages (which need the statistics) first. So:

- `start_statistics` forks a child that imports scipy.stats while this process reads the
  store; sent the study's records, it computes the cohort;
- this process imports matplotlib and forks a second child that draws the participants'
  PNGs (no statistics needed), then the cohort PNGs once the cohort is known;
- this process shows the summary as soon as the cohort arrives, then draws the PDF.

On a 2-vCPU machine the cohort arrives about a second in; the PDF's fifteen pages then take
1.4 s and the PNGs' child 1.5 s, both CPUs busy to the end. Without fork or a second CPU,
one process does it all in turn.
"""

from __future__ import annotations

import gc
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qst.forked import Forked, Inbox, can_fork

if TYPE_CHECKING:  # only this module is imported before the statistics child is forked
    from qst import analysis as qa
    from qst.reporting import StudyData


@dataclass(frozen=True)
class WrittenReport:
    pdf: Path
    pngs: list[Path]
    pages: int
    participant_pages: int
    cohort_pages: int


def _cohort(inbox: Inbox) -> qa.CohortReport:
    gc.disable()  # a child that ends with its result (see `without_cycle_collection`)
    from scipy import stats  # noqa: F401  (the second this takes overlaps the parent's reading of the store)

    data, unblind = inbox.recv()
    return data.cohort(unblind)


def start_statistics() -> Forked | None:
    """A child importing scipy.stats, to be sent `(data, unblind)` for the cohort; None where
    no process can be forked."""
    if not can_fork():
        return None
    # numpy, which both scipy and matplotlib load, once before the fork rather than in both
    # processes: the child is ready for its data no later, as this process reads the store meanwhile.
    import numpy  # noqa: F401

    return Forked(_cohort)


def _pngs(inbox: Inbox, courses: Sequence[qa.ParticipantCourse], out: Path) -> list[Path]:
    from qst.analysis.plots import write_cohort_pngs, write_course_pngs

    # Stopped by the parent (its PDF failed), leave through the writers' clean-up rather than
    # at once, which would leave the PNG being written behind as a temporary file.
    signal.signal(signal.SIGTERM, _exit)

    participants = write_course_pngs(courses, out)
    report = inbox.recv()
    return write_cohort_pngs(report, out) + participants


def _exit(signal_number: int, frame: object) -> None:
    raise SystemExit(128 + signal_number)


def write_study_report(data: StudyData, out: str | Path, *, unblind: bool,
                       show: Callable[[qa.CohortReport], None],
                       statistics: Forked | None = None) -> tuple[qa.CohortReport, WrittenReport]:
    """The cohort of `data`, shown by `show` as soon as it is known, and its PNGs and PDF
    (named with the blinding) in `out`. `statistics` is a child from `start_statistics`, if
    one was started early; else one is started here. A file that cannot be written is a
    ReportError naming it, and what was at its path before is left as it was."""
    out = Path(out)
    _folder(out)
    statistics = statistics or start_statistics()
    with _naming_unwritable_files(), without_cycle_collection():
        return _write(data, out, unblind, show, statistics)


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection while the report is made (the PNG child, forked inside,
    inherits it): matplotlib makes hundreds of thousands of objects, and the collector walked
    them over and over, 0.3 CPU s of a 5 s report; the cycles they leave are few (peak memory
    0.5 MB higher, measured). Put back as it was after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _write(data: StudyData, out: Path, unblind: bool, show: Callable[[qa.CohortReport], None],
           statistics: Forked | None) -> tuple[qa.CohortReport, WrittenReport]:
    if statistics is None:
        from qst.analysis.plots import write_pngs, write_report_pdf

        report = data.cohort(unblind)
        show(report)
        pngs = write_pngs(report, out)
        pages = write_report_pdf(report, _pdf_path(report, out))
    else:
        with statistics:
            statistics.send((data, unblind))
            from qst.analysis.plots import write_report_pdf  # matplotlib, while the child computes

            courses = [data.course(p.code, unblind) for p in data.participants]
            with Forked(_pngs, courses, out) as drawer:
                report = statistics.result()
                show(report)
                drawer.send(report)
                pages = write_report_pdf(report, _pdf_path(report, out))
                pngs = drawer.result()
    return report, WrittenReport(pages.path, pngs, pages.total, pages.participants, pages.cohort)


def _folder(out: Path) -> None:
    """`out` made a folder if it is not one yet; a file in its place is refused in one line."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        from qst.reporting import ReportError

        raise ReportError(f"{out} is a file, not a folder") from None


@contextmanager
def _naming_unwritable_files() -> Iterator[None]:
    """A report file that this process or a child cannot write: a ReportError naming it (the
    writers' OSErrors name their file, see `qst.atomic`, and come back from a child whole)."""
    try:
        yield
    except OSError as error:
        if error.filename is None:  # not a file's failure (a child that died, say)
            raise
        from qst.reporting import ReportError
        from qst.store.errors import plain_reason

        raise ReportError(f"cannot write {error.filename}: {plain_reason(error)}") from error


def _pdf_path(report: qa.CohortReport, out: Path) -> Path:
    return out / f"report-{report.study}.{report.blinding.value}.pdf"
