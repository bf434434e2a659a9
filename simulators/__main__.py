"""`python -m simulators KIND ...`: a simulated device on a real tty, in real time (POSIX).

    python -m simulators tcs2 --link /tmp/tcs2 --control /tmp/tcs2.ctl --param probe=t03

Prints the tty path on the first line of stdout and the link, if any, on the second, then
serves until SIGINT or SIGTERM and exits 0 (the link and control socket removed). Faults
on demand through the control socket, one command a line, e.g. `unplug`, `replug`,
`stall on`, `inject_garbage 41420d`; each is answered `ok` or `error: ...`:

    printf 'unplug\\n' | nc -UN /tmp/tcs2.ctl

Exit status 2 on bad arguments (one line on stderr, `qst: error: ...`, as the `qst`
command words its errors), 1 if the host fails while serving.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

# `qst simulate` is this entry point (called in-process), so its errors read as the `qst` command's.
_ERROR_PREFIX = "qst: error: "


def _error(message: object, status: int = 2) -> int:
    """Print `qst: error: <message>` as one line on stderr; returns `status` (2: bad input)."""
    print(_ERROR_PREFIX + " ".join(str(message).split()), file=sys.stderr)
    return status


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line (no usage block), exit 2."""

    def error(self, message: str) -> NoReturn:
        sys.exit(_error(message))


def _param(text: str) -> tuple[str, str]:
    key, equals, value = text.partition("=")
    if not equals or not key:
        raise argparse.ArgumentTypeError(f"expected key=value, not {text!r}")
    return key, value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m simulators",
        description="Serve a simulated device on a pseudo-terminal, in real time.",
    )
    parser.add_argument("kind", help="device kind: tcs2 or mark10")
    parser.add_argument("--link", type=Path, help="keep a symlink to the tty here")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the device (default 0)")
    parser.add_argument("--baud", type=int, help="line speed in bits/s (default: the device's own)")
    parser.add_argument("--control", type=Path, help="unix socket taking fault commands")
    parser.add_argument(
        "--param", type=_param, action="append", default=[], metavar="KEY=VALUE",
        help="device parameter, as in a sim:// URL (repeatable)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        from simulators.pty_host import PtyHostError, create_host, run
    except ImportError as error:
        return _error(error)
    from simulators.bench import SimulatorError

    try:
        host = create_host(
            args.kind, seed=args.seed, params=dict(args.param), link=args.link,
            baudrate=args.baud, control=args.control,
        )
    except (SimulatorError, ValueError, TypeError) as error:
        return _error(error)

    def announce(host) -> None:
        print(host.path or "", flush=True)
        if host.link is not None:
            print(host.link, flush=True)

    try:
        run(host, announce=announce)
    except PtyHostError as error:
        return _error(error)
    except Exception as error:
        return _error(f"the pty host failed: {error}", status=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
