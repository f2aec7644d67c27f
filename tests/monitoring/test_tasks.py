"""The scheduled sweep on a real worker when CI provides a broker: staleness becomes an alert."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring import tasks
from monitoring.models import Alert
from monitoring.services import ingestion, policies
from registry.services import record_deployment

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_beat_sweep_raises_a_staleness_alert(developer, owner, credit_pd_model, pd_version):
    record_deployment(
        actor=developer,
        version=pd_version,
        environment="production",
        started_at=timezone.now() - timedelta(days=30),
    )
    policies.set_policy(
        actor=owner,
        model=credit_pd_model,
        signal="freshness",
        measure="days_since_data",
        direction="lower",
        warning=7,
        critical=14,
        window=timedelta(days=3650),
    )
    ingestion.record_metrics(
        actor=developer,
        version=pd_version,
        points=[{"name": "auc", "value": 0.8, "timestamp": timezone.now() - timedelta(days=9)}],
    )

    tally = tasks.sweep_production_models.delay().get(timeout=60)

    assert tally == {"models": 1, "warning": 1}
    alert = Alert.objects.get()
    assert (alert.key, alert.severity) == ("freshness:days_since_data", "warning")
    assert alert.value == pytest.approx(9, abs=0.01)
