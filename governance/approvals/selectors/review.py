"""What a reviewer reads of one request: its version's metrics, fairness, lineage, findings and files."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from governance import permissions
from governance.approvals.models import ApprovalRequest, Attachment, Gate, SignOff
from governance.approvals.rules import policy
from governance.approvals.selectors import facts as approval_facts
from governance.approvals.selectors import gate
from governance.errors import DomainError
from governance.findings.models import Finding
from governance.rulebooks.content import as_rules
from monitoring.models import LATEST_FIRST, FairnessResult, MetricPoint
from registry.models import Deployment, MLModel, ModelVersion


def request_for_user_or_404(user: User, pk: int) -> ApprovalRequest:
    """The request, 404 when its model is hidden from the user."""
    found = ApprovalRequest.objects.select_related(
        "model", "model__owner", "version", "version__training_run", "requested_by", "submitted_by"
    ).filter(model__in=permissions.models_for(user, "view"))
    return get_object_or_404(found, pk=pk)


def latest_metrics(version: ModelVersion) -> list[MetricPoint]:
    """The newest point of each metric (and segment) reported for the version."""
    newest = MetricPoint.objects.filter(
        version=version, name=OuterRef("name"), segment=OuterRef("segment")
    ).order_by("-timestamp", "-pk")
    return list(
        MetricPoint.objects.filter(version=version, pk=Subquery(newest.values("pk")[:1])).order_by(
            "name", "segment"
        )
    )


def live_in_production(version: ModelVersion) -> ModelVersion | None:
    """The model's version serving in production now, when it is another version than this one:
    the one a candidate is compared with."""
    live = (
        Deployment.objects.live()
        .filter(version__model_id=version.model_id, environment=Deployment.Environment.PRODUCTION)
        .exclude(version=version)
        .select_related("version")
        .order_by("-started_at")
        .first()
    )
    return live.version if live else None


@dataclass(frozen=True)
class MetricBeside:
    """One metric (and segment): the candidate's latest point beside production's."""

    name: str
    segment: str
    candidate: MetricPoint | None
    production: MetricPoint | None


def metrics_beside(candidate: ModelVersion, production: ModelVersion | None) -> list[MetricBeside]:
    """Every metric either version reported, the candidate's latest value beside production's."""
    mine = {(p.name, p.segment): p for p in latest_metrics(candidate)}
    theirs = {(p.name, p.segment): p for p in latest_metrics(production)} if production else {}
    return [
        MetricBeside(name, segment, mine.get((name, segment)), theirs.get((name, segment)))
        for name, segment in sorted(mine.keys() | theirs.keys())
    ]


def latest_fairness(version: ModelVersion) -> FairnessResult | None:
    """The fairness check in force: the latest by the one rule the gate reads too."""
    return FairnessResult.objects.filter(version=version).order_by(*LATEST_FIRST).first()


def open_findings(model: MLModel) -> list[Finding]:
    return list(
        Finding.objects.filter(model=model, status__in=Finding.OPEN_STATUSES).select_related(
            "owner"
        )
    )


def lineage(version: ModelVersion) -> dict[str, Any]:
    """Version -> training run -> the dataset versions it read."""
    run = version.training_run
    datasets = list(run.input_datasets.select_related("dataset")) if run else []
    return {"run": run, "datasets": datasets}


@dataclass(frozen=True)
class GateNow:
    answer: policy.Answer | None
    problem: str = ""
    # Rules still failing that this request's approval would not fix: approving will not open
    # the gate until they pass (said beside the decision form).
    still_closed_by: tuple[policy.RuleResult, ...] = ()


def gate_now(request: ApprovalRequest) -> GateNow | None:
    """For deployment requests: what the gate says for this version and environment now."""
    if request.gate != Gate.DEPLOYMENT:
        return None
    try:
        answer, book = gate.check(request.version, request.environment)
    except DomainError as exc:
        return GateNow(None, exc.error_text)
    rules = as_rules(book.content)
    return GateNow(answer, still_closed_by=tuple(policy.unmet_besides_approval(rules, answer)))


def sign_offs_of(request: ApprovalRequest) -> list[SignOff]:
    return list(request.sign_offs.select_related("signer").prefetch_related("attachments"))


def requests_of(
    user: User, model: MLModel, version: ModelVersion | None = None
) -> list[tuple[ApprovalRequest, tuple[str, ...]]]:
    """A model's (or one version's) requests, newest first, each with why it no longer holds."""
    found = ApprovalRequest.objects.filter(model=model).select_related("version", "model")
    if version is not None:
        found = found.filter(version=version)
    today = timezone.localdate()
    return [(r, approval_facts.lapses_of(r, today)) for r in found]


def attachment_for(user: User, pk: int) -> Attachment | None:
    """A sign-off's stored file, for someone who may see the model (never from MEDIA_URL)."""
    found = Attachment.objects.filter(
        sign_off__request__model__in=permissions.models_for(user)
    ).exclude(file="")
    return found.filter(pk=pk).first()
