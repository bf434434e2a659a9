"""The TCS II's 100 Hz stream through the pty host, as the unmodified driver receives it (POSIX only).

`tcs2_stream_pty.py` reads the pty with plain pyserial; this one reads it with `Tcs2`.
The simulated thermode is hosted in this process. The driver opens it muted, so the count
starts from a silent line, turns the stream on, holds follow mode (`Od`) at 32.5 °C for
`--seconds` while collecting with `samples()`, aborts, waits until the device is idle and
mutes it again; what was still on the wire is collected before the count is read. The
driver polls (`E`) when its newest reading gets old (the 1 Hz idle stream, and muted);
those replies are counted from the commands the core received and taken off. Prints, each
with its limit and ratio:

- frames the driver took as stream samples / frames the core sent (both streams, the 1 Hz
  idle one at the edges included): every line reaches the driver (goal 1);
- jitter p50 / p99 of the driver's own sample timestamps during the 100 Hz hold (1 s
  settling left out): |gap between successive samples - 10 ms|. The limits are those of
  the raw pty figure: under USB full-speed framing typically (p50 ≤ 0.5 ms, a 1 ms frame),
  and within a fifth of a period (p99 ≤ 2 ms), since the driver watches the stream for
  silence by these stamps;
- mean gap: the host neither gains nor loses time (10 ms).

For context (no limit): how late this machine wakes a bare `select()` loop with a 10 ms
period, measured first for `--baseline-seconds`.

    python benchmarks/tcs2_stream_driver.py --seconds 30
"""

from __future__ import annotations

import argparse
import statistics
import sys

import _report
from drivers.tcs2.driver import Tcs2
from simulators.pty_host import create_host
from tcs2_stream_pty import select_lateness_ms

PERIOD_S = 0.01
HOLD_C = 32.5
DRAIN_S = 0.2
POLLS = (b"E", b"Oe", b"Og")
SETTLING_S = 1.0
FRAME_WIRE_S = 24 * 10 / 115200  # CR + neutral + 5 zones, 8N1


def phase(host) -> str:
    with host.lock:
        return host.core.phase


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="100 Hz streaming time (default 30)")
    parser.add_argument("--baseline-seconds", type=float, default=5.0, help="bare select() loop (default 5)")
    args = parser.parse_args()
    _report.start(f"tcs2 stream through the pty host into the driver: {args.seconds:g} s of follow mode at 100 Hz")
    baseline_ms = select_lateness_ms(args.baseline_seconds)

    with create_host("tcs2", seed=1) as host, Tcs2.open(host.path, streaming=False) as thermode:
        with host.lock:
            sent_before = host.core.frames_sent
            commands_before = len(host.core.rx_log)
        thermode.set_streaming(True)
        thermode.follow(HOLD_C, ramp_c_per_s=1.0)
        held_from_s = thermode.clock.now() + SETTLING_S
        collected = []
        end_s = thermode.clock.now() + args.seconds
        while thermode.clock.now() < end_s:
            collected += thermode.samples(0.5)
        held_until_s = thermode.clock.now()
        thermode.abort()
        while thermode.stimulating or phase(host) != "idle":
            collected += thermode.samples(0.05)
        thermode.set_streaming(False)
        collected += thermode.samples(DRAIN_S)  # muted, it polls: every reply is in hand when it returns
        with host.lock:
            sent = host.core.frames_sent - sent_before
            polls = sum(raw in POLLS for _, raw in list(host.core.rx_log)[commands_before:])
        dropped_by_codec = thermode.dropped_frames
        dropped_by_host = host.bytes_dropped

    received = len(collected) - polls
    held = [s.t_s for s in collected if held_from_s <= s.t_s <= held_until_s]
    gaps_s = [later - earlier for earlier, later in zip(held, held[1:])]
    jitter_ms = [abs(gap - PERIOD_S) * 1000 for gap in gaps_s]
    print(f"frames sent {sent}, readings {len(collected)} of which poll replies {polls}, "
          f"codec-dropped {dropped_by_codec}, host-dropped bytes {dropped_by_host}")
    _report.figure("frames received by the driver / frames sent", received / sent, "", 1.0, _report.ONE, digits=4)
    _report.figure("driver timestamp jitter p50", statistics.median(jitter_ms), "ms", 0.5)
    _report.figure("driver timestamp jitter p99", _report.percentile(jitter_ms, 0.99), "ms", 2.0)
    _report.figure("driver mean gap", statistics.fmean(gaps_s) * 1000, "ms", PERIOD_S * 1000, _report.ONE, digits=4)
    _report.context("share of gaps under one frame's wire time (two frames in one read)",
                    sum(gap < FRAME_WIRE_S for gap in gaps_s) / len(gaps_s), "")
    _report.context("bare select() lateness p99", _report.percentile(baseline_ms, 0.99), "ms")
    _report.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
