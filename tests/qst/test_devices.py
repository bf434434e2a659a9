"""`qst devices`: what answers on each port, asked without changing anything."""

from typer.testing import CliRunner

import simulators
from qst.cli import app
from qst.devices import identify


def test_each_device_is_told_apart_by_asking():
    bench = simulators.Bench(seed=4)
    thermode = identify(bench.url("tcs2"))
    gauge = identify(bench.url("mark10"))
    assert thermode.kind == "thermode" and "TCS II" in thermode.identity and "battery" in thermode.detail
    assert gauge.kind == "algometer" and "M5-20" in gauge.identity
    # only questions went to the thermode: no target, no start, no cap
    sent = [command for _, command in bench.device("tcs2").rx_log]
    assert set(sent) <= {b"?", b"H", b"F", b"Oa", b"Ob", b"B", b"E"}


def test_a_missing_port_is_a_line_not_a_traceback():
    report = identify("/dev/ttyQST-missing")
    assert report.kind == "" and "not found" in report.error


def test_the_command_lists_given_ports():
    result = CliRunner().invoke(app, ["devices", "--port", "sim://tcs2?seed=2"])
    assert result.exit_code == 0, result.output
    assert "thermode" in result.output


def test_a_named_port_that_cannot_be_used_exits_2_with_one_line(tmp_path):
    missing = str(tmp_path / "ttyQST-missing")
    result = CliRunner().invoke(app, ["devices", "--port", "sim://tcs2?seed=2", "--port", missing])
    assert result.exit_code == 2, result.output
    assert "thermode" in result.stdout  # the table still lists what answered
    assert result.stderr.startswith(f"qst: error: {missing}: ") and "not found" in result.stderr
    assert result.stderr.count("\n") == 1
