"""A synthetic study: a seeded cohort of virtual participants run visit by visit through the
simulated thermode and algometer in virtual time, their diaries, all into a records store.

Known effects, by each phase's role (`qst.reporting.phase_roles`: a treatment "none" is no
treatment, one naming placebo is placebo, any other is the drug):

- drug: HPT rises by `0.5 + 0.03 × ESR` °C, PPT by `20 % × ESR / 30`, diary ratings fall by
  `(10 + 0.8 × ESR) %` of the participant's baseline rating;
- placebo: HPT +0.1 °C, PPT +2 %, ratings −5 %;
- none (baseline, washout): the participant's own thresholds and rating.

A lab visit measures the phase it belongs to (`Study.planned_visits`); a diary day is rated
in the phase of that day, with Gaussian noise (SD `DIARY_NOISE_SD`). So the true reduction
over placebo is `5 + 0.8 × ESR` percentage points, and the true drug − placebo HPT
difference is `0.4 + 0.03 × ESR` °C (before the clamp below).

Each visit runs on its own `VirtualLab` with its own seed, so visits are independent and can
run in worker processes; the parent commits their documents in order, so the store is the
same whatever the number of workers. Same seed, same cohort, same values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import os
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from protocols.battery import shipped_battery
from protocols.records import RecordList
from qst.diary import DiaryEntry
from qst.participants import new_participant
from qst.reporting import DRUG, PLACEBO, phase_roles
from qst.study import Study, load_study
from qst.virtual import VirtualLab, VirtualPerson

ESR_RANGE_MM_H = (5.0, 60.0)
HPT_DRUG_C = (0.5, 0.03)  # + a + b × ESR
PPT_DRUG_PER_30_ESR = 0.20  # × ESR / 30
DIARY_DRUG_PCT = (10.0, 0.8)  # (a + b × ESR) % of baseline
HPT_PLACEBO_C = 0.1
PPT_PLACEBO = 0.02
DIARY_PLACEBO_PCT = 5.0
DIARY_NOISE_SD = 4.0
HPT_MAX_C = 49.0
"""True HPT is clamped here, below the 50 °C cut-off, so a trial is a threshold, not censored."""
PPT_MAX_KPA = 900.0
"""True PPT is clamped below the algometer's 1000 kPa ceiling (a 100 N gauge, 1 cm² tip)."""
FIRST_ENROLMENT = dt.date(2026, 1, 5)
WHO = "qst simulate-study"
SOURCE = "synthetic diary (qst simulate-study)"


@dataclass(frozen=True)
class SyntheticParticipant:
    """A cohort member: the facts enrolled, the true person at baseline, the true baseline rating."""

    code: str
    seed: int
    sex: str
    birth_year: int
    enrolled_on: dt.date
    esr_mm_h: float
    crp_mg_l: float
    baseline_rating: float
    person: VirtualPerson

    def fields(self) -> dict:
        return {
            "code": self.code,
            "sex": self.sex,
            "birth_year": self.birth_year,
            "enrolled_on": self.enrolled_on.isoformat(),
            "labs": {"ESR": {"value": self.esr_mm_h, "unit": "mm/h"}, "CRP": {"value": self.crp_mg_l, "unit": "mg/L"}},
            "notes": "synthetic participant (qst simulate-study)",
        }

    def hpt_shift_c(self, role: str) -> float:
        if role == DRUG:
            return HPT_DRUG_C[0] + HPT_DRUG_C[1] * self.esr_mm_h
        return HPT_PLACEBO_C if role == PLACEBO else 0.0

    def ppt_factor(self, role: str) -> float:
        if role == DRUG:
            return 1.0 + PPT_DRUG_PER_30_ESR * self.esr_mm_h / 30.0
        return 1.0 + PPT_PLACEBO if role == PLACEBO else 1.0

    def rating_reduction_pct(self, role: str) -> float:
        if role == DRUG:
            return DIARY_DRUG_PCT[0] + DIARY_DRUG_PCT[1] * self.esr_mm_h
        return DIARY_PLACEBO_PCT if role == PLACEBO else 0.0

    def true_hpt_c(self, role: str) -> float:
        return min(HPT_MAX_C, self.person.thermal.hpt_c + self.hpt_shift_c(role))

    def true_ppt_kpa(self, role: str) -> float:
        return min(PPT_MAX_KPA, self.person.ppt_kpa * self.ppt_factor(role))

    def in_phase(self, role: str, visit_seed: int) -> VirtualPerson:
        """The person as a visit in a phase of `role` finds them, with the visit's own seed."""
        thermal = dataclasses.replace(self.person.thermal, hpt_c=self.true_hpt_c(role))
        return dataclasses.replace(self.person, seed=visit_seed, thermal=thermal, ppt_kpa=self.true_ppt_kpa(role))


def cohort(n: int, seed: int = 0) -> list[SyntheticParticipant]:
    """`n` participants FM01, FM02, ... drawn from `seed`; one enrolled every 3 days."""
    if not 1 <= n <= 99:
        raise ValueError(f"a synthetic cohort has 1 to 99 participants (codes FM01–FM99), not {n}")
    rng = random.Random(f"cohort-{seed}")
    people = []
    for index in range(1, n + 1):
        person_seed = seed * 1000 + index
        esr = round(rng.uniform(*ESR_RANGE_MM_H), 1)
        crp = round(min(400.0, max(0.2, rng.lognormvariate(0.6, 0.6) * (0.5 + esr / 30.0))), 1)
        people.append(
            SyntheticParticipant(
                code=f"FM{index:02d}",
                seed=person_seed,
                sex="F" if rng.random() < 0.85 else "M",
                birth_year=rng.randint(1960, 2000),
                enrolled_on=FIRST_ENROLMENT + dt.timedelta(days=3 * (index - 1)),
                esr_mm_h=esr,
                crp_mg_l=crp,
                baseline_rating=rng.uniform(45.0, 75.0),
                person=VirtualPerson.draw(person_seed),
            )
        )
    return people


def diary(participant: SyntheticParticipant, study: Study) -> list[DiaryEntry]:
    """A rating every day from enrolment to the study's last day, seeded by the participant."""
    rng = random.Random(f"diary-{participant.seed}")
    roles = phase_roles(study)
    entries = []
    for day in range(study.last_day + 1):
        role = roles[study.phase_on(day).code]
        mean = participant.baseline_rating * (1.0 - participant.rating_reduction_pct(role) / 100.0)
        rating = int(round(min(100.0, max(0.0, rng.gauss(mean, DIARY_NOISE_SD)))))
        entries.append(DiaryEntry(participant.code, participant.enrolled_on + dt.timedelta(days=day), rating))
    return entries


@dataclass(frozen=True)
class VisitJob:
    code: str
    number: int
    phase_code: str
    battery: str
    tests: tuple[str, ...] | None
    person: VirtualPerson
    seed: int


@dataclass(frozen=True)
class VisitResult:
    job: VisitJob
    planned: list[tuple[str, str, int]]
    documents: list
    simulated_s: float


def _plan(battery_name: str, tests: Sequence[str] | None):
    plan = shipped_battery(battery_name).plan(include_optional=False)
    if tests is not None:
        plan = [p for p in plan if p.spec.test in tests]
    return plan


WORKER_GC_THRESHOLD = 20_000
"""Allocations between the youngest generation's collections in a visit worker (Python's
default is 700): a visit makes hundreds of thousands of short-lived readings, and at the
default a tenth of a visit's time went to the collector finding nothing to free."""


def _visit_worker() -> None:
    """A worker process's start: what is loaded so far stays (frozen out of collection)."""
    gc.freeze()
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


def run_visit(job: VisitJob) -> VisitResult:
    """One visit on its own virtual lab (top level, so a worker process can run it)."""
    plan = _plan(job.battery, job.tests)
    records = RecordList()
    with VirtualLab(job.person) as lab:
        lab.runner(records, seed=job.seed, battery=job.battery, examiner="virtual").run_plan(plan)
        simulated_s = lab.clock.now()
    planned = [(p.spec.test, p.spec.site, p.spec.trial) for p in plan]
    return VisitResult(job, planned, records.documents, simulated_s)


@dataclass(frozen=True)
class SimulationResult:
    study: str
    participants: list[SyntheticParticipant]
    visits: int
    documents: int
    diary_entries: int
    simulated_s: float
    workers: int


Progress = Callable[[str, int, int], None]
"""(what, done, total): "visits" as each visit is committed."""


def simulate_study(
    store,
    n: int,
    *,
    seed: int = 0,
    study_text: str,
    tests: Sequence[str] | None = None,
    visits: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
) -> SimulationResult:
    """Add the study (`study_text`), `n` participants, their visits (unless `visits=False`)
    and diaries to `store`. Refuses a store that already holds a study of that name.
    `tests`: only these tests of the battery (default: all but the optional ones).
    `workers`: processes running visits (default: CPUs, at most 4; 1 runs in this process)."""
    study = load_study(study_text, source="the simulated study")
    if tests is not None:
        known = {p.spec.test for p in _plan(study.visits.battery, None)}
        unknown = sorted(set(tests) - known)
        if unknown or not tests:
            raise ValueError(f"battery {study.visits.battery} has no test {', '.join(unknown) or '(none given)'}; "
                             f"its tests: {', '.join(sorted(known))}")
        tests = tuple(tests)
    roles = phase_roles(study)
    people = cohort(n, seed)
    if study.name in store.study_names():
        raise ValueError(
            f"the store {store.location} already holds a study named {study.name!r}: synthetic data is never "
            "mixed into it; use a fresh store (--db or another --out)"
        )
    store.add_study(study.name, study_text, who=WHO)
    for p in people:
        record = new_participant(p.fields(), code_pattern=study.code_pattern).record()
        store.add_participant(study.name, p.code, record, who=WHO)
    jobs = [
        VisitJob(p.code, v.number, v.phase_code, study.visits.battery, tests,
                 p.in_phase(roles[v.phase_code], p.seed * 100 + v.number), p.seed * 100 + v.number)
        for p in people
        for v in (study.planned_visits() if visits else [])
    ]
    workers = workers or min(4, os.cpu_count() or 1)
    documents, simulated_s = 0, 0.0
    if progress:
        progress("visits", 0, len(jobs))
    if jobs:
        if workers <= 1:
            results = map(run_visit, jobs)
            pool = None
        else:
            pool = ProcessPoolExecutor(max_workers=workers, initializer=_visit_worker)
            results = pool.map(run_visit, jobs)
        try:
            for done, result in enumerate(results, start=1):
                job = result.job
                visit_id = store.open_visit(study.name, job.code, job.number, job.phase_code, job.battery,
                                            result.planned, "virtual", "simulation", who=WHO)
                store.sink(visit_id).extend(result.documents)
                store.close_visit(visit_id, "synthetic visit (qst simulate-study)", who=WHO)
                documents += len(result.documents)
                simulated_s += result.simulated_s
                if progress:
                    progress("visits", done, len(jobs))
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    entries = [entry for p in people for entry in diary(p, study)]
    store.add_diary(study.name, entries, SOURCE, WHO)
    return SimulationResult(study.name, people, len(jobs), documents, len(entries), simulated_s, workers)
