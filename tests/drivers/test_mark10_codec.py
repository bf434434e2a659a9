"""Mark-10 GCL2 codec: byte-exact commands, every reply shape, and fuzzed framing."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.mark10 import codec
from drivers.mark10.messages import MAX_READING_N, ErrorCode, GaugeError, Garbled, Mode, Reading, Settings, Text
from drivers.mark10.units import NEWTONS_PER_UNIT, Unit, unit_from_token


def one(data: bytes, assumed_unit: Unit = Unit.NEWTON):
    parser = codec.ReplyParser(assumed_unit)
    messages = parser.feed(data)
    assert len(messages) == 1, messages
    return messages[0]


def test_commands_are_byte_exact_with_cr_lf():
    assert codec.DISPLAYED == b"?\r\n"
    assert codec.CURRENT == b"?C\r\n"
    assert codec.PEAK_TENSION == b"?PT\r\n"
    assert codec.PEAK_COMPRESSION == b"?PC\r\n"
    assert codec.CLEAR_PEAKS == b"CLR\r\n"
    assert codec.ZERO == b"Z\r\n"
    assert (codec.NAME, codec.MODEL, codec.FIRMWARE, codec.SERIAL_NUMBER) == (b"RN\r\n", b"RM\r\n", b"RV\r\n", b"RS\r\n")
    assert codec.LIST == b"LIST\r\n"
    assert [codec.set_mode(m) for m in Mode] == [b"CUR\r\n", b"PT\r\n", b"PC\r\n"]


@pytest.mark.parametrize(
    "unit, wire",
    [(Unit.POUND_FORCE, b"LB\r\n"), (Unit.OUNCE_FORCE, b"OZ\r\n"), (Unit.KILOGRAM_FORCE, b"KG\r\n"),
     (Unit.GRAM_FORCE, b"G\r\n"), (Unit.NEWTON, b"N\r\n"), (Unit.MILLINEWTON, b"MN\r\n"), (Unit.KILONEWTON, b"KN\r\n")],
)
def test_unit_commands(unit, wire):
    assert codec.set_unit(unit) == wire


def test_encode_refuses_line_breaks():
    with pytest.raises(ValueError):
        codec.encode("?\rC")


def test_unit_factors_are_the_standard_ones():
    assert NEWTONS_PER_UNIT[Unit.KILOGRAM_FORCE] == 9.80665
    assert NEWTONS_PER_UNIT[Unit.POUND_FORCE] == 4.4482216152605
    assert NEWTONS_PER_UNIT[Unit.OUNCE_FORCE] == 4.4482216152605 / 16
    assert NEWTONS_PER_UNIT[Unit.GRAM_FORCE] == 9.80665 / 1000
    assert NEWTONS_PER_UNIT[Unit.MILLINEWTON] == 0.001
    assert NEWTONS_PER_UNIT[Unit.KILONEWTON] == 1000.0


@pytest.mark.parametrize(
    "line, value, unit, force_n",
    [
        (b"4.285 N", 4.285, Unit.NEWTON, 4.285),
        (b"-18.78 lbF", -18.78, Unit.POUND_FORCE, -18.78 * 4.4482216152605),
        (b"320.5 ozF", 320.5, Unit.OUNCE_FORCE, 320.5 * 4.4482216152605 / 16),
        (b"-2.005 kgF", -2.005, Unit.KILOGRAM_FORCE, -2.005 * 9.80665),
        (b"9995 gF", 9995.0, Unit.GRAM_FORCE, 9995 * 9.80665 / 1000),
        (b"-450 mN", -450.0, Unit.MILLINEWTON, -0.45),
        (b"0.2501 kN", 0.2501, Unit.KILONEWTON, 250.1),
        (b"+12.50 N", 12.5, Unit.NEWTON, 12.5),
        (b"  -0.05 N", -0.05, Unit.NEWTON, -0.05),
        (b"12.50 LBF", 12.5, Unit.POUND_FORCE, 12.5 * 4.4482216152605),
    ],
)
def test_readings_in_every_unit_and_sign(line, value, unit, force_n):
    message = one(line + b"\r\n")
    assert isinstance(message, Reading)
    assert (message.value, message.unit, message.unit_shown) == (value, unit, True)
    assert message.force_n == pytest.approx(force_n, rel=1e-15)


def test_reading_without_unit_takes_the_assumed_unit():
    message = one(b"-18.78\r\n", Unit.POUND_FORCE)
    assert isinstance(message, Reading)
    assert message.unit is Unit.POUND_FORCE and not message.unit_shown
    assert message.force_n == pytest.approx(-18.78 * 4.4482216152605)


@pytest.mark.parametrize("code", ["10", "11", "12", "22"])
def test_error_codes_are_typed(code):
    message = one(f"*{code}\r\n".encode())
    assert isinstance(message, GaugeError)
    assert message.code is ErrorCode(code)
    assert message.describe().startswith(f"*{code} ")


def test_unknown_error_code_is_garbled():
    assert isinstance(one(b"*99\r\n"), Garbled)


def test_list_is_parsed():
    message = one(b"V1.00;LBF;CUR;FLTC8;FLTP1;AOUT00;AOFF5;FULL;MIT;POL;B0\r\n")
    assert isinstance(message, Settings)
    assert message.firmware == "1.00"
    assert message.unit is Unit.POUND_FORCE
    assert message.mode is Mode.CURRENT
    assert message.battery_level == 0
    assert message.fields[3] == "FLTC8"


def test_list_with_other_unit_mode_and_battery():
    message = one(b"V2.10;MN;PC;FLTC4;B3\r\n")
    assert isinstance(message, Settings)
    assert (message.unit, message.mode, message.battery_level) == (Unit.MILLINEWTON, Mode.PEAK_COMPRESSION, 3)


def test_identity_lines_are_text():
    assert one(b"M5-20\r\n") == Text("M5-20")
    assert one(b"Mark-10 Series 5\r\n") == Text("Mark-10 Series 5")


def test_number_with_unknown_unit_is_not_a_reading():
    assert not isinstance(one(b"12.5 furlongs\r\n"), Reading)


def test_absurd_number_is_not_a_reading():
    message = one(b"99999999999 N\r\n")
    assert not isinstance(message, Reading)


def test_control_bytes_make_a_counted_garbled_line():
    parser = codec.ReplyParser()
    messages = parser.feed(b"\x00\xff4.2 N\r\n4.3 N\r\n")
    assert isinstance(messages[0], Garbled)
    assert isinstance(messages[1], Reading) and messages[1].value == 4.3
    assert parser.garbled_lines == 1


def test_framing_across_chunks_and_partial_lines():
    parser = codec.ReplyParser()
    assert parser.feed(b"4.2") == []
    assert parser.feed(b"85 N\r") == []
    (message,) = parser.feed(b"\n")
    assert isinstance(message, Reading) and message.value == 4.285
    assert parser.feed(b"noise without end") == []
    assert parser.discard_partial() == len(b"noise without end")
    assert parser.dropped_bytes == len(b"noise without end")
    (message,) = parser.feed(b"1.00 N\r\n")
    assert isinstance(message, Reading) and message.value == 1.0


def test_overlong_run_without_terminator_is_cut_and_counted():
    parser = codec.ReplyParser()
    messages = parser.feed(b"7" * (codec.MAX_LINE_BYTES + 10))
    assert len(messages) == 1 and isinstance(messages[0], Garbled)
    assert parser.pending_bytes == 0
    assert parser.garbled_lines == 1


def test_unit_tokens():
    assert unit_from_token("MN") is Unit.MILLINEWTON
    assert unit_from_token("lb") is Unit.POUND_FORCE
    assert unit_from_token("kgf") is Unit.KILOGRAM_FORCE
    assert unit_from_token("parsec") is None


@settings(max_examples=400, deadline=None)
@given(chunks=st.lists(st.binary(max_size=80), max_size=12), assumed=st.sampled_from(list(Unit)))
def test_any_bytes_give_messages_never_an_exception(chunks, assumed):
    parser = codec.ReplyParser(assumed)
    messages = [m for chunk in chunks for m in parser.feed(chunk)]
    total = sum(map(len, chunks))
    assert parser.pending_bytes <= codec.MAX_LINE_BYTES + 1
    assert len(messages) <= total // 2 + 1
    assert parser.garbled_lines == sum(isinstance(m, Garbled) for m in messages)
    for message in messages:
        assert isinstance(message, (Reading, GaugeError, Settings, Text, Garbled))
        if isinstance(message, Reading):
            assert math.isfinite(message.force_n) and abs(message.force_n) <= MAX_READING_N


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.one_of(
            st.builds(lambda v, u: f"{v:.3f} {u.value}", st.floats(-5000, 5000), st.sampled_from(list(Unit))),
            st.sampled_from(["*10", "*11", "*12", "*22", "M5-20", "V1.00;N;CUR;B1"]),
        ),
        max_size=10,
    ),
    cut=st.integers(0, 200),
)
def test_valid_replies_survive_any_chunking(lines, cut):
    data = b"".join(line.encode() + b"\r\n" for line in lines)
    parser = codec.ReplyParser()
    messages = parser.feed(data[:cut]) + parser.feed(data[cut:])
    assert [m.text for m in messages] == lines
    assert parser.garbled_lines == 0
