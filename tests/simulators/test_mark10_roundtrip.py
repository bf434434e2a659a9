"""Any force through the simulator's display and the driver's parsing, within one step."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simulators
from drivers.mark10 import Mark10Gauge
from drivers.mark10.codec import ReplyParser
from drivers.mark10.messages import Reading
from drivers.mark10.units import unit_from_token
from simulators.mark10 import MODELS
from simulators.mark10.display import format_reading

models_and_units = st.sampled_from([(model, unit) for model in MODELS.values() for unit in model.steps])


@settings(max_examples=1000, deadline=None)
@given(model_unit=models_and_units, fraction=st.floats(-1.2, 1.2), show_unit=st.booleans())
def test_display_then_parse_is_within_one_resolution_step(model_unit, fraction, show_unit):
    model, unit = model_unit
    force_n = fraction * model.capacity_n
    line = format_reading(force_n, unit, model, show_unit)
    parser = ReplyParser(assumed_unit=unit_from_token(unit))
    (message,) = parser.feed(line.encode() + b"\r\n")
    assert isinstance(message, Reading)
    assert message.unit_shown is show_unit
    assert abs(message.force_n - force_n) <= model.step_n(unit)
    assert abs(message.force_n - force_n) <= model.step_n(unit) / 2 * (1 + 1e-9) + 1e-12


@settings(max_examples=150, deadline=None)
@given(
    model_unit=models_and_units,
    fraction=st.floats(-1.0, 1.0),
    show_unit=st.booleans(),
    compression_positive=st.booleans(),
)
def test_force_through_the_sim_port_and_the_driver(model_unit, fraction, show_unit, compression_positive):
    model, unit = model_unit
    bench = simulators.Bench()
    core = bench.device(
        "mark10",
        capacity_n=str(int(model.capacity_n)),
        units=unit,
        show_units=str(int(show_unit)),
        compression_positive=str(int(compression_positive)),
    )
    with Mark10Gauge.open(bench.url("mark10"), compression_positive=compression_positive) as gauge:
        force_n = fraction * model.capacity_n
        core.set_load(force_n)
        sample = gauge.current()
    assert sample.force_n == pytest.approx(force_n, abs=model.step_n(unit))
    assert sample.ok
