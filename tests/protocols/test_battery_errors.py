"""Malformed batteries: each refused with one line naming the line and the reason."""

import pytest

from protocols.battery import BatteryError, load_battery

# Lines 1-3 of every case.
HEAD = 'name = "pilot"\ntitle = "Pilot"\nversion = "1"\n'
HPT = '[[tests]]\ntest = "HPT"\nsites = ["volar-forearm-left"]\n'  # lines 4-6 after HEAD

CASES = [
    # id, text, line, phrase
    ("bad toml", HEAD + HPT + "cutoff_c = \n", 7, "invalid TOML: Invalid value"),
    ("unclosed array", HEAD + '[[tests]]\ntest = "HPT"\nsites = ["a",\n', 6, "invalid TOML"),
    ("duplicate key", HEAD + 'title = "Again"\n', 4, "invalid TOML: Cannot overwrite a value"),
    ("unknown test", HEAD + '[[tests]]\ntest = "HPX"\nsites = ["a"]\n', 5,
     "tests[0].test: unknown test 'HPX'; known: CDT,"),
    ("unknown setting", HEAD + HPT + "cutof_c = 45.0\n", 7,
     "tests[0].cutof_c: unknown key for HPT; its settings are baseline_c"),
    ("unknown top key", HEAD + 'colour = "red"\n' + HPT, 4, "colour: unknown key; the keys here are name,"),
    ("missing name", 'title = "Pilot"\nversion = "1"\n' + HPT, 1, "name: is missing"),
    ("missing sites", HEAD + '\n[[tests]]\ntest = "HPT"\n', 5, "tests[0].sites: is missing"),
    ("cut-off above 50 without limits", HEAD + HPT + "cutoff_c = 55.0\n", 7,
     "tests[0].cutoff_c: 55.0 °C is above the battery's limit of 50.0 °C"),
    ("limits narrowed below a default", HEAD + "[limits]\nmax_c = 45.0\n" + HPT, 6,
     "tests[0].cutoff_c: 50.0 °C (HPT's default) is above the battery's limit of 45.0 °C"),
    ("limits beyond the device", HEAD + "[limits]\nmax_c = 65.0\n" + HPT, 5,
     "limits.max_c: 65.0 °C is outside the device's range of 0–60 °C"),
    ("limits upside down", HEAD + "[limits]\nmin_c = 40.0\nmax_c = 30.0\n" + HPT, 5,
     "limits.min_c: 40.0 °C is not below max_c"),
    ("TSL warm cut-off above limits",
     HEAD + "[limits]\nmax_c = 48\n" + '[[tests]]\ntest = "TSL"\nsites = ["a"]\nwarm_cutoff_c = 49\n', 9,
     "tests[0].warm_cutoff_c: 49.0 °C is above the battery's limit of 48.0 °C"),
    ("cold cut-off below 0", HEAD + '[[tests]]\ntest = "CPT"\nsites = ["a"]\ncutoff_c = -5.0\n', 7,
     "tests[0].cutoff_c: should be at least 0.0, got -5.0"),
    ("cold cut-off below raised limit",
     HEAD + "[limits]\nmin_c = 5.0\n" + '[[tests]]\ntest = "CPT"\nsites = ["a"]\n', 6,
     "tests[0].cutoff_c: 0.0 °C (CPT's default) is below the battery's limit of 5.0 °C"),
    ("baseline above 40", HEAD + HPT + "baseline_c = 42.0\n", 7, "tests[0].baseline_c: should be at most 40.0, got 42.0"),
    ("baseline below 20", HEAD + HPT + "baseline_c = 15\n", 7, "tests[0].baseline_c: should be at least 20.0, got 15"),
    ("cut-off next to baseline", HEAD + HPT + "baseline_c = 32.0\ncutoff_c = 32.5\n", 8,
     "tests[0]: cutoff_c 32.5 must lie at least 1 °C from baseline_c"),
    ("rate 0", HEAD + HPT + "rate_c_per_s = 0\n", 7, "tests[0].rate_c_per_s: should be more than 0.0, got 0"),
    ("rate nan", HEAD + HPT + "rate_c_per_s = nan\n", 7, "tests[0].rate_c_per_s: should be a finite number"),
    ("isi low above high", HEAD + HPT + "isi_s = [10, 5]\n", 7,
     "tests[0].isi_s: the low end 10.0 s is above the high end 5.0 s"),
    ("isi negative", HEAD + HPT + "isi_s = [-1, 5]\n", 7, "tests[0].isi_s: the low end -1.0 s is negative"),
    ("isi infinite", HEAD + HPT + "isi_s = [1, inf]\n", 7, "tests[0].isi_s[1]: should be a finite number"),
    ("isi one number", HEAD + HPT + "isi_s = [5]\n", 7, "tests[0].isi_s[1]: is missing"),
    ("empty sites", HEAD + '[[tests]]\ntest = "HPT"\nsites = []\n', 6, "tests[0].sites: is empty"),
    ("site not hyphenated", HEAD + '[[tests]]\ntest = "HPT"\nsites = ["Volar Forearm"]\n', 6,
     "tests[0].sites[0]: should be lower-case words joined by hyphens"),
    ("duplicate test and site",
     HEAD + HPT + '[[tests]]\ntest = "HPT"\nsites = ["hand-right", "volar-forearm-left"]\n', 9,
     "tests[1].sites: HPT at 'volar-forearm-left' is already planned in tests[0]"),
    ("trials 0", HEAD + HPT + "trials = 0\n", 7, "tests[0].trials: should be at least 1, got 0"),
    ("trials a string", HEAD + HPT + 'trials = "3"\n', 7, "tests[0].trials: should be a valid integer, got '3'"),
    ("optional a string", HEAD + HPT + 'optional = "yes"\n', 7, "tests[0].optional: should be a valid boolean"),
    ("sites a string", HEAD + '[[tests]]\ntest = "HPT"\nsites = "hand-right"\n', 6, "tests[0].sites: should be a list"),
    ("version a number", 'name = "pilot"\ntitle = "Pilot"\nversion = 2\n' + HPT, 3,
     "version: should be a valid string, got 2"),
    ("tests not tables", HEAD + "tests = [1, 2]\n", 4, "tests[0]: should be a table, got 1"),
    ("no tests", HEAD, 1, "tests: is missing"),
    ("filament forces not rising",
     HEAD + '[[tests]]\ntest = "MDT"\nsites = ["a"]\nstart_mn = 1.0\nforces_mn = [1.0, 4.0, 2.0]\n', 8,
     "tests[0]: forces_mn must be at least two positive forces in rising order"),
    ("MDT start force not in the set", HEAD + '[[tests]]\ntest = "MDT"\nsites = ["a"]\nstart_mn = 15.0\n', 7,
     "tests[0]: start_mn 15.0 must be one of forces_mn"),
    ("filament force not a number", HEAD + '[[tests]]\ntest = "MPT"\nsites = ["a"]\nforces_mn = [8, "sixteen"]\n', 7,
     "tests[0].forces_mn[1]: should be a valid number"),
    ("pressure by thermode button", HEAD + '[[tests]]\ntest = "PPT"\nsites = ["a"]\nresponse = "thermode_button"\n', 7,
     "tests[0].response: should be 'examiner_key', got 'thermode_button'"),
    ("cold pressor water range",
     HEAD + '[[tests]]\ntest = "CPR"\nsites = ["hand-right"]\nwater_min_c = 5\nwater_max_c = 3\n', 7,
     "tests[0]: water_min_c must be below water_max_c"),
    ("DFNS order broken", HEAD + 'order = "dfns"\n' + HPT + '[[tests]]\ntest = "CDT"\nsites = ["a"]\n', 9,
     "tests[1].test: CDT comes after HPT here, but the DFNS order is CDT, WDT"),
    ("non-DFNS test in DFNS order", HEAD + 'order = "dfns"\n[[tests]]\ntest = "CPR"\nsites = ["a"]\n', 6,
     "tests[0].test: CPR is not a DFNS test"),
    ("unknown order", HEAD + 'order = "alphabetical"\n' + HPT, 4, "order: should be 'listed' or 'dfns'"),
    ("python keyword as a setting", HEAD + HPT + "self = 1\n", 7, "tests[0].self: unknown key for HPT"),
]


@pytest.mark.parametrize("text, line, phrase", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_malformed_battery_is_refused_at_its_line(text, line, phrase):
    with pytest.raises(BatteryError) as caught:
        load_battery(text, source="visit.toml")
    message = str(caught.value)
    assert message.startswith(f"visit.toml:{line}: "), message
    assert phrase in message
    assert len(message.splitlines()) == 1
    assert caught.value.line == line


def test_values_with_line_breaks_stay_on_one_line():
    text = HEAD + '[[tests]]\ntest = "HPT\\nfoo"\nsites = ["a"]\n'
    with pytest.raises(BatteryError) as caught:
        load_battery(text, source="two\nlines.toml")
    assert "\n" not in str(caught.value)
    assert caught.value.line == 5


def test_nesting_too_deep_for_the_parser_is_a_battery_error():
    with pytest.raises(BatteryError, match=r"^<battery>:1: invalid TOML"):
        load_battery("x = " + "[" * 100_000)
