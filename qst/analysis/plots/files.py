"""Writing the figures: PNG files, and one multi-page PDF report — a cover page stating the
blinding, the cohort pages, then a page per participant. Files carry the blinding in their
names' suffix, on every page and in their metadata."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.image import imsave

from qst.analysis.blinding import Blinding
from qst.analysis.cohort import CohortReport
from qst.analysis.course import ParticipantCourse
from qst.analysis.plots.cohort_figures import paired_figure, phase_means_figures, response_figure
from qst.analysis.plots.course_figure import CoursePages
from qst.analysis.plots.style import PNG_DPI, new_figure, stamp
from qst.analysis.report_text import cohort_text, number
from qst.atomic import replacing

TABLE_ROWS_PER_PAGE = 24

PNG_COMPRESS_LEVEL = 1
"""zlib level of the PNGs: flat-coloured plots compress nearly as well at 1 as at the
default 6, and level 6 costs about a third of each figure's time."""


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "unnamed"


def _metadata(blinding: Blinding, title: str) -> dict[str, str]:
    return {"Title": title, "Subject": blinding.statement, "Keywords": f"qst; {blinding.value}"}


COVER_FONT_PT = 8
MONOSPACE_ADVANCE_EM = 0.602
"""Width of a character of DejaVu Sans Mono (matplotlib's monospace), in ems."""


def _wrapped(text: str, width_chars: int) -> str:
    """Each line folded at `width_chars`, continuations indented under its first word. Done
    here rather than by matplotlib's `wrap=True`, which measures the text over and over
    (a second a page)."""
    out = []
    for line in text.splitlines():
        indent = " " * (len(line) - len(line.lstrip()) + 4)
        out.append(textwrap.fill(line, width_chars, subsequent_indent=indent, break_on_hyphens=False) if line else "")
    return "\n".join(out)


def cover_figure(report: CohortReport) -> Figure:
    """First page: the blinding, in large letters, and the cohort's results as text."""
    figure = new_figure()
    colour = "#b71c1c" if report.blinding.unblinded else "#2e7d32"
    figure.text(0.5, 0.93, report.blinding.value.upper(), ha="center", va="top", fontsize=34, fontweight="bold",
                color=colour)
    figure.text(0.5, 0.84, f"QST study report: {report.study}", ha="center", va="top", fontsize=16)
    width_chars = int(0.9 * figure.get_figwidth() * 72 / (MONOSPACE_ADVANCE_EM * COVER_FONT_PT))
    figure.text(0.05, 0.76, _wrapped(cohort_text(report), width_chars), ha="left", va="top", fontsize=COVER_FONT_PT,
                family="monospace")
    stamp(figure, report.blinding)
    return figure


def table_figures(report: CohortReport) -> list[Figure]:
    """The per-participant table, `TABLE_ROWS_PER_PAGE` rows a page."""
    rows = report.table()
    if not rows:
        return []
    columns = list(rows[0])
    pages = []
    for start in range(0, len(rows), TABLE_ROWS_PER_PAGE):
        chunk = rows[start:start + TABLE_ROWS_PER_PAGE]
        figure = new_figure()
        ax = figure.add_axes((0.02, 0.04, 0.96, 0.84))
        ax.axis("off")
        cells = [[_cell(row[c]) for c in columns] for row in chunk]
        table = ax.table(cellText=cells, colLabels=[textwrap.fill(c, 16) for c in columns], loc="upper center",
                         cellLoc="center")
        table.auto_set_font_size(False)
        table.set_fontsize(8)
        table.scale(1, 1.35)
        for (r, _), cell in table.get_celld().items():
            if r == 0:
                cell.set_facecolor("#eeeeee")
                cell.set_height(cell.get_height() * 1.8)
        figure.suptitle("Participants", x=0.01, ha="left", y=0.995, fontsize=14, fontweight="bold")
        figure.text(0.01, 0.945, f"{report.study} — {len(rows)} participant(s); % change positive = symptoms reduced",
                    fontsize=10, ha="left", va="top", color="#424242")
        stamp(figure, report.blinding)
        pages.append(figure)
    return pages


def _cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return number(value)
    return "—" if value is None else str(value)


def cohort_figures(report: CohortReport) -> list[tuple[str, Figure]]:
    """(name, figure) of every cohort page, in report order."""
    named = [("cohort-response", response_figure(report))]
    means = phase_means_figures(report)
    named += [(f"cohort-phase-means-{i}" if len(means) > 1 else "cohort-phase-means", f)
              for i, f in enumerate(means, start=1)]
    named.append(("cohort-paired", paired_figure(report)))
    tables = table_figures(report)
    named += [(f"cohort-table-{i}" if len(tables) > 1 else "cohort-table", f) for i, f in enumerate(tables, start=1)]
    return named


@dataclass(frozen=True)
class ReportPages:
    """What a PDF report holds: `path`, its `blinding`, and its pages by kind."""

    path: Path
    blinding: Blinding
    cover: int
    cohort: int
    participants: int

    @property
    def total(self) -> int:
        return self.cover + self.cohort + self.participants


def write_report_pdf(report: CohortReport, path: str | Path) -> ReportPages:
    """The report as one PDF: cover (blinding and results), cohort pages, a page per participant.
    Written whole or not at all (see `qst.atomic`): an OSError names the file."""
    path = Path(path)
    cohort = cohort_figures(report)
    metadata = _metadata(report.blinding, f"QST report {report.study} ({report.blinding.value})")
    courses = CoursePages()
    with replacing(path) as temporary, temporary.open("wb") as handle:
        # Not `with PdfPages(...)`: closing it after a failed write (a full disk) would finish
        # the PDF over a broken stream and raise zlib's error in place of the disk's.
        pdf = PdfPages(handle, metadata=metadata)
        pdf.savefig(cover_figure(report))
        for _, figure in cohort:
            pdf.savefig(figure)
        for course in report.courses:
            pdf.savefig(courses.figure(course))
        pdf.close()
    return ReportPages(path, report.blinding, 1, len(cohort), len(report.courses))


def _write_png(pixels: memoryview, directory: Path, name: str, blinding: Blinding) -> Path:
    target = directory / f"{name}.{blinding.value}.png"
    with replacing(target) as temporary:
        imsave(temporary, pixels, format="png", dpi=PNG_DPI,
               metadata={**_metadata(blinding, name), "Blinding": blinding.value},
               pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return target


def _pixels(figure: Figure) -> memoryview:
    figure.canvas.draw()
    return figure.canvas.buffer_rgba()


def write_cohort_pngs(report: CohortReport, directory: str | Path) -> list[Path]:
    """A PNG per cohort page (see `write_pngs`)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return [_write_png(_pixels(figure), directory, name, report.blinding) for name, figure in cohort_figures(report)]


def write_course_pngs(courses: Sequence[ParticipantCourse], directory: str | Path) -> list[Path]:
    """A PNG per participant (see `write_pngs`): they need no cohort statistics."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    pages = CoursePages()
    return [_write_png(pages.pixels(c), directory, f"course-{_safe(c.participant.code)}", c.blinding)
            for c in courses]


def write_pngs(report: CohortReport, directory: str | Path) -> list[Path]:
    """A PNG per cohort page and per participant, named "<what>.<blinded|unblinded>.png",
    1200 × 800 px; returns the paths written. Each is written whole or not at all (see
    `qst.atomic`): an OSError names the file."""
    return write_cohort_pngs(report, directory) + write_course_pngs(report.courses, directory)
