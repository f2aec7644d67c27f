"""The navigation bar's search: each kind found, and only what the searcher may see."""

from datetime import date

import pytest
from django.urls import reverse

from governance import roles
from governance.approvals.models import ApprovalRequest
from governance.findings.models import Finding
from governance.search import selectors
from registry.models import MLModel
from tests.factories.accounts import UserFactory
from tests.factories.registry import DatasetFactory, ModelVersionFactory, UseCaseFactory

SEARCH = reverse("search:results")


@pytest.fixture
def records(owner, validator, credit_pd_model, hidden_model):
    """On Olivia's model: version 2.1, a finding and an approval request; on the hidden model
    (Otto's) the same; a use case and a dataset that mention creditworthiness."""
    credit_pd_model.description = "Scores the creditworthiness of retail borrowers"
    credit_pd_model.save(update_fields=["description"])
    for model in (credit_pd_model, hidden_model):
        version = ModelVersionFactory(model=model, version="2.1", created_by=model.owner)
        Finding.objects.create(
            model=model, version=version, title=f"Back-test of {model.name} too short",
            severity="high", owner=model.owner, raised_by=validator, due_on=date(2027, 1, 31),
        )  # fmt: skip
        ApprovalRequest.objects.create(
            model=model, version=version, gate="validation", requested_by=model.owner,
            summary=f"First validation of {model.name}",
        )  # fmt: skip
    UseCaseFactory(
        slug="card-limits",
        name="Card limit setting",
        business_purpose="Sets card limits from the applicant's creditworthiness",
        owner=owner,
    )
    DatasetFactory(slug="bureau-extract", name="Bureau extract", created_by=owner)
    return credit_pd_model, hidden_model


def found(user, text: str) -> dict[str, list[str]]:
    return {g.kind: [hit.title for hit in g.hits] for g in selectors.search(user, text)}


def test_a_person_is_found_by_first_name_full_name_and_username(records, committee_member):
    for text in ("Olivia", "olivia owner", "olivia", "Oliv"):
        assert found(committee_member, text)["People"] == ["Olivia Owner"], text


def test_a_version_label_finds_the_version_and_its_requests(records, owner):
    results = found(owner, "2.1")
    assert results["Versions"] == ["Retail PD scorecard 2.1"]
    assert [t.split(" · ")[0] for t in results["Approval requests"]] == [
        ApprovalRequest.objects.get(model__slug="retail-pd").reference
    ]


def test_a_word_of_a_purpose_finds_the_model_and_the_use_case(records, owner):
    results = found(owner, "creditworthiness")
    assert results["Models"] == ["Retail PD scorecard"]
    assert results["Use cases"] == ["Card limit setting"]


def test_findings_datasets_and_request_references_are_found(records, owner):
    assert found(owner, "back-test")["Findings"] == ["Back-test of Retail PD scorecard too short"]
    assert found(owner, "bureau")["Datasets"] == ["Bureau extract"]
    request = ApprovalRequest.objects.get(model__slug="retail-pd")
    by_reference = found(owner, request.reference.lower())["Approval requests"]
    assert by_reference == [f"{request.reference} · Validation of Retail PD scorecard"]


def test_the_owner_finds_nothing_of_a_model_hidden_from_her(records, owner):
    results = found(owner, "Bureau score")
    assert "Models" not in results
    assert found(owner, "otto") == {}
    for kind in ("Versions", "Findings", "Approval requests"):
        titles = " ".join(
            found(owner, "2.1").get(kind, []) + found(owner, "Back-test").get(kind, [])
        )
        assert "Bureau" not in titles, kind


def test_an_outsider_finds_no_models_nor_their_versions_findings_requests_or_owners(
    records, outsider
):
    for text in ("Retail", "2.1", "Back-test", "validation", "Olivia", "Bureau score"):
        results = found(outsider, text)
        assert not {"Models", "Versions", "Findings", "Approval requests", "People"} & set(
            results
        ), text
    # Reference data follows its list pages: developers may read use cases and datasets.
    assert found(outsider, "creditworthiness") == {"Use cases": ["Card limit setting"]}


def test_the_auditor_finds_every_model_and_its_records(records, auditor):
    results = found(auditor, "2.1")
    assert sorted(results["Versions"]) == ["Bureau score 2.1", "Retail PD scorecard 2.1"]
    assert len(found(auditor, "Back-test")["Findings"]) == 2


def test_use_cases_and_datasets_stay_hidden_without_their_list_right(records):
    executive = UserFactory(username="erin", roles=[roles.EXECUTIVE])
    results = found(executive, "creditworthiness")
    assert results == {"Models": ["Retail PD scorecard"]}
    assert "Datasets" not in found(executive, "bureau")


def test_an_empty_query_searches_nothing(records, owner, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.search(owner, "   ") == []


def test_each_group_is_capped_and_counts_every_match(owner):
    for n in range(selectors.PER_KIND + 3):
        MLModel.objects.create(
            slug=f"scorecard-{n}", name=f"Scorecard {n}", business_unit="Cards", owner=owner
        )
    group = selectors.models(UserFactory(username="val", roles=[roles.VALIDATOR]), "scorecard")
    assert group.total == selectors.PER_KIND + 3
    assert len(group.hits) == selectors.PER_KIND
    assert group.more_url == reverse("registry:model-list") + "?q=scorecard"


def test_the_results_page_groups_hits_by_kind(client, records, owner):
    client.force_login(owner)
    response = client.get(SEARCH, {"q": "2.1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Versions" in body and "Retail PD scorecard 2.1" in body
    assert records[0].versions.get().get_absolute_url() in body
    assert "Bureau score" not in body


def test_the_results_page_asks_for_a_word_when_empty_and_needs_a_sign_in(client, owner):
    assert client.get(SEARCH).status_code == 302
    client.force_login(owner)
    response = client.get(SEARCH, {"q": ""})
    assert response.status_code == 200
    assert "Type a word to search" in response.content.decode()


def test_the_search_box_is_in_the_navigation(client, owner):
    client.force_login(owner)
    body = client.get(reverse("registry:model-list")).content.decode()
    assert f'action="{SEARCH}"' in body and 'name="q"' in body


def test_sqlite_matches_by_substring(records, owner, settings):
    if selectors.on_postgres():
        pytest.skip("the substring fallback is SQLite's")
    assert found(owner, "etail PD")["Models"] == ["Retail PD scorecard"]


@pytest.mark.postgres
def test_postgres_ranks_the_better_match_first(owner):
    for slug, name, purpose in (
        ("pd-mention", "Collections model", "Mentions creditworthiness once among much else"),
        ("pd-focus", "Creditworthiness scorecard", "Creditworthiness of borrowers"),
    ):
        MLModel.objects.create(
            slug=slug, name=name, business_unit="Retail", owner=owner, intended_purpose=purpose
        )
    auditor = UserFactory(username="aud2", roles=[roles.AUDITOR])
    # Ranked: the model about creditworthiness comes before the one that mentions it once.
    titles = [hit.title for hit in selectors.models(auditor, "creditworthiness").hits]
    assert titles == ["Creditworthiness scorecard", "Collections model"]
    # Stemmed: "scorecards" is no substring of "scorecard", yet finds it.
    assert [h.title for h in selectors.models(auditor, "scorecards").hits] == [
        "Creditworthiness scorecard"
    ]
