"""Attest records that can stand as an obligation's evidence: where each kind is found for a
model, how it reads, and which ones to propose for each obligation. Reads only.

A catalog entry names the kinds that satisfy it (`satisfied_by`); the obligations page proposes
the newest record of each kind the model has, and `controls.link_record` links one.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from governance.approvals.models import ApprovalRequest, Attachment, Gate
from governance.approvals.rules import states
from governance.labels import label_for
from governance.risk.models import Control, Evidence, Framework, RiskAssessment
from governance.risk.selectors import effective_outcome
from monitoring.models import DataValidationResult, DriftResult, FairnessResult, MonitoringPolicy
from registry.models import DatasetVersion, Deployment, MLModel, TrainingRun


@dataclass(frozen=True)
class Record:
    """An Attest record that can stand as an obligation's evidence: its kind, id, what it reads
    as and where it is shown."""

    kind: str
    id: int
    title: str
    url: str


def _when(at: datetime | None) -> str:
    return f"{timezone.localdate(at):%Y-%m-%d}" if at else "undated"


ASSESSMENT_KINDS: dict[str, str] = {
    Framework.SCOPING: "scoping_assessment",
    Framework.TIERING: "tier_assessment",
    Framework.EU_AI_ACT: "eu_assessment",
}


def _assessment(row: RiskAssessment) -> Record:
    kind = ASSESSMENT_KINDS[row.framework]
    outcome = label_for(effective_outcome(row).result)
    title = f"{label_for(kind)} of {row.subject}: {outcome}, {_when(row.valid_from)}"
    page = "model" if row.model is not None else "usecase"
    url = reverse(f"risk:{page}-result-at", args=[row.subject.slug, row.framework, row.pk])
    return Record(kind, row.pk, title, url)


def _assessments(framework: str) -> Callable[[MLModel], QuerySet[RiskAssessment]]:
    def rows(model: MLModel) -> QuerySet[RiskAssessment]:
        found = RiskAssessment.objects.filter(framework=framework)
        subject = (
            {"use_case__models": model} if framework == Framework.EU_AI_ACT else {"model": model}
        )
        return (
            found.filter(**subject)
            .exclude(status=RiskAssessment.Status.DRAFT)
            .select_related("model", "use_case")
            .order_by("-valid_from", "-pk")
        )

    return rows


def _monitoring(model: MLModel) -> str:
    return reverse("monitoring:model-monitoring", args=[model.slug])


def _fairness(row: FairnessResult) -> Record:
    model = row.version.model
    title = f"Fairness check passed for version {row.version.version}, {_when(row.evaluated_at)}"
    return Record("fairness_result", row.pk, title, _monitoring(model))


def _drift(row: DriftResult) -> Record:
    found = (
        ""
        if row.dataset_drift is None
        else (": drift found" if row.dataset_drift else ": no drift")
    )
    title = f"Drift check of version {row.version.version}, {_when(row.evaluated_at)}{found}"
    return Record("drift_result", row.pk, title, _monitoring(row.version.model))


def _data_validation(row: DataValidationResult) -> Record:
    title = (
        f"Data validation “{row.suite}” passed for version {row.version.version}, "
        f"{_when(row.evaluated_at)}"
    )
    return Record("data_validation_result", row.pk, title, _monitoring(row.version.model))


def _policy(row: MonitoringPolicy) -> Record:
    title = f"Monitoring threshold on {row.signal} “{row.measure}”, set {_when(row.updated_at)}"
    return Record("monitoring_policy", row.pk, title, _monitoring(row.model))


def _approval(kind: str) -> Callable[[ApprovalRequest], Record]:
    def describe(row: ApprovalRequest) -> Record:
        where = f" to {row.environment}" if row.environment else ""
        title = (
            f"{row.reference} {row.get_gate_display().lower()} of version {row.version.version}"
            f"{where}, approved {_when(row.decided_at)}"
        )
        return Record(kind, row.pk, title, row.get_absolute_url())

    return describe


def _approvals(gate: str) -> Callable[[MLModel], QuerySet[ApprovalRequest]]:
    def rows(model: MLModel) -> QuerySet[ApprovalRequest]:
        return (
            ApprovalRequest.objects.filter(model=model, gate=gate, state__in=states.APPROVALS)
            .select_related("version")
            .order_by("-decided_at", "-pk")
        )

    return rows


def _report(row: Attachment) -> Record:
    request = row.sign_off.request
    title = f"{row.title} ({request.reference} validation report)"
    return Record(
        "validation_report", row.pk, title, reverse("approvals:attachment-download", args=[row.pk])
    )


def _deployment(row: Deployment) -> Record:
    version = row.version
    title = f"Version {version.version} in {row.environment} from {_when(row.started_at)}"
    url = reverse("registry:version-detail", args=[version.model.slug, version.version])
    return Record("deployment", row.pk, title, url)


def _run(row: TrainingRun) -> Record:
    title = (
        f"Training run {row.external_id or f'#{row.pk}'}, {_when(row.started_at or row.created_at)}"
    )
    return Record("training_run", row.pk, title, "")


def _dataset_version(row: DatasetVersion) -> Record:
    url = reverse("registry:dataset-detail", args=[row.dataset.slug])
    return Record("dataset_version", row.pk, f"Dataset {row}", url)


@dataclass(frozen=True)
class RecordSource:
    """Where one kind of record is found for a model (newest first) and how it reads."""

    rows: Callable[[MLModel], QuerySet[Any]]
    describe: Callable[[Any], Record]


RECORD_SOURCES: dict[str, RecordSource] = {
    "scoping_assessment": RecordSource(_assessments(Framework.SCOPING), _assessment),
    "tier_assessment": RecordSource(_assessments(Framework.TIERING), _assessment),
    "eu_assessment": RecordSource(_assessments(Framework.EU_AI_ACT), _assessment),
    "fairness_result": RecordSource(
        lambda m: (
            FairnessResult.objects.filter(version__model=m, passed=True)
            .select_related("version__model")
            .order_by("-evaluated_at", "-pk")
        ),
        _fairness,
    ),
    "drift_result": RecordSource(
        lambda m: (
            DriftResult.objects.filter(version__model=m)
            .select_related("version__model")
            .order_by("-evaluated_at", "-pk")
        ),
        _drift,
    ),
    "data_validation_result": RecordSource(
        lambda m: (
            DataValidationResult.objects.filter(version__model=m, success=True)
            .select_related("version__model")
            .order_by("-evaluated_at", "-pk")
        ),
        _data_validation,
    ),
    "monitoring_policy": RecordSource(
        lambda m: (
            MonitoringPolicy.objects.filter(model=m, enabled=True)
            .select_related("model")
            .order_by("-updated_at", "-pk")
        ),
        _policy,
    ),
    "validation_approval": RecordSource(
        _approvals(Gate.VALIDATION), _approval("validation_approval")
    ),
    "validation_report": RecordSource(
        lambda m: (
            Attachment.objects.filter(
                sign_off__request__model=m,
                sign_off__request__gate=Gate.VALIDATION,
                sign_off__request__state__in=states.APPROVALS,
            )
            .select_related("sign_off__request")
            .order_by("-sign_off__request__decided_at", "-pk")
        ),
        _report,
    ),
    "deployment_approval": RecordSource(
        _approvals(Gate.DEPLOYMENT), _approval("deployment_approval")
    ),
    "deployment": RecordSource(
        lambda m: (
            Deployment.objects.filter(version__model=m)
            .select_related("version__model")
            .order_by("-started_at", "-pk")
        ),
        _deployment,
    ),
    "training_run": RecordSource(
        lambda m: TrainingRun.objects.filter(model=m).order_by("-created_at", "-pk"), _run
    ),
    "dataset_version": RecordSource(
        lambda m: (
            DatasetVersion.objects.filter(training_runs__model=m)
            .select_related("dataset")
            .distinct()
            .order_by("-created_at", "-pk")
        ),
        _dataset_version,
    ),
}


def record_of(model: MLModel, kind: str, record_id: int) -> Record | None:
    """One record of the model that may stand as evidence; None if the model has no such one."""
    source = RECORD_SOURCES.get(kind)
    row = source.rows(model).filter(pk=record_id).first() if source else None
    return source.describe(row) if source and row is not None else None


def latest_records(model: MLModel, kinds: Iterable[str]) -> dict[str, Record]:
    """The newest record of each kind the model has (kinds it has none of are left out)."""
    found = {}
    for kind in sorted(set(kinds) & set(RECORD_SOURCES)):
        source = RECORD_SOURCES[kind]
        row = source.rows(model).first()
        if row is not None:
            found[kind] = source.describe(row)
    return found


def proposed_records(model: MLModel, controls: Iterable[Control]) -> dict[int, list[Record]]:
    """Per obligation (by control pk), the records Attest proposes as its evidence: the newest
    of each kind its catalog entry names, unless it is linked already."""
    controls = list(controls)
    latest = latest_records(model, (kind for c in controls for kind in c.satisfied_by))
    linked = set(
        Evidence.objects.filter(control__in=controls, kind=Evidence.Kind.RECORD).values_list(
            "control_id", "record_type", "record_id"
        )
    )
    return {
        control.pk: [
            record
            for kind in control.satisfied_by
            if (record := latest.get(kind)) is not None
            and (control.pk, record.kind, str(record.id)) not in linked
        ]
        for control in controls
    }
