"""The versions and training-runs API: registering, reading, prompt templates and lineage."""

import hashlib

import pytest

from governance.auditlog.models import AuditEvent
from registry import services
from registry.models import MLModel, ModelVersion, PromptTemplate, TrainingRun
from tests.api_errors import error_fields
from tests.factories.registry import (
    DatasetVersionFactory,
    DeploymentFactory,
    ModelVersionFactory,
    TrainingRunFactory,
    sha,
)

VERSIONS = "/api/v1/models/retail-pd/versions/"
RUNS = "/api/v1/models/retail-pd/runs/"
PROMPT = "Summarise this complaint politely.\n\nComplaint: {text}\n"


def written() -> tuple[int, int, int, int]:
    return (
        ModelVersion.objects.count(),
        PromptTemplate.objects.count(),
        TrainingRun.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def assistant_model(owner) -> MLModel:
    return services.register_model(
        actor=owner,
        slug="complaints-assistant",
        name="Complaints assistant",
        business_unit="Operations",
        model_type=MLModel.ModelType.LLM_APPLICATION,
    )


def test_developer_registers_a_version_and_it_is_audited(api_client, developer, credit_pd_model):
    payload = {"version": "1.0.0", "artifact_sha256": sha(1), "framework": "sklearn 1.5"}
    response = api_client(developer).post(VERSIONS, payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["created_by"] == "dev"
    stored = ModelVersion.objects.get(model=credit_pd_model, version="1.0.0")
    assert stored.artifact_sha256 == sha(1)
    event = AuditEvent.objects.get(verb="version.registered")
    assert (event.actor, event.target_id) == (developer, str(stored.pk))


def test_llm_version_stores_prompts_with_the_sha256_of_the_exact_text(
    api_client, owner, assistant_model
):
    payload = {
        "version": "2025.1",
        "base_model": "gpt-4o",
        "provider": "Azure OpenAI",
        "prompt_templates": [{"name": "system", "template": PROMPT}],
    }
    url = "/api/v1/models/complaints-assistant/versions/"
    assert api_client(owner).post(url, payload, format="json").status_code == 201
    detail = api_client(owner).get(f"{url}2025.1/").json()
    digest = hashlib.sha256(PROMPT.encode()).hexdigest()
    assert detail["prompt_templates"] == [{"name": "system", "template": PROMPT, "sha256": digest}]


def test_version_list_and_detail_show_deployment_counts(api_client, auditor, credit_pd_model):
    ModelVersionFactory(model=credit_pd_model, version="1.0")
    deployed = ModelVersionFactory(model=credit_pd_model, version="2.0")
    DeploymentFactory(version=deployed)
    listed = api_client(auditor).get(VERSIONS).json()["results"]
    assert [(v["version"], v["deployment_count"]) for v in listed] == [("2.0", 1), ("1.0", 0)]
    assert api_client(auditor).get(f"{VERSIONS}2.0/").json()["model"] == "retail-pd"


def test_version_list_query_count_does_not_grow_with_versions(
    api_client, auditor, credit_pd_model, django_assert_max_num_queries
):
    ModelVersionFactory(model=credit_pd_model)
    client = api_client(auditor)
    with django_assert_max_num_queries(12) as few:
        client.get(VERSIONS)
    ModelVersionFactory.create_batch(15, model=credit_pd_model)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(VERSIONS).json()["count"] == 16


@pytest.mark.parametrize(
    ("persona", "listed", "registered"),
    [
        ("outsider", 404, 404),
        ("auditor", 200, 403),
        ("validator", 200, 403),
        ("developer", 200, 201),
    ],
)
def test_versions_follow_the_permission_matrix(
    api_client, request, credit_pd_model, persona, listed, registered
):
    client = api_client(request.getfixturevalue(persona))
    assert client.get(VERSIONS).status_code == listed
    response = client.post(VERSIONS, {"version": "9.9"}, format="json")
    assert response.status_code == registered
    assert ModelVersion.objects.filter(version="9.9").exists() == (registered == 201)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"artifact_sha256": "ABC123"}, "artifact_sha256"),
        ({"artifact_sha256": sha(1).upper()}, "artifact_sha256"),
        ({"version": "1.0/beta"}, "version"),
        ({"version": "new"}, "version"),
        ({"version": "v" * 65}, "version"),
        ({"training_run": 999999}, "training_run"),
        ({"source_tracker": "excel"}, "source_tracker"),
        ({"prompt_templates": [{"name": "system", "template": "x"}]}, "prompt_templates"),
    ],
)
def test_bad_version_is_400_naming_the_field_and_writes_nothing(
    api_client, developer, credit_pd_model, change, field
):
    before = written()
    response = api_client(developer).post(VERSIONS, {"version": "1.0", **change}, format="json")
    assert response.status_code == 400
    assert error_fields(response) == [field]
    assert written() == before


def test_duplicate_version_label_is_400_naming_version(api_client, developer, credit_pd_model):
    ModelVersionFactory(model=credit_pd_model, version="1.0")
    before = written()
    response = api_client(developer).post(VERSIONS, {"version": "1.0"}, format="json")
    assert response.status_code == 400
    assert error_fields(response) == ["version"]
    assert written() == before


def test_bad_prompt_template_names_its_row(api_client, owner, assistant_model):
    prompts = [{"name": "system", "template": "ok"}, {"name": "n" * 101, "template": "ok"}]
    payload = {"version": "1", "base_model": "m", "provider": "p", "prompt_templates": prompts}
    url = "/api/v1/models/complaints-assistant/versions/"
    response = api_client(owner).post(url, payload, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["row"]) == ("prompt_templates.name", 2)
    assert not ModelVersion.objects.exists()


def test_run_of_another_model_is_an_unknown_training_run(api_client, developer, credit_pd_model):
    elsewhere = TrainingRunFactory()
    payload = {"version": "1.0", "training_run": elsewhere.pk}
    response = api_client(developer).post(VERSIONS, payload, format="json")
    assert response.status_code == 400
    assert "unknown training run" in response.json()["errors"][0]["message"]


def test_developer_records_a_run_naming_dataset_versions_by_slug_and_label(
    api_client, developer, credit_pd_model
):
    bureau = DatasetVersionFactory(dataset__slug="bureau", version="2025-12")
    payload = {"tracker": "mlflow", "external_id": "abc123", "input_datasets": ["bureau@2025-12"]}
    response = api_client(developer).post(RUNS, payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["input_datasets"] == ["bureau@2025-12"]
    run = TrainingRun.objects.get(external_id="abc123")
    assert list(run.input_datasets.all()) == [bureau]
    assert AuditEvent.objects.get(verb="run.recorded").mlmodel_id == credit_pd_model.pk


@pytest.mark.parametrize(
    ("datasets", "message"),
    [(["bureau@2099-01"], "unknown dataset version"), (["bureau"], "dataset-slug@version")],
)
def test_unknown_or_malformed_dataset_is_400_naming_input_datasets(
    api_client, developer, credit_pd_model, datasets, message
):
    DatasetVersionFactory(dataset__slug="bureau", version="2025-12")
    before = written()
    response = api_client(developer).post(RUNS, {"input_datasets": datasets}, format="json")
    assert response.status_code == 400
    assert error_fields(response) == ["input_datasets"]
    assert message in response.json()["errors"][0]["message"]
    assert written() == before


def test_runs_are_listed_for_readers_and_hidden_from_outsiders(
    api_client, auditor, outsider, credit_pd_model
):
    TrainingRunFactory(model=credit_pd_model, external_id="r-1")
    assert [r["external_id"] for r in api_client(auditor).get(RUNS).json()["results"]] == ["r-1"]
    assert api_client(outsider).get(RUNS).status_code == 404
    assert api_client(auditor).post(RUNS, {}, format="json").status_code == 403


def test_lineage_is_a_graph_from_data_through_the_run_to_deployments(
    api_client, auditor, credit_pd_model
):
    data = DatasetVersionFactory(dataset__slug="bureau", version="2025-12")
    run = TrainingRunFactory(model=credit_pd_model)
    run.input_datasets.add(data)
    version = ModelVersionFactory(model=credit_pd_model, version="1.0", training_run=run)
    deployment = DeploymentFactory(version=version)
    graph = api_client(auditor).get(f"{VERSIONS}1.0/lineage/").json()
    assert graph["focus"] == f"version:{version.pk}"
    edges = {(e["source"], e["target"]) for e in graph["edges"]}
    assert edges == {
        (f"dataset_version:{data.pk}", f"run:{run.pk}"),
        (f"run:{run.pk}", f"version:{version.pk}"),
        (f"version:{version.pk}", f"deployment:{deployment.pk}"),
    }
    assert {n["layer"] for n in graph["nodes"]} == {"data", "run", "version", "deployment"}


def test_lineage_of_an_unknown_version_is_404(api_client, auditor, credit_pd_model):
    assert api_client(auditor).get(f"{VERSIONS}7.7/lineage/").status_code == 404


def test_lineage_leaves_out_neighbouring_models_the_caller_may_not_see(
    api_client, owner, developer, credit_pd_model
):
    secret = services.register_model(
        actor=owner,
        slug="secret-upstream",
        name="Secret upstream",
        business_unit="R",
        model_type="vendor",
    )
    services.add_dependency(actor=owner, upstream=secret, downstream=credit_pd_model)
    ModelVersionFactory(model=credit_pd_model, version="1.0")
    seen_by = {
        who.username: {
            n["label"] for n in api_client(who).get(f"{VERSIONS}1.0/lineage/").json()["nodes"]
        }
        for who in (owner, developer)
    }
    assert "Secret upstream" in seen_by[owner.username]
    assert "Secret upstream" not in seen_by[developer.username]
