"""The UI's parts without a screen: the operator bridge, the live feed, the stall watch and
the visit sources (in memory, and over the records store), the tick box."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from textual.app import App

from protocols.battery import shipped_battery
from protocols.operator import Mark, Question
from protocols.records import Event, ExitStatus, RunStart, RunStop, TrialResult, as_dict
from protocols.runner import ExaminerAbort, TrialSpec
from qst.ui.bridge import UiOperator
from qst.ui.live import STALL_LIMIT_S, LiveFeed, ReadingWatch, WatchedClock
from qst.ui.messages import Instruction, PromptRequested, PromptWithdrawn
from qst.ui.store_visits import StoreVisits, document_from_dict
from qst.ui.visits import DONE, DUE, INTERRUPTED, PLANNED, MemoryVisits, VisitChoice, default_visit
from qst.ui.widgets import TickBox
from simulators.clock import VirtualClock

QUESTION = Question("Did the participant feel it?", "MDT", "hand-dorsum-right", {"force_mn": 8.0})


class Inbox:
    """Collects posted messages; `wait` blocks until one of a type arrives."""

    def __init__(self):
        self.messages = []
        self._arrived = threading.Condition()

    def __call__(self, message) -> None:
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()

    def wait(self, kind, timeout_s: float = 5.0):
        with self._arrived:
            assert self._arrived.wait_for(lambda: any(isinstance(m, kind) for m in self.messages), timeout_s)
            return next(m for m in self.messages if isinstance(m, kind))


class Counter:
    def __init__(self):
        self.pauses = self.resumes = 0

    def pause(self):
        self.pauses += 1

    def resume(self):
        self.resumes += 1


def ask_in_thread(call):
    """Run `call` in a thread; returns (thread, outcome dict with "value" or "error")."""
    outcome = {}

    def work():
        try:
            outcome["value"] = call()
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=work)
    thread.start()
    return thread, outcome


# -- the bridge --------------------------------------------------------------------------------------


def test_a_question_blocks_the_worker_until_the_screen_answers():
    inbox, watch = Inbox(), Counter()
    operator = UiOperator(inbox, VirtualClock(), watch=watch)
    thread, outcome = ask_in_thread(lambda: operator.yes_no(QUESTION))
    request = inbox.wait(PromptRequested).request
    assert request.kind == "yes_no" and request.question is QUESTION and request.open
    assert thread.is_alive() and watch.pauses == 1 and watch.resumes == 0
    assert request.answer(True)
    thread.join(5)
    assert outcome == {"value": True}
    assert watch.resumes == 1
    assert not request.answer(False), "an answered question takes no second answer"


def test_ready_carries_the_instruction_to_read_aloud():
    inbox = Inbox()
    operator = UiOperator(inbox, VirtualClock())
    operator.instruct("Say 'stop' when it hurts.")
    assert isinstance(inbox.messages[0], Instruction)
    thread, outcome = ask_in_thread(lambda: operator.ready(Question("Ready for PPT?", "PPT", "thenar-right")))
    request = inbox.wait(PromptRequested).request
    assert request.instruction == "Say 'stop' when it hurts."
    request.answer(False)
    thread.join(5)
    assert outcome == {"value": False}


def test_cancel_ends_a_waiting_question_and_every_later_one_as_an_examiner_abort():
    inbox = Inbox()
    operator = UiOperator(inbox, VirtualClock())
    thread, outcome = ask_in_thread(lambda: operator.number(QUESTION, 0.0, 3.0))
    request = inbox.wait(PromptRequested).request
    operator.cancel()
    operator.cancel()  # Esc pressed twice, or cancelled by the key and again by the abort
    thread.join(5)
    assert isinstance(outcome["error"], ExaminerAbort)
    assert inbox.wait(PromptWithdrawn).request is request
    assert sum(isinstance(m, PromptWithdrawn) for m in inbox.messages) == 1, "one prompt, closed once"
    with pytest.raises(ExaminerAbort):
        operator.choose(QUESTION, ("warm", "cold", "hot"))


def test_a_mark_is_stamped_on_the_clock_and_a_silent_wait_times_out():
    clock = VirtualClock(12.5)
    inbox = Inbox()
    operator = UiOperator(inbox, clock)
    thread, outcome = ask_in_thread(lambda: operator.wait_for_mark(QUESTION, ("pain", "withdrawal"), 60.0))
    request = inbox.wait(PromptRequested).request
    assert request.options == ("pain", "withdrawal")
    request.answer(Mark("pain", clock.now()))
    thread.join(5)
    assert outcome == {"value": Mark("pain", 12.5)}
    # No mark within the time-out: None, and the prompt is withdrawn.
    assert operator.wait_for_mark(QUESTION, ("withdrawal",), 0.0) is None
    assert isinstance(inbox.messages[-1], PromptWithdrawn)


# -- the live feed -------------------------------------------------------------------------------------


def test_the_feed_notifies_once_until_the_screen_takes_a_snapshot():
    notices = []
    feed = LiveFeed(lambda: notices.append(1))
    spec = TrialSpec("PPT", "thenar-right", 1, {"rate_kpa_per_s": 50.0, "rate_tolerance_kpa_per_s": 15.0})
    for i in range(2000):  # 40 s at 50 Hz
        feed.push(spec, {"t_s": i * 0.02, "pressure_kpa": i * 1.0, "rate_kpa_per_s": 50.0})
    assert len(notices) == 1
    snapshot = feed.take()
    assert snapshot.value == 1999.0 and snapshot.unit == "kPa" and snapshot.rate_kpa_per_s == 50.0
    assert snapshot.band == (50.0, 15.0)
    assert snapshot.t_s - 30.0 <= snapshot.points[0][0] < snapshot.t_s - 29.9  # the last 30 s only
    feed.push(TrialSpec("HPT", "volar-forearm-left", 1), {"t_s": 40.0, "temperature_c": 32.0})
    assert len(notices) == 2
    snapshot = feed.take()
    assert (snapshot.test, snapshot.unit, snapshot.points, snapshot.band) == ("HPT", "°C", ((40.0, 32.0),), None)


# -- the stall watch -------------------------------------------------------------------------------------


def test_the_watch_counts_silence_only_while_readings_are_due():
    clock = VirtualClock()
    watch = ReadingWatch(clock)
    latest = {"t_s": 0.0}
    assert watch.silence() is None  # no trial: nothing is due
    watch.expect("thermode", lambda: latest["t_s"])
    clock.sleep(1.0)
    latest["t_s"] = 1.0  # the 1 Hz idle stream
    clock.sleep(STALL_LIMIT_S - 0.01)
    assert watch.silence() is None
    clock.sleep(0.02)
    silence = watch.silence()
    assert silence.device == "thermode" and silence.silent_s == pytest.approx(STALL_LIMIT_S + 0.01)
    watch.pause()  # a question waits: the device is not being read
    clock.sleep(10.0)
    assert watch.silence() is None
    watch.resume()  # counted again from the answer
    assert watch.silence() is None
    clock.sleep(STALL_LIMIT_S + 0.1)
    assert watch.silence() is not None
    watch.stop()
    assert watch.silence() is None


def test_the_runner_sleeping_between_trials_is_no_silence():
    clock = VirtualClock()
    watch = ReadingWatch(clock)
    watch.expect("algometer", lambda: None)
    seen = []
    watched = WatchedClock(clock, watch)
    original_sleep = clock.sleep
    clock.sleep = lambda dt_s: (seen.append(watch.silence()), original_sleep(dt_s), seen.append(watch.silence()))
    watched.sleep(20.0)
    assert seen == [None, None] and watched.now() == 20.0
    assert watch.silence() is None  # counted from the end of the sleep


# -- visit sources ----------------------------------------------------------------------------------------


def _run(records, test, site, trial, status=ExitStatus.COMPLETED):
    start = RunStart(f"{test}{site}{trial}{status.value}", 0.0, "", test, site, trial, {}, {}, "T1")
    records(start)
    records(RunStop(start.run_id, 1.0, "", status, status.value, TrialResult(1.0, "kPa")))


def test_memory_visits_offer_the_due_visit_and_resume_at_the_first_trial_not_completed():
    battery = shipped_battery("fibromyalgia-ldn")
    plan = [(p.spec.test, p.spec.site, p.spec.trial) for p in battery.plan()]
    visits = [VisitChoice("s", "FM01", n, "A", battery.name) for n in (1, 2, 3)]
    source = MemoryVisits({"s": {"FM01": visits}})
    listed = source.visits("s", "FM01", dt.date(2024, 1, 1))
    assert [v.state for v in listed] == [DUE, PLANNED, PLANNED] and default_visit(listed) == 0
    visit_id = source.open_visit(listed[0], plan, "T1", "bench")
    sink = source.sink(visit_id)
    _run(sink, *plan[0])
    _run(sink, *plan[1], status=ExitStatus.DEVICE_FAULT)
    assert source.resume_index(visit_id) == 1
    listed = source.visits("s", "FM01", dt.date(2024, 1, 1))
    assert [v.state for v in listed] == [INTERRUPTED, PLANNED, PLANNED] and listed[0].resume_at == 1
    assert "resumes at trial 2" in listed[0].label
    assert source.open_visit(listed[0], plan, "T1", "bench") == visit_id
    source.close_visit(visit_id, "ok")
    listed = source.visits("s", "FM01", dt.date(2024, 1, 1))
    assert [v.state for v in listed] == [DONE, DUE, PLANNED] and default_visit(listed) == 1


def test_documents_come_back_from_their_stored_form():
    start = RunStart("r1", 1.0, "2024-01-01T00:00:00.000+00:00", "PPT", "thenar-right", 1,
                     {"rate_kpa_per_s": 50.0}, {"algometer": {"model": "M5-20"}}, "T1", "b")
    event = Event("r1", 2.0, "response", {"t_s": 2.0})
    stop = RunStop("r1", 3.0, "2024-01-01T00:00:03.000+00:00", ExitStatus.COMPLETED, "completed",
                   TrialResult(412.0, "kPa", flags=("rate_out_of_band",), extra={"peak_kpa": 415.0}))
    assert [document_from_dict(as_dict(d)) for d in (start, event, stop)] == [start, event, stop]


def test_the_store_as_a_visit_source(tmp_path):
    from qst.ui.launch import simulated_store

    today = dt.date(2024, 5, 6)
    store = simulated_store(tmp_path, today)
    try:
        source = StoreVisits(store)
        assert source.study_names() == ["fibromyalgia-ldn"]
        assert source.participants("fibromyalgia-ldn") == ["FM01", "FM02", "FM03"]
        visits = source.visits("fibromyalgia-ldn", "FM02", today)
        assert len(visits) == 8 and visits[default_visit(visits)].number == 2
        assert [v.state for v in visits[:3]] == [PLANNED, DUE, PLANNED]
        assert visits[1].planned_on == today and visits[1].phase_code == "A"
        battery = source.battery(visits[1])
        plan = [(p.spec.test, p.spec.site, p.spec.trial) for p in battery.plan()]
        visit_id = source.open_visit(visits[1], plan, "T1", "bench")
        _run(source.sink(visit_id), *plan[0])
        assert source.resume_index(visit_id) == 1
        interrupted = source.visits("fibromyalgia-ldn", "FM02", today)[1]
        assert (interrupted.state, interrupted.resume_at, interrupted.planned_trials) == (INTERRUPTED, 1, len(plan))
        assert [type(d).__name__ for d in source.documents(visit_id)] == ["RunStart", "RunStop"]
        source.close_visit(visit_id, "fine")
        assert source.visits("fibromyalgia-ldn", "FM02", today)[1].state == DONE
        # What the technician is shown of a visit never names a treatment.
        study = source.study("fibromyalgia-ldn")
        for visit in visits:
            for treatment in {phase.treatment for phase in study.phases} | {phase.name for phase in study.phases}:
                assert treatment not in visit.label and treatment not in visit.title
    finally:
        store.close()


def test_the_store_gives_a_participants_course_blinded(tmp_path):
    from qst.diary import DiaryEntry
    from qst.ui.launch import simulated_store

    today = dt.date(2024, 5, 6)
    store = simulated_store(tmp_path, today)
    try:
        source = StoreVisits(store)
        assert source.course("fibromyalgia-ldn", "FM02") == []
        visits = source.visits("fibromyalgia-ldn", "FM02", today)
        plan = [(p.spec.test, p.spec.site, p.spec.trial) for p in source.battery(visits[0]).plan()]
        for visit, value in ((visits[0], 300.0), (visits[1], 420.0)):
            visit_id = source.open_visit(visit, plan, "T1", "bench")
            test, site, trial = plan[0]
            start = RunStart(f"run-{visit.number}", 0.0, "", test, site, trial, {}, {}, "T1")
            source.sink(visit_id)(start)
            source.sink(visit_id)(RunStop(start.run_id, 1.0, "", ExitStatus.COMPLETED, "completed",
                                          TrialResult(value, "kPa")))
            source.close_visit(visit_id, "")
        enrolled = today - dt.timedelta(days=14)
        store.add_diary("fibromyalgia-ldn", [DiaryEntry("FM02", enrolled + dt.timedelta(days=d), 80 - 2 * d)
                                             for d in range(14)], "test", "T1")
        lines = source.course("fibromyalgia-ldn", "FM02")
        by_label = {line.label: line for line in lines}
        diary = by_label["diary, weekly mean"]
        assert len(diary.spark) == 2 and diary.spark[0] > diary.spark[1]  # ratings fell in week 2
        assert diary.latest == "54 of 100 on study day 13"
        measure = by_label[f"{test} {site}"]
        assert measure.spark == "▁█" and measure.latest == "420.0 kPa at visit 2"
        study = source.study("fibromyalgia-ldn")
        shown = " ".join(f"{line.label} {line.latest}" for line in lines)
        for phase in study.phases:
            assert phase.treatment not in shown and phase.name not in shown
    finally:
        store.close()


def test_a_tick_box_shows_its_tick_only_when_ticked():
    class OneBox(App):
        def compose(self):
            yield TickBox("optional tests", id="box")

    async def check():
        async with OneBox().run_test(size=(40, 3)) as pilot:
            box = pilot.app.query_one(TickBox)
            unticked = box.render().plain
            await pilot.press("space")
            ticked = box.render().plain
            await pilot.press("space")
            return unticked, box.value, ticked, box.render().plain

    unticked, value_after_two, ticked, again = asyncio.run(check())
    assert TickBox.TICKED in ticked and "X" not in ticked
    assert TickBox.TICKED not in unticked and "X" not in unticked
    assert "optional tests" in unticked and again == unticked and value_after_two is False
