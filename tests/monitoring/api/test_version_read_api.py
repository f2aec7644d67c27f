"""Reading what was pushed for a version: metric names, one metric's points, results by kind."""

import pytest

from registry.models import ModelVersion
from tests.monitoring.pushes import full_bundle, push

BASE = "/api/v1/models/retail-pd/versions/7"


@pytest.fixture
def version(developer, credit_pd_model) -> ModelVersion:
    assert push(developer, full_bundle()).status_code == 201
    return ModelVersion.objects.get(model=credit_pd_model, version="7")


def test_metric_names_come_with_counts_and_latest_values(api_client, validator, version):
    body = api_client(validator).get(f"{BASE}/metrics/").json()

    assert body["count"] == 2
    auc = body["results"][0]
    assert (auc["name"], auc["points"], auc["latest_value"]) == ("auc", 2, 0.8123456)


def test_a_metrics_points_are_paged_in_time_order(api_client, developer, version):
    for day in range(2, 5):
        assert push(developer, full_bundle(f"2026-11-0{day}T09:00:00+00:00")).status_code == 201
    client = api_client(developer)

    first = client.get(f"{BASE}/metrics/auc/?page_size=3").json()
    second = client.get(first["next"]).json()

    assert first["count"] == 8
    assert [p["value"] for p in first["results"]][:2] == [0.79, 0.8123456]
    assert len(second["results"]) == 3
    times = [p["timestamp"] for p in first["results"] + second["results"]]
    assert times == sorted(times)
    assert first["results"][0]["batch"]["id"]


def test_an_unknown_metric_is_404(api_client, developer, version):
    assert api_client(developer).get(f"{BASE}/metrics/nope/").status_code == 404


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("drift", "drift_share", 0.5),
        ("fairness", "passed", True),
        ("validation", "suite", "loan_book_checks"),
        ("evaluation", "pass_rate", 0.97),
    ],
)
def test_results_are_listed_by_kind(api_client, auditor, version, kind, field, value):
    body = api_client(auditor).get(f"{BASE}/results/?kind={kind}").json()

    assert body["count"] == 1
    assert body["results"][0]["kind"] == kind
    assert body["results"][0][field] == value


def test_a_validations_expectations_carry_their_rule(api_client, auditor, version):
    body = api_client(auditor).get(f"{BASE}/results/?kind=validation").json()

    failed = body["results"][0]["results"][1]
    assert (failed["success"], failed["kwargs"]) == (
        False,
        {"column": "age", "min_value": 18, "max_value": 100},
    )


def test_results_without_a_known_kind_are_a_400_naming_kind(api_client, developer, version):
    response = api_client(developer).get(f"{BASE}/results/?kind=vibes")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "kind"


@pytest.mark.parametrize("path", ["metrics/", "metrics/auc/", "results/?kind=drift"])
def test_outsider_gets_404_for_a_hidden_models_version(api_client, outsider, version, path):
    assert api_client(outsider).get(f"{BASE}/{path}").status_code == 404
