"""The harness dies mid-ramp; the thermode, on its own, still turns back at the cut-off.

The simulated TCS II runs behind a real pty in this process; the harness runs an HPT trial
from another process, which is killed with SIGKILL while the probe is heating. Nothing is
left to send `A`: the probe log must show the device returning by itself when its
stimulation duration runs out, at the cut-off.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

if os.name != "posix":
    pytest.skip("the pty host needs a POSIX system", allow_module_level=True)

from simulators.pty_host import create_host

pytestmark = pytest.mark.pty

RATE_C_PER_S = 8.0
CUTOFF_C = 50.0

HARNESS = f"""
import sys
from drivers.tcs2.driver import Tcs2
from protocols.devices import Devices
from protocols.operator import ScriptedOperator
from protocols.procedures import TESTS
from protocols.records import RecordList
from protocols.runner import Runner, TrialSpec

thermode = Tcs2.open(sys.argv[1])
runner = Runner(Devices(thermode=thermode), ScriptedOperator(thermode.clock), thermode.clock, RecordList())
procedure = TESTS["HPT"].build(TESTS["HPT"].settings(rate_c_per_s={RATE_C_PER_S}, cutoff_c={CUTOFF_C}))
print("ready", flush=True)
runner.run_trial(procedure, TrialSpec("HPT", "volar-forearm-left", 1))
print("finished", flush=True)
"""


def test_killing_the_harness_mid_ramp_leaves_the_device_to_return_at_the_cutoff(tmp_path):
    host = create_host("tcs2", seed=9, link=tmp_path / "tcs2")
    host.start()
    harness = None
    try:
        harness = subprocess.Popen(
            [sys.executable, "-c", HARNESS, str(host.link)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert harness.stdout.readline().strip() == "ready"

        def probe_c() -> float:
            with host.lock:
                return max(host.core.true_temperatures_c[1])

        deadline = time.monotonic() + 20
        while probe_c() < 40.0:
            assert time.monotonic() < deadline, "the ramp never got going"
            assert harness.poll() is None, harness.stderr.read()
            time.sleep(0.005)
        harness.send_signal(signal.SIGKILL)
        harness.wait(timeout=5)
        killed_while_c = probe_c()
        assert killed_while_c < CUTOFF_C - 2.0

        def back_home() -> bool:
            with host.lock:
                return host.core.phase == "idle" and probe_c() < 32.5

        deadline = time.monotonic() + 10
        while not back_home():
            assert time.monotonic() < deadline, "the device never came back"
            time.sleep(0.05)
        with host.lock:
            log = host.core.probe_log
            changes = log.phase_changes()
            peak_c = log.max_zone_c()
        rise_s = next(t for t, phase in changes if phase == "rise")
        return_s = next(t for t, phase in changes if phase == "return" and t > rise_s)
        # the duration sent with the ramp: the rise time to the cut-off
        assert return_s - rise_s == pytest.approx((CUTOFF_C - 32.0) / RATE_C_PER_S, abs=0.011)
        assert CUTOFF_C - 1.0 < peak_c <= CUTOFF_C
    finally:
        if harness is not None and harness.poll() is None:
            harness.kill()
        host.stop()
