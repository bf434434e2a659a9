"""One participant's course across the phases: the daily diary on top, then each lab
measure per visit (a panel per test, a line per site), phases shaded and labelled."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from qst.analysis.course import ParticipantCourse
from qst.analysis.plots.style import SHADE_ALPHA, SITE_COLOURS, key, new_figure, phase_colours, stamp


MIN_SPAN = {"°C": 2.0, "kPa": 100.0, "mN": 8.0, "s": 30.0}
"""The least span of a lab panel's y axis, by unit: about a typical between-visit change."""


def _shade(ax: Axes, course: ParticipantCourse, colours: dict[str, str], *, label: bool) -> None:
    top = blended_transform_factory(ax.transData, ax.transAxes)
    for phase in course.plan:
        ax.axvspan(phase.first_day - 0.5, phase.last_day + 0.5, color=colours[phase.code], alpha=SHADE_ALPHA, lw=0)
        if label:
            # Codes only above the spans: a short phase has no room for a name; the key
            # at the right gives names and treatments when unblinded.
            ax.text((phase.first_day + phase.last_day) / 2, 1.02, phase.code, transform=top, ha="center",
                    va="bottom", fontsize=11, color=colours[phase.code], fontweight="bold")


def _diary(ax: Axes, course: ParticipantCourse, colours: dict[str, str]) -> None:
    days = course.diary
    if days:
        ax.plot([d.study_day for d in days], [d.rating for d in days], color="#9e9e9e", lw=0.8, zorder=2)
        ax.scatter([d.study_day for d in days], [d.rating for d in days], s=12, zorder=3,
                   c=[colours.get(d.phase_code, "#616161") if d.phase_code else "#616161" for d in days])
    baseline = course.outcome.baseline_rating
    if baseline is not None:
        ax.axhline(baseline, color="#424242", ls="--", lw=1, zorder=1)
    for phase in course.diary_phases:
        if phase.endpoint_rating is None or phase.phase_code == course.settings.baseline_phase:
            continue
        ax.plot([phase.endpoint_first_day - 0.4, phase.endpoint_last_day + 0.4], [phase.endpoint_rating] * 2,
                color="black", lw=3, solid_capstyle="butt", zorder=4)
        change = course.outcome.pct_change.get(phase.phase_code)
        if change is not None:
            ax.annotate(f"{change:+.0f} %", (phase.endpoint_last_day, phase.endpoint_rating), xytext=(-4, 8),
                        textcoords="offset points", ha="right", fontsize=8, fontweight="bold")
    ax.set_ylim(0, 100)
    ax.set_ylabel("Symptom rating\n(0–100, daily)")
    ax.grid(axis="y", color="#e0e0e0", lw=0.6)


def _lab(ax: Axes, course: ParticipantCourse, test: str) -> None:
    sites = [site for t, site in course.measures if t == test]
    unit = ""
    edge = blended_transform_factory(ax.transData, ax.transAxes)
    for i, site in enumerate(sites):
        colour = SITE_COLOURS[i % len(SITE_COLOURS)]
        visits = sorted((v for v in course.visits if v.measure == (test, site) and v.visit in course.visit_days),
                        key=lambda v: course.visit_days[v.visit])
        unit = unit or (visits[0].unit if visits else "")
        known = [(course.visit_days[v.visit], v.value) for v in visits if v.value is not None]
        ax.plot([x for x, _ in known], [y for _, y in known], marker="o", ms=4, lw=1.4, color=colour, label=site)
        for v in visits:
            if not v.censored:
                continue
            x = course.visit_days[v.visit]
            if v.value is None:
                # Nothing to plot but the fact: every trial hit the cut-off.
                ax.plot([x], [0.97], marker="v", ms=7, mfc="white", mec=colour, transform=edge, clip_on=False)
                ax.annotate("all censored", (x, 0.97), xycoords=edge, xytext=(4, -3), textcoords="offset points",
                            fontsize=7, color=colour, va="top")
            else:
                ax.plot([x], [v.value], marker="o", ms=9, mfc="none", mec=colour, mew=1.2)
                ax.annotate(f"{v.censored} censored", (x, v.value), xytext=(5, 5), textcoords="offset points",
                            fontsize=7, color=colour)
    ax.set_ylabel(f"{test}\n({unit})" if unit else test)
    low, high = ax.get_ylim()
    least = MIN_SPAN.get(unit, 0.0)
    if high - low < least:  # a steady measure is drawn flat, not its last digit's noise blown up
        middle = (low + high) / 2
        ax.set_ylim(middle - least / 2, middle + least / 2)
    ax.grid(axis="y", color="#e0e0e0", lw=0.6)
    if len(sites) > 1:
        key(ax, [("━", SITE_COLOURS[i % len(SITE_COLOURS)], site) for i, site in enumerate(sites)], title="site")
    elif sites:
        ax.text(0.005, 0.95, sites[0], transform=ax.transAxes, fontsize=7, va="top", color="#424242")


def course_figure(course: ParticipantCourse) -> Figure:
    """The participant's page: title with sex, age, baseline labs and the outcome; the diary;
    a panel per lab test; study days on the shared x axis."""
    tests = list(dict.fromkeys(test for test, _ in course.measures))
    figure = new_figure()
    heights = [2.2] + [1.0] * len(tests)
    axes = figure.subplots(len(heights), 1, sharex=True, gridspec_kw=dict(height_ratios=heights, hspace=0.12),
                           squeeze=False)[:, 0]
    colours = phase_colours(course.plan.codes)
    for i, ax in enumerate(axes):
        _shade(ax, course, colours, label=i == 0)
    _diary(axes[0], course, colours)
    for ax, test in zip(axes[1:], tests):
        _lab(ax, course, test)
    axes[-1].set_xlabel("Study day (days since enrolment)")
    axes[-1].set_xlim(course.plan.phases[0].first_day - 1, course.plan.phases[-1].last_day + 1)

    p = course.participant
    o = course.outcome
    labs = ", ".join(f"{name} {value:g} {unit}" for name, (value, unit) in p.labs.items())
    if o.reduction_over_placebo_pct is None:
        outcome = "reduction not evaluable"
    else:
        s = course.settings
        what = "over placebo" if course.blinding.unblinded else f"{s.drug_phase} vs {s.placebo_phase}"
        verdict = "responder" if o.responder else "not a responder"
        outcome = f"reduction {what} {o.reduction_over_placebo_pct:+.1f} pp ({verdict})"
    figure.suptitle(f"{p.code}: course through the study{f' {course.study}' if course.study else ''}",
                    x=0.01, ha="left", y=0.995, fontsize=14, fontweight="bold")
    figure.text(0.01, 0.945, f"{p.sex}, age {p.age_on(p.enrolled_on)} at enrolment" + (f"; {labs}" if labs else "")
                + f"; {outcome}", fontsize=10, ha="left", va="top", color="#424242")
    figure.subplots_adjust(left=0.09, right=0.83, top=0.86, bottom=0.07)
    baseline = o.baseline_rating
    endpoint = f"endpoint (last {course.settings.endpoint_days} days)"
    key(axes[0], [("━", "black", endpoint),
                  ("╌", "#424242", "baseline mean" + (f" {baseline:.0f}" if baseline is not None else ""))]
        + [("■", colours[phase.code], course.phase_labels[phase.code]) for phase in course.plan])
    stamp(figure, course.blinding)
    return figure
