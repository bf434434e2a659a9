"""Z-scores of QST values against a reference table (DFNS by default).

z = sign × (transformed value − mean) / SD, with the row for the test, the reference site
our site maps to, the participant's sex and age band. Positive z = gain of function (more
sensitive than the reference). Every z names the row it used and whether that row was
cross-checked; where no row fits, or its SD is 0, there is no z and `reason` says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qst.analysis.errors import AnalysisError
from qst.analysis.inputs import Participant
from qst.analysis.reference_table import ReferenceRow, ReferenceTable, dfns_table
from qst.analysis.site_map import SiteMap, default_site_map
from qst.analysis.transforms import DFNS_BASELINE_C, transform
from qst.analysis.visit_summary import VisitTestSummary

_UNIT_ALIASES = {"degc": "°C", "c": "°C", "°c": "°C", "deg c": "°C", "kpa": "kPa", "mn": "mN"}


def _unit(text: str) -> str:
    return _UNIT_ALIASES.get(text.strip().lower(), text.strip())


def _sex(text: str | None) -> str | None:
    word = (text or "").strip().lower()
    if word in ("f", "female", "w", "woman"):
        return "F"
    if word in ("m", "male", "man"):
        return "M"
    return None


@dataclass(frozen=True)
class ZScoreSettings:
    """`detection_values_from_baseline`: CDT/WDT values are °C from the thermode baseline
    (the harness's default, `relative = true`); set False for batteries that record absolute
    temperatures, which then have `baseline_c` subtracted."""

    detection_values_from_baseline: bool = True
    baseline_c: float = DFNS_BASELINE_C


@dataclass(frozen=True)
class ZScore:
    """A value's z-score, or why there is none.

    `value` raw in `unit`; `transformed` on the row's scale; `row` the reference row used
    (None when none fits); `reference_site` and `site_match` ("same"/"nearest") from the
    site map; `reason` set exactly when `z` is None.
    """

    test: str
    site: str
    sex: str
    age_years: int
    value: float | None
    unit: str
    reference_site: str | None
    site_match: str | None
    transformed: float | None
    z: float | None
    row: ReferenceRow | None
    reason: str | None

    @property
    def cross_checked(self) -> bool | None:
        """Whether the row used was cross-checked (None without a row)."""
        return self.row.cross_checked if self.row else None

    @property
    def source(self) -> str | None:
        return self.row.source if self.row else None

    @property
    def commit(self) -> str | None:
        return self.row.commit if self.row else None

    def describe(self) -> str:
        head = f"{self.test} {self.site}"
        if self.z is None:
            return f"{head}: no z — {self.reason}"
        near = " (nearest reference site)" if self.site_match == "nearest" else ""
        return f"{head}: z = {self.z:+.2f} vs {self.row.describe()}{near}"


def zscore(
    test: str,
    site: str,
    value: float | None,
    *,
    sex: str,
    age_years: int,
    unit: str | None = None,
    table: ReferenceTable | None = None,
    site_map: SiteMap | None = None,
    settings: ZScoreSettings = ZScoreSettings(),
) -> ZScore:
    """The z-score of one value (a visit's summary of `test` at our `site`, in `unit`)."""
    table = table if table is not None else dfns_table()
    site_map = site_map if site_map is not None else default_site_map()
    test = test.upper()
    rule = site_map.lookup(site)

    def none(reason: str, row: ReferenceRow | None = None, transformed: float | None = None) -> ZScore:
        return ZScore(test, site, sex, age_years, value, unit or "", rule.reference_site if rule else None,
                      rule.match if rule else None, transformed, None, row, reason)

    if value is None:
        return none("no value (no completed, uncensored trial)")
    if rule is None:
        return none(f"site {site!r} has no reference site in the site map")
    rows = table.rows_for(test, rule.reference_site)
    if not rows:
        return none(f"{table.name} has no rows for {test} at {rule.reference_site}")
    code = _sex(sex)
    if code is None:
        return none(f"sex {sex!r} has no reference rows (F or M)")
    rows = [r for r in rows if r.sex == code]
    if not rows:
        return none(f"{table.name} has no rows for {test} at {rule.reference_site} for sex {code}")
    fitting = [r for r in rows if r.covers_age(age_years)]
    if not fitting:
        bands = ", ".join(r.age_band for r in sorted(rows, key=lambda r: r.age_min))
        return none(f"age {age_years} is in no band of {test} {rule.reference_site} {code} ({bands})")
    row = fitting[0]
    if unit is not None and _unit(unit) != _unit(row.unit):
        return none(f"value is in {unit}, the reference row in {row.unit}", row)
    try:
        transformed = transform(row.scale, value, from_baseline=settings.detection_values_from_baseline,
                                baseline_c=settings.baseline_c)
    except AnalysisError as error:
        return none(str(error), row)
    if row.sd == 0:
        return none(f"reference SD is 0 ({row.table}:{row.line}): z undefined", row, transformed)
    z = row.sign * (transformed - row.mean) / row.sd
    return ZScore(test, site, sex, age_years, value, unit or row.unit, rule.reference_site, rule.match,
                  transformed, z, row, None)


def visit_zscores(
    summaries: Iterable[VisitTestSummary],
    participant: Participant,
    *,
    table: ReferenceTable | None = None,
    site_map: SiteMap | None = None,
    settings: ZScoreSettings = ZScoreSettings(),
) -> list[ZScore]:
    """Z-scores of each of the participant's visit summaries; age on the visit's date, or
    at enrolment when the visit is undated."""
    out = []
    for s in summaries:
        if s.participant != participant.code:
            continue
        age = participant.age_on(s.visit_date or participant.enrolled_on)
        out.append(zscore(s.test, s.site, s.value, sex=participant.sex, age_years=age, unit=s.unit,
                          table=table, site_map=site_map, settings=settings))
    return out
