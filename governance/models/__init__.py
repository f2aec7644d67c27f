"""Governance models: the audit trail, accountability (RACI) and role definitions."""

from governance.models.audit import AuditChainHead, AuditEvent
from governance.models.raci import RaciAssignment

__all__ = ["AuditChainHead", "AuditEvent", "RaciAssignment"]
