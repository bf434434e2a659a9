"""The cold pressor through the Operator, with virtual participants, in virtual time."""

from __future__ import annotations

import pytest

from protocols.devices import Devices
from protocols.operator import ScriptedOperator
from protocols.procedures import TESTS
from protocols.records import ExitStatus, RecordList
from protocols.runner import Runner, TrialSpec
from simulators import VirtualClock
from simulators.participants.cold_pressor import ColdPressorParticipant

SPEC = TrialSpec("CPR", "hand-right", 1)


class LaxOperator(ScriptedOperator):
    """An examiner whose screen takes any number typed, whatever range it was asked for."""

    def number(self, question, low, high):
        self.asked_range = (low, high)
        return self._say("number", question.text, float(self._number(question)))


def run(participant, water_c=1.0, operator_class=ScriptedOperator, ready=True, **settings):
    clock = VirtualClock(start_s=100.0)
    marks = (lambda q: participant.next_mark(q.stimulus["elapsed_s"], q.stimulus["marks"])) if participant else None
    operator = operator_class(clock, number=lambda q: water_c, marks=marks, ready=lambda q: ready)
    records = RecordList()
    procedure = TESTS["CPR"].build(TESTS["CPR"].settings(**settings))
    stop = Runner(Devices(), operator, clock, records).run_trial(procedure, SPEC)
    return stop, records, operator


def test_marks_give_pain_and_tolerance_times_from_immersion():
    stop, records, operator = run(ColdPressorParticipant(pain_s=17.25, tolerance_s=64.5), water_c=2.5)
    result = stop.result
    assert stop.exit_status is ExitStatus.COMPLETED and not result.censored and result.flags == ()
    assert result.value == pytest.approx(64.5) and result.unit == "s"
    assert result.extra["pain_threshold_s"] == pytest.approx(17.25) and result.extra["water_c"] == 2.5
    assert result.response_t_s == pytest.approx(100.0 + 64.5)
    assert [(e.data["mark"], e.data["from_immersion_s"]) for e in records.events(kind="response")] == [
        ("pain", pytest.approx(17.25)),
        ("withdrawal", pytest.approx(64.5)),
    ]
    kinds = [kind for kind, *_ in operator.transcript]
    assert kinds == ["number", "instruct", "ready", "mark", "mark"]  # water, then hand in, then marks


def test_never_withdrawing_is_censored_at_the_ceiling():
    stop, records, _ = run(ColdPressorParticipant(pain_s=30.0, tolerance_s=None))
    result = stop.result
    assert stop.exit_status is ExitStatus.COMPLETED and stop.reason == "censored at the limit"
    assert result.censored and result.value == 180.0 and result.flags == ("censored_at_ceiling",)
    assert result.extra["pain_threshold_s"] == pytest.approx(30.0) and result.response_t_s is None
    assert stop.t_s == pytest.approx(100.0 + 180.0)  # waited the ceiling out, no longer


def test_withdrawal_after_the_ceiling_is_censored_and_pain_may_be_missing():
    stop, _, _ = run(ColdPressorParticipant(pain_s=None, tolerance_s=200.0))
    result = stop.result
    assert result.censored and result.value == 180.0
    assert result.flags == ("censored_at_ceiling", "no_pain_mark") and result.extra["pain_threshold_s"] is None


def test_ceiling_is_a_setting():
    stop, _, _ = run(ColdPressorParticipant(pain_s=10.0, tolerance_s=150.0), ceiling_s=120.0)
    assert stop.result.censored and stop.result.value == 120.0


def test_drawn_participants_are_recovered_or_censored():
    censored = 0
    for seed in range(40):
        participant = ColdPressorParticipant.draw(seed)
        result = run(participant)[0].result
        assert result.censored is (participant.tolerance_s > 180.0)
        assert result.value == pytest.approx(min(participant.tolerance_s, 180.0), abs=1e-3)
        expected_pain_s = participant.pain_s if participant.pain_s <= 180.0 else None
        assert result.extra["pain_threshold_s"] == (pytest.approx(expected_pain_s, abs=1e-3) if expected_pain_s else None)
        censored += result.censored
    assert 0 < censored < 40  # both endings were exercised


@pytest.mark.parametrize("water_c", [-1.5, 12.0])
def test_water_out_of_range_is_refused_before_the_hand_goes_in(water_c):
    stop, records, operator = run(ColdPressorParticipant(10.0, 60.0), water_c=water_c, operator_class=LaxOperator)
    assert operator.asked_range == (0.0, 10.0)  # the settings' range is what the examiner is asked for
    assert stop.exit_status is ExitStatus.SAFETY_LIMIT and stop.result is None
    assert f"{water_c:g} °C" in stop.reason and "0–10 °C" in stop.reason
    assert not records.events(kind="stimulus")
    assert [kind for kind, *_ in operator.transcript] == ["number", "notice"]


def test_water_range_is_a_setting():
    stop, _, _ = run(ColdPressorParticipant(10.0, 60.0), water_c=12.0, operator_class=LaxOperator, water_max_c=15.0)
    assert stop.exit_status is ExitStatus.COMPLETED and stop.result.extra["water_c"] == 12.0


def test_participant_who_will_not_put_the_hand_in_stops_the_trial():
    stop, records, _ = run(ColdPressorParticipant(10.0, 60.0), ready=False)
    assert stop.exit_status is ExitStatus.STOPPED_BY_PARTICIPANT and stop.result is None
    assert not records.events(kind="stimulus")


def test_participant_marks_in_order():
    participant = ColdPressorParticipant(pain_s=20.0, tolerance_s=50.0)
    assert participant.next_mark(0.0) == ("pain", 20.0)
    assert participant.next_mark(20.0, ("withdrawal",)) == ("withdrawal", 30.0)
    assert participant.next_mark(60.0) is None
    assert ColdPressorParticipant(pain_s=None, tolerance_s=5.0).next_mark(0.0) == ("withdrawal", 5.0)
    assert ColdPressorParticipant.draw(3) == ColdPressorParticipant.draw(3) != ColdPressorParticipant.draw(4)
    with pytest.raises(ValueError):
        ColdPressorParticipant(pain_s=-1.0, tolerance_s=5.0)
