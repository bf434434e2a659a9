"""Z-scores against the DFNS reference table and a lab's own: row choice, transforms, sign,
provenance, and the cases with no z (no row, SD 0) with their reasons."""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path

import pytest

from qst.analysis import (
    Participant,
    ReferenceTableError,
    SiteRule,
    ZScoreSettings,
    default_site_map,
    dfns_table,
    load_reference_table,
    load_site_map,
    summarize_visits,
    visit_zscores,
    zscore,
)
from qst.analysis.reference_table import parse_reference_table
from qst.analysis.transforms import transform

SHARED = Path(__file__).resolve().parents[3] / "shared" / "qst_reference" / "dfns_reference_values.csv"


def z(test, site, value, unit, sex="F", age=45, **kwargs):
    return zscore(test, site, value, sex=sex, age_years=age, unit=unit, **kwargs)


def test_heat_pain_is_inverted_lower_threshold_is_gain():
    # HPT hand F 40–49: mean 43.49 °C, SD 3.63, inverted. 40.0 °C → −(40 − 43.49)/3.63 = +0.9614.
    r = z("HPT", "hand-dorsum-right", 40.0, "°C")
    assert r.z == pytest.approx(-(40.0 - 43.49) / 3.63)
    assert r.z == pytest.approx(0.9614, abs=1e-4)
    assert (r.row.test, r.row.site, r.row.sex, r.row.age_band) == ("HPT", "hand", "F", "40–49")
    assert r.reason is None


def test_cold_pain_is_not_inverted():
    # CPT hand F 40–49: mean 12.17 °C, SD 8.71, not inverted: 20 °C → (20 − 12.17)/8.71 = +0.899 (gain).
    assert z("CPT", "hand-dorsum-right", 20.0, "°C").z == pytest.approx((20.0 - 12.17) / 8.71)


def test_cold_detection_log_of_distance_from_baseline_and_inverted():
    # CDT hand F 40–49: mean 0.145, SD 0.217 on log10|T − 32|. A CDT 2.0 °C below the
    # baseline: log10 2 = 0.30103 → −(0.30103 − 0.145)/0.217 = −0.7190 (loss).
    expected = -(math.log10(2.0) - 0.145) / 0.217
    relative = z("CDT", "hand-dorsum-right", -2.0, "°C")
    assert relative.transformed == pytest.approx(0.30103, abs=1e-5)
    assert relative.z == pytest.approx(expected) and relative.z == pytest.approx(-0.7190, abs=1e-4)
    # The same threshold recorded as an absolute 30.0 °C.
    absolute = z("CDT", "hand-dorsum-right", 30.0, "°C", settings=ZScoreSettings(detection_values_from_baseline=False))
    assert absolute.z == pytest.approx(expected)


def test_pressure_log10_kpa_and_thenar_maps_to_hand():
    # PPT hand F 40–49: mean 2.629, SD 0.13 on log10 kPa, inverted. 300 kPa:
    # log10 300 = 2.47712 → −(2.47712 − 2.629)/0.13 = +1.1683 (more tender = gain).
    r = z("PPT", "thenar-right", 300.0, "kPa")
    assert r.reference_site == "hand" and r.site_match == "same"
    assert r.z == pytest.approx(1.1683, abs=1e-4)


def test_filament_log10_mn():
    # MDT hand F 30–39: mean −0.136, SD 0.318, inverted; 0.5 mN: log10 0.5 = −0.30103 →
    # −(−0.30103 + 0.136)/0.318 = +0.519.
    assert z("MDT", "hand-dorsum-left", 0.5, "mN", age=35).z == pytest.approx(0.519, abs=1e-3)


def test_transforms_by_hand():
    assert transform("linear", 43.0) == 43.0
    assert transform("log10", 100.0) == pytest.approx(2.0)
    assert transform("log10_plus_0.1", 0.0) == pytest.approx(-1.0)
    assert transform("log10_abs_from_baseline", 3.0) == pytest.approx(math.log10(3.0))
    assert transform("log10_abs_from_baseline", 35.0, from_baseline=False) == pytest.approx(math.log10(3.0))


def test_age_band_edges_and_the_open_top_band():
    assert z("HPT", "hand-dorsum-right", 43.0, "°C", age=29).row.age_band == "20–29"
    assert z("HPT", "hand-dorsum-right", 43.0, "°C", age=30).row.age_band == "30–39"
    assert z("HPT", "hand-dorsum-right", 43.0, "°C", age=84).row.age_band == "60+"
    young = z("HPT", "hand-dorsum-right", 43.0, "°C", age=19)
    assert young.z is None and young.row is None
    assert "age 19" in young.reason and "20–29" in young.reason


def test_row_chosen_by_sex():
    women = z("HPT", "hand-dorsum-right", 43.0, "°C", sex="female")
    men = z("HPT", "hand-dorsum-right", 43.0, "°C", sex="M")
    assert women.row.sex == "F" and men.row.sex == "M" and women.row != men.row
    other = z("HPT", "hand-dorsum-right", 43.0, "°C", sex="X")
    assert other.z is None and "sex" in other.reason


def test_forearm_maps_to_the_nearest_site_and_says_so():
    r = z("HPT", "volar-forearm-left", 43.0, "°C")
    assert r.reference_site == "hand" and r.site_match == "nearest" and r.z is not None
    assert "nearest" in r.describe()


def test_no_row_for_an_unmapped_site_or_an_unknown_test():
    trapezius = z("PPT", "trapezius-left", 300.0, "kPa")
    assert trapezius.z is None and trapezius.row is None and "trapezius-left" in trapezius.reason
    cold_pressor = z("CPR", "hand-right", 60.0, "s")
    assert cold_pressor.z is None and "no rows for CPR" in cold_pressor.reason
    face_women = z("HPT", "face-left", 43.0, "°C")  # the face table has HPT for men 20–29 only
    assert face_women.z is None and "sex F" in face_women.reason


def test_zero_sd_gives_no_z_but_names_the_row():
    # PHS hand F 30–39: mean 0, SD 0 in the DFNS table.
    r = z("PHS", "hand-dorsum-right", 1.0, "count", age=35)
    assert r.z is None and "SD is 0" in r.reason
    assert r.row is not None and r.row.sd == 0 and r.transformed == 1.0


def test_no_z_for_wrong_units_missing_values_or_undefined_logs():
    assert "in N" in z("PPT", "thenar-right", 30.0, "N").reason
    assert "no value" in z("HPT", "hand-dorsum-right", None, "°C").reason
    assert "undefined" in z("MDT", "hand-dorsum-right", 0.0, "mN").reason
    assert z("HPT", "hand-dorsum-right", 43.0, "degC").z is not None  # same unit, other spelling


def test_every_z_names_its_row_source_commit_and_cross_check():
    checked = z("CDT", "hand-dorsum-right", -2.0, "°C")  # both transcriptions agree on this cell
    assert checked.cross_checked is True
    assert checked.source == "vladaron/CRPS_longitudinal CODE/SHINY/norms_sdrc_20240307.xlsx@9a178d30d761"
    assert checked.commit == "9a178d30d761"
    assert "Magerl" in checked.row.claimed_source
    single = z("HPT", "hand-dorsum-right", 40.0, "°C")
    assert single.row.crosscheck == "single-source" and single.cross_checked is False
    assert "not cross-checked" in single.describe()
    face = z("MDT", "face-left", 0.25, "mN")
    assert face.row.source_repo == "333Jay333/QST_Webapp" and face.commit == "b02c0295872f"
    assert face.row.claimed_source == "no citation in repo"


def test_visit_zscores_use_age_at_the_visit():
    person = Participant("FM01", "F", 1980, date(2019, 6, 1))
    rows = [dict(study="s", participant="FM01", visit=1, phase_code="A", test="HPT", site="hand-dorsum-right",
                 trial=i, value=v, unit="°C", censored=False, exit_status="completed", visit_date="2020-03-01")
            for i, v in enumerate((41.0, 42.0, 43.0), start=1)]
    [r] = visit_zscores(summarize_visits(rows), person)
    # Age 2020 − 1980 = 40 at the visit (39 at enrolment): the 40–49 row; value 42 °C.
    assert r.row.age_band == "40–49" and r.z == pytest.approx(-(42.0 - 43.49) / 3.63)


HEADER = ("test,site,sex,age_min,age_max,mean,sd,unit,scale,sign,source_repo,source_path_commit,claimed_source,"
          "crosscheck\n")


def test_a_lab_can_load_its_own_table_and_site_map(tmp_path):
    table_path = tmp_path / "lab.csv"
    table_path.write_text(HEADER + "PPT,trapezius,F,18,,2.45,0.15,kPa,log10,-1,our-lab,norms.xlsx@abc123,"
                                   "our 2023 healthy controls,verified\n", encoding="utf-8")
    map_path = tmp_path / "sites.csv"
    map_path.write_text("pattern,reference_site,match,note\ntrapezius-*,trapezius,same,our own site\n",
                        encoding="utf-8")
    table, sites = load_reference_table(table_path), load_site_map(map_path)
    r = z("PPT", "trapezius-left", 200.0, "kPa", table=table, site_map=sites)
    # −(log10 200 − 2.45)/0.15 = −(2.30103 − 2.45)/0.15 = +0.9931.
    assert r.z == pytest.approx(0.9931, abs=1e-4)
    assert r.row.table == "lab.csv" and r.row.line == 2 and r.cross_checked is True and r.commit == "abc123"
    extended = default_site_map().extended([SiteRule("trapezius-*", "trapezius")])
    assert extended.lookup("trapezius-right").reference_site == "trapezius"
    assert extended.lookup("thenar-left").reference_site == "hand"


@pytest.mark.parametrize(
    "body, message",
    [
        ("PPT,hand,F,20,39,2.5,0.1,kPa,log10,-1,r,p@c,s,agrees\nPPT,hand,F,30,49,2.6,0.1,kPa,log10,-1,r,p@c,s,agrees\n",
         "overlaps"),
        ("PPT,hand,F,20,29,2.5,0.1,kPa,cube_root,-1,r,p@c,s,agrees\n", "scale"),
        ("PPT,hand,F,20,29,2.5,0.1,kPa,log10,2,r,p@c,s,agrees\n", "sign"),
        ("PPT,hand,F,20,29,2.5,-0.1,kPa,log10,-1,r,p@c,s,agrees\n", "negative"),
        ("PPT,hand,Q,20,29,2.5,0.1,kPa,log10,-1,r,p@c,s,agrees\n", "sex"),
        ("PPT,hand,F,20,29,abc,0.1,kPa,log10,-1,r,p@c,s,agrees\n", "mean"),
    ],
)
def test_bad_tables_are_refused_with_the_line(body, message):
    with pytest.raises(ReferenceTableError, match=message):
        parse_reference_table(HEADER + body, "lab.csv")


def test_missing_columns_or_file_are_refused(tmp_path):
    with pytest.raises(ReferenceTableError, match="crosscheck"):
        parse_reference_table(HEADER.replace(",crosscheck", ""), "lab.csv")
    with pytest.raises(ReferenceTableError, match="cannot read"):
        load_reference_table(tmp_path / "absent.csv")


def test_shipped_table_keeps_every_value_and_its_provenance():
    table = dfns_table()
    assert len(table.rows) == 309
    if not SHARED.exists():
        pytest.skip(f"{SHARED} not here to compare with")
    with SHARED.open(newline="", encoding="utf-8") as f:
        source = list(csv.DictReader(f))
    assert len(source) == len(table.rows)
    for original, row in zip(source, table.rows):
        assert (row.test, row.site, row.sex) == (original["parameter"], original["site"], original["sex"])
        age_max = int(original["age_max"]) if original["age_max"] else None
        assert (row.age_min, row.age_max) == (int(original["age_min"]), age_max)
        assert (row.mean, row.sd) == (float(original["mean"]), float(original["sd"]))
        assert row.scale_as_inferred == original["scale_as_inferred"]
        assert (row.source_repo, row.source_path_commit, row.claimed_source, row.crosscheck) == (
            original["source_repo"], original["source_path_commit"], original["claimed_source"],
            original["crosscheck_vs_other_repo"])
        assert row.sign == (-1 if row.test in {"CDT", "WDT", "TSL", "HPT", "PPT", "MPT", "MDT"} else 1)
