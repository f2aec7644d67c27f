"""The organisation profile: administrators state the firm's facts once; every model's scoping
questionnaire starts from them, and a model's own answer wins."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from governance.auditlog.models import AuditEvent
from governance.risk.rules import scoping
from governance.risk.services import assessments
from governance.rulebooks import services as rulebooks
from registry import services
from registry.models import OrganisationProfile

PROFILE_URL = "/inventory/organisation/"
FACTS = {
    "jurisdiction": "us",
    "us_banking_organisation": "true",
    "pra_firm": "no",
    "eu_establishment": "false",
    "public_body": "",
}


def written() -> tuple[int, int]:
    return OrganisationProfile.objects.count(), AuditEvent.objects.count()


def scoping_rows(client) -> dict:
    page = client.get(reverse("risk:model-questionnaire", args=["retail-pd", "scoping"]))
    return {row.question.key: row for row in page.context["rows"]}


def checked(row) -> list[str]:
    return [option.value for option in row.options if option.checked]


@pytest.fixture
def us_bank(admin_user) -> OrganisationProfile:
    """A US bank holding company, not a PRA firm, with an EU establishment."""
    return services.update_organisation_profile(
        actor=admin_user,
        jurisdiction="us",
        us_banking_organisation=True,
        pra_firm=scoping.PRA_NO,
        eu_establishment=True,
    )


def test_url_is_the_registry_route():
    assert reverse("registry:organisation-profile") == PROFILE_URL


def test_an_administrator_saves_the_profile_and_it_is_audited(client, admin_user):
    client.force_login(admin_user)
    response = client.post(PROFILE_URL, FACTS)
    assert response.status_code == 302
    profile = OrganisationProfile.objects.get()
    assert (profile.us_banking_organisation, profile.eu_establishment, profile.public_body) == (
        True,
        False,
        None,
    )
    event = AuditEvent.objects.get(verb="organisation.profile_updated")
    assert (event.actor, event.before, event.after["pra_firm"]) == (admin_user, None, "no")


def test_a_second_save_records_only_what_changed(client, admin_user, us_bank):
    client.force_login(admin_user)
    client.post(PROFILE_URL, {**FACTS, "eu_establishment": "true", "public_body": "false"})
    event = AuditEvent.objects.filter(verb="organisation.profile_updated").latest("seq")
    assert (event.before, event.after) == ({"public_body": None}, {"public_body": False})


@pytest.mark.parametrize("persona", ["owner", "auditor", "committee_member"])
def test_others_read_the_profile_but_may_not_change_it(client, request, persona, us_bank):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(PROFILE_URL)
    assert page.status_code == 200 and page.context["may_edit"] is False
    before = written()
    assert client.post(PROFILE_URL, {**FACTS, "jurisdiction": "uk"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.update_organisation_profile(
            actor=request.getfixturevalue(persona), jurisdiction="uk"
        )
    assert written() == before
    assert OrganisationProfile.objects.get().jurisdiction == "us"


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"jurisdiction": "eu", "eu_establishment": "false"}, "eu_establishment"),
        ({"jurisdiction": "us", "pra_firm": "internal_models"}, "pra_firm"),
        ({"jurisdiction": "mars"}, "jurisdiction"),
    ],
)
def test_facts_that_cannot_hold_together_are_refused_beside_the_field(
    client, admin_user, facts, field
):
    client.force_login(admin_user)
    before = written()
    response = client.post(PROFILE_URL, {**FACTS, **facts})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert written() == before


# ---- The scoping questionnaire's defaults ------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "answers"),
    [
        ({}, {}),
        (
            {"us_banking_organisation": True, "pra_firm": "adopted", "eu_establishment": True},
            {"us_banking_org": True, "pra_firm": "adopted", "eu_nexus": True},
        ),
        (
            {"us_banking_organisation": False, "pra_firm": "", "eu_establishment": False},
            {"us_banking_org": False},
        ),
    ],
)
def test_stated_facts_answer_their_scoping_questions(facts, answers):
    stated = {"us_banking_organisation": None, "pra_firm": "", "eu_establishment": None, **facts}
    assert scoping.organisation_answers(**stated) == answers


def test_the_scoping_questionnaire_starts_from_the_profile(client, owner, credit_pd_model, us_bank):
    rulebooks.load_shipped()
    client.force_login(owner)
    rows = scoping_rows(client)
    assert checked(rows["us_banking_org"]) == ["yes"]
    assert checked(rows["pra_firm"]) == ["no"]
    assert checked(rows["eu_nexus"]) == ["yes"]
    assert rows["us_banking_org"].profile_note == "From the organisation profile"
    assert rows["ai_system"].profile_note == ""


def test_the_models_own_answer_wins_and_the_profile_is_named_beside_it(
    client, owner, credit_pd_model, us_bank
):
    rulebooks.load_shipped()
    assessments.save_answers(
        actor=owner, framework="scoping", subject=credit_pd_model, answers={"eu_nexus": False}
    )
    client.force_login(owner)
    rows = scoping_rows(client)
    assert checked(rows["eu_nexus"]) == ["no"]
    assert rows["eu_nexus"].profile_note == "The organisation profile says: Yes"
    assert checked(rows["us_banking_org"]) == ["yes"]


def test_without_a_profile_the_questionnaire_has_no_defaults(client, owner, credit_pd_model):
    rulebooks.load_shipped()
    client.force_login(owner)
    rows = scoping_rows(client)
    assert checked(rows["us_banking_org"]) == []
    assert all(row.profile_note == "" for row in rows.values())
