"""From the response to the peak value in hand, through the pty host (POSIX only).

The simulated examiner pushes in real time (the participant's threshold set out of reach,
so the ramp runs for the whole measurement) while the driver polls `?C` at 50 Hz in one
thread, as a procedure does. At random moments (20-80 ms apart) a second thread plays the
response key: it notes the time and asks the same driver for `peak_compression()`; the
latency is from the key to the value in hand. It includes waiting for a poll already on
the wire (the driver has one lock). Limits, from the wire's own time: one `?PC` exchange
(5 + 9 bytes x 10 bits / baud) is the floor of the typical case (p50); two (an in-flight
poll first) are the most the wire can make it, the limit for p99 and max; what lies
above is the host's wake-ups. The gauge holds the peak
itself, so the latency delays the value but does not change it.

    python benchmarks/mark10_response_latency.py --responses 400
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time

import _report
from drivers.mark10 import Mark10Gauge
from simulators.pty_host import create_host

BAUDRATE = 115200
EXCHANGE_BYTES = len(b"?PC\r\n") + len(b"42.50 N\r\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=400, help="response key presses (default 400)")
    args = parser.parse_args()

    _report.start(f"mark10 response -> peak in hand through the pty host: {args.responses} responses, {BAUDRATE} baud")
    params = {"start_s": "0.2", "rate_kpa_s": "50", "threshold_kpa": "10000", "max_kpa": "950"}
    host = create_host("mark10", seed=3, params=params)
    rng = random.Random(7)
    latencies_ms: list[float] = []
    polled = []
    stop = threading.Event()
    with host, Mark10Gauge.open(host.path) as gauge:

        def poll() -> None:
            for sample in gauge.poll(stop=lambda _: stop.is_set()):
                polled.append(sample)

        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(0.3)
        for _ in range(args.responses):
            time.sleep(rng.uniform(0.02, 0.08))
            pressed = time.monotonic()
            peak = gauge.peak_compression()
            latencies_ms.append((time.monotonic() - pressed) * 1000)
            if not peak.ok:
                print(f"unexpected peak {peak}", file=sys.stderr)
                return 1
        stop.set()
        poller.join()

    one_exchange_ms = EXCHANGE_BYTES * 10 / BAUDRATE * 1000
    print(f"during a live ramp polled at 50 Hz ({len(polled)} polls, {sum(not s.ok for s in polled)} flagged)")
    _report.figure("latency p50 vs one exchange", statistics.median(latencies_ms), "ms", one_exchange_ms, _report.FLOOR)
    _report.figure("latency p99 vs two exchanges", _report.percentile(latencies_ms, 0.99), "ms", 2 * one_exchange_ms)
    _report.figure("latency max vs two exchanges", max(latencies_ms), "ms", 2 * one_exchange_ms)
    _report.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
