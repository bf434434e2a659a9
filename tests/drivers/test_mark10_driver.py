"""The Mark-10 driver against the simulated gauge on sim://, in virtual time."""

import threading

import pytest

import simulators
from drivers.errors import DeviceReportedError, DisconnectedError, DriverError, NotRespondingError
from drivers.mark10 import Mark10Gauge, Mode, Probe, SampleFlag, Unit, UnreadableReplyError
from simulators.mark10 import GaugeModel


def open_gauge(seed=3, *, options=None, **params):
    bench = simulators.Bench(seed=seed)
    core = bench.device("mark10", **{k: str(v) for k, v in params.items()})
    gauge = Mark10Gauge.open(bench.url("mark10"), **(options or {}))
    return bench, core, gauge


def test_identifies_and_learns_capacity_unit_and_battery():
    _, _, gauge = open_gauge(capacity_n=250, units="lbF", battery=2)
    assert gauge.identity.model == "M5-50"
    assert gauge.identity.name and gauge.identity.firmware and gauge.identity.serial_number
    assert gauge.capacity_n == 250.0
    assert gauge.unit is Unit.POUND_FORCE
    assert gauge.battery_level == 2


def test_unknown_model_needs_a_capacity():
    bench = simulators.Bench()
    core = bench.device("mark10")
    core.model = GaugeModel("X9-7", 100.0, dict(core.model.steps))
    with pytest.raises(DriverError, match="capacity_n"):
        Mark10Gauge.open(bench.url("mark10"))
    assert bench.open_ports["mark10"] is None  # closed again on failure
    gauge = Mark10Gauge.open(bench.url("mark10"), capacity_n=100.0)
    assert gauge.capacity_n == 100.0


@pytest.mark.parametrize("units", ["N", "lbF", "ozF", "kgF", "gF"])
@pytest.mark.parametrize("show_units", [1, 0])
def test_works_in_newtons_whatever_the_gauge_shows(units, show_units):
    _, core, gauge = open_gauge(units=units, show_units=show_units)
    core.set_load(37.3)
    sample = gauge.current()
    assert sample.ok
    assert sample.force_n == pytest.approx(37.3, abs=core.resolution_n())
    assert sample.pressure_kpa == pytest.approx(373.0, abs=10 * core.resolution_n())


def test_set_unit_switches_the_gauge_and_keeps_newtons():
    _, core, gauge = open_gauge(show_units=0)
    core.set_load(20.0)
    gauge.set_unit(Unit.KILOGRAM_FORCE)
    assert core.unit == "kgF" and gauge.unit is Unit.KILOGRAM_FORCE
    assert gauge.current().force_n == pytest.approx(20.0, abs=core.resolution_n())


def test_unit_the_gauge_cannot_show_is_a_device_error_with_its_code():
    _, core, gauge = open_gauge(capacity_n=100)
    with pytest.raises(DeviceReportedError, match=r"\*11") as caught:
        gauge.set_unit(Unit.MILLINEWTON)
    assert caught.value.code == "11"
    assert core.unit == "N"
    core.set_load(5.0)
    assert gauge.current().force_n == pytest.approx(5.0)  # the fence kept replies paired


def test_probe_area_turns_force_into_pressure():
    _, core, gauge = open_gauge(options={"probe": Probe(tip_area_cm2=0.5)})
    core.set_load(10.0)
    assert gauge.current().pressure_kpa == pytest.approx(200.0)


def test_zero_tares_and_clears_peaks():
    _, core, gauge = open_gauge()
    core.set_load(15.0)
    core.set_load(3.0)
    assert gauge.peak_compression().force_n == pytest.approx(15.0)
    gauge.zero()
    assert gauge.current().force_n == pytest.approx(0.0)
    assert gauge.peak_compression().force_n == pytest.approx(0.0)
    core.set_load(8.0)
    assert gauge.current().force_n == pytest.approx(5.0)


def test_modes_and_peaks():
    _, core, gauge = open_gauge()
    core.set_load(-4.0)
    core.set_load(22.0)
    core.set_load(10.0)
    assert gauge.peak_compression().force_n == pytest.approx(22.0)
    assert gauge.peak_tension().force_n == pytest.approx(-4.0)
    gauge.set_mode(Mode.PEAK_COMPRESSION)
    assert core.mode == "PC"
    assert gauge.displayed().force_n == pytest.approx(22.0)
    gauge.set_mode(Mode.CURRENT)
    assert gauge.displayed().force_n == pytest.approx(10.0)
    gauge.clear_peaks()
    assert gauge.peak_compression().force_n == pytest.approx(10.0)


@pytest.mark.parametrize("compression_positive", [True, False])
def test_pressure_is_positive_for_compression_whatever_the_polarity(compression_positive):
    _, core, gauge = open_gauge(
        compression_positive=int(compression_positive), options={"compression_positive": compression_positive}
    )
    core.set_load(12.0)
    assert gauge.current().force_n == pytest.approx(12.0)
    assert gauge.peak_compression().pressure_kpa == pytest.approx(120.0)
    core.set_load(-3.0)
    assert gauge.current().force_n == pytest.approx(-3.0)
    assert gauge.peak_tension().force_n == pytest.approx(-3.0)


def test_wrong_polarity_setting_shows_as_negative_pressure():
    _, core, gauge = open_gauge(compression_positive=0)
    core.set_load(12.0)
    assert gauge.current().pressure_kpa == pytest.approx(-120.0)


@pytest.mark.parametrize("compression_positive", [True, False])
def test_overload_is_flagged_never_good(compression_positive):
    _, core, gauge = open_gauge(
        capacity_n=100, compression_positive=int(compression_positive), options={"compression_positive": compression_positive}
    )
    core.set_load(100.0)
    assert gauge.current().ok
    core.set_load(104.0)
    sample = gauge.current()
    assert SampleFlag.OVERLOAD in sample.flags and not sample.ok
    core.set_load(-130.0)
    assert SampleFlag.OVERLOAD in gauge.current().flags
    peak = gauge.peak_compression()
    assert SampleFlag.OVERLOAD in peak.flags and not peak.ok


def test_poll_is_paced_on_the_clock_at_the_configured_rate():
    bench, core, gauge = open_gauge()
    core.set_load(1.0)
    start = bench.clock.now()
    samples = gauge.collect(1.0)
    assert len(samples) == 50
    assert [round(s.t_s - start, 9) for s in samples] == [round(i * 0.02, 9) for i in range(50)]
    assert all(s.ok and s.force_n == pytest.approx(1.0) for s in samples)
    samples = gauge.collect(0.5, rate_hz=200)
    assert len(samples) == 100
    assert samples[1].t_s - samples[0].t_s == pytest.approx(0.005)


def test_poll_stops_when_told():
    bench, core, gauge = open_gauge()
    core.set_load(1.0)
    start = bench.clock.now()
    samples = list(gauge.poll(stop=lambda s: s.t_s >= start + 0.1))
    assert len(samples) == 6
    assert samples[-1].t_s == pytest.approx(start + 0.1)


def test_poll_rejects_a_non_positive_rate():
    _, _, gauge = open_gauge()
    with pytest.raises(ValueError):
        next(gauge.poll(rate_hz=0))


def test_baud_is_an_option():
    bench = simulators.Bench()
    bench.device("mark10", baud="9600")
    gauge = Mark10Gauge.open(bench.url("mark10"), baudrate=9600)
    assert gauge.port.serial.baudrate == 9600
    assert Mark10Gauge.open(simulators.Bench().url("mark10")).port.serial.baudrate == 115200


# -- faults -------------------------------------------------------------------------


def test_stall_gives_not_responding_and_flagged_polls_then_an_error():
    bench, core, gauge = open_gauge(options={"reply_timeout_s": 0.05})
    core.stall(True)
    before = bench.clock.now()
    with pytest.raises(NotRespondingError, match="did not answer"):
        gauge.current()
    assert bench.clock.now() - before == pytest.approx(0.05)
    samples = []
    with pytest.raises(NotRespondingError):
        for sample in gauge.poll():
            samples.append(sample)
    assert len(samples) == 3
    assert all(s.flags & SampleFlag.NO_REPLY and s.force_n is None and not s.ok for s in samples)
    core.stall(False)
    core.set_load(2.0)
    assert gauge.current().force_n == pytest.approx(2.0)


def test_a_short_stall_only_flags_samples():
    _, core, gauge = open_gauge(options={"reply_timeout_s": 0.05})
    core.set_load(2.0)
    samples = []
    for sample in gauge.poll(duration_s=1.0):
        samples.append(sample)
        if len(samples) == 10:
            core.stall(True)
        if len(samples) == 12:
            core.stall(False)
    bad = [s for s in samples if not s.ok]
    assert len(bad) == 2 and all(s.flags & SampleFlag.NO_REPLY for s in bad)
    assert all(s.force_n == pytest.approx(2.0) for s in samples if s.ok)


def test_unplug_raises_disconnected():
    _, core, gauge = open_gauge()
    core.unplug()
    with pytest.raises(DisconnectedError):
        gauge.current()
    with pytest.raises(DisconnectedError):
        next(gauge.poll())


def test_garbage_between_exchanges_flags_the_next_sample_and_keeps_its_value():
    _, core, gauge = open_gauge()
    core.set_load(6.0)
    core.inject_garbage(b"\x00\x13#@!\r\n\xfe\xff")
    sample = gauge.current()
    assert sample.force_n == pytest.approx(6.0)
    assert SampleFlag.LINE_NOISE in sample.flags and sample.ok
    assert gauge.current().flags == SampleFlag.NONE


def test_garbage_inside_a_reply_makes_it_unreadable_never_a_value():
    _, core, gauge = open_gauge()
    core.set_load(6.0)
    original = core._reply_reading

    def corrupted(measured_n):
        core.inject_garbage(b"9\x07")
        original(measured_n)

    core._reply_reading = corrupted
    with pytest.raises(UnreadableReplyError, match="unreadable"):
        gauge.current()
    samples = []
    with pytest.raises(UnreadableReplyError):
        for sample in gauge.poll():
            samples.append(sample)
    assert len(samples) == 3
    assert all(s.flags & SampleFlag.UNREADABLE and s.force_n is None for s in samples)


def test_a_noise_line_just_ahead_of_the_reply_is_skipped():
    _, core, gauge = open_gauge()
    core.set_load(6.0)
    original = core._reply_reading

    def noisy(measured_n):
        core.inject_garbage(b"\x00\xff\r\n")
        original(measured_n)

    core._reply_reading = noisy
    sample = gauge.current()
    assert sample.force_n == pytest.approx(6.0)
    assert sample.flags == SampleFlag.LINE_NOISE


def test_random_garbage_storm_never_yields_a_wrong_value():
    _, core, gauge = open_gauge(seed=11)
    core.set_load(30.0)
    values = []
    for _ in range(200):
        core.inject_garbage()
        try:
            sample = gauge.current()
        except (UnreadableReplyError, DeviceReportedError):
            continue
        values.append(sample.force_n)
    assert values
    assert all(v == pytest.approx(30.0) for v in values)


def test_error_storm_gives_device_errors_and_refused_samples():
    _, core, gauge = open_gauge()
    core.error_storm(True)
    with pytest.raises(DeviceReportedError) as caught:
        gauge.current()
    assert caught.value.code in ("10", "11", "12", "22")
    with pytest.raises(DeviceReportedError):
        gauge.zero()
    samples = []
    with pytest.raises(DeviceReportedError):
        for sample in gauge.poll():
            samples.append(sample)
    assert len(samples) == 3 and all(s.flags & SampleFlag.REFUSED for s in samples)
    core.error_storm(False)
    core.set_load(1.5)
    assert gauge.current().force_n == pytest.approx(1.5)


def test_a_ui_thread_reading_peaks_during_polling_gets_paired_replies():
    _, core, gauge = open_gauge()
    core.set_load(30.0)
    core.set_load(10.0)
    errors = []

    def read_peaks():
        try:
            for _ in range(300):
                assert gauge.peak_compression().force_n == pytest.approx(30.0)
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            errors.append(error)

    thread = threading.Thread(target=read_peaks)
    thread.start()
    currents = [gauge.current().force_n for _ in range(300)]
    thread.join()
    assert not errors
    assert all(v == pytest.approx(10.0) for v in currents)
