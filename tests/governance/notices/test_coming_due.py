"""The daily reminder: each person hears of their own items due within a week or overdue,
once per item per day."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.access.models import RequestState
from governance.approvals.models import ApprovalRequest, Condition, Gate, SignOff
from governance.findings.models import Finding, PolicyException
from governance.notices import selectors, services
from governance.notices.models import Notice
from governance.queue import registered
from governance.risk.models import Waiver
from tests.factories.governance import ControlFactory
from tests.factories.registry import ModelVersionFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def finding(model, owner, raised_by, due_on: date) -> Finding:
    version = ModelVersionFactory(model=model, created_by=model.owner)
    return Finding.objects.create(
        model=model, version=version, title=f"Finding due {due_on}", severity="high",
        owner=owner, raised_by=raised_by, due_on=due_on,
    )  # fmt: skip


@pytest.fixture
def items(credit_pd_model, owner, developer, validator, committee_member):
    """For Olivia: a finding overdue, one due in 3 days, one in 10 (too far); a condition due
    in 5 days on her approval; a waiver and an exception expiring in 2 and 6 days; a periodic
    review of her model due in 7. For Dev: a finding due tomorrow."""
    model = credit_pd_model
    finding(model, owner, validator, days(-2))
    finding(model, owner, validator, days(3))
    finding(model, owner, validator, days(10))
    finding(model, developer, validator, days(1))
    version = ModelVersionFactory(model=model, created_by=developer)
    approval = ApprovalRequest.objects.create(
        model=model, version=version, gate=Gate.VALIDATION, state="approved_with_conditions",
        requested_by=owner,
    )  # fmt: skip
    signed = SignOff.objects.create(
        request=approval, role="validator", signer=validator, decision="approve_with_conditions"
    )
    Condition.objects.create(request=approval, sign_off=signed, text="Back-test", due_on=days(5))
    Condition.objects.create(
        request=approval, sign_off=signed, text="Met", due_on=days(1), met_at=signed.signed_at
    )
    granted = {"state": RequestState.GRANTED, "decided_by": committee_member}
    Waiver.objects.create(
        control=ControlFactory(model=model), reason="r", expires_on=days(2), requested_by=owner,
        **granted,
    )  # fmt: skip
    Waiver.objects.create(
        control=ControlFactory(model=model),
        reason="r",
        expires_on=days(-1),
        requested_by=owner,
        **granted,
    )  # expired already: no longer in force, not chased
    PolicyException.objects.create(
        model=model, rule_id="r1", rule_title="Fairness check", reason="r", expires_on=days(6),
        requested_by=owner, **granted,
    )  # fmt: skip
    ApprovalRequest.objects.create(
        model=model, version=version, gate=Gate.PERIODIC_REVIEW, state="draft", due_on=days(7),
        requested_by=validator,
    )  # fmt: skip
    return model


def test_each_person_gets_their_own_items_due_within_a_week_or_overdue(items, owner, developer):
    due = selectors.coming_due(TODAY)
    olivias = [(d.kind, d.due_on) for d in due if d.recipient_id == owner.pk]
    assert olivias == [
        ("Finding", days(-2)),
        ("Waiver", days(2)),
        ("Finding", days(3)),
        ("Condition", days(5)),
        ("Policy exception", days(6)),
        ("Periodic review", days(7)),
    ]
    assert [(d.kind, d.due_on) for d in due if d.recipient_id == developer.pk] == [
        ("Finding", days(1))
    ]


def test_the_daily_task_notifies_once_per_item_per_day(items, owner, developer):
    task = registered("governance.notices.tasks.notify_coming_due")
    with time_machine.travel(TODAY, tick=False):
        assert task.delay().get() == 7
        assert task.delay().get() == 0  # a second run the same day sends nothing again
    mine = Notice.objects.filter(recipient=owner, kind=services.COMING_DUE_KIND)
    subjects = set(mine.values_list("subject", flat=True))
    assert len(subjects) == 6
    assert any(s.startswith("Finding 2 days overdue:") for s in subjects)
    assert any(s.startswith("Waiver due in 2 days:") for s in subjects)
    assert Notice.objects.get(recipient=developer).subject.startswith("Finding due in 1 day:")

    with time_machine.travel(TODAY + timedelta(days=1), tick=False):
        assert task.delay().get() == 7  # the next day, each reminded again
    assert Notice.objects.filter(kind=services.COMING_DUE_KIND).count() == 14


def test_the_selection_reads_a_bounded_number_of_queries(items, owner, validator):
    with CaptureQueriesContext(connection) as few:
        selectors.coming_due(TODAY)
    for n in range(4):
        finding(items, owner, validator, days(n))
    with CaptureQueriesContext(connection) as more:
        selectors.coming_due(TODAY)
    assert len(more) == len(few)
