"""Pushes from pipelines: bulk metric points and bundles from any tracker, all or nothing."""

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pandas as pd
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from governance import audit, permissions
from governance.errors import DomainError
from monitoring.ingest import frames
from monitoring.ingest.bundle import (
    Bundle,
    DatasetVersionRef,
    DataValidation,
    DriftCheck,
    Evaluation,
    MetricColumns,
    Run,
    VersionInfo,
)
from monitoring.ingest.errors import BadInput
from monitoring.ingest.verdicts import fairness_passed
from monitoring.models import (
    DataValidationResult,
    DriftResult,
    EvaluationResult,
    IngestionBatch,
    MetricDefinition,
)
from monitoring.services import batches, health, point_store
from monitoring.services.results import record_fairness_result
from registry.models import Dataset, DatasetVersion, MLModel, ModelVersion, TrainingRun
from registry.services import data as datasets
from registry.services import versions

# The field of the refusal that a push conflicts with a registered version (the API's 409).
EXTERNAL_ID_FIELD = "version.external_id"


@contextmanager
def domain_errors(prefix: str = "") -> Iterator[None]:
    """Turn an adapter's or parser's BadInput into the DomainError every caller handles."""
    try:
        yield
    except BadInput as exc:
        field = f"{prefix}.{exc.field}" if prefix else exc.field
        raise DomainError(field=field, message=exc.message, row=exc.row) from exc


@transaction.atomic
def ingest_metrics(
    *,
    actor: User,
    version: ModelVersion,
    frame: pd.DataFrame,
    batch: IngestionBatch | None = None,
) -> int:
    """Check every point column-wise, then store them all (COPY on PostgreSQL), or none; then
    judge the model against its thresholds when this version serves production."""
    stored = _store_metrics(actor, version, frame, batch)
    health.check_version(version)
    return stored


def _store_metrics(
    actor: User,
    version: ModelVersion,
    frame: pd.DataFrame,
    batch: IngestionBatch | None,
) -> int:
    permissions.require(actor, "change", version.model)
    known = MetricDefinition.objects.filter(model_id=version.model_id)
    with domain_errors():
        checked = frames.validate(
            frame,
            now=timezone.now(),
            future_tolerance=timedelta(seconds=settings.ATTEST_FUTURE_TOLERANCE_SECONDS),
            known_names=set(known.values_list("name", flat=True)),
        )
    stored = point_store.write(checked, version_id=version.pk, batch_id=batch.pk if batch else None)
    names = sorted(checked["name"].unique().tolist())
    audit.record(
        actor=actor,
        verb="metrics.ingested",
        target=version,
        after={
            "points": stored,
            "names": names[:50],
            "from": checked["timestamp"].min().isoformat(),
            "to": checked["timestamp"].max().isoformat(),
            "batch": batch.pk if batch else None,
        },
        mlmodel_id=version.model_id,
    )
    batches.tally(batch, version, metric_points=stored)
    return stored


def metric_frame(columns: MetricColumns) -> pd.DataFrame:
    data: dict[str, list[Any]] = {
        "name": columns.name,
        "value": columns.value,
        "timestamp": columns.timestamp,
    }
    if columns.step:
        data["step"] = columns.step
    if columns.segment:
        data["segment"] = columns.segment
    return pd.DataFrame(data)


# --- bundles --------------------------------------------------------------------------------


@transaction.atomic
def push_bundle(
    *,
    actor: User,
    model: MLModel,
    version: str,
    bundle: Bundle,
    batch: IngestionBatch | None = None,
) -> ModelVersion:
    """Everything one tracker push holds, registered and recorded against `version`.

    Datasets, the run and the version are upserts keyed by their external ids, so pushing the
    same run twice records it once; results and metric points are new records each push.
    """
    permissions.require(actor, "change", model)
    for i, ref in enumerate(bundle.datasets):
        _dataset_version(actor, ref, f"datasets[{i}]")
    run = _run(actor, model, bundle.run) if bundle.run else None
    target = _version(actor, model, version, bundle, run)
    if len(bundle.metrics):
        with domain_errors("metrics"):
            frame = metric_frame(bundle.metrics)
        _store_metrics(actor, target, frame, batch)
    for check in bundle.fairness:
        summary = {
            "sensitive": check.sensitive_features,
            "metrics": check.metrics,
            "overall": check.overall,
            "by_group": [vars(g) for g in check.by_group],
            "limits": settings.ATTEST_FAIRNESS_LIMITS,
        }
        passed = check.passed
        if passed is None:
            passed = fairness_passed(check.metrics, settings.ATTEST_FAIRNESS_LIMITS)
        record_fairness_result(
            actor=actor,
            version=target,
            passed=passed,
            summary=summary,
            evaluated_at=check.evaluated_at,
            source=bundle.source,
            batch=batch,
        )
    _record_results(actor, target, bundle, batch)
    counts = bundle.counts()
    counts.pop("metric_points", None)  # _store_metrics tallied those
    batches.tally(batch, target, **counts)
    health.check_version(target)
    return target


def _dataset_version(actor: User, ref: DatasetVersionRef, path: str) -> DatasetVersion:
    """The registered dataset version, registered now when it is new; hashes must agree."""
    dataset = Dataset.objects.filter(slug=ref.dataset).first()
    if dataset is None:
        dataset = datasets.register_dataset(
            actor=actor, slug=ref.dataset, name=ref.name or ref.dataset
        )
    found = DatasetVersion.objects.filter(dataset=dataset, version=ref.version).first()
    if found is None:
        return datasets.register_dataset_version(
            actor=actor,
            dataset=dataset,
            version=ref.version,
            uri=ref.uri or f"{ref.dataset}@{ref.version}",
            content_sha256=ref.content_sha256,
            external_ref=ref.external_ref,
            row_count=ref.row_count,
            schema=ref.schema,
        )
    for field in ("content_sha256", "external_ref"):
        pushed, kept = getattr(ref, field), getattr(found, field)
        if pushed and kept and pushed != kept:
            raise DomainError(
                field=f"{path}.{field}",
                message=f"{ref.dataset} {ref.version} is registered with {field} {kept}, "
                f"not {pushed}: dataset versions are immutable, push a new version label",
            )
    return found


def _run(actor: User, model: MLModel, run: Run) -> TrainingRun:
    """Upsert on tracker + external id: a retried or re-pushed run is the same run."""
    if not run.external_id:
        raise DomainError(field="run.external_id", message="required: the tracker's run id")
    found = TrainingRun.objects.filter(tracker=run.tracker, external_id=run.external_id).first()
    if found is not None:
        if found.model_id != model.pk:
            raise DomainError(
                field="run.external_id",
                # The other model may be one the caller cannot see: it is not named.
                message=f"{run.tracker} run {run.external_id} belongs to another model",
            )
        return found
    inputs = [
        _dataset_version(actor, ref, f"run.input_datasets[{i}]")
        for i, ref in enumerate(run.input_datasets)
    ]
    return versions.record_training_run(
        actor=actor,
        model=model,
        tracker=run.tracker,
        external_id=run.external_id,
        params=run.params,
        tags=run.tags,
        code_commit=run.code_commit,
        code_author=run.code_author,
        started_at=run.started_at,
        finished_at=run.finished_at,
        input_datasets=inputs,
    )


def _version(
    actor: User, model: MLModel, label: str, bundle: Bundle, run: TrainingRun | None
) -> ModelVersion:
    found = ModelVersion.objects.filter(model=model, version=label).select_related("model").first()
    info = bundle.version
    if info is not None:
        _check_external_id(model, label, found, info.external_id)
    if found is None:
        if info is None and run is None:
            raise DomainError(
                field="version",
                message=f"{model.slug} has no version {label!r}; register it or push its run",
            )
        return versions.register_version(
            actor=actor, model=model, version=label, **_version_fields(bundle, info, run)
        )
    if info is not None and info.aliases and sorted(set(info.aliases)) != found.aliases:
        versions.set_aliases(actor=actor, version=found, aliases=info.aliases)
    if run is not None and found.training_run_id is None:
        # e.g. a DVC pipeline pushed for a version registered by hand: its lineage is now known
        versions.link_training_run(actor=actor, version=found, run=run)
    return found


def _check_external_id(
    model: MLModel, label: str, found: ModelVersion | None, external_id: str
) -> None:
    """One tracker version is one Attest version, both ways (a 409 in the API: it conflicts
    with what is registered, it is not malformed)."""
    holder = versions.version_with_external_id(model, external_id)
    if holder is not None and holder.version != label:
        raise DomainError(
            field=EXTERNAL_ID_FIELD,
            message=f"{external_id} is already {model.slug} version {holder.version}: one "
            f"external version maps to one Attest version; push it to {holder.version}",
        )
    if found is not None and found.external_id and external_id and found.external_id != external_id:
        raise DomainError(
            field=EXTERNAL_ID_FIELD,
            message=f"{model.slug} version {label} is {found.external_id}, not {external_id}: "
            "push the new tracker version under a new label",
        )


def _version_fields(
    bundle: Bundle, info: VersionInfo | None, run: TrainingRun | None
) -> dict[str, Any]:
    fields: dict[str, Any] = {"training_run": run}
    tracker = run.tracker if run else bundle.source
    if tracker in ModelVersion.Tracker.values:
        fields["source_tracker"] = tracker
    if info is not None:
        fields.update(
            artifact_uri=info.artifact_uri,
            artifact_sha256=info.artifact_sha256,
            framework=info.framework,
            external_id=info.external_id,
            aliases=list(info.aliases),
        )
    return fields


def _not_future(when: Any, field: str) -> None:
    if when > timezone.now() + timedelta(seconds=settings.ATTEST_FUTURE_TOLERANCE_SECONDS):
        raise DomainError(field=field, message=f"{when.isoformat()} is in the future")


def _drift_fields(actor: User, check: DriftCheck, path: str) -> dict[str, Any]:
    if check.drift_share is not None and not 0 <= check.drift_share <= 1:
        raise DomainError(field=f"{path}.drift_share", message="must be between 0 and 1")
    return {
        "reference": check.reference,
        "dataset_drift": check.dataset_drift,
        "drift_share": check.drift_share,
        "columns": [vars(c) for c in check.columns],
        "tests": check.tests,
    }


def _validation_fields(actor: User, check: DataValidation, path: str) -> dict[str, Any]:
    dataset = check.dataset and _dataset_version(actor, check.dataset, f"{path}.dataset")
    return {
        "suite": check.suite,
        "success": check.success,
        "dataset_version": dataset,
        "results": [vars(r) for r in check.results],
        "statistics": check.statistics,
    }


def _evaluation_fields(actor: User, evaluation: Evaluation, path: str) -> dict[str, Any]:
    _check_evaluation(evaluation, path)
    return {
        "suite": evaluation.suite,
        "kind": evaluation.kind,
        "cases": evaluation.cases,
        "passed": evaluation.passed,
        "cost_per_request": evaluation.cost_per_request,
        "tokens_per_request": evaluation.tokens_per_request,
        "metrics": evaluation.metrics,
    }


# bundle field: (result model, its fields from one item, audit verb, fields the event shows)
ResultModel = type[DriftResult | DataValidationResult | EvaluationResult]
RESULT_KINDS: dict[str, tuple[ResultModel, Callable[..., dict[str, Any]], str, tuple[str, ...]]] = {
    "drift": (DriftResult, _drift_fields, "drift.recorded", ("dataset_drift", "drift_share")),
    "data_validation": (
        DataValidationResult,
        _validation_fields,
        "data_validation.recorded",
        ("suite", "success", "dataset_version"),
    ),
    "evaluations": (
        EvaluationResult,
        _evaluation_fields,
        "evaluation.recorded",
        ("suite", "kind", "cases", "passed"),
    ),
}


def _record_results(
    actor: User, version: ModelVersion, bundle: Bundle, batch: IngestionBatch | None
) -> None:
    """Drift, data-validation and evaluation results: checked, stored, audited one by one."""
    for kind, (result_model, fields_of, verb, shown) in RESULT_KINDS.items():
        for i, item in enumerate(getattr(bundle, kind)):
            path = f"{kind}[{i}]"
            _not_future(item.evaluated_at, f"{path}.evaluated_at")
            result = result_model.objects.create(
                version=version,
                evaluated_at=item.evaluated_at,
                tool=getattr(item, "tool", "") or bundle.source,
                batch=batch,
                recorded_by=actor,
                **fields_of(actor, item, path),
            )
            audit.record(
                actor=actor,
                verb=verb,
                target=result,
                after=audit.snapshot(result, ["version", "evaluated_at", "tool", *shown]),
                mlmodel_id=version.model_id,
            )


def _check_evaluation(evaluation: Evaluation, path: str) -> None:
    kinds = EvaluationResult.Kind.values
    if evaluation.kind not in kinds:
        raise DomainError(field=f"{path}.kind", message=f"must be one of {', '.join(kinds)}")
    if evaluation.cases < 1:
        raise DomainError(field=f"{path}.cases", message="must be at least 1")
    if not 0 <= evaluation.passed <= evaluation.cases:
        raise DomainError(field=f"{path}.passed", message="must be between 0 and cases")
    for field in ("cost_per_request", "tokens_per_request"):
        value = getattr(evaluation, field)
        if value is not None and value < 0:
            raise DomainError(field=f"{path}.{field}", message="must not be negative")


def record_metrics(
    *, actor: User, version: ModelVersion, points: Sequence[Mapping[str, Any]]
) -> int:
    """Points given as Python mappings (demo data, tests) through the same checks and store."""
    return ingest_metrics(actor=actor, version=version, frame=pd.DataFrame.from_records(points))
