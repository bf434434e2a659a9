"""The TCS II wire as the tests read it: their own tiny parsing, never the driver's codec."""

from __future__ import annotations

import re

from simulators.tcs2 import Tcs2Core, create_core

E_BODY = re.compile(rb"(\d{3})([+-]\d{3})([+-]\d{3})([+-]\d{3})([+-]\d{3})([+-]\d{3})")
OE_BODY = re.compile(rb"(\d{4})([+-]\d{4})([+-]\d{4})([+-]\d{4})([+-]\d{4})([+-]\d{4})")
B_BODY = re.compile(rb"(\d\d\.\d{4})v (\d{3})%")


def bodies(output: bytes) -> list[bytes]:
    """What follows each CR (replies and stream lines all begin with one)."""
    return output.split(b"\r")[1:]


def e_temperatures(body: bytes) -> tuple[float, list[float]]:
    """(neutral, zones 1–5) in °C from an `E` body or stream line."""
    match = E_BODY.fullmatch(body)
    assert match, body
    return int(match[1]) / 10, [int(field) / 10 for field in match.groups()[1:]]


def stream_lines(output: bytes) -> list[tuple[float, list[float]]]:
    return [e_temperatures(body) for body in bodies(output)]


class Wire:
    """A host on a core in virtual time: sends bytes, waits, collects what comes back."""

    def __init__(self, core: Tcs2Core | None = None, start_s: float = 1000.0, seed: int = 3, **params: str):
        self.core = core or create_core(seed, {k: str(v) for k, v in params.items()})
        self.t_s = start_s
        self.core.advance_to(start_s)
        self.core.take_output()

    def send(self, data: bytes, after_s: float = 0.0) -> bytes:
        self.t_s += after_s
        self.core.receive(data, self.t_s)
        return self.core.take_output()

    def wait(self, duration_s: float) -> bytes:
        self.t_s += duration_s
        self.core.advance_to(self.t_s)
        return self.core.take_output()

    def until(self, t_s: float) -> bytes:
        self.t_s = t_s
        self.core.advance_to(t_s)
        return self.core.take_output()

    def quiet(self) -> "Wire":
        """Mute the stream, so that what comes back is replies only."""
        self.send(b"F")
        return self
