"""Inventory pages: who sees which models, filtering, sorting, paging, and the detail page."""

import pytest
from django.urls import reverse

from governance import permissions
from registry import services
from registry.models import MLModel
from tests.factories.registry import MLModelFactory, ModelVersionFactory

LIST = reverse("registry:model-list")


def owned_models(owner, count: int, **fields) -> list[MLModel]:
    """Models owned by `owner` with the owner's grants, as the service would leave them."""
    models = MLModelFactory.create_batch(count, owner=owner, **fields)
    for model in models:
        permissions.sync_model_grants(model, user=owner)
    return models


def names_on(response) -> list[str]:
    return [model.name for model in response.context["page"].object_list]


@pytest.fixture
def fraud_model(owner) -> MLModel:
    return services.register_model(
        actor=owner,
        slug="card-fraud",
        name="Card fraud GBM",
        business_unit="Payments",
        model_type=MLModel.ModelType.DEEP_LEARNING,
        status=MLModel.Status.PRODUCTION,
    )


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_outsider_sees_an_empty_inventory(client, outsider, credit_pd_model):
    client.force_login(outsider)
    response = client.get(LIST)
    assert response.status_code == 200
    assert names_on(response) == []
    assert "No models to show yet" in response.content.decode()


def test_auditor_sees_every_model(client, auditor, credit_pd_model, hidden_model):
    client.force_login(auditor)
    assert names_on(client.get(LIST)) == ["Bureau score", "Retail PD scorecard"]


def test_owner_sees_only_the_models_she_may_see(client, owner, credit_pd_model, hidden_model):
    client.force_login(owner)
    assert names_on(client.get(LIST)) == ["Retail PD scorecard"]


def test_search_and_filters_narrow_the_list(client, owner, credit_pd_model, fraud_model):
    client.force_login(owner)
    assert names_on(client.get(LIST, {"q": "fraud"})) == ["Card fraud GBM"]
    assert names_on(client.get(LIST, {"status": "development"})) == ["Retail PD scorecard"]
    assert names_on(client.get(LIST, {"model_type": "deep_learning"})) == ["Card fraud GBM"]
    assert names_on(client.get(LIST, {"business_unit": "retail credit"})) == ["Retail PD scorecard"]
    assert names_on(client.get(LIST, {"owner": "olivia", "q": "PD"})) == ["Retail PD scorecard"]


def test_columns_sort_both_ways_and_mark_the_sorted_column(
    client, owner, credit_pd_model, fraud_model
):
    client.force_login(owner)
    assert names_on(client.get(LIST, {"ordering": "-name"})) == [
        "Retail PD scorecard",
        "Card fraud GBM",
    ]
    response = client.get(LIST, {"ordering": "business_unit"})
    assert names_on(response) == ["Card fraud GBM", "Retail PD scorecard"]
    assert 'aria-sort="ascending"' in response.content.decode()
    assert "ordering=-business_unit" in response.content.decode()


def test_list_pages_by_25_and_counts_every_match(client, owner):
    owned_models(owner, 27)
    client.force_login(owner)
    first = client.get(LIST)
    assert len(names_on(first)) == 25
    assert first.context["page"].paginator.count == 27
    assert len(names_on(client.get(LIST, {"page": 2}))) == 2


def test_htmx_request_gets_only_the_table_fragment(client, owner, credit_pd_model):
    client.force_login(owner)
    response = client.get(LIST, {"q": "retail"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Retail PD scorecard" in body
    assert "<html" not in body
    assert response.templates[0].name == "registry/_model_table.html"
    assert "HX-Request" in response["Vary"]


def test_list_shows_version_counts_and_the_live_production_version(client, owner, credit_pd_model):
    ModelVersionFactory(model=credit_pd_model, version="1.0.0", created_by=owner)
    latest = ModelVersionFactory(model=credit_pd_model, version="1.1.0", created_by=owner)
    services.record_deployment(actor=owner, version=latest, environment="production")
    client.force_login(owner)
    (row,) = client.get(LIST).context["page"].object_list
    assert (row.version_count, row.latest_version, row.live_production_version) == (
        2,
        "1.1.0",
        "1.1.0",
    )


@pytest.mark.parametrize("persona", ["owner", "auditor"])
def test_list_query_count_does_not_grow_with_rows(
    client, request, persona, owner, django_assert_max_num_queries
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    owned_models(owner, 3)
    client.get(LIST)  # warm Django's content-type cache
    with django_assert_max_num_queries(15) as few:
        client.get(LIST)
    for model in owned_models(owner, 30):
        ModelVersionFactory(model=model, created_by=owner)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(names_on(response)) == 25


def test_detail_shows_versions_raci_and_history(client, owner, credit_pd_model):
    ModelVersionFactory(model=credit_pd_model, version="2.0.0", created_by=owner)
    services.update_model(actor=owner, model=credit_pd_model, vendor="Acme Analytics")
    client.force_login(owner)
    response = client.get(credit_pd_model.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "2.0.0" in body
    assert "Dev Eloper" in body and "Vera Validator" in body
    verbs = [row.event.verb for row in response.context["history"]]
    assert verbs[:2] == ["model.updated", "raci.assigned"]
    assert verbs[-1] == "model.registered"
    change = response.context["history"][0].changes[0]
    assert (change.field, change.before, change.after) == ("Vendor", "—", "Acme Analytics")


def test_detail_offers_edit_and_raci_forms_only_to_those_allowed(
    client, owner, developer, auditor, credit_pd_model
):
    edit_url = reverse("registry:model-edit", args=[credit_pd_model.slug])
    raci_url = reverse("registry:raci-assign", args=[credit_pd_model.slug])
    for user, can_edit, can_manage in [
        (owner, True, True),
        (developer, True, False),
        (auditor, False, False),
    ]:
        client.force_login(user)
        body = client.get(credit_pd_model.get_absolute_url()).content.decode()
        assert (edit_url in body, raci_url in body) == (can_edit, can_manage), user


def test_outsider_gets_404_for_model_detail(client, outsider, credit_pd_model):
    client.force_login(outsider)
    assert client.get(credit_pd_model.get_absolute_url()).status_code == 404


def test_detail_hides_dependencies_on_models_the_user_cannot_see(
    client, owner, admin_user, hidden_model, credit_pd_model
):
    services.add_dependency(actor=admin_user, upstream=hidden_model, downstream=credit_pd_model)
    client.force_login(owner)
    response = client.get(credit_pd_model.get_absolute_url())
    assert list(response.context["upstream"]) == []
    assert "No upstream model." in response.content.decode()


def test_detail_query_count_does_not_grow_with_versions_and_history(
    client, owner, credit_pd_model, django_assert_max_num_queries
):
    client.force_login(owner)
    # One version and deployment first: the history names the rows its events point to, one
    # query for each kind of row (versions among them), however many events there are.
    version = services.register_version(actor=owner, model=credit_pd_model, version="0.9")
    services.record_deployment(actor=owner, version=version, environment="staging")
    client.get(credit_pd_model.get_absolute_url())  # warm Django's content-type cache
    # The page: model, RACI with who may remove each row, validator requests, notices, history.
    with django_assert_max_num_queries(45) as few:
        client.get(credit_pd_model.get_absolute_url())
    for n in range(10):
        version = services.register_version(actor=owner, model=credit_pd_model, version=f"1.{n}")
        services.record_deployment(actor=owner, version=version, environment="staging")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(credit_pd_model.get_absolute_url())
