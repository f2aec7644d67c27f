"""A validation's records read into plain rows, in words, for `validation.validation_document`.

Callers resolve the request through permissions first. The document is dated by the newest
change among the records it shows, so downloading it twice gives the same content.
"""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db.models import Prefetch, Q

from governance.approvals.models import ApprovalRequest, SignOff, ValidationReport
from governance.approvals.rules.narrative import Narrative
from governance.approvals.selectors import facts as approval_facts
from governance.approvals.selectors import review
from governance.findings.models import Finding
from governance.labels import label_for, value_label
from governance.risk.models import Control, Evidence, Framework
from governance.risk.selectors import status_of
from monitoring.models import (
    LATEST_FIRST,
    DataValidationResult,
    DriftResult,
    EvaluationResult,
    FairnessResult,
)
from registry.models import ModelVersion
from reports.exports import validation
from reports.exports.registers import person
from reports.exports.word import Document

MET = {Control.Status.EVIDENCED, Control.Status.ACCEPTED, Control.Status.WAIVED}


def _subject(request: ApprovalRequest) -> validation.Subject:
    model = request.model
    tier = request.tier or (t.result if (t := approval_facts.tier_of(model)) else "")
    eu = approval_facts.eu_outcome(model)
    return validation.Subject(
        reference=request.reference,
        model=model.name,
        version=request.version.version,
        business_unit=model.business_unit,
        model_type=model.get_model_type_display(),
        intended_purpose=model.intended_purpose,
        owner=person(model.owner),
        tier=label_for(tier) if tier else "Not assessed",
        eu_category=label_for(eu.result) if eu else "Not classified",
        state=request.get_state_display(),
        is_open=request.is_open,
        requested_scope=request.summary,
        requested_by=person(request.requested_by) or "The review scheduler",
        submitted_at=request.submitted_at,
        decided_at=request.decided_at,
        expires_on=request.expires_on,
    )


def _evidence_text(evidence: Iterable[Evidence]) -> str:
    return "; ".join(f"{e.title} ({e.get_kind_display().lower()})" for e in evidence)


def _controls(request: ApprovalRequest) -> list[Control]:
    ordered = Prefetch("evidence", queryset=Evidence.objects.order_by("added_at", "pk"))
    found = Control.objects.filter(model=request.model, applies=True)
    return list(found.prefetch_related(ordered).order_by("framework", "pk"))


def _obligation(control: Control) -> validation.Obligation:
    status = Control.Status(status_of(control))
    return validation.Obligation(
        framework=label_for(control.framework),
        reference=control.reference,
        title=control.title,
        status=status.label,
        met=status in MET,
        evidence=_evidence_text(control.evidence.all()) or "None",
    )


def _metrics(version: ModelVersion) -> tuple[validation.Metric, ...]:
    return tuple(
        validation.Metric(label_for(p.name), p.segment, p.value, p.timestamp)
        for p in review.latest_metrics(version)
    )


def _fairness(result: FairnessResult) -> validation.Check:
    figures = result.summary.get("metrics", {})
    return validation.Check(
        "Fairness", result.source or "Fairness check", result.evaluated_at,
        "Passed" if result.passed else "Failed", value_label(figures),
    )  # fmt: skip


def _drift_verdict(drifted: bool | None) -> str:
    if drifted is None:
        return "Not judged"
    return "Drift detected" if drifted else "No drift"


def _drift(result: DriftResult) -> validation.Check:
    share = result.drift_share
    return validation.Check(
        "Drift", result.tool or "Drift check", result.evaluated_at,
        _drift_verdict(result.dataset_drift),
        f"Share of drifted columns {share:.0%}" if share is not None else "",
    )  # fmt: skip


def _data_validation(result: DataValidationResult) -> validation.Check:
    return validation.Check(
        "Data validation", result.suite, result.evaluated_at,
        "Passed" if result.success else "Failed", f"{len(result.results)} expectations",
    )  # fmt: skip


def _evaluation(result: EvaluationResult) -> validation.Check:
    return validation.Check(
        f"{result.get_kind_display()} evaluation", result.suite, result.evaluated_at,
        f"{result.passed} of {result.cases} cases passed", f"Pass rate {result.pass_rate:.1%}",
    )  # fmt: skip


def _latest_by_name(checks: Iterable[validation.Check]) -> list[validation.Check]:
    """The newest check of each kind and suite (the rows arrive newest first)."""
    seen: dict[tuple[str, str], validation.Check] = {}
    for check in checks:
        seen.setdefault((check.kind, check.name), check)
    return list(seen.values())


def _checks(version: ModelVersion) -> tuple[validation.Check, ...]:
    found = [
        *map(_fairness, FairnessResult.objects.filter(version=version).order_by(*LATEST_FIRST)),
        *map(_drift, DriftResult.objects.filter(version=version).order_by(*LATEST_FIRST)),
        *map(
            _data_validation,
            DataValidationResult.objects.filter(version=version).order_by(*LATEST_FIRST),
        ),
        *map(_evaluation, EvaluationResult.objects.filter(version=version).order_by(*LATEST_FIRST)),
    ]
    return tuple(_latest_by_name(found))


def _findings(request: ApprovalRequest) -> list[Finding]:
    found = Finding.objects.filter(Q(version=request.version) | Q(request=request))
    return list(found.select_related("owner").order_by("pk"))


def _finding(f: Finding) -> validation.FindingRow:
    return validation.FindingRow(
        f.reference, f.title, f.get_severity_display(), f.get_status_display(),
        f.status in Finding.OPEN_STATUSES, person(f.owner), f.due_on, f.resolution,
    )  # fmt: skip


def _conditions(request: ApprovalRequest) -> tuple[validation.ConditionRow, ...]:
    return tuple(
        validation.ConditionRow(
            c.text,
            f"{c.sign_off.get_role_display()}: {person(c.sign_off.signer)}",
            c.due_on,
            f"{c.met_at:%Y-%m-%d} by {person(c.met_by)}" if c.met_at else "Not yet",
        )
        for c in request.conditions.select_related("sign_off__signer", "met_by")
    )


def _sign_off(s: SignOff) -> validation.SignOffRow:
    return validation.SignOffRow(
        s.get_role_display(), person(s.signer), s.get_decision_display(), s.signed_at, s.comment
    )


def _frozen(report: ValidationReport | None) -> validation.Frozen | None:
    signed = report.signed_with if report is not None else None
    if report is None or signed is None:
        return None
    return validation.Frozen(person(signed.signer), signed.signed_at, report.text_sha256)


def _covered(request: ApprovalRequest) -> tuple[validation.Covered, ...]:
    return tuple(
        validation.Covered(
            Framework(a["framework"]).label, a["subject"], label_for(a["result"]), a["rulebook"]
        )
        for a in request.snapshot.get("assessments", [])
    )


def _newest(*moments: Iterable[datetime | None]) -> datetime:
    return max(moment for group in moments for moment in group if moment is not None)


def validation_records(request: ApprovalRequest) -> validation.ValidationRecords:
    """Everything the report shows about one validation request, read now."""
    report = (
        ValidationReport.objects.select_related("signed_with__signer")
        .filter(request=request)
        .first()
    )
    controls, findings = _controls(request), _findings(request)
    sign_offs = list(request.sign_offs.select_related("signer").order_by("signed_at", "pk"))
    metrics = _metrics(request.version)
    checks = _checks(request.version)
    return validation.ValidationRecords(
        subject=_subject(request),
        obligations=tuple(map(_obligation, controls)),
        metrics=metrics,
        checks=checks,
        findings=tuple(map(_finding, findings)),
        conditions=_conditions(request),
        sign_offs=tuple(map(_sign_off, sign_offs)),
        text=report.text() if report is not None else Narrative(),
        frozen=_frozen(report),
        covered=_covered(request),
        snapshot_sha256=request.snapshot_sha256,
        as_of=_newest(
            [request.updated_at, report.edited_at if report else None],
            (s.signed_at for s in sign_offs),
            (f.updated_at for f in findings),
            (c.updated_at for c in controls),
            (e.added_at for c in controls for e in c.evidence.all()),
            (m.at for m in metrics),
            (c.evaluated_at for c in checks),
        ),
        organisation=settings.ATTEST_ORGANISATION,
    )


def validation_report(request: ApprovalRequest) -> Document:
    """The validation report of `request` as a document, for Word and PDF alike."""
    return validation.validation_document(validation_records(request))
