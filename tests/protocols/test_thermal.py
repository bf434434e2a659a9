"""Thermal thresholds on virtual participants with known thresholds, in virtual time.

Tolerance of a recovered threshold (°C), from the noise the simulator injects:
reading quantised to 0.1 °C (±0.05), reading noise σ = 0.03 °C (±0.09 at 3σ), the
participant's hook consulted every 10 ms tick (+0.01 at 1 °C/s) and the driver's 10 ms
poll (+0.01): 0.16 °C; asserted as 0.2 °C.
"""

from __future__ import annotations

import random

import pytest

from protocols.records import ExitStatus
from simulators.participants.thermal import ThermalParticipant, ThermalThresholds
from tests.protocols.thermal_lab import ThermalLab

TOLERANCE_C = 0.2
PARTICIPANTS = 200


def draw_participant(rng: random.Random, seed: int) -> ThermalParticipant:
    return ThermalParticipant(
        seed=seed,
        thresholds=ThermalThresholds(
            cdt_c=-rng.uniform(0.5, 5.0),
            wdt_c=rng.uniform(0.5, 5.0),
            cpt_c=rng.uniform(6.0, 26.0),
            hpt_c=rng.uniform(38.0, 48.5),
        ),
        reaction_time_s=rng.uniform(0.2, 0.5),
    )


def expected_value_c(test: str, participant: ThermalParticipant) -> float:
    """What the procedure should report: the true threshold reached plus rate × reaction time."""
    rt = participant.reaction_time_s  # at 1 °C/s
    warm_c = participant.true_threshold_c(test, +1) + rt
    cold_c = participant.true_threshold_c(test, -1) - rt
    if test == "TSL":
        return warm_c - cold_c
    if test in ("HPT", "WDT"):
        return warm_c - (32.0 if test == "WDT" else 0.0)
    return cold_c - (32.0 if test == "CDT" else 0.0)


@pytest.mark.parametrize("test", ["HPT", "CPT", "WDT", "CDT", "TSL"])
def test_recovered_threshold_is_true_threshold_plus_rate_times_reaction(test):
    rng = random.Random(f"thermal-{test}")
    lab = ThermalLab(seed=1)
    try:
        errors = []
        for index in range(PARTICIPANTS):
            participant = draw_participant(rng, seed=index)
            lab.seat(participant)
            stop = lab.trial(test)
            assert stop.exit_status is ExitStatus.COMPLETED, stop.reason
            result = stop.result
            assert not result.censored
            errors.append(result.value - expected_value_c(test, participant))
        worst = max(errors, key=abs)
        # TSL is the difference of two ramps' readings: twice the single-ramp tolerance
        tolerance_c = 2 * TOLERANCE_C if test == "TSL" else TOLERANCE_C
        assert abs(worst) <= tolerance_c, f"{test}: worst error {worst:+.3f} °C"
        # no systematic bias either
        assert abs(sum(errors) / len(errors)) < 0.05
    finally:
        lab.close()


@pytest.mark.parametrize("test, cutoff_c", [("HPT", 50.0), ("CPT", 0.0)])
def test_a_participant_who_never_responds_is_censored_and_the_probe_never_passes_the_cutoff(test, cutoff_c):
    lab = ThermalLab(seed=3, participant=ThermalParticipant(never_responds=True))
    try:
        t0 = lab.clock.now()
        for trial in (1, 2, 3):
            stop = lab.trial(test, trial)
            assert stop.exit_status is ExitStatus.COMPLETED
            assert stop.result.censored and stop.result.value == cutoff_c
            assert "censored_at_cutoff" in stop.result.flags
        if cutoff_c > 32:
            assert lab.core.probe_log.max_zone_c(t0) <= cutoff_c
            assert lab.core.probe_log.max_zone_c(t0) > cutoff_c - 0.5
        else:
            assert lab.core.probe_log.min_zone_c(t0) >= cutoff_c
            assert lab.core.probe_log.min_zone_c(t0) < cutoff_c + 0.5
    finally:
        lab.close()


def test_each_ramp_is_sent_with_the_duration_that_returns_at_the_cutoff():
    lab = ThermalLab(seed=4, participant=ThermalParticipant(never_responds=True))
    try:
        mark = len(lab.core.rx_log)
        lab.trial("HPT", rate_c_per_s=1.5)
        sent = [command for _, command in list(lab.core.rx_log)[mark:]]
        # 32 -> 50 °C at 1.5 °C/s: 12 s to the cut-off, then back by itself
        assert b"D012000" in sent and b"C0500" in sent and b"Ol" in sent
    finally:
        lab.close()


def test_examiner_abort_during_a_heat_ramp_returns_within_one_stream_tick():
    lab = ThermalLab(seed=5, participant=ThermalParticipant(never_responds=True))
    aborted_at = []

    def abort_when_warm(spec, reading):
        if not aborted_at and reading.get("temperature_c", 0) > 40.0:
            aborted_at.append(lab.clock.now())
            lab.runner.abort()

    lab.live_hooks.append(abort_when_warm)
    try:
        stop = lab.trial("HPT")
        assert stop.exit_status is ExitStatus.ABORTED_BY_EXAMINER
        assert stop.result is None
        t_abort = aborted_at[0]
        returning = [r.t_s for r in lab.core.probe_log.between(t_abort) if r.phase in ("return", "idle")]
        assert returning and returning[0] - t_abort <= 0.010
        assert lab.core.probe_log.max_zone_c(t_abort) < 40.0 + 0.1 + 0.2
    finally:
        lab.close()


def test_the_examiner_key_path_keeps_the_reading_at_the_press():
    participant = ThermalParticipant(never_responds=True)
    lab = ThermalLab(seed=6, participant=participant)

    def press_at_44(spec, reading):
        if reading.get("temperature_c", 0) >= 44.0:
            lab.keys.press()

    lab.live_hooks.append(press_at_44)
    try:
        stop = lab.trial("HPT", response="examiner_key")
        assert stop.exit_status is ExitStatus.COMPLETED
        result = stop.result
        assert not result.censored
        # the live readings come every 50 ms: the press lands at 44.0–44.1 °C; the value is
        # the last reading at or before it
        assert 43.9 <= result.value <= 44.2
        assert result.response_t_s is not None
        assert lab.core.probe_log.max_zone_c() < 44.4
    finally:
        lab.close()


def test_a_key_pressed_between_checks_reverses_the_probe_within_20_ms():
    # The key is pressed on the simulator's own 10 ms ticks, wherever the procedure's loop
    # happens to be; the probe log says when the return began.
    lab = ThermalLab(seed=8, participant=ThermalParticipant(never_responds=True))
    pressed_s: list[float] = []
    press_at_c, start_s = [0.0], [0.0]

    def participant_says_now(t_s, zones_c):
        if not pressed_s or pressed_s[-1] < start_s[0]:
            if max(zones_c) >= press_at_c[0]:
                lab.keys.press()
                pressed_s.append(t_s)
        return False

    lab.core.response_hook = participant_says_now
    delays_s = []
    try:
        for trial, at_c in enumerate((42.03, 42.61, 43.27, 44.12, 44.83, 45.38), start=1):
            press_at_c[0], start_s[0] = at_c, lab.clock.now()
            stop = lab.trial("HPT", trial, response="examiner_key")
            assert stop.exit_status is ExitStatus.COMPLETED and not stop.result.censored
            returning = [r.t_s for r in lab.core.probe_log.between(pressed_s[-1]) if r.phase in ("return", "idle")]
            delays_s.append(returning[0] - pressed_s[-1])
        assert max(delays_s) <= 0.020, delays_s
    finally:
        lab.close()


def test_unplug_mid_trial_is_a_device_fault_and_finished_trials_stay():
    lab = ThermalLab(seed=7, participant=ThermalParticipant(thresholds=ThermalThresholds(hpt_c=43.0)))
    try:
        first = lab.trial("HPT", 1)
        assert first.exit_status is ExitStatus.COMPLETED

        def unplug_when_warm(spec, reading):
            if reading.get("temperature_c", 0) > 38.0 and not lab.core.unplugged:
                lab.core.unplug()

        lab.live_hooks.append(unplug_when_warm)
        second = lab.trial("HPT", 2)
        assert second.exit_status is ExitStatus.DEVICE_FAULT
        assert "disconnected" in second.reason
        assert [s.exit_status for s in lab.records.stops()] == [ExitStatus.COMPLETED, ExitStatus.DEVICE_FAULT]
        assert lab.records.stops()[0].result == first.result
        lab.live_hooks.clear()
        lab.bench.clock.sleep(30.0)
        lab.core.replug()
        t_back = lab.clock.now()
        lab.thermode.reconnect()
        assert [b for t, b in lab.core.rx_bytes if t >= t_back][0][:1] == b"A"
        third = lab.trial("HPT", 3)
        assert third.exit_status is ExitStatus.COMPLETED
        assert third.result.value == pytest.approx(43.0 + 0.3, abs=TOLERANCE_C)
    finally:
        lab.close()


def test_limen_counts_paradoxical_heat():
    participant = ThermalParticipant(thresholds=ThermalThresholds(cdt_c=-1.0, wdt_c=1.5), phs_probability=1.0)
    lab = ThermalLab(seed=8, participant=participant)
    try:
        stop = lab.trial("TSL")
        assert stop.exit_status is ExitStatus.COMPLETED
        result = stop.result
        # warm 33.5 + 0.3, cold 31.0 - 0.3: limen 3.1 °C
        assert result.value == pytest.approx(3.1, abs=2 * TOLERANCE_C)
        assert result.extra["phs"] == 1
        participant.phs_probability = 0.0
        assert lab.trial("TSL", 2).result.extra["phs"] == 0
    finally:
        lab.close()
