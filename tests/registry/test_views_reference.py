"""Version lineage, datasets, use cases and the serving page."""

import datetime as dt

import pytest
from django.urls import reverse

from registry import services
from tests.factories.registry import (
    DatasetVersionFactory,
    DeploymentFactory,
    ModelVersionFactory,
    TrainingRunFactory,
    UseCaseFactory,
)

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def trained_version(owner, credit_pd_model):
    data = DatasetVersionFactory(dataset__name="Bureau snapshots", version="2025-12")
    run = TrainingRunFactory(model=credit_pd_model, external_id="run-77", created_by=owner)
    run.input_datasets.add(data)
    version = ModelVersionFactory(
        model=credit_pd_model, version="3.0.0", training_run=run, created_by=owner
    )
    DeploymentFactory(version=version, environment="production", started_at=T0)
    return version


def test_version_detail_draws_the_lineage_in_four_layers(client, owner, trained_version):
    client.force_login(owner)
    response = client.get(trained_version.get_absolute_url())
    layers = {
        title: [n.label for n in nodes] for title, nodes in response.context["lineage_columns"]
    }
    assert layers["Data & upstream models"] == ["Bureau snapshots 2025-12"]
    assert layers["Training runs"] == ["run-77"]
    assert layers["Versions"] == ["Retail PD scorecard 3.0.0"]
    assert layers["Deployments & downstream"] == ["Production"]
    relations = [r[1] for r in response.context["relations"]]
    assert sorted(relations) == ["deployed as", "produced", "trained on"]


def test_lineage_leaves_out_models_the_user_cannot_see(
    client, owner, admin_user, hidden_model, credit_pd_model, trained_version
):
    services.add_dependency(actor=admin_user, upstream=hidden_model, downstream=credit_pd_model)
    client.force_login(owner)
    labels = [
        n.label for n in client.get(trained_version.get_absolute_url()).context["lineage"].nodes
    ]
    assert "Bureau score" not in labels
    client.force_login(admin_user)
    labels = [
        n.label for n in client.get(trained_version.get_absolute_url()).context["lineage"].nodes
    ]
    assert "Bureau score" in labels


def test_outsider_gets_404_for_a_version(client, outsider, trained_version):
    client.force_login(outsider)
    assert client.get(trained_version.get_absolute_url()).status_code == 404


def test_dataset_pages_list_versions_with_hash_and_reference(client, validator, trained_version):
    dataset_version = trained_version.training_run.input_datasets.get()
    client.force_login(validator)
    listing = client.get(reverse("registry:dataset-list"), {"q": "bureau"})
    assert [d.name for d in listing.context["page"].object_list] == ["Bureau snapshots"]
    body = client.get(dataset_version.dataset.get_absolute_url()).content.decode()
    assert dataset_version.content_sha256 in body
    assert "Retail PD scorecard" in body


def test_use_case_shows_its_purpose_and_only_the_models_the_user_may_see(
    client, owner, admin_user, hidden_model, credit_pd_model
):
    use_case = UseCaseFactory(name="Loan decisions", affected_people="Retail applicants")
    use_case.models.add(credit_pd_model, hidden_model)
    client.force_login(owner)
    listing = client.get(reverse("registry:usecase-list"))
    assert [u.model_count for u in listing.context["page"].object_list] == [1]
    response = client.get(use_case.get_absolute_url())
    assert list(response.context["models"]) == [credit_pd_model]
    assert "Retail applicants" in response.content.decode()


def test_user_without_a_role_gets_403_on_reference_pages(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("norole"))
    for name in ("registry:dataset-list", "registry:usecase-list"):
        assert client.get(reverse(name)).status_code == 403


def test_serving_page_answers_which_version_served_at_a_time(client, owner, trained_version):
    later = ModelVersionFactory(model=trained_version.model, version="3.1.0", created_by=owner)
    services.record_deployment(
        actor=owner, version=later, environment="production", started_at=T0 + dt.timedelta(days=30)
    )
    client.force_login(owner)
    url = reverse("registry:serving")
    rows = client.get(url, {"environment": "production", "at": "2026-01-15T12:00"}).context["rows"]
    assert [(m.slug, d.version.version) for m, d in rows] == [("retail-pd", "3.0.0")]
    rows = client.get(url, {"environment": "production"}).context["rows"]
    assert rows[0][1].version.version == "3.1.0"
    rows = client.get(url, {"environment": "staging", "at": "2026-01-15T12:00"}).context["rows"]
    assert rows[0][1] is None


def test_serving_page_shows_the_error_for_a_bad_time(client, owner, credit_pd_model):
    client.force_login(owner)
    response = client.get(reverse("registry:serving"), {"at": "yesterday"})
    assert response.status_code == 200
    assert "at" in response.context["form"].errors
    assert response.context["rows"][0][1] is None
