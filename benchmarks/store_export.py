"""Exporting 10,000 trials from the records store to tidy CSV.

Builds a study of 100 participants × 10 visits × 10 trials (5 heat pain, 5 pressure pain;
each a RunStart, a response event and a RunStop, recorded through `Store.sink`), then times
`export_tidy_csv` (which derives every row, corrections applied) and
`export_visit_summary_csv`, each the best of `--repeats`. SQLite in a temporary file; and
PostgreSQL when `--postgres URL` or `$QST_TEST_POSTGRES_URL` names a reachable server. The
building is not timed (it commits without waiting for the disk, to keep it short).

Limit: 10 s for each export; an export is a command a coordinator waits for.

    python benchmarks/store_export.py [--repeats 3] [--postgres postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from protocols.records import Event, ExitStatus, RunStart, RunStop, TrialResult, wall_time
import _report
from _postgres import scratch_schema
from qst.store import Store

PARTICIPANTS, VISITS = 100, 10
LIMIT_S = 10.0
TRIALS = [("HPT", "volar-forearm-left", trial) for trial in (1, 2, 3, 4, 5)] + [
    ("PPT", "trapezius-left", trial) for trial in (1, 2, 3, 4, 5)
]
DEVICES = {
    "thermode": {"name": "TCS", "firmware": "1.2", "probe_id": "T11-0042", "probe_type": "T11"},
    "algometer": {"name": "Mark-10 Series 5", "model": "M5-20", "serial_number": "8411454"},
}


def fill(store: Store) -> int:
    rng = random.Random(1)
    store.add_study("bench", "name = 'bench'")
    count = 0
    for number in range(1, PARTICIPANTS + 1):
        code = f"B{number:03d}"
        store.add_participant("bench", code, {"sex": "F", "birth_year": 1970})
        for visit in range(1, VISITS + 1):
            sink = store.sink(store.open_visit("bench", code, visit, "ABCD"[visit % 4], "bench", TRIALS, "ex1"))
            for test, site, trial in TRIALS:
                run_id = uuid.uuid4().hex
                value, unit = (rng.uniform(40, 48), "°C") if test == "HPT" else (rng.uniform(200, 600), "kPa")
                sink(RunStart(run_id, 0.0, wall_time(), test, site, trial, {"unit": unit}, DEVICES, "ex1", "bench"))
                sink(Event(run_id, 9.0, "response", {"by": "button", "t_s": 9.0, "value": value}))
                sink(RunStop(run_id, 9.5, wall_time(), ExitStatus.COMPLETED, "completed", TrialResult(value, unit)))
                count += 1
    return count


def no_waiting_for_disk(store: Store) -> None:
    @sa.event.listens_for(store.engine, "connect")
    def _fast(dbapi_connection, _record) -> None:
        if store.engine.dialect.name == "sqlite":
            dbapi_connection.execute("PRAGMA synchronous = OFF")
        else:
            dbapi_connection.execute("SET synchronous_commit = off")

    store.engine.dispose()


def best_s(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(label: str, url: str, folder: Path, repeats: int) -> None:
    with Store.open(url) as store:
        no_waiting_for_disk(store)
        trials = fill(store)
    with Store.open(url) as store:
        tidy_s = best_s(lambda: store.export_tidy_csv("bench", folder / "tidy.csv"), repeats)
        summary_s = best_s(lambda: store.export_visit_summary_csv("bench", folder / "summary.csv"), repeats)
    size_mb = (folder / "tidy.csv").stat().st_size / 1e6
    print(f"{label}: {trials} trials, tidy CSV {size_mb:.1f} MB, best of {repeats}")
    _report.figure(f"{label} tidy CSV export", tidy_s, "s", LIMIT_S, digits=2)
    _report.figure(f"{label} visit summary export", summary_s, "s", LIMIT_S, digits=2)


def export(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        measure("SQLite", str(folder / "bench.sqlite3"), folder, args.repeats)
        if not args.postgres:
            print("PostgreSQL: skipped (give --postgres URL or set QST_TEST_POSTGRES_URL)")
            return
        with scratch_schema(args.postgres) as scratch:
            if scratch is not None:
                measure("PostgreSQL", scratch, folder, args.repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("QST_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    _report.start("records store: export 10,000 trials")
    export(args)
    _report.finish()


if __name__ == "__main__":
    main()
