"""Inventory UI: function views that parse the request, call a service or selector, and render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from governance import permissions, ui
from governance.access.forms import RaciAssignForm, ValidatorChoiceForm
from governance.auditlog.views import event_rows
from governance.forms import DecisionForm
from registry import export, selectors, services
from registry.filters import MLModelFilter
from registry.forms import ModelRecordForm, ModelRegisterForm, ServingForm, VersionForm
from registry.lineage import LAYERS, LineageGraph
from registry.models import (
    CustomField,
    Dataset,
    Deployment,
    MLModel,
    TrainingRun,
    UseCase,
    UseCaseChange,
)

PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 20
# Inventory table columns: (ordering key in MLModelFilter, or None when not sortable; header).
COLUMNS = (
    ("name", "Model"),
    ("business_unit", "Business unit"),
    ("model_type", "Type"),
    ("status", "Status"),
    ("owner", "Owner"),
    (None, "Versions"),
    (None, "Live in production"),
    ("updated", "Updated"),
)
LAYER_TITLES = {
    "data": "Data & upstream models",
    "run": "Training runs",
    "version": "Versions",
    "deployment": "Deployments & downstream",
}


# Helpers: presentation only (what to show, how the request maps to a service call).


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _page(items: QuerySet[Any], request: HttpRequest, size: int = PAGE_SIZE) -> Page:
    """One page of `items`; the primary key breaks ties so no row shows on two pages."""
    ordering = items.query.order_by or items.model._meta.ordering
    return Paginator(items.order_by(*ordering, "pk"), size).get_page(request.GET.get("page"))


def _sort_columns(ordering: str) -> list[dict[str, str | None]]:
    """Each column's header, its aria-sort direction now, and the ordering a click asks for."""
    current = ordering.split(",")[0]
    columns = []
    for key, label in COLUMNS:
        direction = {key: "ascending", f"-{key}": "descending"}.get(current, "") if key else ""
        following = f"-{key}" if direction == "ascending" else key
        columns.append({"key": key, "label": label, "direction": direction, "next": following})
    return columns


def _filter_choices(visible: QuerySet[MLModel]) -> dict[str, object]:
    units = visible.order_by("business_unit").values_list("business_unit", flat=True).distinct()
    owners = get_user_model().objects.filter(pk__in=visible.values("owner_id"))
    return {"business_units": units, "owners": owners.order_by("first_name", "username")}


def _custom_fields() -> list[CustomField]:
    return list(CustomField.objects.filter(is_active=True))


def _custom_values(model: MLModel) -> list[tuple[str, object]]:
    values = model.custom_fields
    return [(field.label, _shown(values.get(field.key))) for field in _custom_fields()]


def _shown(value: object) -> object:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


def _model_context(request: HttpRequest, model: MLModel) -> dict[str, object]:
    user = request.user
    visible = permissions.models_for(user)
    history = Paginator(selectors.model_history(model), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("history")
    )
    return {
        "model": model,
        "custom_values": _custom_values(model),
        "versions": selectors.versions_of(model),
        "raci": model.raci_assignments.select_related("user", "group"),
        "use_cases": model.use_cases.order_by("name"),
        "upstream": model.upstream_links.filter(upstream__in=visible).select_related("upstream"),
        "downstream": model.downstream_links.filter(downstream__in=visible).select_related(
            "downstream"
        ),
        "live_deployments": Deployment.objects.filter(version__model=model)
        .live()
        .select_related("version__model")
        .order_by("environment"),
        "history": event_rows(history),
        "history_page": history,
        "can_change": permissions.can(user, "change", model),
        "can_manage_raci": permissions.can_appoint(user, model),
        "removable": {
            a.pk
            for a in model.raci_assignments.all()
            if permissions.can_assign(user, model, a.role, a.area)
        },
        "raci_form": RaciAssignForm(auto_id="raci_%s"),
        "can_ask_validator": permissions.can_manage_raci(user, model),
        "validator_requests": model.validator_requests.select_related(
            "requested_by", "decided_by", "validator"
        )[:5],
        "can_appoint_validators": permissions.can_globally(user, "assign_validators"),
        "validator_form": ValidatorChoiceForm(auto_id="vr_%s"),
    }


def _lineage_context(graph: LineageGraph) -> dict[str, object]:
    by_id = {node.id: node for node in graph.nodes}
    return {
        "lineage": graph,
        "lineage_columns": [(LAYER_TITLES[layer], graph.layers[layer]) for layer in LAYERS],
        "relations": [(by_id[e.source], e.relation, by_id[e.target]) for e in graph.edges],
    }


def _serving_rows(models: Page, question: tuple[str, Any] | None) -> list[tuple[MLModel, Any]]:
    """Each model on the page with the deployment serving it then (None: nothing was)."""
    serving: dict[int, Deployment] = {}
    if question is not None:
        environment, at = question
        page_models = MLModel.objects.filter(pk__in=[m.pk for m in models])
        for deployment in selectors.serving_at(models=page_models, environment=environment, at=at):
            serving.setdefault(deployment.version.model_id, deployment)
    return [(model, serving.get(model.pk)) for model in models]


# Inventory


@login_required
def model_list(request: HttpRequest) -> HttpResponse:
    """The inventory this user may see: search, filter, sort, page; htmx swaps the table."""
    visible = permissions.models_for(request.user)
    filterset = MLModelFilter(request.GET, queryset=export.with_columns(visible))
    context = {
        "filter": filterset,
        "page": _page(filterset.qs, request),
        "columns": _sort_columns(request.GET.get("ordering", "")),
        "is_filtered": any(request.GET.get(name) for name in MLModelFilter.Meta.fields),
        **_filter_choices(visible),
    }
    fragment = ui.is_fragment(request)
    template = "registry/_model_table.html" if fragment else "registry/model_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def model_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered inventory as CSV, one row per visible model, custom fields included."""
    filterset = MLModelFilter(request.GET, queryset=permissions.models_for(request.user))
    lines = export.inventory_csv(filterset.qs, _custom_fields())
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"attest-inventory-{timezone.now():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def model_detail(request: HttpRequest, slug: str) -> HttpResponse:
    model = permissions.model_for_user_or_404(request.user, slug)
    return render(request, "registry/model_detail.html", _model_context(request, model))


@login_required
def model_create(request: HttpRequest) -> HttpResponse:
    permissions.require_globally(request.user, "register_model")
    form = ModelRegisterForm(
        _posted(request), initial={"owner": request.user.pk}, custom_fields=_custom_fields()
    )
    model = ui.submit(
        form,
        lambda: services.register_model(
            actor=permissions.actor(request), slug=form.cleaned_data["slug"], **form.changes()
        ),
    )
    if model is not None:
        messages.success(request, f"{model.name} is registered in the inventory.")
        return redirect(model)
    return render(request, "registry/model_form.html", {"form": form})


@login_required
def model_edit(request: HttpRequest, slug: str) -> HttpResponse:
    model = permissions.model_for_user_or_404(request.user, slug, "change")
    form = ModelRecordForm(
        _posted(request),
        initial=ModelRecordForm.initial_for(model),
        custom_fields=_custom_fields(),
    )
    updated = ui.submit(
        form,
        lambda: services.update_model(
            actor=permissions.actor(request), model=model, **form.changes()
        ),
    )
    if updated is not None:
        messages.success(request, f"{updated.name} is updated.")
        return redirect(updated)
    return render(request, "registry/model_form.html", {"form": form, "model": model})


@login_required
def version_create(request: HttpRequest, slug: str) -> HttpResponse:
    model = permissions.model_for_user_or_404(request.user, slug, "change")
    form = VersionForm(_posted(request), model=model)
    version = ui.submit(
        form,
        lambda: services.register_version(
            actor=permissions.actor(request), model=model, **form.service_arguments()
        ),
    )
    if version is not None:
        messages.success(request, f"Version {version.version} of {model.name} is registered.")
        return redirect(version)
    return render(request, "registry/version_form.html", {"form": form, "model": model})


RUN_URL_TAGS = ("url", "run_url", "mlflow.runUrl", "wandb.url")


def _run_url(run: TrainingRun | None) -> str:
    """Where the tracker shows the run, when its id or a tag is a web address (else "")."""
    if run is None:
        return ""
    candidates = [run.external_id, *(str(run.tags.get(key, "")) for key in RUN_URL_TAGS)]
    return next((c for c in candidates if c.startswith(("https://", "http://"))), "")


@login_required
def version_detail(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = permissions.version_for_user_or_404(request.user, slug, version)
    run = obj.training_run
    context = {
        "version": obj,
        "model": obj.model,
        "run": run,
        "run_url": _run_url(run),
        "run_inputs": run.input_datasets.select_related("dataset") if run else [],
        "can_view_datasets": permissions.can_globally(request.user, "view_datasets"),
        "prompts": obj.prompt_templates.all(),
        "deployments": obj.deployments.select_related("recorded_by"),
        **_lineage_context(selectors.lineage_of(obj, visible=permissions.models_for(request.user))),
    }
    return render(request, "registry/version_detail.html", context)


# Reference data: datasets and use cases


@login_required
def dataset_list(request: HttpRequest) -> HttpResponse:
    permissions.require_globally(request.user, "view_datasets")
    query = request.GET.get("q", "").strip()
    datasets = (
        Dataset.objects.filter(Q(name__icontains=query) | Q(slug__icontains=query))
        .select_related("created_by")
        .annotate(version_count=Count("versions"))
    )
    context = {"page": _page(datasets, request), "query": query}
    return render(request, "registry/dataset_list.html", context)


@login_required
def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    permissions.require_globally(request.user, "view_datasets")
    dataset = get_object_or_404(Dataset.objects.select_related("created_by"), slug=slug)
    trained = permissions.models_for(request.user).filter(
        training_runs__input_datasets__dataset=dataset
    )
    context = {
        "dataset": dataset,
        "versions": dataset.versions.select_related("created_by"),
        "trained_models": trained.distinct().order_by("name"),
    }
    return render(request, "registry/dataset_detail.html", context)


@login_required
def usecase_list(request: HttpRequest) -> HttpResponse:
    permissions.require_globally(request.user, "view_use_cases")
    query = request.GET.get("q", "").strip()
    visible = permissions.models_for(request.user).values("pk")
    use_cases = (
        UseCase.objects.filter(Q(name__icontains=query) | Q(business_purpose__icontains=query))
        .select_related("owner")
        .annotate(model_count=Count("models", filter=Q(models__in=visible)))
    )
    context = {"page": _page(use_cases, request), "query": query}
    return render(request, "registry/usecase_list.html", context)


@login_required
def usecase_detail(request: HttpRequest, slug: str) -> HttpResponse:
    permissions.require_globally(request.user, "view_use_cases")
    use_case = get_object_or_404(UseCase.objects.select_related("owner"), slug=slug)
    models = use_case.models.filter(pk__in=permissions.models_for(request.user).values("pk"))
    context = {
        "use_case": use_case,
        "models": models.select_related("owner").order_by("name"),
        "changes": use_case.changes.select_related("requested_by", "decided_by")[:10],
        "can_decide": permissions.can_change_use_case(request.user, use_case),
        "decision_form": DecisionForm(auto_id="uc_%s"),
    }
    return render(request, "registry/usecase_detail.html", context)


@login_required
@require_POST
def usecase_change_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The use case's owner accepts (applies) or refuses a change someone else proposed."""
    permissions.require_globally(request.user, "view_use_cases")
    change = get_object_or_404(UseCaseChange.objects.filter(use_case__slug=slug), pk=pk)
    form = DecisionForm(request.POST, auto_id="uc_%s")
    done = ui.submit(
        form,
        lambda: services.decide_use_case_change(
            actor=permissions.actor(request),
            change=change,
            grant=form.granted,
            reason=form.cleaned_data["reason"],
        ),
    )
    if done is None:
        ui.report_errors(request, form, "The proposed change")
    else:
        messages.success(request, f"The proposed change is {done.get_state_display().lower()}.")
    return redirect(change.use_case)


# Serving


@login_required
def serving(request: HttpRequest) -> HttpResponse:
    """Which version of each visible model was serving in environment E at time T?"""
    form = ServingForm.from_query(request.GET)
    page = _page(permissions.models_for(request.user).select_related("owner"), request)
    context = {"form": form, "page": page, "rows": _serving_rows(page, form.question())}
    return render(request, "registry/serving.html", context)
