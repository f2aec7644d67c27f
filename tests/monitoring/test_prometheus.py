"""/metrics: what Prometheus scrapes, who may scrape it, and what a scrape costs."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from governance.access.services import tokens
from governance.risk.models import RiskAssessment
from governance.rulebooks.models import Rulebook
from monitoring.models import Alert, HealthCheck, IngestionBatch
from monitoring.prometheus import AttestCollector
from registry.models import Deployment, MLModel
from tests.factories.accounts import UserFactory
from tests.factories.governance import RulebookFactory
from tests.factories.registry import DeploymentFactory, MLModelFactory, ModelVersionFactory
from tests.monitoring.conftest import token_client

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def in_production(slug: str, business_unit: str, *statuses: str, tier: str = "") -> MLModel:
    """A model live in production, with one health check per status and, if given, a tier."""
    model = MLModelFactory(slug=slug, business_unit=business_unit, status="production")
    deployment = DeploymentFactory(
        version=ModelVersionFactory(model=model), started_at=timezone.now() - timedelta(days=30)
    )
    for n, status in enumerate(statuses):
        HealthCheck.objects.create(
            model=model,
            version=deployment.version,
            key=f"metric:m{n}",
            status=status,
            reason="test",
            checked_at=timezone.now(),
        )
    if tier:
        RiskAssessment.objects.create(
            framework="tiering",
            model=model,
            rulebook=RulebookFactory(kind=Rulebook.Kind.TIERING, name=f"tiering-{slug}"),
            status=RiskAssessment.Status.COMPLETED,
            result=tier,
            assessed_by=model.owner,
            valid_from=timezone.now() - timedelta(days=60),
        )
    return model


def alert(model: MLModel, key: str, severity: str, state: str) -> Alert:
    now = timezone.now()
    return Alert.objects.create(
        model=model,
        key=key,
        severity=severity,
        state=state,
        message="test",
        opened_at=now,
        last_seen_at=now,
    )


def batch(actor: AbstractBaseUser, source: str, counts: dict[str, int]) -> IngestionBatch:
    return IngestionBatch.objects.create(
        actor=actor,
        source=source,
        method="POST",
        path="/api/v1/test/",
        request_sha256="0" * 64,
        counts=counts,
        status_code=201,
    )


@pytest.fixture
def portfolio(db) -> dict[str, MLModel]:
    """Three production models (worst status warning, critical, never checked), one in staging
    with a critical check that must not count, one retired; alerts in every state; batches."""
    pd = in_production("retail-pd", "Retail Credit", "healthy", "warning", tier="tier_1")
    fraud = in_production("card-fraud", "Payments", "no_data", "critical", tier="tier_2")
    chatbot = in_production("service-bot", "Service")
    staged = MLModelFactory(slug="staged", business_unit="Payments", status="validation")
    DeploymentFactory(
        version=ModelVersionFactory(model=staged), environment=Deployment.Environment.STAGING
    )
    HealthCheck.objects.create(
        model=staged, key="metric:auc", status="critical", reason="test", checked_at=timezone.now()
    )
    MLModelFactory(slug="old-pd", business_unit="Retail Credit", status="retired")
    alert(pd, "metric:auc", "warning", "acknowledged")
    alert(fraud, "metric:auc", "critical", "open")
    alert(fraud, "drift:psi", "critical", "open")
    alert(chatbot, "metric:auc", "warning", "resolved")
    pipeline = UserFactory(username="ci")
    batch(pipeline, "metric-points", {"metric_points": 1000})
    batch(pipeline, "metric-points", {"metric_points": 500, "fairness_results": 2})
    batch(pipeline, "evidence-files", {"evidence_files": 1})
    batch(pipeline, "evidence-files", {})
    return {"pd": pd, "fraud": fraud, "chatbot": chatbot}


@pytest.fixture
def scraper(admin_user) -> AbstractBaseUser:
    """prometheus, a service account allowed to see alerts across the portfolio."""
    account = tokens.create_service_account(actor=admin_user, username="prometheus")
    account.user_permissions.add(
        Permission.objects.get(content_type__app_label="monitoring", codename="view_alert")
    )
    return account


@pytest.fixture
def scraper_client(admin_user, scraper) -> APIClient:
    _, key = tokens.issue_token(actor=admin_user, user=scraper, name="prometheus")
    return token_client(key)


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def named(samples: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    return {labels: value for (n, labels), value in samples.items() if n == name}


def labels(**pairs: str) -> frozenset[tuple[str, str]]:
    return frozenset(pairs.items())


@pytest.fixture
def scrape(portfolio, scraper_client) -> HttpResponse:
    # What Prometheus 3 sends; DRF alone would refuse every type in it but */*.
    accept = "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3"
    return scraper_client.get("/metrics", HTTP_ACCEPT=accept)


@pytest.fixture
def scraped(scrape) -> Samples:
    return parse(scrape.content.decode())


def test_metrics_output_parses_with_prometheus_clients_parser(scrape):
    assert scrape.status_code == 200
    assert scrape["Content-Type"] == CONTENT_TYPE_LATEST
    families = text_string_to_metric_families(scrape.content.decode())
    # Only Attest's own families: no process or Python metrics of whichever worker answered.
    assert {family.name: family.type for family in families} == {
        "attest_production_models": "gauge",
        "attest_model_health": "gauge",
        "attest_alerts_open": "gauge",
        "attest_models": "gauge",
        "attest_ingestion_batches": "counter",
        "attest_ingested_records": "counter",
    }


def test_model_health_is_the_worst_check_of_each_production_model(scraped):
    assert named(scraped, "attest_model_health") == {
        labels(model="retail-pd", business_unit="Retail Credit", tier="tier_1"): 2,
        labels(model="card-fraud", business_unit="Payments", tier="tier_2"): 3,
        labels(model="service-bot", business_unit="Service", tier=""): 1,
    }
    assert named(scraped, "attest_production_models") == {labels(): 3}


def test_unresolved_alerts_are_counted_for_every_severity_and_state(scraped):
    assert named(scraped, "attest_alerts_open") == {
        labels(severity="critical", state="open"): 2,
        labels(severity="critical", state="acknowledged"): 0,
        labels(severity="warning", state="open"): 0,
        labels(severity="warning", state="acknowledged"): 1,
    }


def test_inventory_counts_every_status_per_business_unit(scraped):
    counted = named(scraped, "attest_models")
    assert {key: n for key, n in counted.items() if n} == {
        labels(status="production", business_unit="Retail Credit"): 1,
        labels(status="retired", business_unit="Retail Credit"): 1,
        labels(status="production", business_unit="Payments"): 1,
        labels(status="validation", business_unit="Payments"): 1,
        labels(status="production", business_unit="Service"): 1,
    }
    assert len(counted) == 3 * len(MLModel.Status.values)


def test_ingestion_counters_sum_batches_and_their_counts_by_source(scraped):
    assert named(scraped, "attest_ingestion_batches_total") == {
        labels(source="metric-points"): 2,
        labels(source="evidence-files"): 2,
    }
    assert named(scraped, "attest_ingested_records_total") == {
        labels(source="metric-points", kind="metric_points"): 1500,
        labels(source="metric-points", kind="fairness_results"): 2,
        labels(source="evidence-files", kind="evidence_files"): 1,
    }


def test_a_scrape_costs_the_same_queries_for_more_models(portfolio):
    with CaptureQueriesContext(connection) as before:
        list(AttestCollector().collect())
    for n in range(3):
        in_production(f"extra-{n}", f"Unit {n}", "healthy", "warning", tier="tier_3")
    with CaptureQueriesContext(connection) as after:
        families = list(AttestCollector().collect())
    assert len(after) == len(before)
    health = next(f for f in families if f.name == "attest_model_health")
    assert len(health.samples) == 6


def test_anonymous_scrape_is_asked_for_a_token(portfolio):
    response = APIClient().get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_unknown_token_is_refused(portfolio):
    assert token_client("att_not-a-real-key").get("/metrics").status_code == 401


def test_user_without_monitoring_rights_is_forbidden(outsider):
    _, key = tokens.issue_token(actor=outsider, user=outsider, name="grafana")
    assert token_client(key).get("/metrics").status_code == 403


@pytest.mark.parametrize("staff", [True, False])
def test_logged_in_staff_or_alert_viewers_may_scrape(client, portfolio, staff):
    user = UserFactory(username="sre", is_staff=staff)
    if not staff:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="monitoring", codename="view_alert")
        )
    client.force_login(user)
    assert client.get("/metrics").status_code == 200
