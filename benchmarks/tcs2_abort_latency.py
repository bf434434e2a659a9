"""Abort latency: from `Tcs2.abort()` being called to `A` reaching the simulated thermode.

The simulator runs behind a real pty (paced at 115200 baud) in this process; the driver
opens the pty like hardware. Each try starts a slow stimulation, waits a random 20–80 ms,
calls `abort()` and notes the monotonic time; the simulator stamps each chunk of bytes it
receives on the same clock. Latency = receipt − call.

Limits: p99 ≤ 1 ms, one USB full-speed frame: the real thermode is a USB virtual COM port
whose traffic moves in 1 ms frames, so a host path under a frame adds nothing the link
would not. For scale, the wire's own time for one byte at 115200 baud 8N1 is
10/115200 s = 0.087 ms (a pty has no wire, so the host cannot show it).

    python benchmarks/tcs2_abort_latency.py [--tries 1000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import _report
from drivers.tcs2.driver import Stimulus, Tcs2
from simulators.pty_host import create_host

USB_FRAME_MS = 1.0
WIRE_BYTE_MS = 10 / 115200 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=1000)
    args = parser.parse_args()
    _report.start(f"abort() -> 'A' at the simulator through the pty, {args.tries} tries")
    rng = random.Random(1)
    latencies_ms: list[float] = []
    with TemporaryDirectory() as folder:
        host = create_host("tcs2", seed=1, link=Path(folder) / "tcs2")
        host.start()
        thermode = Tcs2.open(str(host.link))
        try:
            for _ in range(args.tries):
                thermode.stimulate(Stimulus(target_c=33.0, ramp_c_per_s=0.5, return_c_per_s=50.0))
                thermode.samples(rng.uniform(0.02, 0.08))
                with host.lock:
                    seen = len(host.core.rx_bytes)
                called_s = time.monotonic()
                thermode.abort()
                while True:
                    with host.lock:
                        fresh = list(host.core.rx_bytes)[seen:]
                    arrival = next((t_s for t_s, chunk in fresh if b"A" in chunk), None)
                    if arrival is not None:
                        break
                    time.sleep(0.0002)
                latencies_ms.append((arrival + host._t0_s - called_s) * 1000)
                thermode.wait_until_idle(timeout_s=5.0)
        finally:
            thermode.close()
            host.stop()
    latencies_ms.sort()
    p50 = statistics.median(latencies_ms)
    p99 = latencies_ms[int(0.99 * (len(latencies_ms) - 1))]
    _report.figure("abort latency p50 vs one byte on the wire", p50, "ms", WIRE_BYTE_MS, _report.FLOOR)
    _report.figure("abort latency p50 vs one USB frame", p50, "ms", USB_FRAME_MS)
    _report.figure("abort latency p99 vs one USB frame", p99, "ms", USB_FRAME_MS)
    _report.context("abort latency max", latencies_ms[-1], "ms")
    _report.finish()


if __name__ == "__main__":
    main()
