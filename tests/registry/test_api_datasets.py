"""The datasets API: registering datasets and their pinned versions."""

import pytest

from governance.auditlog.models import AuditEvent
from registry.models import Dataset, DatasetVersion
from tests.api_errors import error_fields
from tests.factories.accounts import UserFactory
from tests.factories.registry import DatasetFactory, DatasetVersionFactory, sha

URL = "/api/v1/datasets/"
BUREAU = "/api/v1/datasets/bureau/"
VERSIONS = "/api/v1/datasets/bureau/versions/"


def written() -> tuple[int, int, int]:
    return Dataset.objects.count(), DatasetVersion.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def bureau(owner) -> Dataset:
    return DatasetFactory(slug="bureau", name="Credit bureau extract", created_by=owner)


def test_developer_registers_a_dataset_and_it_is_audited(api_client, developer):
    payload = {"slug": "bureau", "name": "Credit bureau extract", "contains_personal_data": True}
    response = api_client(developer).post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    stored = Dataset.objects.get(slug="bureau")
    assert (stored.created_by, stored.contains_personal_data) == (developer, True)
    assert AuditEvent.objects.get(verb="dataset.registered").actor == developer


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"slug": "Bureau Data", "name": "B"}, "slug"),
        ({"slug": "bureau"}, "name"),
        ({"slug": "bureau", "name": "n" * 201}, "name"),
    ],
)
def test_bad_dataset_is_400_naming_the_field_and_writes_nothing(
    api_client, developer, payload, field
):
    before = written()
    response = api_client(developer).post(URL, payload, format="json")
    assert (response.status_code, error_fields(response)) == (400, [field])
    assert written() == before


def test_auditor_reads_datasets_but_cannot_register_one(api_client, auditor, bureau):
    client = api_client(auditor)
    assert [d["slug"] for d in client.get(URL).json()["results"]] == ["bureau"]
    assert client.get(BUREAU).json()["created_by"] == "olivia"
    assert client.post(URL, {"slug": "x", "name": "X"}, format="json").status_code == 403
    assert Dataset.objects.count() == 1


def test_a_user_without_a_role_cannot_read_datasets(api_client, bureau):
    assert api_client(UserFactory(username="nobody")).get(URL).status_code == 403


def test_owner_pins_a_dataset_version_by_hash_and_external_ref(api_client, owner, bureau):
    payload = {
        "version": "2025-12",
        "uri": "s3://data/bureau/2025-12/",
        "content_sha256": sha("bureau"),
        "external_ref": "lakefs:7f3a",
        "row_count": 120000,
        "schema": {"score": "int"},
    }
    response = api_client(owner).post(VERSIONS, payload, format="json")
    assert response.status_code == 201, response.json()
    stored = DatasetVersion.objects.get(dataset=bureau, version="2025-12")
    assert (stored.content_sha256, stored.row_count) == (sha("bureau"), 120000)
    assert AuditEvent.objects.filter(verb="datasetversion.registered").count() == 1
    listed = api_client(owner).get(VERSIONS).json()["results"]
    assert [(v["dataset"], v["version"]) for v in listed] == [("bureau", "2025-12")]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"content_sha256": "not-a-hash"}, "content_sha256"),
        ({"version": "2025 12"}, "version"),
        ({"row_count": -1}, "row_count"),
        ({"schema": ["score"]}, "schema"),
        ({"uri": "u" * 501}, "uri"),
        ({"version": "v1"}, "version"),
    ],
)
def test_bad_dataset_version_is_400_naming_the_field_and_writes_nothing(
    api_client, owner, bureau, change, field
):
    DatasetVersionFactory(dataset=bureau, version="v1")
    before = written()
    payload = {"version": "2025-12", "uri": "s3://data/bureau/", **change}
    response = api_client(owner).post(VERSIONS, payload, format="json")
    assert (response.status_code, error_fields(response)) == (400, [field])
    assert written() == before


def test_versions_of_an_unknown_dataset_are_404(api_client, owner):
    assert api_client(owner).get("/api/v1/datasets/nope/versions/").status_code == 404
