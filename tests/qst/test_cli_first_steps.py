"""What a new user meets first on the command line: help with examples, a way forward when no
device is found, and a simulated device that stops when told to."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from qst.cli import app


@pytest.mark.parametrize("command", [[], ["demo"], ["run"], ["devices"], ["simulate"], ["simulate-study"]])
def test_help_says_what_a_command_does_with_an_example(command):
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    assert "Example: qst " in result.output


def test_no_ports_found_says_how_to_try_a_simulator(monkeypatch):
    monkeypatch.setattr("qst.devices.discover", lambda ports: [])
    result = CliRunner().invoke(app, ["devices"])
    assert result.exit_code == 0
    assert "No serial ports found" in result.output and "qst simulate tcs2 --link" in result.output


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_simulate_stops_with_its_device_on_sigterm(tmp_path):
    link = tmp_path / "tcs2"
    serving = subprocess.Popen([sys.executable, "-m", "qst", "simulate", "tcs2", "--link", str(link)],
                               stdout=subprocess.PIPE, text=True)
    try:
        tty = serving.stdout.readline().strip()
        assert tty and serving.stdout.readline().strip() == str(link)
        assert os.readlink(link) == tty
        serving.send_signal(signal.SIGTERM)
        assert serving.wait(timeout=10) == 0
        assert not link.exists(), "the device went with the command: nothing left serving the link"
    finally:
        if serving.poll() is None:
            serving.kill()
