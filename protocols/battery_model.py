"""A battery as validated data: which tests, where, how often, with which settings.

A battery file is TOML (see `protocols/batteries/`); this is its pydantic model. Each
`[[tests]]` entry names a test of `TESTS`, its sites, trials, inter-stimulus interval and
instruction; every other key is one of that test's settings, validated by the test's own
settings model. Across entries: every thermode temperature (baselines and cut-offs) lies
within the battery's `[limits]`, no test is planned twice at one site, and a battery that
says `order = "dfns"` keeps the DFNS order.

Errors raised here carry, besides pydantic's location, the key they are about (`ctx`
"field") and the key whose line to show (`ctx` "at"); `protocols.battery` turns them into
one-line `file:line: reason` messages.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    PrivateAttr,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from protocols.procedures import TESTS, TestKind
from protocols.runner import PlannedTrial, Procedure, TrialSpec
from protocols.settings import DEVICE_MAX_C, DEVICE_MIN_C

DEFAULT_MIN_C = 0.0
DEFAULT_MAX_C = 50.0

# The DFNS order of the tests this harness implements. In the full DFNS protocol MPS/DMA,
# WUR and VDT come between MPT and PPT; they are not implemented here.
DFNS_ORDER = ("CDT", "WDT", "TSL", "CPT", "HPT", "MDT", "MPT", "WUR", "VDT", "PPT")

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG)]

# Keys of a [[tests]] entry that are not the test's settings.
ENTRY_KEYS = ("test", "sites", "trials", "isi_s", "instruction", "optional")


def problem(reason: str, field: tuple = (), at: tuple | None = None) -> PydanticCustomError:
    """A validation error about `field` (relative to where it is raised), shown at the line
    of `at` (default: `field`)."""
    label = f"{path_text(field)}: " if field else ""
    context = {"label": label, "reason": reason, "field": field, "at": field if at is None else at}
    return PydanticCustomError("battery", "{label}{reason}", context)


def path_text(loc: tuple) -> str:
    """`("tests", 2, "cutoff_c")` as `tests[2].cutoff_c`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else repr(part)
            text += f".{name}" if text else name
    return text


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def reason_for(error: ErrorDetails) -> str:
    """A pydantic error in plain words, without its location."""
    kind, ctx = error["type"], error.get("ctx", {})
    got = f", got {_shown(error['input'])}"
    if kind == "battery":
        return ctx["reason"]
    if kind == "missing":
        return "is missing; it is required"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "value_error":
        return str(ctx["error"])
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"should be a table{got}"
    if kind == "string_pattern_mismatch":
        return f"should be lower-case words joined by hyphens, like 'volar-forearm-left'{got}"
    if kind == "too_short" and ctx.get("actual_length") == 0:
        return "is empty; it needs at least one"
    bounds = {"greater_than_equal": ("ge", "at least"), "less_than_equal": ("le", "at most"),
              "greater_than": ("gt", "more than"), "less_than": ("lt", "less than")}
    if kind in bounds:
        name, words = bounds[kind]
        return f"should be {words} {ctx[name]}{got}"
    message = error["msg"].replace("Input should be", "should be").replace("Tuple should", "should")
    return message.replace("a valid tuple", "a list") + got


class Limits(BaseModel):
    """The thermode's envelope for this battery (°C): `min_c` < `max_c`, both within the
    device's 0–60 °C. Without a `[limits]` table a battery keeps to 0–50 °C; going above
    50 °C is a choice the file makes by writing it here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_c: FiniteFloat = DEFAULT_MIN_C
    max_c: FiniteFloat = DEFAULT_MAX_C

    @field_validator("min_c", "max_c")
    @classmethod
    def _within_device(cls, value: float) -> float:
        if not DEVICE_MIN_C <= value <= DEVICE_MAX_C:
            raise ValueError(
                f"{value} °C is outside the device's range of {DEVICE_MIN_C:g}–{DEVICE_MAX_C:g} °C"
            )
        return value

    @model_validator(mode="after")
    def _ordered(self) -> "Limits":
        if self.min_c >= self.max_c:
            raise problem(f"{self.min_c} °C is not below max_c {self.max_c} °C", ("min_c",))
        return self


class TestEntry(BaseModel):
    """One `[[tests]]` table: `test` at each of `sites` (lower-case-hyphenated), `trials`
    times per site (1–50), `isi_s` = (low, high) seconds between trials (0 ≤ low ≤ high),
    the `instruction` read aloud before it, and whether it is `optional`. `overrides` are
    the settings the file sets; `settings` is the validated whole."""

    __test__ = False  # not a pytest class, despite the name
    model_config = ConfigDict(extra="forbid", frozen=True)

    test: str
    sites: tuple[Slug, ...] = Field(min_length=1)
    trials: StrictInt = Field(ge=1, le=50)
    isi_s: tuple[FiniteFloat, FiniteFloat]
    instruction: str
    optional: StrictBool = False
    overrides: dict[str, Any] = Field(default_factory=dict)
    _settings: Any = PrivateAttr(None)

    @model_validator(mode="before")
    @classmethod
    def _split_settings(cls, data: Any) -> Any:
        """The test's defaults for what the file leaves out; every other key is a setting."""
        if not isinstance(data, dict):
            return data
        entry = {key: value for key, value in data.items() if key in ENTRY_KEYS}
        name = data.get("test")
        kind = TESTS.get(name) if isinstance(name, str) else None
        if kind is not None:
            entry.setdefault("trials", kind.default_trials)
            entry.setdefault("isi_s", kind.default_isi_s)
            entry.setdefault("instruction", kind.instruction)
        entry["overrides"] = {key: value for key, value in data.items() if key not in ENTRY_KEYS}
        return entry

    @field_validator("test")
    @classmethod
    def _known_test(cls, name: str) -> str:
        if name not in TESTS:
            raise ValueError(f"unknown test {name!r}; known: {', '.join(TESTS)}")
        return name

    @field_validator("isi_s")
    @classmethod
    def _interval(cls, isi_s: tuple[float, float]) -> tuple[float, float]:
        low, high = isi_s
        if low < 0:
            raise ValueError(f"the low end {low} s is negative")
        if low > high:
            raise ValueError(f"the low end {low} s is above the high end {high} s")
        return isi_s

    @model_validator(mode="after")
    def _validate_settings(self) -> "TestEntry":
        try:
            self._settings = self.kind.settings(**self.overrides)
        except ValidationError as error:
            raise _settings_problem(self.kind, self.overrides, error.errors()[0]) from None
        return self

    @property
    def kind(self) -> TestKind:
        return TESTS[self.test]

    @property
    def settings(self) -> Any:
        """The test's settings model: its defaults with this entry's overrides."""
        return self._settings


def _settings_problem(kind: TestKind, overrides: dict[str, Any], error: ErrorDetails) -> PydanticCustomError:
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        return problem(f"unknown key for {kind.name}; its settings are {', '.join(kind.model.model_fields)}", loc)
    if loc:
        return problem(reason_for(error), loc)
    # A check across settings names the keys it is about; show the first the file sets.
    reason = reason_for(error)
    mentioned = [(match.start(), key) for key in overrides if (match := re.search(rf"\b{re.escape(key)}\b", reason))]
    return problem(reason, (), (min(mentioned)[1],) if mentioned else ())


class Battery(BaseModel):
    """A battery file, validated: see the module docstring and `protocols/batteries/`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Slug
    title: str = Field(min_length=1)
    description: str = ""
    version: str = Field(min_length=1)
    order: Literal["listed", "dfns"] = "listed"
    limits: Limits = Limits()
    tests: tuple[TestEntry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _cross_checks(self) -> "Battery":
        planned: dict[tuple[str, str], int] = {}
        latest_rank, latest_test = -1, ""
        for index, entry in enumerate(self.tests):
            where = ("tests", index)
            if "thermode" in entry.kind.needs:
                self._check_temperatures(where, entry)
            for site in entry.sites:
                if (entry.test, site) in planned:
                    raise problem(
                        f"{entry.test} at {site!r} is already planned in tests[{planned[entry.test, site]}]",
                        where + ("sites",),
                    )
                planned[entry.test, site] = index
            if self.order == "dfns":
                if entry.test not in DFNS_ORDER:
                    reason = f"{entry.test} is not a DFNS test, and this battery keeps the DFNS order"
                    raise problem(reason, where + ("test",))
                rank = DFNS_ORDER.index(entry.test)
                if rank < latest_rank:
                    raise problem(
                        f"{entry.test} comes after {latest_test} here, but the DFNS order is {', '.join(DFNS_ORDER)}",
                        where + ("test",),
                    )
                latest_rank, latest_test = rank, entry.test
        return self

    def _check_temperatures(self, where: tuple, entry: TestEntry) -> None:
        low_c, high_c = self.limits_envelope()
        for key in type(entry.settings).model_fields:
            if not key.endswith("_c"):
                continue
            value_c = getattr(entry.settings, key)
            source = "" if key in entry.overrides else f" ({entry.test}'s default)"
            if value_c > high_c:
                widen = f"; a [limits] table may widen it up to {DEVICE_MAX_C} °C" if high_c < DEVICE_MAX_C else ""
                reason = f"{value_c} °C{source} is above the battery's limit of {high_c} °C{widen}"
            elif value_c < low_c:
                reason = f"{value_c} °C{source} is below the battery's limit of {low_c} °C"
            else:
                continue
            raise problem(reason, where + (key,))

    def limits_envelope(self) -> tuple[float, float]:
        """The thermode's allowed range for this battery, (min_c, max_c) in °C."""
        return self.limits.min_c, self.limits.max_c

    def entries(self, include_optional: bool = False) -> list[TestEntry]:
        """The tests to run, in order; optional ones only if asked for."""
        return [entry for entry in self.tests if include_optional or not entry.optional]

    def needs(self, include_optional: bool = False) -> set[str]:
        """The devices the tests need (e.g. {"thermode", "algometer"})."""
        return {device for entry in self.entries(include_optional) for device in entry.kind.needs}

    def plan(self, include_optional: bool = False) -> list[PlannedTrial]:
        """Every trial, test by test, site by site, trial 1..n. Entries of one test with
        equal settings share one procedure. Parameters: the settings plus the `unit`."""
        procedures: dict[tuple[str, Any], Procedure] = {}
        trials: list[PlannedTrial] = []
        for entry in self.entries(include_optional):
            key = (entry.test, entry.settings)
            if key not in procedures:
                procedures[key] = entry.kind.build(entry.settings)
            parameters = {**entry.settings.model_dump(), "unit": entry.kind.unit}
            for site in entry.sites:
                for trial in range(1, entry.trials + 1):
                    spec = TrialSpec(entry.test, site, trial, dict(parameters))
                    trials.append(PlannedTrial(procedures[key], spec, entry.instruction, entry.isi_s))
        return trials
