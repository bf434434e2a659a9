"""TCS II codec as expected byte exchanges: the command table and the reply layouts.

Tables: DESIGN.md ("Device facts") and docs/tcs2-wire.md.
"""

import pytest

from drivers.errors import CommandRangeError
from drivers.tcs2 import codec
from drivers.tcs2.codec import (
    COMMAND_LENGTHS,
    Battery,
    Buttons,
    ErrorState,
    Identity,
    NeutralCalibrated,
    ReplyKind,
    ReplyParser,
    Temperatures,
    TemperaturesAndButtons,
    parse_help,
)

# --- commands -------------------------------------------------------------------------------

COMMANDS = [
    (codec.identify, (), b"?"),
    (codec.help_text, (), b"H"),
    (codec.set_neutral, (32.0,), b"N320"),
    (codec.set_neutral, (20.0,), b"N200"),
    (codec.set_neutral, (40.0,), b"N400"),
    (codec.set_neutral, (32.05,), b"N321"),
    (codec.set_neutral, (32.04,), b"N320"),
    (codec.calibrate_neutral, (), b"G"),
    (codec.enable_zones, ([True, False, True, False, True],), b"S10101"),
    (codec.enable_zones, ((True,) * 5,), b"S11111"),
    (codec.enable_zones, ((False,) * 5,), b"S00000"),
    (codec.set_target, (0, 45.0), b"C0450"),
    (codec.set_target, (5, 10.0), b"C5100"),
    (codec.set_target, (1, 60.0), b"C1600"),
    (codec.set_target_fine, (0, 0.01), b"Ot00001"),
    (codec.set_target_fine, (3, 60.0), b"Ot36000"),
    (codec.set_target_fine, (2, 4.5), b"Ot20450"),
    (codec.set_target_fine, (2, 0.285), b"Ot20029"),
    (codec.set_ramp_speed, (0, 1.0), b"V00010"),
    (codec.set_ramp_speed, (1, 0.1), b"V10001"),
    (codec.set_ramp_speed, (5, 999.9), b"V59999"),
    (codec.set_return_speed, (0, 5.0), b"R00050"),
    (codec.set_return_speed, (2, 0.1), b"R20001"),
    (codec.set_return_speed, (4, 999.9), b"R49999"),
    (codec.set_ramp_speed_fine, (0, 0.01), b"Ov000001"),
    (codec.set_ramp_speed_fine, (1, 999.99), b"Ov199999"),
    (codec.set_ramp_speed_fine, (3, 2.5), b"Ov300250"),
    (codec.set_return_speed_fine, (0, 0.01), b"Or000001"),
    (codec.set_return_speed_fine, (5, 999.99), b"Or599999"),
    (codec.set_duration, (0, 0.001), b"D000001"),
    (codec.set_duration, (1, 99.999), b"D199999"),
    (codec.set_duration, (0, 12.5), b"D012500"),
    (codec.set_max_temperature, (50.0,), b"Om500"),
    (codec.set_max_temperature, (10.0,), b"Om100"),
    (codec.set_max_temperature, (60.0,), b"Om600"),
    (codec.start, (), b"L"),
    (codec.start_stoppable, (), b"Ol"),
    (codec.abort, (), b"A"),
    (codec.follow, (), b"Od"),
    (codec.mute, (), b"F"),
    (codec.stream_idle_on, (), b"Oa"),
    (codec.stream_stim_on, (), b"Ob"),
    (codec.temperatures, (), b"E"),
    (codec.temperatures_fine, (), b"Oe"),
    (codec.buttons, (), b"K"),
    (codec.temperatures_and_buttons, (), b"Og"),
    (codec.errors, (), b"Q"),
    (codec.battery, (), b"B"),
    (codec.set_trigger, (1, 10), b"T001010"),
    (codec.set_trigger, (255, 999), b"T255999"),
    (codec.set_trigger, (42, 100), b"T042100"),
    (codec.send_trigger, (), b"Oo"),
    (codec.trigger_in, (True,), b"Ose"),
    (codec.trigger_in, (False,), b"Osd"),
]


def _id(value) -> str:
    """A test id stable across processes (pytest-xdist compares them): no addresses."""
    return getattr(value, "__name__", None) or repr(value)[:30]


def _prefix(command: bytes) -> bytes:
    return command[:2] if command[:2] in COMMAND_LENGTHS else command[:1]


@pytest.mark.parametrize(("encoder", "args", "expected"), COMMANDS, ids=_id)
def test_command_bytes(encoder, args, expected):
    encoded = encoder(*args)
    assert encoded == expected
    assert len(encoded) == COMMAND_LENGTHS[_prefix(encoded)]


def test_every_prefix_in_the_table_has_an_encoder_row():
    assert {_prefix(expected) for _, _, expected in COMMANDS} == set(COMMAND_LENGTHS)


OUT_OF_RANGE = [
    (codec.set_neutral, (19.9,)),
    (codec.set_neutral, (19.94,)),
    (codec.set_neutral, (40.1,)),
    (codec.set_neutral, (float("nan"),)),
    (codec.set_neutral, (float("inf"),)),
    (codec.set_neutral, (1e300,)),
    (codec.set_target, (0, 9.9)),
    (codec.set_target, (0, 60.1)),
    (codec.set_target, (6, 30.0)),
    (codec.set_target, (-1, 30.0)),
    (codec.set_target_fine, (0, 0.004)),
    (codec.set_target_fine, (0, 0.0)),
    (codec.set_target_fine, (0, 60.01)),
    (codec.set_target_fine, (0, -5.0)),
    (codec.set_ramp_speed, (0, 0.0)),
    (codec.set_ramp_speed, (0, 1000.0)),
    (codec.set_ramp_speed, (6, 1.0)),
    (codec.set_return_speed, (0, 0.04)),
    (codec.set_return_speed, (0, 1000.0)),
    (codec.set_ramp_speed_fine, (0, 0.0)),
    (codec.set_ramp_speed_fine, (0, 1000.0)),
    (codec.set_return_speed_fine, (0, 0.004)),
    (codec.set_return_speed_fine, (0, 1000.0)),
    (codec.set_duration, (0, 0.0)),
    (codec.set_duration, (0, 0.0004)),
    (codec.set_duration, (0, 100.0)),
    (codec.set_duration, (0, -1.0)),
    (codec.set_max_temperature, (9.9,)),
    (codec.set_max_temperature, (60.1,)),
    (codec.set_trigger, (0, 100)),
    (codec.set_trigger, (256, 100)),
    (codec.set_trigger, (1, 9)),
    (codec.set_trigger, (1, 1000)),
]


@pytest.mark.parametrize(("encoder", "args"), OUT_OF_RANGE, ids=_id)
def test_out_of_range_raises_one_line_naming_the_value(encoder, args):
    with pytest.raises(CommandRangeError) as caught:
        encoder(*args)
    message = str(caught.value)
    assert "\n" not in message
    assert ".." in message


@pytest.mark.parametrize("count", [0, 4, 6])
def test_enable_zones_needs_exactly_five_flags(count):
    with pytest.raises(CommandRangeError, match=f"got {count}$"):
        codec.enable_zones([True] * count)


def test_range_message_names_value_and_range():
    with pytest.raises(CommandRangeError, match=r"^neutral temperature 19\.9 °C is outside 20\.0\.\.40\.0 °C$"):
        codec.set_neutral(19.9)


def test_rounding_is_half_away_from_zero_on_the_written_value():
    assert codec.set_neutral(19.95) == b"N200"
    assert codec.set_ramp_speed_fine(0, 0.285) == b"Ov000029"
    assert codec.set_duration(0, 0.0015) == b"D000002"
    assert codec.set_trigger(1, 10.5) == b"T001011"


def test_zone_must_be_an_integer():
    with pytest.raises(TypeError):
        codec.set_target(1.0, 30.0)


# --- replies --------------------------------------------------------------------------------

REPLIES = [
    (ReplyKind.IDENTITY, b"\rTCS", Identity("TCS")),
    (
        ReplyKind.TEMPERATURES,
        b"\r320+320+320+321+320+319",
        Temperatures(32.0, (32.0, 32.0, 32.1, 32.0, 31.9), 0.1),
    ),
    (
        ReplyKind.TEMPERATURES_FINE,
        b"\r3200+3200+3201+3210+3199+3200",
        Temperatures(32.0, (32.0, 32.01, 32.1, 31.99, 32.0), 0.01),
    ),
    (ReplyKind.BUTTONS, b"\r01", Buttons(stim=False, response=True)),
    (ReplyKind.BUTTONS, b"\r10", Buttons(stim=True, response=False)),
    (
        ReplyKind.TEMPERATURES_AND_BUTTONS,
        b"\r320+320+320+321+320+31901",
        TemperaturesAndButtons(Temperatures(32.0, (32.0, 32.0, 32.1, 32.0, 31.9), 0.1), Buttons(False, True)),
    ),
    (ReplyKind.ERROR_STATE, b"\r000000", ErrorState(0, (0, 0, 0, 0, 0))),
    (ReplyKind.ERROR_STATE, b"\r100302", ErrorState(1, (0, 0, 3, 0, 2))),
    (ReplyKind.BATTERY, b"\r12.3456v 085%", Battery(12.3456, 85)),
    (ReplyKind.NEUTRAL, b"\rN321", NeutralCalibrated(32.1)),
]
REPLY_IDS = [data.decode().strip() for _, data, _ in REPLIES]


@pytest.mark.parametrize(("kind", "data", "message"), REPLIES, ids=REPLY_IDS)
def test_expected_reply_emitted_as_soon_as_complete_at_every_split(kind, data, message):
    for split in range(len(data) + 1):
        parser = ReplyParser()
        parser.expect(kind)
        assert parser.feed(data[:split]) + parser.feed(data[split:]) == [message], split
        assert parser.expected is None
        assert (parser.dropped_frames, parser.garbage_bytes) == (0, 0)


@pytest.mark.parametrize(("kind", "data", "message"), REPLIES, ids=REPLY_IDS)
def test_reply_byte_by_byte_then_next_cr(kind, data, message):
    parser = ReplyParser()
    parser.expect(kind)
    out = [m for byte in data + b"\r" for m in parser.feed(bytes([byte]))]
    assert out == [message]


# Unannounced, an Og reply reads as an E line plus two stray bytes (tested below).
UNANNOUNCED = [reply for reply in REPLIES if reply[0] is not ReplyKind.TEMPERATURES_AND_BUTTONS]


@pytest.mark.parametrize(
    ("kind", "data", "message"), UNANNOUNCED, ids=[data.decode().strip() for _, data, _ in UNANNOUNCED]
)
def test_unexpected_reply_parses_once_ended_by_cr_or_flush(kind, data, message):
    for split in range(len(data) + 1):
        parser = ReplyParser()
        assert parser.feed(data[:split]) + parser.feed(data[split:]) + parser.flush() == [message]
        ended = ReplyParser()
        assert ended.feed(data[:split]) + ended.feed(data[split:] + b"\r") == [message]


EVIDENT = [b"\rTCS", b"\r320+320+320+321+320+319", b"\r3200+3200+3201+3210+3199+3200", b"\r12.3456v 085%", b"\rN321"]


@pytest.mark.parametrize("data", EVIDENT)
def test_unambiguous_shapes_emitted_at_fixed_length_without_expectation(data):
    parser = ReplyParser()
    assert parser.feed(data[:-1]) == []
    assert len(parser.feed(data[-1:])) == 1


@pytest.mark.parametrize("data", [b"\r01", b"\r000000"])
def test_ambiguous_shapes_wait_for_cr_without_expectation(data):
    parser = ReplyParser()
    assert parser.feed(data) == []
    assert len(parser.feed(b"\r")) == 1


def test_temperature_edges():
    parser = ReplyParser()
    (reading,) = parser.feed(b"\r650-200+650+651+999-000")
    assert reading == Temperatures(65.0, (-20.0, 65.0, None, None, 0.0), 0.1)
    assert not reading.probe_connected
    assert reading.max_zone_c == 65.0
    assert parser.dropped_frames == 0


def test_neutral_above_65_reads_none():
    (reading,) = ReplyParser().feed(b"\r651+320+320+320+320+320")
    assert reading.neutral_c is None
    assert reading.probe_connected


def test_fine_temperature_edges():
    (reading,) = ReplyParser().feed(b"\r6501-2000+6500+6501+0001-0050")
    assert reading == Temperatures(None, (-20.0, 65.0, None, 0.01, -0.5), 0.01)


def test_no_probe_zones_all_none():
    (reading,) = ReplyParser().feed(b"\r320+999+999+999+999+999")
    assert reading.zones_c == (None,) * 5
    assert reading.max_zone_c is None
    assert not reading.probe_connected


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (None, b"\r320-201+320+320+320+320"),
        (None, b"\r3200+3200+3200+3200+3200-2001"),
        (ReplyKind.TEMPERATURES_AND_BUTTONS, b"\r320+320+320+320+320-99901"),
        (None, b"\r12.3456v 101%"),
        (None, b"\rN651"),
    ],
)
def test_impossible_values_drop_the_frame(kind, data):
    parser = ReplyParser()
    parser.expect(kind)
    assert parser.feed(data + b"\r") + parser.flush() == []
    assert parser.dropped_frames == 1
    assert parser.expected is kind


def test_battery_and_error_edges():
    parser = ReplyParser()
    assert parser.feed(b"\r00.0000v 000%\r99.9999v 100%") == [Battery(0.0, 0), Battery(99.9999, 100)]
    parser.expect(ReplyKind.ERROR_STATE)
    (state,) = parser.feed(b"\r999999")
    assert state == ErrorState(9, (9,) * 5) and not state.ok
    assert ErrorState(0, (0,) * 5).ok


# --- expectation ------------------------------------------------------------------------------


def test_og_unannounced_reads_as_e_line_and_two_garbage_bytes():
    parser = ReplyParser()
    assert parser.feed(b"\r320+320+320+321+320+31901") == [Temperatures(32.0, (32.0, 32.0, 32.1, 32.0, 31.9), 0.1)]
    assert parser.garbage_bytes == 2


def test_stream_line_while_og_expected_waits_for_cr_and_keeps_expectation():
    parser = ReplyParser()
    parser.expect(ReplyKind.TEMPERATURES_AND_BUTTONS)
    assert parser.feed(b"\r320+320+320+321+320+319") == []
    out = parser.feed(b"\r330+330+330+330+330+33010")
    assert [type(m) for m in out] == [Temperatures, TemperaturesAndButtons]
    assert out[1].buttons == Buttons(stim=True, response=False)
    assert parser.expected is None


def test_stream_line_while_other_reply_expected_is_emitted_and_keeps_expectation():
    parser = ReplyParser()
    parser.expect(ReplyKind.ERROR_STATE)
    assert len(parser.feed(b"\r320+320+320+321+320+319")) == 1
    assert parser.expected is ReplyKind.ERROR_STATE
    assert parser.feed(b"\r000001") == [ErrorState(0, (0, 0, 0, 0, 1))]


def test_expectation_consumed_then_k_waits_for_cr_again():
    parser = ReplyParser()
    parser.expect(ReplyKind.BUTTONS)
    assert parser.feed(b"\r11") == [Buttons(True, True)]
    assert parser.feed(b"\r00") == []
    assert parser.feed(b"\r") == [Buttons(False, False)]


def test_expect_after_bytes_arrived_completes_on_next_feed():
    parser = ReplyParser()
    assert parser.feed(b"\r01") == []
    parser.expect(ReplyKind.BUTTONS)
    assert parser.feed(b"") == [Buttons(False, True)]


def test_expect_none_clears():
    parser = ReplyParser()
    parser.expect(ReplyKind.BUTTONS)
    parser.expect(None)
    assert parser.expected is None
    assert parser.feed(b"\r01") == []


def test_e_expectation_satisfied_by_a_stream_line():
    parser = ReplyParser()
    parser.expect(ReplyKind.TEMPERATURES)
    assert len(parser.feed(b"\r320+320+320+321+320+319")) == 1
    assert parser.expected is None


# --- framing errors -------------------------------------------------------------------------


def test_garbage_before_first_cr_counts_bytes_not_frames():
    parser = ReplyParser()
    assert parser.feed(b"+321+320+319\r320+320+320+321+320+319") != []
    assert (parser.dropped_frames, parser.garbage_bytes) == (0, 12)


def test_resync_after_bad_frames_counts_each_exactly():
    parser = ReplyParser()
    stream = (
        b"\r320+32X+320+321+320+319"  # bad byte mid-line: one frame
        b"\rhello world"  # unknown text: one frame
        b"\r01x"  # K shape spoiled before its CR: one frame
        b"\r320+320+320+321+320+319"
        b"\r\r"  # empty: not a frame
        b"\rTCS"
    )
    out = parser.feed(stream)
    assert [type(m) for m in out] == [Temperatures, Identity]
    assert (parser.dropped_frames, parser.garbage_bytes) == (3, 0)


def test_bytes_after_a_fixed_length_frame_are_garbage():
    parser = ReplyParser()
    assert parser.feed(b"\rTCSxyz\rN300") == [Identity("TCS"), NeutralCalibrated(30.0)]
    assert (parser.dropped_frames, parser.garbage_bytes) == (0, 3)


def test_truncated_frame_ended_by_cr_is_dropped():
    parser = ReplyParser()
    assert parser.feed(b"\r320+320+320\r12.3456v 085%") == [Battery(12.3456, 85)]
    assert parser.dropped_frames == 1


def test_lf_is_ignored_everywhere():
    parser = ReplyParser()
    out = parser.feed(b"\n\r\n320+320+320+321+320+319\r\n\r01\n\r\n000\n000\r")
    assert out == [
        Temperatures(32.0, (32.0, 32.0, 32.1, 32.0, 31.9), 0.1),
        Buttons(False, True),
        ErrorState(0, (0,) * 5),
    ]
    assert (parser.dropped_frames, parser.garbage_bytes) == (0, 0)


def test_flush_ends_pending_frame_and_what_follows_without_cr_is_garbage():
    parser = ReplyParser()
    parser.feed(b"\r000000")
    assert parser.flush() == [ErrorState(0, (0,) * 5)]
    assert parser.flush() == []
    assert parser.feed(b"TCS") == []
    assert parser.garbage_bytes == 3


def test_flush_of_bad_frame_counts_it_once():
    parser = ReplyParser()
    parser.feed(b"\r32")
    assert parser.flush() == []
    assert parser.dropped_frames == 1
    parser.feed(b"\rxx")
    assert parser.flush() == []
    assert parser.dropped_frames == 2


# --- H text ---------------------------------------------------------------------------------

HELP = (
    b"\r\nTCS II  Thermal Cutaneous Stimulator\r\n"
    b"FIRMWARE VERSION: 3.14b\r\n"
    b"Probe ID:  T11-0042 \r\n"
    b"probe type: T11 (5 zones)\r\n"
    b"\r\n"
    b"Nxxx : set neutral temperature\r\n"
)


def test_parse_help_picks_out_the_keys_case_insensitively():
    info = parse_help(HELP)
    assert (info.firmware, info.probe_id, info.probe_type) == ("3.14b", "T11-0042", "T11 (5 zones)")
    assert info.text.splitlines()[0] == "TCS II  Thermal Cutaneous Stimulator"
    assert "\r" not in info.text
    assert info.text.endswith("Nxxx : set neutral temperature")


@pytest.mark.parametrize("separator", [b"\r", b"\n", b"\n\r"])
def test_parse_help_any_line_separator(separator):
    info = parse_help(separator.join([b"firmware: 1.0", b"probe id: A", b"probe type: B"]))
    assert (info.firmware, info.probe_id, info.probe_type) == ("1.0", "A", "B")


def test_parse_help_missing_keys_and_odd_bytes():
    info = parse_help(b"\xff\xfe help\r\nfirmware\r\nprobe id:\r\nprobe id: second\r\nprobe id: third\r\n")
    assert info.firmware is None  # no ':' on its line
    assert info.probe_id == "second"  # the empty value is skipped, the first real one wins
    assert info.probe_type is None
