"""SVG snapshots of the main screens, compared with the files in `tests/qst/snapshots/`.

Deterministic by construction: a fixed terminal size, seeded devices and participant,
virtual time, fixed dates, cursors that do not blink, and no clock on any screen.
Regenerate after an intended change with `QST_UPDATE_SNAPSHOTS=1 pytest tests/qst/test_ui_snapshots.py`
and look at the new files before committing them.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from qst.reporting import CourseLine
from qst.ui.screens import DeviceCheckScreen, PickScreen
from qst.ui.testing import (
    answer_until,
    on_summary,
    open_visit,
    pilot_visits,
    prompt_of,
    start_visit,
    synchronously,
    virtual_app,
    virtual_lab,
    wait_for,
)
from qst.virtual import VirtualPerson
from simulators.participants.thermal import ThermalThresholds
from tests.qst.test_ui_visit import SHORT

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("QST_UPDATE_SNAPSHOTS") == "1"
SIZE = (100, 30)


async def check_snapshot(pilot, name: str, tmp_path: Path) -> None:
    await pilot.wait_for_scheduled_animations()  # every widget painted (the footer comes last)
    svg = pilot.app.export_screenshot(title="qst")
    assert date.today().isoformat() not in svg
    assert not re.search(r"\b\d\d:\d\d:\d\d\b", svg), "a time of day on the screen"
    stored = SNAPSHOTS / f"{name}.svg"
    if UPDATE or not stored.exists():
        stored.write_text(svg, encoding="utf-8")
        if not UPDATE:
            raise AssertionError(f"no snapshot {stored.name} yet: written; look at it and run again")
        return
    if svg != stored.read_text(encoding="utf-8"):
        actual = tmp_path / f"{name}.svg"
        actual.write_text(svg, encoding="utf-8")
        raise AssertionError(
            f"{name} differs from {stored}; the new one is {actual} (QST_UPDATE_SNAPSHOTS=1 to accept it)"
        )


@synchronously
async def test_pick_screen(tmp_path):
    course = [CourseLine("diary, weekly mean", "▅▅▄▃▃▂", "31 of 100 on study day 40"),
              CourseLine("HPT volar-forearm-left", "▁▂▆█", "46.2 °C at visit 4")]
    app = virtual_app(virtual_lab(seed=5), pilot_visits(SHORT, courses={"VP01": course}))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen) and app.screen.chosen is not None
                       and app.screen.course_for == "VP01", "the visits and the course")
        await check_snapshot(pilot, "pick", tmp_path)


@synchronously
async def test_device_check_screen(tmp_path):
    app = virtual_app(virtual_lab(seed=5), pilot_visits(SHORT))
    async with app.run_test(size=SIZE) as pilot:
        await open_visit(pilot)
        assert isinstance(app.screen, DeviceCheckScreen)
        await check_snapshot(pilot, "device_check", tmp_path)


@synchronously
async def test_run_screen_after_a_pressure_ramp(tmp_path):
    lab = virtual_lab(seed=5)
    app = virtual_app(lab, pilot_visits(SHORT))
    async with app.run_test(size=SIZE) as pilot:
        await start_visit(pilot)
        await answer_until(pilot, lab, lambda: prompt_of(app) is not None and prompt_of(app).question.test == "MDT",
                           "the question before MDT")
        await check_snapshot(pilot, "run_after_ppt", tmp_path)


@synchronously
async def test_summary_screen_with_a_censored_test(tmp_path):
    lab = virtual_lab(person=VirtualPerson(seed=6, thermal=ThermalThresholds(hpt_c=50.5)))
    app = virtual_app(lab, pilot_visits(SHORT))
    async with app.run_test(size=SIZE) as pilot:
        await start_visit(pilot)
        await answer_until(pilot, lab, lambda: on_summary(app), "the visit summary")
        await pilot.press(*"slept", "space", *"badly")
        await check_snapshot(pilot, "summary", tmp_path)
