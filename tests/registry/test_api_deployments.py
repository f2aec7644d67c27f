"""The deployments and serving API: record, end, list, and what was live at an instant."""

import datetime as dt

import pytest
import time_machine

from governance.auditlog.models import AuditEvent
from registry.models import Deployment, ModelVersion
from tests.api_errors import error_fields
from tests.factories.registry import DeploymentFactory, MLModelFactory, ModelVersionFactory

URL = "/api/v1/deployments/"
SERVING = "/api/v1/models/retail-pd/serving/"
JAN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
MAR = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
FEB = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


def written() -> tuple[int, int]:
    return Deployment.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def v1(credit_pd_model) -> ModelVersion:
    return ModelVersionFactory(model=credit_pd_model, version="1.0")


@pytest.fixture
def v2(credit_pd_model) -> ModelVersion:
    return ModelVersionFactory(model=credit_pd_model, version="2.0")


def deploy(client, version="1.0", at=JAN, **extra):
    payload = {"model": "retail-pd", "version": version, "environment": "production"}
    return client.post(URL, {**payload, "started_at": at.isoformat(), **extra}, format="json")


def test_developer_records_a_deployment_by_model_slug_and_version_label(api_client, developer, v1):
    response = deploy(api_client(developer), endpoint="https://pd.bank/score")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["model"], body["version"], body["recorded_by"]) == ("retail-pd", "1.0", "dev")
    stored = Deployment.objects.get()
    assert (stored.version, stored.started_at, stored.ended_at) == (v1, JAN, None)
    assert AuditEvent.objects.get(verb="deployment.recorded").actor == developer


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"model": "no-such-model"}, "model"),
        ({"version": "9.9"}, "version"),
        ({"environment": "moon"}, "environment"),
        ({"endpoint": "e" * 301}, "endpoint"),
        ({"started_at": "last tuesday"}, "started_at"),
    ],
)
def test_bad_deployment_is_400_naming_the_field_and_writes_nothing(
    api_client, developer, v1, change, field
):
    before = written()
    response = deploy(api_client(developer), **change)
    assert response.status_code == 400
    assert error_fields(response) == [field]
    assert written() == before


def test_a_model_the_caller_cannot_see_is_an_unknown_model(api_client, outsider, v1):
    response = deploy(api_client(outsider))
    assert (response.status_code, error_fields(response)) == (400, ["model"])


def test_auditor_cannot_record_or_end_deployments(api_client, auditor, owner, v1):
    live = DeploymentFactory(version=v1, started_at=JAN)
    client = api_client(auditor)
    before = written()
    assert deploy(client).status_code == 403
    assert client.post(f"{URL}{live.pk}/end/", {}, format="json").status_code == 403
    assert written() == before


def test_ending_a_deployment_closes_its_window_and_audits(api_client, owner, v1):
    live = DeploymentFactory(version=v1, started_at=JAN)
    response = api_client(owner).post(
        f"{URL}{live.pk}/end/", {"ended_at": MAR.isoformat()}, format="json"
    )
    assert response.status_code == 200
    assert Deployment.objects.get(pk=live.pk).ended_at == MAR
    assert AuditEvent.objects.get(verb="deployment.ended").target_id == str(live.pk)


def test_ending_twice_is_400_naming_ended_at(api_client, owner, v1):
    ended = DeploymentFactory(version=v1, started_at=JAN, ended_at=FEB)
    response = api_client(owner).post(f"{URL}{ended.pk}/end/", {}, format="json")
    assert (response.status_code, error_fields(response)) == (400, ["ended_at"])


def test_outsider_gets_404_ending_a_deployment_of_a_model_they_cannot_see(api_client, outsider, v1):
    live = DeploymentFactory(version=v1, started_at=JAN)
    assert api_client(outsider).post(f"{URL}{live.pk}/end/", {}).status_code == 404
    assert Deployment.objects.get(pk=live.pk).ended_at is None


def test_list_shows_only_visible_models_and_filters_by_model_and_environment(
    api_client, developer, v1
):
    DeploymentFactory(version=v1, started_at=JAN)
    DeploymentFactory(version=v1, started_at=JAN, environment="staging")
    DeploymentFactory(version=ModelVersionFactory(model=MLModelFactory(slug="hidden")))
    client = api_client(developer)
    assert client.get(URL).json()["count"] == 2
    production = client.get(URL, {"model": "retail-pd", "environment": "production"}).json()
    assert [d["environment"] for d in production["results"]] == ["production"]
    assert client.get(URL, {"model": "hidden"}).json()["count"] == 0


def test_deployment_list_query_count_does_not_grow(
    api_client, auditor, django_assert_max_num_queries
):
    client = api_client(auditor)
    DeploymentFactory()
    with django_assert_max_num_queries(8) as few:
        client.get(URL)
    DeploymentFactory.create_batch(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).json()["count"] == 11


def test_serving_answers_which_version_was_live_at_an_instant(api_client, validator, v1, v2):
    DeploymentFactory(version=v1, started_at=JAN, ended_at=MAR)
    DeploymentFactory(version=v2, started_at=MAR)
    client = api_client(validator)
    in_feb = client.get(SERVING, {"environment": "production", "at": FEB.isoformat()}).json()
    assert (in_feb["deployment"]["version"], in_feb["at"]) == ("1.0", "2026-02-01T00:00:00Z")
    at_mar = client.get(SERVING, {"environment": "production", "at": MAR.isoformat()}).json()
    assert at_mar["deployment"]["version"] == "2.0"
    before = client.get(SERVING, {"environment": "production", "at": "2025-06-01T00:00Z"})
    assert before.json()["deployment"] is None


def test_serving_at_defaults_to_now(api_client, validator, v1, v2):
    DeploymentFactory(version=v1, started_at=JAN, ended_at=MAR)
    with time_machine.travel(FEB, tick=False):
        answer = api_client(validator).get(SERVING, {"environment": "production"}).json()
    assert (answer["deployment"]["version"], answer["at"]) == ("1.0", "2026-02-01T00:00:00Z")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"at": JAN.isoformat()}, "environment"),
        ({"environment": "moon"}, "environment"),
        ({"environment": "production", "at": "yesterday"}, "at"),
    ],
)
def test_serving_without_a_valid_environment_or_instant_is_400_naming_it(
    api_client, validator, credit_pd_model, query, field
):
    for url in (SERVING, "/api/v1/serving/"):
        response = api_client(validator).get(url, query)
        assert (response.status_code, error_fields(response)) == (400, [field])


def test_outsider_gets_404_asking_what_an_invisible_model_served(api_client, outsider, v1):
    assert api_client(outsider).get(SERVING, {"environment": "production"}).status_code == 404


def test_serving_over_all_models_lists_only_those_the_caller_may_see(api_client, developer, v1):
    DeploymentFactory(version=v1, started_at=JAN, ended_at=MAR)
    hidden = ModelVersionFactory(model=MLModelFactory(slug="hidden"))
    DeploymentFactory(version=hidden, started_at=JAN)
    query = {"environment": "production", "at": FEB.isoformat()}
    served = api_client(developer).get("/api/v1/serving/", query).json()["results"]
    assert [(d["model"], d["version"]) for d in served] == [("retail-pd", "1.0")]
    query["at"] = MAR.isoformat()
    assert api_client(developer).get("/api/v1/serving/", {**query, "page": 1}).json()["count"] == 0
