"""Approval UI: my work, the committee review queue, one request with its decision form.

Function views: resolve the request or version through permissions (hidden model: 404), parse
a form, call one approvals service, render. An action the user may not take is a 403, raised
by the service and left to propagate.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from governance import permissions, ui
from governance.approvals.forms import (
    MeetConditionForm,
    QueueFilterForm,
    RequestForm,
    SignOffForm,
    WithdrawForm,
)
from governance.approvals.models import ApprovalRequest, Condition
from governance.approvals.rules import states
from governance.approvals.selectors import facts as approval_facts
from governance.approvals.selectors import independence, queues, review, signers
from governance.approvals.services import workflow
from governance.downloads import stored_file_response
from governance.errors import DomainError
from governance.labels import label_for
from governance.risk import selectors as risk_selectors
from governance.risk.models import Framework
from registry.models import ModelVersion

DECIDED_MESSAGES = {
    states.APPROVED: "The request is approved.",
    states.APPROVED_WITH_CONDITIONS: "The request is approved with conditions.",
    states.REJECTED: "The request is rejected.",
}


# ---- Lists ---------------------------------------------------------------------------------------


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    """What waits on the signed-in person: drafts to submit, reviews, sign-offs, overdue items."""
    work = queues.my_work(permissions.actor(request))
    return render(request, "governance/approvals/my_work.html", {"work": work})


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Every submitted or in-review request the user may see, oldest first."""
    filters = QueueFilterForm(request.GET, auto_id="filter_%s")
    rows = queues.queue(permissions.actor(request), **filters.filters())
    return render(
        request,
        "governance/approvals/queue.html",
        {"rows": rows, "filters": filters, "tier_label": label_for},
    )


@login_required
def version_requests(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """A version's requests with their validity; the version page loads this as a fragment."""
    found = permissions.version_for_user_or_404(request.user, slug, version)
    return _requests_page(request, found.model, found)


@login_required
def model_requests(request: HttpRequest, slug: str) -> HttpResponse:
    model = permissions.model_for_user_or_404(request.user, slug)
    return _requests_page(request, model, None)


def _requests_page(request: HttpRequest, model: Any, version: ModelVersion | None) -> HttpResponse:
    context = {
        "model": model,
        "version": version,
        "requests": review.requests_of(permissions.actor(request), model, version),
        "can_submit": permissions.can(request.user, "submit", model),
        "can_raise": permissions.can(request.user, "validate", model)
        or permissions.can(request.user, "decide", model),
        "versions": model.versions.order_by("-created_at") if version is None else [],
    }
    template = "_requests.html" if ui.is_fragment(request) else "requests.html"
    return render(request, f"governance/approvals/{template}", context)


# ---- Opening a request -----------------------------------------------------------------------


@login_required
def request_new(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """Open a draft for a version; the owner submits it from the request page."""
    found = permissions.version_for_user_or_404(request.user, slug, version, "submit")
    posted = request.POST if request.method == "POST" else None
    form = RequestForm(posted, initial={"gate": request.GET.get("gate", "")}, auto_id="req_%s")
    opened = ui.submit(
        form,
        lambda: workflow.open_request(
            actor=permissions.actor(request), version=found, **form.service_arguments()
        ),
    )
    if opened is not None:
        messages.success(request, f"{opened.reference} is drafted. Submit it when it is ready.")
        return redirect(opened)
    context = {"form": form, "version": found, "model": found.model}
    return render(request, "governance/approvals/request_form.html", context)


# ---- One request ------------------------------------------------------------------------------


def _classification(model: Any) -> dict[str, Any]:
    tier, eu = approval_facts.tier_of(model), approval_facts.eu_outcome(model)
    return {
        "tier": tier,
        "tier_label": label_for(tier.result) if tier else None,
        "eu": eu,
        "eu_label": label_for(eu.result) if eu else None,
        "tiering_framework": Framework.TIERING,
    }


def _decision_panel(
    request: HttpRequest, subject: ApprovalRequest, bound: SignOffForm | None
) -> dict[str, Any] | None:
    """The decision form for someone holding a role the request still needs; None otherwise."""
    user = permissions.actor(request)
    roles = signers.roles_to_sign(user, subject)
    if not roles:
        return None
    form = bound or SignOffForm(roles=roles, auto_id="sign_%s")
    return {"form": form, "blocked": signers.why_not_sign(user, subject, roles[0])}


def _detail_context(request: HttpRequest, subject: ApprovalRequest, **bound: Any) -> dict[str, Any]:
    user, model, version = request.user, subject.model, subject.version
    can_confirm = permissions.can(user, "validate", model) or permissions.can(user, "decide", model)
    progress = subject.progress()
    production = review.live_in_production(version)
    return {
        "subject": subject,
        "model": model,
        "version": version,
        "classification": _classification(model),
        "coverage": risk_selectors.coverage(model),
        "missing": approval_facts.missing_obligations(
            model, timezone.localdate(), gate=subject.gate
        ),
        "findings": review.open_findings(model),
        "production": production,
        "metrics": review.metrics_beside(version, production),
        "fairness": review.latest_fairness(version),
        "production_fairness": review.latest_fairness(production) if production else None,
        "lineage": review.lineage(version),
        "gate_now": review.gate_now(subject),
        "progress": signers.progress_text(progress),
        "outstanding": progress.outstanding,
        "sign_offs": review.sign_offs_of(subject),
        "independence": independence.statement_of(subject) if subject.requirements else None,
        "conditions": list(subject.conditions.select_related("met_by")),
        "can_confirm": can_confirm and subject.is_approval,
        "lapses": approval_facts.lapses_of(subject),
        "can_submit": permissions.can(user, "submit", model),
        "can_record_deployment": permissions.can(user, "change", model),
        "decision": _decision_panel(request, subject, bound.get("sign_off")),
        "withdraw": bound.get("withdraw") or WithdrawForm(auto_id="withdraw_%s"),
        "submit_error": bound.get("submit_error"),
    }


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything needed to decide on one page, and the decision form for those who sign."""
    subject = review.request_for_user_or_404(permissions.actor(request), pk)
    return render(
        request, "governance/approvals/request_detail.html", _detail_context(request, subject)
    )


@login_required
@require_POST
def request_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = permissions.actor(request)
    subject = review.request_for_user_or_404(user, pk)
    try:
        done = workflow.submit(actor=user, request=subject)
    except DomainError as exc:
        context = _detail_context(request, subject, submit_error=exc)
        return render(request, "governance/approvals/request_detail.html", context, status=400)
    messages.success(
        request,
        f"{done.reference} is submitted; it needs {signers.progress_text(done.progress())}.",
    )
    return redirect(done)


@login_required
@require_POST
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = permissions.actor(request)
    subject = review.request_for_user_or_404(user, pk)
    form = WithdrawForm(request.POST, auto_id="withdraw_%s")
    done = ui.submit(
        form,
        lambda: workflow.withdraw(actor=user, request=subject, reason=form.cleaned_data["reason"]),
    )
    if done is not None:
        messages.success(request, f"{done.reference} is withdrawn.")
        return redirect(done)
    context = _detail_context(request, subject, withdraw=form)
    return render(request, "governance/approvals/request_detail.html", context, status=400)


@login_required
@require_POST
def request_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the user's sign-off; the one completing the required set decides the request."""
    user = permissions.actor(request)
    subject = review.request_for_user_or_404(user, pk)
    # The posted role must be a real choice even when the user holds none the request needs, so
    # the service (not the form) says why: segregation of duties, a role not held.
    roles = signers.roles_to_sign(user, subject) or [request.POST.get("role", "")]
    form = SignOffForm(request.POST, request.FILES, roles=roles, auto_id="sign_%s")
    signed = ui.submit(
        form,
        lambda: workflow.sign_off(actor=user, request=subject, **form.service_arguments()),
    )
    if signed is None:
        context = _detail_context(request, subject, sign_off=form)
        if context["decision"] is None:  # show the refusal even to someone without a role
            context["decision"] = {"form": form, "blocked": ""}
        return render(request, "governance/approvals/request_detail.html", context, status=400)
    subject.refresh_from_db()
    messages.success(request, DECIDED_MESSAGES.get(subject.state, "Your sign-off is recorded."))
    return redirect(subject)


@login_required
@require_POST
def condition_meet(request: HttpRequest, pk: int) -> HttpResponse:
    """A validator or decider confirms a condition is met; the service checks their rights."""
    found = Condition.objects.filter(request__model__in=permissions.models_for(request.user))
    condition = get_object_or_404(found.select_related("request"), pk=pk)
    form = MeetConditionForm(request.POST)
    form.is_valid()
    try:
        workflow.meet_condition(
            actor=permissions.actor(request),
            condition=condition,
            note=form.cleaned_data.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, f"Condition “{condition.text}”: {exc.error_text}")
    else:
        messages.success(request, f"Condition “{condition.text}” is met.")
    return redirect(f"{condition.request.get_absolute_url()}#conditions")


@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """A sign-off's file, only for those who may see the model (never from MEDIA_URL)."""
    attachment = review.attachment_for(permissions.actor(request), pk)
    if attachment is None:
        raise Http404("No such attachment.")
    # Same shape as evidence (file, sha256, media_type): served the same way, ETag and all.
    return stored_file_response(request, attachment)
