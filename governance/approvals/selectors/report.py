"""A validation report's stored text, and whether it may still change."""

from governance.approvals.models import ApprovalRequest, SignOff, ValidationReport


def report_of(request: ApprovalRequest) -> ValidationReport:
    """The request's stored report, or an unsaved empty one (nothing written yet)."""
    found = (
        ValidationReport.objects.select_related("signed_with__signer", "edited_by")
        .filter(request=request)
        .first()
    )
    return found if found is not None else ValidationReport(request=request)


def frozen_because(request: ApprovalRequest, report: ValidationReport) -> str:
    """Why the text can no longer change ("" while it can)."""
    signed = report.signed_with if report.is_frozen else first_validator_sign_off(request)
    if signed is not None:
        who = signed.signer.get_full_name() or signed.signer.username
        return (
            f"{who} signed {request.reference} off as validator on {signed.signed_at:%d %b %Y}: "
            "the validation report is frozen as signed"
        )
    if not request.is_open:
        return (
            f"{request.reference} is {request.get_state_display().lower()}: "
            "its validation report can no longer change"
        )
    return ""


def first_validator_sign_off(request: ApprovalRequest) -> SignOff | None:
    """The validator sign-off that froze (or, for one recorded before reports were kept, would
    have frozen) the report's text."""
    found = request.sign_offs.filter(role=SignOff.Role.VALIDATOR).select_related("signer")
    return found.order_by("signed_at", "pk").first()
