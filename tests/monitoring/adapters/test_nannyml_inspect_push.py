"""NannyML results and Inspect AI logs pushed the ways a pipeline pushes them (the import
endpoint, `attest push nannyml|inspect`), and an Inspect safety scorer in the executive report's
safety pass rate and cost per request."""

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring.adapters import inspect_logs
from monitoring.models import DriftResult, EvaluationResult, MetricPoint
from monitoring.services import ingestion
from registry import services
from registry.models import MLModel
from reports.executive import selectors
from tests.monitoring.cli.test_cli_live import attest, env

ARTIFACTS = Path(__file__).parent / "artifacts"
IMPORT = "/api/v1/models/retail-pd/versions/1.0.0/imports/{}/"
TARGET = ("--model", "retail-pd", "--version", "1.0.0")
__all__ = ["env"]  # the live server and token fixture
# The log's three samples cost USD 0.000105, 0.000125 and 0.0001875 (artifacts/README.md).
COST_PER_REQUEST = (0.000105 + 0.000125 + 0.0001875) / 3


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (ARTIFACTS / name).read_bytes())


@pytest.mark.django_db
def test_a_cbpe_result_imports_as_estimated_and_realized_points_with_bounds_and_alerts(
    pd_version, pipeline_client
):
    response = pipeline_client.post(IMPORT.format("nannyml"), {"file": upload("nannyml_cbpe.csv")})

    assert response.status_code == 201, response.content
    assert response.json()["counts"] == {"metric_points": 434}
    stored = MetricPoint.objects.filter(version=pd_version)
    analysis = stored.filter(segment="period=analysis")
    assert analysis.filter(name="roc_auc.estimated").count() == 15
    assert not analysis.filter(name="roc_auc.realized").exists()  # no labels in production
    assert stored.filter(name="roc_auc.upper_confidence_boundary").count() == 29
    assert set(stored.filter(name="f1.alert").values_list("value", flat=True)) <= {0.0, 1.0}


@pytest.mark.django_db
def test_a_raw_files_drift_parquet_imports_as_a_drift_result_per_chunk(pd_version, pipeline_client):
    name = "nannyml_univariate_drift_raw.parquet"

    response = pipeline_client.post(IMPORT.format("nannyml"), {"file": upload(name)})

    assert response.status_code == 201, response.content
    results = DriftResult.objects.filter(version=pd_version, tool="nannyml")
    assert results.count() == 29
    latest = results.first()
    assert latest is not None and "chunk 2021Q1 (analysis" in latest.reference
    assert {c["method"] for c in latest.columns} == {
        "jensen_shannon",
        "kolmogorov_smirnov",
        "wasserstein",
        "chi2",
        "l_infinity",
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("pd_version")
def test_attest_push_inspect_records_each_scorer_and_names_them(env, capsys):
    log = ARTIFACTS / "inspect_support_assistant.json"

    assert attest(env, "push", "inspect", log, "--safety", "refusal_safety", *TARGET) == 0

    out = capsys.readouterr().out
    assert "evaluations: 2, metric points: 24" in out
    ids = EvaluationResult.objects.order_by("suite").values_list("pk", flat=True)
    assert f"  evaluations: id {', '.join(map(str, sorted(ids)))}" in out
    safety = EvaluationResult.objects.get(kind="safety")
    assert (safety.suite, safety.cases, safety.passed) == ("support_assistant/refusal_safety", 3, 2)
    assert safety.cost_per_request == pytest.approx(COST_PER_REQUEST)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("pd_version")
def test_attest_push_nannyml_takes_the_period_flag_and_refuses_a_bad_one(env, capsys):
    results = ARTIFACTS / "nannyml_dle_raw.parquet"

    assert attest(env, "push", "nannyml", results, "--period", "analysis", *TARGET) == 0
    assert "metric points: 160" in capsys.readouterr().out
    assert set(MetricPoint.objects.values_list("segment", flat=True)) == {"period=analysis"}

    assert attest(env, "push", "nannyml", results, "--period", "production", *TARGET) == 2
    assert "period: 'production' is not one of all, analysis, reference" in capsys.readouterr().err


@pytest.mark.django_db
def test_an_inspect_safety_scorer_feeds_the_executive_safety_pass_rate_and_cost(owner):
    assistant = services.register_model(
        actor=owner,
        slug="support-assistant",
        name="Support assistant",
        business_unit="Customer Operations",
        model_type=MLModel.ModelType.LLM_APPLICATION,
    )
    services.register_version(
        actor=owner, model=assistant, version="1.0", base_model="gpt-4o", provider="Azure OpenAI"
    )
    content = (ARTIFACTS / "inspect_support_assistant.json").read_bytes()
    bundle = inspect_logs.read(content, filename="log.json", options={"safety": "refusal_safety"})

    ingestion.push_bundle(actor=owner, model=assistant, version="1.0", bundle=bundle)

    december = selectors.figures(date(2026, 12, 1), months=2)
    assert december.figure("safety_pass_rate").value == pytest.approx(2 / 3)
    assert december.figure("cost_per_request").value == pytest.approx(COST_PER_REQUEST)


@pytest.mark.django_db
def test_an_eval_log_imports_through_the_api_with_its_safety_scorer(pd_version, pipeline_client):
    log = upload("inspect_support_assistant_0.3.130.eval")  # deflated: no zstandard needed

    response = pipeline_client.post(
        IMPORT.format("inspect"), {"file": log, "safety": "refusal_safety"}
    )

    assert response.status_code == 201, response.content
    assert response.json()["counts"] == {"evaluations": 2, "metric_points": 21}
    safety = EvaluationResult.objects.get(version=pd_version, kind="safety")
    assert (safety.passed, safety.cases, safety.tool) == (2, 3, "inspect")
    assert safety.cost_per_request is None  # Inspect 0.3.130 priced no model


@pytest.mark.django_db
def test_a_current_zstd_compressed_eval_log_is_imported_as_its_evaluations(
    pd_version, pipeline_client
):
    response = pipeline_client.post(
        IMPORT.format("inspect"),
        {"file": upload("inspect_support_assistant.eval"), "safety": "refusal_safety"},
    )

    assert response.status_code == 201, response.json()
    kinds = set(EvaluationResult.objects.values_list("kind", flat=True))
    assert "safety" in kinds
