"""A tracker push as one bundle: upserts by external id, every result kind, all or nothing."""

import json
from datetime import datetime

import pytest

from governance.auditlog.models import AuditEvent
from monitoring.ingest.bundle import (
    Bundle,
    ColumnDrift,
    DatasetVersionRef,
    DriftCheck,
    Evaluation,
    FairnessCheck,
    GroupFigures,
    MetricColumns,
    Run,
    VersionInfo,
)
from monitoring.models import (
    DriftResult,
    EvaluationResult,
    FairnessResult,
    IngestionBatch,
    MetricPoint,
)
from registry.models import DatasetVersion, ModelVersion, TrainingRun

URL = "/api/v1/models/retail-pd/versions/{}/bundles/"
WHEN = "2026-11-01T09:00:00+00:00"
TRAIN = DatasetVersionRef(
    dataset="loan-book", version="2026-10", content_sha256="a" * 64, external_ref="md5:abc"
)


def mlflow_bundle(**changes) -> dict:
    at = datetime.fromisoformat(WHEN)
    bundle = Bundle(
        source="mlflow",
        run=Run(
            tracker="mlflow",
            external_id="3f2a9c",
            params={"C": "0.5"},
            tags={"team": "retail"},
            code_commit="9b1e77d",
            started_at=at,
            input_datasets=[TRAIN],
        ),
        version=VersionInfo(
            artifact_uri="models:/retail-pd/7", external_id="retail-pd/7", aliases=["champion"]
        ),
        metrics=MetricColumns(
            name=["auc", "auc"], value=[0.78, 0.81], timestamp=[WHEN, WHEN], step=[0, 1]
        ),
        fairness=[
            FairnessCheck(
                evaluated_at=at,
                sensitive_features=["sex"],
                metrics={"demographic_parity_difference": 0.04, "four_fifths_ratio": 0.9},
                by_group=[
                    GroupFigures(group={"sex": "F"}, count=500, metrics={"selection_rate": 0.3})
                ],
            )
        ],
        drift=[
            DriftCheck(
                evaluated_at=at,
                columns=[
                    ColumnDrift(
                        column="income", method="psi", score=0.31, threshold=0.2, drifted=True
                    )
                ],
                dataset_drift=True,
                drift_share=0.5,
                tool="evidently",
            )
        ],
        evaluations=[
            Evaluation(
                evaluated_at=at,
                suite="jailbreaks",
                kind="safety",
                cases=200,
                passed=194,
                cost_per_request=0.002,
            )
        ],
    )
    return {**bundle.as_json(), **changes}


def push(client, body, version="7", **headers):
    return client.post(
        URL.format(version), json.dumps(body), content_type="application/json", **headers
    )


def test_a_bundle_registers_run_data_and_version_and_records_every_result(
    pipeline_client, pipeline
):
    response = push(pipeline_client, mlflow_bundle())

    assert response.status_code == 201, response.content
    counts = response.json()["counts"]
    assert counts == {
        "runs": 1,
        "metric_points": 2,
        "fairness_results": 1,
        "drift_results": 1,
        "evaluations": 1,
    }
    version = ModelVersion.objects.get(model__slug="retail-pd", version="7")
    run = version.training_run
    assert (run.external_id, run.params, run.tags, run.code_commit) == (
        "3f2a9c",
        {"C": "0.5"},
        {"team": "retail"},
        "9b1e77d",
    )
    assert [str(d) for d in run.input_datasets.all()] == ["loan-book 2026-10"]
    assert (version.source_tracker, version.external_id, version.aliases) == (
        "mlflow",
        "retail-pd/7",
        ["champion"],
    )
    assert MetricPoint.objects.filter(version=version).count() == 2
    fairness = FairnessResult.objects.get(version=version)
    assert fairness.passed is True  # within the default limits
    assert fairness.summary["by_group"][0]["group"] == {"sex": "F"}
    drift = DriftResult.objects.get(version=version)
    assert (drift.dataset_drift, drift.columns[0]["column"], drift.columns[0]["drifted"]) == (
        True,
        "income",
        True,
    )
    evaluation = EvaluationResult.objects.get(version=version)
    assert evaluation.pass_rate == 0.97
    batch = IngestionBatch.objects.get()
    assert (batch.version, batch.actor) == (version, pipeline)
    verbs = set(AuditEvent.objects.filter(actor=pipeline).values_list("verb", flat=True))
    assert {
        "run.recorded",
        "version.registered",
        "metrics.ingested",
        "fairness.recorded",
        "drift.recorded",
        "evaluation.recorded",
        "datasetversion.registered",
    } <= verbs


def test_pushing_the_same_run_again_records_it_once(pipeline_client):
    push(pipeline_client, mlflow_bundle())
    response = push(pipeline_client, mlflow_bundle(), version="7")

    assert response.status_code == 201
    assert TrainingRun.objects.filter(external_id="3f2a9c").count() == 1
    assert DatasetVersion.objects.filter(dataset__slug="loan-book").count() == 1
    assert ModelVersion.objects.filter(version="7").count() == 1


def test_a_dataset_version_pushed_with_another_hash_is_refused(pipeline_client):
    push(pipeline_client, mlflow_bundle())
    changed = mlflow_bundle()
    changed["run"]["external_id"] = "another-run"
    changed["run"]["input_datasets"][0]["content_sha256"] = "b" * 64

    response = push(pipeline_client, changed, version="8")

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "run.input_datasets[0].content_sha256"
    assert "immutable" in error["message"]
    assert not ModelVersion.objects.filter(version="8").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.update(colour="red"), "colour"),
        (lambda b: b["drift"][0]["columns"][0].update(score="high"), "drift[0].columns[0].score"),
        (lambda b: b["fairness"][0].pop("evaluated_at"), "fairness[0].evaluated_at"),
        (lambda b: b["evaluations"][0].update(passed=500), "evaluations[0].passed"),
        (lambda b: b["evaluations"][0].update(kind="vibes"), "evaluations[0].kind"),
        (lambda b: b["metrics"]["value"].__setitem__(1, None), "value"),
        (lambda b: b["metrics"].update(step=[0]), "metrics.step"),
        (
            lambda b: b["drift"][0].update(evaluated_at="2099-01-01T00:00:00Z"),
            "drift[0].evaluated_at",
        ),
        (lambda b: b.update(format=2), "format"),
    ],
)
def test_a_bad_bundle_names_the_field_and_writes_nothing(pipeline_client, change, field):
    body = mlflow_bundle()
    change(body)

    response = push(pipeline_client, body)

    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == field
    assert not TrainingRun.objects.exists()
    assert not ModelVersion.objects.filter(version="7").exists()
    assert not IngestionBatch.objects.exists()


def test_results_without_run_or_version_info_need_an_existing_version(pipeline_client, pd_version):
    body = {"source": "evidently", "drift": mlflow_bundle()["drift"]}
    assert push(pipeline_client, body, version="1.0.0").status_code == 201
    response = push(pipeline_client, body, version="2.0.0")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "version"


def test_another_models_run_id_is_refused(pipeline_client, admin_user, hidden_model):
    from registry import services

    services.record_training_run(
        actor=admin_user, model=hidden_model, tracker="mlflow", external_id="3f2a9c"
    )
    response = push(pipeline_client, mlflow_bundle())
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert "belongs to another model" in message and "Bureau" not in message


def test_a_tracker_version_pushed_under_a_second_label_is_a_409_naming_the_first(
    pipeline_client,
):
    push(pipeline_client, mlflow_bundle())

    response = push(pipeline_client, mlflow_bundle(), version="8")

    assert response.status_code == 409
    [error] = response.json()["errors"]
    assert error["field"] == "version.external_id"
    assert error["message"].startswith("retail-pd/7 is already retail-pd version 7")
    assert not ModelVersion.objects.filter(version="8").exists()
    assert MetricPoint.objects.count() == 2


def test_another_tracker_version_pushed_to_a_registered_label_is_a_409(pipeline_client):
    push(pipeline_client, mlflow_bundle())
    other = mlflow_bundle()
    other["version"]["external_id"] = "retail-pd/8"

    response = push(pipeline_client, other)

    assert response.status_code == 409
    assert "is retail-pd/7, not retail-pd/8" in response.json()["errors"][0]["message"]


def test_the_answer_names_every_record_the_push_wrote(pipeline_client):
    response = push(pipeline_client, mlflow_bundle())

    records = response.json()["records"]
    version = ModelVersion.objects.get(version="7")
    assert records["version"] == {
        "id": version.pk,
        "label": "7",
        "external_id": "retail-pd/7",
        "url": "http://testserver/inventory/models/retail-pd/versions/7/",
    }
    assert records["run"]["external_id"] == "3f2a9c"
    assert [(d["dataset"], d["version"]) for d in records["datasets"]] == [("loan-book", "2026-10")]
    assert records["metric_points"] == {"auc": 2}
    assert records["drift_results"] == [DriftResult.objects.get().pk]
    assert records["fairness_results"] == [FairnessResult.objects.get().pk]
    assert records["data_validations"] == []
