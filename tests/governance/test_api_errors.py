"""The API's one error shape: {"errors": [{"field", "message", "row"?}]}."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from governance.api.errors import exception_handler
from governance.errors import DomainError


class Row(serializers.Serializer):
    name = serializers.CharField(max_length=3)


class Batch(serializers.Serializer):
    rows = Row(many=True)
    tags = serializers.ListField(child=serializers.IntegerField())


def errors_for(data: dict) -> list[dict]:
    batch = Batch(data=data)
    batch.is_valid()
    return exception_handler(ValidationError(batch.errors), {}).data["errors"]


def test_a_bad_item_in_a_list_is_named_by_field_and_1_based_row():
    found = errors_for({"rows": [{"name": "ok"}, {"name": "toolong"}], "tags": [1]})
    assert [(e["field"], e["row"]) for e in found] == [("rows.name", 2)]


def test_a_bad_scalar_in_a_list_field_is_named_by_row():
    found = errors_for({"rows": [], "tags": [1, 2, "three"]})
    assert [(e["field"], e["row"]) for e in found] == [("tags", 3)]


def test_a_domain_error_keeps_its_field_and_row():
    response = exception_handler(DomainError(field="value", message="is negative", row=3), {})
    assert response.status_code == 400
    assert response.data == {"errors": [{"field": "value", "message": "is negative", "row": 3}]}


def test_404_and_403_use_the_same_shape(api_client, outsider, auditor, credit_pd_model):
    missing = api_client(outsider).get("/api/v1/models/retail-pd/")
    forbidden = api_client(auditor).patch("/api/v1/models/retail-pd/", {}, format="json")
    for response, status in ((missing, 404), (forbidden, 403)):
        assert response.status_code == status
        assert [e["field"] for e in response.json()["errors"]] == ["non_field"]


def test_a_path_no_endpoint_answers_gets_the_same_shape_and_a_page_stays_a_page(
    api_client, auditor, client
):
    response = api_client(auditor).get("/api/v1/modles/retail-pd/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    (error,) = response.json()["errors"]
    assert error["field"] == "non_field"
    assert "/api/v1/modles/retail-pd/" in error["message"]
    client.force_login(auditor)
    page = client.get("/inventory/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
