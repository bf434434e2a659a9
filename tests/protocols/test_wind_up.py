"""Wind-up ratio: pairs of a single pinprick and a train, each rated; the ratio of the means,
checked against examples worked by hand and against a virtual participant's known wind-up."""

from __future__ import annotations

import pytest

from protocols.records import ExitStatus
from simulators.participants.pinprick_pain import PinprickPainParticipant
from tests.protocols.scripted import run_scripted


def run(rating, **settings):
    return run_scripted("WUR", "hand-dorsum-right", rating=rating, settings=settings)


def scripted(singles, trains):
    """Ratings in the order asked: single, train, single, train, ..."""
    answers = iter([x for pair in zip(singles, trains) for x in pair])
    return lambda question: next(answers)


def test_the_ratio_of_mean_train_to_mean_single_rating():
    # By hand: singles 10, 20, 10, 30, 30 → mean 20; trains 40, 50, 30, 60, 70 → mean 50; 50 / 20 = 2.5.
    stop, records, operator = run(scripted([10, 20, 10, 30, 30], [40, 50, 30, 60, 70]))
    assert stop.exit_status is ExitStatus.COMPLETED
    assert stop.result.value == 2.5 and stop.result.unit == "ratio" and not stop.result.flags
    assert stop.result.extra["single_ratings"] == [10, 20, 10, 30, 30]
    assert (stop.result.extra["mean_single"], stop.result.extra["mean_train"]) == (20.0, 50.0)
    kinds = [(event.data["kind"], event.data["stimuli"]) for event in records.events(kind="rating")]
    assert kinds == [("single", 1), ("train", 10)] * 5
    asked = [question for kind, question, _ in operator.transcript if kind == "rating"]
    assert "Single pinprick" in asked[0] and "Train of 10 pinpricks, 1 a second" in asked[1]


def test_settings_change_the_train_and_the_number_of_pairs():
    stop, records, _ = run(scripted([10, 10], [15, 25]), repeats=2, train_length=5, train_rate_hz=0.5)
    assert stop.result.value == 2.0  # (15 + 25) / 2 over 10
    assert [e.data["stimuli"] for e in records.events(kind="rating")] == [1, 5, 1, 5]


def test_no_pain_from_single_stimuli_leaves_the_ratio_undefined():
    stop, _, _ = run(scripted([0] * 5, [5, 0, 10, 0, 5]))
    assert stop.exit_status is ExitStatus.COMPLETED
    assert stop.result.value is None and stop.result.flags == ("single_not_painful",)
    assert stop.result.extra["train_ratings"] == [5, 0, 10, 0, 5]


def test_a_virtual_participant_s_wind_up_is_recovered():
    errors = []
    for seed in range(40):
        participant = PinprickPainParticipant(single_rating=25.0, wind_up=2.4, seed=seed)
        stop, _, _ = run(lambda question: participant.rate(question.stimulus["stimuli"]))
        errors.append(stop.result.value / 2.4 - 1)
    # Five ratings each way, each with a 15 % spread: the ratio's error is about 10 % (SD).
    assert abs(sum(errors) / len(errors)) < 0.05 and max(map(abs, errors)) < 0.35
    assert max(map(abs, errors)) > 0.01  # the spread is there


def test_the_participant_rates_within_0_to_100_and_trains_higher():
    participant = PinprickPainParticipant(single_rating=60.0, wind_up=3.0, seed=2)
    singles = [participant.rate(1) for _ in range(200)]
    trains = [participant.rate(10) for _ in range(200)]
    assert all(0 <= r <= 100 for r in singles + trains)
    assert max(trains) == 100 and sum(trains) / 200 > 1.5 * sum(singles) / 200
    with pytest.raises(ValueError):
        PinprickPainParticipant(single_rating=120.0, wind_up=2.0)
