"""A virtual thermal lab for the procedure tests: a simulated TCS II on a bench, the driver
on it, a virtual participant pressing the thermode's button, a scripted examiner."""

from __future__ import annotations

import simulators  # noqa: F401  (registers sim://)
from drivers.tcs2.driver import Tcs2
from protocols.devices import Devices, KeyResponse
from protocols.operator import ScriptedOperator
from protocols.procedures import TESTS
from protocols.records import RecordList
from protocols.runner import Runner, TrialSpec
from simulators import Bench
from simulators.participants.thermal import ThermalParticipant


class ThermalLab:
    def __init__(self, seed: int = 0, participant: ThermalParticipant | None = None, **driver_options):
        self.bench = Bench(seed=seed)
        self.core = self.bench.device("tcs2")
        self.clock = self.bench.clock
        self.thermode = Tcs2.open(self.bench.url("tcs2"), **driver_options)
        self.keys = KeyResponse(self.clock)
        self.records = RecordList()
        self.live_hooks = []
        self.participant = participant or ThermalParticipant(seed=seed)
        self.operator = ScriptedOperator(self.clock, ready=self._ready, choose=self._choose)
        self.runner = self.new_runner()
        self.seat(self.participant)

    def new_runner(self, seed: int = 0) -> Runner:
        self.runner = Runner(
            Devices(thermode=self.thermode, response=self.keys),
            self.operator,
            self.clock,
            self.records,
            seed=seed,
            live=self._live,
        )
        return self.runner

    def seat(self, participant: ThermalParticipant) -> None:
        self.participant = participant
        self.core.response_hook = participant.hook

    def _ready(self, question) -> bool:
        self.participant.begin(question.test)
        return True

    def _choose(self, question) -> str:
        return self.participant.feeling(question.stimulus.get("direction", "warm"))

    def _live(self, spec, reading) -> None:
        for hook in self.live_hooks:
            hook(spec, reading)

    def trial(self, test: str, trial: int = 1, **overrides):
        procedure = TESTS[test].build(TESTS[test].settings(**overrides))
        self.participant.begin(test)
        return self.runner.run_trial(procedure, TrialSpec(test, "forearm-volar-left", trial))

    def close(self) -> None:
        self.thermode.close()
