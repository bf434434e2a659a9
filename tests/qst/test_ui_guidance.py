"""What the screens tell a technician who has only the screen to go by: the wait between
trials, where a stopped visit resumes, which readings are live, that Esc was heard.
Driven by keys with Pilot on the virtual lab, in virtual time."""

from __future__ import annotations

from protocols.records import ExitStatus
from qst.ui.screens import DeviceCheckScreen, PickScreen
from qst.ui.testing import (
    answer,
    answer_until,
    on_summary,
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
from qst.ui.widgets import TrialTable
from qst.virtual import VirtualPerson
from simulators.participants.thermal import ThermalThresholds
from tests.qst.test_ui_visit import PPT_ONLY, SHORT, ready_for, shown_text

SIZE = (100, 30)

PPT_TWICE = ui_battery(
    "ui-ppt-twice",
    "Two PPT trials, 20 s apart",
    {"test": "PPT", "sites": ["thenar-right"], "trials": 2, "isi_s": [20.0, 20.0]},
)

HPT_TWICE = ui_battery(
    "ui-hpt-twice",
    "Two HPT trials, back to back",
    {"test": "HPT", "sites": ["volar-forearm-left"], "trials": 2},
)

HPT_THEN_CPR = ui_battery(
    "ui-hpt-cpr",
    "One HPT, one cold pressor",
    {"test": "HPT", "sites": ["volar-forearm-left"]},
    {"test": "CPR", "sites": ["hand-right"], "water_min_c": 0.0, "water_max_c": 3.0},
)


def where(app) -> str:
    return str(run_screen(app).query_one("#where").render())


@synchronously
async def test_the_wait_between_trials_is_counted_down_with_what_comes_next():
    lab = virtual_lab(seed=5)
    source = pilot_visits(PPT_TWICE)
    app = virtual_app(lab, source)
    async with app.run_test(size=SIZE) as pilot:
        records = await held_in_the_wait(pilot, lab, source)
        assert where(app) == "next: PPT · thenar-right · trial 2 in 20 s   (2/2)"
        lab.clock.release()
        await wait_for(pilot, lambda: on_summary(app), "the visit summary")
    assert [stop.exit_status for stop in records.stops()] == [ExitStatus.COMPLETED] * 2


async def held_in_the_wait(pilot, lab, source):
    """Start the visit, run its first trial and hold the clock as the wait after it begins;
    returns the visit's records."""
    app = pilot.app
    await start_visit(pilot)
    (visit,) = source.opened.values()
    lab.clock.hold_when(lambda: len(visit.records.stops()) == 1)
    await answer(pilot, lab, prompt_of(app))
    await wait_for(pilot, lab.clock.held.is_set, "the wait after the first trial")
    await wait_for(pilot, lambda: where(app).startswith("next:"), "the countdown")
    return visit.records


@synchronously
async def test_s_in_the_wait_between_trials_stops_before_the_next_one():
    lab = virtual_lab(seed=5)
    source = pilot_visits(PPT_TWICE)
    app = virtual_app(lab, source)
    async with app.run_test(size=SIZE) as pilot:
        records = await held_in_the_wait(pilot, lab, source)
        screen = run_screen(app)
        await pilot.press("s")
        assert screen.status_lines[-1] == "The visit stops now, before the next trial."
        lab.clock.release()
        await wait_for(pilot, lambda: screen.ended is not None, "the run to stop")
        assert "Stopped after trial 1 of 2. R: resume at trial 2 of 2" in screen.query_one("#banner").message
        assert where(app) == ""
    assert len(records.starts()) == 1, "no second trial, and no question for one"


@synchronously
async def test_esc_in_the_wait_between_trials_ends_the_run_without_waiting_it_out():
    lab = virtual_lab(seed=5)
    source = pilot_visits(PPT_TWICE)
    app = virtual_app(lab, source)
    async with app.run_test(size=SIZE) as pilot:
        records = await held_in_the_wait(pilot, lab, source)
        wait_ends_s = lab.clock.now() + 20.0
        screen = run_screen(app)
        await pilot.press("escape")
        lab.clock.release()
        await wait_for(pilot, lambda: screen.ended is not None, "the run to end")
        assert lab.clock.now() < wait_ends_s - 19.0, "ended within a slice of the wait"
        assert screen.ended.aborted
        assert "resume at trial 2 of 2" in screen.query_one("#banner").message
    assert len(records.starts()) == 1


@synchronously
async def test_a_stopped_visit_resumes_with_its_earlier_trials_shown_and_says_where():
    lab = virtual_lab(person=VirtualPerson(seed=4, thermal=ThermalThresholds(hpt_c=47.5)))
    source = pilot_visits(HPT_TWICE)
    app = virtual_app(lab, source)
    core, clock = lab.tcs2_core, lab.clock
    async with app.run_test(size=SIZE) as pilot:
        await start_visit(pilot)
        clock.hold_when(lambda: core.phase == "rise" and max(core.true_temperatures_c[1]) >= 38.0)
        await answer(pilot, lab, prompt_of(app))
        await wait_for(pilot, clock.held.is_set, "the first ramp at 38 °C")
        await pilot.press("s")  # stop after this trial
        clock.release()
        screen = run_screen(app)
        await wait_for(pilot, lambda: screen.ended is not None, "the run to stop")
        assert "Stopped after trial 1 of 2. R: resume at trial 2 of 2" in screen.query_one("#banner").message

        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, DeviceCheckScreen) and app.screen.ready, "the device check")
        assert "Enter: resume the visit" in str(app.screen.query_one("#verdict").render())
        await pilot.press("b")  # no way back to the picker with the visit half done
        assert isinstance(app.screen, DeviceCheckScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: prompt_of(app) is not None, "the question before trial 2")
        table = run_screen(app).query_one(TrialTable)
        assert table.row_count == 1, "trial 1, from the visit's first session"
        number, test, site, trial, _value, status, _flags = (str(cell) for cell in table.get_row_at(0))
        assert (number, test, site, trial, status) == ("1", "HPT", "volar-forearm-left", "1", "completed")
        await answer_until(pilot, lab, lambda: on_summary(app), "the visit summary")


@synchronously
async def test_a_test_without_a_device_shows_no_readings_of_the_test_before():
    lab = virtual_lab(seed=5)
    app = virtual_app(lab, pilot_visits(HPT_THEN_CPR))
    async with app.run_test(size=SIZE) as pilot:
        await start_visit(pilot)
        await answer_until(pilot, lab, lambda: prompt_of(app) is not None and prompt_of(app).kind == "number",
                           "the cold pressor's water temperature")
        live = run_screen(app).query_one("#live-what")
        assert shown_text(live).startswith("CPR"), shown_text(live)


@synchronously
async def test_esc_off_the_run_screen_is_acknowledged():
    lab = virtual_lab(seed=5)
    app = virtual_app(lab, pilot_visits(PPT_ONLY))
    said: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        app.notify = lambda message, **_: said.append(message)
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen) and app.screen.chosen is not None, "the visits")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.aborts_sent == 1, "the abort")
    assert said == ["Abort sent: the thermode returns to neutral."]


@synchronously
async def test_after_closing_a_visit_the_picker_stays_on_that_participant():
    lab = virtual_lab(seed=5)
    source = pilot_visits(PPT_ONLY)
    app = virtual_app(lab, source)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen) and app.screen.chosen is not None, "the visits")
        picker = app.screen
        picker.query_one("#participants").focus()
        await pilot.press("down")
        await wait_for(pilot, lambda: picker.chosen is not None and picker.chosen.code == "VP02", "VP02's visits")
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeviceCheckScreen) and app.screen.ready, "the device check")
        await pilot.press("enter")
        await answer_until(pilot, lab, lambda: on_summary(app), "the visit summary")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is picker and picker.chosen is not None
                       and picker.chosen.state == "due" and picker.chosen.number == 2, "the picker, reloaded")
        assert picker.chosen.code == "VP02"


@synchronously
async def test_a_declined_test_can_be_skipped_and_the_visit_goes_on():
    # SHORT: HPT, then PPT, then MDT. The participant will not have the pressure test today.
    lab = virtual_lab(seed=5)
    source = pilot_visits(SHORT)
    app = virtual_app(lab, source)
    async with app.run_test(size=SIZE) as pilot:
        await start_visit(pilot)
        await answer_until(pilot, lab, lambda: ready_for(app, "thenar-right"), "the PPT question")
        screen = run_screen(app)
        await pilot.press("n")  # the participant declines
        await wait_for(pilot, lambda: screen.ended is not None, "the run to end")
        banner = screen.query_one("#banner").message
        assert "The participant stopped" in banner and "K: skip PPT at thenar-right" in banner
        await pilot.press("k")
        await wait_for(pilot, lambda: run_screen(app) is not screen and ready_for(app, "hand-dorsum-right"),
                       "the MDT question, PPT left out")
        resumed = run_screen(app)
        assert "Resuming the visit at trial 3 of 3, without PPT at thenar-right." in resumed.status_lines
        await answer_until(pilot, lab, lambda: on_summary(app), "the visit summary")
        assert "All trials done but the skipped: PPT at thenar-right." in resumed.status_lines
    (visit,) = source.opened.values()
    stops = {start.test: stop for start in visit.records.starts() for stop in visit.records.stops()
             if stop.run_id == start.run_id}
    assert stops["HPT"].exit_status is ExitStatus.COMPLETED and stops["MDT"].exit_status is ExitStatus.COMPLETED
    assert stops["PPT"].exit_status is ExitStatus.STOPPED_BY_PARTICIPANT  # recorded, not run, not lost
    assert source.resume_index(next(iter(source.opened))) == 1, "a later session offers the declined test again"


PPT_THREE = ui_battery(
    "ui-ppt-three",
    "Three PPT trials, 20 s apart",
    {"test": "PPT", "sites": ["thenar-right"], "trials": 3, "isi_s": [20.0, 20.0]},
)


@synchronously
async def test_a_status_line_says_its_trial_and_goes_once_two_more_have_started():
    lab = virtual_lab(seed=5)
    source = pilot_visits(PPT_THREE)
    app = virtual_app(lab, source)
    async with app.run_test(size=SIZE) as pilot:
        records = await held_in_the_wait(pilot, lab, source)
        screen = run_screen(app)
        await pilot.press("space")
        assert screen.status_lines == ["Response key pressed."]
        assert shown_text(screen.query_one("#status")).strip() == "trial 1: Response key pressed."
        # Trial 2 runs: the line from trial 1 stays up.
        lab.clock.hold_when(lambda: len(records.stops()) == 2)  # moves the hold on
        await answer_until(pilot, lab, lab.clock.held.is_set, "the wait after the second trial")
        await wait_for(pilot, lambda: where(app).startswith("next:"), "the countdown")
        assert screen.status_lines == ["Response key pressed."]
        # Trial 3 starts: it goes.
        lab.clock.release()
        await answer_until(pilot, lab, lambda: on_summary(app), "the visit summary")
        assert "Response key pressed." not in screen.status_lines
    assert [stop.exit_status for stop in records.stops()] == [ExitStatus.COMPLETED] * 3
