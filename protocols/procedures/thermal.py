"""Thermal thresholds by the method of limits: CDT, WDT, CPT, HPT, and the limen (TSL, PHS).

Every ramp is one stimulation whose target is the cut-off and whose duration is the rise
time to it, so the device itself turns back at the cut-off even if the host dies mid-ramp.
The participant responds with the thermode's own button (`Ol`: the device reverses on the
press by itself; the driver polls temperatures and buttons together, so the reading kept is
the device's own at that moment) or the examiner presses the response key (the driver
aborts; the reading kept is the last one at or before the press). A ramp that reaches the
cut-off without a response is censored: recorded at the cut-off, never as a threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.tcs2.driver import Stimulus, TemperatureSample
from drivers.errors import DeviceReportedError
from protocols.errors import MissingDeviceError
from protocols.records import TrialResult
from protocols.runner import TrialContext
from protocols.settings import LimenSettings, ThermalLimitsSettings

SETTLE_TOLERANCE_C = 0.3
SETTLE_LIMIT_S = 30.0
SETTLED_FOR_S = 1.0
QUIET_LIMIT_S = 2.5
"""The idle stream comes once a second; silence longer than this is worth a question."""
BUTTON_BATCH_S = 0.05
"""How much of a ramp (s) is read between checks when the thermode's button ends it: the
device reverses on its own button, so the check only records the response."""
KEY_BATCH_S = 0.01
"""The same when a key ends the ramp: the key is looked at between batches and the return
is sent then, so a batch of one stream period keeps the reversal within about 10 ms of
the press."""

TRACE_COLUMNS = ("t_s", "neutral_c", "zone1_c", "zone2_c", "zone3_c", "zone4_c", "zone5_c")


def probe_c(sample: TemperatureSample) -> float | None:
    """The probe's temperature: the mean of the zones that read one (°C)."""
    readings = [zone_c for zone_c in sample.zones_c if zone_c is not None]
    return sum(readings) / len(readings) if readings else None


class RampEndedEarlyError(DeviceReportedError):
    """The device ended a ramp before the cut-off with no response (a device fault)."""


@dataclass(frozen=True)
class RampOutcome:
    """How a ramp ended: the response moment and the device's reading then, or censored."""

    start_t_s: float
    response_t_s: float | None
    reading_c: float | None
    censored: bool
    responder: str


def _thermode(ctx: TrialContext):
    thermode = ctx.devices.thermode
    if thermode is None:
        raise MissingDeviceError("this test needs the thermode, and none is connected")
    return thermode


def settle_at_baseline(ctx: TrialContext, thermode, baseline_c: float) -> None:
    """Neutral to `baseline_c`, then wait until the probe has read it (±0.3 °C) for
    `SETTLED_FOR_S` without a break (up to `SETTLE_LIMIT_S`)."""
    if abs(thermode.neutral_c - baseline_c) > 1e-6:
        thermode.set_neutral(baseline_c)
    thermode.temperatures()  # a thermode that does not answer fails here, not 30 s later
    start_s = ctx.clock.now()
    settled_since_s: float | None = None
    while ctx.clock.now() - start_s < SETTLE_LIMIT_S:
        ctx.check_abort()
        batch = thermode.samples(0.1)
        latest = thermode.latest
        if not batch and (latest is None or ctx.clock.now() - latest.t_s > QUIET_LIMIT_S):
            thermode.temperatures()  # silent for longer than the idle stream allows: ask
        for sample in batch:
            reading = probe_c(sample)
            home = reading is not None and abs(reading - baseline_c) <= SETTLE_TOLERANCE_C
            if not home or thermode.stimulating:
                settled_since_s = None
            elif settled_since_s is None:
                settled_since_s = sample.t_s
        if settled_since_s is not None and ctx.clock.now() - settled_since_s >= SETTLED_FOR_S:
            return


def ramp_until_response(
    ctx: TrialContext,
    thermode,
    *,
    baseline_c: float,
    cutoff_c: float,
    rate_c_per_s: float,
    return_c_per_s: float,
    response: str,
    label: str = "ramp",
) -> RampOutcome:
    """One ramp from `baseline_c` towards `cutoff_c` until the response or the cut-off.

    Emits the stimulus, the response and the trace (as `samples`); returns when the probe
    is back at the baseline.
    """
    by_button = response == "thermode_button"
    keys = ctx.devices.response
    if not by_button:
        if keys is None:
            raise MissingDeviceError("this test needs a response key, and none is connected")
        keys.arm()
    # A zone or the neutral element in error would stimulate wrongly or not at all, and its
    # reading would count in the mean: ask before each ramp (and after: see below).
    thermode.check_errors()
    was_streaming = getattr(thermode, "streaming", True)
    if by_button and was_streaming:
        thermode.set_streaming(False)  # polled: temperatures and buttons in one reply
    try:
        profile = thermode.stimulate(
            Stimulus(
                target_c=cutoff_c,
                ramp_c_per_s=rate_c_per_s,
                return_c_per_s=return_c_per_s,
                plateau_s=0.0,
                stoppable=by_button,
            )
        )
        start_t_s = ctx.clock.now()
        ctx.emit(
            "stimulus",
            {
                "label": label,
                "baseline_c": baseline_c,
                "target_c": cutoff_c,
                "rate_c_per_s": rate_c_per_s,
                "return_c_per_s": return_c_per_s,
                "duration_s": profile.duration_s,
                "stoppable": by_button,
            },
        )
        trace: list[TemperatureSample] = []
        response_t_s: float | None = None
        reading_c: float | None = None
        while thermode.stimulating:
            ctx.check_abort()
            batch = thermode.samples(BUTTON_BATCH_S if by_button else KEY_BATCH_S)
            trace += batch
            if batch:
                ctx.live(temperature_c=probe_c(batch[-1]), t_s=batch[-1].t_s)
            if response_t_s is not None:
                continue
            if by_button:
                pressed = next((s for s in batch if s.response_pressed), None)
                if pressed is not None:
                    response_t_s, reading_c = pressed.t_s, probe_c(pressed)
            else:
                pressed_t_s = keys.pressed_at()
                if pressed_t_s is not None:
                    thermode.abort()
                    before = [s for s in trace if s.t_s <= pressed_t_s] or trace[:1]
                    response_t_s = pressed_t_s
                    reading_c = probe_c(before[-1]) if before else None
            if response_t_s is not None:
                ctx.emit(
                    "response",
                    {"label": label, "by": response, "t_s": response_t_s, "reading_c": reading_c},
                )
        ctx.emit(
            "samples",
            {
                "label": label,
                "columns": list(TRACE_COLUMNS),
                "rows": [[s.t_s, s.neutral_c, *s.zones_c] for s in trace],
            },
        )
    finally:
        if by_button and was_streaming:
            thermode.set_streaming(True)
    thermode.check_errors()
    censored = response_t_s is None
    if censored:
        _check_reached_cutoff(trace, baseline_c, cutoff_c)
    return RampOutcome(start_t_s, response_t_s, reading_c, censored, response)


REACHED_CUTOFF_C = 1.0
"""A ramp without a response must have come this close to its cut-off to count as censored."""


def _check_reached_cutoff(trace: list[TemperatureSample], baseline_c: float, cutoff_c: float) -> None:
    """A ramp with no response is censored only if it got to the cut-off; one that turned back
    early (the device refused or ended it) measured nothing and must not pass as censored."""
    readings = [reading for reading in map(probe_c, trace) if reading is not None]
    direction = 1.0 if cutoff_c > baseline_c else -1.0
    furthest_c = max((direction * (reading - baseline_c) for reading in readings), default=0.0)
    wanted_c = abs(cutoff_c - baseline_c)
    if furthest_c < wanted_c - REACHED_CUTOFF_C:
        reached_c = baseline_c + direction * furthest_c
        raise RampEndedEarlyError(
            f"the thermode turned back at {reached_c:.1f} °C, short of the {cutoff_c:g} °C cut-off, "
            "with no response: nothing was measured"
        )


class ThermalLimits:
    """CDT, WDT, CPT, HPT: one ramp per trial; the value in °C (from baseline if `relative`)."""

    unit = "°C"

    def __init__(self, test: str, settings: ThermalLimitsSettings):
        self.test = test
        self.settings = settings

    def run_trial(self, ctx: TrialContext) -> TrialResult:
        s = self.settings
        thermode = _thermode(ctx)
        settle_at_baseline(ctx, thermode, s.baseline_c)
        outcome = ramp_until_response(
            ctx,
            thermode,
            baseline_c=s.baseline_c,
            cutoff_c=s.cutoff_c,
            rate_c_per_s=s.rate_c_per_s,
            return_c_per_s=s.return_c_per_s,
            response=s.response,
            label=self.test,
        )
        absolute_c = s.cutoff_c if outcome.censored or outcome.reading_c is None else outcome.reading_c
        value = absolute_c - s.baseline_c if s.relative else absolute_c
        flags = ("censored_at_cutoff",) if outcome.censored else ()
        return TrialResult(
            value=round(value, 3),
            unit=self.unit,
            censored=outcome.censored,
            response_t_s=outcome.response_t_s,
            device_value=outcome.reading_c,
            flags=flags,
            extra={
                "absolute_c": round(absolute_c, 3),
                "baseline_c": s.baseline_c,
                "cutoff_c": s.cutoff_c,
                "reaction_from_start_s": None
                if outcome.response_t_s is None
                else round(outcome.response_t_s - outcome.start_t_s, 4),
            },
        )


class ThermalLimen:
    """TSL with paradoxical heat: per trial a warm ramp then a cold ramp, each to the
    participant's response; after each the examiner enters what was felt. The value is the
    warm minus the cold temperature (°C); a cold ramp felt as warm or hot counts as a
    paradoxical heat sensation (`extra["phs"]`)."""

    unit = "°C"
    FEELINGS = ("warm", "cold", "hot")

    def __init__(self, test: str, settings: LimenSettings):
        self.test = test
        self.settings = settings

    def run_trial(self, ctx: TrialContext) -> TrialResult:
        s = self.settings
        thermode = _thermode(ctx)
        ends: dict[str, RampOutcome] = {}
        felt: dict[str, str] = {}
        for label, cutoff_c in (("warm", s.warm_cutoff_c), ("cold", s.cold_cutoff_c)):
            settle_at_baseline(ctx, thermode, s.baseline_c)
            ends[label] = ramp_until_response(
                ctx,
                thermode,
                baseline_c=s.baseline_c,
                cutoff_c=cutoff_c,
                rate_c_per_s=s.rate_c_per_s,
                return_c_per_s=s.return_c_per_s,
                response=s.response,
                label=label,
            )
            question = ctx.question("What did the participant feel?", direction=label)
            felt[label] = ctx.operator.choose(question, self.FEELINGS)
            ctx.emit("operator", {"question": question.text, "direction": label, "answer": felt[label]})
        warm_c = s.warm_cutoff_c if ends["warm"].censored else ends["warm"].reading_c
        cold_c = s.cold_cutoff_c if ends["cold"].censored else ends["cold"].reading_c
        censored = ends["warm"].censored or ends["cold"].censored
        phs = 1 if felt["cold"] in ("warm", "hot") else 0
        return TrialResult(
            value=round(warm_c - cold_c, 3),
            unit=self.unit,
            censored=censored,
            response_t_s=ends["cold"].response_t_s,
            device_value=cold_c,
            flags=("censored_at_cutoff",) if censored else (),
            extra={"warm_c": warm_c, "cold_c": cold_c, "phs": phs, "felt_warm": felt["warm"], "felt_cold": felt["cold"]},
        )
