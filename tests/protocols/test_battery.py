"""Batteries: the shipped files load and plan; plans, limits, devices; loading from files."""

import importlib
from types import SimpleNamespace

import pytest

from protocols.battery import DFNS_ORDER, BatteryError, load_battery, shipped_battery, shipped_names
from protocols.battery_lines import line_of
from protocols import procedures
from protocols.procedures import TESTS

HEAD = 'name = "pilot"\ntitle = "Pilot"\nversion = "1"\n'


@pytest.fixture
def builds(monkeypatch):
    """Stand-in procedures (the real ones need devices); records every build."""
    calls = []

    def fake_build(kind, settings=None):
        calls.append((kind.name, settings))
        return SimpleNamespace(test=kind.name, unit=kind.unit, number=len(calls))

    monkeypatch.setattr(procedures.TestKind, "build", fake_build)
    return calls


def test_shipped_names_come_from_the_package_data():
    assert shipped_names() == ["dfns", "fibromyalgia-ldn"]
    for name in shipped_names():
        assert shipped_battery(name).name == name


def test_dfns_keeps_the_dfns_order_and_defaults(builds):
    battery = shipped_battery("dfns")
    assert battery.order == "dfns"
    assert [entry.test for entry in battery.tests] == list(DFNS_ORDER)
    by_test = {entry.test: entry for entry in battery.tests}
    assert by_test["PPT"].sites == ("thenar-right",) and by_test["PPT"].trials == 3
    assert {by_test[name].trials for name in ("CDT", "WDT", "TSL", "CPT", "HPT")} == {3}
    assert (by_test["MDT"].trials, by_test["MDT"].settings.series) == (1, 5)
    assert (by_test["MPT"].trials, by_test["MPT"].settings.forces_mn[0]) == (1, 8.0)
    assert (by_test["WUR"].settings.force_mn, by_test["WUR"].settings.train_length, by_test["WUR"].settings.repeats) == (256.0, 10, 5)
    assert (by_test["VDT"].trials, by_test["VDT"].settings.series, by_test["VDT"].settings.scale_max) == (1, 3, 8.0)
    assert battery.limits_envelope() == (0.0, 50.0)
    assert battery.needs() == {"thermode", "algometer"}
    plan = battery.plan()
    assert len(plan) == 5 * 3 + 1 + 1 + 1 + 1 + 3
    assert len(builds) == len(DFNS_ORDER)


def test_fibromyalgia_visit_plans_the_cold_pressor_only_on_request(builds):
    battery = shipped_battery("fibromyalgia-ldn")
    ppt = battery.tests[0]
    assert (ppt.test, len(ppt.sites), ppt.trials) == ("PPT", 5, 3)
    assert [entry.test for entry in battery.tests if entry.optional] == ["CPR"]
    plan = battery.plan()
    assert len(plan) == 5 * 3 + 3 + 3
    assert "CPR" not in {trial.spec.test for trial in plan}
    with_optional = battery.plan(include_optional=True)
    assert len(with_optional) == len(plan) + 1
    assert with_optional[-1].spec.test == "CPR"


def test_plan_goes_test_by_test_site_by_site_trial_by_trial(builds):
    battery = load_battery(
        HEAD
        + '[[tests]]\ntest = "PPT"\nsites = ["trapezius-left", "thenar-right"]\ntrials = 2\nisi_s = [20, 30]\n'
        + '[[tests]]\ntest = "HPT"\nsites = ["volar-forearm-left"]\ncutoff_c = 48.0\ninstruction = "Say when."\n'
    )
    plan = battery.plan()
    assert [(t.spec.test, t.spec.site, t.spec.trial) for t in plan] == [
        ("PPT", "trapezius-left", 1),
        ("PPT", "trapezius-left", 2),
        ("PPT", "thenar-right", 1),
        ("PPT", "thenar-right", 2),
        ("HPT", "volar-forearm-left", 1),
        ("HPT", "volar-forearm-left", 2),
        ("HPT", "volar-forearm-left", 3),
    ]
    assert plan[0].isi_s == (20.0, 30.0) and plan[0].instruction == TESTS["PPT"].instruction
    assert plan[-1].isi_s == TESTS["HPT"].default_isi_s and plan[-1].instruction == "Say when."
    hpt = plan[-1].spec.parameters
    assert hpt["cutoff_c"] == 48.0 and hpt["baseline_c"] == 32.0 and hpt["unit"] == "°C"
    assert plan[0].spec.parameters["unit"] == "kPa"
    plan[0].spec.parameters["rate_kpa_per_s"] = 1.0
    assert plan[1].spec.parameters["rate_kpa_per_s"] == 50.0


def test_procedures_are_built_once_per_test_and_settings(builds):
    battery = load_battery(
        HEAD
        + '[[tests]]\ntest = "HPT"\nsites = ["a", "b"]\n'
        + '[[tests]]\ntest = "HPT"\nsites = ["c"]\n'
        + '[[tests]]\ntest = "HPT"\nsites = ["d"]\ncutoff_c = 47.0\n'
    )
    plan = battery.plan()
    assert len(builds) == 2
    procedures = {trial.spec.site: trial.procedure for trial in plan}
    assert procedures["a"] is procedures["b"] is procedures["c"]
    assert procedures["d"] is not procedures["a"]
    assert builds[1][1].cutoff_c == 47.0


def test_defaults_come_from_the_test():
    entry = load_battery(HEAD + '[[tests]]\ntest = "MDT"\nsites = ["cheek-left"]\n').tests[0]
    kind = TESTS["MDT"]
    assert (entry.trials, entry.isi_s, entry.instruction, entry.optional) == (
        kind.default_trials, kind.default_isi_s, kind.instruction, False)
    assert entry.settings == kind.settings()


def test_a_battery_may_widen_its_limits_within_the_device():
    battery = load_battery(HEAD + '[limits]\nmax_c = 55.0\n[[tests]]\ntest = "HPT"\nsites = ["a"]\ncutoff_c = 55.0\n')
    assert battery.limits_envelope() == (0.0, 55.0)
    assert battery.tests[0].settings.cutoff_c == 55.0


def test_needs_follows_the_tests_planned():
    battery = load_battery(
        HEAD + '[[tests]]\ntest = "MDT"\nsites = ["a"]\n[[tests]]\ntest = "PPT"\nsites = ["a"]\noptional = true\n'
    )
    assert battery.needs() == set()
    assert battery.needs(include_optional=True) == {"algometer"}


def _factory_modules():
    return sorted({kind.factory.split(":")[0] for kind in TESTS.values()})


def test_shipped_batteries_plan_with_the_real_procedures():
    for module in _factory_modules():
        try:
            importlib.import_module(module)
        except ImportError:
            pytest.skip(f"{module} is not written yet")
    for name in shipped_names():
        plan = shipped_battery(name).plan(include_optional=True)
        assert all(trial.procedure.test == trial.spec.test for trial in plan)


def test_load_from_a_path_names_the_file(tmp_path):
    path = tmp_path / "visit.toml"
    path.write_text(HEAD + '[[tests]]\ntest = "HPT"\nsites = ["a"]\ncutoff_c = 51.0\n', encoding="utf-8")
    with pytest.raises(BatteryError) as caught:
        load_battery(path)
    assert str(caught.value).startswith(f"{path}:7: tests[0].cutoff_c: 51.0 °C is above")
    assert (caught.value.source, caught.value.line) == (str(path), 7)


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "notepad.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (HEAD + '[[tests]]\ntest = "PPT"\nsites = ["a"]\n').encode())
    assert load_battery(path).name == "pilot"


def test_text_that_is_not_utf8_is_refused_at_its_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(HEAD.encode() + b'description = "Schulter r\xfcckseitig"\n')
    with pytest.raises(BatteryError, match=r":4: the file is not UTF-8 text$"):
        load_battery(path)


def test_a_missing_file_is_a_battery_error(tmp_path):
    with pytest.raises(BatteryError, match=r"nothing\.toml:1: cannot read the file"):
        load_battery(tmp_path / "nothing.toml")


def test_an_unknown_shipped_name_lists_the_shipped_ones():
    with pytest.raises(BatteryError, match=r"^dfnss\.toml:1: no shipped battery named 'dfnss'; shipped: dfns, "):
        shipped_battery("dfnss")
    with pytest.raises(BatteryError):
        shipped_battery("../batteries/dfns")


def test_locator_skips_multiline_strings_and_reads_quoted_keys():
    text = (
        'description = """\n'  # 1
        "[[tests]]\n"  # 2: inside the string, not a table
        'cutoff_c = 1\n"""\n'  # 3, 4
        "[[tests]]\n"  # 5
        '"cutoff_c" = 55\n'  # 6
        "[[tests]]\n"  # 7
    )
    assert line_of(text, ("tests", 0, "cutoff_c")) == 6
    assert line_of(text, ("tests", 1, "sites", 0)) == 7
    assert line_of(text, ("tests", 5)) == 1
    assert line_of(text, ("description",)) == 1
