"""Governance models: audit trail, accountability, rulebooks, risk, controls and approvals."""

from governance.access.models import ApiToken, RaciAssignment, ServiceAccount, ValidatorRequest
from governance.approvals.models import (
    ApprovalRequest,
    Attachment,
    Condition,
    Gate,
    Reminder,
    SignOff,
    ValidationReport,
)
from governance.auditlog.models import AuditChainHead, AuditEvent
from governance.findings.models import Finding, PolicyException, RevalidationFlag, RiskAcceptance
from governance.notices.models import Notice
from governance.risk.models import (
    Control,
    Evidence,
    Framework,
    ReassessmentFlag,
    RiskAssessment,
    Waiver,
)
from governance.rulebooks.models import Publication, Rulebook

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
    "Notice",
    "PolicyException",
    "Publication",
    "RaciAssignment",
    "ReassessmentFlag",
    "Reminder",
    "RevalidationFlag",
    "RiskAcceptance",
    "RiskAssessment",
    "Rulebook",
    "ServiceAccount",
    "SignOff",
    "ValidationReport",
    "ValidatorRequest",
    "Waiver",
]
