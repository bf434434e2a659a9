"""Committing one trial to the records store: a thermal trial with 2,000 samples.

The trial is five documents, each committed in its own transaction through `Store.sink`, as a
visit commits them: RunStart, a `stimulus` event, one `samples` event of 2,000 rows of the
thermode's trace (t_s, neutral and five zones, °C), a `response` event, RunStop. Prints the
median and p90 wall time of the whole trial (ms) and of the samples document alone, on SQLite
(a temporary file: WAL, synchronous=FULL, so each commit waits for the disk) and on PostgreSQL
when `--postgres URL` or `$QST_TEST_POSTGRES_URL` names a reachable server (each run in a
schema of its own, dropped afterwards).

Limit: 100 ms for the whole trial. A trial must be on disk before the next starts, and a
pause under 100 ms between trials (which are seconds apart, with an instruction or a rest
between them) goes unnoticed.

    python benchmarks/store_commit.py [--trials 50] [--postgres postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from protocols.records import Event, ExitStatus, RunStart, RunStop, TrialResult, wall_time
import _report
from _postgres import scratch_schema
from qst.store import Store, StoreError

SAMPLES = 2000
LIMIT_MS = 100.0
COLUMNS = ["t_s", "neutral_c", "zone1_c", "zone2_c", "zone3_c", "zone4_c", "zone5_c"]


def trial_documents(rng: random.Random) -> list:
    run_id = uuid.uuid4().hex
    rows = []
    for index in range(SAMPLES):
        t_s = index * 0.01
        temperature_c = 32.0 + min(t_s, 13.0)
        rows.append([t_s, 32.0] + [round(temperature_c + rng.gauss(0, 0.05), 2) for _ in range(5)])
    return [
        RunStart(run_id, 0.0, wall_time(), "HPT", "volar-forearm-left", 1, {"baseline_c": 32.0, "rate_c_per_s": 1.0,
                 "cutoff_c": 50.0, "unit": "°C"}, {"thermode": {"name": "TCS", "probe_id": "T11-0042"}}, "bench"),
        Event(run_id, 0.0, "stimulus", {"target_c": 50.0, "ramp_c_per_s": 1.0}),
        Event(run_id, 20.0, "samples", {"columns": COLUMNS, "rows": rows}),
        Event(run_id, 13.2, "response", {"by": "thermode_button", "t_s": 13.2, "temperature_c": 45.2}),
        RunStop(run_id, 20.0, wall_time(), ExitStatus.COMPLETED, "completed", TrialResult(45.2, "°C", response_t_s=13.2)),
    ]


def measure(store: Store, trials: int) -> tuple[list[float], list[float]]:
    store.add_study("bench", "name = 'bench'")
    store.add_participant("bench", "B01", {})
    planned = [("HPT", "volar-forearm-left", 1)]
    rng = random.Random(1)
    whole_ms, samples_ms = [], []
    for number in range(1, trials + 1):
        sink = store.sink(store.open_visit("bench", "B01", number, "A", "bench", planned, examiner="bench"))
        documents = trial_documents(rng)
        started = time.perf_counter()
        for document in documents:
            before = time.perf_counter()
            sink(document)
            if isinstance(document, Event) and document.kind == "samples":
                samples_ms.append((time.perf_counter() - before) * 1e3)
        whole_ms.append((time.perf_counter() - started) * 1e3)
    return whole_ms, samples_ms


def report(label: str, whole_ms: list[float], samples_ms: list[float]) -> None:
    print(f"{label}: {len(whole_ms)} trials of 5 commits, {SAMPLES} samples each")
    _report.figure(f"{label} one trial, median", statistics.median(whole_ms), "ms", LIMIT_MS, digits=1)
    _report.figure(f"{label} one trial, p90", _report.percentile(whole_ms, 0.9), "ms", LIMIT_MS, digits=1)
    _report.context(f"{label} the samples document alone, median", statistics.median(samples_ms), "ms", 1)


def postgres(url: str, trials: int) -> None:
    with scratch_schema(url) as scratch:
        if scratch is None:
            return
        try:
            with Store.open(scratch) as store:
                report("PostgreSQL", *measure(store, trials))
        except StoreError as error:
            print(f"PostgreSQL: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--postgres", default=os.environ.get("QST_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    _report.start(f"records store: commit one trial, {args.trials} trials")
    with tempfile.TemporaryDirectory() as folder:
        with Store.open(Path(folder) / "bench.sqlite3") as store:
            report("SQLite", *measure(store, args.trials))
    if args.postgres:
        postgres(args.postgres, args.trials)
    else:
        print("PostgreSQL: skipped (give --postgres URL or set QST_TEST_POSTGRES_URL)")
    _report.finish()


if __name__ == "__main__":
    main()
