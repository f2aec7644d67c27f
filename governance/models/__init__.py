"""Governance models: audit trail, accountability, rulebooks, risk assessments and controls."""

from governance.models.assessments import Framework, RiskAssessment
from governance.models.audit import AuditChainHead, AuditEvent
from governance.models.controls import Control, Evidence, ReassessmentFlag
from governance.models.raci import RaciAssignment
from governance.models.rulebooks import Rulebook

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "Control",
    "Evidence",
    "Framework",
    "RaciAssignment",
    "ReassessmentFlag",
    "RiskAssessment",
    "Rulebook",
]
