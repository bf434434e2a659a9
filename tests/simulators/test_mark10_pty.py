"""The simulated Mark-10 behind a real tty (`python -m simulators mark10`), in real time."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

if os.name != "posix":
    pytest.skip("the pty host needs a POSIX system", allow_module_level=True)

from drivers.errors import NotRespondingError
from drivers.mark10 import Mark10Gauge, SampleFlag
from simulators.pty_host import create_host

pytestmark = pytest.mark.pty

REPO = Path(__file__).resolve().parents[2]
# Only a safety net so a broken host cannot hang the suite; nothing is timed against it.
DEADLINE_S = 10.0

PLAIN_SCRIPT = textwrap.dedent(
    """
    import sys
    import serial

    port = serial.Serial(sys.argv[1], 115200, timeout=5)
    port.write(b"?\\r\\n")
    print(repr(port.read_until(b"\\r\\n")))
    port.write(b"RM\\r\\n")
    print(repr(port.read_until(b"\\r\\n")))
    """
)


@pytest.fixture
def pty_cli():
    processes = []

    def start(*args: str) -> str:
        process = subprocess.Popen(
            [sys.executable, "-m", "simulators", "mark10", *args],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        processes.append(process)
        path = process.stdout.readline().strip()
        assert path.startswith("/dev/"), process.stderr.read() if process.poll() is not None else path
        return path

    yield start
    for process in processes:
        process.terminate()
        assert process.wait(DEADLINE_S) == 0


def test_a_plain_pyserial_script_gets_value_space_unit(pty_cli, tmp_path):
    path = pty_cli("--param", "units=lbF", "--param", "capacity_n=250")
    script = tmp_path / "ask_gauge.py"
    script.write_text(PLAIN_SCRIPT)
    # -I: isolated, run from elsewhere: the script sees pyserial and nothing of ours.
    result = subprocess.run(
        [sys.executable, "-I", str(script), path], cwd=tmp_path, capture_output=True, text=True, timeout=DEADLINE_S
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["b'0.00 lbF\\r\\n'", "b'M5-50\\r\\n'"]


def test_the_driver_reads_a_live_ramp_through_the_pty():
    host = create_host("mark10", seed=5, params={"start_s": "0", "threshold_kpa": "10000", "max_kpa": "900"})
    with host, Mark10Gauge.open(host.path) as gauge:
        assert gauge.identity.model == "M5-20"
        samples = gauge.collect(0.3)
    assert len(samples) >= 5 and all(s.ok for s in samples)
    pressures = [s.pressure_kpa for s in samples]
    assert pressures[-1] > pressures[0] + 3.0  # the examiner is pushing in real time
    assert all(b.t_s > a.t_s for a, b in zip(samples, samples[1:]))


def test_faults_through_the_host_give_clear_errors():
    host = create_host("mark10", seed=1, params={})
    with host, Mark10Gauge.open(host.path, reply_timeout_s=0.1) as gauge:
        host.fault("stall", True)
        with pytest.raises(NotRespondingError):
            gauge.current()
        host.command("stall off")
        assert gauge.current().ok
        host.command("inject_garbage 00ff0d0a")
        flags = SampleFlag.NONE
        for _ in range(50):  # the noise arrives on the wire's own schedule
            sample = gauge.current()
            flags |= sample.flags
            if flags:
                break
        assert SampleFlag.LINE_NOISE in flags and sample.ok
