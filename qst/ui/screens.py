"""The technician's screens: pick the visit, check the devices, run the tests, close the visit.

Every call that may block (the visit source, the devices) runs in a thread worker
(`Jobs.start_job`) and comes back as a `WorkDone` message; the visit's run is one long
worker (`VisitRun.run`) that posts what happens.
"""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING, Any, Callable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static, TextArea

from protocols.battery import Battery
from protocols.procedures import TESTS
from protocols.records import ExitStatus, RunStart, RunStop
from protocols.runner import PlannedTrial
from qst.summary import summarize
from qst.ui.live import LiveSnapshot
from qst.ui.messages import (
    AbortSent,
    Instruction,
    LiveChanged,
    Notice,
    PromptRequested,
    PromptWithdrawn,
    Recorded,
    RunEnded,
    VisitOpened,
    Waiting,
    WorkDone,
)
from qst.ui.prompts import PromptScreen, prompt_for
from qst.ui.session import VisitRun, device_of
from qst.ui.visits import DONE, VisitChoice, default_visit
from qst.ui.widgets import Banner, InfoTable, LivePanel, TickBox, Trace, TrialTable, flag_text, format_value

if TYPE_CHECKING:
    from qst.ui.app import QstApp


LIVE_REFRESH_S = 0.05
"""The live value and trace are redrawn at most this often (s): 20 times a second."""
STATUS_LINES = 3
"""How many lines the run screen's status area keeps (the latest)."""


def shown_url(url: str) -> str:
    """A port as the technician reads it (a simulated port's query is bench plumbing)."""
    return url.split("?", 1)[0] if url.startswith("sim://") else url


class Jobs:
    """Blocking calls in thread workers; the result comes back as `WorkDone(job, ...)`,
    handled by the screen's `done_<job>(result)` (or `failed_<job>(error)`)."""

    app: "QstApp"

    def start_job(self, job: str, call: Callable[..., Any], *args: Any) -> None:
        def work() -> None:
            try:
                result, error = call(*args), None
            except Exception as caught:  # reported on the screen, never a dead worker
                result, error = None, caught
            self.post_message(WorkDone(job, result, error))

        self.run_worker(work, thread=True, group=job, exit_on_error=False)

    def on_work_done(self, message: WorkDone) -> None:
        message.stop()
        if message.error is not None:
            handler = getattr(self, f"failed_{message.job}", None)
            if handler is not None:
                handler(message.error)
            else:
                self.notify(f"{message.job}: {message.error}", severity="error")
            return
        getattr(self, f"done_{message.job}")(message.result)


WAIT_SHOWN_S = 1.0
"""A pause between trials at least this long (s) is shown on the screen, counting down."""


# -- picking the visit ------------------------------------------------------------------------------


def course_table(code: str, lines: list) -> Table | str:
    """The participant's course so far: a row per line (label, sparkline, latest value)."""
    if not lines:
        return f"{code}: nothing recorded yet."
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_column()
    for line in lines:
        table.add_row(line.label, line.spark, line.latest)
    table.title = f"{code} so far (by visit; diary by study week)"
    table.title_justify = "left"
    return table


class PickScreen(Jobs, Screen):
    """Study, participant, visit (the next due one offered), examiner; Enter goes on."""

    DEFAULT_CSS = """
    PickScreen #title { text-style: bold; padding: 0 1; background: $primary; width: 100%; }
    PickScreen #lists { height: 1fr; }
    PickScreen OptionList { border: round $primary; height: 100%; }
    PickScreen OptionList:focus { border: round $accent; }
    PickScreen #studies, PickScreen #participants { width: 1fr; }
    PickScreen #visits { width: 2fr; }
    PickScreen #form { height: auto; padding: 0 1; }
    PickScreen #form Static { width: auto; padding: 1 1 0 0; }
    PickScreen #examiner { width: 30; }
    PickScreen #chosen { padding: 0 1; height: 2; }
    PickScreen #course { padding: 0 1; height: auto; max-height: 12; color: $text-muted; }
    """

    BINDINGS = [Binding("ctrl+r", "reload", "Reload")]
    KEYS_TEXT = "↑↓: choose  ·  Tab: next box  ·  Space: tick optional tests  ·  Enter: check the devices"
    """Under the chosen visit: the keys of this screen that no footer shows."""

    def __init__(self) -> None:
        super().__init__()
        self.studies: list[str] = []
        self.participants: list[str] = []
        self.visits: list[VisitChoice] = []
        self.chosen: VisitChoice | None = None
        self.course_for: str | None = None
        """The participant whose course the panel shows (None while it loads)."""

    def compose(self) -> ComposeResult:
        yield Static("qst — pick the visit", id="title")
        with Horizontal(id="lists"):
            yield OptionList(id="studies")
            yield OptionList(id="participants")
            yield OptionList(id="visits")
        with Horizontal(id="form"):
            yield Static("Examiner")
            yield Input(self.app.examiner, placeholder="who runs the visit", id="examiner")
            yield TickBox("optional tests (if the participant agrees today)", id="optional")
        yield Static("", id="chosen")
        yield Static("", id="course")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#examiner", Input).cursor_blink = self.app.cursor_blink
        for id_, title in (("studies", "Study"), ("participants", "Participant"), ("visits", "Visit")):
            self.query_one(f"#{id_}").border_title = title
        self.query_one("#studies").focus()
        self.action_reload()

    def action_reload(self) -> None:
        self.start_job("studies", self.app.source.study_names)

    def done_studies(self, names: list[str]) -> None:
        highlight = self._kept("#studies", self.studies, names)
        self.studies = names
        self._fill("#studies", names, highlight)
        if not names:
            self.query_one("#chosen", Static).update("No studies in the records yet.")

    def done_participants(self, result: tuple[str, list[str]]) -> None:
        study, codes = result
        if study != self._highlighted("#studies", self.studies):
            return  # an answer for a study no longer highlighted
        highlight = self._kept("#participants", self.participants, codes)
        self.participants = codes
        self._fill("#participants", codes, highlight)
        if not codes:
            self._fill("#visits", [], None)
            self._show_chosen(None)

    def done_visits(self, result: tuple[str, str, list[VisitChoice]]) -> None:
        study, code, visits = result
        if (study, code) != (self._highlighted("#studies", self.studies), self._highlighted("#participants", self.participants)):
            return
        self.visits = visits
        self._fill("#visits", [visit.label for visit in visits], default_visit(visits))
        self._show_chosen(self._highlighted("#visits", visits))

    def done_course(self, result: tuple[str, str, list]) -> None:
        study, code, lines = result
        if (study, code) != (self._highlighted("#studies", self.studies), self._highlighted("#participants", self.participants)):
            return
        self.query_one("#course", Static).update(course_table(code, lines))
        self.course_for = code

    def failed_course(self, error: Exception) -> None:
        self.query_one("#course", Static).update(f"Course so far: not available ({error})")

    def _fill(self, selector: str, labels: list[str], highlight: int | None) -> None:
        options = self.query_one(selector, OptionList)
        options.clear_options()
        options.add_options(labels)
        if highlight is not None:
            options.highlighted = highlight

    def _kept(self, selector: str, items: list, new_items: list) -> int | None:
        """Where the highlight goes in a reloaded list: on the same item if it is still
        there (the participant whose visit just closed), else the first."""
        current = self._highlighted(selector, items)
        if current in new_items:
            return new_items.index(current)
        return 0 if new_items else None

    def _highlighted(self, selector: str, items: list):
        index = self.query_one(selector, OptionList).highlighted
        return items[index] if index is not None and 0 <= index < len(items) else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "studies":
            study = self._highlighted("#studies", self.studies)
            if study is not None:
                source = self.app.source
                self.start_job("participants", lambda: (study, source.participants(study)))
        elif event.option_list.id == "participants":
            study, code = self._highlighted("#studies", self.studies), self._highlighted("#participants", self.participants)
            if study is not None and code is not None:
                source, today = self.app.source, self.app.today
                self.start_job("visits", lambda: (study, code, source.visits(study, code, today)))
                self.course_for = None
                self.query_one("#course", Static).update("")
                self.start_job("course", lambda: (study, code, source.course(study, code)))
        elif event.option_list.id == "visits":
            self._show_chosen(self._highlighted("#visits", self.visits))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        following = {"studies": "#participants", "participants": "#visits"}
        if event.option_list.id in following:
            self.query_one(following[event.option_list.id]).focus()
        elif event.option_list.id == "visits":
            self.go()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.go()

    def _show_chosen(self, visit: VisitChoice | None) -> None:
        self.chosen = visit
        if visit is None:
            self.query_one("#chosen", Static).update("")
            return
        text = Text(f"{visit.title} · battery {visit.battery} · {visit.state}")
        text.append("   —   done and closed" if visit.state == DONE else "")
        text.append("\n" + self.KEYS_TEXT, style="dim")
        self.query_one("#chosen", Static).update(text)

    def go(self) -> None:
        visit = self.chosen
        examiner = self.query_one("#examiner", Input).value.strip()
        if visit is None:
            return
        if visit.state == DONE:
            self.notify(f"{visit.title} is done and closed.", severity="warning")
            return
        if not examiner:
            self.query_one("#examiner", Input).focus()
            self.notify("Enter the examiner's name first.", severity="warning")
            return
        self.app.examiner = examiner
        source = self.app.source
        self.start_job("battery", lambda: (visit, source.battery(visit)))

    def done_battery(self, result: tuple[VisitChoice, Battery]) -> None:
        visit, battery = result
        optional = self.query_one("#optional", TickBox).value
        if visit.planned_trials is not None:  # resuming: the plan the visit was opened with
            optional = len(battery.plan(False)) != visit.planned_trials
        self.app.push_screen(DeviceCheckScreen(visit, battery, include_optional=optional))

    def failed_battery(self, error: Exception) -> None:
        self.notify(f"cannot load the visit's battery: {error}", severity="error")


# -- checking the devices -----------------------------------------------------------------------------


class DeviceCheckScreen(Jobs, Screen):
    """Ports found, each needed device identified, neutral calibration offered."""

    DEFAULT_CSS = """
    DeviceCheckScreen #title { text-style: bold; padding: 0 1; background: $primary; width: 100%; }
    DeviceCheckScreen #needs, DeviceCheckScreen #ports { padding: 0 1; }
    DeviceCheckScreen #devices { padding: 1 1; height: auto; }
    DeviceCheckScreen #verdict { padding: 0 1; text-style: bold; }
    DeviceCheckScreen #calibration { padding: 0 1; }
    """

    # Short labels: with Quit and Esc they fit a 100-column footer.
    BINDINGS = [
        Binding("enter", "start", "Start"),
        Binding("r", "check", "Recheck"),
        Binding("c", "calibrate", "Calibrate"),
        Binding("b", "back", "Back"),
    ]

    def __init__(self, visit: VisitChoice, battery: Battery, *, include_optional: bool = False,
                 visit_id: str | None = None):
        super().__init__()
        self.visit = visit
        self.battery = battery
        self.include_optional = include_optional
        self.visit_id = visit_id
        self.needs = battery.needs(include_optional)
        self.report = None
        self.checking = False
        self.calibrating = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No way back to the picker while a visit waits to resume."""
        if action == "back":
            return self.visit_id is None
        return True

    def compose(self) -> ComposeResult:
        resuming = " — reconnect and resume" if self.visit_id else ""
        yield Static(f"Devices for {self.visit.title}{resuming}", id="title")
        needs = ", ".join(sorted(self.needs)) or "no devices"
        yield Static(f"{self.battery.title}: needs {needs}", id="needs")
        yield Static("Looking for ports…", id="ports")
        yield Static("", id="devices")
        yield Static("", id="verdict")
        yield Static("", id="calibration")
        yield Footer()

    def on_mount(self) -> None:
        self.action_check()

    def action_check(self) -> None:
        if self.checking or self.calibrating:
            return
        self.checking = True
        self.query_one("#verdict", Static).update("Checking the devices…")
        self.start_job("check", partial(self.app.station.check, self.needs, reconnect=self.visit_id is not None and self.report is None))

    def done_check(self, report) -> None:
        self.checking = False
        self.report = report
        ports = ", ".join(f"{shown_url(path)} ({description})" if description else shown_url(path)
                          for path, description in report.ports)
        self.query_one("#ports", Static).update(f"Ports found: {ports or 'none'}")
        devices = Text()
        for status in report.devices:
            devices.append("✓ " if status.ok else "✗ ", style="bold green" if status.ok else "bold red")
            devices.append(f"{status.kind:<10} ", style="bold")
            devices.append((status.identity or "not identified") + "\n")
            devices.append(" " * 13)
            if status.url:
                devices.append(f"on {shown_url(status.url)}", style="dim")
                devices.append(" · " if status.detail or status.error else "", style="dim")
            if status.detail:
                devices.append(status.detail, style="green" if status.ok else "")
            if status.error:
                devices.append(("  " if status.detail else "") + status.error, style="bold red")
            devices.append("\n")
        self.query_one("#devices", Static).update(devices)
        verdict = self.query_one("#verdict", Static)
        if report.ready_for(self.needs):
            calibrate = "   ·   C: calibrate the thermode's neutral" if "thermode" in self.needs else ""
            start = "resume the visit" if self.visit_id else "start the visit"
            verdict.update(Text(f"Ready. Enter: {start}{calibrate}", style="green"))
        else:
            verdict.update(Text("Not ready: fix what is marked ✗, then R to check again.", style="bold red"))

    def failed_check(self, error: Exception) -> None:
        self.checking = False
        self.query_one("#verdict", Static).update(Text(f"The check failed: {error}", style="bold red"))

    @property
    def ready(self) -> bool:
        return (self.report is not None and self.report.ready_for(self.needs)
                and not self.checking and not self.calibrating)

    def action_calibrate(self) -> None:
        if self.report is None or self.checking or self.calibrating or self.app.station.thermode is None:
            return
        self.calibrating = True
        self.query_one("#calibration", Static).update("Calibrating the neutral (a few seconds)…")
        self.start_job("calibrate", self.app.station.calibrate_neutral)

    def done_calibrate(self, neutral_c: float) -> None:
        self.calibrating = False
        self.query_one("#calibration", Static).update(f"Neutral calibrated: {neutral_c:.1f} °C")

    def failed_calibrate(self, error: Exception) -> None:
        self.calibrating = False
        self.query_one("#calibration", Static).update(Text(f"Calibration failed: {error}", style="bold red"))

    def action_start(self) -> None:
        if not self.ready:
            return
        plan = self.battery.plan(self.include_optional)
        self.app.switch_screen(RunScreen(self.visit, self.battery, plan, visit_id=self.visit_id,
                                         include_optional=self.include_optional))

    def action_back(self) -> None:
        if self.visit_id is None:
            self.app.pop_screen()


# -- running the tests ------------------------------------------------------------------------------------


class RunScreen(Screen):
    """The visit's tests: instruction, live value and trace, rate gauge, trial table."""

    DEFAULT_CSS = """
    RunScreen #heading { height: 1; background: $primary; padding: 0 1; }
    RunScreen #who { width: 1fr; text-style: bold; }
    RunScreen #where { width: auto; }
    RunScreen #instruction { border: round $success; height: auto; min-height: 3; padding: 0 1; }
    RunScreen #middle { height: 12; }
    RunScreen #trace-box { border: round $primary; width: 1fr; }
    RunScreen TrialTable { height: 1fr; border: round $primary; }
    RunScreen #status { height: auto; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("space", "respond", "Response", priority=True),
        Binding("s", "stop", "Stop after this trial"),
        Binding("r", "resume", "Reconnect and resume"),
        Binding("enter", "summary", "Visit summary"),
        Binding("k", "skip", "Skip the declined test"),
    ]

    def __init__(self, visit: VisitChoice, battery: Battery, plan: list[PlannedTrial], *,
                 visit_id: str | None = None, include_optional: bool = False,
                 skip: frozenset[tuple[str, str]] = frozenset()):
        super().__init__()
        self.visit = visit
        self.battery = battery
        self.plan = plan
        self.skip = skip
        self.places = {(p.spec.test, p.spec.site, p.spec.trial): n for n, p in enumerate(plan, start=1)}
        """Each planned trial's number in the plan (1-based)."""
        self.completed: set[tuple[str, str, int]] = set()
        """The planned trials completed so far, in this session or an earlier one."""
        self._trial_of: dict[str, tuple[str, str, int]] = {}
        self.include_optional = include_optional
        self.run: VisitRun | None = None
        self._initial_visit_id = visit_id
        self.ended: RunEnded | None = None
        self.prompt: PromptScreen | None = None
        self._status: list[tuple[int, int, str]] = []
        """The last `STATUS_LINES` things said, each with how many trials this screen had
        started and the plan number of the last (0 before the first): a line goes once two
        more trials have started."""
        self.trials_started = 0
        self.trial_number = 0
        """The plan number of the trial started last (1-based; 0 before the first)."""
        self._live_timer = None
        self._live_shown_at = float("-inf")
        self.current_test = ""
        """The test of the trial started last: the live panel shows only its readings."""
        self.waiting: Waiting | None = None
        """The wait before the next trial, while it lasts (counted down in the heading)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Response and stop while the run goes on; resume and summary once it has ended."""
        if action in ("respond", "stop"):
            return self.ended is None
        if action in ("resume", "summary"):
            return self.ended is not None
        if action == "skip":
            return self.declined() is not None
        return True

    def declined(self) -> tuple[str, str] | None:
        """The test and site the participant declined, if that ended the run."""
        stops = self.ended.stops if self.ended is not None else []
        if not stops or stops[-1].exit_status is not ExitStatus.STOPPED_BY_PARTICIPANT:
            return None
        test, site, _ = self._trial_of.get(stops[-1].run_id, ("", "", 0))
        return (test, site) if test else None

    def _track(self, document) -> None:
        if isinstance(document, RunStart):
            self._trial_of[document.run_id] = (document.test, document.site, document.trial)
        elif isinstance(document, RunStop) and document.exit_status is ExitStatus.COMPLETED:
            trial = self._trial_of.get(document.run_id)
            if trial is not None:
                self.completed.add(trial)

    def next_trial(self) -> int | None:
        """Where the visit resumes: the first planned trial not completed (1-based), or None."""
        return next((n for n, p in enumerate(self.plan, start=1)
                     if (p.spec.test, p.spec.site, p.spec.trial) not in self.completed), None)

    def compose(self) -> ComposeResult:
        yield Banner(id="banner")
        with Horizontal(id="heading"):
            yield Static(self.visit.title, id="who")
            yield Static("", id="where")
        yield Static("", id="instruction")
        with Horizontal(id="middle"):
            yield LivePanel(id="live")
            with Vertical(id="trace-box"):
                yield Trace(id="trace")
        yield TrialTable(id="trials")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#instruction").border_title = "Read aloud"
        self.query_one("#trace-box").border_title = "Last 30 s"
        self.query_one("#trials").border_title = "Trials"
        self.run = VisitRun(
            source=self.app.source,
            station=self.app.station,
            visit=self.visit,
            battery=self.battery,
            plan=self.plan,
            examiner=self.app.examiner,
            post=self.post_message,
            visit_id=self._initial_visit_id,
            skip=self.skip,
        )
        self.app.visit_run = self.run
        self.run_worker(self.run.run, thread=True, group="visit", exit_on_error=False)
        self.set_interval(0.1, self.check_stall)
        self.set_interval(0.5, self.show_waiting)

    # -- what the run posts -----------------------------------------------------------------------

    def on_visit_opened(self, message: VisitOpened) -> None:
        self.show_earlier(message.earlier)
        first = next((n for n, p in enumerate(self.plan, start=1)
                      if (p.spec.test, p.spec.site, p.spec.trial) not in self.completed
                      and (p.spec.test, p.spec.site) not in self.skip), None)
        if message.start_at and first is not None:
            without = ", ".join(f"{test} at {site}" for test, site in sorted(self.skip))
            self.say(f"Resuming the visit at trial {first} of {len(self.plan)}" + (f", without {without}." if without else "."))

    def show_earlier(self, documents: list) -> None:
        """The trials of the visit's earlier sessions, numbered by their place in the plan."""
        table = self.query_one(TrialTable)
        for document in documents:
            self._track(document)
            if isinstance(document, RunStart):
                table.started(document, self.places.get((document.test, document.site, document.trial), 0))
            elif isinstance(document, RunStop):
                table.stopped(document)

    def on_waiting(self, message: Waiting) -> None:
        if message.until_s - self.app.station.clock.now() >= WAIT_SHOWN_S:
            self.waiting = message
            self.show_waiting()

    def show_waiting(self) -> None:
        """The heading during the wait between trials: what comes next, and in how long."""
        waiting = self.waiting
        if waiting is None:
            return
        left_s = max(0.0, waiting.until_s - self.app.station.clock.now())
        place = self.places.get((waiting.test, waiting.site, waiting.trial), 0)
        self.query_one("#where", Static).update(
            f"next: {waiting.test} · {waiting.site} · trial {waiting.trial} in {left_s:.0f} s   "
            f"({place}/{len(self.plan)})"
        )

    def stop_waiting(self) -> None:
        if self.waiting is not None:
            self.waiting = None
            self.query_one("#where", Static).update("")

    def on_recorded(self, message: Recorded) -> None:
        document = message.document
        self._track(document)
        if isinstance(document, RunStart):
            self.stop_waiting()
            self.current_test = document.test
            number = self.places.get((document.test, document.site, document.trial), 0)
            self.trial_number = number
            self.trials_started += 1
            if any(started < self.trials_started - 1 for started, _, _ in self._status):
                self._status = [line for line in self._status if line[0] >= self.trials_started - 1]
                self._show_status()
            self.query_one(TrialTable).started(document, number)
            trials_here = sum(1 for p in self.plan if (p.spec.test, p.spec.site) == (document.test, document.site))
            self.query_one("#where", Static).update(
                f"{document.test} · {document.site} · trial {document.trial} of {trials_here}   "
                f"({number}/{len(self.plan)})"
            )
            if not device_of(document.test):
                title = TESTS[document.test].title if document.test in TESTS else document.test
                self.query_one(LivePanel).show_text(f"{document.test} · {title}", "—", "")
                self.query_one(Trace).clear()
        elif isinstance(document, RunStop):
            self.query_one(TrialTable).stopped(document)

    def on_live_changed(self, message: LiveChanged) -> None:
        """At most `LIVE_REFRESH_S` apart: the feed keeps the latest, and sends nothing
        more until the screen has taken it."""
        if self._live_timer is not None:
            return
        wait_s = self._live_shown_at + LIVE_REFRESH_S - time.monotonic()
        if wait_s <= 0:
            self.refresh_live()
        else:
            self._live_timer = self.set_timer(wait_s, self.refresh_live)

    def refresh_live(self) -> LiveSnapshot | None:
        if self._live_timer is not None:
            self._live_timer.stop()
            self._live_timer = None
        if self.run is None:
            return None
        self._live_shown_at = time.monotonic()
        snapshot = self.run.feed.take()
        if snapshot.quantity and snapshot.test == self.current_test:
            self.query_one(LivePanel).show(snapshot)
            self.query_one(Trace).show(snapshot.points, snapshot.unit, snapshot.t_s)
        return snapshot

    def on_instruction(self, message: Instruction) -> None:
        self.query_one("#instruction", Static).update(message.text)

    def on_notice(self, message: Notice) -> None:
        self.say(message.text)

    def on_prompt_requested(self, message: PromptRequested) -> None:
        self.refresh_live()
        self.stop_waiting()
        request = message.request
        if not request.open:
            return
        if "force_mn" in request.question.stimulus:
            force = float(request.question.stimulus["force_mn"])
            tool = request.question.stimulus.get("kind", "filament")  # WUR: a single pinprick or a train
            self.query_one(LivePanel).show_text(f"{request.question.test} · {tool}", format_value(force, "mN"), "mN")
        self.prompt = prompt_for(request, self.app.station.clock)
        self.app.push_screen(self.prompt)

    def on_prompt_withdrawn(self, message: PromptWithdrawn) -> None:
        prompt = self.prompt
        if prompt is not None and prompt.request is message.request and self.app.screen is prompt:
            prompt.dismiss()  # dismiss() pops whatever screen is on top: only when it is this one
        if message.request.kind == "mark":
            self.say("No mark before the ceiling.")

    def on_run_ended(self, message: RunEnded) -> None:
        self.ended = message
        self.stop_waiting()
        self.refresh_bindings()
        self.refresh_live()
        # Nothing reads the devices any more: a last value left up would pass for the probe's now.
        self.query_one(LivePanel).show_text("run ended: no live readings", "—", "")
        self.query_one(Banner).hide("stall")
        stops = message.stops
        last = stops[-1] if stops else None
        # The visit resumes at its first trial not completed: an aborted or refused trial runs again.
        next_trial = self.next_trial()
        at = f"trial {next_trial} of {len(self.plan)}"
        if message.error is not None and not message.aborted:
            self.query_one(Banner).show("fault", f"The run stopped on an error: {message.error}. "
                                                 "Enter: visit summary · R: check the devices and resume.")
            return
        if message.aborted or (last is not None and last.exit_status is ExitStatus.ABORTED_BY_EXAMINER):
            self.query_one(Banner).show("info", "Aborted: the thermode was sent to neutral. "
                                                f"R: check the devices and resume at {at} · Enter: visit summary")
            return
        if last is not None and last.exit_status in (ExitStatus.DEVICE_FAULT, ExitStatus.SAFETY_LIMIT):
            device = device_of(self._trial_of.get(last.run_id, ("",))[0]) or "device"
            what = "device fault" if last.exit_status is ExitStatus.DEVICE_FAULT else "safety limit"
            self.query_one(Banner).show(
                "fault",
                f"{device.upper()} FAULT — the trial was recorded as a {what}: {last.reason}. "
                f"To reconnect: check the {device}'s USB cable and power, then press R to reconnect and resume "
                f"at {at}. Enter: end with the visit summary.",
            )
            return
        if last is not None and last.exit_status is ExitStatus.STOPPED_BY_PARTICIPANT:
            declined = self.declined()
            skip = f" · K: skip {declined[0]} at {declined[1]} and go on" if declined else ""
            self.query_one(Banner).show("info", f"The participant stopped. R: resume at {at}{skip} · Enter: visit summary")
            return
        left = [p.spec for p in self.plan if (p.spec.test, p.spec.site, p.spec.trial) not in self.completed]
        if not left or all((spec.test, spec.site) in self.skip for spec in left):
            skipped = sorted({f"{spec.test} at {spec.site}" for spec in left})
            self.say("All trials done" + (f" but the skipped: {', '.join(skipped)}." if skipped else "."))
            self.action_summary()
            return
        self.query_one(Banner).show("info", f"Stopped after trial {len(self.completed)} of {len(self.plan)}. "
                                            f"R: resume at {at} · Enter: visit summary")

    def on_abort_sent(self, message: AbortSent) -> None:
        if message.error:
            self.query_one(Banner).show("fault", f"The abort could not reach the thermode: {message.error}. "
                                                 "Switch the thermode off or lift the probe.")
        else:
            self.say("Abort sent: the thermode returns to neutral.")

    def check_stall(self) -> None:
        """Ten times a second: the stalled-device banner, on or off."""
        if self.run is None or self.ended is not None:
            return
        banner = self.query_one(Banner)
        silence = self.run.watch.silence()
        if silence is not None:
            if banner.kind in ("", "stall"):
                banner.show("stall", f"{silence.device.upper()} NOT ANSWERING — no readings for {silence.silent_s:.1f} s. "
                                     f"Check its cable and power. Esc sends the thermode to neutral.")
        else:
            banner.hide("stall")

    @property
    def status_lines(self) -> list[str]:
        """What the status area says, oldest first, without the trial each line is from."""
        return [text for _, _, text in self._status]

    def say(self, text: str) -> None:
        self._status = (self._status + [(self.trials_started, self.trial_number, text)])[-STATUS_LINES:]
        self._show_status()

    def _show_status(self) -> None:
        self.query_one("#status", Static).update(
            "\n".join(f"trial {number}: {text}" if number else text for _, number, text in self._status))

    # -- keys ------------------------------------------------------------------------------------------

    def action_respond(self) -> None:
        self.app.station.key.press()
        self.say("Response key pressed.")

    def action_stop(self) -> None:
        if self.run is not None and self.ended is None:
            self.run.request_stop()
            self.say("The visit stops now, before the next trial." if self.waiting is not None
                     else "The visit stops after this trial.")

    def action_resume(self) -> None:
        if self.ended is None or self.run is None:
            return
        self.app.visit_run = None
        self.app.switch_screen(DeviceCheckScreen(self.visit, self.battery, include_optional=self.include_optional,
                                                 visit_id=self.run.visit_id))

    def action_skip(self) -> None:
        """Leave out the test the participant declined and go on with the rest of the plan."""
        declined = self.declined()
        if declined is None or self.run is None:
            return
        self.app.visit_run = None
        self.app.switch_screen(RunScreen(self.visit, self.battery, self.plan, visit_id=self.run.visit_id,
                                         include_optional=self.include_optional, skip=self.skip | {declined}))

    def action_summary(self) -> None:
        if self.ended is None or self.run is None or self.run.visit_id is None:
            return
        self.app.visit_run = None
        self.app.switch_screen(SummaryScreen(self.visit, self.battery, self.run.visit_id))


# -- the visit summary -----------------------------------------------------------------------------------


class SummaryScreen(Jobs, Screen):
    """Per-test summaries with their flags, the incomplete trials, and the notes to close with."""

    DEFAULT_CSS = """
    SummaryScreen #title { text-style: bold; padding: 0 1; background: $primary; width: 100%; }
    SummaryScreen InfoTable { height: auto; max-height: 60%; margin: 1 1 0 1; }
    SummaryScreen #incomplete { padding: 0 1; color: $warning; }
    SummaryScreen TextArea { height: 6; margin: 0 1; border: round $primary; }
    SummaryScreen #closing { padding: 0 1; }
    """

    BINDINGS = [Binding("ctrl+s", "close_visit", "Close the visit", priority=True)]

    def __init__(self, visit: VisitChoice, battery: Battery, visit_id: str):
        super().__init__()
        self.visit = visit
        self.battery = battery
        self.visit_id = visit_id
        self.summaries = []
        self.closing = False

    def compose(self) -> ComposeResult:
        yield Static(f"Visit summary — {self.visit.title}", id="title")
        yield InfoTable(id="summary", cursor_type="none")
        yield Static("", id="incomplete")
        yield TextArea(id="notes")
        yield Static("Notes on the visit above; Ctrl+S saves them and closes the visit.", id="closing")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(InfoTable)
        for column in ("test", "site", "trials", "value", "flags"):
            table.add_column(column, key=column)
        notes = self.query_one(TextArea)
        notes.border_title = "Notes"
        notes.cursor_blink = self.app.cursor_blink
        notes.focus()
        self.start_job("documents", self.app.source.documents, self.visit_id)

    def done_documents(self, documents: list) -> None:
        starts = [d for d in documents if isinstance(d, RunStart)]
        stops = [d for d in documents if isinstance(d, RunStop)]
        self.summaries = summarize(starts, stops)
        table = self.query_one(InfoTable)
        for summary in self.summaries:
            trials = ", ".join(format_value(v, summary.unit) for v in summary.values) or "—"
            value = "—" if summary.summary is None else f"{format_value(summary.summary, summary.unit)} {summary.unit}"
            flags = [flag_text(flag) for flag in summary.flags]
            if summary.incomplete:  # listed below the table, with why
                flags.append(f"{summary.incomplete} run{'s' if summary.incomplete > 1 else ''} not completed")
            table.add_row(summary.test, summary.site, trials, value,
                          Text(", ".join(flags), style="bold yellow" if flags else ""))
        by_run = {start.run_id: start for start in starts}
        lines = [
            f"{by_run[stop.run_id].test} {by_run[stop.run_id].site} trial {by_run[stop.run_id].trial}: "
            f"{stop.exit_status.value.replace('_', ' ')} ({stop.reason})"
            for stop in stops
            if stop.exit_status is not ExitStatus.COMPLETED and stop.run_id in by_run
        ]
        self.query_one("#incomplete", Static).update("\n".join(lines))

    def action_close_visit(self) -> None:
        if self.closing:
            return
        self.closing = True
        notes = self.query_one(TextArea).text
        self.query_one("#closing", Static).update("Saving…")
        self.start_job("close", self.app.source.close_visit, self.visit_id, notes)

    def done_close(self, _result: None) -> None:
        self.app.visit_closed(self.visit)

    def failed_close(self, error: Exception) -> None:
        self.closing = False
        self.query_one("#closing", Static).update(Text(f"Could not close the visit: {error}", style="bold red"))
