"""Any text gives a Battery or a one-line BatteryError; what is accepted is within limits."""

from importlib import resources

from hypothesis import given, settings
from hypothesis import strategies as st

from protocols.battery import Battery, BatteryError, load_battery
from tests.toml_mutations import mutate_lines

VALID = (resources.files("protocols") / "batteries" / "fibromyalgia-ldn.toml").read_text(encoding="utf-8")
LINES = VALID.split("\n")

VALUES = st.sampled_from([
    "0", "-1", "1", "3", "45.5", "50", "55.0", "61", "1e400", "inf", "-inf", "nan", "true", '"3"', '""',
    '"HPT"', '"CPR"', '"Left Arm"', "[]", "[1]", "[5, 1]", "[0.25, 0.5]", '["a", "a"]', "{}", "{ x = 1 }",
    "[[1]]", "1979-05-27", '"""', "[", "", "99999999999999999999999",
])
EXTRA_LINES = st.sampled_from([
    "[[tests]]", "[limits]", "[tests]", "[[limits]]", 'test = "HPT"', 'test = "TSL"', 'sites = ["a"]',
    "cutoff_c = 55", "max_c = 60", "min_c = 45", "optional = true", 'order = "dfns"', "tests = []",
    "baseline_c = 39.5", "warm_cutoff_c = 40", "start_mn = 3", 'version = "2"', "trials = 0",
])


def _check(text: str) -> None:
    try:
        battery = load_battery(text)
    except BatteryError as error:
        assert len(str(error).splitlines()) == 1
        assert 1 <= error.line <= text.count("\n") + 1
        return
    assert isinstance(battery, Battery)
    low_c, high_c = battery.limits_envelope()
    assert 0.0 <= low_c < high_c <= 60.0
    for entry in battery.tests:
        if "thermode" in entry.kind.needs:
            temperatures = [value for key, value in entry.settings.model_dump().items() if key.endswith("_c")]
            assert all(low_c <= value_c <= high_c for value_c in temperatures)


@given(st.text())
def test_any_text_gives_a_battery_or_a_battery_error(text):
    _check(text)


@settings(max_examples=300)
@given(st.data())
def test_mutated_battery_gives_a_battery_or_a_battery_error(data):
    _check("\n".join(mutate_lines(LINES, data, VALUES, EXTRA_LINES)))
