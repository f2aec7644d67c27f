"""Telling people about alerts: an e-mail to those who answer for the model, and webhooks.

The webhook body is Slack-compatible (`text` and `blocks`, which Slack and Mattermost render)
and carries the machine-readable alert under `attest` for any other receiver.
"""

from typing import Any

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse

from governance.access.models import RaciAssignment
from monitoring.models import Alert

WEBHOOK_TIMEOUT_SECONDS = 10
HEADLINES = {
    "alert.raised": "raised",
    "alert.escalated": "escalated to critical",
    "alert.recovered": "recovered",
}


def alert_url(alert: Alert) -> str:
    return settings.ATTEST_BASE_URL + reverse("monitoring:alert-detail", args=[alert.pk])


def recipients(alert: Alert) -> list[str]:
    """The owner and everyone Responsible or Accountable for the model's monitoring."""
    answerable = RaciAssignment.objects.filter(
        model_id=alert.model_id,
        area=RaciAssignment.Area.MONITORING,
        role__in=[RaciAssignment.Role.RESPONSIBLE, RaciAssignment.Role.ACCOUNTABLE],
    )
    people = get_user_model().objects.filter(
        Q(pk=alert.model.owner_id)
        | Q(pk__in=answerable.values("user_id"))
        | Q(groups__in=answerable.values("group_id")),
        is_active=True,
    )
    return sorted({p.email for p in people if p.email})


def headline(alert: Alert, event: str) -> str:
    what = HEADLINES.get(event, event)
    return f"[Attest] {alert.get_severity_display()} alert {what}: {alert.label} on {alert.model}"


GATE_CLOSED = (
    "Revalidation is required: the deployment gate stays closed until a validator clears it."
)


def email(alert: Alert, event: str) -> int:
    to = recipients(alert)
    if not to:
        return 0
    lines = [
        f"Model: {alert.model} ({alert.model.slug})",
        f"Version: {alert.version}",
        f"Threshold: {alert.label}",
        f"What was seen: {alert.message}",
    ]
    if alert.resolution:
        lines.append(f"Resolution: {alert.resolution}")
    if alert.finding_id:
        lines.append(f"Finding opened: {alert.finding}")
    if alert.revalidation_id:
        lines.append(GATE_CLOSED)
    lines += ["", alert_url(alert)]
    return send_mail(headline(alert, event), "\n".join(lines), None, to)


def payload(alert: Alert, event: str) -> dict[str, Any]:
    title = headline(alert, event)
    return {
        "text": f"{title}\n{alert.message}\n{alert_url(alert)}",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": alert.message}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"<{alert_url(alert)}|Open in Attest>"}],
            },
        ],
        "attest": {
            "event": event,
            "alert_id": alert.pk,
            "model": alert.model.slug,
            "version": alert.version.version if alert.version else None,
            "key": alert.key,
            "severity": alert.severity,
            "state": alert.state,
            "value": alert.value,
            "threshold": alert.threshold,
            "message": alert.message,
            "opened_at": alert.opened_at.isoformat(),
            "last_seen_at": alert.last_seen_at.isoformat(),
            "finding_id": alert.finding_id,
            "revalidation_required": alert.revalidation_id is not None,
            "url": alert_url(alert),
        },
    }


def post(url: str, body: dict[str, Any]) -> int:
    """POST one webhook; a non-2xx answer raises, so the task retries it."""
    answer = requests.post(url, json=body, timeout=WEBHOOK_TIMEOUT_SECONDS)
    answer.raise_for_status()
    return answer.status_code
