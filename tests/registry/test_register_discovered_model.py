"""A shadow model registered as a draft for its owner, by whoever may register models."""

import pytest
from django.core.exceptions import PermissionDenied

from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from registry.models import MLModel
from registry.services.discovery import register_discovered_model

pytestmark = pytest.mark.django_db
FOUND = {
    "slug": "fraud-scorer",
    "name": "fraud-scorer",
    "business_unit": "Fraud",
    "model_type": "classical_ml",
    "found_in": "mlflow at http://mlflow:5000",
    "tracker": "mlflow",
    "versions": [{"version": "3", "external_id": "fraud-scorer/3", "aliases": ["champion"]}],
}


def test_a_developer_registers_the_draft_for_the_owner_and_is_made_responsible(developer, owner):
    model = register_discovered_model(actor=developer, owner=owner, **FOUND)

    assert (model.status, model.owner) == (MLModel.Status.DEVELOPMENT, owner)
    version = model.versions.get()
    assert (version.external_id, version.aliases) == ("fraud-scorer/3", ["champion"])
    verbs = list(AuditEvent.objects.filter(mlmodel_id=model.pk).values_list("verb", flat=True))
    assert {"model.registered", "version.registered", "model.discovered"} <= set(verbs)


def test_the_owner_must_hold_the_model_owner_role(developer, auditor):
    with pytest.raises(DomainError, match="only a model owner can own a model"):
        register_discovered_model(actor=developer, owner=auditor, **FOUND)
    assert not MLModel.objects.exists()


def test_an_auditor_may_not_register_shadow_models(auditor, owner):
    with pytest.raises(PermissionDenied):
        register_discovered_model(actor=auditor, owner=owner, **FOUND)
