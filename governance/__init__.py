"""Attest's Django project: settings, URLs, the platform every capability shares, and one
sub-package per governance capability (access, approvals, auditlog, findings, risk, rulebooks).

Nothing is imported here, so that importing a pure rules module (`governance.risk.rules`) loads
neither Django nor Celery; the Celery app is loaded by `GovernanceConfig.ready()`.
"""
