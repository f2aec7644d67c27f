"""Registering datasets and their versions, and recording the training runs that read them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from registry import services
from registry.models import Dataset, DatasetVersion, TrainingRun
from tests.factories.registry import DatasetVersionFactory, sha

JAN = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def bureau(owner) -> Dataset:
    """Credit bureau extracts, registered by Olivia."""
    return services.register_dataset(actor=owner, slug="bureau", name="Credit bureau extract")


def counts() -> tuple[int, int, int, int]:
    return (
        Dataset.objects.count(),
        DatasetVersion.objects.count(),
        TrainingRun.objects.count(),
        AuditEvent.objects.count(),
    )


def test_developer_registers_a_dataset_and_it_is_audited(developer):
    dataset = services.register_dataset(
        actor=developer, slug="applications", name="Loan applications", contains_personal_data=True
    )
    stored = Dataset.objects.get(slug="applications")
    assert (stored, stored.created_by, stored.contains_personal_data) == (dataset, developer, True)
    event = AuditEvent.objects.get(verb="dataset.registered")
    assert (event.actor, event.target_id, event.mlmodel_id) == (developer, str(dataset.pk), None)
    assert event.after["slug"] == "applications"


@pytest.mark.parametrize(("slug", "name"), [("bureau", "Again"), ("Bureau 2", "B"), ("b2", "")])
def test_invalid_dataset_is_refused_and_writes_nothing(bureau, owner, slug, name):
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.register_dataset(actor=owner, slug=slug, name=name)
    assert refused.value.field == ("name" if not name else "slug")
    assert counts() == before


@pytest.mark.parametrize("persona", ["auditor", "validator", "committee_member"])
def test_personas_without_the_right_cannot_register_data(persona, request, bureau):
    actor = request.getfixturevalue(persona)
    before = counts()
    with pytest.raises(PermissionDenied):
        services.register_dataset(actor=actor, slug="other", name="Other")
    with pytest.raises(PermissionDenied):
        services.register_dataset_version(actor=actor, dataset=bureau, version="v1", uri="s3://b")
    assert counts() == before


def test_dataset_version_is_pinned_by_hash_and_audited(bureau, developer):
    digest = sha("bureau-2025-12")
    dv = services.register_dataset_version(
        actor=developer,
        dataset=bureau,
        version="2025-12",
        uri="s3://data/bureau/2025-12/",
        content_sha256=digest,
        row_count=120_000,
        schema={"income": "decimal"},
    )
    stored = DatasetVersion.objects.get(dataset=bureau, version="2025-12")
    assert (stored, stored.content_sha256, stored.row_count) == (dv, digest, 120_000)
    event = AuditEvent.objects.get(verb="datasetversion.registered")
    assert (event.after["content_sha256"], event.after["schema"]) == (digest, {"income": "decimal"})


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"version": "2025-11"}, "version"),
        ({"content_sha256": "not-a-hash"}, "content_sha256"),
        ({"content_sha256": sha(1)[:63]}, "content_sha256"),
        ({"schema": ["income", "age"]}, "schema"),
        ({"row_count": -1}, "row_count"),
        ({"uri": ""}, "uri"),
        ({"owner": "olivia"}, "owner"),
    ],
)
def test_invalid_dataset_version_is_refused_naming_the_field_and_writes_nothing(
    bureau, owner, fields, field
):
    services.register_dataset_version(actor=owner, dataset=bureau, version="2025-11", uri="s3://b")
    before = counts()
    args = {"version": "2025-12", "uri": "s3://data/bureau/2025-12/"} | fields
    with pytest.raises(DomainError) as refused:
        services.register_dataset_version(actor=owner, dataset=bureau, **args)
    assert refused.value.field == field
    assert counts() == before


def test_developer_records_a_training_run_with_its_input_data(credit_pd_model, developer):
    inputs = DatasetVersionFactory.create_batch(2)
    run = services.record_training_run(
        actor=developer,
        model=credit_pd_model,
        tracker="mlflow",
        external_id="a1b2c3",
        params={"max_depth": 4},
        started_at=JAN,
        finished_at=JAN + dt.timedelta(hours=2),
        input_datasets=inputs,
    )
    stored = TrainingRun.objects.get(external_id="a1b2c3")
    assert (stored, stored.params, set(stored.input_datasets.all())) == (
        run,
        {"max_depth": 4},
        set(inputs),
    )
    event = AuditEvent.objects.get(verb="run.recorded")
    assert (event.actor, event.mlmodel_id) == (developer, credit_pd_model.pk)
    assert event.after["input_datasets"] == sorted(dv.pk for dv in inputs)


def test_run_that_finished_before_it_started_is_refused_and_writes_nothing(credit_pd_model, owner):
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.record_training_run(
            actor=owner, model=credit_pd_model, started_at=JAN, finished_at=JAN - dt.timedelta(1)
        )
    assert (refused.value.field, refused.value.error_text) == (
        "finished_at",
        "is before started_at",
    )
    assert counts() == before


def test_a_run_id_is_unique_per_tracker_only(credit_pd_model, owner):
    services.record_training_run(
        actor=owner, model=credit_pd_model, tracker="mlflow", external_id="42"
    )
    services.record_training_run(
        actor=owner, model=credit_pd_model, tracker="wandb", external_id="42"
    )
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.record_training_run(
            actor=owner, model=credit_pd_model, tracker="mlflow", external_id="42"
        )
    assert refused.value.field == "external_id"
    assert counts() == before


@pytest.mark.parametrize("persona", ["validator", "auditor", "outsider"])
def test_personas_without_change_rights_cannot_record_a_run(persona, request, credit_pd_model):
    actor = request.getfixturevalue(persona)
    before = counts()
    with pytest.raises(PermissionDenied):
        services.record_training_run(actor=actor, model=credit_pd_model, external_id="x")
    assert counts() == before
