"""Governance models: audit trail, accountability, rulebooks, risk, controls and approvals."""

from governance.access.models import ApiToken, RaciAssignment, ServiceAccount
from governance.approvals.models import (
    ApprovalRequest,
    Attachment,
    Condition,
    Gate,
    Reminder,
    SignOff,
)
from governance.auditlog.models import AuditChainHead, AuditEvent
from governance.findings.models import Finding, PolicyException, RevalidationFlag
from governance.notices.models import Notice
from governance.risk.models import Control, Evidence, Framework, ReassessmentFlag, RiskAssessment
from governance.rulebooks.models import Rulebook

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
    "RaciAssignment",
    "ReassessmentFlag",
    "Reminder",
    "RevalidationFlag",
    "RiskAssessment",
    "Rulebook",
    "ServiceAccount",
    "SignOff",
]
