"""Rulebook pages: every version by kind, one version with its impact, drafting and publishing.

Reading needs the audit log right or the rulebook right; drafting and publishing need
`edit_rulebooks` (administrators), and the services check again. A refused change is shown on
the page with what was typed.
"""

from collections.abc import Callable, Sequence
from typing import Any

import yaml
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from governance import permissions, ui
from governance.access.models import RequestState
from governance.errors import DomainError
from governance.forms import BootstrapForm, DecisionForm
from governance.risk.models import RiskAssessment
from governance.risk.services import assessments
from governance.rulebooks import services as rulebooks
from governance.rulebooks.content import as_rules
from governance.rulebooks.models import Publication, Rulebook


def _require_read(user: permissions.Visitor) -> None:
    if not permissions.can_read_rulebooks(user):
        raise PermissionDenied(f"{user} may not read the rulebooks")


def _in_force_ids() -> set[int]:
    """The version in force today: per kind for the rules assessments run, per catalog otherwise.

    Scoping, EU AI Act and tiering assessments take whichever version of the kind is in force
    (`assessments._rulebook`); obligation catalogs apply one per framework (`controls._catalogs`).
    """
    ids = set()
    for kind in Rulebook.Kind.values:
        names: Sequence[str | None] = [None]
        if kind == Rulebook.Kind.OBLIGATIONS:
            names = sorted(set(Rulebook.objects.filter(kind=kind).values_list("name", flat=True)))
        for name in names:
            try:
                ids.add(Rulebook.objects.in_force(kind, name).pk)
            except DomainError:
                continue
    return ids


def as_yaml(book: Rulebook) -> str:
    """The content as the shipped files read: dates unquoted (they are stored as ISO strings)."""
    content = as_rules(book.content)
    return yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=100)


# ---- List and detail ----------------------------------------------------------------------------


@login_required
def rulebook_list(request: HttpRequest) -> HttpResponse:
    _require_read(request.user)
    books = Rulebook.objects.select_related("published_by", "corrects")
    in_force = _in_force_ids()
    corrected = set(
        Rulebook.objects.filter(
            status=Rulebook.Status.PUBLISHED, corrects__isnull=False
        ).values_list("corrects_id", flat=True)
    )
    groups = []
    for kind, title in Rulebook.Kind.choices:
        rows = [
            (book, book.pk in in_force, book.pk in corrected) for book in books if book.kind == kind
        ]
        groups.append({"kind": kind, "title": title, "rows": rows})
    return render(
        request,
        "governance/rulebooks/list.html",
        {"groups": groups, "can_edit": permissions.can_globally(request.user, "edit_rulebooks")},
    )


def _detail_context(request: HttpRequest, book: Rulebook) -> dict[str, Any]:
    context: dict[str, Any] = {
        "book": book,
        "content_yaml": as_yaml(book),
        "in_force": book.pk in _in_force_ids(),
        "can_edit": permissions.can_globally(request.user, "edit_rulebooks"),
        "is_catalog": book.kind == Rulebook.Kind.OBLIGATIONS,
        "publications": book.publications.select_related("requested_by", "decided_by"),
        "pending": book.publications.filter(state=RequestState.REQUESTED).first(),
        "can_decide": permissions.can_globally(request.user, "publish_rulebooks"),
        "decision_form": DecisionForm(auto_id="pub_%s"),
        "preview": None,
        "preview_error": "",
        "today": timezone.localdate(),
        "correction": book.correction if book.is_published else None,
        "facts": book.content.get("facts", []),
    }
    if not book.is_published:
        try:
            context["preview"] = assessments.preview(book)
        except DomainError as exc:
            context["preview_error"] = str(exc)
    return context


@login_required
def rulebook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_read(request.user)
    book = get_object_or_404(Rulebook.objects.select_related("published_by", "created_by"), pk=pk)
    return render(request, "governance/rulebooks/detail.html", _detail_context(request, book))


# ---- Publishing ---------------------------------------------------------------------------------


def _published_message(book: Rulebook, preview_rows: int) -> str:
    if book.effective_from > timezone.localdate():
        return (
            f"{book} is published; it takes effect on {book.effective_from:%-d %B %Y}, "
            "when what it changes is re-derived."
        )
    if book.kind == Rulebook.Kind.OBLIGATIONS:
        return f"{book} is published; {preview_rows} model checklist(s) changed."
    rederived = RiskAssessment.objects.filter(rulebook=book).exclude(
        status=RiskAssessment.Status.DRAFT
    )
    count = rederived.count()
    return f"{book} is published; {count} assessment{'' if count == 1 else 's'} re-derived."


@login_required
@require_POST
def rulebook_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the draft to be published; a second person holding the publish right decides."""
    permissions.require_globally(request.user, "edit_rulebooks")
    book = get_object_or_404(Rulebook, pk=pk)
    try:
        rulebooks.request_publication(
            actor=permissions.actor(request), draft=book, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        context = _detail_context(request, Rulebook.objects.get(pk=pk))
        context["publish_error"] = exc.error_text
        return render(request, "governance/rulebooks/detail.html", context, status=400)
    messages.success(
        request,
        f"Publishing {book} is asked for: a second person holding the publish right decides.",
    )
    return redirect("rulebooks:detail", pk=book.pk)


@login_required
@require_POST
def publication_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The second person publishes the version (re-deriving what it changes) or refuses it."""
    publication = get_object_or_404(Publication.objects.select_related("rulebook"), pk=pk)
    book = publication.rulebook
    form = DecisionForm(request.POST, auto_id="pub_%s")
    rows = 0 if book.is_published else len(assessments.preview(book))
    done = ui.submit(
        form,
        lambda: rulebooks.decide_publication(
            actor=permissions.actor(request),
            publication=publication,
            grant=form.granted,
            reason=form.cleaned_data["reason"],
        ),
    )
    if done is None:
        publication.refresh_from_db()
        if not publication.is_pending:  # decided meanwhile: no decision form left to show it on
            ui.report_errors(request, form, "Nothing changed")
            return redirect("rulebooks:detail", pk=book.pk)
        context = _detail_context(request, Rulebook.objects.get(pk=book.pk))
        context["decision_form"] = form
        return render(request, "governance/rulebooks/detail.html", context, status=400)
    book.refresh_from_db()
    if done.state == RequestState.GRANTED:
        messages.success(request, _published_message(book, rows))
    else:
        messages.success(request, f"Publishing {book} is refused.")
    return redirect("rulebooks:detail", pk=book.pk)


# ---- Drafting a new version ---------------------------------------------------------------------


class DraftForm(BootstrapForm):
    content = forms.CharField(
        label="Content (YAML)",
        widget=forms.Textarea(
            attrs={
                "rows": 30,
                "spellcheck": "false",
                "class": "font-monospace",
                "aria-describedby": "content-help",
            }
        ),
        help_text="The new version's content. Its version number is assigned when it is drafted.",
        strip=False,
    )

    def __init__(self, *args: Any, base: Rulebook, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base = base

    def clean_content(self) -> dict[str, Any]:
        text = self.cleaned_data["content"]
        try:
            parsed = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise forms.ValidationError(f"Not valid YAML: {where}{problem}") from exc
        if not isinstance(parsed, dict):
            raise forms.ValidationError("The content must be a YAML mapping (key: value lines).")
        return parsed

    def form_field_for(self, error_field: str) -> str | None:
        return "content"  # every refusal from drafting is about the content


class CorrectionForm(DraftForm):
    reason = forms.CharField(
        label="What the correction corrects, and on what source",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the version, shown wherever it is cited, and audited.",
    )
    field_order = ["reason", "content"]

    def form_field_for(self, error_field: str) -> str | None:
        return "reason" if error_field == "correction_reason" else "content"


Draft = Callable[[User, Rulebook, dict[str, Any]], Rulebook]


def _draft_page(
    request: HttpRequest, pk: int, form_class: type[DraftForm], draft: Draft, **context: Any
) -> HttpResponse:
    """A new version or a correction, from a published one's content: refused changes are
    shown with what was typed, a draft made opens its page to check its impact."""
    permissions.require_globally(request.user, "edit_rulebooks")
    base = get_object_or_404(Rulebook, pk=pk)
    if request.method == "POST":
        form = form_class(request.POST, base=base)
        if form.is_valid():
            try:
                made = draft(permissions.actor(request), base, form.cleaned_data)
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, f"{made} is drafted. Check its impact, then publish.")
                return redirect("rulebooks:detail", pk=made.pk)
    else:
        form = form_class(initial={"content": as_yaml(base)}, base=base)
    return render(
        request, "governance/rulebooks/draft.html", {"base": base, "form": form, **context}
    )


@login_required
def rulebook_draft(request: HttpRequest, pk: int) -> HttpResponse:
    return _draft_page(
        request,
        pk,
        DraftForm,
        lambda actor, base, given: rulebooks.draft_version(
            actor=actor, base=base, changes=given["content"]
        ),
    )


@login_required
def rulebook_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft a correction of a published version: possibly back-dated, with its reason."""
    return _draft_page(
        request,
        pk,
        CorrectionForm,
        lambda actor, base, given: rulebooks.draft_correction(
            actor=actor, base=base, changes=given["content"], reason=given["reason"]
        ),
        correcting=True,
    )
