"""Pressure pain threshold (PPT): the examiner ramps the algometer until the participant responds.

The harness polls the gauge, shows the examiner the live rate so they can hold it (about
50 kPa/s), and watches the response key. The value is the pressure of the last good sample
at or before the press (the device's reading at that moment, reaction time included); the
gauge's peak, read once the ramp is over, is kept beside it. The gauge is zeroed before each
ramp, but only once it rests: a loaded gauge (the tip still on the skin when trials follow
with no pause) is waited for until its reading holds steady, since zeroing under the
examiner's hand would take the rest of that push off every reading of the next. A ramp that reaches the
ceiling, overloads the gauge or is lifted off without a response is censored. A mean rate
(contact to response) outside the settings' band flags the trial; it is not refused, since
the examiner cannot redo a painful ramp on the same spot at once.
"""

from __future__ import annotations

from collections import deque

from drivers.errors import DeviceReportedError, NotRespondingError
from drivers.mark10.errors import UnreadableReplyError
from drivers.mark10.ramp_rate import RampRate
from drivers.mark10.samples import PressureSample, SampleFlag
from protocols.errors import GaugeLoadedError, MissingDeviceError
from protocols.records import TrialResult
from protocols.runner import TrialContext
from protocols.settings import PressureSettings

CONTACT_KPA = 2.0
"""Above this the tip is on the skin (kPa): where the ramp, and its mean rate, begin."""
RATE_EVENT_INTERVAL_S = 0.5
"""How often the live rate goes into the record: once per `RampRate` window (s)."""
TRACE_COLUMNS = ("t_s", "pressure_kpa")
SETTLE_S = 0.5
"""A loaded gauge rests once its readings hold within `SETTLE_BAND_KPA` this long (s): a hand
on the tip is never that still (tremor), a cell left with an offset is."""
SETTLE_BAND_KPA = 1.0
"""How far a resting gauge's readings may spread over `SETTLE_S` (kPa, max − min)."""
SETTLE_TIMEOUT_S = 30.0
"""How long a trial waits for a loaded gauge to rest before it ends as a device fault (s)."""


def mean_rate_kpa_per_s(first: PressureSample | None, last: PressureSample | None) -> float | None:
    """The mean rate between two good samples (kPa/s); None without two distinct times."""
    if first is None or last is None or last.t_s <= first.t_s:
        return None
    return (last.pressure_kpa - first.pressure_kpa) / (last.t_s - first.t_s)


class PressureRamp:
    """PPT: one examiner-driven ramp per trial; the value in kPa at the response."""

    unit = "kPa"

    def __init__(self, test: str, settings: PressureSettings):
        self.test = test
        self.settings = settings

    def run_trial(self, ctx: TrialContext) -> TrialResult:
        s = self.settings
        algometer, keys = ctx.devices.algometer, ctx.devices.response
        if algometer is None:
            raise MissingDeviceError("this test needs the algometer, and none is connected")
        if keys is None:
            raise MissingDeviceError("this test needs a response key, and none is connected")
        self._wait_until_resting(ctx, algometer)
        algometer.zero()
        algometer.clear_peaks()
        keys.arm()
        ctx.emit(
            "stimulus",
            {
                "rate_kpa_per_s": s.rate_kpa_per_s,
                "rate_tolerance_kpa_per_s": s.rate_tolerance_kpa_per_s,
                "ceiling_kpa": s.ceiling_kpa,
                "poll_rate_hz": s.poll_rate_hz,
            },
        )
        ramp = RampRate(contact_kpa=CONTACT_KPA)
        rows: list[list[float | None]] = []
        good: list[PressureSample] = []
        contact: PressureSample | None = None
        pressed_t_s: float | None = None
        ending: str | None = None  # why the ramp ended without a response
        last_rate_event_t_s = float("-inf")
        try:
            for sample in algometer.poll(rate_hz=s.poll_rate_hz):
                ctx.check_abort()
                rows.append([sample.t_s, sample.pressure_kpa if sample.ok else None])
                if sample.ok:
                    good.append(sample)
                    rate = ramp.add(sample.t_s, sample.pressure_kpa)
                    ctx.live(t_s=sample.t_s, pressure_kpa=sample.pressure_kpa, rate_kpa_per_s=rate)
                    if rate is not None and sample.t_s - last_rate_event_t_s >= RATE_EVENT_INTERVAL_S:
                        ctx.emit("rate", {"t_s": sample.t_s, "rate_kpa_per_s": rate, "pressure_kpa": sample.pressure_kpa})
                        last_rate_event_t_s = sample.t_s
                    if contact is None and sample.pressure_kpa > CONTACT_KPA:
                        contact = sample
                pressed_t_s = keys.pressed_at()
                if pressed_t_s is not None:
                    break
                if sample.pressure_kpa is not None and sample.pressure_kpa >= s.ceiling_kpa:
                    # An overloaded reading is no measurement, but it does say the load is
                    # past the capacity, and so past a ceiling at or below it (1000 kPa is
                    # both on a 100 N gauge with a 1 cm² tip).
                    ending = "ceiling"
                elif sample.flags is not SampleFlag.NONE and sample.flags & SampleFlag.OVERLOAD:  # Flag `&` is slow
                    ending = "overload"
                elif sample.ok and contact is not None and sample.pressure_kpa <= CONTACT_KPA:
                    ending = "released"
                if ending is not None:
                    break
        finally:
            # The trace is kept even when a fault ends the trial.
            ctx.emit("samples", {"columns": list(TRACE_COLUMNS), "rows": rows})
        peak_kpa, peak_flags = self._peak_kpa(algometer)
        return self._result(ctx, good, contact, pressed_t_s, ending, peak_kpa, peak_flags)

    def _wait_until_resting(self, ctx: TrialContext, algometer) -> None:
        """Return once the gauge can be zeroed: at once when it reads no more than contact,
        else when its readings have held steady for `SETTLE_S` (recorded as a
        `settle_wait` event). `GaugeLoadedError` after `SETTLE_TIMEOUT_S` without rest."""
        first = algometer.current()
        if first.ok and first.pressure_kpa <= CONTACT_KPA:
            return
        reads = f"reads {first.pressure_kpa:.0f} kPa" if first.ok else "gives no good reading"
        ctx.operator.notice(f"The algometer {reads}: lift the tip off the skin; the ramp starts once it rests.")
        window: deque[PressureSample] = deque()
        for sample in algometer.poll(rate_hz=self.settings.poll_rate_hz):
            ctx.check_abort()
            if sample.t_s - first.t_s >= SETTLE_TIMEOUT_S:
                reads = f"reads {window[-1].pressure_kpa:.0f} kPa" if window else "gives no good reading"
                raise GaugeLoadedError(f"the algometer still {reads} and has not rested in {SETTLE_TIMEOUT_S:.0f} s: "
                                       "lift the tip off the skin, then run the trial again")
            if not sample.ok:
                window.clear()  # an overloaded or failed reading is no rest
                continue
            ctx.live(t_s=sample.t_s, pressure_kpa=sample.pressure_kpa)
            window.append(sample)
            while len(window) > 1 and sample.t_s - window[1].t_s >= SETTLE_S:
                window.popleft()
            readings = [w.pressure_kpa for w in window]
            if sample.t_s - window[0].t_s >= SETTLE_S and max(readings) - min(readings) <= SETTLE_BAND_KPA:
                ctx.emit("settle_wait", {"t_s": sample.t_s, "from_kpa": first.pressure_kpa,
                                         "resting_kpa": sample.pressure_kpa, "waited_s": sample.t_s - first.t_s})
                return

    @staticmethod
    def _peak_kpa(algometer) -> tuple[float | None, tuple[str, ...]]:
        """The gauge's peak compression (kPa); a missing peak flags the trial, it does not end
        it (a lost cable still does: `DisconnectedError` is not caught)."""
        try:
            peak = algometer.peak_compression()
        except (NotRespondingError, DeviceReportedError, UnreadableReplyError):
            return None, ("peak_unavailable",)
        if not peak.ok:
            return None, ("peak_overload",) if peak.flags & SampleFlag.OVERLOAD else ("peak_unavailable",)
        return peak.pressure_kpa, ()

    def _result(
        self,
        ctx: TrialContext,
        good: list[PressureSample],
        contact: PressureSample | None,
        pressed_t_s: float | None,
        ending: str | None,
        peak_kpa: float | None,
        flags: tuple[str, ...],
    ) -> TrialResult:
        s = self.settings
        censored = pressed_t_s is None
        if censored:
            last = good[-1] if good else None
            if ending == "ceiling":
                value = s.ceiling_kpa
                flags += ("censored_at_ceiling",)
            else:
                # Overload or lift-off: the highest good reading is all that is known.
                value = max((g.pressure_kpa for g in good), default=None)
                flags += ("censored_overload",) if ending == "overload" else ("released_without_response",)
        else:
            before = [g for g in good if g.t_s <= pressed_t_s]
            last = before[-1] if before else None
            value = last.pressure_kpa if last is not None else None
            if contact is None or last is None or last.t_s < contact.t_s:
                flags += ("response_before_contact",)
            ctx.emit("response", {"by": s.response, "t_s": pressed_t_s, "pressure_kpa": value, "peak_kpa": peak_kpa})
        rate = mean_rate_kpa_per_s(contact, last)
        if rate is not None and abs(rate - s.rate_kpa_per_s) > s.rate_tolerance_kpa_per_s:
            flags += ("rate_out_of_band",)
            ctx.emit("flag", {"flag": "rate_out_of_band", "mean_rate_kpa_per_s": rate})
        return TrialResult(
            value=value,
            unit=self.unit,
            censored=censored,
            response_t_s=pressed_t_s,
            device_value=peak_kpa,
            flags=flags,
            extra={
                "mean_rate_kpa_per_s": rate,
                "peak_kpa": peak_kpa,
                "contact_t_s": contact.t_s if contact is not None else None,
            },
        )
