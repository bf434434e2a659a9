"""The run screen's widgets: the live value, the 30-second trace, the PPT rate gauge, the
trial table and the banner. They draw what they are given; none reads a device."""

from __future__ import annotations

import math

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.content import Content
from textual.widgets import Checkbox, DataTable, Digits, Static

from protocols.records import ExitStatus, RunStart, RunStop
from qst.ui.live import WINDOW_S, LiveSnapshot

BLOCKS = " ▁▂▃▄▅▆▇█"
MIN_SPAN = {"°C": 2.0, "kPa": 50.0}


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "kPa":
        return f"{value:.0f}"
    if unit == "mN":
        return f"{value:.3g}"
    return f"{value:.1f}" if unit == "°C" else f"{value:.3g}"


def flag_text(flag: str) -> str:
    """A flag as the technician reads it: "large_spread" is "large spread"."""
    return flag.replace("_", " ")


STATUS_TEXT = {
    ExitStatus.COMPLETED: "completed",
    ExitStatus.STOPPED_BY_PARTICIPANT: "stopped by participant",
    ExitStatus.ABORTED_BY_EXAMINER: "aborted",
    ExitStatus.DEVICE_FAULT: "device fault",
    ExitStatus.SAFETY_LIMIT: "safety limit",
}


class Trace(Widget):
    """The last `WINDOW_S` of a reading as columns, oldest left, with the range at the left."""

    DEFAULT_CSS = """
    Trace { height: 1fr; min-height: 4; }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._points: tuple[tuple[float, float], ...] = ()
        self._unit = ""
        self._t_end: float | None = None

    def show(self, points: tuple[tuple[float, float], ...], unit: str, t_end: float | None) -> None:
        self._points, self._unit, self._t_end = points, unit, t_end
        self.refresh()

    def clear(self) -> None:
        self.show((), "", None)

    def render(self) -> Text:
        width, height = self.size.width, self.size.height
        label_w = 6
        plot_w, plot_h = max(1, width - label_w), max(1, height - 1)
        if not self._points or self._t_end is None:
            return Text("\n" * (plot_h // 2) + "no readings".center(width), style="dim")
        values = [v for _, v in self._points]
        low, high = min(values), max(values)
        span = MIN_SPAN.get(self._unit, 1.0)
        if high - low < span:
            middle = (high + low) / 2
            low, high = middle - span / 2, middle + span / 2
        t0 = self._t_end - WINDOW_S
        columns: list[float | None] = [None] * plot_w
        for t_s, value in self._points:
            index = min(plot_w - 1, int((t_s - t0) / WINDOW_S * plot_w))
            if index >= 0:
                columns[index] = value
        last = None
        for index, value in enumerate(columns):  # a column between two readings keeps the last
            if value is None and last is not None:
                columns[index] = last
            last = columns[index] if columns[index] is not None else last
        eighths = [None if v is None else round((v - low) / (high - low) * plot_h * 8) for v in columns]
        text = Text()
        for row in range(plot_h):
            level = plot_h - 1 - row  # 0 at the bottom
            label = format_value(high, self._unit) if row == 0 else format_value(low, self._unit) if row == plot_h - 1 else ""
            text.append(f"{label:>{label_w - 1}} ", style="dim")
            line = "".join(" " if e is None else BLOCKS[max(0, min(8, e - level * 8))] for e in eighths)
            text.append(line, style="bold cyan")
            text.append("\n")
        axis = f"−{WINDOW_S:g} s".ljust(plot_w - 3) + "now"
        text.append(" " * label_w + axis, style="dim")
        return text


class RateGauge(Widget):
    """The examiner's ramp rate against the band (target ± tolerance), for PPT."""

    DEFAULT_CSS = """
    RateGauge { height: 3; }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._rate: float | None = None
        self._band: tuple[float, float] = (50.0, 15.0)

    def show(self, rate: float | None, band: tuple[float, float]) -> None:
        self._rate, self._band = rate, band
        self.refresh()

    def render(self) -> Text:
        target, tolerance = self._band
        low, high = target - tolerance, target + tolerance
        scale = 2 * target
        width = max(10, self.size.width)
        rate = self._rate
        text = Text()
        if rate is None:
            text.append("rate —", style="dim")
        else:
            inside = low <= rate <= high
            word = "in band" if inside else ("too fast" if rate > high else "too slow")
            text.append(f"rate {rate:.0f} kPa/s  ", style="bold")
            text.append(word, style="bold green" if inside else "bold red")
        text.append("\n")

        def column(value: float) -> int:
            return max(0, min(width - 1, round(value / scale * (width - 1))))

        bar = ["─"] * width
        for index in range(column(low), column(high) + 1):
            bar[index] = "━"
        styles = ["dim"] * width
        for index in range(column(low), column(high) + 1):
            styles[index] = "green"
        if rate is not None and math.isfinite(rate):
            marker = column(min(max(rate, 0.0), scale))
            bar[marker] = "┃"
            styles[marker] = "bold white"
        for char, style in zip(bar, styles):
            text.append(char, style=style)
        text.append("\n")
        labels = [" "] * width
        for value in (0.0, low, target, high, scale):
            word = f"{value:g}"
            start = max(0, min(width - len(word), column(value) - len(word) // 2))
            labels[start : start + len(word)] = list(word)
        text.append("".join(labels), style="dim")
        return text


class LivePanel(Vertical):
    """The live value, large, with its unit and what it is; the rate gauge under it for PPT."""

    DEFAULT_CSS = """
    LivePanel { width: 38; height: 100%; border: round $primary; padding: 0 1; }
    LivePanel #live-what { color: $text-muted; }
    LivePanel #live-value { width: auto; }
    LivePanel #live-unit { text-style: bold; }
    LivePanel RateGauge { display: none; margin-top: 1; }
    LivePanel.pressure RateGauge { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield Static("no readings yet", id="live-what")
        yield Digits("—", id="live-value")
        yield Static("", id="live-unit")
        yield RateGauge(id="rate")

    def on_mount(self) -> None:
        self.border_title = "Live"

    def show(self, snapshot: LiveSnapshot) -> None:
        self.set_class(snapshot.quantity == "pressure_kpa", "pressure")
        what = {"temperature_c": "probe temperature", "pressure_kpa": "pressure"}.get(snapshot.quantity, "")
        self.query_one("#live-what", Static).update(f"{snapshot.test} · {what}" if snapshot.test else "no readings yet")
        self.query_one("#live-value", Digits).update(format_value(snapshot.value, snapshot.unit))
        self.query_one("#live-unit", Static).update(snapshot.unit)
        if snapshot.band is not None:
            self.query_one(RateGauge).show(snapshot.rate_kpa_per_s, snapshot.band)

    def show_text(self, what: str, value: str, unit: str) -> None:
        """Something other than a device reading (e.g. the filament being applied)."""
        self.set_class(False, "pressure")
        self.query_one("#live-what", Static).update(what)
        self.query_one("#live-value", Digits).update(value)
        self.query_one("#live-unit", Static).update(unit)


class InfoTable(DataTable):
    """A table to read, never focused (Enter and the arrows stay with the screen)."""

    can_focus = False


class TrialTable(InfoTable):
    """One row per trial of the run, filled in as trials start and stop."""

    def on_mount(self) -> None:
        self.cursor_type = "none"
        self.zebra_stripes = True
        for label, key in (("#", "n"), ("test", "test"), ("site", "site"), ("trial", "trial"),
                           ("value", "value"), ("status", "status"), ("flags", "flags")):
            self.add_column(label, key=key)

    def started(self, start: RunStart, number: int) -> None:
        self.add_row(str(number), start.test, start.site, str(start.trial), "…", "running", "", key=start.run_id)
        self.move_cursor(row=self.row_count - 1)

    def stopped(self, stop: RunStop) -> None:
        if stop.run_id not in self.rows:
            return
        result = stop.result
        value = "—"
        flags = ""
        if result is not None:
            value = f"{format_value(result.value, result.unit)} {result.unit}"
            flags = ", ".join(flag_text(flag) for flag in result.flags)
        status = STATUS_TEXT.get(stop.exit_status, stop.exit_status.value)
        style = "green" if stop.exit_status is ExitStatus.COMPLETED else "bold red"
        self.update_cell(stop.run_id, "value", value, update_width=True)
        self.update_cell(stop.run_id, "status", Text(status, style=style), update_width=True)
        self.update_cell(stop.run_id, "flags", Text(flags, style="yellow"), update_width=True)


class Banner(Static):
    """A line across the top for what the technician must act on: a fault, a stalled device."""

    DEFAULT_CSS = """
    Banner { display: none; width: 100%; padding: 0 1; text-style: bold; }
    Banner.shown { display: block; }
    Banner.fault { background: $error; color: $text; }
    Banner.stall { background: $warning; color: $text; }
    Banner.info { background: $primary; color: $text; }
    """

    kind = ""
    message = ""

    def show(self, kind: str, text: str) -> None:
        self.kind, self.message = kind, text
        for name in ("fault", "stall", "info"):
            self.set_class(name == kind, name)
        self.add_class("shown")
        self.update(text)

    def hide(self, kind: str | None = None) -> None:
        """Hide the banner (only if it shows `kind`, when given)."""
        if kind is None or self.kind == kind:
            self.kind = self.message = ""
            self.remove_class("shown")
            self.update("")


class TickBox(Checkbox):
    """A checkbox whose tick is there only when it is ticked: Textual's shows the same X
    either way, told apart by its colour alone, which a technician with a monochrome
    terminal or poor colour vision cannot see."""

    TICKED = "✔"

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = self.TICKED if self.value else " "
        return super()._button
