"""A submitted request that nobody eligible can sign in some role is escalated at once."""

import pytest
from django.contrib.auth.models import User

from governance import roles
from governance.access.models import RaciAssignment
from governance.access.services import raci
from governance.approvals.selectors import eligibility
from governance.auditlog.models import AuditEvent
from governance.notices.models import Notice
from registry.models import ModelVersion
from tests.factories.accounts import UserFactory
from tests.factories.registry import TrainingRunFactory
from tests.governance.approvals.conftest import submitted

pytestmark = pytest.mark.usefixtures("evidence_storage")

KIND = "approval.escalated"


def escalations() -> list[Notice]:
    return list(Notice.objects.filter(kind=KIND).select_related("recipient"))


def test_a_tier_3_validation_with_an_eligible_validator_is_not_escalated(
    tier3_ready, pd_v1, owner, validator, committee_member, head_of_validation
):
    submitted(owner, pd_v1, "validation")
    assert escalations() == []
    assert not AuditEvent.objects.filter(verb=KIND).exists()


def test_roles_nobody_can_fill_go_to_the_committee_and_the_heads_of_validation(
    tier1_ready, pd_v1, owner, validator, committee_member, head_of_validation, developer
):
    # Tier 1 production: validator 1, committee 2, compliance 1, legal 1; only Carl sits on
    # the committee and nobody holds compliance or legal.
    request = submitted(owner, pd_v1, "deployment", "production")

    notices = escalations()
    assert {n.recipient.username for n in notices} == {"carl", "hal"}
    subject = notices[0].subject
    assert request.reference in subject
    assert "only 1 eligible committee member of the 2 needed" in subject
    assert "no eligible compliance officer" in subject and "no eligible legal reviewer" in subject
    assert "validator" not in subject.replace("heads of validation", "")
    assert notices[0].link == request.get_absolute_url()

    event = AuditEvent.objects.get(verb=KIND, target_id=request.pk)
    assert event.after["roles"] == ["committee", "compliance", "legal"]


def test_the_chair_is_whoever_is_accountable_for_approval(
    tier1_ready,
    pd_v1,
    owner,
    admin_user,
    committee_member,
    second_committee_member,
    compliance_officer,
    head_of_validation,
):
    raci.assign_raci(
        actor=admin_user,
        model=tier1_ready,
        user=second_committee_member,
        role="A",
        area=RaciAssignment.Area.APPROVAL,
    )
    submitted(owner, pd_v1, "deployment", "production")
    notices = escalations()
    assert {n.recipient.username for n in notices} == {"celine", "hal"}
    assert "no eligible legal reviewer" in notices[0].subject
    assert "committee" not in notices[0].subject


def test_segregation_of_duties_counts_a_validator_who_wrote_the_code_out(
    tier3_ready, pd_v1, owner, validator, committee_member
):
    # Tier 3 validation needs one validator; Vera, the only one, authored the run's commit.
    run = TrainingRunFactory(model=tier3_ready, code_author="vera", code_commit="c0ffee" * 6)
    ModelVersion.objects.filter(pk=pd_v1.pk).update(training_run=run)
    pd_v1.refresh_from_db()
    request = submitted(owner, pd_v1, "validation")
    assert eligibility.eligible_signers(request, "validator", [validator]) == []
    notices = escalations()
    assert {n.recipient.username for n in notices} == {"carl", "hal"}
    assert "no eligible validator" in notices[0].subject


@pytest.fixture
def compliance_and_legal(db) -> User:
    """Connie sits in both the compliance and the legal group: she may sign in either role."""
    return UserFactory(username="connie", roles=[roles.COMPLIANCE, roles.LEGAL])


def test_roles_only_the_same_person_could_fill_are_escalated(
    tier1_ready,
    pd_v1,
    owner,
    validator,
    committee_member,
    second_committee_member,
    compliance_and_legal,
    head_of_validation,
):
    # Tier 1 production needs compliance and legal sign-offs from two people; Connie alone is
    # eligible for either, and one person signs one role.
    request = submitted(owner, pd_v1, "deployment", "production")
    (notice, *_) = escalations()
    assert (
        "only 1 eligible person for the 2 compliance officer and legal reviewer sign-offs"
        in notice.subject
    )
    event = AuditEvent.objects.get(verb=KIND, target_id=request.pk)
    assert event.after["roles"] == ["compliance", "legal"]
    assert event.after["shortfalls"] == [
        {"roles": ["compliance", "legal"], "needed": 2, "eligible": 1}
    ]


def test_a_person_eligible_in_two_roles_is_seated_where_nobody_else_can_sign(
    tier1_ready,
    pd_v1,
    owner,
    validator,
    committee_member,
    second_committee_member,
    compliance_and_legal,
    legal_counsel,
    head_of_validation,
):
    # Connie signs as compliance and Leon as legal: every role has its own person.
    submitted(owner, pd_v1, "deployment", "production")
    assert escalations() == []
    assert not AuditEvent.objects.filter(verb=KIND).exists()
