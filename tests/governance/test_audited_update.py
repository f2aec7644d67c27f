"""One way to change a row (`audit.audited_update`): allowed fields only, checked, and recorded
with what changed; a change that changes nothing writes nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from monitoring.models import MonitoringPolicy
from monitoring.services import policies
from registry import services
from registry.models import CustomField

AUC = {"signal": "metric", "measure": "auc", "direction": "higher", "warning": 0.8, "critical": 0.7}


@pytest.fixture
def region(admin_user) -> CustomField:
    return services.define_custom_field(
        actor=admin_user, key="region", label="Region", field_type="text"
    )


def test_a_change_records_only_the_fields_it_changed(admin_user, region):
    services.update_custom_field(actor=admin_user, field=region, label="Sales region")
    event = AuditEvent.objects.get(verb="customfield.updated")
    assert (event.before, event.after) == ({"label": "Region"}, {"label": "Sales region"})


def test_a_change_that_changes_nothing_writes_nothing(admin_user, region):
    with CaptureQueriesContext(connection) as queries:
        services.update_custom_field(actor=admin_user, field=region, label="Region")
    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_a_field_the_service_does_not_allow_is_refused_by_name_and_nothing_is_written(
    admin_user, region
):
    with pytest.raises(DomainError) as refused:
        services.update_custom_field(actor=admin_user, field=region, key="area", label="Area")
    assert (refused.value.field, refused.value.error_text) == ("key", "cannot be changed here")
    assert CustomField.objects.get(pk=region.pk).label == "Region"
    assert not AuditEvent.objects.filter(verb="customfield.updated").exists()


def test_the_services_own_check_refuses_before_anything_is_saved(admin_user, region):
    with pytest.raises(DomainError) as refused:
        services.update_custom_field(actor=admin_user, field=region, field_type="choice")
    assert refused.value.field == "choices"
    assert CustomField.objects.get(pk=region.pk).field_type == "text"


def test_setting_a_policy_again_unchanged_leaves_it_and_its_setter_alone(
    owner, admin_user, credit_pd_model
):
    policies.set_policy(actor=owner, model=credit_pd_model, **AUC)
    policies.set_policy(actor=admin_user, model=credit_pd_model, **AUC)
    assert MonitoringPolicy.objects.get().set_by == owner
    assert AuditEvent.objects.filter(verb="monitoring.policy_set").count() == 1


def test_a_new_policy_is_recorded_whole_and_a_change_by_its_fields(owner, credit_pd_model):
    policies.set_policy(actor=owner, model=credit_pd_model, **AUC)
    policies.set_policy(actor=owner, model=credit_pd_model, **{**AUC, "warning": 0.85})
    created, changed = AuditEvent.objects.filter(verb="monitoring.policy_set").order_by("seq")
    assert created.before is None
    assert created.after["measure"] == "auc"
    assert (changed.before, changed.after) == ({"warning": 0.8}, {"warning": 0.85})
