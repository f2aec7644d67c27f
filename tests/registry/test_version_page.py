"""The version page shows what pipelines pushed for it, deployed or not, to those who see it."""

import re

import pytest

from registry.models import ModelVersion
from tests.monitoring.pushes import full_bundle, push

PAGE = "/inventory/models/retail-pd/versions/7/"


@pytest.fixture
def pushed(developer, credit_pd_model) -> ModelVersion:
    """Version 7 of the PD model, registered by an MLflow push and never deployed."""
    response = push(developer, full_bundle())
    assert response.status_code == 201, response.content
    return ModelVersion.objects.get(model=credit_pd_model, version="7")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_page_shows_pushed_metrics_drift_and_fairness_of_a_version_not_in_production(
    client, developer, pushed
):
    client.force_login(developer)
    html = client.get(PAGE).content.decode()
    text = _text(html)

    assert not pushed.deployments.exists()
    assert "What pipelines pushed" in text
    assert "auc" in text and "log_loss" in text
    assert '<span title="0.8123456">0.8123</span>' in html  # rounded, full value on hover
    assert html.count("<svg") >= 2  # a chart per metric
    assert "income" in text and "Population stability index" in text and "Drifted" in text
    assert "Demographic parity difference 0.04123" in text
    assert "loan_book_checks" in text and "1 of 2" in text
    assert "holdout" in text and "194 of 200" in text
    assert re.search(r"batch #\d+", text)


def test_page_shows_the_run_its_params_tags_aliases_and_input_data(client, developer, pushed):
    client.force_login(developer)
    html = client.get(PAGE).content.decode()
    text = _text(html)

    assert "champion" in text
    assert 'href="https://mlflow.example/runs/3f2a9c"' in html
    assert "max_iter" in text and "retail" in text
    assert 'href="/inventory/datasets/loan-book/"' in html
    assert "9b1e77d" in text


def test_a_version_with_nothing_pushed_says_so(client, developer, credit_pd_model):
    from registry import services

    services.register_version(actor=developer, model=credit_pd_model, version="7")
    client.force_login(developer)
    text = _text(client.get(PAGE).content.decode())

    assert "Nothing has been pushed for this version yet" in text
    assert "No training run is recorded" in text


def test_outsider_gets_404(client, outsider, pushed):
    client.force_login(outsider)
    assert client.get(PAGE).status_code == 404


def test_page_reads_a_bounded_number_of_queries(
    client, developer, pushed, django_assert_max_num_queries
):
    for day in range(2, 6):  # more pushes, more results of each kind: the same queries
        bundle = full_bundle(f"2026-11-0{day}T09:00:00+00:00", run_id="3f2a9c")
        assert push(developer, bundle).status_code == 201
    client.force_login(developer)
    with django_assert_max_num_queries(45):
        response = client.get(PAGE)
    assert response.status_code == 200
