"""Reads of a person's notices, and of what is coming due for whom (the daily reminders)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.urls import reverse

from governance.access.models import RequestState
from governance.approvals.models import ApprovalRequest, Condition, Gate
from governance.approvals.rules import states
from governance.findings.models import Finding, PolicyException
from governance.notices.models import Notice, NoticePreference
from governance.risk.models import Waiver


def notices_for(user: User) -> QuerySet[Notice]:
    """The person's notices, newest first."""
    return Notice.objects.filter(recipient_id=user.pk)


def unread_count(user: User) -> int:
    return Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def daily_digest(user: User) -> bool:
    """Whether the person chose one e-mail a day over one per notice."""
    return NoticePreference.objects.filter(user_id=user.pk, daily_digest=True).exists()


# ---- Coming due --------------------------------------------------------------------------------

COMING_DUE_DAYS = 7


@dataclass(frozen=True)
class DueItem:
    """One thing of one person's that falls due soon or is overdue, as plain values."""

    recipient_id: int
    kind: str  # a human label: "Finding", "Condition", "Waiver", ...
    item: str  # a stable id of the item, "finding:12"
    subject: str
    link: str
    due_on: date

    def days_left(self, today: date) -> int:
        return (self.due_on - today).days


def coming_due(today: date, within: int = COMING_DUE_DAYS) -> list[DueItem]:
    """Each person's items due within `within` days or overdue, soonest first: findings they
    own, unmet conditions of approvals they requested, waivers and policy exceptions they asked
    for that expire (an expired one no longer counts, so is not chased), open periodic reviews
    of models they own. A bounded number of queries, whatever the number of items."""
    horizon = today + timedelta(days=within)
    found = [*_findings(horizon), *_conditions(horizon), *_reviews(horizon)]
    found += _expiring(today, horizon)
    return sorted(found, key=lambda d: (d.recipient_id, d.due_on, d.item))


def _findings(horizon: date) -> list[DueItem]:
    rows = Finding.objects.filter(
        status__in=Finding.OPEN_STATUSES, due_on__lte=horizon
    ).select_related("model")
    return [
        DueItem(
            f.owner_id,
            "Finding",
            f"finding:{f.pk}",
            f"{f.reference} {f.title} on {f.model}",
            f.get_absolute_url(),
            f.due_on,
        )
        for f in rows
    ]


def _conditions(horizon: date) -> list[DueItem]:
    rows = Condition.objects.filter(
        met_at__isnull=True, due_on__lte=horizon, request__state__in=states.APPROVALS
    ).select_related("request__model")
    found = []
    for c in rows:
        asker = c.request.requested_by_id or c.request.submitted_by_id
        if asker is None:
            continue
        found.append(
            DueItem(
                asker,
                "Condition",
                f"condition:{c.pk}",
                f"{c.request.reference} on {c.request.model}: {c.text}"[:200],
                c.request.get_absolute_url() + "#conditions",
                c.due_on,
            )
        )
    return found


def _reviews(horizon: date) -> list[DueItem]:
    rows = ApprovalRequest.objects.filter(
        gate=Gate.PERIODIC_REVIEW, state__in=states.OPEN, due_on__lte=horizon
    ).select_related("model")
    return [
        DueItem(
            r.model.owner_id,
            "Periodic review",
            f"review:{r.pk}",
            f"{r.reference} periodic review of {r.model}",
            r.get_absolute_url(),
            r.due_on,
        )
        for r in rows
        if r.due_on is not None
    ]


def _expiring(today: date, horizon: date) -> list[DueItem]:
    granted = {"state": RequestState.GRANTED, "expires_on__gte": today, "expires_on__lte": horizon}
    found = [
        DueItem(
            w.requested_by_id,
            "Waiver",
            f"waiver:{w.pk}",
            f"{w} expires",
            reverse("risk:obligations", args=[w.control.model.slug]) + f"#control-{w.control_id}",
            w.expires_on,
        )
        for w in Waiver.objects.filter(**granted).select_related("control__model")
    ]
    found += [
        DueItem(
            e.requested_by_id,
            "Policy exception",
            f"exception:{e.pk}",
            f"{e} expires",
            reverse("findings:exception-list"),
            e.expires_on,
        )
        for e in PolicyException.objects.filter(**granted).select_related("model")
    ]
    return found
