"""Governance models: audit trail, accountability, rulebooks, risk, controls and approvals."""

from governance.models.approvals import (
    ApprovalRequest,
    Attachment,
    Condition,
    Gate,
    Reminder,
    SignOff,
)
from governance.models.assessments import Framework, RiskAssessment
from governance.models.audit import AuditChainHead, AuditEvent
from governance.models.controls import Control, Evidence, ReassessmentFlag
from governance.models.findings import Finding, PolicyException, RevalidationFlag
from governance.models.raci import RaciAssignment
from governance.models.rulebooks import Rulebook
from governance.models.tokens import ApiToken, ServiceAccount

__all__ = [
    "ApiToken",
    "ApprovalRequest",
    "Attachment",
    "AuditChainHead",
    "AuditEvent",
    "Condition",
    "Control",
    "Evidence",
    "Finding",
    "Framework",
    "Gate",
    "PolicyException",
    "RaciAssignment",
    "ReassessmentFlag",
    "Reminder",
    "RevalidationFlag",
    "RiskAssessment",
    "Rulebook",
    "ServiceAccount",
    "SignOff",
]
