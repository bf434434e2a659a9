"""Errors of the analysis layer: bad inputs, unusable reference tables."""

from __future__ import annotations


class AnalysisError(ValueError):
    """An input the analysis cannot use (with what and why in the message)."""


class ReferenceTableError(AnalysisError):
    """A reference or site-map table that cannot be loaded (file, line and column in the message)."""
