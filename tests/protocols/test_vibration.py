"""Vibration detection with a graded tuning fork: the examiner's readings of the scale,
their mean, checked by hand and against a virtual participant's known threshold."""

from __future__ import annotations

import pytest

from protocols.records import ExitStatus
from simulators.participants.vibration import TuningForkParticipant
from tests.protocols.scripted import run_scripted


def run(number, **settings):
    return run_scripted("VDT", "hand-ulnar-styloid-right", number=number, settings=settings)


def test_the_value_is_the_mean_of_the_readings():
    readings = iter([7.5, 7.0, 7.75])
    stop, records, operator = run(lambda question: next(readings))
    assert stop.exit_status is ExitStatus.COMPLETED
    assert stop.result.value == pytest.approx(7.4167, abs=1e-4) and stop.result.unit == "/8"  # 22.25 / 3
    assert [e.data["reading"] for e in records.events(kind="reading")] == [7.5, 7.0, 7.75]
    asked = [question for kind, question, _ in operator.transcript if kind == "number"]
    assert len(asked) == 3 and asked[0].startswith("Series 1 of 3") and "(0–8)" in asked[0]


def test_another_scale_and_series():
    readings = iter([12.0, 14.0])
    stop, _, _ = run(lambda question: next(readings), scale_max=16.0, series=2)
    assert stop.result.value == 13.0 and stop.result.unit == "/16"


def test_a_virtual_participant_s_threshold_is_recovered_to_a_quarter_mark():
    for seed in range(30):
        participant = TuningForkParticipant(threshold_eighths=7.3, seed=seed)
        stop, _, _ = run(lambda question: participant.reading())
        assert stop.result.value == pytest.approx(7.3, abs=0.5)
        assert all(r * 4 == int(r * 4) and 0 <= r <= 8 for r in participant.readings)
