"""Simulated QST.Lab TCS II thermode (device kind `tcs2`).

Written from DESIGN.md's command table and docs/tcs2-wire.md alone; never from the driver.

    sim://tcs2?seed=3&noise=0.03&lag=0.05&battery=85&neutral=32&probe=T11

Query keys: see `simulators.tcs2.settings`. The core's behaviour where the table is open:
see `simulators.tcs2.core`.
"""

from simulators.tcs2.core import Tcs2Core
from simulators.tcs2.probe_log import PHASES, ProbeLog, ProbeRecord
from simulators.tcs2.settings import Tcs2Settings


def create_core(seed: int, params: dict[str, str]) -> Tcs2Core:
    """A thermode core; `params` are URL query values (all optional)."""
    return Tcs2Core(seed, Tcs2Settings.from_params(seed, params))


__all__ = ["PHASES", "ProbeLog", "ProbeRecord", "Tcs2Core", "Tcs2Settings", "create_core"]
