"""The table the simulated thermode draws its reading noise from."""

from __future__ import annotations

import statistics

import pytest

from simulators.tcs2 import Tcs2Core
from simulators.tcs2.normal_table import SIZE, normal_table
from simulators.tcs2.settings import Tcs2Settings


def test_the_table_is_a_normal_of_the_asked_sd():
    table = normal_table(0.03)
    assert len(table) == SIZE
    assert list(table) == sorted(table)
    assert all(a == pytest.approx(-b, abs=1e-12) for a, b in zip(table, reversed(table)))
    assert statistics.fmean(table) == pytest.approx(0.0, abs=1e-12)
    # quantiles at the bins' middles, tails cut at ±3.67 SD: a hair under the SD
    assert statistics.pstdev(table) == pytest.approx(0.03, rel=2e-3)
    assert max(table) == pytest.approx(3.67 * 0.03, rel=0.01)
    # a quarter of the draws below the first quartile, as for a normal
    assert sum(v < -0.6745 * 0.03 for v in table) / SIZE == pytest.approx(0.25, abs=1 / SIZE)


def test_readings_scatter_about_the_true_temperature_by_the_noise_setting():
    core = Tcs2Core(seed=5, settings=Tcs2Settings(noise_c=0.2))
    core.advance_to(0.0)
    neutral_c, zones_c = core.true_temperatures_c
    draws = [core._readings() for _ in range(4000)]
    residuals = [zone - true for _, zones in draws for zone, true in zip(zones, zones_c)]
    residuals += [neutral - neutral_c for neutral, _ in draws]
    assert statistics.fmean(residuals) == pytest.approx(0.0, abs=0.01)
    assert statistics.stdev(residuals) == pytest.approx(0.2, rel=0.03)
    # the six values of a reading are independent draws, not one offset
    assert len({round(zone - true, 9) for zone, true in zip(draws[0][1], zones_c)}) > 1


def test_no_noise_setting_reads_the_true_temperatures():
    core = Tcs2Core(seed=5, settings=Tcs2Settings(noise_c=0.0))
    core.advance_to(0.0)
    assert core._readings() == core.true_temperatures_c
