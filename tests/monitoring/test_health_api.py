"""The monitoring API: policies, health, alerts, incidents; and the alert webhook's payload."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from monitoring import tasks
from monitoring.models import Alert, Incident
from monitoring.services import ingestion, policies
from registry.services import record_deployment, register_version
from tests.conftest import client_for

POLICIES = "/api/v1/models/retail-pd/monitoring-policies/"
AUC = {"signal": "metric", "measure": "auc", "direction": "higher", "warning": 0.8,
       "critical": 0.78, "material": True}  # fmt: skip


@pytest.fixture
def live_version(developer, pd_version):
    record_deployment(
        actor=developer,
        version=pd_version,
        environment="production",
        started_at=timezone.now() - timedelta(days=60),
    )
    return pd_version


@pytest.fixture
def breached(developer, owner, credit_pd_model, live_version) -> Alert:
    policies.set_policy(actor=owner, model=credit_pd_model, **AUC)
    ingestion.record_metrics(
        actor=developer,
        version=live_version,
        points=[{"name": "auc", "value": 0.74, "timestamp": timezone.now() - timedelta(hours=1)}],
    )
    return Alert.objects.get()


def test_owner_sets_a_policy_and_contradictions_name_the_field(owner, credit_pd_model):
    api = client_for(owner)
    created = api.post(POLICIES, AUC, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["window_days"] == 30
    replaced = api.post(POLICIES, {**AUC, "warning": 0.85}, format="json")
    assert replaced.json()["id"] == created.json()["id"]
    assert replaced.json()["warning"] == 0.85

    bad = api.post(POLICIES, {**AUC, "warning": 0.7, "critical": 0.8}, format="json")
    assert bad.status_code == 400
    error = bad.json()["errors"][0]
    assert error["field"] == "critical"
    assert "must not be above the warning level (0.7)" in error["message"]


def test_viewers_cannot_set_policies(auditor, outsider, credit_pd_model):
    assert client_for(outsider).post(POLICIES, AUC, format="json").status_code == 404
    assert client_for(auditor).get(POLICIES).status_code in (200, 404)
    assert client_for(auditor).post(POLICIES, AUC, format="json").status_code in (403, 404)


def test_health_lists_every_check(owner, breached):
    body = client_for(owner).get("/api/v1/models/retail-pd/health/").json()
    assert body["status"] == "critical"
    assert body["version"] == "1.0.0"
    [check] = body["checks"]
    assert (check["key"], check["status"], check["value"]) == ("metric:auc", "critical", 0.74)
    assert check["threshold"]["origin"] == "model policy"


def test_alerts_are_listed_acknowledged_and_resolved(owner, validator, outsider, breached):
    api = client_for(validator)
    listed = api.get("/api/v1/alerts/?state=open").json()["results"]
    assert [(a["key"], a["severity"], a["revalidation_required"]) for a in listed] == [
        ("metric:auc", "critical", True)
    ]
    assert client_for(outsider).get("/api/v1/alerts/").json()["results"] == []

    url = f"/api/v1/alerts/{breached.pk}/"
    acked = api.post(url + "acknowledge/", {"note": "on it"}, format="json")
    assert acked.json()["state"] == "acknowledged"
    again = api.post(url + "acknowledge/", {"note": "again"}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "state"
    missing = client_for(owner).post(url + "resolve/", {}, format="json")
    assert missing.json()["errors"][0]["field"] == "resolution"
    done = client_for(owner).post(url + "resolve/", {"resolution": "Recalibrated"}, format="json")
    assert (done.json()["state"], done.json()["resolved_by"]) == ("resolved", "olivia")


def test_an_incident_names_the_version_serving_then(developer, owner, credit_pd_model, breached):
    when = timezone.now()  # after the breach, before 2.0.0 went live
    v2 = register_version(actor=developer, model=credit_pd_model, version="2.0.0")
    record_deployment(actor=developer, version=v2, environment="production")
    api = client_for(owner)
    answer = api.post(
        "/api/v1/incidents/",
        {
            "model": "retail-pd",
            "occurred_at": when.isoformat(),
            "title": "Approvals spiked",
            "severity": "high",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["version"], body["environment"]) == ("1.0.0", "production")
    before = body["monitoring_before"]
    assert [(j["key"], j["status"]) for j in before["judgements"]] == [("metric:auc", "critical")]
    assert [a["key"] for a in before["alerts"]] == ["metric:auc"]
    assert Incident.objects.get().deployment.version.version == "1.0.0"

    long_ago = api.post(
        "/api/v1/incidents/",
        {
            "model": "retail-pd",
            "occurred_at": "2020-01-01T00:00:00Z",
            "title": "x",
            "severity": "low",
        },
        format="json",
    )
    assert long_ago.status_code == 400
    assert long_ago.json()["errors"][0]["field"] == "occurred_at"
    assert (
        "no version of retail-pd was serving in production"
        in long_ago.json()["errors"][0]["message"]
    )


class Receiver(BaseHTTPRequestHandler):
    bodies: list[dict] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Receiver.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_webhook_receives_a_slack_compatible_payload(settings, breached):
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ATTEST_ALERT_WEBHOOKS = [f"http://127.0.0.1:{server.server_port}/hook"]
    Receiver.bodies.clear()
    try:
        tasks.notify_alert(breached.pk, "alert.raised")
    finally:
        server.shutdown()
    [body] = Receiver.bodies
    assert body["text"].startswith("[Attest] Critical alert raised: Metric: AUC on Retail PD")
    assert body["blocks"][0]["type"] == "header"
    attest = body["attest"]
    assert (attest["model"], attest["version"], attest["key"]) == (
        "retail-pd",
        "1.0.0",
        "metric:auc",
    )
    assert attest["value"] == 0.74
    assert attest["revalidation_required"] is True
    assert attest["threshold"]["critical"] == 0.78
    assert attest["url"].endswith(f"/monitoring/alerts/{breached.pk}/")
