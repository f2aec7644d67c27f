"""Findings register and detail, policy exceptions register, revalidation flags.

Function views: resolve through permissions (hidden model: 404), parse a form, call one
findings service; a refusal goes back onto the form field it names, an action the user may not
take is a 403 from the service.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from governance import permissions, ui
from governance.findings import selectors
from governance.findings import services as findings
from governance.findings.forms import (
    AcceptRiskForm,
    ClearRevalidationForm,
    CloseForm,
    ExceptionForm,
    FindingFilterForm,
    FindingForm,
    RemediationForm,
    RevalidationForm,
)
from governance.findings.models import Finding, PolicyException, RevalidationFlag
from governance.forms import BootstrapForm
from governance.risk.selectors import deciders_for

PAGE_SIZE = 50


def _can_raise(user: Any, model: Any) -> bool:
    return permissions.can(user, "validate", model) or permissions.can(user, "decide", model)


def _form_page(
    request: HttpRequest, form: BootstrapForm, model: Any, heading: str, button: str, intro: str
) -> HttpResponse:
    context = {"form": form, "model": model, "heading": heading, "button": button, "intro": intro}
    status = 400 if form.is_bound else 200
    return render(request, "_model_form.html", context, status=status)


# ---- Findings -----------------------------------------------------------------------------------


@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
    user = permissions.actor(request)
    today = timezone.localdate()
    filters = FindingFilterForm(request.GET, auto_id="filter_%s")
    found = selectors.findings_for(user, today, **filters.filters())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(finding, selectors.days_overdue(finding, today)) for finding in page]
    context = {
        "filters": filters,
        "page": page,
        "rows": rows,
        "counts": selectors.open_by_severity(found),
        # Few open flags at a time; only validators of the model may clear one.
        "flags": [
            (flag, permissions.can(user, "validate", flag.model))
            for flag in selectors.open_flags(user, filters.filters().get("model", ""))
        ],
    }
    return render(request, "governance/findings/list.html", context)


def _detail(request: HttpRequest, finding: Finding, **forms: BootstrapForm) -> HttpResponse:
    user, model = request.user, finding.model
    context = {
        "finding": finding,
        "days_overdue": selectors.days_overdue(finding, timezone.localdate()),
        "is_open": finding.status in Finding.OPEN_STATUSES,
        "can_plan": finding.status == Finding.Status.OPEN
        and (finding.owner_id == user.pk or permissions.can(user, "change", model)),
        "can_close": _can_raise(user, model) and finding.owner_id != user.pk,
        "can_accept": permissions.can(user, "decide", model),
        "remediation_form": forms.get("remediation") or RemediationForm(auto_id="rem_%s"),
        "close_form": forms.get("close") or CloseForm(auto_id="close_%s"),
        "accept_form": forms.get("accept") or AcceptRiskForm(auto_id="acc_%s"),
    }
    status = 400 if forms else 200
    return render(request, "governance/findings/detail.html", context, status=status)


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.finding_for_user_or_404(permissions.actor(request), pk))


@login_required
def finding_new(request: HttpRequest, slug: str) -> HttpResponse:
    model = permissions.model_for_user_or_404(request.user, slug)
    if not _can_raise(request.user, model):
        raise PermissionDenied(f"{request.user} may not raise findings on {model}")
    posted = request.POST if request.method == "POST" else None
    form = FindingForm(posted, model=model, owners=selectors.owner_choices(model), auto_id="f_%s")
    raised = ui.submit(
        form,
        lambda: findings.raise_finding(
            actor=permissions.actor(request), model=model, **form.cleaned_data
        ),
    )
    if raised is not None:
        messages.success(request, f"{raised.reference} is raised and assigned to {raised.owner}.")
        return redirect(raised)
    return _form_page(
        request, form, model, "Raise a finding", "Raise finding",
        "Record a weakness with an owner and a due date; it is tracked until it is closed or its "
        "risk is accepted.",
    )  # fmt: skip


def _finding_action(
    request: HttpRequest, pk: int, key: str, form_class: type[BootstrapForm], act: Callable
) -> HttpResponse:
    finding = selectors.finding_for_user_or_404(permissions.actor(request), pk)
    form = form_class(request.POST, auto_id=f"{key}_%s")
    done = ui.submit(form, lambda: act(finding, form.cleaned_data))
    if done is None:
        return _detail(request, finding, **{key: form})
    messages.success(request, f"{done.reference} is now {done.get_status_display().lower()}.")
    return redirect(done)


@login_required
@require_POST
def finding_remediation(request: HttpRequest, pk: int) -> HttpResponse:
    return _finding_action(
        request,
        pk,
        "remediation",
        RemediationForm,
        lambda f, data: findings.start_remediation(
            actor=permissions.actor(request), finding=f, plan=data["remediation_plan"]
        ),
    )


@login_required
@require_POST
def finding_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _finding_action(
        request,
        pk,
        "close",
        CloseForm,
        lambda f, data: findings.close_finding(
            actor=permissions.actor(request), finding=f, resolution=data["resolution"]
        ),
    )


@login_required
@require_POST
def finding_accept_risk(request: HttpRequest, pk: int) -> HttpResponse:
    return _finding_action(
        request,
        pk,
        "accept",
        AcceptRiskForm,
        lambda f, data: findings.accept_risk(
            actor=permissions.actor(request),
            finding=f,
            reason=data["resolution"],
            until=data["accepted_until"],
        ),
    )


# ---- Policy exceptions and waivers --------------------------------------------------------------


@login_required
def exception_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    found = selectors.exceptions_for(permissions.actor(request), timezone.localdate(), state)
    rows = [(row, permissions.can(request.user, "decide", row.model)) for row in found]
    context = {
        "rows": rows,
        "state": state,
        "states": ["running", "expiring", "expired", "revoked"],
    }
    return render(request, "governance/findings/exceptions.html", context)


@login_required
def exception_new(request: HttpRequest, slug: str) -> HttpResponse:
    user = permissions.actor(request)
    model = permissions.model_for_user_or_404(user, slug)
    posted = request.POST if request.method == "POST" else None
    form = ExceptionForm(
        posted,
        rules=selectors.waivable_rules(),
        approvers=deciders_for(model, exclude=user),
        auto_id="ex_%s",
    )
    granted = ui.submit(
        form,
        lambda: findings.grant_exception(actor=user, model=model, **_exception_args(form)),
    )
    if granted is not None:
        messages.success(
            request, f"{granted.reference} waives {granted.rule_title} until {granted.expires_on}."
        )
        return redirect("findings:exception-list")
    return _form_page(
        request, form, model, "Grant a policy exception", "Grant exception",
        "Waive one gate rule for this model until a date. A second person with decision rights, "
        "not the model's owner, approves it.",
    )  # fmt: skip


def _exception_args(form: ExceptionForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "rule_id": data["rule_id"],
        "reason": data["reason"],
        "approver": data["approved_by"],
        "expires_on": data["expires_on"],
    }


@login_required
@require_POST
def exception_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    exception = get_object_or_404(
        PolicyException.objects.filter(model__in=permissions.models_for(request.user)), pk=pk
    )
    findings.revoke_exception(actor=permissions.actor(request), exception=exception)
    messages.success(request, f"{exception.reference} is revoked.")
    return redirect("findings:exception-list")


# ---- Revalidation ------------------------------------------------------------------------------


@login_required
def revalidation_new(request: HttpRequest, slug: str) -> HttpResponse:
    model = permissions.model_for_user_or_404(request.user, slug)
    if not _can_raise(request.user, model):
        raise PermissionDenied(f"{request.user} may not require revalidation of {model}")
    posted = request.POST if request.method == "POST" else None
    form = RevalidationForm(posted, auto_id="rv_%s")
    flag = ui.submit(
        form,
        lambda: findings.require_revalidation(
            actor=permissions.actor(request),
            model=model,
            reason=form.cleaned_data["reason"],
            source="validator",
        ),
    )
    if flag is not None:
        messages.success(
            request, f"Revalidation of {model} is required; its production gate is closed."
        )
        return redirect(f"{reverse('findings:finding-list')}?model={model.slug}")
    return _form_page(
        request, form, model, "Require revalidation", "Require revalidation",
        "The model's production gate closes until a validator clears it; approvals given before "
        "now lapse.",
    )  # fmt: skip


@login_required
@require_POST
def revalidation_clear(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_object_or_404(
        RevalidationFlag.objects.filter(model__in=permissions.models_for(request.user)), pk=pk
    )
    form = ClearRevalidationForm(request.POST, auto_id="clr_%s")
    cleared = ui.submit(
        form,
        lambda: findings.clear_revalidation(
            actor=permissions.actor(request), flag=flag, note=form.cleaned_data["clearance_note"]
        ),
    )
    if cleared is None:
        messages.error(
            request, "; ".join(str(e) for errors in form.errors.values() for e in errors)
        )
    else:
        messages.success(request, f"Revalidation of {flag.model} is cleared.")
    return redirect(f"{reverse('findings:finding-list')}?model={flag.model.slug}")
