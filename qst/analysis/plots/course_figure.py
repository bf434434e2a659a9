"""One participant's course across the phases: the daily diary on top, then each lab
measure per visit (a panel per test, a line per site), phases shaded and labelled.

The axes, their ticks and the phase shading are most of a page's cost and are the same for
every participant of a report, so `CoursePages` keeps one figure per frame (plan, blinding,
lab tests) and draws each participant's data, titles and keys into it in turn; as pixels,
over the frame drawn once."""

from __future__ import annotations

from collections.abc import Hashable

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from qst.analysis.course import ParticipantCourse
from qst.analysis.plots.style import SHADE_ALPHA, SITE_COLOURS, key, new_figure, phase_colours, stamp


YLABEL_X = -0.065
"""Where the panels' y labels stand: left of the axes by this fraction of their width."""
MIN_SPAN = {"°C": 2.0, "kPa": 100.0, "mN": 8.0, "s": 30.0}
"""The least span of a lab panel's y axis, by unit: about a typical between-visit change."""


def _tests(course: ParticipantCourse) -> list[str]:
    return list(dict.fromkeys(test for test, _ in course.measures))


def frame_key(course: ParticipantCourse) -> Hashable:
    """What a course page's frame depends on: two courses with equal keys can share a figure."""
    return course.plan, tuple(course.phase_labels.items()), course.blinding, tuple(_tests(course))


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
    endpoint = f"endpoint (last {course.settings.endpoint_days} days)"
    key(ax, [("━", "black", endpoint),
             ("╌", "#424242", "baseline mean" + (f" {baseline:.0f}" if baseline is not None else ""))]
        + [("■", colours[phase.code], course.phase_labels[phase.code]) for phase in course.plan])


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
    if len(sites) > 1:
        key(ax, [("━", SITE_COLOURS[i % len(SITE_COLOURS)], site) for i, site in enumerate(sites)], title="site")
    elif sites:
        ax.text(0.005, 0.95, sites[0], transform=ax.transAxes, fontsize=7, va="top", color="#424242")


def _subtitle(course: ParticipantCourse) -> str:
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
    return f"{p.sex}, age {p.age_on(p.enrolled_on)} at enrolment" + (f"; {labs}" if labs else "") + f"; {outcome}"


class CoursePage:
    """A participant page's figure: made for the frame of `course` (see `frame_key`), then
    `show` draws any course with that frame into it."""

    def __init__(self, course: ParticipantCourse) -> None:
        self.key = frame_key(course)
        self.tests = _tests(course)
        self.figure = figure = new_figure()
        heights = [2.2] + [1.0] * len(self.tests)
        self.axes = figure.subplots(len(heights), 1, sharex=True, squeeze=False,
                                    gridspec_kw=dict(height_ratios=heights, hspace=0.12))[:, 0]
        self.colours = phase_colours(course.plan.codes)
        for i, ax in enumerate(self.axes):
            _shade(ax, course, self.colours, label=i == 0)
            ax.grid(axis="y", color="#e0e0e0", lw=0.6)
            # One column for the panels' names; placed, not worked out from the tick labels
            # of every panel at each draw (a tenth of a page's drawing time).
            ax.yaxis.set_label_coords(YLABEL_X, 0.5)
        self.axes[0].set_ylim(0, 100)
        self.axes[0].set_ylabel("Symptom rating\n(0–100, daily)")
        self.axes[-1].set_xlabel("Study day (days since enrolment)")
        self.axes[-1].set_xlim(course.plan.phases[0].first_day - 1, course.plan.phases[-1].last_day + 1)
        self.title = figure.suptitle("", x=0.01, ha="left", y=0.995, fontsize=14, fontweight="bold")
        self.subtitle = figure.text(0.01, 0.945, "", fontsize=10, ha="left", va="top", color="#424242")
        figure.subplots_adjust(left=0.09, right=0.83, top=0.86, bottom=0.07)
        stamp(figure, course.blinding)
        self._frame = [set(ax.get_children()) for ax in self.axes]
        self._background = None

    def show(self, course: ParticipantCourse) -> Figure:
        """The page of `course` (whose frame must be this page's): title with sex, age,
        baseline labs and the outcome; the diary; a panel per lab test."""
        if frame_key(course) != self.key:
            raise ValueError(f"the page of {course.participant.code} needs another frame")
        for ax, frame in zip(self.axes, self._frame):
            for artist in ax.get_children():
                if artist not in frame:
                    artist.remove()
            ax.relim()
        _diary(self.axes[0], course, self.colours)
        for ax, test in zip(self.axes[1:], self.tests):
            ax.set_autoscaley_on(True)  # the last participant's flat measure may have fixed it
            _lab(ax, course, test)
        p = course.participant
        self.title.set_text(f"{p.code}: course through the study{f' {course.study}' if course.study else ''}")
        self.subtitle.set_text(_subtitle(course))
        return self.figure

    def _changing(self) -> list[Artist]:
        """What differs between participants, in the order a full draw takes it: each
        axes' data, keys, y axis and spines by zorder (as `Axes.draw` sorts them; the
        spines because they are drawn over the y grid), then the titles."""
        changing = []
        for ax, frame in zip(self.axes, self._frame):
            kept = frame - {ax.yaxis, *ax.spines.values()}
            changing += sorted((a for a in ax.get_children() if a not in kept), key=lambda a: a.get_zorder())
        return changing + [self.title, self.subtitle]

    def pixels(self, course: ParticipantCourse) -> memoryview:
        """The page of `course` as the canvas's RGBA buffer (1200 × 800, valid until the next
        call), the same as a full draw: the frame is drawn once and kept, and each course
        is drawn over a copy of it."""
        self.show(course)
        canvas = self.figure.canvas
        changing = self._changing()
        if self._background is None:
            for artist in changing:
                artist.set_visible(False)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            for artist in changing:
                artist.set_visible(True)
        else:
            canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for artist in changing:
            artist.draw(renderer)
        return canvas.buffer_rgba()


class CoursePages:
    """The course pages of one report: a `CoursePage` per frame, made when first needed."""

    def __init__(self) -> None:
        self._pages: dict[Hashable, CoursePage] = {}

    def page(self, course: ParticipantCourse) -> CoursePage:
        key = frame_key(course)
        if key not in self._pages:
            self._pages[key] = CoursePage(course)
        return self._pages[key]

    def figure(self, course: ParticipantCourse) -> Figure:
        """The figure showing `course`, valid until the next call."""
        return self.page(course).show(course)

    def pixels(self, course: ParticipantCourse) -> memoryview:
        """The page of `course` as RGBA pixels (see `CoursePage.pixels`)."""
        return self.page(course).pixels(course)


def course_figure(course: ParticipantCourse) -> Figure:
    """The participant's page in a figure of its own (see `CoursePages` for many)."""
    return CoursePage(course).show(course)
