"""Property tests of the TCS II codec: encoder round trips and the parser under any bytes."""

import math

from hypothesis import given
from hypothesis import strategies as st

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
)

# --- encoders: value -> bytes -> value --------------------------------------------------------

# encoder, takes a zone, prefix, steps per unit, lowest and highest value on the wire
NUMERIC = [
    (codec.set_neutral, False, b"N", 10, 20.0, 40.0),
    (codec.set_target, True, b"C", 10, 10.0, 60.0),
    (codec.set_target_fine, True, b"Ot", 100, 0.01, 60.0),
    (codec.set_ramp_speed, True, b"V", 10, 0.1, 999.9),
    (codec.set_return_speed, True, b"R", 10, 0.1, 999.9),
    (codec.set_ramp_speed_fine, True, b"Ov", 100, 0.01, 999.99),
    (codec.set_return_speed_fine, True, b"Or", 100, 0.01, 999.99),
    (codec.set_duration, True, b"D", 1000, 0.001, 99.999),
    (codec.set_max_temperature, False, b"Om", 10, 10.0, 60.0),
]


def _encode(encoder, takes_zone, zone, value):
    return encoder(zone, value) if takes_zone else encoder(value)


@given(st.data())
def test_numeric_round_trip_within_half_a_step(data):
    encoder, takes_zone, prefix, per_unit, lo, hi = data.draw(st.sampled_from(NUMERIC))
    zone = data.draw(st.integers(0, 5))
    value = data.draw(st.floats(lo, hi))
    encoded = _encode(encoder, takes_zone, zone, value)
    assert encoded.startswith(prefix)
    assert len(encoded) == COMMAND_LENGTHS[prefix]
    field = encoded[len(prefix) :]
    if takes_zone:
        assert field[:1] == str(zone).encode()
        field = field[1:]
    assert field.isdigit()
    assert abs(int(field) / per_unit - value) <= 0.5 / per_unit + 1e-9


@given(st.data())
def test_numeric_beyond_half_a_step_outside_raises(data):
    encoder, takes_zone, _, per_unit, lo, hi = data.draw(st.sampled_from(NUMERIC))
    margin = 0.51 / per_unit
    value = data.draw(
        st.one_of(
            st.floats(max_value=lo - margin),
            st.floats(min_value=hi + margin),
            st.just(math.nan),
        )
    )
    try:
        _encode(encoder, takes_zone, 0, value)
    except CommandRangeError as error:
        assert "\n" not in str(error)
    else:
        raise AssertionError(f"{encoder.__name__}({value!r}) did not raise")


@given(st.integers(1, 255), st.integers(10, 999))
def test_trigger_round_trip(code, duration_ms):
    encoded = codec.set_trigger(code, duration_ms)
    assert (int(encoded[1:4]), int(encoded[4:7])) == (code, duration_ms)


@given(st.lists(st.booleans(), min_size=5, max_size=5))
def test_enable_zones_round_trip(flags):
    encoded = codec.enable_zones(flags)
    assert [byte == ord("1") for byte in encoded[1:]] == flags


# --- valid frames, written from the wire page ----------------------------------------------------

NEUTRAL_TENTHS = st.integers(0, 999)
ZONE_TENTHS = st.integers(-200, 999)  # -20.0 .. 99.9; above 65.0 reads as no probe


def _reading(steps, per_unit):
    return None if steps > 65 * per_unit else steps / per_unit


def _signed(steps, width):
    return ("-" if steps < 0 else "+") + f"{abs(steps):0{width}d}"


@st.composite
def e_lines(draw):
    neutral = draw(NEUTRAL_TENTHS)
    zones = draw(st.lists(ZONE_TENTHS, min_size=5, max_size=5))
    body = f"{neutral:03d}" + "".join(_signed(z, 3) for z in zones)
    message = Temperatures(_reading(neutral, 10), tuple(_reading(z, 10) for z in zones), 0.1)
    return ReplyKind.TEMPERATURES, body.encode(), message


@st.composite
def oe_lines(draw):
    neutral = draw(st.integers(0, 9999))
    zones = draw(st.lists(st.integers(-2000, 9999), min_size=5, max_size=5))
    body = f"{neutral:04d}" + "".join(_signed(z, 4) for z in zones)
    message = Temperatures(_reading(neutral, 100), tuple(_reading(z, 100) for z in zones), 0.01)
    return ReplyKind.TEMPERATURES_FINE, body.encode(), message


@st.composite
def og_replies(draw):
    _, body, reading = draw(e_lines())
    stim, response = draw(st.booleans()), draw(st.booleans())
    body += b"%d%d" % (stim, response)
    return ReplyKind.TEMPERATURES_AND_BUTTONS, body, TemperaturesAndButtons(reading, Buttons(stim, response))


@st.composite
def other_replies(draw):
    choice = draw(st.sampled_from(["?", "K", "Q", "B", "G"]))
    if choice == "?":
        return ReplyKind.IDENTITY, b"TCS", Identity("TCS")
    if choice == "K":
        stim, response = draw(st.booleans()), draw(st.booleans())
        return ReplyKind.BUTTONS, b"%d%d" % (stim, response), Buttons(stim, response)
    if choice == "Q":
        codes = draw(st.lists(st.integers(0, 9), min_size=6, max_size=6))
        return ReplyKind.ERROR_STATE, "".join(map(str, codes)).encode(), ErrorState(codes[0], tuple(codes[1:]))
    if choice == "B":
        volts = draw(st.integers(0, 999_999))
        percent = draw(st.integers(0, 100))
        body = f"{volts // 10_000:02d}.{volts % 10_000:04d}v {percent:03d}%"
        return ReplyKind.BATTERY, body.encode(), Battery(volts / 10_000, percent)
    neutral = draw(st.integers(0, 650))
    return ReplyKind.NEUTRAL, f"N{neutral:03d}".encode(), NeutralCalibrated(neutral / 10)


FRAMES = st.one_of(e_lines(), oe_lines(), og_replies(), other_replies())
EVIDENT_FRAMES = st.one_of(
    e_lines(), oe_lines(), other_replies().filter(lambda f: f[0] not in (ReplyKind.BUTTONS, ReplyKind.ERROR_STATE))
)

# bytes near the wire's own alphabet hit partial shapes far more often than uniform bytes
WIRE_BYTES = st.lists(st.sampled_from(b"0123456789+-.%v TCSN\r\n\x00\xff"), max_size=60).map(bytes)
ANY_BYTES = st.one_of(st.binary(max_size=60), WIRE_BYTES)


def _assert_within_device_range(message):
    if isinstance(message, TemperaturesAndButtons):
        message = message.temperatures
    if isinstance(message, Temperatures):
        assert len(message.zones_c) == 5
        for value in (message.neutral_c, *message.zones_c):
            assert value is None or -20.0 <= value <= 65.0
    elif isinstance(message, NeutralCalibrated):
        assert 0.0 <= message.neutral_c <= 65.0
    elif isinstance(message, Battery):
        assert 0 <= message.charge_percent <= 100
    elif isinstance(message, ErrorState):
        assert all(0 <= code <= 9 for code in (message.neutral, *message.zones))
    else:
        assert isinstance(message, (Identity, Buttons))


@given(st.lists(st.tuples(st.sampled_from([None, *ReplyKind]), ANY_BYTES), max_size=20))
def test_any_bytes_give_in_range_messages_or_counted_errors(steps):
    parser = ReplyParser()
    out = []
    for kind, chunk in steps:
        parser.expect(kind)
        out += parser.feed(chunk)
    out += parser.flush()
    for message in out:
        _assert_within_device_range(message)
    assert parser.dropped_frames >= 0 and parser.garbage_bytes >= 0


@given(st.sampled_from([None, *ReplyKind]), ANY_BYTES, st.lists(st.integers(0, 60), max_size=6))
def test_how_bytes_are_split_does_not_matter(kind, data, cuts):
    whole = ReplyParser()
    whole.expect(kind)
    expected = whole.feed(data) + whole.flush()

    pieces = ReplyParser()
    pieces.expect(kind)
    got = []
    bounds = [0, *sorted(cuts), len(data)]
    for start, end in zip(bounds, bounds[1:]):
        got += pieces.feed(data[start:end])
    got += pieces.flush()
    assert got == expected
    assert (pieces.dropped_frames, pieces.garbage_bytes) == (whole.dropped_frames, whole.garbage_bytes)


@given(ANY_BYTES, st.sampled_from([None, *ReplyKind]), FRAMES, ANY_BYTES)
def test_a_whole_reply_in_one_read_parses_as_byte_by_byte(before, kind, frame, after):
    # A poll's reply usually arrives whole in one read, and the parser takes it in one step:
    # the outcome must be that of the byte-by-byte path, whatever came before and after.
    chunk = b"\r" + frame[1]

    def run(split: bool):
        parser = ReplyParser()
        out = [m for byte in before for m in parser.feed(bytes([byte]))]
        parser.expect(kind)
        out += [m for byte in chunk for m in parser.feed(bytes([byte]))] if split else parser.feed(chunk)
        state = (parser.expected, parser.dropped_frames, parser.garbage_bytes)
        out += parser.feed(after) + parser.flush()
        return out, state, (parser.dropped_frames, parser.garbage_bytes)

    assert run(split=False) == run(split=True)


@given(ANY_BYTES, FRAMES)
def test_valid_frame_after_the_next_cr_parses(garbage, frame):
    kind, body, message = frame
    parser = ReplyParser()
    parser.feed(garbage + b"\r")
    parser.expect(kind)
    assert parser.feed(body) == [message]
    assert parser.expected is None


@given(ANY_BYTES, FRAMES.filter(lambda f: f[0] is not ReplyKind.TEMPERATURES_AND_BUTTONS))
def test_unannounced_valid_frame_after_garbage_parses(garbage, frame):
    _, body, message = frame
    parser = ReplyParser()
    parser.feed(garbage)
    out = parser.feed(b"\r" + body) + parser.flush()
    assert out[-1] == message


@given(
    st.lists(st.tuples(EVIDENT_FRAMES, st.binary(max_size=10).map(lambda b: b.replace(b"\r", b""))), max_size=8),
    st.binary(max_size=10).map(lambda b: b.replace(b"\r", b"")),
)
def test_garbage_between_evident_frames_is_counted_exactly(frames, lead):
    parser = ReplyParser()
    stream = lead + b"".join(b"\r" + body + trail for (_, body, _), trail in frames)
    assert parser.feed(stream) == [message for (_, _, message), _ in frames]
    outside = lead + b"".join(trail for _, trail in frames)
    assert parser.garbage_bytes == len(outside.replace(b"\n", b""))
    assert parser.dropped_frames == 0


@given(NEUTRAL_TENTHS, st.lists(ZONE_TENTHS, min_size=5, max_size=5), st.integers(0, 4), st.integers(-999, -201))
def test_zone_below_minus_20_drops_the_frame(neutral, zones, which, too_cold):
    zones[which] = too_cold
    body = f"{neutral:03d}" + "".join(_signed(z, 3) for z in zones)
    parser = ReplyParser()
    assert parser.feed(b"\r" + body.encode() + b"\rTCS") == [Identity("TCS")]
    assert parser.dropped_frames == 1
