"""Downloads: registers as CSV or XLSX, model documentation as DOCX, validation reports as DOCX
and PDF; the validation report's page, where the validator edits its text until signing off.

Thin views. The registers start from what the reader may see, and a document about a model the
reader may not see is a 404, as its page is. Downloads are reads: no audit event.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from governance import permissions, tables, ui
from governance.approvals.models import ApprovalRequest, Gate
from governance.approvals.selectors import report as report_reads
from governance.approvals.selectors import review
from governance.approvals.services import report as report_text
from reports.exports import documents, pdf, registers, validation_records, word
from reports.exports.forms import ValidationTextForm

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _download(body: bytes, name: str, fmt: str) -> HttpResponse:
    """The file as an attachment named attest-<name>-<today>.<fmt>."""
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    filename = f"attest-{name}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    """Every register with its CSV and XLSX downloads, and how to fetch the Word documents."""
    return render(request, "reports/exports/list.html", {"registers": registers.REGISTERS})


@login_required
def register_export(request: HttpRequest, register: str, fmt: str) -> HttpResponse:
    """One register, filtered by the same query parameters as its page, as CSV or XLSX."""
    found = registers.BY_KEY[register]
    table = found.read(permissions.actor(request), request.GET, timezone.localdate())
    if fmt == "csv":
        body = tables.to_csv(table.rows, table.columns)
    else:
        body = tables.to_xlsx(table.rows, table.columns, found.title)
    return _download(body, register, fmt)


@login_required
def model_documentation(request: HttpRequest, slug: str) -> HttpResponse:
    model = permissions.model_for_user_or_404(request.user, slug)
    body = word.to_docx(documents.model_documentation(model))
    return _download(body, f"{model.slug}-documentation", "docx")


def _validation(request: HttpRequest, pk: int) -> ApprovalRequest:
    """The validation request, 404 when its model is hidden or it is another kind of request."""
    subject = review.request_for_user_or_404(permissions.actor(request), pk)
    if subject.gate != Gate.VALIDATION:
        raise Http404("Validation reports are for validation requests.")
    return subject


@login_required
def validation_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The validation report as Word or PDF, drawn from the records now."""
    subject = _validation(request, pk)
    document = validation_records.validation_report(subject)
    body = word.to_docx(document) if fmt == "docx" else pdf.to_pdf(document)
    return _download(body, f"{subject.reference}-validation-report", fmt)


@login_required
def validation_report_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's downloads for every reader; its text form for the validator until signed."""
    subject = _validation(request, pk)
    user = permissions.actor(request)
    stored = report_reads.report_of(subject)
    frozen = report_reads.frozen_because(subject, stored)
    may_edit = permissions.can(user, "validate", subject.model)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied(f"Only the validator of {subject.model} edits this report.")
    posted = request.POST if request.method == "POST" else None
    form = ValidationTextForm(posted, initial=vars(stored.text()), auto_id="report_%s")
    saved = ui.submit(
        form,
        lambda: report_text.edit_validation_report(
            actor=user, request=subject, text=form.narrative()
        ),
    )
    if saved is not None:
        messages.success(request, "The validation report's text is saved.")
        return redirect("reports:validation-report-page", pk=subject.pk)
    written = [(form[name].label, getattr(stored, name)) for name in form.fields]
    context = {
        "subject": subject, "stored": stored, "frozen": frozen, "may_edit": may_edit, "form": form,
        "written": written,
    }  # fmt: skip
    return render(
        request, "reports/exports/validation_report.html", context, status=400 if posted else 200
    )
