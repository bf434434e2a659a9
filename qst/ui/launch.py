"""Starting the UI for `qst run`: on the lab's devices and store, or on simulators.

`qst run --simulate` serves a simulated thermode and algometer on ptys (real time), puts a
virtual participant and examiner in front of them, and records into a temporary store
holding the shipped study and three enrolled participants (FM01 due for visit 1 today,
FM02 for visit 2, FM03 for visit 3). Nothing of it is kept after the UI closes.
"""

from __future__ import annotations

import datetime as dt
import socket
import tempfile
from pathlib import Path

from qst.ui.app import QstApp
from qst.ui.station import Station, simulated_station
from qst.ui.store_visits import StoreVisits


class LaunchError(Exception):
    """The UI cannot start (no store, no pty); one line."""


def run_lab(*, db: str | None, thermode: str | None, algometer: str | None, examiner: str, station: str) -> None:
    """The UI on the lab's store and devices (ports given, or found among the listed ones)."""
    from qst.store import Store, StoreError

    try:
        store = Store.open(db)
    except StoreError as error:
        raise LaunchError(str(error)) from None
    try:
        devices = Station(thermode_url=thermode, algometer_url=algometer, name=station or socket.gethostname())
        QstApp(StoreVisits(store), devices, examiner=examiner).run()
    finally:
        store.close()


def simulated_store(folder: Path, today: dt.date):
    """A new store in `folder` with the shipped study and participants FM01–FM03, enrolled
    so that today each is due for another visit (1, 2, 3)."""
    from qst.participants import new_participant
    from qst.store import Store
    from qst.study import STARTER, load_study, shipped_study_text

    store = Store.open(folder / "qst.sqlite3")
    text = shipped_study_text(STARTER)
    study = load_study(text)
    store.add_study(study.name, text, who="qst run --simulate")
    every_days = study.visits.every_days
    for index in range(3):
        fields = {
            "code": f"FM{index + 1:02d}",
            "sex": "FMX"[index],
            "birth_year": 1970 + 7 * index,
            "enrolled_on": (today - dt.timedelta(days=every_days * index)).isoformat(),
        }
        participant = new_participant(fields, code_pattern=study.code_pattern, today=today)
        store.add_participant(study.name, participant.code, participant.record(), who="qst run --simulate")
    return store


def run_simulated(*, seed: int, examiner: str) -> None:
    """The UI on simulated devices behind ptys, in real time, over a temporary store."""
    try:
        from simulators.pty_host import PtyHostError
    except ImportError as error:  # not a POSIX system
        raise LaunchError(f"the simulated devices need ptys: {error}") from None

    with tempfile.TemporaryDirectory(prefix="qst-run-") as folder:
        store = simulated_store(Path(folder), dt.date.today())
        try:
            try:
                devices = simulated_station(seed)
            except (PtyHostError, OSError) as error:
                raise LaunchError(f"cannot start the simulated devices: {error}") from None
            QstApp(StoreVisits(store), devices, examiner=examiner or "simulated").run()
        finally:
            store.close()
