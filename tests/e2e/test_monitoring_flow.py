"""An AUC breach in the browser: the owner finds the critical model on the fleet page, reads its
monitoring tab with the AUC chart, and acknowledges the alert."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from governance import roles
from monitoring.models import Alert
from monitoring.services import ingestion, policies
from registry import services
from registry.models import MLModel
from tests.factories.accounts import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def breached() -> MLModel:
    """Olivia's PD model in production whose AUC fell to 0.70, under a critical level of 0.78."""
    olivia = UserFactory(username="olivia", first_name="Olivia", roles=[roles.OWNER])
    olivia.set_password(PASSWORD)
    olivia.save()
    model = services.register_model(
        actor=olivia,
        slug="retail-pd",
        name="Retail PD scorecard",
        business_unit="Retail Credit",
        model_type=MLModel.ModelType.CLASSICAL_ML,
    )
    version = services.register_version(actor=olivia, model=model, version="1.0")
    now = timezone.now()
    services.record_deployment(
        actor=olivia, version=version, environment="production", started_at=now - timedelta(days=30)
    )
    policies.set_policy(
        actor=olivia, model=model, signal="metric", measure="auc", direction="higher",
        warning=0.80, critical=0.78,
    )  # fmt: skip
    points = [
        {"name": "auc", "value": value, "timestamp": now - timedelta(days=days)}
        for days, value in ((3, 0.84), (2, 0.81), (1, 0.70))
    ]
    ingestion.record_metrics(actor=olivia, version=version, points=points)
    return model


def test_the_owner_finds_the_critical_model_and_acknowledges_its_alert(page, live_server, breached):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Monitoring").click()
    first = page.locator("#fleet tbody tr").first
    expect(first).to_contain_text("Retail PD scorecard")
    expect(first).to_contain_text("Critical")
    first.get_by_role("link", name="Retail PD scorecard").click()

    chart = page.locator("#metrics svg[role=img]")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("aria-label", re.compile(r"^AUC: 3 points .* latest 0\.7;"))
    page.locator("#unresolved-alerts").get_by_role("link", name="Metric: AUC").click()
    page.get_by_label("Note").fill("Checking the scoring feed")
    page.get_by_role("button", name="Acknowledge").click()

    expect(page.get_by_text("The alert is acknowledged.")).to_be_visible()
    expect(page.locator("#alert-state")).to_have_text("Acknowledged")
    alert = Alert.objects.get()
    assert (alert.state, alert.acknowledgement) == ("acknowledged", "Checking the scoring feed")
