"""The thermode's command parser: fixed lengths, no terminator, junk ignored, bad digits dropped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators.tcs2.commands import LAYOUTS, Command, CommandParser

VALID = [
    (b"?", "?", ()),
    (b"H", "H", ()),
    (b"G", "G", ()),
    (b"L", "L", ()),
    (b"A", "A", ()),
    (b"F", "F", ()),
    (b"E", "E", ()),
    (b"K", "K", ()),
    (b"Q", "Q", ()),
    (b"B", "B", ()),
    (b"Ol", "Ol", ()),
    (b"Od", "Od", ()),
    (b"Oa", "Oa", ()),
    (b"Ob", "Ob", ()),
    (b"Oe", "Oe", ()),
    (b"Og", "Og", ()),
    (b"Oo", "Oo", ()),
    (b"N320", "N", (320,)),
    (b"N200", "N", (200,)),
    (b"N400", "N", (400,)),
    (b"S11111", "S", (1, 1, 1, 1, 1)),
    (b"S10010", "S", (1, 0, 0, 1, 0)),
    (b"C0450", "C", (0, 450)),
    (b"C5100", "C", (5, 100)),
    (b"C3600", "C", (3, 600)),
    (b"Ot04500", "Ot", (0, 4500)),
    (b"Ot10001", "Ot", (1, 1)),
    (b"Ot56000", "Ot", (5, 6000)),
    (b"V00010", "V", (0, 10)),
    (b"V29999", "V", (2, 9999)),
    (b"R00001", "R", (0, 1)),
    (b"Ov000100", "Ov", (0, 100)),
    (b"Or599999", "Or", (5, 99999)),
    (b"D015000", "D", (0, 15000)),
    (b"D100001", "D", (1, 1)),
    (b"Om500", "Om", (500,)),
    (b"Om100", "Om", (100,)),
    (b"Om600", "Om", (600,)),
    (b"T255010", "T", (255, 10)),
    (b"T001999", "T", (1, 999)),
    (b"Ose", "Os", (1,)),
    (b"Osd", "Os", (0,)),
]

MALFORMED = [
    b"C0X50",  # not a digit
    b"C04A0",  # an A inside a command is a bad digit, not an abort
    b"C0700",  # above 60.0 °C
    b"C0099",  # below 10.0 °C
    b"C6450",  # no zone 6
    b"N199",
    b"N401",
    b"N32 ",
    b"S11211",
    b"V00000",
    b"R0000 ",
    b"D000000",
    b"Ot06001",
    b"Ot00000",
    b"Ov000000",
    b"Om601",
    b"Om099",
    b"T256010",
    b"T000010",
    b"T001009",
    b"Osx",
    b"Ox",
    b"O\n",
]

# Bytes that cannot begin a command.
STARTERS = {name[0] for name in LAYOUTS}
JUNK = bytes(b for b in range(256) if b not in STARTERS)


def parse(data: bytes) -> list[Command]:
    return CommandParser().feed(data)


@pytest.mark.parametrize("raw, name, args", VALID)
def test_each_command_layout_is_recognised(raw, name, args):
    assert parse(raw) == [Command(name, raw, args)]


@pytest.mark.parametrize("raw, name, args", VALID)
def test_one_byte_at_a_time_is_the_same_command(raw, name, args):
    parser = CommandParser()
    seen = [parser.feed(bytes([byte])) for byte in raw]
    assert seen[:-1] == [[]] * (len(raw) - 1)
    assert seen[-1] == [Command(name, raw, args)]
    assert parser.partial == b""


def test_a_partial_command_waits_for_the_rest():
    parser = CommandParser()
    assert parser.feed(b"C04") == []
    assert parser.partial == b"C04"
    assert parser.feed(b"50L") == [Command("C", b"C0450", (0, 450)), Command("L", b"L", ())]


@pytest.mark.parametrize("raw", MALFORMED)
def test_malformed_commands_are_dropped_whole(raw):
    parser = CommandParser()
    assert parser.feed(raw + b"L") == [Command("L", b"L", ())]
    assert parser.dropped == 1


def test_line_ends_and_spaces_between_commands_are_ignored():
    assert [c.raw for c in parse(b"\r\nC0450\n V00010\r\n\n L\n")] == [b"C0450", b"V00010", b"L"]


def test_every_byte_that_cannot_begin_a_command_is_ignored():
    parser = CommandParser()
    assert parser.feed(JUNK) == []
    assert parser.dropped == 0 and parser.partial == b""


valid_commands = st.lists(st.sampled_from(VALID).map(lambda v: v[0]), max_size=12)


@given(valid_commands, st.lists(st.binary(max_size=3).map(lambda b: bytes(x for x in b if x in JUNK)), max_size=13))
def test_junk_between_commands_changes_nothing(commands, junk):
    stream = b"".join(j + c for j, c in zip(junk + [b""] * len(commands), commands))
    stream += b"".join(junk[len(commands):])
    assert [c.raw for c in parse(stream)] == commands


@given(valid_commands, st.lists(st.integers(min_value=1, max_value=9), max_size=40))
def test_any_chunking_gives_the_same_commands(commands, cuts):
    stream = b"".join(commands)
    parser, got, at = CommandParser(), [], 0
    for cut in cuts:
        got += parser.feed(stream[at : at + cut])
        at += cut
    got += parser.feed(stream[at:])
    assert got == parse(stream)
    assert [c.raw for c in got] == commands


@given(st.binary(max_size=200))
def test_any_bytes_give_only_valid_commands(data):
    parser = CommandParser()
    for command in parser.feed(data):
        # a command the parser emits is one it would accept on its own, unchanged
        assert parse(command.raw) == [command]
        if command.args and command.name in ("C", "Ot", "V", "R", "Ov", "Or", "D"):
            assert 0 <= command.args[0] <= 5
        if command.name == "C":
            assert 100 <= command.args[1] <= 600
        if command.name == "N":
            assert 200 <= command.args[0] <= 400
    assert parser.dropped >= 0
