"""The crash test: a visit recorded by a process killed with SIGKILL at random moments, 50 times.

Each time a child process opens the SQLite store, resumes the visit at `resume_index`, runs
the rest of it on the virtual lab through `store.sink`, and reports each completed run's id
on a pipe after the sink returned; the test kills it at a seeded random moment. After each
kill: every reported run is in the store, the file passes `PRAGMA integrity_check`, the
completed trials are a prefix of the plan, none twice, and the next child resumes right
after them. Finally a child runs the visit to its end: every planned trial completed once.

Children are forked from a server that has imported everything once (multiprocessing's
forkserver): a fresh interpreter per child would cost about a second of imports each.
Each child is still a process of its own, with its own connection, killed outright.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import statistics
import time

import pytest

from protocols.battery import load_battery
from protocols.records import ExitStatus, RunStop
from qst.store import Store
from qst.virtual import VirtualLab, VirtualPerson
from tests.qst.test_store_setup import STUDY, enrol, fast_dir, planned_of  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(
    os.name != "posix" or "forkserver" not in multiprocessing.get_all_start_methods(),
    reason="SIGKILL and a fork server are POSIX only",
)

KILLS = 50
SEED = 20261125
PERSON_SEED = 7
REPLY_TIMEOUT_S = 60.0  # only a hung child waits this long; a healthy one answers at once

# 80 short trials, so that 50 children each killed after a trial or two leave work for the last.
CRASH_BATTERY = """
name = "crash"
title = "Crash test visit"
version = "1"

[[tests]]
test = "HPT"
sites = ["volar-forearm-left", "volar-forearm-right"]
trials = 20
rate_c_per_s = 3.0
return_c_per_s = 20.0

[[tests]]
test = "PPT"
sites = ["thenar-left", "thenar-right"]
trials = 20
rate_kpa_per_s = 200.0
rate_tolerance_kpa_per_s = 60.0
poll_rate_hz = 25.0
"""


def child_visit(path: str, attempt: int, pipe) -> None:
    """Resume the visit and record the rest of it; report ("resume", index), then
    ("completed", run_id) after the sink returned for each completed run, then ("finished",)."""
    plan = load_battery(CRASH_BATTERY).plan()
    store = Store.open(path)
    visit_id = store.open_visit(STUDY, "FM01", 1, "A", "crash", planned_of(plan), examiner="ex1")
    index = store.resume_index(visit_id)
    pipe.send(("resume", index))
    sink = store.sink(visit_id)

    def record(document) -> None:
        sink(document)
        if isinstance(document, RunStop) and document.exit_status is ExitStatus.COMPLETED:
            pipe.send(("completed", document.run_id))

    with VirtualLab(VirtualPerson.draw(PERSON_SEED)) as lab:
        lab.runner(record, seed=attempt, battery="crash", examiner="ex1").run_plan(plan, start_at=index)
    pipe.send(("finished",))
    store.close()


class Child:
    """A child process running `child_visit`, and what it reported."""

    def __init__(self, context, path: str, attempt: int):
        self.reader, writer = context.Pipe(duplex=False)
        self.process = context.Process(target=child_visit, args=(path, attempt, writer), daemon=True)
        self.process.start()
        writer.close()  # so that reading ends when the child does
        self.completed: list[str] = []
        self.completed_at: list[float] = []
        self.finished = False

    def next_message(self) -> tuple:
        if not self.reader.poll(REPLY_TIMEOUT_S):
            self.process.kill()
            pytest.fail(f"child {self.process.pid} said nothing for {REPLY_TIMEOUT_S} s")
        message = self.reader.recv()
        if message[0] == "completed":
            self.completed.append(message[1])
            self.completed_at.append(time.perf_counter())
        elif message[0] == "finished":
            self.finished = True
        return message

    def drain(self) -> None:
        """Every message the child sent before it died."""
        while True:
            try:
                self.next_message()
            except EOFError:
                return


def stored_state(path: str, planned: list[tuple[str, str, int]]) -> tuple[str, set[str], list[tuple]]:
    """Straight from the file, not through the store: integrity, completed run ids, and the
    planned trials each completed run belongs to (in run order)."""
    connection = sqlite3.connect(path)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        rows = connection.execute(
            "SELECT runs.run_id, runs.test, runs.site, runs.trial FROM runs JOIN run_stops USING (run_id) "
            "WHERE run_stops.exit_status = 'completed' ORDER BY runs.id"
        ).fetchall()
    finally:
        connection.close()
    return integrity, {row[0] for row in rows}, [tuple(row[1:]) for row in rows]


def test_a_visit_killed_50_times_keeps_every_completed_trial_and_resumes_right(fast_dir):
    path = str(fast_dir / "crash.sqlite3")
    planned = planned_of(load_battery(CRASH_BATTERY).plan())
    with Store.open(path) as store:
        enrol(store)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    rng = random.Random(SEED)
    reported: set[str] = set()
    trial_wall_s = [0.1]  # intervals between completions seen so far (a first guess)
    unreported_total = 0
    expected_resume = 0

    for attempt in range(KILLS):
        child = Child(context, path, attempt)
        assert child.next_message() == ("resume", expected_resume)
        for _ in range(rng.randint(0, 1)):  # let it complete a trial first, or not
            while child.next_message()[0] != "completed":
                pass
        # The random moment: somewhere within the next trial (or its commits).
        time.sleep(rng.uniform(0.0, 1.2) * statistics.median(trial_wall_s))
        child.process.kill()  # SIGKILL
        child.process.join()
        assert child.process.exitcode == -signal.SIGKILL
        child.drain()
        assert not child.finished, "the visit ended before all kills: lengthen CRASH_BATTERY"
        trial_wall_s += [b - a for a, b in zip(child.completed_at, child.completed_at[1:])]
        reported.update(child.completed)

        integrity, completed_ids, completed_trials = stored_state(path, planned)
        assert integrity == "ok"
        assert reported <= completed_ids, "a run reported completed is missing from the store"
        assert len(completed_trials) == len(set(completed_trials)), "a trial was completed twice"
        assert completed_trials == planned[: len(completed_trials)], "completed trials are not the plan's start"
        unreported_total += len(completed_ids - reported)
        assert unreported_total <= attempt + 1  # at most the one in flight per kill
        expected_resume = len(completed_trials)
        with Store.open(path) as store:
            assert store.resume_index(1) == expected_resume

    child = Child(context, path, KILLS)
    assert child.next_message() == ("resume", expected_resume)
    while not child.finished:
        child.next_message()
    child.process.join()
    assert child.process.exitcode == 0

    integrity, completed_ids, completed_trials = stored_state(path, planned)
    assert integrity == "ok"
    assert sorted(completed_trials) == sorted(planned) and len(completed_trials) == len(planned)
    with Store.open(path) as store:
        (visit,) = store.visits(STUDY)
        assert visit["completed"] == visit["planned"] == len(planned)
        assert store.resume_index(visit["visit_id"]) == len(planned)
        interrupted = [row for row in store.trials(STUDY) if row["exit_status"] == "interrupted"]
        assert interrupted, "no kill landed inside a trial: the test tested nothing"
        assert len(completed_ids) == len(planned)
