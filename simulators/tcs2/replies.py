"""The thermode's reply layouts (docs/tcs2-wire.md), as bytes. Every reply begins with CR.

Readings are rounded to the field's resolution and clamped to what its digits can show:
neutral 0–99.9 °C (`E`) / 0–99.99 °C (`Oe`), zones ±99.9 °C / ±99.99 °C.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence


def reply(body: str) -> bytes:
    return b"\r" + body.encode("ascii")


def identity() -> bytes:
    return reply("TCS")


def _clamped(value: int, low: int, high: int) -> int:
    return value if low <= value <= high else (low if value < low else high)


_TENS = (10,) * 5


def temperatures_tenths(neutral_c: float, zones_c: Sequence[float]) -> str:
    """`E` body, 23 chars: neutral `NNN` then 5 × sign and `TTT`, tenths of °C."""
    # Every reply and stream line passes here: the usual reading (all in range) is rounded
    # by a library loop and formatted at once; `tenths_body` clamps the rest.
    neutral = round(neutral_c * 10)
    zones = list(map(round, map(operator.mul, zones_c, _TENS)))
    if 0 <= neutral <= 999 and -999 <= min(zones) and max(zones) <= 999:
        return "%03d%+04d%+04d%+04d%+04d%+04d" % (neutral, *zones)
    return tenths_body(neutral, zones)


def tenths_body(neutral_tenths: int, zones_tenths: Sequence[int]) -> str:
    """`E` body from readings already in tenths of °C."""
    zones = [_clamped(zone, -999, 999) for zone in zones_tenths]
    return "%03d%+04d%+04d%+04d%+04d%+04d" % (_clamped(neutral_tenths, 0, 999), *zones)


def temperatures_hundredths(neutral_c: float, zones_c: Sequence[float]) -> str:
    """`Oe` body, 29 chars: neutral `NNNN` then 5 × sign and `TTTT`, hundredths of °C."""
    zones = [_clamped(round(zone_c * 100), -9999, 9999) for zone_c in zones_c]
    return "%04d%+05d%+05d%+05d%+05d%+05d" % (_clamped(round(neutral_c * 100), 0, 9999), *zones)


def buttons(stim_pressed: bool, response_pressed: bool) -> str:
    """`K` body: stim then response, `1` = pressed."""
    return f"{int(stim_pressed)}{int(response_pressed)}"


def errors(codes: Sequence[int]) -> str:
    """`Q` body: one digit for the neutral, then zones 1–5; `0` = OK."""
    return "".join(str(code) for code in codes)


def battery(volts: float, percent: float) -> str:
    """`B` body, 13 chars, like `12.3456v 085%`."""
    return f"{min(max(volts, 0.0), 99.9999):07.4f}v {_clamped(round(percent), 0, 100):03d}%"


def calibration(neutral_c: float) -> str:
    """`G` body after the calibration: `N` and the neutral in tenths."""
    return "N%03d" % round(neutral_c * 10)


def help_text(firmware: str, probe_id: str, probe_type: str) -> bytes:
    """`H` reply: text lines separated (and ended) by CR LF."""
    lines = [
        "TCS II thermode (qst simulator)",
        f"firmware version: {firmware}",
        f"probe id: {probe_id}",
        f"probe type: {probe_type}",
        "? identify, H this help, E / Oe temperatures (0.1 / 0.01 C), K buttons, Og both",
        "Q error codes, B battery, G calibrate neutral (reply after 3 s)",
        "Nxxx neutral, Sxxxxx zones on/off, Csxxx / Otsxxxx target, Omxxx maximum target",
        "Vsxxxx / Ovsxxxxx ramp speed, Rsxxxx / Orsxxxxx return speed, Dsxxxxx duration ms",
        "L start, Ol start (response button stops), Od follow target, A abort to neutral",
        "F mute stream, Oa stream 1 Hz between stimulations, Ob stream 100 Hz during",
        "Txxxyyy trigger code and ms, Oo send trigger, Ose / Osd trigger-in start on / off",
    ]
    return b"\r" + "".join(line + "\r\n" for line in lines).encode("ascii")
