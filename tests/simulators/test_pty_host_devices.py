"""The real device cores behind the pty host, seen by programs that know nothing of qst."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

if os.name != "posix":
    pytest.skip("the pty host needs a POSIX system", allow_module_level=True)

from simulators.pty_host import create_host

pytestmark = pytest.mark.pty


def needs_core(kind: str):
    try:
        module = importlib.import_module(f"simulators.{kind}")
    except ImportError:
        module = None
    return pytest.mark.skipif(
        not hasattr(module, "create_core"), reason=f"simulators.{kind} has no create_core yet"
    )


# Plain pyserial; run isolated (-I) from an empty directory so it cannot import the project.
TCS2_CLIENT = r"""
import json, sys, time
import serial

port = serial.Serial(sys.argv[1], 115200, timeout=2)
port.write(b"?")
seen = b""
deadline = time.monotonic() + 5
while not seen.endswith(b"\rTCS") and time.monotonic() < deadline:
    seen += port.read(1)
port.write(b"E")
reply = port.read(24)
port.close()
project = sorted(m for m in sys.modules if m.split(".")[0] in ("simulators", "drivers", "protocols", "qst"))
print(json.dumps({"seen": seen.decode("latin-1"), "e_reply": reply.decode("latin-1"), "project": project}))
"""


def run_client(script: str, tty: str, directory: Path) -> dict:
    (directory / "client.py").write_text(script)
    result = subprocess.run(
        [sys.executable, "-I", "client.py", tty], cwd=directory, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@needs_core("tcs2")
def test_a_plain_pyserial_script_talks_to_the_hosted_thermode(tmp_path) -> None:
    with create_host("tcs2", seed=1) as host:
        answer = run_client(TCS2_CLIENT, host.path, tmp_path)
    assert answer["seen"].endswith("\rTCS")
    # 24 bytes framed like the E reply (a spontaneous line has the same frame).
    reply = answer["e_reply"]
    assert len(reply) == 24 and reply[0] == "\r" and reply[1:4].isdigit()
    assert all(reply[i] in "+-" and reply[i + 1 : i + 4].isdigit() for i in range(4, 24, 4))
    assert answer["project"] == []


MARK10_CLIENT = r"""
import json, sys
import serial

port = serial.Serial(sys.argv[1], 115200, timeout=2)
replies = []
for command in (b"?\r\n", b"RM\r", b"XYZ\r"):
    port.write(command)
    replies.append(port.read_until(b"\r\n").decode("latin-1"))
port.close()
print(json.dumps({"replies": replies}))
"""


@needs_core("mark10")
def test_a_plain_pyserial_script_talks_to_the_hosted_gauge(tmp_path) -> None:
    with create_host("mark10", seed=1) as host:
        reading, model, illegal = run_client(MARK10_CLIENT, host.path, tmp_path)["replies"]
    assert reading.endswith(" N\r\n") and float(reading.split()[0]) == pytest.approx(0, abs=1)
    assert model.endswith("\r\n") and len(model) > 2
    assert illegal == "*10\r\n"


@needs_core("tcs2")
def test_the_thermodes_faults_are_reachable_by_name() -> None:
    with create_host("tcs2", seed=1) as host:
        assert host.command("set_battery 10") == "ok"
        assert host.command("stall on") == "ok"
        assert host.command("inject_garbage 41420d") == "ok"
        assert host.command("overshoot 2.5") == "ok"
        assert host.command("set_zone_error 3 2") == "ok"
        assert host.command("overshoot -1").startswith("error: ")
        with host.lock:
            assert host.core.battery_percent == pytest.approx(10, abs=0.01)
            assert host.core.stalled
        assert host.command("unplug") == "ok" and host.path is None
        assert host.command("replug") == "ok" and host.path is not None
