"""My work is complete: every open finding a person owns, and evidence waiting for a validator."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.approvals.selectors import queues
from governance.findings.models import Finding
from governance.risk.models import Control, Evidence
from tests.factories.governance import ControlFactory
from tests.factories.registry import ModelVersionFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)


def finding(model, owner, raised_by, due_on: date, **extra) -> Finding:
    version = ModelVersionFactory(model=model, created_by=model.owner)
    return Finding.objects.create(
        model=model, version=version, title=f"Finding due {due_on}", severity="high",
        owner=owner, raised_by=raised_by, due_on=due_on, **extra,
    )  # fmt: skip


def evidenced(model, by, title: str = "Risk management system") -> Control:
    control = ControlFactory(model=model, title=title, status=Control.Status.EVIDENCED)
    Evidence.objects.create(
        control=control, kind=Evidence.Kind.LINK, title="Policy", url="https://x.test/p",
        added_by=by,
    )  # fmt: skip
    return control


def test_findings_i_own_lists_every_open_finding_with_days_left_or_overdue(
    credit_pd_model, owner, validator
):
    late = finding(credit_pd_model, owner, validator, TODAY - timedelta(days=3))
    soon = finding(credit_pd_model, owner, validator, TODAY + timedelta(days=5))
    finding(credit_pd_model, owner, validator, TODAY, status=Finding.Status.CLOSED)
    finding(credit_pd_model, validator, validator, TODAY)  # someone else's

    work = queues.my_work(owner, today=TODAY)

    assert [(o.finding, o.days_left) for o in work.owned_findings] == [(late, -3), (soon, 5)]
    assert work.overdue_findings == [late]
    assert work.owned_findings[0].days_overdue == 3


def test_evidence_to_accept_goes_to_validators_of_the_model_only(
    credit_pd_model, owner, validator, committee_member
):
    waiting = evidenced(credit_pd_model, owner)
    ControlFactory(model=credit_pd_model, status=Control.Status.ACCEPTED)
    ControlFactory(model=credit_pd_model, status=Control.Status.EVIDENCED, applies=False)

    [item] = queues.my_work(validator).evidence_to_accept
    assert item.control == waiting and item.evidenced_at is not None
    assert item.link.endswith(f"#control-{waiting.pk}")
    assert queues.my_work(owner).evidence_to_accept == []
    assert queues.my_work(committee_member).evidence_to_accept == []


def test_the_page_shows_ages_and_due_dates(client, credit_pd_model, owner, validator):
    finding(credit_pd_model, owner, validator, timezone.localdate() + timedelta(days=4))
    evidenced(credit_pd_model, owner, title="Data governance")
    client.force_login(owner)
    text = client.get(reverse("approvals:my-work")).content.decode()
    assert "Findings I own" in text and "4 days left" in text and "raised today" in text
    client.force_login(validator)
    text = client.get(reverse("approvals:my-work")).content.decode()
    assert "Evidence to accept" in text and "Data governance" in text
    assert "evidence added" in text


def _queries(user) -> int:
    user = type(user).objects.get(pk=user.pk)  # no permissions cached from a previous call
    with CaptureQueriesContext(connection) as captured:
        queues.my_work(user, today=TODAY)
    return len(captured)


def test_my_work_reads_a_bounded_number_of_queries(credit_pd_model, owner, validator):
    finding(credit_pd_model, validator, owner, TODAY)
    evidenced(credit_pd_model, owner, "one")
    one = _queries(validator)
    for n in range(4):
        finding(credit_pd_model, validator, owner, TODAY + timedelta(days=n))
        evidenced(credit_pd_model, owner, f"more {n}")
    assert _queries(validator) == one
