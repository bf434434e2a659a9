"""Blinded or unblinded: what a report may show of the phases.

Blinded output names phases by code only; names and treatments appear only when the caller
asks for `unblind=True`. Every report object carries its `Blinding` and says it.
"""

from __future__ import annotations

import enum

from qst.analysis.inputs import Phase, PhasePlan


class Blinding(str, enum.Enum):
    BLINDED = "blinded"
    UNBLINDED = "unblinded"

    @classmethod
    def of(cls, unblind: bool) -> Blinding:
        return cls.UNBLINDED if unblind else cls.BLINDED

    @property
    def unblinded(self) -> bool:
        return self is Blinding.UNBLINDED

    @property
    def statement(self) -> str:
        """One line for the top of a report or the corner of a figure."""
        if self.unblinded:
            return "UNBLINDED — phase names and treatments shown"
        return "BLINDED — phases shown by code only"


def phase_label(phase: Phase, blinding: Blinding) -> str:
    """"C" when blinded; "C: drug (naltrexone 4.5 mg)" when unblinded."""
    if not blinding.unblinded:
        return phase.code
    return f"{phase.code}: {phase.name} ({phase.treatment})" if phase.treatment else f"{phase.code}: {phase.name}"


def phase_labels(plan: PhasePlan, blinding: Blinding) -> dict[str, str]:
    """Label by phase code, in the plan's order."""
    return {phase.code: phase_label(phase, blinding) for phase in plan}
