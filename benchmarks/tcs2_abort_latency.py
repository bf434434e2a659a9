"""Abort latency: from `Tcs2.abort()` being called to `A` reaching the simulated thermode.

The simulator runs behind a real pty (paced at 115200 baud) in this process; the driver
opens the pty like hardware. Each try starts a slow stimulation, waits a random 20–80 ms,
calls `abort()` and notes the monotonic time; the simulator stamps each chunk of bytes it
receives on the same clock. Latency = receipt − call. The wire's own floor for one byte at
115200 baud 8N1 is 10/115200 s = 0.087 ms (a pty has no wire, so the host cannot show it).

    python benchmarks/tcs2_abort_latency.py [--tries 1000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path
from tempfile import TemporaryDirectory

from drivers.tcs2.driver import Stimulus, Tcs2
from simulators.pty_host import create_host

GOAL_P99_MS = 1.0
WIRE_BYTE_MS = 10 / 115200 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=1000)
    args = parser.parse_args()
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
    print(f"abort() -> 'A' at the simulator through the pty, {len(latencies_ms)} tries")
    print(f"  p50 {p50:.3f} ms   p99 {p99:.3f} ms   max {latencies_ms[-1]:.3f} ms")
    print(f"  p99 / goal ({GOAL_P99_MS} ms): {p99 / GOAL_P99_MS:.2f}")
    print(f"  p50 / one byte on a 115200 baud wire ({WIRE_BYTE_MS:.3f} ms): {p50 / WIRE_BYTE_MS:.1f}")


if __name__ == "__main__":
    main()
