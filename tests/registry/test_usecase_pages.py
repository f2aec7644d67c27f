"""Use case pages: register, edit or propose a change, link and unlink models, reach the EU AI
Act questionnaire; each persona gets what its rights allow and a refusal writes nothing."""

import pytest
from django.urls import reverse

from governance import roles
from governance.auditlog.models import AuditEvent
from governance.rulebooks import services as rulebooks
from registry.models import UseCase, UseCaseChange
from tests.factories.accounts import UserFactory
from tests.factories.registry import UseCaseFactory
from tests.risk_answers import US_BANK_SCORECARD, assess

DESCRIPTION = {
    "name": "Collections prioritisation",
    "business_purpose": "Order the collections queue",
    "business_unit": "Retail Credit",
    "deployer_context": "Collections agents",
    "affected_people": "Borrowers in arrears",
}


def written() -> tuple[int, int, int, int]:
    links = UseCase.models.through.objects.count()
    changes = UseCaseChange.objects.count()
    return UseCase.objects.count(), links, changes, AuditEvent.objects.count()


def registered(owner, **extra) -> dict:
    return {"slug": "collections", "owner": owner.pk, **DESCRIPTION, **extra}


@pytest.fixture
def other_owner(db):
    """Omar, another model owner: may propose changes to Olivia's use cases, not make them."""
    return UserFactory(username="omar", roles=[roles.OWNER])


@pytest.fixture
def chatbot(admin_user, other_owner):
    """A use case Olivia does not own and the retail PD model does not serve."""
    return UseCaseFactory(slug="chatbot", name="Service chatbot", owner=other_owner)


# ---- Register -----------------------------------------------------------------------------------


def test_list_offers_new_use_case_only_to_those_who_may_register(client, owner, developer):
    client.force_login(owner)
    assert reverse("registry:usecase-create") in client.get(reverse("registry:usecase-list")).text
    client.force_login(developer)
    assert (
        reverse("registry:usecase-create") not in client.get(reverse("registry:usecase-list")).text
    )


def test_owner_registers_a_use_case_and_lands_on_its_page(client, owner):
    client.force_login(owner)
    response = client.post(reverse("registry:usecase-create"), registered(owner))
    use_case = UseCase.objects.get(slug="collections")
    assert response.status_code == 302
    assert response["Location"] == use_case.get_absolute_url()
    assert (use_case.owner, use_case.affected_people) == (owner, "Borrowers in arrears")
    assert AuditEvent.objects.filter(verb="usecase.registered", actor=owner).count() == 1


def test_a_use_case_registered_from_a_model_page_uses_that_model(client, owner, credit_pd_model):
    client.force_login(owner)
    url = f"{reverse('registry:usecase-create')}?model=retail-pd"
    page = client.get(url)
    assert page.context["for_model"] == credit_pd_model
    client.post(url, registered(owner))
    assert list(UseCase.objects.get(slug="collections").models.all()) == [credit_pd_model]


def test_bad_input_is_shown_beside_its_field_and_nothing_is_written(client, owner, lending):
    client.force_login(owner)
    before = written()
    response = client.post(
        reverse("registry:usecase-create"), registered(owner, slug="loan-decisions", name="")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    response = client.post(
        reverse("registry:usecase-create"), registered(owner, slug="loan-decisions")
    )
    assert "already exists" in response.context["form"].errors["slug"][0]
    assert written() == before


@pytest.mark.parametrize("persona", ["developer", "auditor", "validator"])
def test_personas_without_the_right_may_not_register(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    before = written()
    assert client.get(reverse("registry:usecase-create")).status_code == 403
    assert (
        client.post(
            reverse("registry:usecase-create"), registered(request.getfixturevalue(persona))
        ).status_code
        == 403
    )
    assert written() == before


def test_a_model_the_user_cannot_see_is_not_found_when_registering_for_it(
    client, owner, hidden_model
):
    client.force_login(owner)
    before = written()
    response = client.post(f"{reverse('registry:usecase-create')}?model=bureau", registered(owner))
    assert response.status_code == 404
    assert written() == before


# ---- Edit or propose ---------------------------------------------------------------------------


def edit_url(use_case) -> str:
    return reverse("registry:usecase-edit", args=[use_case.slug])


def test_its_owner_edits_the_use_case_and_the_change_is_audited(client, owner, lending):
    client.force_login(owner)
    data = {**DESCRIPTION, "name": "Loan decisions", "owner": owner.pk}
    response = client.post(edit_url(lending), data)
    assert response.status_code == 302
    lending.refresh_from_db()
    assert lending.name == "Loan decisions"
    event = AuditEvent.objects.get(verb="usecase.updated")
    assert event.after["name"] == "Loan decisions"


def test_another_owner_proposes_only_what_they_changed_and_the_use_case_stays(
    client, owner, other_owner, lending
):
    client.force_login(other_owner)
    page = client.get(edit_url(lending))
    assert page.context["proposing"] is True
    form = page.context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["business_purpose"] = "Approve, decline or refer\r\nunsecured loans"
    data["note"] = "Referrals are part of it"
    client.post(edit_url(lending), data)
    change = UseCaseChange.objects.get()
    assert change.changes == {"business_purpose": "Approve, decline or refer\nunsecured loans"}
    assert UseCase.objects.get(pk=lending.pk).business_purpose == lending.business_purpose
    detail = client.get(lending.get_absolute_url())
    assert ("Business purpose", "Approve, decline or refer\nunsecured loans") in detail.context[
        "changes"
    ][0][1]


def test_a_proposal_that_changes_nothing_is_refused_on_the_form(client, other_owner, lending):
    client.force_login(other_owner)
    form = client.get(edit_url(lending)).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    response = client.post(edit_url(lending), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert UseCaseChange.objects.count() == 0


@pytest.mark.parametrize("persona", ["developer", "auditor"])
def test_those_who_may_neither_change_nor_propose_are_refused(client, request, persona, lending):
    client.force_login(request.getfixturevalue(persona))
    before = written()
    assert client.get(edit_url(lending)).status_code == 403
    assert client.post(edit_url(lending), {**DESCRIPTION}).status_code == 403
    assert written() == before


# ---- Link and unlink -----------------------------------------------------------------------------


def test_its_owner_links_a_model_from_the_use_case_page_and_it_is_audited(
    client, owner, credit_pd_model
):
    use_case = UseCaseFactory(slug="pricing", owner=owner)
    client.force_login(owner)
    page = client.get(use_case.get_absolute_url())
    assert page.context["link_form"] is not None
    client.post(reverse("registry:usecase-link", args=["pricing"]), {"model": "retail-pd"})
    assert list(use_case.models.all()) == [credit_pd_model]
    event = AuditEvent.objects.get(verb="usecase.model_linked")
    assert (event.mlmodel_id, event.before, event.after) == (
        credit_pd_model.pk,
        {"models": []},
        {"models": [credit_pd_model.pk]},
    )


def test_the_models_developer_links_it_to_a_use_case_from_the_model_page(
    client, developer, credit_pd_model, chatbot
):
    client.force_login(developer)
    page = client.get(credit_pd_model.get_absolute_url())
    assert [u.slug for u in page.context["use_cases_to_link"]] == ["chatbot"]
    response = client.post(
        reverse("registry:model-usecase-link", args=["retail-pd"]), {"use_case": "chatbot"}
    )
    assert response["Location"].endswith("#use-cases")
    assert list(chatbot.models.all()) == [credit_pd_model]


def test_the_models_developer_may_not_unlink_it_and_nothing_is_written(client, developer, lending):
    client.force_login(developer)
    before = written()
    response = client.post(reverse("registry:usecase-unlink", args=["loan-decisions", "retail-pd"]))
    assert response.status_code == 403
    assert written() == before


def test_its_owner_unlinks_a_model_from_the_model_page_and_it_is_audited(
    client, owner, credit_pd_model, lending
):
    client.force_login(owner)
    response = client.post(
        reverse("registry:usecase-unlink", args=["loan-decisions", "retail-pd"]), {"back": "model"}
    )
    assert response["Location"] == f"{credit_pd_model.get_absolute_url()}#use-cases"
    assert lending.models.count() == 0
    event = AuditEvent.objects.get(verb="usecase.model_unlinked")
    assert (event.mlmodel_id, event.after) == (credit_pd_model.pk, {"models": []})


def test_linking_twice_is_reported_and_writes_nothing(client, owner, lending):
    client.force_login(owner)
    before = written()
    response = client.post(
        reverse("registry:usecase-link", args=["loan-decisions"]),
        {"model": "retail-pd"},
        follow=True,
    )
    assert "already linked" in response.text
    assert written() == before


def test_a_hidden_model_is_not_found_and_an_auditor_is_refused(
    client, owner, auditor, hidden_model, lending
):
    before = written()
    client.force_login(owner)
    link = reverse("registry:usecase-link", args=["loan-decisions"])
    assert client.post(link, {"model": "bureau"}).status_code == 404
    client.force_login(auditor)
    assert client.post(link, {"model": "retail-pd"}).status_code == 403
    assert written() == before


def test_an_outsider_cannot_link_a_model_they_cannot_change(client, outsider, chatbot, lending):
    client.force_login(outsider)
    before = written()
    link = reverse("registry:model-usecase-link", args=["retail-pd"])
    assert client.post(link, {"use_case": "chatbot"}).status_code == 404
    assert written() == before


# ---- The EU AI Act questionnaire is reachable --------------------------------------------------


def test_the_eu_ai_act_questionnaire_is_reachable_from_the_use_case_and_model_pages(
    client, owner, credit_pd_model, lending
):
    rulebooks.load_shipped()
    questionnaire = reverse("risk:usecase-questionnaire", args=["loan-decisions", "eu_ai_act"])
    client.force_login(owner)
    assert questionnaire in client.get(lending.get_absolute_url()).text
    assert questionnaire in client.get(credit_pd_model.get_absolute_url()).text
    assert client.get(questionnaire).status_code == 200


def test_a_compliance_officer_edits_a_use_case_they_do_not_own(client, lending):
    officer = UserFactory(username="cora", roles=[roles.COMPLIANCE])
    client.force_login(officer)
    page = client.get(edit_url(lending))
    assert page.status_code == 200 and "proposing" not in page.context
    data = {**DESCRIPTION, "owner": lending.owner_id}
    assert client.post(edit_url(lending), data).status_code == 302
    assert UseCase.objects.get(pk=lending.pk).deployer_context == "Collections agents"


def test_a_proposed_new_owner_is_shown_by_name(client, owner, other_owner, lending):
    client.force_login(other_owner)
    form = client.get(edit_url(lending)).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    client.post(edit_url(lending), {**data, "owner": other_owner.pk})
    client.force_login(owner)
    rows = client.get(lending.get_absolute_url()).context["changes"][0][1]
    assert rows == [("Owner", other_owner.get_full_name() or "omar")]


# ---- Outside the EU AI Act ---------------------------------------------------------------------


def test_a_use_case_whose_models_have_no_eu_nexus_says_so_instead_of_not_classified(
    client, owner, credit_pd_model, lending
):
    rulebooks.load_shipped()
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    client.force_login(owner)
    page = client.get(lending.get_absolute_url()).text
    assert "Outside the EU AI Act: no EU nexus" in page
    assert "Not an AI system, so the AI Act does not apply." in page
    assert "Not classified yet" not in page
    assert "out of scope, no EU nexus" in client.get(credit_pd_model.get_absolute_url()).text


def test_a_model_scoped_into_the_eu_ai_act_leaves_the_use_case_to_classify(
    client, owner, credit_pd_model, lending
):
    rulebooks.load_shipped()
    in_the_eu = {"technique": "machine_learning", "generative_or_agentic": False}
    in_the_eu |= {"ai_system": True, "eu_nexus": True}
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD | in_the_eu)
    client.force_login(owner)
    page = client.get(lending.get_absolute_url()).text
    assert "Not classified yet" in page and "Outside the EU AI Act" not in page


def test_until_every_model_is_scoped_the_use_case_is_not_classified_yet(
    client, owner, credit_pd_model, lending
):
    client.force_login(owner)
    assert "Not classified yet" in client.get(lending.get_absolute_url()).text
