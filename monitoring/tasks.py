"""Monitoring background work: the scheduled sweep of production models and alert notices."""

from typing import Any

import requests
from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from monitoring.models import Alert
from monitoring.services import discovery, health, notifications


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=3600)
def sweep_production_models() -> dict[str, int]:
    """Judge every production model against its thresholds (staleness included)."""
    return health.sweep()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def notify_alert(alert_id: int, event: str) -> int:
    """E-mail the people answerable for the model and queue one delivery per webhook."""
    alert = Alert.objects.select_related("model", "version", "finding").get(pk=alert_id)
    body = notifications.payload(alert, event)
    for url in settings.ATTEST_ALERT_WEBHOOKS:
        deliver_webhook.delay(url, body)
    return notifications.email(alert, event)


@shared_task(
    autoretry_for=(requests.RequestException,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def deliver_webhook(url: str, body: dict[str, Any]) -> int:
    """POST the alert; a receiver that is down gets it again with backoff for about a day."""
    return notifications.post(url, body)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=3600)
def discover_shadow_models() -> dict[str, int]:
    """Read the registries in ATTEST_DISCOVERY; alert once per unregistered production model."""
    return discovery.discover_shadow_models(settings.ATTEST_DISCOVERY)
