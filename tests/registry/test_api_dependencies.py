"""The dependencies and history API of a model."""

import pytest

from governance.auditlog.models import AuditEvent
from registry import services
from registry.models import MLModel, ModelDependency
from tests.api_errors import error_fields
from tests.factories.registry import MLModelFactory

DEPENDENCIES = "/api/v1/models/retail-pd/dependencies/"
HISTORY = "/api/v1/models/retail-pd/history/"


def written() -> tuple[int, int]:
    return ModelDependency.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def bureau_score(owner) -> MLModel:
    """A model Olivia owns whose output the retail PD model consumes."""
    return services.register_model(
        actor=owner,
        slug="bureau-score",
        name="Bureau score",
        business_unit="Retail Credit",
        model_type="vendor",
    )


def test_owner_adds_an_upstream_model_by_slug_and_sees_it(
    api_client, owner, credit_pd_model, bureau_score
):
    payload = {"upstream": "bureau-score", "description": "score as a feature"}
    response = api_client(owner).post(DEPENDENCIES, payload, format="json")
    assert response.status_code == 201, response.json()
    link = ModelDependency.objects.get()
    assert (link.upstream, link.downstream) == (bureau_score, credit_pd_model)
    assert AuditEvent.objects.get(verb="dependency.added").mlmodel_id == credit_pd_model.pk
    listed = api_client(owner).get(DEPENDENCIES).json()["results"]
    assert [(d["upstream"], d["downstream"]) for d in listed] == [("bureau-score", "retail-pd")]


@pytest.mark.parametrize(
    ("upstream", "message"),
    [("no-such-model", "unknown model"), ("hidden", "unknown model"), ("retail-pd", "itself")],
)
def test_bad_upstream_is_400_naming_upstream_and_writes_nothing(
    api_client, owner, credit_pd_model, upstream, message
):
    MLModelFactory(slug="hidden")
    before = written()
    response = api_client(owner).post(DEPENDENCIES, {"upstream": upstream}, format="json")
    assert (response.status_code, error_fields(response)) == (400, ["upstream"])
    assert message in response.json()["errors"][0]["message"]
    assert written() == before


def test_an_upstream_model_the_caller_cannot_see_is_not_named(
    api_client, admin_user, developer, credit_pd_model, hidden_model
):
    services.add_dependency(actor=admin_user, downstream=credit_pd_model, upstream=hidden_model)
    assert api_client(admin_user).get(DEPENDENCIES).json()["count"] == 1
    listed = api_client(developer).get(DEPENDENCIES)
    assert listed.json()["count"] == 0
    assert hidden_model.slug not in listed.content.decode()


def test_owner_removes_a_dependency_and_it_is_audited(
    api_client, owner, credit_pd_model, bureau_score
):
    link = services.add_dependency(actor=owner, upstream=bureau_score, downstream=credit_pd_model)
    response = api_client(owner).delete(f"{DEPENDENCIES}{link.pk}/")
    assert response.status_code == 204
    assert not ModelDependency.objects.exists()
    assert AuditEvent.objects.get(verb="dependency.removed").target_id == str(link.pk)


@pytest.mark.parametrize(("persona", "status"), [("auditor", 403), ("outsider", 404)])
def test_readers_and_outsiders_cannot_change_dependencies(
    api_client, request, owner, credit_pd_model, bureau_score, persona, status
):
    link = services.add_dependency(actor=owner, upstream=bureau_score, downstream=credit_pd_model)
    client = api_client(request.getfixturevalue(persona))
    before = written()
    assert client.delete(f"{DEPENDENCIES}{link.pk}/").status_code == status
    added = client.post(DEPENDENCIES, {"upstream": "bureau-score"}, format="json")
    assert added.status_code == status
    assert written() == before


def test_history_lists_the_models_audit_events_newest_first(api_client, auditor, credit_pd_model):
    events = api_client(auditor).get(HISTORY).json()["results"]
    assert [e["verb"] for e in events] == ["raci.assigned", "raci.assigned", "model.registered"]
    registered = events[-1]
    assert (registered["actor_name"], registered["target_repr"]) == (
        "olivia",
        "Retail PD scorecard",
    )
    assert len(registered["hash"]) == 64
    assert registered["after"]["slug"] == "retail-pd"


def test_history_carries_the_request_id_of_the_api_call(api_client, owner, credit_pd_model):
    client = api_client(owner)
    client.patch(
        "/api/v1/models/retail-pd/",
        {"vendor": "In-house"},
        format="json",
        HTTP_X_REQUEST_ID="abc-1",
    )
    latest = client.get(HISTORY).json()["results"][0]
    assert (latest["verb"], latest["request_id"]) == ("model.updated", "abc-1")


def test_outsider_gets_404_for_the_history(api_client, outsider, credit_pd_model):
    assert api_client(outsider).get(HISTORY).status_code == 404
