"""The scheduled audit-chain check, on a real worker when CI provides a broker."""

import pytest

from governance.auditlog import tasks
from governance.auditlog.models import AuditEvent
from registry import services

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_scheduled_chain_check_records_an_intact_verdict(owner):
    services.register_model(
        actor=owner, slug="pd", name="PD", business_unit="Credit", model_type="classical_ml"
    )
    verdict = tasks.record_audit_chain_check.delay().get(timeout=60)
    assert verdict["intact"] is True
    event = AuditEvent.objects.get(verb="audit.verified")
    assert event.after == verdict
