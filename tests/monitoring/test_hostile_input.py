"""Hostile input on every format: a 400 naming the field (and row), never a 500, nothing written.

NUL bytes, lone surrogates, integers beyond their column, NaN or a word where a number belongs,
and JSON nested thousands deep, each sent as an API write (JSON), a bundle, a metric push (JSON,
CSV, Parquet), a multipart import or upload, and a form post in the UI.
"""

import io
import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance.auditlog.models import AuditEvent
from monitoring.models import DriftResult, IngestionBatch, MetricPoint, MonitoringPolicy
from registry.models import MLModel
from tests.monitoring.test_bundles_api import mlflow_bundle

VERSION = "/api/v1/models/retail-pd/versions/1.0.0"
METRICS = f"{VERSION}/metrics/"
BUNDLES = "/api/v1/models/retail-pd/versions/7/bundles/"
EVIDENTLY = f"{VERSION}/imports/evidently/"
EVIDENCE = f"{VERSION}/evidence-files/"
POLICIES = "/api/v1/models/retail-pd/monitoring-policies/"
WHEN = "2026-11-01T09:00:00Z"
NEW_MODEL = {"slug": "fraud-score", "name": "Card fraud", "business_unit": "Payments",
             "model_type": "deep_learning"}  # fmt: skip
AUC = {"signal": "metric", "measure": "auc", "direction": "higher", "warning": 0.8,
       "critical": 0.78}  # fmt: skip
NUL, LONE = "\x00", "\ud800"


def written() -> tuple[int, ...]:
    kinds = [AuditEvent, IngestionBatch, MetricPoint, MLModel, MonitoringPolicy, DriftResult]
    return tuple(kind.objects.count() for kind in kinds)


def refused(response, field: str, row: int | None = None) -> str:
    """The one error's message, after checking it is a 400 naming `field` (and `row`)."""
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert (error["field"], error.get("row")) == (field, row)
    return error["message"]


def deep(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


@pytest.fixture(autouse=True)
def _nothing_written(pd_version, pipeline_client, owner):
    """Every test's people and version exist first; the hostile request adds nothing."""
    before = written()
    yield
    assert written() == before


# --- JSON API writes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"name": f"Card{NUL}fraud"}, "name", "NUL"),
        ({"business_unit": f"Pay{LONE}"}, "business_unit", "lone surrogate"),
        ({"custom_fields": {"sox": NUL}}, "custom_fields.sox", "NUL"),
        ({"custom_fields": {f"s{NUL}x": "yes"}}, "custom_fields", "key"),
        ({"owner": f"olivia{NUL}"}, "owner", "NUL"),
    ],
)
def test_a_model_write_with_hostile_text_is_refused_naming_the_field(
    api_client, owner, change, field, says
):
    body = json.dumps({**NEW_MODEL, **change})
    response = api_client(owner).post("/api/v1/models/", body, content_type="application/json")
    assert says in refused(response, field)


def test_json_nested_5000_deep_is_a_400_not_a_recursion_error(api_client, owner):
    body = json.dumps(NEW_MODEL)[:-1] + ', "custom_fields": ' + deep(5000) + "}"
    response = api_client(owner).post("/api/v1/models/", body, content_type="application/json")
    assert "nests deeper" in refused(response, "non_field")


def test_json_nested_past_the_limit_names_where(api_client, owner):
    body = json.dumps({**NEW_MODEL, "custom_fields": json.loads(deep(100))})
    response = api_client(owner).post("/api/v1/models/", body, content_type="application/json")
    assert "nests deeper than 64" in refused(response, "custom_fields" + ".a" * 63)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"min_sample_size": 2**31}, "min_sample_size"),  # PositiveIntegerField: int32
        ({"min_sample_size": 2**64}, "min_sample_size"),
        ({"window_days": 1e9}, "window_days"),  # timedelta's limit is 999,999,999 days
        ({"warning": "NaN"}, "warning"),
    ],
)
def test_a_policy_number_beyond_its_column_is_refused(api_client, owner, change, field):
    response = api_client(owner).post(POLICIES, {**AUC, **change}, format="json")
    refused(response, field)


def test_nan_as_a_json_number_is_refused_naming_the_field(api_client, owner):
    body = json.dumps({**AUC, "warning": float("nan")})
    response = api_client(owner).post(POLICIES, body, content_type="application/json")
    assert "finite" in refused(response, "warning")


# --- bundles ----------------------------------------------------------------------------------


def bundle_with(path: str, value: object) -> dict:
    """A valid bundle with one value replaced (`run.params.C`, `evaluations.0.cases`)."""
    body = mlflow_bundle()
    *steps, last = [int(s) if s.isdigit() else s for s in path.split(".")]
    node = body
    for step in steps:
        node = node[step]
    node[last] = value
    return body


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("run.params.C", NUL, "run.params.C"),
        ("run.external_id", f"3f{LONE}", "run.external_id"),
        ("run.tags", {f"te{NUL}am": "retail"}, "run.tags"),
        ("metrics.step.1", 2**63, "metrics.step[1]"),
        ("metrics.step.1", -(2**63) - 1, "metrics.step[1]"),
        ("evaluations.0.cases", 2**31, "evaluations[0].cases"),
        ("drift.0.columns.0.score", float("nan"), "drift[0].columns[0].score"),
    ],
)
def test_a_bundle_with_a_hostile_value_is_refused_naming_its_path(
    pipeline_client, path, value, field
):
    body = json.dumps(bundle_with(path, value))
    response = pipeline_client.post(BUNDLES, body, content_type="application/json")
    refused(response, field)


# --- metric pushes: JSON, CSV, Parquet --------------------------------------------------------


def points(**overrides: list) -> dict[str, list]:
    data = {"name": ["auc", "ks", "auc"], "value": [0.7, 0.3, 0.71], "timestamp": [WHEN] * 3,
            "step": [1, 2, 3], "segment": ["retail"] * 3}  # fmt: skip
    return data | overrides


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"segment": ["retail", f"re{NUL}tail", "retail"]}, "segment"),
        ({"name": ["auc", f"k{LONE}", "auc"]}, "name"),
        ({"step": [1, 2**63, 3]}, "step"),
        ({"step": [1, -(2**63) - 1, 3]}, "step"),  # orjson reads it as a float: no clamping
        ({"step": [1, 10**30, 3]}, "step"),
        ({"tags": [{}, {"owner": NUL}, {}]}, "tags.owner"),
        ({"tags": [{}, {f"ow{NUL}": "x"}, {}]}, "tags"),
    ],
)
def test_a_json_push_with_a_hostile_cell_names_column_and_row(pipeline_client, overrides, field):
    response = pipeline_client.post(
        METRICS, json.dumps(points(**overrides)), content_type="application/json"
    )
    refused(response, field, row=2)


def test_a_json_push_nested_5000_deep_is_refused(pipeline_client):
    body = '{"points": [' + deep(5000) + "]}"
    response = pipeline_client.post(METRICS, body, content_type="application/json")
    assert "nests deeper" in refused(response, "body")


CSV_HEAD = "name,value,timestamp,step,segment,tags\n"
DEEP_CELL = '"' + deep(5000).replace('"', '""') + '"'


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (f"auc,0.7,{WHEN},2,re{NUL}tail,", "segment"),
        (f"auc,0.7,{WHEN},9223372036854775808,retail,", "step"),
        (f"auc,0.7,{WHEN},-9223372036854775809,retail,", "step"),
        (f'auc,0.7,{WHEN},2,retail,"{{""owner"": ""\\u0000""}}"', "tags.owner"),
        (f'auc,0.7,{WHEN},2,retail,"{{""owner"": ""\\ud800""}}"', "tags.owner"),
        (f"auc,0.7,{WHEN},2,retail,{DEEP_CELL}", "tags"),
    ],
)
def test_a_csv_push_with_a_hostile_cell_names_column_and_row(pipeline_client, line, field):
    body = f"{CSV_HEAD}ks,0.3,{WHEN},1,retail,\n{line}\n"
    response = pipeline_client.post(METRICS, body.encode(), content_type="text/csv")
    refused(response, field, row=2)


def parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


@pytest.mark.parametrize(
    ("column", "values", "field"),
    [
        ("name", pa.array(["auc", f"a{NUL}c", "ks"]), "name"),
        ("segment", pa.array(["", f"re{NUL}", ""]), "segment"),
        ("step", pa.array([1, 2**63, 3], type=pa.uint64()), "step"),
        ("step", pa.array([1.0, -1e19, 3.0]), "step"),
    ],
)
def test_a_parquet_push_with_a_hostile_cell_names_column_and_row(
    pipeline_client, column, values, field
):
    frame = pd.DataFrame(points()).drop(columns=["step", "segment", column], errors="ignore")
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    table = pa.Table.from_pandas(frame, preserve_index=False).append_column(column, values)
    response = pipeline_client.post(
        METRICS, parquet(table), content_type="application/vnd.apache.parquet"
    )
    refused(response, field, row=2)


# --- multipart: imports and uploads -----------------------------------------------------------


def report(score: object) -> bytes:
    """A Snapshot.json() report with one ValueDrift result."""
    metric = {"id": "m1", "config": {"type": "evidently:metric_v2:ValueDrift", "column": "income",
              "method": "psi", "threshold": 0.1}, "value": score}  # fmt: skip
    return json.dumps({"metrics": [metric], "tests": []}).encode()


def upload(content: bytes, name: str = "report.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


@pytest.mark.parametrize("score", [float("nan"), float("inf"), "high"])
def test_an_evidently_score_that_is_not_a_number_is_refused_naming_the_column(
    pipeline_client, score
):
    response = pipeline_client.post(
        EVIDENTLY, {"file": upload(report(score)), "evaluated_at": WHEN}
    )
    assert "not a finite number" in refused(response, "income.score")


def test_an_import_option_with_a_nul_is_refused_naming_the_option(pipeline_client):
    fields = {"file": upload(report(0.3)), "evaluated_at": WHEN, "reference": f"sept{NUL}"}
    response = pipeline_client.post(EVIDENTLY, fields)
    assert "NUL" in refused(response, "reference")


def test_an_imported_report_nested_5000_deep_is_refused(pipeline_client):
    response = pipeline_client.post(
        EVIDENTLY, {"file": upload(deep(5000).encode()), "evaluated_at": WHEN}
    )
    refused(response, "file")


def test_an_imported_column_named_with_a_nul_is_refused(pipeline_client):
    content = report(0.3).replace(b'"income"', b'"inc\\u0000ome"')
    response = pipeline_client.post(EVIDENTLY, {"file": upload(content), "evaluated_at": WHEN})
    assert "NUL" in refused(response, "drift[0].columns[0].column")


def test_an_evidence_upload_titled_with_a_nul_is_refused(pipeline_client):
    pdf = SimpleUploadedFile("card.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = pipeline_client.post(
        EVIDENCE, {"file": pdf, "title": f"Model{NUL}card", "kind": "model-card"}
    )
    assert "NUL" in refused(response, "title")


# --- a form post in the UI --------------------------------------------------------------------


def test_a_form_post_with_a_nul_rerenders_with_the_fields_error(client, owner):
    client.force_login(owner)
    form = {"slug": "mortgage-lgd", "name": f"Mortgage{NUL}LGD", "business_unit": "Retail",
            "model_type": "classical_ml", "status": "development", "owner": owner.pk}  # fmt: skip
    response = client.post(reverse("registry:model-create"), form)
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.context["form"].errors["name"]
