"""The simulated Mark-10 gauge, byte by byte against the GCL2 table (no driver involved)."""

import math

import pytest
import serial

import simulators
from simulators.bench import SimulatorError, create_core
from simulators.mark10 import MODELS, Mark10Core


def ask(core, data, t_s=None):
    core.receive(data, core.now_s if t_s is None else t_s)
    return core.take_output()


def test_fits_the_device_core_interface():
    core = create_core("mark10", 1, {})
    for name in ("advance_to", "receive", "take_output", "next_event_s"):
        assert callable(getattr(core, name))
    assert core.baudrate == 115200 and core.unplugged is False
    assert core.next_event_s() == math.inf
    assert set(Mark10Core.FAULTS) == {"unplug", "replug", "stall", "inject_garbage", "error_storm"}
    assert all(callable(getattr(core, fault)) for fault in Mark10Core.FAULTS)


def test_reading_reply_is_value_space_unit_crlf():
    core = create_core("mark10", 1, {})
    assert ask(core, b"?\r\n") == b"0.00 N\r\n"
    core.set_load(4.28)
    assert ask(core, b"?\r\n") == b"4.30 N\r\n"  # 100 N gauge: 0.05 N steps
    core.set_load(-18.78 * 4.4482216152605)
    core.receive(b"LB\r\n", 0)
    assert ask(core, b"?C\r\n") == b"-18.78 lbF\r\n"


def test_cr_alone_ends_a_command_and_lf_alone_is_ignored():
    core = create_core("mark10", 1, {"capacity_n": "250"})
    core.set_load(12.34)
    assert ask(core, b"?C\r") == b"12.3 N\r\n"
    assert ask(core, b"?C\n") == b""
    assert ask(core, b"\r") == b"12.3 N\r\n"
    assert ask(core, b"?\n\nC\r") == b"12.3 N\r\n"  # LF ignored wherever it comes
    assert ask(core, b"\r\r\n") == b""  # empty commands say nothing
    assert ask(core, b"R") == b""  # a command may arrive in pieces
    assert ask(core, b"M\r\n") == b"M5-50\r\n"


def test_replies_are_produced_when_the_command_completes():
    core = create_core("mark10", 1, {})
    core.receive(b"?", 0.0)
    assert core.take_output() == b""
    core.receive(b"C\r", 0.5)
    assert core.next_event_s() == 0.5
    assert core.take_output() == b"0.00 N\r\n"
    assert core.next_event_s() == math.inf


def test_unit_display_off_and_every_unit():
    core = create_core("mark10", 1, {"show_units": "0", "units": "kgF"})
    core.set_load(9.80665)
    assert ask(core, b"?\r\n") == b"1.000\r\n"
    for command, reply in [(b"N", b"9.80"), (b"G", b"1000"), (b"OZ", b"35.2"), (b"LB", b"2.20"), (b"KG", b"1.000")]:
        assert ask(core, command + b"\r\n") == b""
        assert ask(core, b"?\r\n") == reply + b"\r\n"


def test_units_a_model_cannot_show_are_not_available():
    small = create_core("mark10", 1, {"capacity_n": "10"})
    big = create_core("mark10", 1, {"capacity_n": "250"})
    assert ask(small, b"KN\r\n") == b"*11\r\n"
    assert ask(small, b"MN\r\n") == b""
    small.set_load(1.234)
    assert ask(small, b"?\r\n") == b"1235 mN\r\n"
    assert ask(big, b"MN\r\n") == b"*11\r\n"
    assert ask(big, b"KN\r\n") == b""
    big.set_load(123.4)
    assert ask(big, b"?\r\n") == b"0.1234 kN\r\n"


def test_error_replies():
    core = create_core("mark10", 1, {})
    assert ask(core, b"HELLO\r\n") == b"*10\r\n"
    assert ask(core, b"?c\r\n") == b"*10\r\n"  # commands are upper case
    assert ask(core, b"?A\r\n") == b"*11\r\n"
    assert ask(core, b"FLTCx\r\n") == b"*12\r\n"
    assert ask(core, b"FLTC11\r\n") == b"*22\r\n"
    assert ask(core, b"AOFF31\r\n") == b"*22\r\n"
    assert ask(core, b"FLTC4\r\n") == b""
    assert ask(core, b"X" * 100 + b"\r\n") == b"*10\r\n"


def test_list_reports_unit_mode_filters_and_battery():
    core = create_core("mark10", 1, {"units": "lbF", "battery": "2"})
    assert ask(core, b"LIST\r\n") == b"V1.00;LBF;CUR;FLTC8;FLTP1;AOFF5;B2\r\n"
    ask(core, b"PC\r\nFLTP3\r\nN\r\n")
    assert ask(core, b"LIST\r\n") == b"V1.00;N;PC;FLTC8;FLTP3;AOFF5;B2\r\n"


def test_identity():
    core = create_core("mark10", 5, {"capacity_n": "100"})
    assert ask(core, b"RN\r\nRM\r\nRV\r\n") == b"Mark-10 Series 5\r\nM5-20\r\n1.00\r\n"
    serial_number = ask(core, b"RS\r\n")
    assert serial_number.endswith(b"\r\n") and serial_number[:-2].isdigit()


def test_polarity_setting_flips_the_sign():
    plain = create_core("mark10", 1, {})
    flipped = create_core("mark10", 1, {"compression_positive": "0"})
    for core in (plain, flipped):
        core.set_load(10.0)
        core.set_load(-2.0)
    assert ask(plain, b"?C\r\n?PC\r\n?PT\r\n") == b"-2.00 N\r\n10.00 N\r\n-2.00 N\r\n"
    assert ask(flipped, b"?C\r\n?PC\r\n?PT\r\n") == b"2.00 N\r\n-10.00 N\r\n2.00 N\r\n"


def test_modes_peaks_clear_and_zero():
    core = create_core("mark10", 1, {})
    core.set_load(30.0)
    core.set_load(-5.0)
    core.set_load(12.0)
    assert ask(core, b"PT\r\n?\r\n") == b"-5.00 N\r\n"
    assert ask(core, b"PC\r\n?\r\n") == b"30.00 N\r\n"
    assert ask(core, b"CUR\r\n?\r\n") == b"12.00 N\r\n"
    assert ask(core, b"CLR\r\n?PC\r\n?PT\r\n") == b"12.00 N\r\n0.00 N\r\n"
    assert ask(core, b"Z\r\n?C\r\n?PC\r\n") == b"0.00 N\r\n0.00 N\r\n"
    core.set_load(15.0)
    assert ask(core, b"?C\r\n") == b"3.00 N\r\n"


def test_overload_shows_beyond_capacity_up_to_the_sensor_limit():
    core = create_core("mark10", 1, {"capacity_n": "100"})
    core.set_load(105.0)
    assert ask(core, b"?C\r\n") == b"105.00 N\r\n"
    core.set_load(500.0)
    assert ask(core, b"?C\r\n") == b"120.00 N\r\n"
    assert ask(core, b"?PC\r\n") == b"120.00 N\r\n"


def test_peaks_catch_a_push_between_requests():
    core = create_core("mark10", 1, {"threshold_kpa": "100", "tremor_kpa": "0"})
    core.start_ramp(0.0)
    core.advance_to(5.0)
    record = core.pushes[-1]
    assert record.response_s is not None and core.true_pressure_kpa(5.0) == 0.0
    highest_n = max(t.force_n for t in core.true_log)
    peak = float(ask(core, b"?PC\r\n").split()[0])
    assert abs(peak - highest_n) <= 0.025 + 1e-9
    assert ask(core, b"?C\r\n") == b"0.00 N\r\n"


# -- faults --------------------------------------------------------------------------


def test_unplug_drops_the_line_and_replug_restores_it():
    bench = simulators.Bench()
    core = bench.device("mark10")
    port = serial.serial_for_url(bench.url("mark10"), timeout=0.1)
    port.write(b"?\r\n")
    core.unplug()
    assert core.unplugged
    with pytest.raises(serial.SerialException):
        port.read(10)
    core.replug()
    port.write(b"?\r\n")
    assert port.read(8) == b"0.00 N\r\n"


def test_stall_ignores_input_until_released():
    core = create_core("mark10", 1, {})
    core.stall(True)
    assert ask(core, b"?\r\n") == b""
    core.stall("0")
    assert ask(core, b"?\r\n") == b"0.00 N\r\n"


def test_garbage_goes_on_the_line_at_once():
    core = create_core("mark10", 1, {})
    core.inject_garbage("\x00junk")
    assert core.next_event_s() == core.now_s
    assert core.take_output() == b"\x00junk"
    core.inject_garbage()
    assert len(core.take_output()) == 24


def test_error_storm_answers_every_command_with_an_error():
    core = create_core("mark10", 1, {})
    core.error_storm("on")
    replies = ask(core, b"?\r\n" * 40 + b"N\r\n").split(b"\r\n")[:-1]
    assert len(replies) == 41
    assert set(replies) <= {b"*10", b"*11", b"*12", b"*22"} and len(set(replies)) > 1
    core.error_storm(False)
    assert ask(core, b"?\r\n") == b"0.00 N\r\n"


# -- parameters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, match",
    [({"capacity_n": "123"}, "no Mark-10 model"), ({"units": "kN"}, "cannot show"), ({"colour": "red"}, "unknown"),
     ({"rate_kpa_s": "fast"}, "not a number"), ({"wobble": "2"}, "wobble"), ({"threshold_kpa": "-1"}, "threshold")],
)
def test_bad_parameters_are_named(params, match):
    with pytest.raises(SimulatorError, match=match):
        create_core("mark10", 1, params)


def test_bad_url_parameters_refuse_to_open():
    with pytest.raises(serial.SerialException, match="capacity"):
        serial.serial_for_url("sim://mark10?capacity_n=7")


def test_baud_parameter_sets_the_wire_speed():
    assert create_core("mark10", 1, {"baud": "9600"}).baudrate == 9600


def test_every_model_shows_newtons_and_has_consistent_steps():
    for capacity, model in MODELS.items():
        assert model.capacity_n == capacity
        steps_n = [model.step_n(unit) for unit in model.steps]
        assert max(steps_n) / min(steps_n) < 2.5  # one resolution, told in several units
