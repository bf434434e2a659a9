"""MDT and MPT by the method of limits, answered through the Operator by virtual participants."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from protocols.procedures import TESTS
from protocols.records import ExitStatus
from simulators.participants.mechanical import FilamentParticipant
from tests.protocols.scripted import run_scripted


def run(test: str, yes_no, seed: int = 0):
    return run_scripted(test, "hand-dorsum-right", yes_no=yes_no, seed=seed)


def answers_of(participant: FilamentParticipant):
    return lambda question: participant.answer(question.stimulus["force_mn"])


def test_participant_says_yes_more_often_as_force_rises():
    participant = FilamentParticipant(threshold_mn=4.0, slope_per_doubling=3.0, seed=1)
    assert participant.p_yes(4.0) == pytest.approx(0.5)
    assert participant.p_yes(8.0) == pytest.approx(1 / (1 + math.exp(-3)))
    assert participant.p_yes(2.0) == pytest.approx(1 - participant.p_yes(8.0))
    shares = [sum(participant.answer(force) for _ in range(2000)) / 2000 for force in (1.0, 4.0, 16.0)]
    assert shares[0] < 0.02 and 0.45 < shares[1] < 0.55 and shares[2] > 0.98  # binomial SD ≤ 1.1 %

    def answers(seed):
        twin = FilamentParticipant(threshold_mn=4.0, seed=seed)
        return [twin.answer(4.0) for _ in range(100)]

    assert answers(1) == answers(1) != answers(2)  # seeded


@pytest.mark.parametrize("test", ["MDT", "MPT"])
def test_sharp_observer_turns_between_the_two_filaments_around_the_threshold(test):
    # A near step function: felt from the filament above the threshold up, never below.
    low_mn, high_mn = (2.0, 4.0) if test == "MDT" else (32.0, 64.0)
    participant = FilamentParticipant(threshold_mn=math.sqrt(low_mn * high_mn) * 1.1, slope_per_doubling=1000.0)
    stop, records, operator = run(test, answers_of(participant))
    result = stop.result
    assert stop.exit_status is ExitStatus.COMPLETED and not result.censored
    assert result.value == pytest.approx(math.sqrt(low_mn * high_mn), abs=1e-4)
    assert sorted(result.extra["turning_points_mn"]) == [low_mn] * 5 + [high_mn] * 5
    series = records.events(kind="series")
    first = TESTS[test].settings().first
    assert [s.data["direction"] for s in series][:2] == [first, "ascending" if first == "descending" else "descending"]
    for s in series:
        *before, (force, felt) = s.data["stimuli"]
        ascending = s.data["direction"] == "ascending"
        assert felt is ascending and s.data["turning_mn"] == force  # each ends at its turning point
        assert all(f is not ascending for _, f in before)
    questions = records.events(kind="operator")
    assert len(questions) == len(participant.answers) == sum(len(s.data["stimuli"]) for s in series)
    assert {q.data["question"] for q in questions} == {"Sharp?" if test == "MPT" else "Did the participant feel it?"}
    assert [q.data["force_mn"] for q in questions] == [force for force, _ in participant.answers]


def test_mdt_descends_from_16_mn_and_mpt_ascends_from_8_mn():
    for test, expected in (("MDT", [16.0, 8.0, 4.0]), ("MPT", [8.0, 16.0, 32.0])):
        participant = FilamentParticipant(threshold_mn=45.0 if test == "MPT" else 3.0, slope_per_doubling=1000.0)
        run(test, answers_of(participant))
        assert [force for force, _ in participant.answers[:3]] == expected


def test_felt_at_the_lowest_force_is_censored_there():
    stop, records, _ = run("MDT", lambda question: True)
    result = stop.result
    assert result.censored and result.value == 0.25 and result.flags == ("censored_at_lowest_force",)
    assert stop.reason == "censored at the limit"
    assert [f for f, _ in records.events(kind="series")[0].data["stimuli"]] == [16, 8, 4, 2, 1, 0.5, 0.25]


def test_not_felt_at_the_highest_force_is_censored_there():
    stop, records, _ = run("MPT", lambda question: False)
    result = stop.result
    assert result.censored and result.value == 512.0 and result.flags == ("censored_at_highest_force",)
    assert [f for f, _ in records.events(kind="series")[0].data["stimuli"]] == [8, 16, 32, 64, 128, 256, 512]


def test_one_yes_at_the_lowest_force_does_not_censor():
    # Sharp at 8 mN once (the first series turns there at once), then never below 16 mN.
    answers = iter([True])
    stop, _, _ = run("MPT", lambda question: next(answers, question.stimulus["force_mn"] >= 16))
    result = stop.result
    assert not result.censored
    assert result.extra["turning_points_mn"] == [8.0, 8.0] + [16.0, 8.0] * 4
    assert result.value == pytest.approx(2 ** (3 + 4 / 10), abs=1e-4)


@pytest.mark.parametrize("test", ["MDT", "MPT"])
def test_200_participants_land_within_one_filament_step(test):
    # True thresholds log-uniform over the set, one step in from each end (closer than that,
    # the set itself cuts the measurement off); psychometric slopes 2–4 per doubling, so a
    # force one step below the threshold still gets "yes" 2–12 % of the time.
    forces = TESTS[test].settings().forces_mn
    low, high = math.log(2 * forces[0]), math.log(forces[-1] / 2)
    rng = random.Random(11 if test == "MDT" else 12)
    errors = []
    for seed in range(200):
        threshold_mn = math.exp(rng.uniform(low, high))
        participant = FilamentParticipant(threshold_mn, rng.uniform(2.0, 4.0), seed=seed)
        stop, _, _ = run(test, answers_of(participant), seed)
        errors.append(abs(math.log2(stop.result.value / threshold_mn)))
    within = sum(error <= 1.0 for error in errors) / len(errors)
    assert within >= 0.95
    # A noiseless observer is always within half a step (√2); noise should not undo that
    # for the typical participant.
    assert statistics.median(errors) <= 0.5
