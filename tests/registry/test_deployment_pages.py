"""Recording and ending deployments in the web UI: the owner's form, the gate's say, the lists."""

import datetime as dt

import pytest
from django.urls import reverse

from governance.auditlog.models import AuditEvent
from governance.findings.models import Finding
from registry import services
from registry.models import Deployment, ModelVersion
from tests.factories.registry import ModelVersionFactory
from tests.governance.approvals.conftest import (  # noqa: F401 - fixtures
    approved_for_production,
    pd_v1,
    tier3_ready,
    validated,
)
from tests.governance.conftest import scoped_pd_model, shipped_rulebooks  # noqa: F401 - fixtures

JAN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
MAR = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


@pytest.fixture
def v1(credit_pd_model) -> ModelVersion:
    return ModelVersionFactory(model=credit_pd_model, version="1.0")


def record_url(version: ModelVersion) -> str:
    return reverse("registry:deployment-record", args=[version.model.slug, version.version])


def end_url(deployment: Deployment) -> str:
    return reverse("registry:deployment-end", args=[deployment.version.model.slug, deployment.pk])


def posted(**overrides: object) -> dict[str, object]:
    """The form as sent; the gate is closed for a version without approvals, so it is ticked."""
    sent = {"environment": "production", "endpoint": "https://pricing.example/pd"}
    return sent | {"through_closed_gate": "on"} | overrides


def counts() -> tuple[int, int]:
    return Deployment.objects.count(), AuditEvent.objects.count()


def test_the_owner_records_a_deployment_starting_now_and_it_is_audited(client, owner, v1):
    client.force_login(owner)
    response = client.post(record_url(v1), posted(), follow=True)
    deployment = Deployment.objects.get(version=v1)
    assert response.redirect_chain[-1][0] == v1.get_absolute_url()
    assert (deployment.environment, deployment.endpoint) == ("production", posted()["endpoint"])
    assert (deployment.recorded_by, deployment.ended_at) == (owner, None)
    event = AuditEvent.objects.get(verb="deployment.recorded")
    assert (event.actor, event.mlmodel_id) == (owner, v1.model_id)
    assert "Retail PD scorecard 1.0 is live in Production" in response.content.decode()


def test_a_start_time_in_the_form_is_kept(client, owner, v1):
    client.force_login(owner)
    client.post(record_url(v1), posted(started_at="2026-03-01T00:00"))
    assert Deployment.objects.get(version=v1).started_at == MAR


def test_the_environment_in_the_address_is_chosen_already(client, owner, v1):
    client.force_login(owner)
    response = client.get(record_url(v1) + "?environment=staging")
    assert response.context["form"]["environment"].value() == "staging"


def test_a_bad_environment_is_shown_beside_it_and_nothing_is_written(client, owner, v1):
    client.force_login(owner)
    before = counts()
    response = client.post(record_url(v1), posted(environment="moon"))
    assert response.status_code == 200
    assert "environment" in response.context["form"].errors
    assert counts() == before


def test_a_start_overlapping_a_later_deployment_is_refused_on_the_start_field(client, owner, v1):
    services.record_deployment(actor=owner, version=v1, environment="production", started_at=MAR)
    client.force_login(owner)
    before = counts()
    response = client.post(record_url(v1), posted(started_at="2026-01-01T00:00"))
    assert "overlaps a deployment" in response.context["form"].errors["started_at"][0]
    assert 'id="id_started_at_error"' in response.content.decode()
    assert counts() == before


def test_a_closed_gate_is_named_before_anything_is_written(client, owner, v1):
    client.force_login(owner)
    before = counts()
    response = client.post(record_url(v1), posted(through_closed_gate=""))
    error = response.context["form"].errors["through_closed_gate"][0]
    assert error.startswith("The deployment gate to Production is closed. Unmet: ")
    assert "no approval of this version for deployment to production" in error
    assert counts() == before


def test_through_a_closed_gate_when_ticked_it_is_a_recorded_breach(client, owner, v1):
    client.force_login(owner)
    response = client.post(record_url(v1), posted(), follow=True)
    deployment = Deployment.objects.get(version=v1)
    assert deployment.gate_open is False
    assert AuditEvent.objects.filter(verb="deployment.policy_breach").exists()
    assert Finding.objects.filter(model=v1.model).exists()
    assert "through a closed deployment gate" in response.content.decode()


def test_through_an_open_gate_it_is_recorded_without_asking(
    client,
    owner,
    approved_for_production,  # noqa: F811 - a fixture
    validated,  # noqa: F811 - a fixture
):
    client.force_login(owner)
    response = client.post(record_url(validated), posted(through_closed_gate=""), follow=True)
    assert Deployment.objects.get(version=validated).gate_open is True
    assert "the deployment gate was open" in response.content.decode()


def test_the_approval_page_offers_the_owner_to_record_once_the_gate_is_open(
    client,
    owner,
    validator,
    approved_for_production,  # noqa: F811 - a fixture
    validated,  # noqa: F811 - a fixture
):
    page = reverse("approvals:request-detail", args=[approved_for_production.pk])
    client.force_login(owner)
    assert f'{record_url(validated)}?environment=production"' in client.get(page).content.decode()
    client.force_login(validator)
    assert record_url(validated) not in client.get(page).content.decode()


def test_who_may_not_change_the_model_sees_no_button_and_is_refused(client, validator, v1):
    client.force_login(validator)
    assert record_url(v1) not in client.get(v1.get_absolute_url()).content.decode()
    before = counts()
    assert client.get(record_url(v1)).status_code == 403
    assert client.post(record_url(v1), posted()).status_code == 403
    assert counts() == before


def test_the_version_page_offers_the_owner_the_form(client, owner, v1):
    client.force_login(owner)
    assert record_url(v1) in client.get(v1.get_absolute_url()).content.decode()


def test_who_cannot_see_the_model_gets_not_found(client, outsider, v1):
    client.force_login(outsider)
    assert client.post(record_url(v1), posted()).status_code == 404


def test_the_owner_ends_a_live_deployment_and_it_is_audited(client, owner, v1):
    live = services.record_deployment(actor=owner, version=v1, environment="production")
    client.force_login(owner)
    response = client.post(end_url(live), {"back": "version"})
    assert response["Location"] == v1.get_absolute_url()
    live.refresh_from_db()
    assert live.ended_at is not None
    assert AuditEvent.objects.get(verb="deployment.ended").actor == owner


def test_ending_an_ended_deployment_says_so_and_changes_nothing(client, owner, v1):
    live = services.record_deployment(actor=owner, version=v1, environment="production")
    services.end_deployment(actor=owner, deployment=live)
    client.force_login(owner)
    before = counts()
    response = client.post(end_url(live), follow=True)
    assert "this deployment has already ended" in response.content.decode()
    assert counts() == before


def test_who_may_not_change_the_model_cannot_end_a_deployment(client, owner, validator, v1):
    live = services.record_deployment(actor=owner, version=v1, environment="production")
    client.force_login(validator)
    assert client.post(end_url(live)).status_code == 403
    live.refresh_from_db()
    assert live.ended_at is None


def test_the_model_page_lists_live_and_past_deployments_with_who_recorded_them(
    client, owner, validator, v1
):
    services.record_deployment(actor=owner, version=v1, environment="staging", started_at=JAN)
    past = Deployment.objects.get()
    services.end_deployment(actor=owner, deployment=past, ended_at=MAR)
    live = services.record_deployment(actor=owner, version=v1, environment="production")
    client.force_login(owner)
    page = client.get(v1.model.get_absolute_url()).content.decode()
    assert f'id="deployment-{past.pk}"' in page and f'id="deployment-{live.pk}"' in page
    assert "recorded by Olivia Owner" in page and "{#" not in page
    assert end_url(live) in page and end_url(past) not in page
    client.force_login(validator)
    assert end_url(live) not in client.get(v1.model.get_absolute_url()).content.decode()
