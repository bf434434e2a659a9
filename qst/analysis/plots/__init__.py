"""Figures of the analysis (matplotlib, Agg: no screen needed): a participant's course, the
cohort pages, PNG files and the multi-page PDF report. Every figure is stamped blinded or
unblinded."""

from qst.analysis.plots.cohort_figures import paired_figure, phase_means_figures, response_figure
from qst.analysis.plots.course_figure import CoursePages, course_figure
from qst.analysis.plots.files import (
    ReportPages,
    write_cohort_pngs,
    write_course_pngs,
    write_pngs,
    write_report_pdf,
)

__all__ = [
    "CoursePages",
    "ReportPages",
    "course_figure",
    "paired_figure",
    "phase_means_figures",
    "response_figure",
    "write_cohort_pngs",
    "write_course_pngs",
    "write_pngs",
    "write_report_pdf",
]
