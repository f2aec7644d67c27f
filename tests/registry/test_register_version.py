"""Registering model versions, including LLM versions with their hashed prompt templates."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied

from governance import permissions
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from registry import selectors, services
from registry.models import MLModel, ModelVersion, PromptTemplate
from tests.factories.registry import DeploymentFactory, TrainingRunFactory, sha

SHA = sha("retail-pd 1.0.0")
SYSTEM_PROMPT = "You summarise complaints. Complaint: {text}"


@pytest.fixture
def assistant_model(owner) -> MLModel:
    """Olivia's LLM application: versions name a base model and a provider."""
    return services.register_model(
        actor=owner,
        slug="complaints-assistant",
        name="Complaints assistant",
        business_unit="Operations",
        model_type=MLModel.ModelType.LLM_APPLICATION,
    )


def written() -> tuple[int, int, int]:
    return (
        ModelVersion.objects.count(),
        PromptTemplate.objects.count(),
        AuditEvent.objects.count(),
    )


def test_developer_registers_a_version_with_its_artifact(credit_pd_model, developer):
    version = services.register_version(
        actor=developer,
        model=credit_pd_model,
        version="1.0.0",
        artifact_uri="s3://models/retail-pd/1.0.0/model.pkl",
        artifact_sha256=SHA,
        framework="scikit-learn 1.5",
    )
    stored = ModelVersion.objects.get(model=credit_pd_model, version="1.0.0")
    assert stored == version
    assert (stored.artifact_sha256, stored.created_by) == (SHA, developer)


def test_registering_records_version_registered_scoped_to_the_model(credit_pd_model, developer):
    version = services.register_version(
        actor=developer, model=credit_pd_model, version="1.0.0", artifact_sha256=SHA
    )
    event = AuditEvent.objects.get(verb="version.registered")
    assert (event.actor, event.mlmodel_id) == (developer, credit_pd_model.pk)
    assert event.target_id == str(version.pk)
    assert event.after["version"] == "1.0.0"
    assert event.after["artifact_sha256"] == SHA
    assert event.after["prompt_templates"] == {}


def test_llm_version_stores_its_prompt_templates_and_audits_their_hashes(assistant_model, owner):
    version = services.register_version(
        actor=owner,
        model=assistant_model,
        version="2025-06",
        base_model="gpt-4o-2024-08-06",
        provider="Azure OpenAI",
        prompt_templates=[{"name": "system", "template": SYSTEM_PROMPT}],
    )
    digest = hashlib.sha256(SYSTEM_PROMPT.encode()).hexdigest()
    template = PromptTemplate.objects.get(version=version)
    assert (template.name, template.template, template.sha256) == ("system", SYSTEM_PROMPT, digest)
    event = AuditEvent.objects.get(verb="version.registered")
    assert event.after["prompt_templates"] == {"system": digest}
    assert (event.after["base_model"], event.mlmodel_id) == (
        "gpt-4o-2024-08-06",
        assistant_model.pk,
    )


def test_the_same_label_may_be_used_by_another_model(credit_pd_model, assistant_model, owner):
    services.register_version(actor=owner, model=credit_pd_model, version="1.0")
    services.register_version(
        actor=owner, model=assistant_model, version="1.0", base_model="claude", provider="Anthropic"
    )
    assert ModelVersion.objects.filter(version="1.0").count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"version": "0.9.0"}, "version"),
        ({"version": ""}, "version"),
        ({"version": "new"}, "version"),
        ({"version": "2026/11"}, "version"),
        ({"version": "1.0 final"}, "version"),
        ({"artifact_sha256": "abc123"}, "artifact_sha256"),
        ({"artifact_sha256": SHA.upper()}, "artifact_sha256"),
        ({"source_tracker": "comet"}, "source_tracker"),
        ({"notes": "retrained"}, "notes"),
        ({"prompt_templates": [{"name": "system", "template": "Hi"}]}, "prompt_templates"),
    ],
)
def test_invalid_version_is_refused_naming_the_field_and_writes_nothing(
    credit_pd_model, owner, fields, field
):
    services.register_version(actor=owner, model=credit_pd_model, version="0.9.0")
    before = written()
    with pytest.raises(DomainError) as refused:
        services.register_version(
            actor=owner, model=credit_pd_model, **({"version": "1.0"} | fields)
        )
    assert refused.value.field == field
    assert written() == before


@pytest.mark.parametrize(
    ("fields", "field", "row"),
    [
        ({"provider": "Azure OpenAI"}, "base_model", None),
        ({"base_model": "gpt-4o"}, "provider", None),
        ({"prompt_templates": [{"name": "a", "template": "x"}] * 2}, "prompt_templates", None),
        (
            {"prompt_templates": [{"name": "a", "template": "x"}, {"template": "y"}]},
            "prompt_templates.name",
            2,
        ),
        ({"prompt_templates": [{"name": "a", "template": ""}]}, "prompt_templates.template", 1),
    ],
)
def test_incomplete_llm_version_is_refused_naming_field_and_row_and_writes_nothing(
    assistant_model, owner, fields, field, row
):
    complete = {"base_model": "gpt-4o", "provider": "Azure OpenAI"}
    args = fields if "prompt_templates" not in fields else complete | fields
    before = written()
    with pytest.raises(DomainError) as refused:
        services.register_version(actor=owner, model=assistant_model, version="1", **args)
    assert (refused.value.field, refused.value.row) == (field, row)
    assert written() == before


def test_a_training_run_of_another_model_is_refused(credit_pd_model, owner):
    foreign_run = TrainingRunFactory()
    before = written()
    with pytest.raises(DomainError) as refused:
        services.register_version(
            actor=owner, model=credit_pd_model, version="1.0", training_run=foreign_run
        )
    assert refused.value.field == "training_run"
    assert written() == before


def test_developer_may_register_versions_but_not_submit(credit_pd_model, developer):
    services.register_version(actor=developer, model=credit_pd_model, version="1.0")
    assert not permissions.can(developer, "submit", credit_pd_model)


@pytest.mark.parametrize("persona", ["validator", "auditor", "outsider", "committee_member"])
def test_personas_without_change_rights_cannot_register_a_version(
    persona, request, credit_pd_model
):
    actor = request.getfixturevalue(persona)
    before = written()
    with pytest.raises(PermissionDenied):
        services.register_version(actor=actor, model=credit_pd_model, version="1.0")
    assert written() == before


def test_versions_of_lists_newest_first_with_deployment_counts(credit_pd_model, owner):
    old = services.register_version(actor=owner, model=credit_pd_model, version="1.0")
    new = services.register_version(actor=owner, model=credit_pd_model, version="1.1")
    first = DeploymentFactory(version=old, environment="staging")
    DeploymentFactory(version=old, started_at=first.started_at.replace(month=2))
    rows = list(selectors.versions_of(credit_pd_model))
    assert rows == [new, old]
    assert [(v.deployment_count, v.last_deployed_at) for v in rows] == [
        (0, None),
        (2, first.started_at.replace(month=2)),
    ]


def test_a_tracker_version_already_registered_under_another_label_is_refused(
    credit_pd_model, developer
):
    services.register_version(
        actor=developer, model=credit_pd_model, version="7", external_id="retail-pd/7"
    )

    with pytest.raises(DomainError) as refused:
        services.register_version(
            actor=developer, model=credit_pd_model, version="8", external_id="retail-pd/7"
        )

    assert refused.value.field == "external_id"
    assert "already retail-pd version 7" in refused.value.error_text
    assert not ModelVersion.objects.filter(version="8").exists()
