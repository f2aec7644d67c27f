"""Concurrent writers on PostgreSQL: appends queue on the head row and the chain never forks."""

import pytest

from governance.auditlog import selectors
from governance.auditlog.models import AuditEvent
from registry import services
from registry.models import Deployment
from tests.concurrency import in_threads
from tests.factories.registry import ModelVersionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_registrations_leave_one_unbroken_chain(owner):
    def register(index: int) -> None:
        for n in range(5):
            services.register_model(
                actor=owner,
                slug=f"m-{index}-{n}",
                name=f"M {index}.{n}",
                business_unit="Risk",
                model_type="classical_ml",
            )

    assert in_threads(4, register) == []
    assert AuditEvent.objects.filter(verb="model.registered").count() == 20
    assert selectors.audit_chain_break() is None


def test_parallel_deployments_of_one_model_leave_exactly_one_live(owner):
    model = services.register_model(
        actor=owner, slug="fraud", name="Fraud", business_unit="Cards", model_type="classical_ml"
    )
    versions = [ModelVersionFactory(model=model, created_by=owner) for _ in range(4)]

    def deploy(index: int) -> None:
        services.record_deployment(actor=owner, version=versions[index], environment="production")

    errors = in_threads(4, deploy)
    assert len(errors) <= 3  # a writer whose start time lost the race is refused cleanly
    live = Deployment.objects.filter(
        version__model=model, environment="production", ended_at__isnull=True
    )
    assert live.count() == 1
    assert selectors.audit_chain_break() is None
