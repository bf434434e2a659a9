"""The simulated thermode's fixed traits, read from a `sim://tcs2?...` query.

| key        | meaning                                          | default          | range        |
|------------|--------------------------------------------------|------------------|--------------|
| `noise`    | reading noise, standard deviation in °C          | 0.03             | 0–5          |
| `lag`      | probe time constant (first-order lag) in s       | 0.05             | 0–10         |
| `battery`  | battery charge at power-on, %                    | 85               | 0–100        |
| `neutral`  | neutral temperature at power-on, °C              | 32.0             | 20–40        |
| `probe`    | probe type shown by `H`                          | T11              | text         |
| `probe_id` | probe id shown by `H`                            | derived from seed| text         |
| `firmware` | firmware version shown by `H`                    | sim-1.0          | text         |
| `log_size` | records kept in `probe_log` (oldest dropped)     | 360000 (1 h at 100 Hz) | ≥ 100  |
"""

from __future__ import annotations

from dataclasses import dataclass

from simulators.bench import SimulatorError


@dataclass(frozen=True)
class Tcs2Settings:
    noise_c: float = 0.03
    lag_s: float = 0.05
    battery_percent: float = 85.0
    neutral_c: float = 32.0
    probe_type: str = "T11"
    probe_id: str = "SIM000000"
    firmware: str = "sim-1.0"
    log_size: int = 360_000

    @classmethod
    def from_params(cls, seed: int, params: dict[str, str]) -> "Tcs2Settings":
        """Settings from URL query values (strings); unknown keys and bad values are refused."""
        unknown = sorted(set(params) - set(_KEYS))
        if unknown:
            raise SimulatorError(f"unknown tcs2 parameter(s) {', '.join(unknown)}; known: {', '.join(_KEYS)}")
        return cls(
            noise_c=_number(params, "noise", 0.03, 0.0, 5.0),
            lag_s=_number(params, "lag", 0.05, 0.0, 10.0),
            battery_percent=_number(params, "battery", 85.0, 0.0, 100.0),
            neutral_c=_number(params, "neutral", 32.0, 20.0, 40.0),
            probe_type=_text(params, "probe", "T11"),
            probe_id=_text(params, "probe_id", f"SIM{seed % 1_000_000:06d}"),
            firmware=_text(params, "firmware", "sim-1.0"),
            log_size=int(_number(params, "log_size", 360_000, 100, 100_000_000)),
        )


_KEYS = ("noise", "lag", "battery", "neutral", "probe", "probe_id", "firmware", "log_size")


def _number(params: dict[str, str], key: str, default: float, low: float, high: float) -> float:
    if key not in params:
        return default
    try:
        value = float(params[key])
    except ValueError:
        raise SimulatorError(f"tcs2 parameter {key}={params[key]!r} is not a number") from None
    if not low <= value <= high:
        raise SimulatorError(f"tcs2 parameter {key}={value} is outside {low}–{high}")
    return value


def _text(params: dict[str, str], key: str, default: str) -> str:
    value = params.get(key, default)
    if not value or not value.isascii() or not value.isprintable():
        raise SimulatorError(f"tcs2 parameter {key}={value!r} must be printable ASCII text")
    return value
