"""Hostile values in URLs: every filter of every list and every path parameter of the API.

A NUL in a query string or path is a 400 naming the parameter before any view runs
(PostgreSQL would refuse it mid-query: a 500; SQLite finds nothing), and nothing is written.
A lone surrogate cannot arrive in a URL (Django decodes `%ED%A0%80` to replacement
characters) and 10**30 is text, or a 400 where a number or choice is expected: neither is
ever a 5xx. CI runs this file on SQLite and again on PostgreSQL.
"""

import functools
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from governance.auditlog.models import AuditEvent
from monitoring.models import IngestionBatch
from monitoring.services import metric_definitions
from registry import services
from registry.models import MLModel, UseCase

NUL, SURROGATE, HUGE = "a\x00b", "%ED%A0%80", str(10**30)
# Path parameters that name something that exists, so the request reaches the lookup under test.
KNOWN = {"model_slug": "retail-pd", "slug": "retail-pd", "use_case_slug": "loan-decisions",
         "version": "1.0.0", "name": "auc", "id": "1", "framework": "eu_ai_act", "key": "sox",
         "dataset_slug": "census", "obligation_id": "sr-26-2", "source": "evidently"}  # fmt: skip


@functools.cache
def operations() -> list[tuple[str, str, dict]]:
    """(method, path, operation) for every operation of the API's schema."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    methods = ("get", "post", "patch", "delete")
    return [(m, path, item[m]) for path, item in paths.items() for m in methods if m in item]


def with_known(path: str, **hostile: str) -> str:
    for name, value in {**KNOWN, **hostile}.items():
        path = path.replace("{" + name + "}", quote(value))
    return path


def filters() -> list[tuple[str, str]]:
    """(path, name) for every query parameter of every GET operation."""
    return [
        (with_known(path), parameter["name"])
        for method, path, operation in operations()
        for parameter in operation.get("parameters", [])
        if method == "get" and parameter["in"] == "query"
    ]


def path_parameters() -> list[tuple[str, str, str]]:
    return [
        (method, path, parameter["name"])
        for method, path, operation in operations()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    ]


@pytest.fixture
def admin(
    admin_user: User, developer: User, credit_pd_model: MLModel, lending: UseCase
) -> APIClient:
    """The administrator's client; the model, version, metric and use case the paths name."""
    version = services.register_version(actor=developer, model=credit_pd_model, version="1.0.0")
    metric_definitions.define_metric(
        actor=admin_user, model=version.model, name="auc", direction="higher"
    )
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def written() -> tuple[int, int]:
    return AuditEvent.objects.count(), IngestionBatch.objects.count()


def test_every_filter_with_a_nul_is_a_400_naming_it(admin: APIClient) -> None:
    wrong = []
    for path, name in filters():
        response = admin.get(path, {name: NUL})
        errors = response.json().get("errors") if response.status_code == 400 else None
        if errors != [{"field": name, "message": "contains a NUL character"}]:
            wrong.append(f"{path}?{name}: {response.status_code} {errors}")
    assert wrong == []


@pytest.mark.parametrize("value", [HUGE, SURROGATE])
def test_no_filter_value_is_a_server_error(admin: APIClient, value: str) -> None:
    wrong = []
    for path, name in filters():
        status = admin.get(path, QUERY_STRING=f"{name}={quote(value, safe='%')}").status_code
        if status not in (200, 400, 404):
            wrong.append(f"{path}?{name}={value}: {status}")
    assert wrong == []


def test_a_nul_in_any_path_parameter_is_a_400_naming_it_or_no_route(admin: APIClient) -> None:
    before, wrong = written(), []
    for method, path, name in path_parameters():
        response = getattr(admin, method)(with_known(path, **{name: NUL}), {}, format="json")
        field = response.json()["errors"][0]["field"] if response.status_code == 400 else None
        if response.status_code != 404 and field != name:
            wrong.append(f"{method.upper()} {path} {name}: {response.status_code} {field}")
    assert wrong == []
    assert written() == before


def test_a_nul_in_a_version_is_refused_before_the_lookup(admin: APIClient) -> None:
    response = admin.get(with_known("/api/v1/models/{model_slug}/versions/{version}/", version=NUL))
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"field": "version", "message": "contains a NUL character"}]
    }


def test_a_nul_in_a_filter_name_is_refused(admin: APIClient) -> None:
    response = admin.get("/api/v1/models/", QUERY_STRING="st%00atus=draft")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "non_field"


def test_a_page_with_a_nul_in_its_query_is_a_400(admin_user: User, client) -> None:
    client.force_login(admin_user)
    response = client.get(reverse("registry:model-list"), {"q": NUL})
    assert response.status_code == 400
    assert response.content == b"q contains a NUL character"
