"""The simulated TCS II through `sim://tcs2` ports: what a driver would see, in virtual time."""

from __future__ import annotations

import errno

import pytest
import serial

import simulators  # noqa: F401  (registers sim://)
from simulators import Bench
from tests.simulators.tcs2_wire import B_BODY, E_BODY, bodies, stream_lines


def open_tcs2(bench: Bench, **params: object) -> serial.SerialBase:
    return serial.serial_for_url(bench.url("tcs2", **params), timeout=0.5)


def read_lines(port: serial.SerialBase, count: int) -> list[bytes]:
    """`count` complete stream lines (23 chars after their CR)."""
    data = b""
    while len([b for b in bodies(data) if E_BODY.fullmatch(b)]) < count:
        chunk = port.read(24)
        assert chunk, "the stream went silent"
        data += chunk
    return [b for b in bodies(data) if E_BODY.fullmatch(b)][:count]


def test_identify_and_battery_through_a_port():
    bench = Bench(seed=1)
    with open_tcs2(bench, battery=42, noise=0) as port:
        port.write(b"F\n?\n")
        assert port.read(4) == b"\rTCS"
        port.write(b"B")
        reply = port.read(14)
        assert B_BODY.fullmatch(reply[1:]) and reply.endswith(b"042%")


def test_idle_stream_is_paced_by_the_virtual_clock():
    bench = Bench(seed=1)
    with open_tcs2(bench) as port:
        port.timeout = 1.5
        start_s = bench.clock.now()
        lines = read_lines(port, 5)
        assert len(lines) == 5
        assert bench.clock.now() - start_s == pytest.approx(5.0, abs=1e-6)


def test_a_stimulation_through_a_port_ends_by_itself():
    bench = Bench(seed=1)
    core = bench.device("tcs2")
    with open_tcs2(bench) as port:
        port.write(b"C0450V00100R00100D003000L")
        start_s = bench.clock.now()
        lines = read_lines(port, 400)  # 4 s of 100 Hz lines
    peak_c = max(max(zones) for _, zones in stream_lines(b"".join(b"\r" + line for line in lines)))
    assert 44.8 <= peak_c <= 45.2
    returns = [t for t, phase in core.probe_log.phase_changes() if phase == "return"]
    assert returns == [pytest.approx(start_s + 3.0)]


def test_same_seed_same_bytes_through_ports():
    def session(seed: int) -> bytes:
        bench = Bench(seed=seed)
        with open_tcs2(bench) as port:
            port.write(b"C0420V00050R00050D002000L")
            data = port.read(3000)
            port.write(b"EOgB")
            return data + port.read(3000)

    assert session(4) == session(4)
    assert session(4) != session(5)


def test_unplugged_port_fails_and_the_first_command_after_replug_is_seen():
    bench = Bench(seed=1)
    core = bench.device("tcs2")
    port = open_tcs2(bench)
    port.write(b"C0450V00010D004000L")
    port.read(24)
    core.unplug()
    with pytest.raises(serial.SerialException):
        port.read(24)
    port.close()
    bench.clock.sleep(10.0)
    core.replug()
    with open_tcs2(bench) as port:
        port.write(b"A")
        assert core.rx_log[-1] == (pytest.approx(bench.clock.now()), b"A")
    assert core.probe_log.max_zone_c() < 36.0  # the device's own D ended it at 4 s


def test_bad_url_parameter_refuses_to_open():
    with pytest.raises(serial.SerialException):
        serial.serial_for_url(Bench(seed=1).url("tcs2", noise="loud"))


@pytest.mark.parametrize(
    "url, reason",
    [
        ("sim://bogus", "unknown simulated device 'bogus'"),
        ("sim://tcs2?nosuch=1", "unknown tcs2 parameter(s) nosuch; known: "),
        ("sim://tcs2?seed=abc", "seed must be a whole number, not 'abc'"),
        ("sim://tcs2?bench=nosuchbench", "no simulated bench 'nosuchbench'"),
    ],
)
def test_a_malformed_url_is_invalid_not_missing(url, reason):
    with pytest.raises(serial.SerialException) as raised:
        serial.serial_for_url(url)
    # EINVAL, so a caller does not take a typo for an unplugged device (ENOENT)
    assert raised.value.errno == errno.EINVAL
    assert reason in str(raised.value)


def test_an_unplugged_device_is_missing():
    bench = Bench(seed=1)
    bench.device("tcs2").unplug()
    with pytest.raises(serial.SerialException) as raised:
        open_tcs2(bench)
    assert raised.value.errno == errno.ENOENT
