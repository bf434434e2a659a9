"""Our test sites to a reference table's sites (e.g. "volar-forearm-left" → "hand").

Rules are shell-style patterns tried in order, the first match winning; `match` says
whether the reference site is the same body site ("same") or only the nearest one
("nearest"). The default rules are `qst/reference/site_map.csv`; a lab extends them with
its own rules (tried first) or replaces them with its own file of the same columns.
"""

from __future__ import annotations

import csv
import fnmatch
import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from qst.analysis.errors import ReferenceTableError

COLUMNS = ("pattern", "reference_site", "match", "note")
MATCHES = ("same", "nearest")


@dataclass(frozen=True)
class SiteRule:
    pattern: str
    reference_site: str
    match: str = "same"
    note: str = ""

    def applies_to(self, site: str) -> bool:
        return fnmatch.fnmatchcase(site.lower(), self.pattern.lower())


@dataclass(frozen=True)
class SiteMap:
    rules: tuple[SiteRule, ...]

    def lookup(self, site: str) -> SiteRule | None:
        """The first rule that applies to `site`, or None (no reference site)."""
        for rule in self.rules:
            if rule.applies_to(site):
                return rule
        return None

    def extended(self, rules: Iterable[SiteRule]) -> SiteMap:
        """This map with `rules` tried before its own."""
        return SiteMap(tuple(rules) + self.rules)


def parse_site_map(text: str, name: str) -> SiteMap:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS[:2] if c not in (reader.fieldnames or ())]
    if missing:
        raise ReferenceTableError(f"{name}: missing column(s) {', '.join(missing)}")
    rules = []
    for record in reader:
        match = (record.get("match") or "same").strip()
        if match not in MATCHES:
            raise ReferenceTableError(
                f"{name}:{reader.line_num}: match must be one of {', '.join(MATCHES)}, not {match!r}"
            )
        if not record["pattern"].strip() or not record["reference_site"].strip():
            raise ReferenceTableError(f"{name}:{reader.line_num}: pattern and reference_site must not be empty")
        rules.append(SiteRule(record["pattern"].strip(), record["reference_site"].strip(), match,
                              (record.get("note") or "").strip()))
    return SiteMap(tuple(rules))


def load_site_map(path: str | Path) -> SiteMap:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ReferenceTableError(f"cannot read site map {path}: {error.strerror}") from None
    return parse_site_map(text, path.name)


@functools.cache
def default_site_map() -> SiteMap:
    text = resources.files("qst").joinpath("reference", "site_map.csv").read_text(encoding="utf-8")
    return parse_site_map(text, "site_map.csv")
