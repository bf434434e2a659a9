"""Mark-10 polls per second through the pty host, against the wire's own limit (POSIX only).

Hosts the simulated 100 N gauge in this process with a static 42 N load (replies
`42.00 N\\r\\n`, 9 bytes), opens it with the unmodified driver and polls `?C` back to back
(`poll(rate_hz=math.inf)`) for `--seconds`. The wire's limit is one exchange at a time:
(request 4 bytes + reply 9 bytes) x 10 bits / baud. The pty host paces only the gauge's
output (a pty has no line speed; the request reaches the core at once), so the reachable
ceiling here is the reply alone, also printed (a pty can beat the exchange limit, which a
real serial line cannot). The paced 50 Hz loop is checked too: its rate and how many
ticks it kept, against 50 Hz, the rate a PPT procedure polls at.

    python benchmarks/mark10_poll_rate.py --seconds 5 --baud 115200
"""

from __future__ import annotations

import argparse
import math
import sys

import _report
from drivers.mark10 import Mark10Gauge
from drivers.mark10.codec import CURRENT
from simulators.pty_host import create_host

REPLY = b"42.00 N\r\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="polling time per run (default 5)")
    parser.add_argument("--baud", type=int, default=115200, help="line speed (default 115200; older gauges 9600)")
    args = parser.parse_args()

    _report.start(f"mark10 polls through the pty host: {args.baud} baud, {args.seconds:g} s per run")
    host = create_host("mark10", seed=1, params={"baud": str(args.baud)})
    with host:
        with host.lock:
            host.core.set_load(42.0)
        with Mark10Gauge.open(host.path, baudrate=args.baud) as gauge:
            fast = gauge.collect(args.seconds, rate_hz=math.inf)
            paced = gauge.collect(args.seconds)
        dropped = host.bytes_dropped

    if not all(s.ok and s.force_n == 42.0 for s in fast + paced):
        print("unexpected sample in the run", file=sys.stderr)
        return 1
    reached = (len(fast) - 1) / (fast[-1].t_s - fast[0].t_s)
    bytes_per_s = args.baud / 10
    exchange_limit = bytes_per_s / (len(CURRENT) + len(REPLY))
    reply_limit = bytes_per_s / len(REPLY)
    paced_rate = (len(paced) - 1) / (paced[-1].t_s - paced[0].t_s)

    print(f"bytes dropped by the host: {dropped}")
    _report.figure("back-to-back ?C polls/s vs exchange limit", reached, "polls/s", exchange_limit,
                   "1 is a real wire's ceiling, which a pty can pass", 1)
    _report.figure("back-to-back ?C polls/s vs reply-only limit", reached, "polls/s", reply_limit, _report.CEILING, 1)
    _report.figure("paced 50 Hz loop", paced_rate, "polls/s", 50.0, _report.ONE, 2)
    _report.figure("paced 50 Hz loop, ticks kept", len(paced), "ticks", round(args.seconds * 50), _report.ONE, 0)
    _report.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
