"""Esc, a pulled cable and a hung device, through the UI on the virtual lab.

Virtual time runs a heat ramp in a blink, so these tests stop the clock where they need
the worker to be (`HoldableClock.hold_when`, `hold_at`): the worker then waits inside its
device read, as it would on a slow line, while the test presses keys and watches the screen.
"""

from __future__ import annotations

import pytest

from protocols.records import ExitStatus
from qst.ui.screens import DeviceCheckScreen
from qst.ui.testing import (
    answer,
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
from qst.virtual import VirtualPerson
from simulators.participants.thermal import ThermalThresholds

SIZE = (100, 30)

HPT_ONLY = ui_battery("ui-hpt", "One HPT", {"test": "HPT", "sites": ["volar-forearm-left"]})


def heat_lab():
    """A participant whose heat pain threshold is high, so a ramp passes 40 °C unanswered."""
    return virtual_lab(person=VirtualPerson(seed=4, thermal=ThermalThresholds(hpt_c=47.5)))


def rising_past(core, temperature_c: float):
    return lambda: core.phase == "rise" and max(core.true_temperatures_c[1]) >= temperature_c


@synchronously
async def test_esc_during_a_heat_ramp_starts_the_return_within_50_ms():
    lab = heat_lab()
    source = pilot_visits(HPT_ONLY)
    app = virtual_app(lab, source)
    core, clock = lab.tcs2_core, lab.clock
    async with app.run_test(size=SIZE) as pilot:
        await start_visit(pilot)
        clock.hold_when(rising_past(core, 40.0))
        await answer(pilot, lab, prompt_of(app))
        await wait_for(pilot, clock.held.is_set, "the ramp at 40 °C")
        key_t_s = clock.now()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.aborts_sent == 1, "the abort to be sent")
        # It reached the device while the worker was still held in its read: not through it.
        assert (key_t_s, b"A") in core.rx_log
        assert app.abort_key_times == [key_t_s]
        clock.release()
        screen = run_screen(app)
        await wait_for(pilot, lambda: screen.ended is not None, "the run to end")
        assert "Aborted" in screen.query_one("#banner").message
        # The ramp's last reading (about 40 °C) does not stay up as if it were the probe's now.
        assert screen.query_one("#live-value").value == "—"
    returns = [t_s for t_s, phase in core.probe_log.phase_changes() if phase == "return" and t_s >= key_t_s - 1e-9]
    assert returns and returns[0] - key_t_s <= 0.050
    hottest_at_key = core.probe_log.max_zone_c(key_t_s - 0.011, key_t_s)
    assert core.probe_log.max_zone_c(returns[0] + 0.05) <= hottest_at_key + 0.1, "the probe only cools from there"
    assert hottest_at_key < 41.0
    (visit,) = source.opened.values()
    (stop,) = visit.records.stops()
    assert stop.exit_status is ExitStatus.ABORTED_BY_EXAMINER and stop.result is None


@synchronously
async def test_an_unplugged_thermode_ends_the_run_as_a_device_fault_and_reconnects():
    lab = heat_lab()
    source = pilot_visits(HPT_ONLY)
    app = virtual_app(lab, source)
    core, clock = lab.tcs2_core, lab.clock
    async with app.run_test(size=SIZE) as pilot:
        await start_visit(pilot)
        clock.hold_when(rising_past(core, 38.0))
        await answer(pilot, lab, prompt_of(app))
        await wait_for(pilot, clock.held.is_set, "the ramp at 38 °C")
        with lab.bench.locks["tcs2"]:
            core.unplug()
        clock.release()
        screen = run_screen(app)
        await wait_for(pilot, lambda: screen.ended is not None, "the run to end")
        banner = screen.query_one("#banner")
        assert banner.kind == "fault"
        assert "THERMODE FAULT" in banner.message and "device fault" in banner.message
        assert "USB cable" in banner.message and "press R to reconnect" in banner.message
        (visit,) = source.opened.values()
        (stop,) = visit.records.stops()
        assert stop.exit_status is ExitStatus.DEVICE_FAULT and "disconnected" in stop.reason

        # Plugged back in: R reconnects (the first command is an abort) and the trial runs again.
        with lab.bench.locks["tcs2"]:
            core.replug()
        aborts_before = sum(1 for _, command in core.rx_log if command == b"A")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, DeviceCheckScreen) and app.screen.ready, "the device check")
        assert sum(1 for _, command in core.rx_log if command == b"A") > aborts_before
        await pilot.press("enter")
        await wait_for(pilot, lambda: prompt_of(app) is not None, "the question before the trial")
        await answer(pilot, lab, prompt_of(app))
        await wait_for(pilot, lambda: on_summary(app), "the visit summary")
    stops = visit.records.stops()
    assert [s.exit_status for s in stops] == [ExitStatus.DEVICE_FAULT, ExitStatus.COMPLETED]
    assert stops[1].result.value == pytest.approx(lab.person.thermal.hpt_c + lab.person.reaction_s, abs=0.2)


HPT_FROM_28 = ui_battery(
    "ui-hpt-28",
    "One HPT from a 28 °C baseline",
    {"test": "HPT", "sites": ["volar-forearm-left"], "baseline_c": 28.0},
)


@synchronously
async def test_a_stalled_thermode_shows_a_banner_within_a_second_while_keys_still_work():
    # The probe settles from 32 to a 28 °C baseline (some 4 s), reading the thermode's stream;
    # it hangs on the way. (A hang during a stimulation is a device fault within the driver's
    # watchdog.) Time is the devices' clock, stopped at exact moments (`hold_at`).
    lab = heat_lab()
    source = pilot_visits(HPT_FROM_28)
    app = virtual_app(lab, source)
    core, clock = lab.tcs2_core, lab.clock
    async with app.run_test(size=SIZE) as pilot:
        await start_visit(pilot)
        asked_at_s = clock.now()
        clock.hold_at(asked_at_s + 0.3)
        await answer(pilot, lab, prompt_of(app))
        await wait_for(pilot, clock.held.is_set, "the worker settling at the baseline")
        # A healthy thermode is never silent for the limit, though its idle stream comes
        # only once a second: look every 0.1 s through a second and a half.
        for step in range(1, 16):
            clock.hold_at(asked_at_s + 0.3 + 0.1 * step)
            await wait_for(pilot, clock.held.is_set, f"{0.3 + 0.1 * step:.1f} s of settling")
            assert app.visit_run.watch.silence() is None, clock.now() - asked_at_s
        stalled_at_s = clock.now()
        with lab.bench.locks["tcs2"]:
            core.stall(True, t_s=stalled_at_s)
        clock.hold_at(stalled_at_s + 1.0)
        await wait_for(pilot, clock.held.is_set, "1 s of silence")
        assert clock.now() == stalled_at_s + 1.0
        screen = run_screen(app)
        banner = screen.query_one("#banner")
        # The screen checks ten times a second; the devices' clock stands still meanwhile.
        await wait_for(pilot, lambda: banner.kind == "stall", "the stall banner by 1 s of silence", timeout_s=1.0)
        assert "THERMODE NOT ANSWERING" in banner.message and "Esc sends the thermode to neutral" in banner.message
        # The screen keeps answering keys while the worker is stuck on the device.
        await pilot.press("s")
        assert screen.status_lines[-1] == "The visit stops after this trial."
        await pilot.press("space")
        assert screen.status_lines[-1] == "Response key pressed." and app.station.key.pressed_at() is not None
        assert banner.kind == "stall"
        # The device comes back: the banner goes, and the trial goes on to its end.
        with lab.bench.locks["tcs2"]:
            core.stall(False)
        clock.release()
        await wait_for(pilot, lambda: banner.kind != "stall" or on_summary(app), "the banner to go")
        await wait_for(pilot, lambda: on_summary(app), "the visit summary")
    (visit,) = source.opened.values()
    (stop,) = visit.records.stops()
    assert stop.exit_status is ExitStatus.COMPLETED, stop.reason


@synchronously
async def test_esc_outside_a_run_still_sends_the_thermode_to_neutral():
    lab = heat_lab()
    app = virtual_app(lab, pilot_visits(HPT_ONLY))
    async with app.run_test(size=SIZE) as pilot:
        await open_visit(pilot)  # the device check screen, no run yet
        aborts_before = sum(1 for _, command in lab.tcs2_core.rx_log if command == b"A")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.aborts_sent == 1, "the abort to be sent")
        assert sum(1 for _, command in lab.tcs2_core.rx_log if command == b"A") == aborts_before + 1
        assert isinstance(app.screen, DeviceCheckScreen)
