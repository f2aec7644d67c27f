"""Monitoring pages: the fleet, a model's monitoring tab, alerts, policies and incidents."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.rulebooks import services as rulebooks
from monitoring.ingest.bundle import Bundle
from monitoring.models import Alert, MonitoringPolicy
from monitoring.services import ingestion, policies
from registry import services
from registry.models import MLModel, ModelVersion
from tests.risk_answers import TIER_1, US_BANK_SCORECARD, assess

pytestmark = pytest.mark.django_db

FLEET = reverse("monitoring:fleet")
TAB = reverse("monitoring:model-monitoring", args=["retail-pd"])


def deploy(actor, version: ModelVersion, days_ago: int) -> ModelVersion:
    services.record_deployment(
        actor=actor,
        version=version,
        environment="production",
        started_at=timezone.now() - timedelta(days=days_ago),
    )
    return version


def auc_policy(actor, model: MLModel) -> MonitoringPolicy:
    """AUC at least 0.80 (warning) and 0.78 (critical)."""
    return policies.set_policy(
        actor=actor,
        model=model,
        signal="metric",
        measure="auc",
        direction="higher",
        warning=0.80,
        critical=0.78,
    )


def push(actor, version: ModelVersion, name: str, *values: float) -> None:
    now = timezone.now()
    points = [
        {"name": name, "value": value, "timestamp": now - timedelta(hours=len(values) - i)}
        for i, value in enumerate(values)
    ]
    ingestion.record_metrics(actor=actor, version=version, points=points)


@pytest.fixture
def live(owner, credit_pd_model, pd_version) -> ModelVersion:
    """Version 1.0.0 of the retail PD model: live for 60 days, AUC policy set, AUC at 0.70."""
    deploy(owner, pd_version, 60)
    auc_policy(owner, credit_pd_model)
    push(owner, pd_version, "auc", 0.83, 0.70)
    return pd_version


def production_model(owner, slug: str, auc: float) -> MLModel:
    """Another of Olivia's models in production with the AUC policy and one AUC point."""
    model = services.register_model(
        actor=owner, slug=slug, name=slug.title(), business_unit="Cards", model_type="vendor"
    )
    version = deploy(owner, services.register_version(actor=owner, model=model, version="1"), 5)
    auc_policy(owner, model)
    push(owner, version, "auc", auc)
    return model


# ---- Fleet --------------------------------------------------------------------------------------


def test_the_fleet_lists_the_critical_model_first_with_its_open_alerts(client, owner, live):
    production_model(owner, "cards-fraud", 0.9)
    client.force_login(owner)
    response = client.get(FLEET)

    rows = list(response.context["page"])
    assert [(r.model.slug, r.health, dict(r.open_alerts)) for r in rows] == [
        ("retail-pd", "critical", {"critical": 1}),
        ("cards-fraud", "healthy", {}),
    ]
    assert rows[0].deployment.version == live
    assert rows[0].newest_data == live.metric_points.latest("timestamp").timestamp
    assert response.context["counts"] == {
        "critical": 1,
        "warning": 0,
        "no_data": 0,
        "insufficient_data": 0,
        "healthy": 1,
    }
    assert "Retail Credit" in response.content.decode()


def test_the_fleet_filters_by_health_and_shows_the_tier(client, owner, credit_pd_model, live):
    rulebooks.load_shipped()
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    assess(owner, credit_pd_model, "tiering", TIER_1)
    production_model(owner, "cards-fraud", 0.9)
    client.force_login(owner)

    response = client.get(FLEET, {"status": "healthy"})

    assert [r.model.slug for r in response.context["page"]] == ["cards-fraud"]
    response = client.get(FLEET, {"status": "critical"})
    assert [r.tier for r in response.context["page"]] == ["tier_1"]
    assert "Tier 1 (high)" in response.content.decode()


def test_the_fleet_shows_only_models_the_user_may_see(client, outsider, live):
    client.force_login(outsider)
    response = client.get(FLEET)
    assert list(response.context["page"]) == []
    assert "No production model matches." in response.content.decode()


def test_the_fleet_reads_as_many_queries_for_20_models_as_for_3(
    client, owner, live, django_assert_max_num_queries
):
    for n in range(2):
        production_model(owner, f"model-{n}", 0.79)
    client.force_login(owner)
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(FLEET).context["page"]) == 3
    for n in range(2, 19):
        production_model(owner, f"model-{n}", 0.79)

    with django_assert_max_num_queries(len(three)):
        assert len(client.get(FLEET).context["page"]) == 20


# ---- The model's monitoring tab -----------------------------------------------------------------


def test_the_tab_shows_each_threshold_judged_and_a_chart_per_metric(client, owner, live):
    push(owner, live, "gini", 0.5, 0.6)
    client.force_login(owner)
    response = client.get(TAB)

    shown = response.context["shown"]
    [row] = shown.checks
    assert (row.threshold.key, row.origin, row.check.status) == (
        "metric:auc",
        "model policy",
        "critical",
    )
    assert row.check.value == pytest.approx(0.70)
    assert [s.name for s in shown.metric_series] == ["auc", "gini"]
    assert [p.value for p in shown.metric_series[0].points] == [0.83, 0.70]
    assert shown.metric_series[0].threshold.critical == 0.78
    assert shown.metric_series[1].threshold is None
    page = response.content.decode()
    assert page.count("<svg") == 2
    assert "0.7 breaches Metric: AUC (warning at least 0.8, critical at least 0.78)" in page
    assert "metric:auc" not in page
    assert [a.key for a in shown.unresolved_alerts] == ["metric:auc"]
    policy = shown.policies[0]
    assert reverse("monitoring:policy-edit", args=[policy.pk]) in page
    assert reverse("monitoring:policy-new", args=["retail-pd"]) in page


def test_the_tab_reads_as_many_queries_for_many_thresholds_as_for_one(
    client, owner, credit_pd_model, live, django_assert_max_num_queries
):
    client.force_login(owner)
    with CaptureQueriesContext(connection) as one:
        client.get(TAB)
    for name in ("ks", "gini", "brier"):
        policies.set_policy(
            actor=owner, model=credit_pd_model, signal="metric", measure=name,
            direction="higher", critical=0.9,
        )  # fmt: skip
        push(owner, live, name, 0.5, 0.4)
    push(owner, live, "latency_ms", 120)

    with django_assert_max_num_queries(len(one)):
        response = client.get(TAB)
    assert len(response.context["shown"].unresolved_alerts) == 4
    assert len(response.context["metric_charts"]) == 5


def fairness_and_drift(days_ago: int, female_rate: float) -> Bundle:
    """A push with one fairness check by sex (group X too small to judge) and PSI per feature."""
    at = (timezone.now() - timedelta(days=days_ago)).isoformat()
    return Bundle.from_json(
        {
            "source": "evidently",
            "fairness": [
                {
                    "evaluated_at": at,
                    "sensitive_features": ["sex"],
                    "metrics": {"demographic_parity_difference": 0.5 - female_rate},
                    "by_group": [
                        {
                            "group": {"sex": "F"},
                            "count": 400,
                            "metrics": {"selection_rate": female_rate},
                        },
                        {"group": {"sex": "M"}, "count": 500, "metrics": {"selection_rate": 0.5}},
                        {
                            "group": {"sex": "X"},
                            "count": 8,
                            "metrics": {"selection_rate": 1.0, "judged": 0.0},
                        },
                    ],
                }
            ],
            "drift": [
                {
                    "evaluated_at": at,
                    "drift_share": 0.5,
                    "columns": [
                        {"column": "income", "method": "psi", "score": female_rate},
                        {"column": "age", "method": "psi", "score": 0.05},
                    ],
                }
            ],
        }
    )


def test_the_tab_charts_the_latest_fairness_by_group_and_drift_by_feature(
    client, owner, credit_pd_model, live
):
    for days_ago, female_rate in ((2, 0.1), (1, 0.3)):
        ingestion.push_bundle(
            actor=owner,
            model=credit_pd_model,
            version="1.0.0",
            bundle=fairness_and_drift(days_ago, female_rate),
        )
    policies.set_policy(
        actor=owner, model=credit_pd_model, signal="drift", measure="psi", direction="lower",
        warning=0.1, critical=0.2,
    )  # fmt: skip
    client.force_login(owner)
    response = client.get(TAB)

    shown = response.context["shown"]
    [fairness] = shown.fairness  # the latest push only
    bars = fairness.bars
    assert [(g.group, g.rate, g.count, bars.judged(g)) for g in bars.groups] == [
        ("F", 0.3, 400, True),
        ("M", 0.5, 500, True),
        ("X", 1.0, 8, False),
    ]
    assert bars.reference == pytest.approx(0.8 * 0.5)  # four-fifths of the highest judged rate
    [drift] = shown.drift_bars
    assert [(f.feature, f.score) for f in drift.features] == [("income", 0.3), ("age", 0.05)]
    assert (drift.threshold.warning, drift.threshold.critical) == (0.1, 0.2)
    assert "Selection rate by sex" in response.context["fairness_charts"][0][1]
    assert "Drift by feature (PSI)" in response.context["drift_charts"][0]


def test_an_outsider_gets_404_for_every_page_of_the_model(client, outsider, live):
    alert = Alert.objects.get()
    policy = MonitoringPolicy.objects.get()
    client.force_login(outsider)
    for url in (
        TAB,
        reverse("monitoring:alert-detail", args=[alert.pk]),
        reverse("monitoring:policy-edit", args=[policy.pk]),
        reverse("monitoring:incident-new", args=["retail-pd"]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("monitoring:alert-acknowledge", args=[alert.pk])).status_code == 404


def test_a_reader_sees_no_forms_and_is_refused_every_write(client, auditor, live):
    alert = Alert.objects.get()
    policy = MonitoringPolicy.objects.get()
    client.force_login(auditor)
    page = client.get(TAB).content.decode()
    assert "Add threshold" not in page and "Record incident" not in page
    assert (
        'aria-label="Acknowledge the alert"'
        not in client.get(reverse("monitoring:alert-detail", args=[alert.pk])).content.decode()
    )
    refused = [
        client.get(reverse("monitoring:policy-new", args=["retail-pd"])),
        client.post(reverse("monitoring:policy-edit", args=[policy.pk]), {}),
        client.post(reverse("monitoring:policy-remove", args=[policy.pk])),
        client.get(reverse("monitoring:incident-new", args=["retail-pd"])),
        client.post(reverse("monitoring:alert-acknowledge", args=[alert.pk]), {"note": "x"}),
    ]
    assert [r.status_code for r in refused] == [403] * 5
    assert MonitoringPolicy.objects.filter(pk=policy.pk).exists()


# ---- Policies -----------------------------------------------------------------------------------

POLICY = {
    "signal": "metric",
    "measure": "ks",
    "scope": "",
    "direction": "higher",
    "warning": "0.40",
    "critical": "0.35",
    "min_sample_size": "500",
    "consecutive": "2",
    "window": "14",
    "enabled": "on",
    "note": "KS of the scorecard",
}


def test_the_owner_adds_a_threshold(client, owner, credit_pd_model):
    client.force_login(owner)
    response = client.post(
        reverse("monitoring:policy-new", args=["retail-pd"]), POLICY, follow=True
    )

    assert response.redirect_chain == [(TAB, 302)]
    page = response.content.decode()
    assert "The threshold Metric: KS applies to Retail PD scorecard." in page
    policy = MonitoringPolicy.objects.get(measure="ks")
    assert (policy.critical, policy.consecutive, policy.window) == (0.35, 2, timedelta(days=14))
    assert policy.get_direction_display() == "Higher is better"
    assert "<td>Higher is better</td>" in page
    assert "metric:ks" not in page and "HIGHER_IS_BETTER" not in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"critical": "0.45"}, "critical", "must not be above the warning level (0.4)"),
        ({"signal": "drift", "measure": "psi2"}, "measure", "drift measures are"),
        ({"warning": "", "critical": ""}, "warning", "set a warning level, a critical level"),
        ({"window": "0"}, "window", "longer than zero"),
        # Beyond the columns' ranges on PostgreSQL (and timedelta's): a form error, not a 500.
        ({"window": "1e9"}, "window", "less than or equal to 3650"),
        ({"min_sample_size": str(2**40)}, "min_sample_size", "less than or equal to 2147483647"),
        ({"consecutive": "40000"}, "consecutive", "less than or equal to 100"),
    ],
)
def test_a_refused_threshold_names_the_field(
    client, owner, credit_pd_model, changes, field, message
):
    client.force_login(owner)
    response = client.post(reverse("monitoring:policy-new", args=["retail-pd"]), POLICY | changes)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not MonitoringPolicy.objects.exists()


def test_editing_keeps_the_key_and_removing_asks_first(client, owner, credit_pd_model):
    policy = auc_policy(owner, credit_pd_model)
    client.force_login(owner)
    edit = reverse("monitoring:policy-edit", args=[policy.pk])
    assert client.get(edit).context["form"]["window"].value() == "30"

    client.post(edit, {**POLICY, "measure": "gini", "warning": "0.82", "critical": "0.79"})
    policy.refresh_from_db()
    assert (policy.measure, policy.warning, policy.critical) == ("auc", 0.82, 0.79)

    remove = reverse("monitoring:policy-remove", args=[policy.pk])
    assert "Remove the threshold" in client.get(remove).content.decode()
    assert MonitoringPolicy.objects.exists()
    assert client.post(remove).url == TAB
    assert not MonitoringPolicy.objects.exists()


# ---- Alerts -------------------------------------------------------------------------------------


def test_the_alert_list_filters_by_state_and_model(client, owner, live):
    production_model(owner, "cards-fraud", 0.79)
    client.force_login(owner)
    everything = client.get(reverse("monitoring:alert-list"))
    assert everything.context["counts"] == {"critical": 1, "warning": 1}

    found = client.get(reverse("monitoring:alert-list"), {"model": "cards-fraud", "state": "open"})
    assert [(a.model.slug, a.severity) for a in found.context["page"]] == [
        ("cards-fraud", "warning")
    ]
    found = client.get(reverse("monitoring:alert-list"), {"state": "resolved"})
    assert list(found.context["page"]) == []


def test_the_owner_acknowledges_then_resolves_an_alert(client, owner, live):
    alert = Alert.objects.get()
    client.force_login(owner)
    detail = reverse("monitoring:alert-detail", args=[alert.pk])
    page = client.get(detail).content.decode()
    assert alert.finding.get_absolute_url() in page

    response = client.post(
        reverse("monitoring:alert-acknowledge", args=[alert.pk]), {"note": "Checking the feed"}
    )
    assert response.url == detail
    alert.refresh_from_db()
    assert (alert.state, alert.acknowledged_by, alert.acknowledgement) == (
        "acknowledged", owner, "Checking the feed",
    )  # fmt: skip

    again = client.post(reverse("monitoring:alert-acknowledge", args=[alert.pk]), {"note": ""})
    assert again.status_code == 400
    assert "the alert is Acknowledged" in again.content.decode()
    empty = client.post(reverse("monitoring:alert-resolve", args=[alert.pk]), {"resolution": " "})
    assert "resolution" in empty.context["resolve_form"].errors
    client.post(reverse("monitoring:alert-resolve", args=[alert.pk]), {"resolution": "Feed fixed"})
    alert.refresh_from_db()
    assert (alert.state, alert.resolution) == ("resolved", "Feed fixed")


# ---- Incidents ----------------------------------------------------------------------------------


def test_an_incident_is_pinned_to_the_version_serving_then_with_what_monitoring_said(
    client, owner, credit_pd_model, pd_version
):
    with time_machine.travel(timezone.now() - timedelta(days=25), tick=False):
        deploy(owner, pd_version, 35)
        auc_policy(owner, credit_pd_model)
        push(owner, pd_version, "auc", 0.70)
    newer = services.register_version(actor=owner, model=credit_pd_model, version="2.0.0")
    deploy(owner, newer, 10)
    occurred = (timezone.now() - timedelta(days=20)).replace(second=0, microsecond=0)
    client.force_login(owner)

    response = client.post(
        reverse("monitoring:incident-new", args=["retail-pd"]),
        {
            "environment": "production",
            "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
            "title": "Approval rate doubled",
            "severity": "high",
        },
        follow=True,
    )

    incident = response.context["incident"]
    assert (incident.deployment.version, incident.occurred_at) == (pd_version, occurred)
    page = response.content.decode()
    assert pd_version.get_absolute_url() in page
    before = response.context["before"]
    assert before["version"] == "1.0.0"
    assert [(j["key"], j["status"]) for j in before["judgements"]] == [("metric:auc", "critical")]
    assert [a["key"] for a in before["alerts"]] == ["metric:auc"]
    assert "0.7 breaches Metric: AUC" in page
    assert "metric:auc" not in page


def test_an_incident_when_nothing_was_serving_is_refused_on_occurred_at(
    client, owner, credit_pd_model, live
):
    client.force_login(owner)
    response = client.post(
        reverse("monitoring:incident-new", args=["retail-pd"]),
        {
            "environment": "staging",
            "occurred_at": timezone.now().strftime("%Y-%m-%dT%H:%M"),
            "title": "Timeouts",
            "severity": "low",
        },
    )
    assert response.status_code == 400
    assert "no version of retail-pd was serving in staging" in " ".join(
        response.context["form"].errors["occurred_at"]
    )
