"""Reviewing an assessment through the API: confirm, propose an override, a second person decides."""

import pytest

from governance.auditlog.models import AuditEvent
from governance.risk.models import RiskAssessment
from tests.api_errors import error_fields
from tests.risk_answers import EU_CREDIT_SCORING, TIER_1, TIER_3, assess

pytestmark = pytest.mark.usefixtures("shipped_rulebooks")
MODEL = "/api/v1/models/retail-pd/assessments"
USE_CASE = "/api/v1/use-cases/loan-decisions/assessments"
PROPOSAL = {"result": "tier_2", "reason": "Feeds the IFRS 9 ECL engine"}


@pytest.fixture
def tier_3(owner, scoped_pd_model) -> RiskAssessment:
    """The retail PD model tiered Tier 3 by Olivia, its assessor."""
    return assess(owner, scoped_pd_model, "tiering", TIER_3)


def post(client, path: str, data: dict | None = None):
    return client.post(path, data or {}, format="json")


def review_state(assessment: RiskAssessment) -> tuple:
    row = RiskAssessment.objects.get(pk=assessment.pk)
    return row.review, row.override_result, row.reviewed_by_id, row.override_approved_by_id


# ---- The second person ----------------------------------------------------------------------------


def test_an_override_counts_only_once_a_second_reviewer_grants_it(
    api_client, validator, committee_member, tier_3
):
    vera, carl = api_client(validator), api_client(committee_member)
    proposed = post(vera, f"{MODEL}/{tier_3.pk}/override/", PROPOSAL)
    assert proposed.status_code == 200, proposed.json()
    body = proposed.json()
    assert (body["review"], body["override_result"], body["reviewed_by"]) == (
        "override_proposed",
        "tier_2",
        "vera",
    )
    assert (body["effective_result"], body["review_reason"]) == ("tier_3", PROPOSAL["reason"])

    own = post(vera, f"{MODEL}/{tier_3.pk}/override-decision/", {"decision": "grant"})
    assert (own.status_code, error_fields(own)) == (400, ["override_approved_by"])
    assert RiskAssessment.objects.get(pk=tier_3.pk).effective_result == "tier_3"

    granted = post(carl, f"{MODEL}/{tier_3.pk}/override-decision/", {"decision": "grant"})
    assert granted.status_code == 200, granted.json()
    body = granted.json()
    assert (body["review"], body["effective_result"], body["override_approved_by"]) == (
        "overridden",
        "tier_2",
        "carl",
    )
    assert body["override_approved_at"] is not None
    assert AuditEvent.objects.filter(verb="assessment.overridden", target_id=tier_3.pk).exists()


def test_a_refusal_needs_a_reason_and_the_rules_result_stands(
    api_client, validator, committee_member, tier_3
):
    post(api_client(validator), f"{MODEL}/{tier_3.pk}/override/", PROPOSAL)
    carl, decide = api_client(committee_member), f"{MODEL}/{tier_3.pk}/override-decision/"
    silent = post(carl, decide, {"decision": "refuse"})
    assert (silent.status_code, error_fields(silent)) == (400, ["reason"])
    assert review_state(tier_3)[0] == "override_proposed"

    refused = post(carl, decide, {"decision": "refuse", "reason": "The exposure is minimal"})
    assert refused.status_code == 200, refused.json()
    body = refused.json()
    assert (body["review"], body["effective_result"], body["override_approved_by"]) == (
        "override_refused",
        "tier_3",
        "carl",
    )
    event = AuditEvent.objects.get(verb="assessment.override_refused")
    assert event.after["reason"] == "The exposure is minimal"


def test_a_grant_keeps_its_reason_in_the_audit_trail(
    api_client, validator, committee_member, tier_3
):
    post(api_client(validator), f"{MODEL}/{tier_3.pk}/override/", PROPOSAL)
    response = post(
        api_client(committee_member),
        f"{MODEL}/{tier_3.pk}/override-decision/",
        {"decision": "grant", "reason": "Agreed"},
    )
    assert response.status_code == 200
    assert review_state(tier_3)[0] == "overridden"
    assert AuditEvent.objects.get(verb="assessment.overridden").after["reason"] == "Agreed"


@pytest.mark.parametrize(
    "second", [{"decision": "grant"}, {"decision": "refuse", "reason": "Too late"}]
)
def test_a_decided_override_cannot_be_decided_again(
    api_client, validator, committee_member, tier_3, second
):
    post(api_client(validator), f"{MODEL}/{tier_3.pk}/override/", PROPOSAL)
    decide = f"{MODEL}/{tier_3.pk}/override-decision/"
    assert post(api_client(committee_member), decide, {"decision": "grant"}).status_code == 200
    before, events = review_state(tier_3), AuditEvent.objects.count()

    again = post(api_client(committee_member), decide, second)
    assert (again.status_code, error_fields(again)) == (409, ["review"])
    assert (review_state(tier_3), AuditEvent.objects.count()) == (before, events)


def test_an_assessment_no_longer_in_force_cannot_be_reviewed(
    api_client, owner, validator, scoped_pd_model, tier_3
):
    assess(owner, scoped_pd_model, "tiering", TIER_1)
    response = post(api_client(validator), f"{MODEL}/{tier_3.pk}/override/", PROPOSAL)
    assert (response.status_code, error_fields(response)) == (409, ["status"])


# ---- Confirming and proposing -------------------------------------------------------------------


def test_a_validator_confirms_the_result_in_force(api_client, validator, tier_3):
    response = post(api_client(validator), f"{MODEL}/{tier_3.pk}/confirm/", {"reason": "Checked"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["review"], body["reviewed_by"], body["review_reason"]) == (
        "confirmed",
        "vera",
        "Checked",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"result": "tier_9", "reason": "Why not"}, "result"),
        ({"result": "tier_3", "reason": "Same as the rules"}, "result"),
        ({"result": "tier_2", "reason": " "}, "reason"),
        ({"result": "tier_2"}, "reason"),
        ({**PROPOSAL, "approved_by": "carl"}, "approved_by"),
    ],
)
def test_a_refused_proposal_names_the_field_and_writes_nothing(
    api_client, validator, tier_3, payload, field
):
    before, events = review_state(tier_3), AuditEvent.objects.count()
    response = post(api_client(validator), f"{MODEL}/{tier_3.pk}/override/", payload)
    assert (response.status_code, error_fields(response)) == (400, [field])
    assert (review_state(tier_3), AuditEvent.objects.count()) == (before, events)


def test_a_use_case_classification_is_overridden_the_same_way(
    api_client, owner, validator, committee_member, lending
):
    category = assess(owner, lending, "eu_ai_act", EU_CREDIT_SCORING)
    assert category.result == "high_risk_annex_iii"
    proposal = {"result": "annex_iii_not_high_risk", "reason": "Art. 6(3) applies"}
    proposed = post(api_client(validator), f"{USE_CASE}/{category.pk}/override/", proposal)
    assert proposed.status_code == 200, proposed.json()
    decide = f"{USE_CASE}/{category.pk}/override-decision/"
    granted = post(api_client(committee_member), decide, {"decision": "grant"})
    assert granted.status_code == 200, granted.json()
    assert granted.json()["effective_result"] == "annex_iii_not_high_risk"


# ---- Who may review ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"), [("auditor", 403), ("outsider", 404), ("owner", 403)]
)
@pytest.mark.parametrize(
    ("step", "payload"),
    [
        ("confirm", {}),
        ("override", PROPOSAL),
        ("override-decision", {"decision": "grant"}),
    ],
)
def test_only_validators_and_deciders_review_and_others_write_nothing(
    api_client, request, validator, tier_3, persona, status, step, payload
):
    post(api_client(validator), f"{MODEL}/{tier_3.pk}/override/", PROPOSAL)
    before, events = review_state(tier_3), AuditEvent.objects.count()
    client = api_client(request.getfixturevalue(persona))
    response = post(client, f"{MODEL}/{tier_3.pk}/{step}/", payload)
    assert response.status_code == status
    assert (review_state(tier_3), AuditEvent.objects.count()) == (before, events)
