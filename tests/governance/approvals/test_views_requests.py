"""Approval pages: my work per role, the review queue, a request in full and its decision form."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.timezone import now

from governance import roles
from governance.approvals.models import ApprovalRequest, Condition
from governance.approvals.services import workflow
from monitoring.models import MetricPoint
from registry import services
from tests.governance.approvals.conftest import (
    evidence_everything,
    in_days,
    submitted,
    with_conditions,
)
from tests.risk_answers import PDF, TIER_3, US_BANK_SCORECARD, assess

pytestmark = pytest.mark.usefixtures("evidence_storage")


def url(name: str, *args: object) -> str:
    return reverse(f"approvals:{name}", args=args)


def page_of(client, user, name: str, *args: object):
    client.force_login(user)
    return client.get(url(name, *args))


@pytest.fixture
def retirement(tier1_ready, pd_v1, owner) -> ApprovalRequest:
    """Retiring version 1.0 of a Tier 1 model: one committee sign-off decides it."""
    return submitted(owner, pd_v1, "retirement")


@pytest.fixture
def owner_on_committee(owner) -> None:
    """Olivia also sits on the committee: she holds a role, but not on her own model."""
    owner.groups.add(Group.objects.get(name=roles.COMMITTEE))


# ---- My work -------------------------------------------------------------------------------------


def test_my_work_shows_the_owner_her_draft_and_the_validator_the_request_to_review(
    client, tier3_ready, pd_v1, owner, validator
):
    draft = workflow.open_request(actor=owner, version=pd_v1, gate="validation")
    work = page_of(client, owner, "my-work").context["work"]
    assert work.to_submit == [draft]

    workflow.submit(actor=owner, request=draft)
    work = page_of(client, validator, "my-work").context["work"]
    assert [item.request for item in work.to_review] == [draft]
    assert work.to_review[0].roles == ("validator",)
    assert work.to_sign_off == []


def test_my_work_leaves_out_requests_the_person_built_or_needs_no_role_for(
    client, tier3_ready, pd_v1, owner, developer, committee_member
):
    submitted(owner, pd_v1, "validation")  # Tier 3 validation: a validator only
    assert page_of(client, developer, "my-work").context["work"].empty
    assert page_of(client, committee_member, "my-work").context["work"].to_sign_off == []


def test_my_work_puts_a_tier_1_deployment_under_to_sign_off_for_the_committee(
    client, tier1_ready, pd_v1, owner, committee_member
):
    request = submitted(owner, pd_v1, "deployment", "production")
    page = page_of(client, committee_member, "my-work")
    [item] = page.context["work"].to_sign_off
    assert item.request == request
    assert item.roles == ("committee",)
    assert (
        "validator 0/1, committee members 0/2, compliance officer 0/1, legal reviewer 0/1"
        in page.content.decode()
    )


def test_my_work_lists_overdue_conditions_on_the_owners_approved_models(
    client, retirement, owner, committee_member
):
    workflow.sign_off(
        actor=committee_member, request=retirement, role="committee", **with_conditions()
    )
    Condition.objects.filter(request=retirement).update(due_on=in_days(-1))
    page = page_of(client, owner, "my-work")
    assert [c.request for c in page.context["work"].overdue_conditions] == [retirement]
    assert "Monthly back-test report" in page.content.decode()


# ---- Review queue ----------------------------------------------------------------------------------


@pytest.fixture
def bureau_request(hidden_model, admin_user) -> ApprovalRequest:
    """A submitted validation of the administrator's model that Olivia cannot see."""
    assess(admin_user, hidden_model, "scoping", US_BANK_SCORECARD)
    assess(admin_user, hidden_model, "tiering", TIER_3)
    evidence_everything(admin_user, hidden_model)
    version = services.register_version(actor=admin_user, model=hidden_model, version="1.0")
    return submitted(admin_user, version, "validation")


def test_queue_shows_only_requests_on_models_the_user_may_see(
    client, tier3_ready, pd_v1, owner, auditor, bureau_request
):
    mine = submitted(owner, pd_v1, "validation")
    rows = page_of(client, owner, "queue").context["rows"]
    assert [row.request for row in rows] == [mine]
    assert [row.request for row in page_of(client, auditor, "queue").context["rows"]] == [
        bureau_request,
        mine,
    ]


def test_queue_filters_by_gate_and_tier_and_shows_progress_and_age(
    client, tier3_ready, pd_v1, owner, committee_member
):
    submitted(owner, pd_v1, "validation")
    deployment = submitted(owner, pd_v1, "deployment", "staging")
    client.force_login(committee_member)
    page = client.get(url("queue"), {"gate": "deployment", "tier": "tier_3"})
    [row] = page.context["rows"]
    assert row.request == deployment
    assert (row.age_days, row.progress) == (0, "validator 0/1")
    assert '<td data-label="Environment">Staging</td>' in page.content.decode()
    assert client.get(url("queue"), {"tier": "tier_1"}).context["rows"] == []


def test_queue_costs_the_same_queries_for_many_requests(
    client, tier3_ready, owner, developer, validator, django_assert_max_num_queries
):
    for label in ("1.0", "1.1", "1.2", "1.3"):
        version = services.register_version(actor=developer, model=tier3_ready, version=label)
        request = submitted(owner, version, "validation")
        if label != "1.0":
            workflow.sign_off(
                actor=validator, request=request, role="validator", decision="reject", comment="no"
            )
            submitted(owner, version, "deployment", "staging")
    client.force_login(validator)
    with django_assert_max_num_queries(12) as few:
        assert len(client.get(url("queue")).context["rows"]) == 4
    version = services.register_version(actor=developer, model=tier3_ready, version="2.0")
    submitted(owner, version, "validation")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url("queue")).context["rows"]) == 5


# ---- Request detail ------------------------------------------------------------------------------


def test_request_detail_is_404_for_someone_who_cannot_see_the_model(client, retirement, outsider):
    assert page_of(client, outsider, "request-detail", retirement.pk).status_code == 404


def test_request_detail_shows_classification_coverage_progress_and_the_decision_form(
    client, retirement, committee_member
):
    page = page_of(client, committee_member, "request-detail", retirement.pk)
    text = page.content.decode()
    assert "Tier 1 (high)" in text
    assert page.context["coverage"].sentence in text
    assert "committee member 0/1" in text
    assert list(page.context["decision"]["form"].fields["role"].choices) == [
        ("committee", "Model risk committee")
    ]
    assert page.context["decision"]["blocked"] == ""


def test_auditor_reads_the_request_but_gets_no_decision_form(client, retirement, auditor):
    page = page_of(client, auditor, "request-detail", retirement.pk)
    assert page.status_code == 200
    assert page.context["decision"] is None
    assert "Record sign-off" not in page.content.decode()


def test_deployment_request_lists_each_gate_rule_with_pass_or_fail(
    client, tier3_ready, pd_v1, owner, validator
):
    request = submitted(owner, pd_v1, "deployment", "production")
    page = page_of(client, validator, "request-detail", request.pk)
    answer = page.context["gate_now"].answer
    assert not answer.open
    assert "approval" in [rule.id for rule in answer.unmet]
    shown = page.content.decode()
    assert "Closed" in shown
    assert "Deployment gate now (Production)" in shown
    assert "Deployment gate now (production)" not in shown


def test_a_decider_is_told_before_signing_that_approving_will_not_open_the_gate(
    client, tier3_ready, pd_v1, owner, validator
):
    request = submitted(owner, pd_v1, "deployment", "production")  # no validation approval yet
    page = page_of(client, validator, "request-detail", request.pk)
    blocking = [rule.id for rule in page.context["gate_now"].still_closed_by]
    assert "validation-current" in blocking and "approval" not in blocking
    assert "Approving will not open the gate yet" in page.content.decode()


def test_the_candidate_is_shown_beside_the_version_in_production_rounded(
    client, tier3_ready, pd_v1, owner, validator
):
    live = services.register_version(actor=owner, model=tier3_ready, version="0.9")
    services.record_deployment(actor=owner, version=live, environment="production")
    MetricPoint.objects.create(version=live, name="max_psi", value=0.0812345678, timestamp=now())
    MetricPoint.objects.create(version=pd_v1, name="auc", value=0.8123456, timestamp=now())
    request = submitted(owner, pd_v1, "deployment", "production")
    page = page_of(client, validator, "request-detail", request.pk)
    assert page.context["production"] == live
    rows = {(m.name, bool(m.candidate), bool(m.production)) for m in page.context["metrics"]}
    assert rows == {("auc", True, False), ("max_psi", False, True)}
    html = page.content.decode()
    assert "Max PSI" in html and 'title="0.0812345678"' in html and ">0.08123<" in html


def test_once_a_person_signed_the_request_offers_them_no_form(
    client, tier1_ready, pd_v1, owner, committee_member
):
    request = submitted(owner, pd_v1, "deployment", "production")  # the committee needs two
    assert page_of(client, committee_member, "request-detail", request.pk).context["decision"]
    sign(client, committee_member, request, role="committee", decision="approve")
    page = page_of(client, committee_member, "request-detail", request.pk)
    assert page.context["decision"] is None and "Record sign-off" not in page.content.decode()


# ---- Signing off ----------------------------------------------------------------------------------


def sign(client, user, request: ApprovalRequest, **data):
    client.force_login(user)
    return client.post(url("request-sign-off", request.pk), data)


def test_committee_sign_off_decides_the_request_and_the_page_shows_it_holds(
    client, retirement, committee_member
):
    done = sign(client, committee_member, retirement, role="committee", decision="approve")
    assert done.status_code == 302
    retirement.refresh_from_db()
    assert retirement.state == "approved"
    page = client.get(url("request-detail", retirement.pk))
    text = page.content.decode()
    assert "Approved" in text and "Approval holds" in text
    assert retirement.snapshot_sha256 in text
    assert page.context["decision"] is None


def test_owner_signing_off_her_own_model_sees_the_segregation_error_at_the_role(
    client, retirement, owner, owner_on_committee
):
    page = sign(client, owner, retirement, role="committee", decision="approve")
    assert page.status_code == 400
    assert page.context["decision"]["form"].errors["role"] == [
        "you own this model; its sign-offs must come from someone else"
    ]
    retirement.refresh_from_db()
    assert retirement.state == "submitted"


def test_owner_on_the_committee_is_told_up_front_why_she_cannot_sign(
    client, retirement, owner, owner_on_committee
):
    page = page_of(client, owner, "request-detail", retirement.pk)
    assert "you own this model" in page.context["decision"]["blocked"]


def test_a_rejection_needs_a_comment(client, retirement, committee_member):
    page = sign(client, committee_member, retirement, role="committee", decision="reject")
    assert page.status_code == 400
    assert page.context["decision"]["form"].errors["comment"] == ["say why you reject the request"]


def test_approval_with_conditions_without_expiry_shows_the_error_on_expires_on(
    client, retirement, committee_member
):
    page = sign(
        client,
        committee_member,
        retirement,
        role="committee",
        decision="approve_with_conditions",
        condition_1_text="Back-test monthly",
        condition_1_due_on=in_days(30).isoformat(),
    )
    assert page.status_code == 400
    assert "expires_on" in page.context["decision"]["form"].errors


def test_a_condition_due_after_expiry_is_flagged_on_its_own_row(
    client, retirement, committee_member
):
    page = sign(
        client,
        committee_member,
        retirement,
        role="committee",
        decision="approve_with_conditions",
        expires_on=in_days(60).isoformat(),
        condition_2_text="Report drift",
        condition_2_due_on=in_days(90).isoformat(),
    )
    errors = page.context["decision"]["form"].errors
    assert errors["condition_2_due_on"] == ["must fall on or before the approval's expiry"]


def test_approval_with_conditions_and_an_attachment_is_shown_with_its_hash_and_downloads(
    client, retirement, committee_member, auditor
):
    done = sign(
        client,
        committee_member,
        retirement,
        role="committee",
        decision="approve_with_conditions",
        expires_on=in_days(365).isoformat(),
        condition_1_text="Archive the scorecard",
        condition_1_due_on=in_days(30).isoformat(),
        attachment_1_title="Committee minutes",
        attachment_1_file=SimpleUploadedFile("minutes.pdf", PDF, "application/pdf"),
    )
    assert done.status_code == 302
    page = page_of(client, auditor, "request-detail", retirement.pk)
    text = page.content.decode()
    [attachment] = page.context["sign_offs"][0].attachments.all()
    assert "Approved with conditions" in text and "Archive the scorecard" in text
    assert attachment.sha256 in text
    download = client.get(url("attachment-download", attachment.pk))
    assert b"".join(download.streaming_content) == PDF


def test_a_validator_marks_a_condition_met(client, retirement, committee_member, validator):
    workflow.sign_off(
        actor=committee_member, request=retirement, role="committee", **with_conditions()
    )
    condition = retirement.conditions.get()
    client.force_login(validator)
    client.post(url("condition-meet", condition.pk), {"note": "Report filed"})
    condition.refresh_from_db()
    assert condition.met_by == validator and condition.met_note == "Report filed"


# ---- Opening, submitting, withdrawing ------------------------------------------------------------


def test_owner_opens_a_draft_then_submits_it(client, tier3_ready, pd_v1, owner):
    client.force_login(owner)
    form = client.get(url("request-new", "retail-pd", "1.0"))
    assert form.status_code == 200
    done = client.post(
        url("request-new", "retail-pd", "1.0"),
        {"gate": "deployment", "environment": "production", "summary": "Go live"},
    )
    request = ApprovalRequest.objects.get()
    assert done.url == request.get_absolute_url()
    assert "Submit" in client.get(done.url).content.decode()
    client.post(url("request-submit", request.pk))
    request.refresh_from_db()
    assert (request.state, request.tier) == ("submitted", "tier_3")


def test_deployment_request_without_environment_shows_the_error_on_the_field(
    client, tier3_ready, pd_v1, owner
):
    client.force_login(owner)
    page = client.post(url("request-new", "retail-pd", "1.0"), {"gate": "deployment"})
    assert "environment" in page.context["form"].errors


def test_submitting_with_obligations_unevidenced_shows_why_on_the_page(
    client, tiered_pd_model, pd_v1, owner
):
    draft = workflow.open_request(actor=owner, version=pd_v1, gate="validation")
    client.force_login(owner)
    page = client.post(url("request-submit", draft.pk))
    assert page.status_code == 400
    assert "have no evidence or running waiver" in page.content.decode()
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_a_developer_may_not_open_a_request(client, tier3_ready, pd_v1, developer):
    assert page_of(client, developer, "request-new", "retail-pd", "1.0").status_code == 403


def test_withdrawing_needs_a_reason(client, retirement, owner):
    client.force_login(owner)
    page = client.post(url("request-withdraw", retirement.pk), {"reason": ""})
    assert page.context["withdraw"].errors["reason"] == ["say why the request is withdrawn"]
    client.post(url("request-withdraw", retirement.pk), {"reason": "Not retiring after all"})
    retirement.refresh_from_db()
    assert retirement.state == "withdrawn"


# ---- Version and model pages -------------------------------------------------------------------------


def test_version_approvals_list_state_validity_and_the_request_button_for_the_owner(
    client, retirement, owner, committee_member
):
    workflow.sign_off(
        actor=committee_member, request=retirement, role="committee", decision="approve"
    )
    client.force_login(owner)
    fragment = client.get(url("version-requests", "retail-pd", "1.0"), HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert retirement.reference in text and "Approval holds" in text
    assert "Request approval" in text
    client.force_login(committee_member)
    assert (
        "Request approval"
        not in client.get(url("version-requests", "retail-pd", "1.0")).content.decode()
    )


def test_the_version_page_loads_its_approvals_and_the_navigation_links_my_work(
    client, pd_v1, owner
):
    client.force_login(owner)
    text = client.get(pd_v1.get_absolute_url()).content.decode()
    assert url("version-requests", "retail-pd", "1.0") in text
    assert url("my-work") in text and url("queue") in text
