"""The cohort pages: drug response against the baseline predictor with the fitted line;
per-phase means with confidence intervals; drug vs placebo pairs with the paired tests."""

from __future__ import annotations

import math

from matplotlib.figure import Figure

from qst.analysis.cohort import CohortReport
from qst.analysis.plots.style import PHASE_COLOURS, new_figure, phase_colours, stamp, wrap_label
from qst.analysis.report_text import comparison_line, p_value

PANELS_PER_PAGE = 12


def _title(figure: Figure, report: CohortReport, title: str, subtitle: str = "") -> None:
    figure.suptitle(title, x=0.01, ha="left", y=0.995, fontsize=14, fontweight="bold")
    if subtitle:
        figure.text(0.01, 0.945, subtitle, fontsize=10, ha="left", va="top", color="#424242")
    stamp(figure, report.blinding)


def response_figure(report: CohortReport) -> Figure:
    """Each participant's drug response (percentage points) against the baseline predictor,
    with the least-squares line and its R², p and n, and the responder threshold."""
    r = report.regression
    fit = r.regression
    s = report.settings
    figure = new_figure()
    ax = figure.add_subplot()
    xs = [x for _, x, _ in r.points]
    ys = [y for _, _, y in r.points]
    responders = [y >= s.responder_threshold_pct for y in ys]
    drug = PHASE_COLOURS[list(report.plan.codes).index(s.drug_phase) % len(PHASE_COLOURS)]
    ax.scatter([x for x, k in zip(xs, responders) if k], [y for y, k in zip(ys, responders) if k], s=46,
               color=drug, edgecolor="black", lw=0.6, zorder=3, label="responder")
    ax.scatter([x for x, k in zip(xs, responders) if not k], [y for y, k in zip(ys, responders) if not k], s=46,
               facecolor="white", edgecolor=drug, lw=1.4, zorder=3, label="not a responder")
    for code, x, y in r.points:
        ax.annotate(code, (x, y), xytext=(4, 3), textcoords="offset points", fontsize=7, color="#616161")
    ax.axhline(s.responder_threshold_pct, color="#616161", ls=":", lw=1)
    ax.text(1.0, s.responder_threshold_pct, f" responder ≥ {s.responder_threshold_pct:g} pp",
            transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=8, color="#616161")
    ax.axhline(0, color="#bdbdbd", lw=0.8)
    if fit.slope is not None and xs:
        lo, hi = min(xs), max(xs)
        ax.plot([lo, hi], [fit.intercept + fit.slope * lo, fit.intercept + fit.slope * hi], color="black", lw=1.6,
                label="least-squares line")
        text = (f"response = {fit.intercept:.1f} + {fit.slope:.2f} × {r.predictor}\n"
                f"R² = {fit.r_squared:.2f}, {p_value(fit.p)}, n = {fit.n}")
    else:
        text = "no fit: " + "; ".join(fit.notes)
    ax.text(0.02, 0.97, text, transform=ax.transAxes, va="top", ha="left", fontsize=11,
            bbox=dict(boxstyle="round,pad=0.4", facecolor="white", edgecolor="#9e9e9e"))
    ax.set_xlabel(f"Baseline {r.predictor} ({r.predictor_unit})" if r.predictor_unit else f"Baseline {r.predictor}")
    ax.set_ylabel(f"Symptom {r.response_label}".replace("(pp)", "(percentage points)"))
    ax.legend(loc="lower right", fontsize=9)
    ax.grid(color="#eeeeee", lw=0.6)
    what = "Drug response" if report.blinding.unblinded else f"Response, phase {s.drug_phase} vs {s.placebo_phase},"
    _title(figure, report, f"{what} against baseline {r.predictor}",
           f"{report.study} — {report.responders} of {report.evaluable} evaluable participants respond"
           + (f"; {'; '.join(report.notes)}" if report.notes else ""))
    figure.subplots_adjust(left=0.08, right=0.86, top=0.88, bottom=0.09)
    return figure


def phase_means_figures(report: CohortReport) -> list[Figure]:
    """Cohort mean and CI of each measure in each phase, a panel per measure, as many pages
    as the measures need."""
    measures = list(dict.fromkeys(e.measure for e in report.phase_estimates))
    colours = phase_colours(report.plan.codes)
    pages = []
    for start in range(0, len(measures), PANELS_PER_PAGE):
        chunk = measures[start:start + PANELS_PER_PAGE]
        columns = min(3, len(chunk))
        rows = math.ceil(len(chunk) / columns)
        figure = new_figure()
        grid = figure.add_gridspec(rows, columns)
        for panel, measure in enumerate(chunk):
            ax = figure.add_subplot(grid[panel // columns, panel % columns])
            estimates = report.estimates(measure)
            for i, e in enumerate(estimates):
                colour = colours[e.phase_code]
                if e.ci.mean is None:
                    continue
                if e.ci.lower is not None:
                    ax.errorbar([i], [e.ci.mean], yerr=[[e.ci.mean - e.ci.lower], [e.ci.upper - e.ci.mean]],
                                fmt="o", color=colour, ms=7, capsize=4, lw=1.6)
                else:
                    ax.plot([i], [e.ci.mean], "o", color=colour, ms=7)
                ax.annotate(f"n={e.ci.n}", (i, e.ci.mean), xytext=(6, 0), textcoords="offset points", fontsize=6,
                            va="center", color="#757575")
            ax.set_xticks(range(len(estimates)), [e.phase_code for e in estimates])
            ax.set_xlim(-0.6, len(estimates) - 0.4)
            ax.set_title(measure, fontsize=10)
            ax.set_ylabel(estimates[0].unit if estimates else "", fontsize=8)
            ax.tick_params(labelsize=8)
            ax.grid(axis="y", color="#eeeeee", lw=0.6)
        key = "   ".join(report.phase_labels[p.code] for p in report.plan)
        page = f" (page {start // PANELS_PER_PAGE + 1})" if len(measures) > PANELS_PER_PAGE else ""
        _title(figure, report, f"Cohort means by phase, {int(report.settings.confidence * 100)} % CI{page}",
               f"{report.study} — phases: {key}")
        figure.subplots_adjust(left=0.07, right=0.98, top=0.86, bottom=0.06, hspace=0.55, wspace=0.3)
        pages.append(figure)
    return pages


def paired_figure(report: CohortReport) -> Figure:
    """Each participant's % change in the placebo and the drug phase joined by a line, and
    the paired comparisons of every measure."""
    s = report.settings
    colours = phase_colours(report.plan.codes)
    figure = new_figure()
    ax = figure.add_axes((0.07, 0.40, 0.36, 0.46))
    for row in report.rows:
        a, b = row.pct_change.get(s.placebo_phase), row.pct_change.get(s.drug_phase)
        if a is None or b is None:
            continue
        ax.plot([0, 1], [a, b], color="#9e9e9e", lw=0.8, zorder=1)
        ax.scatter([0], [a], color=colours[s.placebo_phase], s=22, zorder=2)
        ax.scatter([1], [b], color=colours[s.drug_phase], s=22, zorder=2)
    ax.axhline(0, color="#bdbdbd", lw=0.8)
    ax.set_xticks([0, 1], [wrap_label(report.phase_labels[s.placebo_phase]),
                           wrap_label(report.phase_labels[s.drug_phase])], fontsize=9)
    ax.set_xlim(-0.4, 1.4)
    ax.set_ylabel("Symptom % change from baseline\n(positive = better)")
    ax.set_title("Diary % change, paired by participant", fontsize=10)
    ax.grid(axis="y", color="#eeeeee", lw=0.6)
    lines = [comparison_line(c) for c in report.comparisons]
    figure.text(0.47, 0.86, "Paired comparisons (difference = second − first phase)", fontsize=10, fontweight="bold",
                va="top")
    figure.text(0.47, 0.82, "\n\n".join(_wrap(line, 62) for line in lines), fontsize=8.5, va="top", family="monospace")
    _title(figure, report, "Drug vs placebo, paired" if report.blinding.unblinded
           else f"Phase {s.drug_phase} vs phase {s.placebo_phase}, paired",
           f"{report.study} — Wilcoxon signed-rank (W, the smaller rank sum) and paired t; two-sided p")
    return figure


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(" "), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = "  " + word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)
