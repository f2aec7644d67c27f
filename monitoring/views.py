"""Monitoring pages: the fleet, a model's monitoring tab, alerts, policies and incidents.

Function views: resolve through permissions (a hidden model is a 404), parse a form, call one
monitoring service; a refusal goes back onto the field it names, an action the user may not take
is a 403 from the service.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from governance import permissions, ui
from governance.forms import BootstrapForm
from monitoring import charts
from monitoring.forms import (
    AcknowledgeForm,
    AlertFilterForm,
    FleetFilterForm,
    IncidentForm,
    PolicyForm,
    ResolveForm,
)
from monitoring.models import Alert
from monitoring.selectors import pages
from monitoring.services import alerts, incidents, policies
from registry.models import MLModel

PAGE_SIZE = 50


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _form_page(
    request: HttpRequest, form: BootstrapForm, model: MLModel, heading: str, button: str, intro: str
) -> HttpResponse:
    context = {"form": form, "model": model, "heading": heading, "button": button, "intro": intro}
    status = 400 if form.is_bound else 200
    return render(request, "monitoring/form.html", context, status=status)


def _tab(model: MLModel) -> HttpResponse:
    return redirect("monitoring:model-monitoring", model.slug)


# ---- Fleet and the model's tab ------------------------------------------------------------------


@login_required
def fleet(request: HttpRequest) -> HttpResponse:
    filters = FleetFilterForm(request.GET, auto_id="filter_%s")
    found = pages.fleet(permissions.actor(request), **filters.filters())
    page = Paginator(found.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page, "counts": found.counts}
    return render(request, "monitoring/fleet.html", context)


@login_required
def model_monitoring(request: HttpRequest, slug: str) -> HttpResponse:
    model = permissions.model_for_user_or_404(request.user, slug)
    shown = pages.model_monitoring(model)
    context = {
        "model": model,
        "shown": shown,
        "metric_charts": [charts.metric_over_time(series) for series in shown.metric_series],
        "fairness_charts": [(p.result, charts.fairness_by_group(p.bars)) for p in shown.fairness],
        "drift_charts": [charts.drift_by_feature(bars) for bars in shown.drift_bars],
        "can_change": permissions.can(request.user, "change", model),
        "can_handle": alerts.may_handle(permissions.actor(request), model),
    }
    return render(request, "monitoring/model_monitoring.html", context)


# ---- Alerts -------------------------------------------------------------------------------------


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    filters = AlertFilterForm(request.GET, auto_id="filter_%s")
    found = pages.alerts_for(permissions.actor(request), **filters.filters())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page, "counts": pages.unresolved_by_severity(found)}
    return render(request, "monitoring/alert_list.html", context)


def _alert_page(request: HttpRequest, alert: Alert, **forms: BootstrapForm) -> HttpResponse:
    context = {
        "alert": alert,
        "can_handle": alerts.may_handle(permissions.actor(request), alert.model),
        "acknowledge_form": forms.get("acknowledge") or AcknowledgeForm(auto_id="ack_%s"),
        "resolve_form": forms.get("resolve") or ResolveForm(auto_id="res_%s"),
    }
    return render(request, "monitoring/alert_detail.html", context, status=400 if forms else 200)


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _alert_page(request, pages.alert_for_user_or_404(permissions.actor(request), pk))


def _alert_action(
    request: HttpRequest, pk: int, key: str, form_class: type[BootstrapForm], act: Callable
) -> HttpResponse:
    alert = pages.alert_for_user_or_404(permissions.actor(request), pk)
    form = form_class(request.POST, auto_id=f"{key}_%s")
    done = ui.submit(form, lambda: act(alert, form.cleaned_data))
    if done is None:
        return _alert_page(request, alert, **{key: form})
    messages.success(request, f"The alert is {done.get_state_display().lower()}.")
    return redirect("monitoring:alert-detail", done.pk)


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _alert_action(
        request,
        pk,
        "acknowledge",
        AcknowledgeForm,
        lambda alert, data: alerts.acknowledge(
            actor=permissions.actor(request), alert=alert, note=data["note"]
        ),
    )


@login_required
@require_POST
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _alert_action(
        request,
        pk,
        "resolve",
        ResolveForm,
        lambda alert, data: alerts.resolve(
            actor=permissions.actor(request), alert=alert, resolution=data["resolution"]
        ),
    )


# ---- Policies -----------------------------------------------------------------------------------

POLICY_INTRO = (
    "What healthy means for this model on one signal. It replaces the tier default with the same "
    "signal, measure and scope; the next check judges it."
)


def _policy_page(
    request: HttpRequest, model: MLModel, form: PolicyForm, heading: str
) -> HttpResponse:
    policy = ui.submit(
        form,
        lambda: policies.set_policy(
            actor=permissions.actor(request), model=model, **form.policy_fields()
        ),
    )
    if policy is None:
        return _form_page(request, form, model, heading, "Save threshold", POLICY_INTRO)
    label = policy.threshold().label
    if policy.enabled:
        messages.success(request, f"The threshold {label} applies to {model.name}.")
    else:
        messages.success(request, f"The tier default {label} is switched off for {model.name}.")
    return _tab(model)


@login_required
def policy_new(request: HttpRequest, slug: str) -> HttpResponse:
    model = permissions.model_for_user_or_404(request.user, slug, "change")
    return _policy_page(
        request, model, PolicyForm(_posted(request), auto_id="p_%s"), "Add a threshold"
    )


@login_required
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = pages.policy_for_user_or_404(permissions.actor(request), pk)
    permissions.require(request.user, "change", policy.model)
    form = PolicyForm(_posted(request), policy=policy, auto_id="p_%s")
    return _policy_page(request, policy.model, form, "Edit a threshold")


@login_required
def policy_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = permissions.actor(request)
    policy = pages.policy_for_user_or_404(user, pk)
    permissions.require(user, "change", policy.model)
    label = policy.threshold().label
    if request.method != "POST":
        context = {"policy": policy, "model": policy.model, "label": label}
        return render(request, "monitoring/policy_remove.html", context)
    policies.remove_policy(actor=user, policy=policy)
    messages.success(request, f"The threshold {label} is removed; the tier default applies again.")
    return _tab(policy.model)


# ---- Incidents ----------------------------------------------------------------------------------


@login_required
def incident_new(request: HttpRequest, slug: str) -> HttpResponse:
    user = permissions.actor(request)
    model = permissions.model_for_user_or_404(user, slug)
    if not alerts.may_handle(user, model):
        raise PermissionDenied(f"{user} may not record incidents of {model}")
    form = IncidentForm(_posted(request), auto_id="i_%s")
    incident = ui.submit(
        form,
        lambda: incidents.record_incident(actor=user, model=model, **form.cleaned_data),
    )
    if incident is None:
        intro = (
            "Record a production incident: Attest pins it to the version that was serving then "
            "and keeps what monitoring said about that version up to that moment."
        )
        return _form_page(request, form, model, "Record an incident", "Record incident", intro)
    messages.success(request, f"The incident is recorded against {incident.deployment.version}.")
    return redirect("monitoring:incident-detail", incident.pk)


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = pages.incident_for_user_or_404(permissions.actor(request), pk)
    context = {"incident": incident, "before": pages.monitoring_before(incident)}
    return render(request, "monitoring/incident_detail.html", context)
