"""One trial of a test the examiner answers by hand (no device), on a virtual clock, with a
`ScriptedOperator` giving the answers."""

from __future__ import annotations

from protocols.devices import Devices
from protocols.operator import ScriptedOperator
from protocols.procedures import TESTS
from protocols.records import RecordList, RunStop
from protocols.runner import Runner, TrialSpec
from simulators import VirtualClock


def run_scripted(test: str, site: str, *, seed: int = 0, settings: dict | None = None,
                 **answers) -> tuple[RunStop, RecordList, ScriptedOperator]:
    """Trial 1 of `test` at `site` with the test's settings (defaults, overridden by
    `settings`); `answers` are `ScriptedOperator`'s (yes_no=, rating=, number=, ...)."""
    clock = VirtualClock()
    operator = ScriptedOperator(clock, **answers)
    records = RecordList()
    runner = Runner(Devices(), operator, clock, records, seed=seed)
    procedure = TESTS[test].build(TESTS[test].settings(**(settings or {})))
    return runner.run_trial(procedure, TrialSpec(test, site, 1)), records, operator
