"""Periodic reviews: opening them when they fall due, and reminding owners until they are done.

The scheduler (governance.approvals.tasks, daily on Celery beat) calls these with no user: the actor of
every request opened and every reminder recorded is the system.

Which models are reviewed: those in production, meaning the inventory says so
(`MLModel.status == "production"`) or a version of it is live in production (a production
deployment with no end). Either alone is enough: the status is what the owner declared and the
deployment is what the pipeline recorded, and a model that is serving must not escape review
because one of the two was not kept up to date. Retired models are never reviewed.

When a review falls due: the tier's `review_cadence_months` after the latest approved periodic
review, else after the latest approved validation. A model never validated is not reviewed (it
needs validation first), and a tiering method with no review cadence (the matrix) relies on
revalidation alone.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from governance import audit
from governance.access.models import RaciAssignment
from governance.approvals.models import ApprovalRequest, Gate, Reminder
from governance.approvals.rules import states, validity
from governance.approvals.selectors import facts as approval_facts
from governance.approvals.services import workflow
from governance.errors import DomainError
from registry.models import Deployment, MLModel, ModelVersion

logger = logging.getLogger(__name__)

# Reminders before the due date: (days before, kind). After it, one a week: overdue-1w, -2w...
BEFORE_DUE = ((0, "due-0"), (7, "due-7"), (30, "due-30"))


# ---- When a review falls due -------------------------------------------------------------------


def _live_in_production() -> QuerySet[Deployment]:
    return Deployment.objects.filter(
        version__model=OuterRef("pk"),
        environment=Deployment.Environment.PRODUCTION,
        ended_at__isnull=True,
    )


def in_production() -> QuerySet[MLModel]:
    """Models the scheduler reviews: declared in production, or with a version live there."""
    return MLModel.objects.exclude(status=MLModel.Status.RETIRED).filter(
        Q(status=MLModel.Status.PRODUCTION) | Exists(_live_in_production())
    )


def _latest_approval(model: MLModel, gate: str) -> ApprovalRequest | None:
    return (
        ApprovalRequest.objects.filter(
            model=model, gate=gate, state__in=states.APPROVALS, decided_at__isnull=False
        )
        .order_by("-decided_at")
        .first()
    )


def review_due_on(model: MLModel) -> date | None:
    """The day the model's next periodic review falls due; None if it is not reviewed."""
    tier = approval_facts.tier_of(model)
    months = tier.details.get("review_cadence_months") if tier else None
    if not months:
        return None
    basis = _latest_approval(model, Gate.PERIODIC_REVIEW) or _latest_approval(
        model, Gate.VALIDATION
    )
    if basis is None:
        return None
    return validity.add_months(timezone.localdate(basis.decided_at), months)


def serving_version(model: MLModel) -> ModelVersion | None:
    """The version live in production (what the review is about), else the latest one."""
    live = (
        Deployment.objects.filter(
            version__model=model,
            environment=Deployment.Environment.PRODUCTION,
            ended_at__isnull=True,
        )
        .select_related("version")
        .order_by("-started_at")
        .first()
    )
    return live.version if live else model.versions.order_by("-created_at", "-pk").first()


# ---- Opening reviews ---------------------------------------------------------------------------


def _without_open_review(models: QuerySet[MLModel]) -> QuerySet[MLModel]:
    # Per model, not per version: a review already open on an older version still counts.
    open_review = ApprovalRequest.objects.filter(
        model=OuterRef("pk"), gate=Gate.PERIODIC_REVIEW, state__in=states.OPEN
    )
    return models.filter(~Exists(open_review))


def _open_review(model: MLModel, due_on: date) -> bool:
    version = serving_version(model)
    if version is None:
        return False
    try:
        workflow.open_request(
            actor=None,
            version=version,
            gate=Gate.PERIODIC_REVIEW,
            due_on=due_on,
            summary=f"Periodic review due {due_on:%d %B %Y}, opened by the review scheduler.",
        )
    except DomainError:
        # Another run opened it between our check and the insert: nothing more to do.
        logger.info("periodic review of %s already open", model.slug)
        return False
    return True


def open_due_reviews(today: date | None = None) -> int:
    """Open a periodic review for every production model due within the lead time (or past
    due) that has none open; returns how many were opened. Running it again opens nothing."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.ATTEST_REVIEW_LEAD_DAYS)
    opened = 0
    for model in _without_open_review(in_production()).order_by("pk"):
        due_on = review_due_on(model)
        if due_on is not None and due_on <= horizon and _open_review(model, due_on):
            opened += 1
    return opened


# ---- Reminding ---------------------------------------------------------------------------------


def reminder_kind(due_on: date, today: date) -> str | None:
    """The latest reminder milestone reached by `today`; None more than 30 days out.

    Only the latest is sent, so a scheduler that missed days catches up with one email, not a
    burst of stale ones.
    """
    days_left = (due_on - today).days
    if days_left < 0:
        weeks = -days_left // 7
        return f"overdue-{weeks}w" if weeks else "due-0"
    reached = [kind for days, kind in BEFORE_DUE if days_left <= days]
    return reached[0] if reached else None


def recipients_of(model: MLModel) -> list[str]:
    """The owner, and everyone Accountable for the model's development (people or groups)."""
    accountable = RaciAssignment.objects.filter(
        model=model,
        role=RaciAssignment.Role.ACCOUNTABLE,
        area=RaciAssignment.Area.DEVELOPMENT,
    )
    people = get_user_model().objects.filter(
        Q(pk=model.owner_id)
        | Q(pk__in=accountable.filter(user__isnull=False).values("user"))
        | Q(groups__in=accountable.filter(group__isnull=False).values("group"))
    )
    emails = people.filter(is_active=True).exclude(email="").values_list("email", flat=True)
    return sorted(set(emails))


@dataclass(frozen=True)
class _Email:
    subject: str
    body: str


def _compose(request: ApprovalRequest, due_on: date, kind: str, today: date) -> _Email:
    days_left = (due_on - today).days
    context = {
        "request": request,
        "model": request.model,
        "due_on": due_on,
        "days_left": days_left,
        "days_overdue": -days_left,
        "overdue": days_left < 0,
        "kind": kind,
        "link": f"{settings.ATTEST_BASE_URL}{request.get_absolute_url()}",
    }
    subject = render_to_string("governance/email/review_reminder_subject.txt", context)
    body = render_to_string("governance/email/review_reminder.txt", context)
    return _Email(" ".join(subject.split()), body)


@transaction.atomic
def _remind(request: ApprovalRequest, due_on: date, kind: str, today: date) -> bool:
    """Send one reminder unless it went already; True if this call sent it.

    The reminder row is inserted first: its unique (request, kind) constraint makes a second,
    concurrent run wait and then find it, so it never sends twice. The email goes out inside the
    transaction; if sending fails the row is rolled back and tomorrow's run tries again.
    """
    recipients = recipients_of(request.model)
    reminder, created = Reminder.objects.get_or_create(
        request=request, kind=kind, defaults={"recipients": recipients}
    )
    if not created:
        return False
    if recipients:
        email = _compose(request, due_on, kind, today)
        send_mail(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, recipients)
    else:
        logger.warning("%s: nobody to remind (%s has no owner email)", request, request.model)
    audit.record(
        actor=None,
        verb="approval.reminder_sent",
        target=reminder,
        after={
            "request": request.pk,
            "kind": kind,
            "due_on": due_on.isoformat(),
            "recipients": recipients,
        },
        mlmodel_id=request.model_id,
    )
    return True


def send_review_reminders(today: date | None = None) -> int:
    """Remind owners of open periodic reviews at 30 and 7 days before the due date, on it, and
    every week after it; each reminder once per request. Returns how many were sent."""
    today = today or timezone.localdate()
    pending = ApprovalRequest.objects.filter(
        gate=Gate.PERIODIC_REVIEW, state__in=states.OPEN, due_on__isnull=False
    ).select_related("model", "version")
    sent = 0
    for request in pending.order_by("due_on", "pk"):
        due_on = request.due_on
        if due_on is None:  # the query leaves these out
            continue
        kind = reminder_kind(due_on, today)
        if kind is None:
            continue
        try:
            sent += _remind(request, due_on, kind, today)
        except OSError:  # smtplib's errors included: the others still go, this one tomorrow
            logger.exception("could not send the %s reminder for %s", kind, request)
    return sent
