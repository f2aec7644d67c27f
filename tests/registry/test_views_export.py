"""CSV export of the inventory: the visible models, the filters kept, cells spreadsheet-safe."""

import csv
import io

from django.urls import reverse

from registry import services
from registry.models import MLModel
from tests.factories.registry import ModelVersionFactory, UseCaseFactory

EXPORT = reverse("registry:model-export")


def exported(client, **params) -> list[dict[str, str]]:
    response = client.get(EXPORT, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_export_has_one_row_per_visible_model_with_its_columns(
    client, owner, hidden_model, credit_pd_model
):
    version = ModelVersionFactory(model=credit_pd_model, version="1.0.0", created_by=owner)
    services.record_deployment(actor=owner, version=version, environment="production")
    UseCaseFactory(name="Loan decisions", owner=owner).models.add(credit_pd_model)
    client.force_login(owner)
    (row,) = exported(client)
    assert row["slug"] == "retail-pd"
    assert (row["type"], row["status"], row["owner"]) == ("Classical ML", "Development", "olivia")
    assert (row["version_count"], row["latest_version"]) == ("1", "1.0.0")
    assert row["live_production_version"] == "1.0.0"
    assert row["use_cases"] == "Loan decisions"


def test_export_keeps_the_list_filters(client, auditor, credit_pd_model, hidden_model):
    client.force_login(auditor)
    assert [r["slug"] for r in exported(client)] == ["bureau", "retail-pd"]
    assert [r["slug"] for r in exported(client, business_unit="Risk")] == ["bureau"]


def test_export_has_a_column_per_active_custom_field_and_defuses_values(client, owner, admin_user):
    services.define_custom_field(
        actor=admin_user, key="ref", label="Regulatory ref", field_type="text"
    )
    services.define_custom_field(actor=admin_user, key="sox", label="SOX", field_type="boolean")
    services.register_model(
        actor=owner,
        slug="evil",
        name="=cmd|'/C calc'!A0",
        business_unit="Ops",
        model_type=MLModel.ModelType.CLASSICAL_ML,
        custom_fields={"ref": "@import", "sox": "yes"},
    )
    client.force_login(owner)
    (row,) = exported(client)
    assert row["name"] == "'=cmd|'/C calc'!A0"
    assert (row["Regulatory ref"], row["SOX"]) == ("'@import", "yes")


def test_outsider_exports_only_the_header(client, outsider, credit_pd_model):
    client.force_login(outsider)
    assert exported(client) == []


def test_export_reads_a_fixed_number_of_queries(
    client, auditor, owner, django_assert_max_num_queries
):
    for n in range(30):
        model = services.register_model(
            actor=owner, slug=f"m-{n}", name=f"M {n}", business_unit="Ops", model_type="vendor"
        )
        ModelVersionFactory(model=model, created_by=owner)
    client.force_login(auditor)
    with django_assert_max_num_queries(12):
        assert len(exported(client)) == 30
