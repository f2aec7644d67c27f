"""Downloads: registers as CSV or XLSX, model documentation and validation reports as DOCX.

Thin views. The registers start from what the reader may see, and a document about a model the
reader may not see is a 404, as its page is. Downloads are reads: no audit event.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from governance import permissions, tables
from governance.approvals.models import Gate
from governance.approvals.selectors import review
from reports.exports import documents, registers, word

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
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


@login_required
def validation_report(request: HttpRequest, pk: int) -> HttpResponse:
    subject = review.request_for_user_or_404(permissions.actor(request), pk)
    if subject.gate != Gate.VALIDATION:
        raise Http404("Validation reports are for validation requests.")
    body = word.to_docx(documents.validation_report(subject))
    return _download(body, f"{subject.reference}-validation-report", "docx")
