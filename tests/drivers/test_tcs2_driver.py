"""The TCS II driver against the independent simulator, in virtual time.

Safety is judged from the simulator's own log of the probe's true temperature
(`core.probe_log`) and of the commands it received (`core.rx_log`), never from what the
driver believes.
"""

from __future__ import annotations

import threading

import pytest

import simulators
from drivers.errors import (
    AbortedError,
    CommandRangeError,
    DeviceReportedError,
    DisconnectedError,
    PortError,
    SafetyLimitError,
    StreamSilentError,
)
from drivers.tcs2.driver import Stimulus, Tcs2
from drivers.tcs2.safety import SafetyEnvelope
from simulators import Bench


@pytest.fixture
def bench():
    return Bench(seed=11)


@pytest.fixture
def core(bench):
    return bench.device("tcs2")


@pytest.fixture
def thermode(bench, core):
    driver = Tcs2.open(bench.url("tcs2"))
    yield driver
    driver.close()


def commands_since(core, t_s: float) -> list[bytes]:
    return [command for t, command in core.rx_log if t >= t_s]


def sent_after(core, mark: int) -> list[bytes]:
    """Commands the device accepted after the first `mark` ones."""
    return [command for _, command in list(core.rx_log)[mark:]]


def first_return_s(core, after_s: float) -> float:
    """When the probe log first shows a zone on its way back after `after_s`."""
    for record in core.probe_log.between(after_s):
        if record.phase in ("return", "idle"):
            return record.t_s
    raise AssertionError("the probe never started back")


def test_connect_sends_abort_first_then_the_cap(core, thermode):
    commands = [command for _, command in core.rx_log]
    assert commands[0] == b"A"
    assert b"Om500" in commands
    assert commands.index(b"Om500") < commands.index(b"?")
    assert thermode.identity.name == "TCS"
    assert thermode.identity.firmware and thermode.identity.probe_id and thermode.identity.probe_type


def test_a_stimulation_goes_out_byte_exact(core, thermode):
    mark = len(core.rx_log)
    profile = thermode.stimulate(Stimulus(target_c=45.0, ramp_c_per_s=1.0, return_c_per_s=5.0, plateau_s=2.0))
    assert sent_after(core, mark) == [b"S11111", b"C0450", b"V00010", b"R00050", b"D015000", b"L"]
    assert profile.total_s == pytest.approx(13.0 + 2.0 + 13.0 / 5.0)


def test_fine_commands_below_10_c_and_for_slow_rates(core, thermode):
    thermode.set_limits(SafetyEnvelope())
    mark = len(core.rx_log)
    thermode.stimulate(Stimulus(target_c=8.5, ramp_c_per_s=1.0, return_c_per_s=0.25, zones=(True, False, True, False, False)))
    assert sent_after(core, mark)[:4] == [b"S10100", b"Ot00850", b"V00010", b"Or000025"]


def test_ramp_slope_from_the_stream_is_one_degree_per_second(thermode):
    thermode.stimulate(Stimulus(target_c=45.0, ramp_c_per_s=1.0, return_c_per_s=5.0))
    trace = thermode.wait_until_idle()
    start = trace[0].t_s
    # after the lag, within the rise (32 -> 45 at 1 °C/s takes 13 s)
    rising = [(s.t_s - start, sum(s.zones_c) / 5) for s in trace if 1.0 <= s.t_s - start <= 12.0]
    assert len(rising) > 1000  # the 100 Hz stream
    n = len(rising)
    mean_t = sum(t for t, _ in rising) / n
    mean_c = sum(c for _, c in rising) / n
    slope = sum((t - mean_t) * (c - mean_c) for t, c in rising) / sum((t - mean_t) ** 2 for t, _ in rising)
    assert slope == pytest.approx(1.00, abs=0.02)
    assert max(s.max_zone_c for s in trace) == pytest.approx(45.0, abs=0.3)


def test_targets_outside_the_envelope_are_refused_and_nothing_is_sent(core, thermode):
    before = len(core.rx_log)
    for target_c in (50.5, 60.0, -1.0):
        with pytest.raises(SafetyLimitError):
            thermode.stimulate(Stimulus(target_c=target_c))
    assert len(core.rx_log) == before
    thermode.samples(5.0)
    assert core.probe_log.max_zone_c() < 32.5


def test_widened_envelope_allows_more_but_the_device_cap_follows(core, thermode):
    thermode.set_limits(SafetyEnvelope().widened(max_c=53.0))
    assert core.rx_log[-1][1] == b"Om530"
    t0 = thermode.clock.now()
    thermode.stimulate(Stimulus(target_c=52.0, ramp_c_per_s=10.0, return_c_per_s=10.0, plateau_s=1.0))
    thermode.wait_until_idle()
    assert core.probe_log.max_zone_c(t0) == pytest.approx(52.0, abs=0.3)
    with pytest.raises(SafetyLimitError):
        thermode.stimulate(Stimulus(target_c=53.5))


def test_the_device_cap_set_on_connect_holds_against_a_rogue_command(bench, core, thermode):
    # Someone bypasses the driver and asks the device for 55 °C: Om500 from connect caps it.
    port = thermode._port
    t0 = thermode.clock.now()
    port.write(b"C0550V01000D003000L")
    thermode.samples(5.0)
    assert core.probe_log.max_zone_c(t0) <= 50.0 + 0.3


def test_a_dose_breaking_plateau_is_refused_before_it_starts(core, thermode):
    before = len(core.rx_log)
    with pytest.raises(SafetyLimitError, match="thermal-dose"):
        thermode.stimulate(Stimulus(target_c=49.0, ramp_c_per_s=2.0, plateau_s=60.0))
    assert len(core.rx_log) == before


def test_follow_mode_holds_only_where_no_dose_bound_applies(core, thermode):
    with pytest.raises(SafetyLimitError, match="follow"):
        thermode.follow(47.0)
    thermode.follow(38.0, ramp_c_per_s=2.0)
    assert core.rx_log[-1][1] == b"Od"
    thermode.samples(10.0)
    assert thermode.latest.max_zone_c == pytest.approx(38.0, abs=0.3)
    t_abort = thermode.clock.now()
    thermode.abort()
    thermode.samples(5.0)
    assert core.probe_log.max_zone_c(t_abort + 3.0) < 32.5


def test_the_device_ends_the_stimulation_by_itself_when_the_host_goes_quiet(bench, core, thermode):
    t0 = thermode.clock.now()
    thermode.stimulate(Stimulus(target_c=46.0, ramp_c_per_s=2.0, return_c_per_s=5.0, plateau_s=1.0))
    bench.clock.sleep(60.0)  # the host reads nothing at all
    core.advance_to(bench.clock.now())
    duration_s = 14.0 / 2.0 + 1.0
    assert first_return_s(core, t0) == pytest.approx(t0 + duration_s, abs=0.011)
    assert core.probe_log.max_zone_c(t0) == pytest.approx(46.0, abs=0.3)
    assert core.probe_log.max_zone_c(t0 + duration_s + 14.0 / 5.0 + 0.5) < 32.5


def test_abort_returns_the_probe_within_a_stream_tick(core, thermode):
    thermode.stimulate(Stimulus(target_c=48.0, ramp_c_per_s=1.0, return_c_per_s=5.0))
    thermode.samples(5.0)
    t_abort = thermode.clock.now()
    thermode.abort()
    thermode.wait_until_idle()
    assert commands_since(core, t_abort)[0] == b"A"
    assert first_return_s(core, t_abort) - t_abort <= 0.010
    assert core.probe_log.max_zone_c(t_abort) < 37.5 + 0.2


def test_close_aborts_a_running_stimulation(bench, core, thermode):
    thermode.stimulate(Stimulus(target_c=48.0, ramp_c_per_s=1.0))
    thermode.samples(3.0)
    t_close = thermode.clock.now()
    thermode.close()
    assert commands_since(core, t_close) == [b"A"]
    bench.clock.sleep(5.0)
    core.advance_to(bench.clock.now())
    assert first_return_s(core, t_close) - t_close <= 0.010


def test_a_zone_above_the_cap_aborts(core, thermode):
    core.overshoot(3.0)
    thermode.stimulate(Stimulus(target_c=49.5, ramp_c_per_s=5.0, return_c_per_s=5.0, plateau_s=2.0))
    with pytest.raises(SafetyLimitError, match="cap"):
        thermode.wait_until_idle()
    # The limit is 50 °C + 1 °C; a reading is the true temperature plus noise, rounded to
    # 0.1 °C, so it may pass 51.0 °C while the true one is up to 0.2 °C below.
    over = [r.t_s for r in core.probe_log if max(r.zones_c) > 51.0 - 0.2]
    assert over, "the overshoot never happened"
    abort_s = [t for t, command in core.rx_log if command == b"A"][-1]
    # the driver saw it in the next 100 Hz line (plus the lag and the reading's noise), not before
    assert 0 <= abort_s - over[0] < 0.1
    assert first_return_s(core, abort_s) - abort_s <= 0.010


def test_a_silent_stream_during_a_stimulation_aborts_within_the_bound(bench, core, thermode):
    thermode.stimulate(Stimulus(target_c=47.0, ramp_c_per_s=1.0))
    thermode.samples(2.0)
    t_stall = thermode.clock.now()
    core.stall(True, t_s=t_stall)
    with pytest.raises(StreamSilentError):
        thermode.samples(5.0)
    raised_s = thermode.clock.now()
    assert 0.5 <= raised_s - t_stall <= 0.5 + 0.02
    # the stalled device ignores A; its own duration still brings the probe back
    bench.clock.sleep(30.0)
    core.advance_to(bench.clock.now())
    assert core.probe_log.max_zone_c() <= 47.0 + 0.3
    assert core.probe_log.max_zone_c(bench.clock.now() - 1.0) < 32.5


def test_a_live_device_that_ended_on_its_own_is_not_mistaken_for_a_dead_one(core, thermode):
    core.response_hook = lambda t_s, zones_c: max(zones_c) > 40.0
    thermode.stimulate(Stimulus(target_c=48.0, ramp_c_per_s=2.0, stoppable=True))
    trace = thermode.wait_until_idle()
    assert max(s.max_zone_c for s in trace) < 41.0
    assert b"A" not in commands_since(core, trace[0].t_s)


def test_between_stimulations_a_reading_comes_at_least_every_quarter_second(core, thermode):
    # The idle stream comes once a second; in between, the driver asks (E) each time the
    # newest reading is `max_reading_gap_s` old. The simulator answers at once.
    assert thermode.max_reading_gap_s == 0.25
    thermode.samples(1.0)
    start_s = thermode.clock.now()
    readings = thermode.samples(2.0)
    end_s = thermode.clock.now()
    assert not thermode.stimulating and end_s == pytest.approx(start_s + 2.0)
    times = [start_s, *(sample.t_s for sample in readings), end_s]
    assert max(later - earlier for earlier, later in zip(times, times[1:])) <= 0.25 + 0.001
    polls = [sample.t_s for sample in readings if sample.source == "poll"]
    assert len([sample for sample in readings if sample.source == "stream"]) == 2  # 1 Hz
    assert len(polls) == 6
    asked = [(t_s, command) for t_s, command in core.rx_log if t_s >= start_s]
    assert [command for _, command in asked] == [b"E"] * len(polls)
    assert [t_s for t_s, _ in asked] == pytest.approx(polls)


def test_muted_and_polled_mode_sees_the_response_button(bench, core):
    driver = Tcs2.open(bench.url("tcs2"), streaming=False)
    try:
        assert core.rx_log[-1][1] == b"F" or b"F" in [c for _, c in core.rx_log]
        core.response_hook = lambda t_s, zones_c: max(zones_c) > 42.0
        driver.stimulate(Stimulus(target_c=48.0, ramp_c_per_s=1.0, stoppable=True))
        trace = driver.wait_until_idle()
        assert all(s.source == "poll" for s in trace)
        pressed = [s for s in trace if s.response_pressed]
        assert pressed and pressed[0].max_zone_c == pytest.approx(42.0, abs=0.3)
        gaps = [b.t_s - a.t_s for a, b in zip(trace, trace[1:])]
        assert max(gaps) <= 0.011
    finally:
        driver.close()


def test_muted_polls_keep_their_pace_across_back_to_back_calls(bench, core):
    """A procedure reads in short batches; each call must not open with a poll at the
    instant the previous call's last poll went out (that made 100 Hz into 120 Hz and more)."""
    driver = Tcs2.open(bench.url("tcs2"), streaming=False)
    try:
        started_s = driver.clock.now()
        driver.stimulate(Stimulus(target_c=40.0, ramp_c_per_s=2.0, stoppable=True))
        while driver.stimulating:
            driver.samples(0.05)
        polls = [t for t, command in core.rx_log if t >= started_s and command.startswith(b"Og")]
        gaps_s = [b - a for a, b in zip(polls, polls[1:])]
        assert len(polls) > 100
        assert min(gaps_s) == pytest.approx(driver.poll_interval_s, abs=1e-6)
        assert max(gaps_s) == pytest.approx(driver.poll_interval_s, abs=1e-6)
    finally:
        driver.close()


def test_unplug_mid_ramp_raises_then_reconnect_sends_a_first(bench, core, thermode):
    thermode.stimulate(Stimulus(target_c=46.0, ramp_c_per_s=1.0))
    thermode.samples(2.0)
    t_unplug = thermode.clock.now()
    thermode._port.write(b"C04")  # the cable goes mid-command
    core.unplug(t_s=t_unplug)
    with pytest.raises(DisconnectedError):
        thermode.samples(5.0)
    assert thermode.clock.now() - t_unplug < 0.5
    bench.clock.sleep(20.0)
    core.replug(t_s=bench.clock.now())
    t_back = bench.clock.now()
    thermode.reconnect()
    assert [b for t, b in core.rx_bytes if t >= t_back][0][:1] == b"A"
    # the half-sent command swallowed the first A; the second one got through
    assert commands_since(core, t_back)[0] == b"A"
    # the device's own duration brought the probe back meanwhile
    assert core.probe_log.max_zone_c(t_unplug) <= 46.0 + 0.3


def test_garbage_in_the_stream_is_counted_and_the_next_lines_parse(core, thermode):
    thermode.stimulate(Stimulus(target_c=40.0, ramp_c_per_s=1.0))
    thermode.samples(1.0)
    core.inject_garbage(b"\r12x\r\xff\xfe+99\r320+3")
    trace = thermode.samples(1.0)
    assert thermode.dropped_frames == 3
    assert len(trace) >= 95
    assert all(32.0 <= s.max_zone_c <= 40.5 for s in trace)


def test_queries(core, thermode):
    battery = thermode.battery()
    assert 0 <= battery.charge_percent <= 100 and battery.voltage_v > 0
    assert thermode.errors().ok
    thermode.check_errors()
    core.set_zone_error(3, 2)
    with pytest.raises(DeviceReportedError) as raised:
        thermode.check_errors()
    assert raised.value.code == "000200"
    assert thermode.buttons().response is False
    core.press_response()
    assert thermode.buttons().response is True
    fine = thermode.temperatures_fine()
    assert fine.resolution_c == 0.01 and fine.max_zone_c == pytest.approx(32.0, abs=0.2)
    neutral_c = thermode.calibrate_neutral()
    assert 20.0 <= neutral_c <= 40.0


class ArmedClock:
    """The bench's clock, calling `action` once on the n-th sleep after being armed."""

    def __init__(self, inner):
        self.inner = inner
        self.action = None
        self.sleeps_left = 0

    def now(self) -> float:
        return self.inner.now()

    def sleep(self, duration_s: float) -> None:
        self.inner.sleep(duration_s)
        if self.action is not None:
            self.sleeps_left -= 1
            if self.sleeps_left == 0:
                action, self.action = self.action, None
                action()


def test_abort_from_another_thread_stops_a_paced_setup(bench, core):
    clock = ArmedClock(bench.clock)
    driver = Tcs2.open(bench.url("tcs2"), command_pacing_s=0.001, clock=clock)
    aborter = threading.Thread(target=driver.abort)
    try:
        mark = len(core.rx_log)

        def abort_from_elsewhere():
            before = driver.abort_count
            aborter.start()
            while driver.abort_count == before:  # the abort is requested; it waits for the wire
                pass

        clock.action, clock.sleeps_left = abort_from_elsewhere, 8  # inside the second command
        with pytest.raises(AbortedError):
            driver.stimulate(Stimulus(target_c=45.0))
        aborter.join()
        sent = sent_after(core, mark)
        # the command under way is finished whole, nothing after it, then A
        assert sent == [b"S11111", b"C0450", b"A"]
    finally:
        driver.close()


def test_a_busy_port_and_a_missing_port_are_one_line_errors(bench, thermode):
    with pytest.raises(PortError, match="busy"):
        Tcs2.open(bench.url("tcs2"))
    with pytest.raises(PortError, match="not found") as raised:
        Tcs2.open("/dev/ttyQST-no-such-port")
    assert "\n" not in str(raised.value)


def test_range_errors_are_refused(thermode):
    with pytest.raises(CommandRangeError):
        thermode.stimulate(Stimulus(target_c=45.0, ramp_c_per_s=0.1, plateau_s=90.0))
    with pytest.raises(CommandRangeError):
        thermode.set_neutral(45.0)
    with pytest.raises(SafetyLimitError):
        Tcs2(thermode._port, neutral_c=55.0)
