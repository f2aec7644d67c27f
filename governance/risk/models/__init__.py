"""Risk tables: assessments, each model's obligations (controls), their evidence, reassessment flags."""

from governance.risk.models.assessments import Framework, RiskAssessment
from governance.risk.models.controls import (
    Control,
    DraftEvidence,
    Evidence,
    ReassessmentFlag,
    Waiver,
)

__all__ = [
    "Control",
    "DraftEvidence",
    "Evidence",
    "Framework",
    "ReassessmentFlag",
    "RiskAssessment",
    "Waiver",
]
