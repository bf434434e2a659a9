"""Whole visits through the terminal UI, driven by keys with Textual's Pilot, on the virtual
lab in virtual time; the records are checked afterwards."""

from __future__ import annotations

import html
import io
import math

import pytest
from rich.console import Console

from protocols.records import ExitStatus
from qst.reporting import CourseLine
from qst.ui.launch import simulated_store
from qst.ui.screens import DeviceCheckScreen, PickScreen
from qst.ui.store_visits import StoreVisits
from qst.ui.testing import (
    TODAY,
    answer,
    answer_until,
    on_summary,
    open_visit,
    pilot_visits,
    prompt_of,
    run_screen,
    start_visit,
    synchronously,
    ui_battery,
    virtual_app,
    virtual_lab,
    wait_for,
)
from qst.ui.visits import DONE, DUE
from qst.virtual import VirtualPerson

SIZE = (100, 30)

SHORT = ui_battery(
    "ui-short",
    "One HPT, one PPT, one MDT",
    {"test": "HPT", "sites": ["volar-forearm-left"]},
    {"test": "PPT", "sites": ["thenar-right"]},
    {"test": "MDT", "sites": ["hand-dorsum-right"], "series": 1, "forces_mn": [0.25, 0.5, 1.0, 2.0, 4.0, 8.0], "start_mn": 2.0},
)

PPT_ONLY = ui_battery("ui-ppt", "One PPT", {"test": "PPT", "sites": ["thenar-right"]})


@synchronously
async def test_a_whole_visit_driven_by_keys():
    lab = virtual_lab(seed=5)
    source = pilot_visits(SHORT)
    app = virtual_app(lab, source)
    async with app.run_test(size=SIZE) as pilot:
        await start_visit(pilot)
        assert prompt_of(app).question.text == "Ready for HPT at volar-forearm-left?"
        assert "stops feeling only hot" in prompt_of(app).instruction
        await answer_until(pilot, lab, lambda: on_summary(app), "the visit summary")
        summaries = {s.test: s for s in app.screen.summaries}
        assert set(summaries) == {"HPT", "PPT", "MDT"}
        await pilot.press(*"calm", "space", *"visit")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen) and [v.state for v in app.screen.visits] == [DONE, DUE],
                       "the picker, visit 1 done and visit 2 due")
    (visit,) = source.opened.values()
    assert visit.closed and visit.notes == "calm visit" and visit.examiner == "T1"
    starts, stops = visit.records.starts(), visit.records.stops()
    assert [(s.test, s.site, s.trial, s.examiner, s.battery) for s in starts] == [
        ("HPT", "volar-forearm-left", 1, "T1", "ui-short"),
        ("PPT", "thenar-right", 1, "T1", "ui-short"),
        ("MDT", "hand-dorsum-right", 1, "T1", "ui-short"),
    ]
    assert [s.exit_status for s in stops] == [ExitStatus.COMPLETED] * 3
    assert set(starts[0].devices) == {"thermode", "algometer"}
    hpt, ppt, mdt = (stop.result for stop in stops)
    person = lab.person
    assert hpt.value == pytest.approx(person.thermal.hpt_c + person.reaction_s, abs=0.2)
    assert ppt.value == pytest.approx(person.ppt_kpa + 50.0 * person.reaction_s, abs=10.0)
    assert abs(math.log2(mdt.value / person.mdt_mn)) <= 1.0
    answers = visit.records.events(stops[2].run_id, "operator")
    assert answers and all(e.data["question"] == "Did the participant feel it?" for e in answers)
    assert summaries["PPT"].summary == ppt.value


def shown_text(static) -> str:
    console = Console(width=120, file=io.StringIO())
    console.print(static.content)
    return console.file.getvalue()


@synchronously
async def test_the_picker_shows_the_highlighted_participants_course():
    courses = {"VP01": [CourseLine("HPT volar-forearm-left", "▁▄█", "46.2 °C at visit 3")],
               "VP02": [CourseLine("PPT thenar-right", "█▄▁", "212.0 kPa at visit 3")]}
    app = virtual_app(virtual_lab(seed=5), pilot_visits(SHORT, courses=courses))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen) and app.screen.course_for == "VP01", "VP01's course")
        shown = shown_text(app.screen.query_one("#course"))
        assert "▁▄█" in shown and "46.2 °C at visit 3" in shown and "212.0 kPa" not in shown
        app.screen.query_one("#participants").focus()
        await pilot.press("down")
        await wait_for(pilot, lambda: app.screen.course_for == "VP02", "VP02's course")
        shown = shown_text(app.screen.query_one("#course"))
        assert "212.0 kPa at visit 3" in shown and "46.2 °C" not in shown


@synchronously
async def test_space_is_the_response_key():
    lab = virtual_lab(person=VirtualPerson(seed=2, ppt_kpa=700.0))
    source = pilot_visits(PPT_ONLY)
    app = virtual_app(lab, source)
    core, clock = lab.mark10_core, lab.clock
    async with app.run_test(size=SIZE) as pilot:
        await start_visit(pilot)
        clock.hold_when(lambda: core.true_pressure_kpa(clock.now()) >= 250.0)
        await answer(pilot, lab, prompt_of(app))
        await wait_for(pilot, clock.held.is_set, "the ramp at 250 kPa")
        key_t_s = clock.now()
        await pilot.press("space")
        assert app.station.key.pressed_at() == key_t_s
        clock.release()
        await wait_for(pilot, lambda: on_summary(app), "the visit summary")
    (visit,) = source.opened.values()
    (stop,) = visit.records.stops()
    assert stop.exit_status is ExitStatus.COMPLETED and not stop.result.censored
    assert stop.result.response_t_s == key_t_s
    assert 245.0 <= stop.result.value <= 255.0, "the pressure at the key, far below the participant's 700 kPa"


@synchronously
async def test_the_device_check_identifies_the_devices_and_calibrates_the_neutral():
    lab = virtual_lab(seed=5)
    app = virtual_app(lab, pilot_visits(SHORT))
    async with app.run_test(size=SIZE) as pilot:
        await open_visit(pilot)
        screen = app.screen
        thermode, algometer = screen.report.status("thermode"), screen.report.status("algometer")
        assert thermode.ok and f"probe {lab.thermode.identity.probe_id}" in thermode.identity
        assert "battery 85 %" in thermode.detail and "probe 32.0 °C" in thermode.detail
        assert algometer.ok and lab.algometer.identity.serial_number in algometer.identity
        await pilot.press("c")
        calibration = screen.query_one("#calibration")
        await wait_for(pilot, lambda: not screen.calibrating, "the calibration")
        assert str(calibration.render()) == "Neutral calibrated: 32.0 °C"
        assert any(command == b"G" for _, command in lab.tcs2_core.rx_log)


TSL_AND_CPR = ui_battery(
    "ui-questions",
    "One TSL, one cold pressor",
    {"test": "TSL", "sites": ["hand-dorsum-right"]},
    {"test": "CPR", "sites": ["hand-right"], "water_min_c": 0.0, "water_max_c": 3.0},
)


@synchronously
async def test_choices_numbers_and_marks_are_asked_and_recorded():
    lab = virtual_lab(seed=5)
    source = pilot_visits(TSL_AND_CPR)
    app = virtual_app(lab, source)
    async with app.run_test(size=SIZE) as pilot:
        await start_visit(pilot)
        await answer_until(pilot, lab, lambda: prompt_of(app) is not None and prompt_of(app).kind == "number",
                           "the water temperature")
        await pilot.press("9", "enter")  # outside 0–3 °C: refused on the screen, not answered
        assert prompt_of(app) is not None and "is not a number from 0 to 3" in str(app.screen.query_one("#error").render())
        await pilot.press("backspace")
        kinds = []
        while not on_summary(app):
            await wait_for(pilot, lambda: on_summary(app) or prompt_of(app) is not None, "a question")
            if prompt_of(app) is not None:
                kinds.append(prompt_of(app).kind)
                await answer(pilot, lab, prompt_of(app))
    assert kinds == ["number", "ready", "mark", "mark"]
    (visit,) = source.opened.values()
    tsl, cpr = visit.records.stops()
    assert tsl.exit_status is cpr.exit_status is ExitStatus.COMPLETED
    assert tsl.result.extra["felt_warm"] == "warm" and tsl.result.extra["felt_cold"] == "cold"
    assert cpr.result.extra["water_c"] == lab.person.water_c
    marks = [e.data["mark"] for e in visit.records.events(cpr.run_id, "response")]
    assert marks == ["pain", "withdrawal"]


def screen_text(app) -> str:
    """The screen's text as an SVG screenshot holds it (spaces there are no-break spaces)."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def ready_for(app, site: str) -> bool:
    request = prompt_of(app)
    return request is not None and request.kind == "ready" and request.question.site == site


@synchronously
async def test_a_visit_in_the_store_aborted_between_tests_resumes_at_the_next_trial(tmp_path):
    store = simulated_store(tmp_path, TODAY)  # the shipped study, FM01 due for visit 1
    source = StoreVisits(store)
    lab = virtual_lab(seed=8)
    app = virtual_app(lab, source)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await start_visit(pilot)
            # PPT at the first site (3 trials), then Esc at the question before the second.
            await answer_until(pilot, lab, lambda: ready_for(app, "trapezius-right"), "PPT at the second site")
            screen = run_screen(app)
            await pilot.press("escape")
            await wait_for(pilot, lambda: screen.ended is not None, "the run to end")
            assert screen.ended.aborted and "Aborted" in screen.query_one("#banner").message
            (visit,) = store.visits("fibromyalgia-ldn", "FM01")
            assert (visit["status"], visit["completed"], visit["runs"]) == ("open", 3, 3)
            assert store.resume_index(visit["visit_id"]) == 3

            # R: devices reconnected and checked, Enter: the visit goes on at trial 4.
            await pilot.press("r")
            await wait_for(pilot, lambda: isinstance(app.screen, DeviceCheckScreen) and app.screen.ready, "the device check")
            await pilot.press("enter")
            await wait_for(pilot, lambda: ready_for(app, "trapezius-right"), "the second site's question")
            resumed = run_screen(app)
            assert "Resuming the visit at trial 4 of 21." in resumed.status_lines
            await answer_until(pilot, lab, lambda: ready_for(app, "lateral-epicondyle-left"), "PPT at the third site")
            await pilot.press("n")  # the participant wants to stop
            await wait_for(pilot, lambda: resumed.ended is not None, "the run to end")
            assert "The participant stopped" in resumed.query_one("#banner").message
            await pilot.press("enter")
            await wait_for(pilot, lambda: on_summary(app), "the visit summary")
            assert [(s.site, len(s.values)) for s in app.screen.summaries][:2] == [
                ("trapezius-left", 3), ("trapezius-right", 3)]
            shown = [screen_text(app)]
            await pilot.press(*"stopped", "space", *"early")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, PickScreen) and app.screen.visits, "the picker")
            shown.append(screen_text(app))
        # Phase codes only: no phase name, no treatment, on any screen the participant may see.
        study = source.study("fibromyalgia-ldn")
        secret = {phase.name for phase in study.phases} | {p.treatment for p in study.phases if p.treatment != "none"}
        assert secret >= {"placebo", "naltrexone 4.5 mg nightly"}
        assert not [word for word in secret for svg in shown if word in svg]
        (visit,) = store.visits("fibromyalgia-ldn", "FM01")
        assert (visit["status"], visit["completed"], visit["planned"]) == ("closed", 6, 21)
        assert visit["notes"] == "stopped early" and visit["examiner"] == "T1"
        assert visit["runs_not_completed"] == 1, "the declined trial is recorded as the participant's stop"
    finally:
        store.close()


WUR_AND_VDT = ui_battery(
    "ui-wur-vdt",
    "Wind-up and vibration, short",
    {"test": "WUR", "sites": ["hand-dorsum-right"], "repeats": 2},
    {"test": "VDT", "sites": ["hand-ulnar-styloid-right"], "series": 2},
)


@synchronously
async def test_pain_ratings_and_fork_readings_are_typed_and_recorded():
    lab = virtual_lab(seed=6)
    source = pilot_visits(WUR_AND_VDT)
    app = virtual_app(lab, source)
    async with app.run_test(size=SIZE) as pilot:
        await start_visit(pilot)
        kinds, shown = [], []
        while not on_summary(app):
            await wait_for(pilot, lambda: on_summary(app) or prompt_of(app) is not None, "a question")
            if prompt_of(app) is not None:
                kinds.append(prompt_of(app).kind)
                if prompt_of(app).kind == "rating":
                    shown.append(str(run_screen(app).query_one("#live-what").render()))
                await answer(pilot, lab, prompt_of(app))
    assert kinds == ["ready", "rating", "rating", "rating", "rating", "ready", "number", "number"]
    assert shown == ["WUR · single", "WUR · train"] * 2  # what the examiner applies next
    (visit,) = source.opened.values()
    wur, vdt = visit.records.stops()
    assert wur.exit_status is vdt.exit_status is ExitStatus.COMPLETED
    singles = [rating for stimuli, rating in lab.pinprick.ratings if stimuli == 1]
    trains = [rating for stimuli, rating in lab.pinprick.ratings if stimuli > 1]
    assert wur.result.extra["single_ratings"] == singles and wur.result.value == round(sum(trains) / sum(singles), 4)
    assert vdt.result.extra["readings"] == lab.fork.readings and vdt.result.unit == "/8"
