"""WirePacer: bytes leave no sooner than the wire carries them, and no later than asked for."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators.wire_pacer import WirePacer

BAUD_RATES = st.sampled_from([300, 9600, 38400, 115200, 921600])


def wire_completion_times(pushes: list[tuple[float, int]], byte_time_s: float) -> list[float]:
    """Reference model of a UART: each byte starts when pushed or when the previous ends."""
    done, wire_free_s = [], -math.inf
    for t_s, size in pushes:
        for _ in range(size):
            wire_free_s = max(wire_free_s, t_s) + byte_time_s
            done.append(wire_free_s)
    return done


# A script of steps at increasing times: push n bytes (n > 0) or poll (n == 0).
steps = st.lists(
    st.tuples(st.floats(min_value=0.0, max_value=0.05, allow_nan=False), st.integers(min_value=0, max_value=300)),
    min_size=1,
    max_size=40,
)


@given(baudrate=BAUD_RATES, script=steps)
def test_bytes_leave_exactly_when_the_wire_has_carried_them(baudrate: int, script) -> None:
    pacer = WirePacer(baudrate)
    t_s, pushes, sent, released = 0.0, [], bytearray(), bytearray()
    release_times: list[float] = []
    for gap_s, size in script:
        t_s += gap_s
        if size:
            data = bytes((len(sent) + index) % 256 for index in range(size))
            pacer.push(data, t_s)
            pushes.append((t_s, size))
            sent += data
        out = pacer.take_due(t_s)
        released += out
        release_times += [t_s] * len(out)
        done = wire_completion_times(pushes, pacer.byte_time_s)
        # Never behind: at each poll, every byte the wire has finished is out...
        assert len(released) == sum(1 for done_s in done if done_s <= t_s + 1e-9)
    # ...never ahead: a byte is handed out only once its last bit is through...
    assert all(poll_s >= done_s - 1e-9 for poll_s, done_s in zip(release_times, done))
    # ...and in order, none lost.
    assert bytes(released) == bytes(sent[: len(released)])
    assert pacer.pending_bytes == len(sent) - len(released)


@given(baudrate=BAUD_RATES, size=st.integers(min_value=1, max_value=5000), late_s=st.floats(min_value=0, max_value=2))
def test_a_late_poll_catches_up_without_losing_or_reordering(baudrate: int, size: int, late_s: float) -> None:
    pacer = WirePacer(baudrate)
    data = bytes(index % 251 for index in range(size))
    pacer.push(data, 10.0)
    out = bytearray()
    now_s = 10.0 + late_s
    out += pacer.take_due(now_s)
    while pacer.pending_bytes:
        now_s = pacer.next_due_s()
        out += pacer.take_due(now_s)
    assert bytes(out) == data
    # The last byte is out exactly when the wire finishes it (or at the late poll).
    assert now_s == pytest.approx(max(10.0 + size * pacer.byte_time_s, 10.0 + late_s), abs=1e-9)


@given(baudrate=BAUD_RATES, size=st.integers(min_value=1, max_value=2000))
def test_next_due_s_always_releases_something(baudrate: int, size: int) -> None:
    pacer = WirePacer(baudrate, chunk_s=0.0005)
    pacer.push(bytes(size), 0.0)
    polls = 0
    while pacer.pending_bytes:
        before = pacer.pending_bytes
        chunk = pacer.take_due(pacer.next_due_s())
        assert 1 <= len(chunk) <= max(pacer.chunk_bytes, 1)
        assert pacer.pending_bytes == before - len(chunk)
        polls += 1
    assert polls == math.ceil(size / pacer.chunk_bytes)
    assert pacer.next_due_s() == math.inf


def test_chunks_are_about_half_a_millisecond_of_wire_time() -> None:
    assert WirePacer(115200).chunk_bytes == 5  # 87 µs a byte
    assert WirePacer(9600).chunk_bytes == 1  # a byte lasts longer than a chunk


def test_idle_wire_starts_a_new_byte_when_it_is_pushed() -> None:
    pacer = WirePacer(1000)  # 10 ms a byte
    pacer.push(b"a", 0.0)
    assert pacer.take_due(0.0099) == b""
    assert pacer.take_due(0.0100) == b"a"
    pacer.push(b"b", 5.0)  # the wire was idle for seconds: no credit for that time
    assert pacer.take_due(5.005) == b""
    assert pacer.take_due(5.010) == b"b"


def test_clear_forgets_queued_bytes() -> None:
    pacer = WirePacer(1000)
    pacer.push(b"abc", 0.0)
    assert pacer.clear() == 3
    assert pacer.take_due(1.0) == b""
    pacer.push(b"d", 2.0)
    assert pacer.take_due(2.0099) == b""
    assert pacer.take_due(2.0101) == b"d"


def test_rejects_a_zero_baud_rate() -> None:
    with pytest.raises(ValueError):
        WirePacer(0)
