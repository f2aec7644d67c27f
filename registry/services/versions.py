"""Registering model versions (with LLM prompt templates) and the training runs behind them."""

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from governance import audit, permissions
from governance.errors import DomainError, clean_or_raise, save_new
from governance.risk.rules import material_change
from governance.risk.services import assessments
from registry.models import DatasetVersion, MLModel, ModelVersion, PromptTemplate, TrainingRun

VERSION_FIELDS = (
    "artifact_uri",
    "artifact_sha256",
    "framework",
    "source_tracker",
    "external_id",
    "aliases",
    "training_run",
    "base_model",
    "provider",
)


def _check_llm_fields(
    model: MLModel, version: ModelVersion, prompts: Sequence[Mapping[str, str]]
) -> None:
    if model.model_type == MLModel.ModelType.LLM_APPLICATION:
        if not version.base_model:
            raise DomainError(
                field="base_model", message="an LLM application version names its base model"
            )
        if not version.provider:
            raise DomainError(
                field="provider", message="an LLM application version names its provider"
            )
    elif prompts:
        raise DomainError(
            field="prompt_templates", message="only LLM application versions have prompts"
        )


def _prompt_templates(
    version: ModelVersion, prompts: Sequence[Mapping[str, str]]
) -> list[PromptTemplate]:
    names = [p.get("name", "") for p in prompts]
    if len(set(names)) != len(names):
        raise DomainError(field="prompt_templates", message="prompt template names must be unique")
    templates = []
    for row, prompt in enumerate(prompts, start=1):
        text = prompt.get("template", "")
        digest = hashlib.sha256(text.encode()).hexdigest()
        template = PromptTemplate(
            version=version, name=prompt.get("name", ""), template=text, sha256=digest
        )
        try:
            clean_or_raise(template, exclude=["version"])
        except DomainError as exc:
            raise DomainError(
                field=f"prompt_templates.{exc.field}", message=exc.error_text, row=row
            ) from exc
        templates.append(template)
    return templates


@transaction.atomic
def register_version(
    *,
    actor: User,
    model: MLModel,
    version: str,
    prompt_templates: Sequence[Mapping[str, str]] = (),
    **fields: Any,
) -> ModelVersion:
    """Register a new version of a model; labels are unique per model and never reused."""
    permissions.require(actor, "change", model)
    unknown = set(fields) - set(VERSION_FIELDS)
    if unknown:
        raise DomainError(field=sorted(unknown)[0], message="is not a version field")
    taken = f"{model.slug} already has a version {version!r}"
    if ModelVersion.objects.filter(model=model, version=version).exists():
        raise DomainError(field="version", message=taken)
    _check_external_id(model, fields.get("external_id", ""))
    run = fields.get("training_run")
    if run is not None and run.model_id != model.pk:
        raise DomainError(field="training_run", message=f"run {run.pk} belongs to another model")
    earlier = list(model.versions.values_list("version", flat=True))
    obj = ModelVersion(model=model, version=version, created_by=actor, **fields)
    clean_or_raise(obj)
    _check_llm_fields(model, obj, prompt_templates)
    save_new(obj, field="version", message=taken)
    templates = _prompt_templates(obj, prompt_templates)
    PromptTemplate.objects.bulk_create(templates)
    after = {**audit.snapshot(obj), "prompt_templates": {t.name: t.sha256 for t in templates}}
    audit.record(
        actor=actor, verb="version.registered", target=obj, after=after, mlmodel_id=model.pk
    )
    if reason := material_change.new_major_version(version, earlier):
        assessments.flag_material_change(model=model, reason=reason)
    return obj


def version_with_external_id(model: MLModel, external_id: str) -> ModelVersion | None:
    """The version of `model` that already stands for the tracker's `external_id`, if any."""
    if not external_id:
        return None
    return ModelVersion.objects.filter(model=model, external_id=external_id).first()


def _check_external_id(model: MLModel, external_id: str) -> None:
    # One tracker version is one Attest version: a second label would carry the same evidence
    # twice (its run, its points) and two approvals could cover one artifact.
    holder = version_with_external_id(model, external_id)
    if holder is not None:
        raise DomainError(
            field="external_id",
            message=f"{external_id} is already {model.slug} version {holder.version}: "
            "one external version maps to one Attest version",
        )


@transaction.atomic
def record_training_run(
    *,
    actor: User,
    model: MLModel,
    tracker: str = "",
    external_id: str = "",
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    code_commit: str = "",
    code_author: str = "",
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
    input_datasets: Sequence[DatasetVersion] = (),
) -> TrainingRun:
    """Record a training run of a model and the dataset versions it read."""
    permissions.require(actor, "change", model)
    if (
        external_id
        and TrainingRun.objects.filter(tracker=tracker, external_id=external_id).exists()
    ):
        raise DomainError(
            field="external_id", message=f"{tracker or 'run'} {external_id!r} is already recorded"
        )
    if started_at and finished_at and finished_at < started_at:
        raise DomainError(field="finished_at", message="is before started_at")
    run = TrainingRun(
        model=model,
        tracker=tracker,
        external_id=external_id,
        params=dict(params or {}),
        tags=dict(tags or {}),
        code_commit=code_commit,
        code_author=code_author.strip(),
        started_at=started_at,
        finished_at=finished_at,
        created_by=actor,
    )
    clean_or_raise(run)
    read_before = list(
        DatasetVersion.objects.filter(training_runs__model=model)
        .values_list("dataset__slug", flat=True)
        .distinct()
    )
    run.save()
    run.input_datasets.set(input_datasets)
    audit.record(
        actor=actor, verb="run.recorded", target=run, after=audit.snapshot(run), mlmodel_id=model.pk
    )
    read_now = [dv.dataset.slug for dv in input_datasets]
    if reason := material_change.new_data_sources(read_now, read_before):
        assessments.flag_material_change(model=model, reason=reason)
    return run


@transaction.atomic
def set_aliases(*, actor: User, version: ModelVersion, aliases: Sequence[str]) -> None:
    """Record the tracker's current aliases of a version (e.g. MLflow "champion")."""
    permissions.require(actor, "change", version.model)
    before = {"aliases": version.aliases}
    version.aliases = sorted({a.strip() for a in aliases if a.strip()})
    version.save(update_fields=["aliases"])
    audit.record(
        actor=actor,
        verb="version.aliases_changed",
        target=version,
        before=before,
        after={"aliases": version.aliases},
        mlmodel_id=version.model_id,
    )


@transaction.atomic
def link_training_run(*, actor: User, version: ModelVersion, run: TrainingRun) -> None:
    """Name the run that trained a version registered without one (its lineage); a version's
    run, once known, is never replaced."""
    permissions.require(actor, "change", version.model)
    if run.model_id != version.model_id:
        raise DomainError(field="training_run", message=f"run {run.pk} belongs to another model")
    if version.training_run_id is not None:
        raise DomainError(
            field="training_run", message=f"{version} already names run {version.training_run_id}"
        )
    audit.audited_update(
        actor=actor,
        row=version,
        changes={"training_run": run},
        editable={"training_run"},
        verb="version.run_linked",
        mlmodel_id=version.model_id,
    )
