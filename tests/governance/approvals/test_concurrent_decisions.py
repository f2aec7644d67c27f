"""Two people deciding the same request at the same moment (PostgreSQL row locks)."""

import pytest

from governance.approvals.models import ApprovalRequest, SignOff
from governance.approvals.services import workflow
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from tests.concurrency import in_threads
from tests.governance.approvals.conftest import submitted

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_validators_filling_the_last_slot_at_once_decide_it_once(
    tier3_ready, pd_v1, owner, validator, second_validator
):
    request = submitted(owner, pd_v1, "validation")
    people = [validator, second_validator]

    def sign(index: int) -> None:
        workflow.sign_off(
            actor=people[index], request=request, role="validator", decision="approve"
        )

    errors = in_threads(2, sign)
    assert len(errors) == 1 and isinstance(errors[0], DomainError)
    assert errors[0].field in {"state", "role"}
    request.refresh_from_db()
    assert request.state == "approved"
    assert SignOff.objects.filter(request=request).count() == 1
    assert AuditEvent.objects.filter(verb="approval.approve").count() == 1


def test_an_approval_and_a_rejection_at_once_leave_a_consistent_decision(
    tier3_ready, pd_v1, owner, validator, second_validator
):
    request = submitted(owner, pd_v1, "validation")
    moves = [
        {"actor": validator, "decision": "approve"},
        {"actor": second_validator, "decision": "reject", "comment": "Back-test fails"},
    ]

    def sign(index: int) -> None:
        workflow.sign_off(request=request, role="validator", **moves[index])

    errors = in_threads(2, sign)
    assert len(errors) == 1
    request = ApprovalRequest.objects.get(pk=request.pk)
    winner = SignOff.objects.get(request=request)
    expected = "approved" if winner.decision == "approve" else "rejected"
    assert request.state == expected
    decided = AuditEvent.objects.filter(verb__in=["approval.approve", "approval.reject"])
    assert decided.count() == 1
