"""The scheduled discovery: one alert per shadow model however often it runs, resolved once
the model is registered; the external-ids endpoint's readers."""

import pytest

from governance.auditlog.models import AuditEvent
from governance.notices.models import Notice
from monitoring import tasks
from monitoring.discovery import sagemaker
from monitoring.discovery.readers import DiscoveryConfigError
from monitoring.models import ShadowModel
from registry import services
from tests.monitoring.discovery import registries

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(settings, monkeypatch, mlflow_uri, known):
    monkeypatch.setattr(sagemaker, "client_for", lambda *limits: registries.stubbed_sagemaker())
    settings.ATTEST_DISCOVERY = [
        {"registry": "mlflow", "tracking_uri": mlflow_uri},
        {"registry": "sagemaker", "region": "eu-west-1"},
    ]


def test_two_runs_raise_exactly_one_alert_per_shadow_model(configured, admin_user):
    first = tasks.discover_shadow_models()
    second = tasks.discover_shadow_models()

    assert (first["raised"], second["raised"], second["seen_again"]) == (2, 0, 2)
    alerts = ShadowModel.objects.order_by("registry")
    assert [(a.registry, a.name, a.occurrences) for a in alerts] == [
        ("mlflow", "fraud-scorer", 2),
        ("sagemaker", "fraud-scorer", 2),
    ]
    assert AuditEvent.objects.filter(verb="shadow_model.raised").count() == 2
    assert Notice.objects.filter(recipient=admin_user, kind="shadow_model.raised").count() == 2


def test_registering_the_shadow_resolves_its_alert(configured, owner, credit_pd_model):
    tasks.discover_shadow_models()
    services.register_version(
        actor=owner,
        model=credit_pd_model,
        version="9.0",  # the MLflow shadow, registered by hand
        source_tracker="mlflow",
        external_id="fraud-scorer/1",
    )

    counts = tasks.discover_shadow_models()

    assert counts == {"raised": 0, "seen_again": 1, "resolved": 1, "unreadable": 0}
    resolved = ShadowModel.objects.get(state="resolved")
    assert (resolved.registry, resolved.resolution) == ("mlflow", "registered as retail-pd")
    assert AuditEvent.objects.filter(verb="shadow_model.resolved").count() == 1


def test_nothing_configured_reads_nothing(settings):
    settings.ATTEST_DISCOVERY = []

    assert tasks.discover_shadow_models() == {
        "raised": 0,
        "seen_again": 0,
        "resolved": 0,
        "unreadable": 0,
    }


@pytest.mark.parametrize(("persona", "status"), [("auditor", 200), ("outsider", 403)])
def test_external_ids_are_for_those_who_read_every_model(
    request, api_client, persona, status, known
):
    answer = api_client(request.getfixturevalue(persona)).get("/api/v1/external-ids/")

    assert answer.status_code == status
    if status == 200:
        first = {"model": "retail-pd", "version": "1.0", "tracker": "mlflow"}
        assert answer.json()["versions"][0] == {**first, "external_id": "credit-pd/1"}


def test_a_registry_that_cannot_be_read_leaves_the_others_and_its_alerts_alone(
    configured, settings, free_port_uri
):
    tasks.discover_shadow_models()
    down = {"registry": "mlflow", "tracking_uri": free_port_uri}
    settings.ATTEST_DISCOVERY = [down, settings.ATTEST_DISCOVERY[1]]

    counts = tasks.discover_shadow_models()

    assert (counts["unreadable"], counts["seen_again"], counts["resolved"]) == (1, 1, 0)


def test_a_mistake_in_the_settings_stops_the_run_naming_it(settings):
    settings.ATTEST_DISCOVERY = [{"registry": "databricks", "workspace": "x"}]

    with pytest.raises(DiscoveryConfigError, match="workspace is not an option"):
        tasks.discover_shadow_models()
