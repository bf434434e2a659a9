"""Which treatment each phase code stands for: read from the study definition, only to unblind.

The store itself keeps phase codes only; the definition is the study's TOML as `add_study`
stored it, read by `qst.study.load_study`.
"""

from __future__ import annotations

from qst.store.errors import StoreError


def treatments(definition_text: str) -> dict[str, str]:
    """Phase code → treatment (e.g. {"A": "none", "B": "placebo", ...})."""
    from qst.study import StudyError, load_study

    try:
        study = load_study(definition_text, source="the stored study definition")
    except StudyError as error:
        raise StoreError(f"cannot unblind: {error}") from None
    return {phase.code: phase.treatment for phase in study.phases}
