"""Governance UI: the audit log, and how an audit event's changes are shown."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from governance import permissions
from governance.auditlog.changes import Change, changes_of
from governance.auditlog.models import AuditEvent
from governance.labels import action_label
from registry.models import MLModel

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class EventRow:
    """An audit event with its before/after values paired up by field, ready to display."""

    event: AuditEvent
    changes: list[Change]
    model: MLModel | None = None


def event_rows(
    events: Iterable[AuditEvent], models: Mapping[int, MLModel] | None = None
) -> list[EventRow]:
    """Events ready to show; `models` links each event to its inventory model, if given."""
    events, models = list(events), models or {}
    return [
        EventRow(event, changes, models.get(event.mlmodel_id or 0))
        for event, changes in zip(events, changes_of(events), strict=True)
    ]


def _distinct(field: str, shown: Callable[[str], str] = str) -> list[tuple[str, str]]:
    values = AuditEvent.objects.order_by(field).values_list(field, flat=True).distinct()
    return [("", "Any"), *((value, shown(value)) for value in values)]


class AuditFilterForm(forms.Form):
    """Narrow the audit log to one verb and/or one actor."""

    verb = forms.ChoiceField(required=False, widget=forms.Select(attrs={"class": "form-select"}))
    actor = forms.ChoiceField(required=False, widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["verb"]).choices = _distinct("verb", action_label)
        cast(forms.ChoiceField, self.fields["actor"]).choices = _distinct("actor_name")

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if not self.is_valid():
            return events
        if self.cleaned_data["verb"]:
            events = events.filter(verb=self.cleaned_data["verb"])
        if self.cleaned_data["actor"]:
            events = events.filter(actor_name=self.cleaned_data["actor"])
        return events


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every recorded change, newest first; auditors and administrators only."""
    permissions.require_globally(request.user, "view_audit")
    form = AuditFilterForm(request.GET)
    page = Paginator(form.filter(AuditEvent.objects.order_by("-seq")), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    models = permissions.models_for(request.user).filter(pk__in=[e.mlmodel_id for e in page])
    rows = event_rows(page, {model.pk: model for model in models})
    return render(
        request, "governance/auditlog/log.html", {"form": form, "page": page, "rows": rows}
    )
