"""A virtual lab bench: one virtual clock and the device cores standing on it.

Every `sim://` port belongs to a bench. Ports of one bench share its clock, so a thermode
and an algometer opened on the same bench keep one time line. A URL names its bench with
`bench=ID`; a URL without one gets a fresh private bench.

    bench = Bench(seed=7)
    core = bench.device("tcs2")          # configure before opening, if wanted
    port = serial.serial_for_url(bench.url("tcs2"))

A device kind `K` is the module `simulators.K`, which provides
`create_core(seed: int, params: dict[str, str]) -> DeviceCore`.
"""

from __future__ import annotations

import importlib
import itertools
import threading
import weakref
import zlib
from urllib.parse import urlencode

from simulators.clock import VirtualClock
from simulators.core import DeviceCore

_benches: "weakref.WeakValueDictionary[str, Bench]" = weakref.WeakValueDictionary()
_ids = itertools.count(1)
_registry_lock = threading.Lock()


class SimulatorError(Exception):
    """Base of the simulators' own errors (bad URL, unknown device kind)."""


def create_core(kind: str, seed: int, params: dict[str, str]) -> DeviceCore:
    """Build a device core of `kind` (e.g. "tcs2", "mark10") from URL-style parameters."""
    if not kind.isidentifier():
        raise SimulatorError(f"unknown simulated device {kind!r}")
    try:
        module = importlib.import_module(f"simulators.{kind}")
    except ModuleNotFoundError as error:
        raise SimulatorError(f"unknown simulated device {kind!r}") from error
    factory = getattr(module, "create_core", None)
    if factory is None:
        raise SimulatorError(f"unknown simulated device {kind!r}")
    return factory(seed, params)


class Bench:
    """A virtual clock and named device cores; looked up by `sim://` URLs via its id."""

    def __init__(self, seed: int = 0, clock: VirtualClock | None = None):
        self.seed = seed
        self.clock = clock if clock is not None else VirtualClock()
        self.devices: dict[str, DeviceCore] = {}
        self.locks: dict[str, threading.RLock] = {}
        self.open_ports: dict[str, object] = {}
        with _registry_lock:
            self.id = f"b{next(_ids)}"
            _benches[self.id] = self

    def device_seed(self, name: str) -> int:
        return (self.seed * 1_000_003 + zlib.crc32(name.encode())) & 0x7FFFFFFF

    def device(self, kind: str, name: str | None = None, seed: int | None = None, **params: str) -> DeviceCore:
        """The core called `name` (default: the kind), created on first use."""
        name = name or kind
        if name not in self.devices:
            core_seed = seed if seed is not None else self.device_seed(name)
            self.devices[name] = create_core(kind, core_seed, {k: str(v) for k, v in params.items()})
            self.locks[name] = threading.RLock()
        return self.devices[name]

    def url(self, kind: str, name: str | None = None, **params: object) -> str:
        """A `sim://` URL that opens device `name` (default: the kind) on this bench."""
        query = {"bench": self.id, **({"name": name} if name else {}), **{k: str(v) for k, v in params.items()}}
        return f"sim://{kind}?{urlencode(query)}"

    @staticmethod
    def lookup(bench_id: str) -> "Bench":
        try:
            return _benches[bench_id]
        except KeyError:
            raise SimulatorError(f"no simulated bench {bench_id!r} (was it garbage-collected?)") from None
