"""Thresholds judged on ingestion and by the sweep: alerts, findings, revalidation and the gate."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from governance.approvals.selectors import gate
from governance.auditlog.models import AuditEvent
from governance.findings.models import Finding, RevalidationFlag
from governance.rulebooks import services as rulebooks
from monitoring.models import Alert, HealthCheck
from monitoring.services import alerts, health, ingestion, policies
from registry.services import record_deployment
from tests.risk_answers import TIER_1, US_BANK_SCORECARD, assess


@pytest.fixture
def live_version(developer, owner, pd_version):
    """Version 1.0.0 of the retail PD model, live in production since 60 days ago."""
    record_deployment(
        actor=developer,
        version=pd_version,
        environment="production",
        started_at=timezone.now() - timedelta(days=60),
    )
    return pd_version


@pytest.fixture
def auc_policy(owner, credit_pd_model):
    """AUC at least 0.80 (warning) and 0.78 (critical); material: a critical breach needs
    revalidation."""
    return policies.set_policy(
        actor=owner,
        model=credit_pd_model,
        signal="metric",
        measure="auc",
        direction="higher",
        warning=0.80,
        critical=0.78,
        material=True,
    )


def push_auc(developer, version, *values, days_ago: int = 0):
    now = timezone.now() - timedelta(days=days_ago)
    points = [
        {"name": "auc", "value": value, "timestamp": now - timedelta(hours=len(values) - i)}
        for i, value in enumerate(values)
    ]
    return ingestion.record_metrics(actor=developer, version=version, points=points)


def test_a_critical_breach_on_ingestion_raises_alert_finding_and_revalidation(
    django_capture_on_commit_callbacks, developer, owner, live_version, auc_policy
):
    owner.email = "olivia@bank.example"
    owner.save()
    with django_capture_on_commit_callbacks(execute=True):
        push_auc(developer, live_version, 0.83, 0.81, 0.77)

    alert = Alert.objects.get(model=live_version.model)
    assert (alert.key, alert.severity, alert.state) == ("metric:auc", "critical", "open")
    assert alert.value == pytest.approx(0.77)
    assert (
        "0.77 breaches Metric: AUC (warning at least 0.8, critical at least 0.78)" in alert.message
    )
    assert alert.finding.title == "Metric: AUC below its critical level"
    assert alert.finding.source == Finding.Source.MONITORING
    assert alert.finding.owner == owner
    assert alert.revalidation.cleared_at is None
    assert HealthCheck.objects.get(model=live_version.model, key="metric:auc").status == "critical"
    assert AuditEvent.objects.filter(verb="alert.raised").count() == 1
    assert [m.to for m in mail.outbox] == [["olivia@bank.example"]]
    assert "Revalidation is required" in mail.outbox[0].body
    assert "Threshold: Metric: AUC" in mail.outbox[0].body
    assert "alert raised: Metric: AUC on " in mail.outbox[0].subject
    assert "metric:auc" not in alert.message + alert.finding.title + mail.outbox[0].body


def test_the_revalidation_flag_closes_the_gate(developer, live_version, auc_policy):
    rulebooks.load_shipped()
    push_auc(developer, live_version, 0.70)
    answer, _ = gate.check(live_version, "production")
    unmet = {r.id: r.reason for r in answer.results if not r.passed}
    assert not answer.open
    assert "critical breach: 0.7 breaches Metric: AUC" in unmet["no-revalidation-required"]


def test_a_repeat_breach_updates_the_same_alert(developer, live_version, auc_policy):
    push_auc(developer, live_version, 0.79)
    push_auc(developer, live_version, 0.795)
    alert = Alert.objects.get(model=live_version.model)
    assert (alert.severity, alert.occurrences) == ("warning", 2)
    assert alert.finding is None  # a warning opens no finding

    push_auc(developer, live_version, 0.70)
    alert.refresh_from_db()
    assert (alert.severity, alert.occurrences) == ("critical", 3)
    assert alert.finding is not None
    assert Alert.objects.filter(model=live_version.model).count() == 1
    assert AuditEvent.objects.filter(verb="alert.escalated").count() == 1


def test_recovery_resolves_the_alert_but_keeps_the_finding(developer, live_version, auc_policy):
    push_auc(developer, live_version, 0.70)
    push_auc(developer, live_version, 0.85)
    alert = Alert.objects.get(model=live_version.model)
    assert alert.state == "resolved"
    assert alert.resolution.startswith("recovered: 0.85 within")
    assert alert.finding.status == Finding.Status.OPEN
    # A later breach is a new alert, not the old one re-opened.
    push_auc(developer, live_version, 0.70)
    assert Alert.objects.filter(model=live_version.model).count() == 2
    assert RevalidationFlag.objects.filter(model=live_version.model).count() == 1


def test_consecutive_breaches_before_alerting(developer, owner, credit_pd_model, live_version):
    policies.set_policy(
        actor=owner,
        model=credit_pd_model,
        signal="metric",
        measure="auc",
        direction="higher",
        critical=0.78,
        consecutive=3,
    )
    push_auc(developer, live_version, 0.9, 0.7, 0.7)
    assert not Alert.objects.exists()
    check = HealthCheck.objects.get(key="metric:auc")
    assert check.status == "healthy"
    assert "2 of 3 consecutive breaches needed" in check.reason
    push_auc(developer, live_version, 0.7)
    assert Alert.objects.get().severity == "critical"


def test_minimum_sample_size_leaves_small_batches_unjudged(
    developer, owner, credit_pd_model, live_version
):
    policies.set_policy(
        actor=owner,
        model=credit_pd_model,
        signal="metric",
        measure="auc",
        direction="higher",
        critical=0.78,
        min_sample_size=500,
    )
    now = timezone.now()
    ingestion.record_metrics(
        actor=developer,
        version=live_version,
        points=[{"name": "auc", "value": 0.5, "timestamp": now, "tags": {"sample_size": 40}}],
    )
    check = HealthCheck.objects.get(key="metric:auc")
    assert check.status == "insufficient_data"
    assert "at least 500 needed" in check.reason
    assert not Alert.objects.exists()


def test_versions_not_in_production_are_not_judged(developer, owner, pd_version, auc_policy):
    push_auc(developer, pd_version, 0.5)
    assert not Alert.objects.exists()
    assert not HealthCheck.objects.exists()


def test_the_sweep_raises_a_staleness_alert_from_the_tier_default(
    owner, developer, credit_pd_model, live_version
):
    rulebooks.load_shipped()
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    assess(owner, credit_pd_model, "tiering", TIER_1)
    push_auc(developer, live_version, 0.9, days_ago=10)

    tally = health.sweep()

    assert tally["models"] == 1
    alert = Alert.objects.get(key="freshness:days_since_data")
    assert alert.severity == "critical"  # Tier 1: warning after 3 days, critical after 7
    assert alert.value == pytest.approx(10, abs=0.1)
    assert alert.threshold["origin"] == "Tier 1 (high) default (rulebook default v1)"
    assert alert.finding.title == "Freshness: days since data above its critical level"
    assert alert.revalidation is None  # staleness is not material
    # The tier's other defaults have no data: shown, not alerted.
    assert HealthCheck.objects.get(key="drift:psi").status == "no_data"


def test_a_model_policy_switches_a_tier_default_off(owner, credit_pd_model, live_version):
    rulebooks.load_shipped()
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    assess(owner, credit_pd_model, "tiering", TIER_1)
    policies.set_policy(
        actor=owner,
        model=credit_pd_model,
        signal="fairness",
        measure="four_fifths_ratio",
        direction="higher",
        enabled=False,
        note="No protected attributes are collected for this portfolio",
    )
    health.sweep()
    keys = set(HealthCheck.objects.values_list("key", flat=True))
    assert "fairness:four_fifths_ratio" not in keys
    assert "fairness:demographic_parity_difference" in keys


def test_acknowledge_then_resolve_by_hand(developer, validator, outsider, live_version, auc_policy):
    push_auc(developer, live_version, 0.79)
    alert = Alert.objects.get()
    with pytest.raises(PermissionDenied):
        alerts.acknowledge(actor=outsider, alert=alert, note="mine")
    alerts.acknowledge(actor=validator, alert=alert, note="Looking at the October vintage")
    alerts.resolve(actor=developer, alert=alert, resolution="Recalibrated in 1.0.1")
    alert.refresh_from_db()
    assert alert.state == "resolved"
    assert alert.acknowledged_by == validator
    assert alert.resolved_by == developer
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="alert.").values_list("verb", flat=True)
    )
    assert sorted(verbs) == ["alert.acknowledged", "alert.raised", "alert.resolved"]
