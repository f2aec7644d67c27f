"""The validator's text in a validation report: edited until a validator signs off, then frozen.

The document itself is drawn from the records (`reports.exports`); what is stored here is only
what a person wrote. Who edits: the model's validator (RACI validation Responsible or
Accountable), while the validation is open and no validator has signed it off.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from governance import audit, permissions
from governance.approvals.models import ApprovalRequest, Gate, SignOff, ValidationReport
from governance.approvals.rules import narrative
from governance.approvals.selectors.report import frozen_because, report_of
from governance.errors import DomainError


def _require_editable(actor: User, request: ApprovalRequest, report: ValidationReport) -> None:
    if request.gate != Gate.VALIDATION:
        raise DomainError(field="request", message="only a validation has a validation report")
    permissions.require(actor, "validate", request.model)
    why = frozen_because(request, report)
    if why:
        raise DomainError(field="report", message=why)


@transaction.atomic
def edit_validation_report(
    *, actor: User, request: ApprovalRequest, text: narrative.Narrative
) -> ValidationReport:
    """Store the validator's scope, notes and conclusion; audited with what changed."""
    request = ApprovalRequest.objects.select_for_update().select_related("model").get(pk=request.pk)
    report = report_of(request)
    _require_editable(actor, request, report)
    changes = {name: getattr(narrative.cleaned(text), name) for name in narrative.FIELDS}
    before = report.text()
    if report.pk is not None and before == narrative.Narrative(**changes):
        return report
    report.edited_by, report.edited_at = actor, timezone.now()
    audit.audited_update(
        actor=actor,
        row=report,
        changes=changes,
        editable=narrative.FIELDS,
        verb="validation_report.edited",
        mlmodel_id=request.model_id,
        view=lambda row: audit.snapshot(row, narrative.FIELDS),
    )
    return report


def freeze_validation_report(*, request: ApprovalRequest, sign: SignOff) -> ValidationReport | None:
    """Inside `workflow.sign_off`: the first validator sign-off of a validation freezes the text
    (kept with the sign-off and its SHA-256); later sign-offs change nothing."""
    if request.gate != Gate.VALIDATION or sign.role != SignOff.Role.VALIDATOR:
        return None
    report = report_of(request)
    if report.is_frozen:
        return None
    report.signed_with, report.text_sha256 = sign, narrative.text_sha256(report.text())
    report.save()
    audit.record(
        actor=sign.signer,
        verb="validation_report.frozen",
        target=report,
        after={"sign_off": sign.pk, "text_sha256": report.text_sha256},
        mlmodel_id=request.model_id,
    )
    return report
