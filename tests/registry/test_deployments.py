"""Recording and ending deployments, and which version was serving where at a given instant."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from registry import selectors, services
from registry.models import Deployment, MLModel, ModelVersion
from tests.factories.registry import DeploymentFactory, MLModelFactory, ModelVersionFactory

JAN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
MAR = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
JUN = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
PROD, STAGING = Deployment.Environment.PRODUCTION, Deployment.Environment.STAGING


@pytest.fixture
def v1(credit_pd_model) -> ModelVersion:
    return ModelVersionFactory(model=credit_pd_model, version="1.0")


@pytest.fixture
def v2(credit_pd_model) -> ModelVersion:
    return ModelVersionFactory(model=credit_pd_model, version="2.0")


def deploy(actor, version, at, environment=PROD) -> Deployment:
    return services.record_deployment(
        actor=actor, version=version, environment=environment, started_at=at
    )


def counts() -> tuple[int, int]:
    return Deployment.objects.count(), AuditEvent.objects.count()


def test_recording_a_deployment_stores_it_open_and_audits_the_version_label(owner, v1):
    deployment = deploy(owner, v1, JAN)
    stored = Deployment.objects.get(pk=deployment.pk)
    assert (stored.version, stored.started_at, stored.ended_at) == (v1, JAN, None)
    assert stored.recorded_by == owner
    event = AuditEvent.objects.get(verb="deployment.recorded")
    assert (event.mlmodel_id, event.after["version_label"]) == (v1.model_id, "1.0")
    assert event.after["started_at"] == JAN.isoformat()


def test_without_a_start_time_the_deployment_starts_now(owner, v1):
    with time_machine.travel(MAR, tick=False):
        deployment = services.record_deployment(actor=owner, version=v1, environment=PROD)
    assert Deployment.objects.get(pk=deployment.pk).started_at == MAR


def test_v2_in_production_ends_v1_there_at_v2s_start(owner, v1, v2):
    first = deploy(owner, v1, JAN)
    deploy(owner, v2, MAR)
    first.refresh_from_db()
    assert first.ended_at == MAR
    ended = AuditEvent.objects.get(verb="deployment.ended")
    assert (ended.target_id, ended.mlmodel_id) == (str(first.pk), v1.model_id)
    assert (ended.before, ended.after) == ({"ended_at": None}, {"ended_at": MAR.isoformat()})


def test_staging_deployments_are_independent_of_production(owner, v1, v2):
    in_staging = deploy(owner, v1, JAN, STAGING)
    deploy(owner, v2, MAR, PROD)
    in_staging.refresh_from_db()
    assert in_staging.ended_at is None
    assert not AuditEvent.objects.filter(verb="deployment.ended").exists()


@pytest.mark.parametrize("start", [JAN, JAN - dt.timedelta(days=1)])
def test_a_deployment_not_after_the_latest_recorded_one_is_refused(owner, v1, v2, start):
    first = deploy(owner, v1, JAN)
    before = counts()
    with pytest.raises(DomainError) as refused:
        deploy(owner, v2, start)
    assert refused.value.field == "started_at"
    assert "overlaps a deployment in production" in refused.value.error_text
    assert counts() == before
    first.refresh_from_db()
    assert first.ended_at is None


def test_a_deployment_starting_inside_an_ended_window_is_refused(owner, v1, v2):
    first = deploy(owner, v1, JAN)
    services.end_deployment(actor=owner, deployment=first, ended_at=JUN)
    before = counts()
    with pytest.raises(DomainError) as refused:
        deploy(owner, v2, MAR)
    assert refused.value.field == "started_at"
    assert counts() == before


def test_an_unknown_environment_is_refused_and_writes_nothing(owner, v1):
    before = counts()
    with pytest.raises(DomainError) as refused:
        deploy(owner, v1, JAN, "canary")
    assert refused.value.field == "environment"
    assert counts() == before


def test_ending_a_deployment_sets_its_end_and_is_audited(owner, v1):
    deployment = deploy(owner, v1, JAN)
    services.end_deployment(actor=owner, deployment=deployment, ended_at=JUN)
    assert Deployment.objects.get(pk=deployment.pk).ended_at == JUN
    event = AuditEvent.objects.get(verb="deployment.ended")
    assert (event.actor, event.mlmodel_id, event.after) == (
        owner,
        v1.model_id,
        {"ended_at": JUN.isoformat()},
    )


@pytest.mark.parametrize(
    ("end_first", "ended_at"), [(True, JUN), (False, JAN), (False, JAN - dt.timedelta(1))]
)
def test_ending_twice_or_before_the_start_is_refused_and_writes_nothing(
    owner, v1, end_first, ended_at
):
    deployment = deploy(owner, v1, JAN)
    if end_first:
        services.end_deployment(actor=owner, deployment=deployment, ended_at=MAR)
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.end_deployment(actor=owner, deployment=deployment, ended_at=ended_at)
    assert refused.value.field == "ended_at"
    assert counts() == before
    assert Deployment.objects.get(pk=deployment.pk).ended_at == (MAR if end_first else None)


@pytest.mark.parametrize("persona", ["auditor", "outsider", "validator", "committee_member"])
def test_personas_without_change_rights_cannot_record_or_end_deployments(
    persona, request, owner, v1
):
    actor = request.getfixturevalue(persona)
    live = deploy(owner, v1, JAN, STAGING)
    before = counts()
    with pytest.raises(PermissionDenied):
        deploy(actor, v1, MAR)
    with pytest.raises(PermissionDenied):
        services.end_deployment(actor=actor, deployment=live, ended_at=MAR)
    assert counts() == before


def test_developer_responsible_for_development_may_record_a_deployment(developer, v1):
    deploy(developer, v1, JAN)
    assert AuditEvent.objects.get(verb="deployment.recorded").actor == developer


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (JAN - dt.timedelta(seconds=1), None),
        (JAN, "1.0"),
        (dt.datetime(2026, 2, 14, tzinfo=dt.UTC), "1.0"),
        (MAR - dt.timedelta(seconds=1), "1.0"),
        (MAR, "2.0"),
        (JUN - dt.timedelta(seconds=1), "2.0"),
        (JUN, None),
        (dt.datetime(2027, 1, 1, tzinfo=dt.UTC), None),
    ],
)
def test_serving_deployment_names_the_version_live_in_production_at_that_instant(
    owner, v1, v2, at, expected
):
    deploy(owner, v1, JAN)
    services.end_deployment(actor=owner, deployment=deploy(owner, v2, MAR), ended_at=JUN)
    serving = selectors.serving_deployment(model=v1.model, environment=PROD, at=at)
    assert (serving.version.version if serving else None) == expected


def test_serving_deployment_looks_only_at_the_asked_environment_and_model(owner, v1):
    deploy(owner, v1, JAN, STAGING)
    DeploymentFactory(started_at=JAN)
    assert selectors.serving_deployment(model=v1.model, environment=PROD, at=MAR) is None
    assert selectors.serving_deployment(model=v1.model, environment=STAGING, at=MAR).version == v1


def test_serving_at_answers_for_several_models_in_one_query(db, django_assert_num_queries):
    models = MLModelFactory.create_batch(3)
    for model, start in zip(models, (JAN, MAR, JUN), strict=True):
        DeploymentFactory(version__model=model, started_at=start)
    DeploymentFactory(version__model=models[0], started_at=JAN, environment=STAGING)
    DeploymentFactory(started_at=JAN)
    with django_assert_num_queries(1):
        rows = selectors.serving_at(
            models=MLModel.objects.filter(pk__in=[m.pk for m in models]), environment=PROD, at=MAR
        )
        serving = {d.version.model.name: d.environment for d in rows}
    assert serving == {models[0].name: PROD, models[1].name: PROD}
