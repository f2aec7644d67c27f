"""Approval requests through the services: submission checks, routing, segregation of duties
along lineage, quorum, conditions, decisions, snapshots and the audit trail."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from governance import roles
from governance.access.models import RaciAssignment
from governance.access.services import raci
from governance.approvals.models import ApprovalRequest, Condition, SignOff
from governance.approvals.services import workflow
from governance.approvals.services.workflow import NewCondition
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from governance.rulebooks.content import content_sha256
from registry import services
from tests.factories.accounts import UserFactory
from tests.governance.approvals.conftest import approve, in_days, submitted, with_conditions
from tests.risk_answers import EU_WORKPLACE_EMOTIONS, assess

pytestmark = pytest.mark.django_db


def roles_group(name: str) -> Group:
    return Group.objects.get(name=name)


def test_submission_routes_the_request_to_the_sign_offs_its_tier_needs(tier1_ready, pd_v1, owner):
    request = submitted(owner, pd_v1, "deployment", "production")
    assert request.state == "submitted"
    assert request.tier == "tier_1"
    assert request.requirements == [
        {"role": "validator", "count": 1},
        {"role": "committee", "count": 2},
        {"role": "compliance", "count": 1},
        {"role": "legal", "count": 1},
    ]
    assert request.policy.kind == "gate_policy"
    verbs = list(
        AuditEvent.objects.filter(target_id=str(request.pk)).values_list("verb", flat=True)
    )
    # Nobody in this fixture holds compliance or legal, so the submission is escalated too.
    assert verbs[-3:] == ["approval.opened", "approval.submit", "approval.escalated"]


def test_submission_needs_a_tier(shipped_rulebooks, credit_pd_model, pd_v1, owner):
    request = workflow.open_request(actor=owner, version=pd_v1, gate="validation")
    with pytest.raises(DomainError) as refused:
        workflow.submit(actor=owner, request=request)
    assert refused.value.field == "tier"
    request.refresh_from_db()
    assert request.state == "draft" and request.requirements == []


def test_submission_is_blocked_while_required_evidence_is_missing(tiered_pd_model, pd_v1, owner):
    request = workflow.open_request(actor=owner, version=pd_v1, gate="validation")
    with pytest.raises(DomainError) as refused:
        workflow.submit(actor=owner, request=request)
    assert refused.value.field == "evidence"
    assert "obligation(s) due have no evidence" in refused.value.error_text
    request.refresh_from_db()
    assert request.state == "draft"


def test_retirement_needs_no_evidence(tiered_pd_model, pd_v1, owner):
    request = workflow.open_request(actor=owner, version=pd_v1, gate="retirement")
    assert workflow.submit(actor=owner, request=request).requirements == [
        {"role": "committee", "count": 1}
    ]


def test_a_prohibited_practice_cannot_be_submitted(tier3_ready, lending, pd_v1, owner):
    assess(owner, lending, "eu_ai_act", EU_WORKPLACE_EMOTIONS)
    request = workflow.open_request(actor=owner, version=pd_v1, gate="validation")
    with pytest.raises(DomainError) as refused:
        workflow.submit(actor=owner, request=request)
    assert refused.value.field == "eu_ai_act"


def test_one_open_request_per_version_and_gate(tier3_ready, pd_v1, owner):
    first = workflow.open_request(actor=owner, version=pd_v1, gate="validation")
    with pytest.raises(DomainError, match=f"{first.reference} is already open"):
        workflow.open_request(actor=owner, version=pd_v1, gate="validation")
    workflow.open_request(actor=owner, version=pd_v1, gate="deployment", environment="staging")


@pytest.mark.parametrize(
    ("gate", "environment", "field"),
    [
        ("deployment", "", "environment"),
        ("validation", "production", "environment"),
        ("launch", "", "gate"),
    ],
)
def test_bad_gate_or_environment(tier3_ready, pd_v1, owner, gate, environment, field):
    with pytest.raises(DomainError) as refused:
        workflow.open_request(actor=owner, version=pd_v1, gate=gate, environment=environment)
    assert refused.value.field == field
    assert not ApprovalRequest.objects.exists()


def test_only_who_may_submit_opens_requests(tier3_ready, pd_v1, validator, developer):
    for person in (validator, developer):
        with pytest.raises(PermissionDenied):
            workflow.open_request(actor=person, version=pd_v1, gate="validation")


def test_a_validator_signs_off_and_the_request_is_approved(tier3_ready, pd_v1, owner, validator):
    request = submitted(owner, pd_v1, "validation")
    sign = workflow.sign_off(
        actor=validator, request=request, role="validator", decision="approve", comment="Sound"
    )
    request.refresh_from_db()
    assert request.state == "approved"
    assert request.review_started_at is not None and request.decided_at is not None
    assert sign.comment == "Sound"
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"approval.start_review", "approval.signed_off", "approval.approve"} <= verbs


def test_the_approval_records_exactly_what_it_approved(tier3_ready, pd_v1, owner, validator):
    request = approve(submitted(owner, pd_v1, "validation"), (validator, "validator"))
    snapshot = request.snapshot
    assert snapshot["version"]["label"] == "1.0"
    assert {a["framework"] for a in snapshot["assessments"]} == {"scoping", "tiering"}
    assert all(len(a["outcome_sha256"]) == 64 for a in snapshot["assessments"])
    assert snapshot["obligations"] and all(o["evidence"] for o in snapshot["obligations"])
    assert snapshot["sign_offs"] == [
        {"role": "validator", "signer": validator.pk, "decision": "approve", "attachments": []}
    ]
    assert request.snapshot_sha256 == content_sha256(snapshot)


def test_tier_1_deployment_needs_a_committee_quorum_of_two(
    tier1_ready,
    pd_v1,
    owner,
    validator,
    committee_member,
    second_committee_member,
    compliance_officer,
    legal_counsel,
):
    request = submitted(owner, pd_v1, "deployment", "production")
    request = approve(
        request,
        (validator, "validator"),
        (committee_member, "committee"),
        (compliance_officer, "compliance"),
        (legal_counsel, "legal"),
    )
    assert request.state == "in_review"  # one committee member is not a quorum
    request = approve(request, (second_committee_member, "committee"))
    assert request.state == "approved"


def test_the_same_person_cannot_fill_two_required_roles(
    tier1_ready, pd_v1, owner, committee_member
):
    committee_member.groups.add(roles_group(roles.COMPLIANCE))
    request = submitted(owner, pd_v1, "deployment", "production")
    workflow.sign_off(actor=committee_member, request=request, role="committee", decision="approve")
    with pytest.raises(DomainError, match="already signed off as committee"):
        workflow.sign_off(
            actor=committee_member, request=request, role="compliance", decision="approve"
        )


class TestSegregationFollowsLineage:
    """Whoever built the version (registered it, its run, its data, its code) cannot sign it."""

    def make_validator(self, model, head, username, email=""):
        user = UserFactory(username=username, email=email, roles=[roles.VALIDATOR])
        raci.assign_raci(
            actor=head, model=model, user=user, role="R", area=RaciAssignment.Area.VALIDATION
        )
        return user

    def test_owner_and_version_registrant_are_refused(self, tier1_ready, owner, admin_user):
        # RACI already keeps developers out of validation; global rights can still overlap.
        committee = roles_group(roles.COMMITTEE)
        admin_user.groups.add(committee)
        owner.groups.add(committee)
        version = services.register_version(actor=admin_user, model=tier1_ready, version="2.0")
        request = submitted(owner, version, "deployment", "production")
        with pytest.raises(
            DomainError, match=r"you built this version \(ada registered version 2\.0"
        ):
            workflow.sign_off(
                actor=admin_user, request=request, role="committee", decision="approve"
            )
        owner = type(owner).objects.get(pk=owner.pk)  # Django caches permissions per instance
        with pytest.raises(DomainError, match="you own this model"):
            workflow.sign_off(actor=owner, request=request, role="committee", decision="approve")
        assert not SignOff.objects.exists()

    def test_training_data_and_code_authors_are_refused(
        self, tier3_ready, owner, head_of_validation
    ):
        data_person = self.make_validator(tier3_ready, head_of_validation, "dora")
        data_person.groups.add(roles_group(roles.OWNER))  # may register datasets
        coder = self.make_validator(
            tier3_ready, head_of_validation, "cody", email="cody@bank.example"
        )
        dataset = services.register_dataset(actor=data_person, slug="loans", name="Loans")
        snapshot = services.register_dataset_version(
            actor=data_person, dataset=dataset, version="2026-10", uri="s3://loans/2026-10"
        )
        run = services.record_training_run(
            actor=owner,
            model=tier3_ready,
            external_id="run-1",
            code_commit="a" * 40,
            code_author="CODY@bank.example",
            input_datasets=[snapshot],
        )
        version = services.register_version(
            actor=owner, model=tier3_ready, version="3.0", training_run=run
        )
        request = submitted(owner, version, "validation")
        with pytest.raises(
            DomainError, match="you built this version \\(dora registered its training data Loans"
        ):
            workflow.sign_off(
                actor=data_person, request=request, role="validator", decision="approve"
            )
        with pytest.raises(DomainError, match="cody authored its code commit aaaaaaaaaaaa"):
            workflow.sign_off(actor=coder, request=request, role="validator", decision="approve")


def test_a_rejection_needs_a_reason_and_decides(
    tier1_ready, pd_v1, owner, validator, committee_member
):
    request = submitted(owner, pd_v1, "deployment", "production")
    with pytest.raises(DomainError) as refused:
        workflow.sign_off(
            actor=committee_member, request=request, role="committee", decision="reject"
        )
    assert refused.value.field == "comment"
    workflow.sign_off(
        actor=committee_member,
        request=request,
        role="committee",
        decision="reject",
        comment="Calibration drift unexplained",
    )
    request.refresh_from_db()
    assert request.state == "rejected"
    assert request.decision_note == "Calibration drift unexplained"
    assert request.snapshot == {}


def test_approval_with_conditions_needs_conditions_with_due_dates_and_an_expiry(
    tier3_ready, pd_v1, owner, validator
):
    request = submitted(owner, pd_v1, "validation")
    cases = [
        ({"decision": "approve_with_conditions", "expires_on": in_days(90)}, "conditions"),
        (
            {
                "decision": "approve_with_conditions",
                "conditions": [NewCondition("Report", in_days(9))],
            },
            "expires_on",
        ),
        (
            {
                "decision": "approve_with_conditions",
                "conditions": [NewCondition("Report", None)],
                "expires_on": in_days(90),
            },
            "due_on",
        ),
        (
            {
                "decision": "approve_with_conditions",
                "conditions": [NewCondition("Report", in_days(120))],
                "expires_on": in_days(90),
            },
            "due_on",
        ),
        ({"decision": "approve", "conditions": [NewCondition("Report", in_days(9))]}, "conditions"),
        ({"decision": "maybe"}, "decision"),
    ]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as refused:
            workflow.sign_off(actor=validator, request=request, role="validator", **kwargs)
        assert refused.value.field == field, kwargs
    assert not SignOff.objects.exists() and not Condition.objects.exists()
    request.refresh_from_db()
    assert request.state == "submitted"  # nothing half-written, not even the move into review
    workflow.sign_off(actor=validator, request=request, role="validator", **with_conditions())
    request.refresh_from_db()
    assert request.state == "approved_with_conditions"
    assert request.expires_on == in_days(365)
    assert request.conditions.get().due_on == in_days(30)


def test_decisions_on_a_request_that_moved_on_are_refused(
    tier3_ready, pd_v1, owner, validator, second_validator
):
    request = approve(submitted(owner, pd_v1, "validation"), (validator, "validator"))
    with pytest.raises(DomainError) as refused:
        workflow.sign_off(
            actor=second_validator, request=request, role="validator", decision="approve"
        )
    assert refused.value.field == "state"
    assert "already decided (approved)" in refused.value.error_text
    with pytest.raises(DomainError, match="already decided"):
        workflow.withdraw(actor=owner, request=request, reason="changed my mind")


def test_withdrawal_needs_a_reason(tier3_ready, pd_v1, owner):
    request = submitted(owner, pd_v1, "validation")
    with pytest.raises(DomainError):
        workflow.withdraw(actor=owner, request=request, reason=" ")
    assert (
        workflow.withdraw(actor=owner, request=request, reason="Wrong version").state == "withdrawn"
    )
    # the gate is free again for a new request
    workflow.open_request(actor=owner, version=pd_v1, gate="validation")


def test_start_review_only_by_someone_who_signs_it(tier3_ready, pd_v1, owner, validator, auditor):
    request = submitted(owner, pd_v1, "validation")
    with pytest.raises(PermissionDenied):
        workflow.start_review(actor=auditor, request=request)
    assert workflow.start_review(actor=validator, request=request).state == "in_review"


def test_conditions_are_met_by_a_validator_with_a_note(tier3_ready, pd_v1, owner, validator):
    request = submitted(owner, pd_v1, "validation")
    workflow.sign_off(actor=validator, request=request, role="validator", **with_conditions())
    condition = Condition.objects.get()
    with pytest.raises(PermissionDenied):
        workflow.meet_condition(actor=owner, condition=condition, note="done")
    with pytest.raises(DomainError):
        workflow.meet_condition(actor=validator, condition=condition, note="")
    met = workflow.meet_condition(actor=validator, condition=condition, note="Report received")
    assert met.met_by == validator and met.met_at is not None
