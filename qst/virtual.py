"""A virtual lab: the simulated thermode and algometer on one bench, the unmodified drivers on
them, a virtual participant with known thresholds and a scripted examiner.

This is where the simulators meet the procedures (only `qst` may import both). The same
seed gives the same visit. Used by `qst demo`, the study simulation and the tests.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import simulators
from drivers.mark10.driver import Mark10Gauge
from drivers.tcs2.driver import Tcs2
from protocols.devices import Devices
from protocols.operator import Question, ScriptedOperator
from protocols.records import Document, Event, RecordSink, RunStart
from protocols.runner import Runner
from simulators.mark10.participant import VirtualParticipant as PressureParticipant
from simulators.participants.cold_pressor import ColdPressorParticipant
from simulators.participants.mechanical import FilamentParticipant
from simulators.participants.pinprick_pain import PinprickPainParticipant
from simulators.participants.thermal import ThermalParticipant, ThermalThresholds
from simulators.participants.vibration import TuningForkParticipant


@dataclass
class VirtualPerson:
    """Everything a virtual participant truly feels: thresholds, reaction time, cold pressor times.

    Thermal thresholds as in `ThermalThresholds` (°C); `ppt_kpa` the pressure pain
    threshold (kPa); `mdt_mn`, `mpt_mn` filament thresholds (mN); `reaction_s` (s);
    `pinprick_rating` the pain of one 256 mN pinprick (0–100) and `wind_up` how many times a
    train of them hurts more; `vdt_eighths` where on a tuning fork's 0–8 scale vibration is lost.
    """

    seed: int = 0
    thermal: ThermalThresholds = field(default_factory=ThermalThresholds)
    ppt_kpa: float = 350.0
    mdt_mn: float = 2.0
    mpt_mn: float = 60.0
    reaction_s: float = 0.3
    pain_s: float | None = 12.0
    tolerance_s: float | None = 50.0
    water_c: float = 1.0
    pinprick_rating: float = 20.0
    wind_up: float = 2.0
    vdt_eighths: float = 7.5

    @classmethod
    def draw(cls, seed: int) -> "VirtualPerson":
        """A plausible adult with seeded thresholds."""
        rng = random.Random(seed)
        pressor = ColdPressorParticipant.draw(seed)
        return cls(
            seed=seed,
            thermal=ThermalThresholds(
                cdt_c=-rng.uniform(0.5, 3.0),
                wdt_c=rng.uniform(0.8, 4.0),
                cpt_c=rng.uniform(6.0, 24.0),
                hpt_c=rng.uniform(40.0, 47.5),
            ),
            ppt_kpa=rng.uniform(180.0, 650.0),
            mdt_mn=math.exp(rng.uniform(math.log(0.7), math.log(12.0))),
            mpt_mn=math.exp(rng.uniform(math.log(15.0), math.log(250.0))),
            reaction_s=rng.uniform(0.2, 0.45),
            pain_s=pressor.pain_s,
            tolerance_s=pressor.tolerance_s,
            water_c=round(rng.uniform(0.5, 2.0), 1),
            pinprick_rating=rng.uniform(5.0, 40.0),
            wind_up=rng.uniform(1.3, 3.5),
            vdt_eighths=rng.uniform(7.25, 8.0),  # healthy hands: DFNS means 7.5–7.9 of 8
        )


class ParticipantKey:
    """The examiner's response key for PPT: pressed when the simulated participant says stop."""

    def __init__(self, core, clock):
        self.core, self.clock = core, clock
        self.armed_t_s = math.inf

    def arm(self) -> None:
        self.armed_t_s = self.clock.now()

    def pressed_at(self) -> float | None:
        said_s = self.core.response_t_s
        return said_s if said_s is not None and said_s >= self.armed_t_s else None


class VirtualLab:
    """A bench with both devices and a virtual participant; `runner(sink)` runs on it."""

    def __init__(self, person: VirtualPerson, *, bench: simulators.Bench | None = None):
        self.person = person
        self.bench = bench or simulators.Bench(seed=person.seed)
        self.clock = self.bench.clock
        self.thermal = ThermalParticipant(seed=person.seed, thresholds=person.thermal, reaction_time_s=person.reaction_s)
        self.tcs2_core = self.bench.device("tcs2")
        self.tcs2_core.response_hook = self.thermal.hook
        self.mark10_core = self.bench.device("mark10")
        self.mark10_core.participant = PressureParticipant(
            random.Random(person.seed), threshold_kpa=person.ppt_kpa, reaction_s=person.reaction_s
        )
        self.filaments = {
            "MDT": FilamentParticipant(person.mdt_mn, seed=person.seed),
            "MPT": FilamentParticipant(person.mpt_mn, seed=person.seed + 1),
        }
        self.pressor = ColdPressorParticipant(person.pain_s, person.tolerance_s)
        self.pinprick = PinprickPainParticipant(person.pinprick_rating, person.wind_up, seed=person.seed)
        self.fork = TuningForkParticipant(person.vdt_eighths, seed=person.seed)
        self.thermode = Tcs2.open(self.bench.url("tcs2"))
        self.algometer = Mark10Gauge.open(self.bench.url("mark10"))
        self.devices = Devices(
            thermode=self.thermode,
            algometer=self.algometer,
            response=ParticipantKey(self.mark10_core, self.clock),
        )
        self.operator = ScriptedOperator(
            self.clock,
            ready=self._ready,
            yes_no=self._yes_no,
            choose=self._choose,
            number=self._number,
            rating=self._rating,
            marks=self._mark,
        )
        self._test = ""

    # -- the examiner's answers, from what the participant feels -----------------------------

    def _ready(self, question: Question) -> bool:
        self._test = question.test
        self.thermal.begin(question.test)
        return True

    def _yes_no(self, question: Question) -> bool:
        participant = self.filaments.get(question.test)
        force_mn = question.stimulus.get("force_mn")
        return bool(participant and force_mn and participant.answer(float(force_mn)))

    def _number(self, question: Question) -> float:
        if question.test == "VDT":
            return self.fork.reading()
        return self.person.water_c

    def _rating(self, question: Question) -> int:
        return self.pinprick.rate(int(question.stimulus.get("stimuli", 1)))

    def _choose(self, question: Question) -> str:
        return self.thermal.feeling(question.stimulus.get("direction", "warm"))

    def _mark(self, question: Question):
        if "elapsed_s" not in question.stimulus:
            return None
        names = tuple(question.stimulus.get("marks", ("pain", "withdrawal")))
        return self.pressor.next_mark(float(question.stimulus["elapsed_s"]), names)

    # -- running -----------------------------------------------------------------------------

    def sink(self, downstream: RecordSink) -> RecordSink:
        """`downstream`, with the examiner putting the algometer's tip on when a PPT starts."""

        def forward(document: Document) -> None:
            if isinstance(document, RunStart):
                self._test = document.test
            if isinstance(document, Event) and document.kind == "stimulus" and self._test == "PPT":
                self.mark10_core.start_ramp(self.clock.now())
            downstream(document)

        return forward

    def runner(self, sink: RecordSink, *, seed: int = 0, battery: str = "", examiner: str = "virtual", live=None) -> Runner:
        return Runner(
            self.devices,
            self.operator,
            self.clock,
            self.sink(sink),
            examiner=examiner,
            battery=battery,
            seed=seed,
            live=live,
        )

    def close(self) -> None:
        self.thermode.close()
        self.algometer.close()

    def __enter__(self) -> "VirtualLab":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
