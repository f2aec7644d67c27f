"""Bulk metric points over HTTP: formats, checks naming field and row, atomicity, idempotency."""

import io
import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pyarrow as pa
import pytest
from pyarrow import ipc

from governance.auditlog.models import AuditEvent
from monitoring.models import IngestionBatch, MetricPoint
from monitoring.services import metric_definitions
from registry.models import ModelVersion

URL = "/api/v1/models/retail-pd/versions/1.0.0/metrics/"
pytestmark = pytest.mark.usefixtures("pd_version")


def columns(n: int, **overrides: list) -> dict[str, list]:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    data = {
        "name": ["auc" if i % 2 else "ks" for i in range(n)],
        "value": [0.5 + (i % 100) / 1000 for i in range(n)],
        "timestamp": [(start + timedelta(minutes=i)).isoformat() for i in range(n)],
        "step": list(range(n)),
    }
    return {**data, **overrides}


def post_json(client, body, **headers):
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def errors(response) -> list[dict]:
    return response.json()["errors"]


def test_columnar_json_is_stored_with_a_batch_and_an_audit_event(pipeline_client, pipeline):
    response = post_json(pipeline_client, columns(1000, segment=["retail"] * 1000))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["counts"] == {"metric_points": 1000}
    batch = IngestionBatch.objects.get(pk=body["batch"])
    assert (batch.actor, batch.source, batch.counts) == (
        pipeline,
        "version-metrics",
        body["counts"],
    )
    points = MetricPoint.objects.filter(batch=batch)
    assert points.count() == 1000
    assert points.filter(name="auc", segment="retail").count() == 500
    first = points.get(step=0)
    assert (first.name, first.value, first.timestamp) == (
        "ks",
        0.5,
        datetime(2026, 11, 1, tzinfo=UTC),
    )
    event = AuditEvent.objects.get(verb="metrics.ingested")
    assert (event.actor_id, event.after["points"], event.after["names"]) == (
        pipeline.pk,
        1000,
        ["auc", "ks"],
    )


def test_rows_csv_and_parquet_bodies_are_accepted(pipeline_client):
    rows = [{"name": "auc", "value": 0.81, "timestamp": "2026-11-01T10:00:00Z"}]
    assert post_json(pipeline_client, rows).status_code == 201
    csv = "name,value,timestamp,step,segment\nauc,0.8,2026-11-01T10:00:00+01:00,3,007\n"
    response = pipeline_client.post(URL, csv, content_type="text/csv")
    assert response.status_code == 201, response.content
    buffer = io.BytesIO()
    pd.DataFrame(columns(10)).assign(
        timestamp=lambda f: pd.to_datetime(f["timestamp"], utc=True)
    ).to_parquet(buffer)
    response = pipeline_client.post(
        URL, buffer.getvalue(), content_type="application/vnd.apache.parquet"
    )
    assert response.status_code == 201, response.content
    assert MetricPoint.objects.count() == 12
    from_csv = MetricPoint.objects.get(step=3, segment="007")
    assert from_csv.timestamp == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def arrow(frame: pd.DataFrame, *, file: bool) -> bytes:
    """The frame as Arrow IPC: the file format (Feather v2) or the streaming format."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    writer = ipc.new_file if file else ipc.new_stream
    with writer(sink, table.schema) as out:
        out.write_table(table, max_chunksize=400)  # several record batches, as writers send
    return sink.getvalue().to_pybytes()


@pytest.mark.parametrize(
    ("file", "media_type"),
    [
        (False, "application/vnd.apache.arrow.stream"),
        (True, "application/vnd.apache.arrow.file"),
        (True, "application/vnd.apache.arrow.stream"),  # a file sent under the stream's type
    ],
)
def test_arrow_ipc_bodies_are_stored_point_for_point(pipeline_client, file, media_type):
    frame = pd.DataFrame(columns(1500, segment=["007"] * 1500)).assign(
        timestamp=lambda f: pd.to_datetime(f["timestamp"], utc=True)
    )

    response = pipeline_client.post(URL, arrow(frame, file=file), content_type=media_type)

    assert response.status_code == 201, response.content
    assert response.json()["counts"] == {"metric_points": 1500}
    stored = MetricPoint.objects.order_by("step")
    assert stored.count() == 1500
    assert [(p.name, p.value, p.step, p.segment) for p in stored[:2]] == [
        ("ks", 0.5, 0, "007"),
        ("auc", 0.501, 1, "007"),
    ]
    assert stored.last().timestamp == datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=1499)


def test_a_bad_arrow_row_is_named_and_nothing_is_written(pipeline_client):
    body = columns(1500)
    body["value"][1300] = float("nan")
    frame = pd.DataFrame(body).assign(timestamp=lambda f: pd.to_datetime(f["timestamp"], utc=True))

    response = pipeline_client.post(
        URL, arrow(frame, file=False), content_type="application/vnd.apache.arrow.stream"
    )

    assert response.status_code == 400
    [error] = errors(response)
    assert (error["field"], error["row"]) == ("value", 1301)
    assert not MetricPoint.objects.exists()


@pytest.mark.parametrize("body", [b"not arrow at all", b"ARROW1\x00\x00truncated"])
def test_unreadable_arrow_is_refused_naming_the_body(pipeline_client, body):
    response = pipeline_client.post(URL, body, content_type="application/vnd.apache.arrow.stream")

    assert response.status_code == 400
    [error] = errors(response)
    assert error["field"] == "body"
    assert "is not readable Arrow IPC" in error["message"]
    assert not IngestionBatch.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "row", "says"),
    [
        (lambda b: b["value"].__setitem__(41, "high"), "value", 42, "is not a number"),
        (lambda b: b["value"].__setitem__(41, None), "value", 42, "not a finite number"),
        (lambda b: b["name"].__setitem__(6, ""), "name", 7, "is empty"),
        (lambda b: b["step"].__setitem__(9, 2.5), "step", 10, "is not an integer"),
        (lambda b: b["timestamp"].__setitem__(3, "2026-11-01 10:00"), "timestamp", 4, "UTC offset"),
        (lambda b: b["timestamp"].__setitem__(3, "2099-01-01T00:00:00Z"), "timestamp", 4, "future"),
        (lambda b: b.pop("timestamp"), "timestamp", None, "required column is missing"),
        (lambda b: b.update(colour=["red"] * 100), "colour", None, "is not a metric column"),
    ],
)
def test_bad_points_name_field_and_first_row_and_write_nothing(
    pipeline_client, change, field, row, says
):
    body = columns(100)
    change(body)

    response = post_json(pipeline_client, body)

    assert response.status_code == 400
    [error] = errors(response)
    assert (error["field"], error.get("row")) == (field, row)
    assert says in error["message"]
    assert not MetricPoint.objects.exists()
    assert not IngestionBatch.objects.exists()


def test_nan_in_a_json_body_is_refused(pipeline_client):
    body = json.dumps(columns(3)).replace("0.501", "NaN")
    response = pipeline_client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert errors(response)[0]["row"] == 2


def test_a_bad_row_in_the_middle_of_100_000_leaves_nothing_written(pipeline_client):
    body = columns(100_000)
    body["value"][50_000] = float("inf")

    response = post_json(pipeline_client, body)

    assert response.status_code == 400
    assert errors(response)[0] == {
        "field": "value",
        "row": 50_001,
        "message": "inf is not a finite number (missing, NaN or infinite)",
    }
    assert not MetricPoint.objects.exists()
    assert not AuditEvent.objects.filter(verb="metrics.ingested").exists()


def test_names_outside_the_models_metric_definitions_are_refused(
    pipeline_client, owner, credit_pd_model
):
    metric_definitions.define_metric(
        actor=owner, model=credit_pd_model, name="auc", direction="higher"
    )
    response = post_json(pipeline_client, columns(4))
    [error] = errors(response)
    assert (error["field"], error["row"]) == ("name", 1)
    assert "is not a metric defined for this model (auc)" in error["message"]


def test_a_retry_with_the_same_key_replays_the_answer_without_writing(pipeline_client):
    body = columns(50)
    first = post_json(pipeline_client, body, HTTP_IDEMPOTENCY_KEY="run-42-metrics")
    again = post_json(pipeline_client, body, HTTP_IDEMPOTENCY_KEY="run-42-metrics")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert MetricPoint.objects.count() == 50
    assert IngestionBatch.objects.count() == 1


def test_the_same_key_with_another_body_is_a_conflict(pipeline_client):
    post_json(pipeline_client, columns(5), HTTP_IDEMPOTENCY_KEY="k1")
    response = post_json(pipeline_client, columns(6), HTTP_IDEMPOTENCY_KEY="k1")

    assert response.status_code == 409
    assert errors(response)[0]["field"] == "Idempotency-Key"
    assert MetricPoint.objects.count() == 5


def test_a_refused_request_does_not_use_up_its_key(pipeline_client):
    bad = columns(5)
    bad["value"][0] = "x"
    assert post_json(pipeline_client, bad, HTTP_IDEMPOTENCY_KEY="k2").status_code == 400
    assert post_json(pipeline_client, columns(5), HTTP_IDEMPOTENCY_KEY="k2").status_code == 201


def test_unknown_model_or_version_is_404(pipeline_client):
    body = json.dumps(columns(2))
    for url in (URL.replace("1.0.0", "9.9.9"), URL.replace("retail-pd", "nope")):
        response = pipeline_client.post(url, body, content_type="application/json")
        assert response.status_code == 404


def test_an_oversize_body_is_413_naming_the_limit(pipeline_client, settings):
    settings.ATTEST_MAX_UPLOAD_BYTES = 1000
    response = post_json(pipeline_client, columns(100))
    assert response.status_code == 413
    [error] = errors(response)
    assert error["field"] == "body"
    assert "the limit is 1,000 bytes (ATTEST_MAX_UPLOAD_BYTES)" in error["message"]


def test_an_unsupported_content_type_is_named(pipeline_client):
    response = pipeline_client.post(URL, "name=auc", content_type="text/plain")
    assert response.status_code == 400
    assert errors(response)[0]["field"] == "Content-Type"


def test_a_token_for_model_a_cannot_write_to_model_b(pipeline_client, hidden_model, admin_user):
    from registry import services

    services.register_version(actor=admin_user, model=hidden_model, version="1.0.0")
    url = "/api/v1/models/bureau/versions/1.0.0/metrics/"
    response = pipeline_client.post(url, json.dumps(columns(2)), content_type="application/json")
    assert response.status_code == 404
    assert not MetricPoint.objects.exists()
    assert ModelVersion.objects.get(model=hidden_model).metric_points.count() == 0


def test_tags_are_kept_per_point(pipeline_client):
    body = columns(2, tags=[{"region": "north"}, None])
    assert post_json(pipeline_client, body).status_code == 201
    assert [p.tags for p in MetricPoint.objects.order_by("step")] == [{"region": "north"}, {}]


def test_points_without_tags_need_not_say_so(pipeline_client):
    # pandas reads a tags column holding no tags at all as float NaN, not as None.
    point = {"name": "auc", "value": 0.8, "timestamp": "2026-11-01T10:00:00Z"}
    response = post_json(pipeline_client, [{**point, "tags": None}, {**point, "step": 1}])
    assert response.status_code == 201, response.content
    assert [p.tags for p in MetricPoint.objects.all()] == [{}, {}]
