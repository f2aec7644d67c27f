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
from governance.access import selectors as people
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
from governance.findings.models import Finding, PolicyException, RevalidationFlag, RiskAcceptance
from governance.forms import BootstrapForm, DecisionForm

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
        "can_ask_acceptance": permissions.can(user, "change", model)
        or _can_raise(user, model)
        or finding.owner_id == user.pk,
        "acceptances": finding.acceptances.select_related("requested_by", "decided_by"),
        "can_decide": user in people.deciders_of(model),
        "decision_form": forms.get("decide") or DecisionForm(auto_id="dec_%s"),
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
    """Ask for the finding's risk to be accepted; a decider grants or refuses it."""
    user = permissions.actor(request)
    finding = selectors.finding_for_user_or_404(user, pk)
    form = AcceptRiskForm(request.POST, auto_id="accept_%s")
    asked = ui.submit(
        form,
        lambda: findings.request_risk_acceptance(
            actor=user,
            finding=finding,
            reason=form.cleaned_data["resolution"],
            until=form.cleaned_data["accepted_until"],
        ),
    )
    if asked is None:
        return _detail(request, finding, accept=form)
    messages.success(request, f"{asked.reference} is asked for: a decider grants or refuses it.")
    return redirect(finding)


@login_required
@require_POST
def acceptance_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A second person with decision rights grants or refuses a risk acceptance."""
    user = permissions.actor(request)
    acceptance = get_object_or_404(
        RiskAcceptance.objects.filter(finding__model__in=permissions.models_for(user)), pk=pk
    )
    form = DecisionForm(request.POST, auto_id="dec_%s")
    done = ui.submit(
        form,
        lambda: findings.decide_risk_acceptance(
            actor=user,
            acceptance=acceptance,
            grant=form.granted,
            reason=form.cleaned_data["reason"],
        ),
    )
    if done is None:
        return _detail(request, acceptance.finding, decide=form)
    messages.success(request, f"{done.reference} is {done.get_state_display().lower()}.")
    return redirect(acceptance.finding)


# ---- Policy exceptions and waivers --------------------------------------------------------------


@login_required
def exception_list(request: HttpRequest) -> HttpResponse:
    user = permissions.actor(request)
    state = request.GET.get("state", "")
    found = selectors.exceptions_for(user, timezone.localdate(), state)
    deciders = {model.pk: user in people.deciders_of(model) for model in {r.model for r in found}}
    rows = [
        (row, permissions.can(user, "decide", row.model), deciders[row.model.pk]) for row in found
    ]
    context = {
        "rows": rows,
        "state": state,
        "states": selectors.EXCEPTION_STATES,
        "decision_form": DecisionForm(auto_id=None),
    }
    return render(request, "governance/findings/exceptions.html", context)


@login_required
def exception_new(request: HttpRequest, slug: str) -> HttpResponse:
    user = permissions.actor(request)
    model = permissions.model_for_user_or_404(user, slug)
    posted = request.POST if request.method == "POST" else None
    form = ExceptionForm(posted, rules=selectors.waivable_rules(), auto_id="ex_%s")
    asked = ui.submit(
        form, lambda: findings.request_exception(actor=user, model=model, **form.cleaned_data)
    )
    if asked is not None:
        messages.success(
            request,
            f"{asked.reference} asks to waive {asked.rule_title} until {asked.expires_on}; "
            "it counts once a decider grants it.",
        )
        return redirect("findings:exception-list")
    return _form_page(
        request, form, model, "Request a policy exception", "Request exception",
        "Ask to waive one gate rule for this model until a date. It counts only once a second "
        "person with decision rights on the model, who does not develop it, grants it.",
    )  # fmt: skip


@login_required
@require_POST
def exception_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A second person with decision rights grants or refuses a policy exception."""
    user = permissions.actor(request)
    exception = get_object_or_404(
        PolicyException.objects.filter(model__in=permissions.models_for(user)), pk=pk
    )
    form = DecisionForm(request.POST)
    done = ui.submit(
        form,
        lambda: findings.decide_exception(
            actor=user, exception=exception, grant=form.granted, reason=form.cleaned_data["reason"]
        ),
    )
    if done is None:
        ui.report_errors(request, form, exception.reference)
    else:
        messages.success(request, f"{done.reference} is {done.get_state_display().lower()}.")
    return redirect("findings:exception-list")


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
