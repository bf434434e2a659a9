"""The TCS II's 100 Hz stream through the pty host, read with plain pyserial (POSIX only).

Hosts the simulated thermode in this process, holds it in follow mode (`Od`) at 32.5 °C,
half a degree above neutral, so it streams at 100 Hz for `--seconds` and nothing gets
warm, then aborts (`A`) and mutes it (`F`). Prints, each with its limit and ratio:

- frames received / frames sent: every line the core emitted while streaming arrives
  whole (goal 1.000);
- inter-arrival jitter p50 / p99: |gap between successive frames - 10 ms|, as the client
  sees them (what a driver timestamping the stream would see);
- mean inter-arrival: the host neither gains nor loses time over the run (10.000 ms);
- `?` round trip beyond wire time p50 / p99: a query's reply (4 bytes, 0.35 ms of wire at
  115200 baud) minus that wire time: the host's wake-up and the client's, both ways.

Limits: the stream's period is 10 ms; a driver timestamps frames and watches the stream
for silence, so arrivals should keep within a fifth of a period (p99 ≤ 2 ms), and
typically within USB full-speed framing (p50 ≤ 0.5 ms, under a 1 ms frame). A query's
round trip beyond its wire time is wake-ups only: under 1 ms typically, 2 ms at p99.
`tcs2_stream_driver.py` measures the stream as the driver receives it.

For context (no limit): how late this machine wakes a bare `select()` loop with a 10 ms
period, measured first for `--baseline-seconds`. The host cannot be steadier than that.

    python benchmarks/tcs2_stream_pty.py --seconds 60
"""

from __future__ import annotations

import argparse
import select
import statistics
import sys
import time

import serial

import _report
from simulators.pty_host import create_host

PERIOD_S = 0.01
BAUDRATE = 115200
FRAME_BYTES = 24  # CR + neutral NNN + 5 x sign and TTT


def drain(port: serial.Serial, quiet_s: float) -> bytes:
    """Read until the line has been silent for `quiet_s`."""
    port.timeout = quiet_s
    data = b""
    while chunk := port.read(4096):
        data += chunk
    return data


def stream(port: serial.Serial, seconds: float) -> tuple[list[float], int]:
    """Frame arrival times (the read that completed each frame) and count of broken frames."""
    arrivals: list[float] = []
    broken = 0
    buffer = b""
    port.timeout = 0.2
    end_s = time.monotonic() + seconds
    aborted = False
    while True:
        chunk = port.read(max(1, port.in_waiting))
        now = time.monotonic()
        if not aborted and now >= end_s:
            port.write(b"A")  # return to neutral; the stream goes on until home
            aborted = True
        if not chunk:
            if aborted:
                break  # silent: the stimulation is over and the idle stream is muted
            continue
        buffer += chunk
        frames = buffer.split(b"\r")
        buffer = b"\r" + frames.pop() if len(frames) > 1 else buffer
        for frame in frames:
            if not frame:
                continue
            if len(frame) == FRAME_BYTES - 1:
                arrivals.append(now)
            else:
                broken += 1
        if len(buffer) == FRAME_BYTES:  # a whole frame: count it now, not at the next CR
            arrivals.append(now)
            buffer = b""
    return arrivals, broken


def select_lateness_ms(seconds: float) -> list[float]:
    """How late a bare select() loop at PERIOD_S wakes on this machine, in ms."""
    lateness, due_s = [], time.monotonic()
    end_s = due_s + seconds
    while due_s < end_s:
        due_s += PERIOD_S
        select.select([], [], [], max(0.0, due_s - time.monotonic()))
        lateness.append((time.monotonic() - due_s) * 1000)
    return lateness


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="streaming time (default 60)")
    parser.add_argument("--queries", type=int, default=500, help="`?` round trips to time (default 500)")
    parser.add_argument("--baseline-seconds", type=float, default=10.0, help="bare select() loop (default 10)")
    args = parser.parse_args()

    _report.start(f"tcs2 stream through the pty host, plain pyserial: {args.seconds:g} s at 100 Hz, {BAUDRATE} baud")
    baseline_ms = select_lateness_ms(args.baseline_seconds)

    with create_host("tcs2", seed=1) as host:
        port = serial.Serial(host.path, BAUDRATE, timeout=1)
        host.wait_for_client(5)
        port.write(b"F")  # mute, so the count starts from a silent line
        drain(port, 0.3)
        with host.lock:
            sent_before = host.core.frames_sent
        port.write(b"ObC0325Od")
        arrivals, broken = stream(port, args.seconds)
        with host.lock:
            sent = host.core.frames_sent - sent_before

        round_trips = []
        port.timeout = 1
        for _ in range(args.queries):
            asked = time.monotonic()
            port.write(b"?")
            reply = port.read(4)
            round_trips.append(time.monotonic() - asked)
            if reply != b"\rTCS":
                print(f"unexpected reply {reply!r}", file=sys.stderr)
                return 1
        port.close()
        dropped = host.bytes_dropped

    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:])]
    jitter_ms = [abs(gap - PERIOD_S) * 1000 for gap in gaps]
    wire_ms = 4 * 10 / BAUDRATE * 1000
    beyond_wire_ms = [trip * 1000 - wire_ms for trip in round_trips]
    mean_ms = (arrivals[-1] - arrivals[0]) / (len(arrivals) - 1) * 1000

    print(f"frames sent {sent}, received {len(arrivals)}, broken {broken}, bytes dropped {dropped}")
    _report.figure("frames received / frames sent", len(arrivals) / sent, "", 1.0, _report.ONE, digits=4)
    _report.figure("inter-arrival jitter p50", statistics.median(jitter_ms), "ms", 0.5)
    _report.figure("inter-arrival jitter p99", _report.percentile(jitter_ms, 0.99), "ms", 2.0)
    _report.figure("mean inter-arrival", mean_ms, "ms", PERIOD_S * 1000, _report.ONE, digits=4)
    _report.figure("? round trip beyond wire p50", statistics.median(beyond_wire_ms), "ms", 1.0)
    _report.figure("? round trip beyond wire p99", _report.percentile(beyond_wire_ms, 0.99), "ms", 2.0)
    _report.context("bare select() lateness p50", statistics.median(baseline_ms), "ms")
    _report.context("bare select() lateness p99", _report.percentile(baseline_ms, 0.99), "ms")
    _report.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
