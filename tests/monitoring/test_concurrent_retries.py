"""A pipeline's retry racing its own first attempt (PostgreSQL: the unique key index waits)."""

import json

import pytest

from monitoring.models import IngestionBatch, MetricPoint
from tests.concurrency import in_threads
from tests.monitoring.conftest import token_client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
URL = "/api/v1/models/retail-pd/versions/1.0.0/metrics/"


def body(n: int) -> str:
    return json.dumps(
        {
            "name": ["auc"] * n,
            "value": [0.8] * n,
            "timestamp": ["2026-11-01T00:00:00Z"] * n,
            "step": list(range(n)),
        }
    )


def test_two_sends_of_one_keyed_request_at_once_write_once(pipeline_key, pd_version):
    answers = []

    def send(_: int) -> None:
        client = token_client(pipeline_key)
        response = client.post(
            URL, body(20_000), content_type="application/json", HTTP_IDEMPOTENCY_KEY="race"
        )
        answers.append((response.status_code, response.json()))

    assert in_threads(2, send) == []
    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert IngestionBatch.objects.count() == 1
    assert MetricPoint.objects.count() == 20_000


def test_the_same_key_with_two_bodies_at_once_writes_one_and_refuses_the_other(
    pipeline_key, pd_version
):
    statuses = []

    def send(index: int) -> None:
        client = token_client(pipeline_key)
        response = client.post(
            URL, body(1000 + index), content_type="application/json", HTTP_IDEMPOTENCY_KEY="race"
        )
        statuses.append(response.status_code)

    assert in_threads(2, send) == []
    assert sorted(statuses) == [201, 409]
    assert MetricPoint.objects.count() in {1000, 1001}
