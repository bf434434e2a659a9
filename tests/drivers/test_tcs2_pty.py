"""The unmodified TCS II driver on the simulator behind a real pseudo-terminal, in real time."""

from __future__ import annotations

import os
import time

import pytest

if os.name != "posix":
    pytest.skip("the pty host needs a POSIX system", allow_module_level=True)

from drivers.errors import DisconnectedError
from drivers.tcs2.driver import Stimulus, Tcs2
from simulators.pty_host import create_host

pytestmark = pytest.mark.pty


@pytest.fixture
def host(tmp_path):
    host = create_host("tcs2", seed=5, link=tmp_path / "tcs2")
    host.start()
    yield host
    host.stop()


def host_now(host) -> float:
    return time.monotonic() - host._t0_s


def wait_for(predicate, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_identify_and_ramp_through_the_pty(host):
    with Tcs2.open(str(host.link)) as thermode:
        assert thermode.identity.name == "TCS"
        thermode.stimulate(Stimulus(target_c=36.0, ramp_c_per_s=10.0, return_c_per_s=10.0, plateau_s=0.2))
        trace = thermode.wait_until_idle(timeout_s=5.0)
    assert max(s.max_zone_c for s in trace) == pytest.approx(36.0, abs=0.3)
    gaps = sorted(b.t_s - a.t_s for a, b in zip(trace, trace[1:]))
    assert gaps[len(gaps) // 2] == pytest.approx(0.010, abs=0.002)  # the 100 Hz stream, paced


def test_unplug_during_a_ramp_raises_within_half_a_second_and_reconnect_sends_a_first(host):
    thermode = Tcs2.open(str(host.link))
    try:
        thermode.stimulate(Stimulus(target_c=40.0, ramp_c_per_s=4.0, return_c_per_s=10.0))
        thermode.samples(0.3)
        unplugged_at = time.monotonic()
        host.fault("unplug")
        with pytest.raises(DisconnectedError):
            thermode.samples(2.0)
        assert time.monotonic() - unplugged_at < 0.5
        host.fault("replug")
        assert wait_for(lambda: host.link.exists())
        back_s = host_now(host)
        thermode.reconnect()
        with host.lock:
            after = [chunk for t_s, chunk in host.core.rx_bytes if t_s >= back_s]
        assert after and after[0][:1] == b"A"
        # meanwhile the device's own duration brought the probe back
        with host.lock:
            assert host.core.probe_log.max_zone_c() <= 40.0 + 0.3
    finally:
        thermode.close()
