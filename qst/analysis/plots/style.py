"""The look shared by every figure: page size, phase colours, the blinding stamp."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import offset_copy

from qst.analysis.blinding import Blinding

PAGE_SIZE_IN = (12.0, 8.0)
"""Width and height of every figure, inches (landscape; 1200 × 800 px at `PNG_DPI`)."""
PNG_DPI = 100

PHASE_COLOURS = ("#8c8c8c", "#4c9be8", "#e8804c", "#5cb85c", "#b07cc6", "#d6b656", "#5bc0be", "#d9534f")
"""Colour of each phase by its place in the plan (first phase grey): the same everywhere."""
SITE_COLOURS = ("#1f3b73", "#a0302d", "#2e7d32", "#6a3d9a", "#b8860b", "#00838f", "#4e342e", "#ad1457")
"""Lines of different sites of one test (dark, to stand out on the phase shading)."""

SHADE_ALPHA = 0.13
BLINDED_COLOUR = "#2e7d32"
UNBLINDED_COLOUR = "#b71c1c"


def phase_colours(codes: Sequence[str]) -> dict[str, str]:
    return {code: PHASE_COLOURS[i % len(PHASE_COLOURS)] for i, code in enumerate(codes)}


def new_figure(size_in: tuple[float, float] = PAGE_SIZE_IN) -> Figure:
    """A figure on the Agg canvas, outside pyplot (no global state, no screen)."""
    figure = Figure(figsize=size_in, dpi=PNG_DPI)
    FigureCanvasAgg(figure)
    return figure


def stamp(figure: Figure, blinding: Blinding) -> None:
    """The blinding statement in the top-right corner, boxed, red when unblinded."""
    colour = UNBLINDED_COLOUR if blinding.unblinded else BLINDED_COLOUR
    figure.text(
        0.995, 0.995, blinding.statement, ha="right", va="top", fontsize=8, color=colour, fontweight="bold",
        bbox=dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor=colour),
    )


def wrap_label(label: str) -> str:
    """"C: drug (naltrexone)" → two lines, so labels fit over short phases."""
    return label.replace(": ", ":\n", 1)


KEY_LINE_PT = 10.0
"""Spacing of a key's lines (points)."""


def key(ax: Axes, entries: Sequence[tuple[str, str, str]], *, title: str = "", fontsize: float = 7) -> None:
    """A key to the right of `ax`: one line per (glyph, colour, label), e.g. ("━", "#000",
    "endpoint"), the glyph and label in the colour. Plain text rather than `Axes.legend`,
    which costs a quarter of a second a page to lay out."""
    lines = ([("", "#424242", title)] if title else []) + list(entries)
    for i, (glyph, colour, label) in enumerate(lines):
        where = offset_copy(ax.transAxes, fig=ax.figure, y=-i * KEY_LINE_PT, units="points")
        ax.text(1.01, 1.0, f"{glyph} {label}" if glyph else label, transform=where, ha="left", va="top",
                fontsize=fontsize, color=colour, clip_on=False)
