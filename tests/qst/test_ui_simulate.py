"""`qst run --simulate`'s wiring: simulated devices behind real ptys, in real time, with a
virtual participant and examiner, under the same UI. Kept short: a participant with a low
pressure pain threshold makes one real-time PPT last about two seconds."""

from __future__ import annotations

import os

import pytest

if os.name != "posix":
    pytest.skip("the pty host needs a POSIX system", allow_module_level=True)

from protocols.records import ExitStatus
from qst.ui.app import QstApp
from qst.ui.station import simulated_station
from qst.ui.testing import TODAY, on_summary, open_visit, pilot_visits, prompt_of, synchronously, wait_for
from qst.virtual import VirtualPerson
from tests.qst.test_ui_visit import PPT_ONLY

pytestmark = pytest.mark.pty


@synchronously
async def test_a_pressure_trial_on_the_pty_simulators_in_real_time():
    person = VirtualPerson(seed=1, ppt_kpa=60.0, reaction_s=0.3)
    station = simulated_station(1, person=person)
    source = pilot_visits(PPT_ONLY)
    app = QstApp(source, station, examiner="T1", today=TODAY, cursor_blink=False)
    urls = dict(station.stand_in.urls)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_visit(pilot)
        report = app.screen.report
        assert {(status.kind, status.url) for status in report.devices} == set(urls.items())
        assert "TCS II" in report.status("thermode").identity and "Mark-10" in report.status("algometer").identity
        await pilot.press("enter")
        await wait_for(pilot, lambda: prompt_of(app) is not None, "the question before the PPT")
        await pilot.press("enter")
        await wait_for(pilot, lambda: on_summary(app), "the visit summary", timeout_s=30.0)
    assert not any(os.path.exists(url) for url in urls.values()), "the hosts stop with the app"
    (visit,) = source.opened.values()
    (stop,) = visit.records.stops()
    assert stop.exit_status is ExitStatus.COMPLETED and not stop.result.censored
    assert stop.result.value == pytest.approx(60.0 + 50.0 * 0.3, abs=15.0)
