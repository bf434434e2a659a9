"""The analysis layer: pure functions over tidy data, and the figures.

Inputs (`inputs`): tidy trial rows, diary entries, participants, a study's phases. Per visit
(`visit_summary`), per participant across the study (`course`, `diary`, `outcome`), the
cohort (`cohort`, `stats`), z-scores against a reference table (`zscore`,
`reference_table`, `site_map`, `transforms`), text (`report_text`, `sparkline`) and figures
(`qst.analysis.plots`, imported on demand: it loads matplotlib). Every report object carries
its `Blinding`: phase codes only unless `unblind=True`.
"""

from qst.analysis.blinding import Blinding, phase_label, phase_labels
from qst.analysis.cohort import CohortReport, CohortRow, MeasureComparison, PhaseEstimate, cohort_report
from qst.analysis.course import LabPhaseValue, ParticipantCourse, PrimaryOutcome, participant_course
from qst.analysis.errors import AnalysisError, ReferenceTableError
from qst.analysis.inputs import DiaryEntry, Participant, Phase, PhasePlan, Trial, trials_from_rows
from qst.analysis.outcome import OutcomeSettings, is_responder, percent_change, reduction_over_placebo
from qst.analysis.reference_table import ReferenceRow, ReferenceTable, dfns_table, load_reference_table
from qst.analysis.site_map import SiteMap, SiteRule, default_site_map, load_site_map
from qst.analysis.sparkline import sparkline
from qst.analysis.stats import MeanCI, PairedComparison, Regression, linear_regression, mean_ci, paired_comparison
from qst.analysis.visit_summary import VisitTestSummary, summarize_visits
from qst.analysis.zscore import ZScore, ZScoreSettings, visit_zscores, zscore

__all__ = [
    "AnalysisError", "Blinding", "CohortReport", "CohortRow", "DiaryEntry", "LabPhaseValue", "MeanCI",
    "MeasureComparison", "OutcomeSettings", "PairedComparison", "Participant", "ParticipantCourse", "Phase",
    "PhaseEstimate", "PhasePlan", "PrimaryOutcome", "ReferenceRow", "ReferenceTable", "ReferenceTableError",
    "Regression", "SiteMap", "SiteRule", "Trial", "VisitTestSummary", "ZScore", "ZScoreSettings", "cohort_report",
    "default_site_map", "dfns_table", "is_responder", "linear_regression", "load_reference_table", "load_site_map",
    "mean_ci", "paired_comparison", "participant_course", "percent_change", "phase_label", "phase_labels",
    "reduction_over_placebo", "sparkline", "summarize_visits", "trials_from_rows", "visit_zscores", "zscore",
]
