"""`open_port`'s one-line errors: a missing, busy or malformed port each told as what it is."""

from __future__ import annotations

import errno

import pytest
import serial

import simulators  # noqa: F401  (registers sim://)
from drivers.errors import PortError
from drivers.ports import _describe_open_failure, open_port
from simulators import Bench


@pytest.mark.parametrize(
    "url, reason",
    [
        ("sim://bogus", "unknown simulated device 'bogus'"),
        ("sim://tcs2?nosuch=1", "unknown tcs2 parameter(s) nosuch; known: noise"),
        ("sim://tcs2?seed=abc", "seed must be a whole number"),
        ("sim://mark10?seed=1.5", "seed must be a whole number"),
    ],
)
def test_a_malformed_sim_url_reports_its_reason(url, reason):
    with pytest.raises(PortError) as raised:
        open_port(url, device="tcs2", baudrate=115200)
    message = str(raised.value)
    assert message.startswith(f"cannot open port {url}: ") and reason in message
    assert "not found" not in message and "plugged in" not in message
    assert "\n" not in message and "Errno" not in message and message.count("could not open port") == 0


def test_an_unplugged_sim_device_is_still_not_found():
    bench = Bench(seed=1)
    bench.device("tcs2").unplug()
    with pytest.raises(PortError, match="not found: is the device plugged in"):
        open_port(bench.url("tcs2"), device="tcs2", baudrate=115200)


def test_an_invalid_argument_passes_its_words_through():
    error = serial.SerialException(errno.EINVAL, "could not open port sim://x: lock=busy is no parameter")
    # neither the errno nor words such as "busy" make it a guess about the port
    assert _describe_open_failure("sim://x", error) == "cannot open port sim://x: lock=busy is no parameter"


def test_a_missing_file_is_still_not_found():
    error = serial.SerialException(errno.ENOENT, "could not open port /dev/ttyX: [Errno 2] No such file or directory")
    assert _describe_open_failure("/dev/ttyX", error) == "port /dev/ttyX not found: is the device plugged in?"
