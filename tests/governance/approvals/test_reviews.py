"""Periodic reviews: the scheduler opens them when they fall due and reminds owners by email,
each reminder once, weekly once overdue; models not in production or never validated are left
alone.

The validation is approved today and the scheduler runs in the future (time_machine), which
puts the approval in the past: the shipped rulebooks are not in force a year back.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from governance import roles
from governance.access.models import RaciAssignment
from governance.access.services import raci
from governance.approvals import tasks
from governance.approvals.models import ApprovalRequest, Reminder
from governance.approvals.rules.validity import add_months
from governance.approvals.services import reviews, workflow
from governance.auditlog.models import AuditEvent
from registry.services import deployments
from registry.services import models as model_services
from tests.factories.accounts import UserFactory
from tests.governance.approvals.conftest import approve, submitted

pytestmark = pytest.mark.django_db


@contextmanager
def on(day: date) -> Iterator[None]:
    """Run the scheduler at noon on `day`."""
    with time_machine.travel(
        datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone()), tick=False
    ):
        yield


@pytest.fixture
def validated(tier3_ready, pd_v1, owner, validator):
    """Version 1.0 of the Tier 3 retail PD model, validated today."""
    return approve(submitted(owner, pd_v1, "validation"), (validator, "validator"))


@pytest.fixture
def in_production(validated, pd_v1, owner, validator):
    """Version 1.0, approved for production and live there."""
    approve(submitted(owner, pd_v1, "deployment", "production"), (validator, "validator"))
    deployments.record_deployment(actor=owner, version=pd_v1, environment="production")
    return pd_v1


@pytest.fixture
def due_on(validated) -> date:
    """Tier 3's review cadence is 12 months after the validation."""
    return add_months(timezone.localdate(validated.decided_at), 12)


@pytest.fixture
def review(in_production, due_on) -> ApprovalRequest:
    """The periodic review the scheduler opened 11.5 months after the validation."""
    with on(due_on - timedelta(days=15)):
        assert reviews.open_due_reviews() == 1
    return ApprovalRequest.objects.get(gate="periodic_review")


def remind(day: date) -> list[str]:
    """Run the reminders on `day`; the subjects of the emails sent that day."""
    before = len(mail.outbox)
    with on(day):
        reviews.send_review_reminders()
    return [m.subject for m in mail.outbox[before:]]


# ---- Opening reviews ---------------------------------------------------------------------------


def test_a_production_model_validated_eleven_and_a_half_months_ago_gets_a_review(
    in_production, due_on
):
    with on(due_on - timedelta(days=15)):
        assert reviews.open_due_reviews() == 1
    review = ApprovalRequest.objects.get(gate="periodic_review")
    assert review.state == "draft" and review.version == in_production
    assert review.due_on == due_on and review.requested_by is None
    assert review.summary.startswith(f"Periodic review due {due_on:%d %B %Y}")
    event = AuditEvent.objects.get(verb="approval.opened", target_id=str(review.pk))
    assert event.actor_name == "system"


def test_no_review_opens_before_the_lead_time(in_production, due_on):
    with on(due_on - timedelta(days=31)):
        assert reviews.open_due_reviews() == 0
    with on(due_on - timedelta(days=30)):
        assert reviews.open_due_reviews() == 1


def test_running_twice_opens_nothing_new(review, due_on):
    with on(due_on - timedelta(days=14)):
        assert reviews.open_due_reviews() == 0
    with on(due_on + timedelta(days=40)):
        assert reviews.open_due_reviews() == 0
    assert ApprovalRequest.objects.filter(gate="periodic_review").count() == 1


def test_a_model_validated_but_not_in_production_is_not_reviewed(validated, due_on):
    with on(due_on):
        assert reviews.open_due_reviews() == 0


def test_a_model_declared_in_production_is_reviewed_without_a_recorded_deployment(
    validated, due_on, owner
):
    model_services.update_model(actor=owner, model=validated.model, status="production")
    with on(due_on):
        assert reviews.open_due_reviews() == 1


def test_a_retired_model_is_not_reviewed_even_if_a_deployment_was_left_open(
    in_production, due_on, owner
):
    model_services.update_model(actor=owner, model=in_production.model, status="retired")
    with on(due_on):
        assert reviews.open_due_reviews() == 0


def test_a_model_never_validated_is_not_reviewed(tier3_ready, pd_v1, owner):
    deployments.record_deployment(actor=owner, version=pd_v1, environment="production")
    with on(timezone.localdate() + timedelta(days=400)):
        assert reviews.open_due_reviews() == 0


def test_an_approved_review_sets_the_next_due_date(review, due_on, owner, validator):
    with on(due_on - timedelta(days=5)):
        approve(workflow.submit(actor=owner, request=review), (validator, "validator"))
    assert reviews.review_due_on(review.model) == add_months(due_on - timedelta(days=5), 12)
    with on(due_on + timedelta(days=200)):
        assert reviews.open_due_reviews() == 0


def test_a_withdrawn_review_is_opened_again_because_it_is_still_due(review, due_on, owner):
    workflow.withdraw(actor=owner, request=review, reason="Opened on the wrong version")
    with on(due_on):
        assert reviews.open_due_reviews() == 1
    assert ApprovalRequest.objects.filter(gate="periodic_review", state="draft").count() == 1


# ---- Reminders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "kind"),
    [
        (45, None),
        (31, None),
        (30, "due-30"),
        (8, "due-30"),
        (7, "due-7"),
        (1, "due-7"),
        (0, "due-0"),
        (-6, "due-0"),
        (-7, "overdue-1w"),
        (-13, "overdue-1w"),
        (-14, "overdue-2w"),
        (-70, "overdue-10w"),
    ],
)
def test_the_reminder_due_is_the_latest_milestone_reached(days_left, kind):
    due = date(2027, 6, 30)
    assert reviews.reminder_kind(due, due - timedelta(days=days_left)) == kind


def test_reminders_go_out_on_the_right_days_exactly_once(review, due_on):
    name = "Retail PD scorecard"
    assert remind(due_on - timedelta(days=15)) == [
        f"Due in 15 days: periodic review of {name} ({review.reference})"
    ]
    assert remind(due_on - timedelta(days=15)) == []
    assert remind(due_on - timedelta(days=8)) == []
    assert remind(due_on - timedelta(days=7)) == [
        f"Due in 7 days: periodic review of {name} ({review.reference})"
    ]
    assert remind(due_on - timedelta(days=1)) == []
    assert remind(due_on) == [f"Due today: periodic review of {name} ({review.reference})"]
    assert remind(due_on + timedelta(days=3)) == []
    kinds = list(Reminder.objects.filter(request=review).values_list("kind", flat=True))
    assert kinds == ["due-30", "due-7", "due-0"]


def test_overdue_reviews_are_reminded_weekly(review, due_on):
    remind(due_on)
    overdue = f"Overdue: periodic review of Retail PD scorecard ({review.reference})"
    assert remind(due_on + timedelta(days=7)) == [overdue]
    assert remind(due_on + timedelta(days=10)) == []
    assert remind(due_on + timedelta(days=14)) == [overdue]
    assert remind(due_on + timedelta(days=21)) == [overdue]
    assert set(Reminder.objects.values_list("kind", flat=True)) == {
        "due-0",
        "overdue-1w",
        "overdue-2w",
        "overdue-3w",
    }
    assert "is 21 days overdue" in mail.outbox[-1].body


def test_the_email_goes_to_the_owner_and_whoever_is_accountable_for_development(
    review, due_on, owner
):
    head = UserFactory(username="hana", email="hana@bank.example", roles=[roles.OWNER])
    raci.assign_raci(
        actor=owner,
        model=review.model,
        user=head,
        role="A",
        area=RaciAssignment.Area.DEVELOPMENT,
    )
    remind(due_on - timedelta(days=7))
    (email,) = mail.outbox
    assert sorted(email.to) == ["hana@bank.example", "olivia@bank.example"]
    assert f"due on {due_on:%-d %B %Y}, in 7 days" in email.body
    assert f"http://127.0.0.1:8000/governance/approvals/requests/{review.pk}/" in email.body
    reminder = Reminder.objects.get(request=review, kind="due-7")
    assert reminder.recipients == ["hana@bank.example", "olivia@bank.example"]


def test_each_reminder_is_audited_as_sent_by_the_system(review, due_on):
    remind(due_on)
    event = AuditEvent.objects.get(verb="approval.reminder_sent")
    assert event.actor_name == "system" and event.mlmodel_id == review.model_id
    assert event.after == {
        "request": review.pk,
        "kind": "due-0",
        "due_on": due_on.isoformat(),
        "recipients": ["olivia@bank.example"],
    }


def test_a_review_no_longer_open_gets_no_reminders(review, due_on, owner):
    workflow.withdraw(actor=owner, request=review, reason="Model is being replaced")
    assert remind(due_on) == []
    assert not Reminder.objects.exists()


# ---- The scheduled tasks -----------------------------------------------------------------------


def test_the_daily_tasks_open_the_review_and_send_its_first_reminder(in_production, due_on):
    with on(due_on - timedelta(days=20)):
        assert tasks.open_due_reviews.delay().get(timeout=60) == 1
        assert tasks.send_review_reminders.delay().get(timeout=60) == 1
        assert tasks.open_due_reviews.delay().get(timeout=60) == 0
        assert tasks.send_review_reminders.delay().get(timeout=60) == 0
    (email,) = mail.outbox
    assert email.subject.startswith("Due in 20 days: periodic review of Retail PD scorecard")
