"""The version form offers the model's training runs and the dataset versions its reader may see,
and records a new run with the version: both or neither."""

import pytest

from governance.auditlog.models import AuditEvent
from registry import services
from registry.models import DatasetVersion, ModelVersion, TrainingRun

NEW = "/inventory/models/retail-pd/versions/new/"


@pytest.fixture
def loan_book(developer) -> DatasetVersion:
    dataset = services.register_dataset(actor=developer, slug="loan-book", name="Loan book")
    return services.register_dataset_version(
        actor=developer, dataset=dataset, version="2026-10", uri="s3://data/loan-book/2026-10"
    )


@pytest.fixture
def run(developer, credit_pd_model, loan_book) -> TrainingRun:
    return services.record_training_run(
        actor=developer,
        model=credit_pd_model,
        tracker="mlflow",
        external_id="3f2a9c",
        code_commit="9b1e77d0c4",
        input_datasets=[loan_book],
    )


def test_the_form_offers_the_models_runs_and_the_visible_dataset_versions(
    client, developer, run, loan_book
):
    client.force_login(developer)
    html = client.get(NEW).content.decode()

    assert f'<option value="{run.pk}">MLflow run 3f2a9c · ' in html
    assert "commit 9b1e77d · no version yet" in html
    assert f'<option value="{loan_book.pk}">Loan book 2026-10</option>' in html


def test_a_version_registered_on_an_existing_run_keeps_it(client, developer, run):
    client.force_login(developer)
    response = client.post(NEW, {"version": "2.0", "training_run": run.pk})

    assert response.status_code == 302
    assert ModelVersion.objects.get(version="2.0").training_run == run


def test_a_new_run_described_on_the_form_is_recorded_with_its_input_data(
    client, developer, credit_pd_model, loan_book
):
    client.force_login(developer)
    response = client.post(
        NEW,
        {
            "version": "2.0",
            "source_tracker": "mlflow",
            "run_external_id": "77aa01",
            "run_code_commit": "abc1234",
            "input_datasets": [loan_book.pk],
        },
    )

    assert response.status_code == 302
    run = ModelVersion.objects.get(version="2.0").training_run
    assert (run.tracker, run.external_id, run.code_commit) == ("mlflow", "77aa01", "abc1234")
    assert list(run.input_datasets.all()) == [loan_book]
    assert AuditEvent.objects.filter(verb="run.recorded", target_id=str(run.pk)).exists()


def test_an_existing_run_and_a_new_one_together_are_refused(client, developer, run):
    client.force_login(developer)
    response = client.post(NEW, {"version": "2.0", "training_run": run.pk, "run_external_id": "x"})

    assert "Pick an existing run or describe a new one" in response.content.decode()
    assert not ModelVersion.objects.filter(version="2.0").exists()


def test_a_refused_version_leaves_no_new_run_behind(client, developer, credit_pd_model, run):
    services.register_version(actor=developer, model=credit_pd_model, version="2.0")
    client.force_login(developer)
    response = client.post(NEW, {"version": "2.0", "run_external_id": "fresh-run"})

    assert "already has a version" in response.content.decode()
    assert not TrainingRun.objects.filter(external_id="fresh-run").exists()


def test_a_run_id_already_recorded_is_an_error_on_the_run_field(client, developer, run):
    client.force_login(developer)
    response = client.post(
        NEW, {"version": "2.0", "source_tracker": "mlflow", "run_external_id": "3f2a9c"}
    )

    form = response.context["form"]
    assert "run_external_id" in form.errors
    assert not ModelVersion.objects.filter(version="2.0").exists()
