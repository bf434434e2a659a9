"""Whole batteries on the virtual lab: the shipped files, run end to end in virtual time."""

from __future__ import annotations

import math

import pytest
from typer.testing import CliRunner

from protocols.battery import load_battery, shipped_battery
from protocols.records import ExitStatus, RecordList
from qst.cli import app
from qst.summary import summarize
from qst.virtual import VirtualLab, VirtualPerson


def run_battery(name: str, seed: int, include_optional: bool = True):
    battery = shipped_battery(name)
    person = VirtualPerson.draw(seed)
    records = RecordList()
    with VirtualLab(person) as lab:
        stops = lab.runner(records, seed=seed, battery=name).run_plan(battery.plan(include_optional=include_optional))
        probe_peak_c = lab.tcs2_core.probe_log.max_zone_c()
        probe_low_c = lab.tcs2_core.probe_log.min_zone_c()
    return battery, person, records, stops, (probe_low_c, probe_peak_c)


def test_fibromyalgia_visit_recovers_each_threshold():
    battery, person, records, stops, (low_c, peak_c) = run_battery("fibromyalgia-ldn", seed=11)
    assert len(stops) == len(battery.plan(include_optional=True)) == 22
    assert all(stop.exit_status is ExitStatus.COMPLETED for stop in stops)
    summaries = {(s.test, s.site): s for s in summarize(records.starts(), records.stops())}
    rt = person.reaction_s
    for (test, site), summary in summaries.items():
        if test == "PPT":
            assert summary.summary == pytest.approx(person.ppt_kpa + 50.0 * rt, abs=8.0)
        elif test == "HPT":
            assert summary.summary == pytest.approx(person.thermal.hpt_c + rt, abs=0.2)
        elif test == "CPT":
            assert summary.summary == pytest.approx(person.thermal.cpt_c - rt, abs=0.2)
        elif test == "CPR":
            expected = min(person.tolerance_s, 180.0)
            assert summary.values[0] == pytest.approx(expected, abs=0.01)
    assert 0.0 <= low_c and peak_c <= 50.0


NO_PAUSE_PPT = """
name = "ppt-no-pause"
title = "PPT with no pause between ramps"
version = "1"

[[tests]]
test = "PPT"
sites = ["trapezius-left", "thenar-right"]
trials = 3
isi_s = [0.0, 0.0]
"""


def test_ppt_ramps_with_no_pause_between_them_run_whole():
    # The next trial waits for the examiner's tip to leave the skin before it zeroes the gauge.
    person = VirtualPerson.draw(13)
    records = RecordList()
    with VirtualLab(person) as lab:
        stops = lab.runner(records, seed=13).run_plan(load_battery(NO_PAUSE_PPT).plan())
    assert [stop.exit_status for stop in stops] == [ExitStatus.COMPLETED] * 6
    assert len(records.events(kind="settle_wait")) == 5
    for summary in summarize(records.starts(), records.stops()):
        assert summary.summary == pytest.approx(person.ppt_kpa + 50.0 * person.reaction_s, abs=8.0)


def test_dfns_battery_runs_whole():
    battery, person, records, stops, (low_c, peak_c) = run_battery("dfns", seed=12)
    assert len(stops) == len(battery.plan())
    assert all(stop.exit_status is ExitStatus.COMPLETED for stop in stops), [s.reason for s in stops]
    tests = [start.test for start in records.starts()]
    assert tests == sorted(tests, key=["CDT", "WDT", "TSL", "CPT", "HPT", "MDT", "MPT", "WUR", "VDT", "PPT"].index)
    summaries = {s.test: s for s in summarize(records.starts(), records.stops())}
    assert summaries["WDT"].summary == pytest.approx(person.thermal.wdt_c + person.reaction_s, abs=0.2)
    assert summaries["CDT"].summary == pytest.approx(person.thermal.cdt_c - person.reaction_s, abs=0.2)
    for test, true_mn in (("MDT", person.mdt_mn), ("MPT", person.mpt_mn)):
        assert abs(math.log2(summaries[test].summary / true_mn)) <= 1.0
    # Five ratings each way, each ±15 % around its centre: the ratio within a fifth of the truth.
    assert summaries["WUR"].summary == pytest.approx(person.wind_up, rel=0.2)
    assert summaries["VDT"].summary == pytest.approx(person.vdt_eighths, abs=0.5) and summaries["VDT"].unit == "/8"
    assert 0.0 <= low_c and peak_c <= 50.0


def test_qst_demo_prints_a_summary_and_exits_0():
    result = CliRunner().invoke(app, ["demo", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "Visit summary" in result.output and "PPT" in result.output and "CPR" in result.output
    assert "22 of 22 trials, 22 completed" in result.output


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    for command in ("demo", "simulate"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output
