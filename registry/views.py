"""Inventory UI: function views that parse the request, call a service or selector, and render."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.forms.utils import pretty_name
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from governance import permissions, ui
from governance.access.forms import RaciAssignForm, ValidatorChoiceForm
from governance.auditlog.views import event_rows
from governance.errors import DomainError
from governance.forms import DecisionForm
from governance.risk import columns as risk_columns
from registry import export, selectors, services
from registry.filters import MLModelFilter
from registry.forms import (
    DeploymentForm,
    LinkModelForm,
    ModelRecordForm,
    ModelRegisterForm,
    OrganisationProfileForm,
    ServingForm,
    UseCaseForm,
    UseCaseProposalForm,
    UseCaseRegisterForm,
    VersionForm,
    gate_now,
)
from registry.lineage import LAYERS, LineageGraph
from registry.models import (
    CustomField,
    Dataset,
    DatasetVersion,
    Deployment,
    MLModel,
    ModelVersion,
    OrganisationProfile,
    TrainingRun,
    UseCase,
    UseCaseChange,
)
from registry.services.organisation import may_edit_organisation_profile

PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 20
# Inventory table columns: (ordering key in MLModelFilter, or None when not sortable; header).
COLUMNS = (
    ("name", "Model"),
    ("business_unit", "Business unit"),
    ("model_type", "Type"),
    ("status", "Status"),
    (None, "Risk tier"),
    (None, "EU AI Act"),
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
    can_change = permissions.can(user, "change", model)
    visible = permissions.models_for(user)
    history = Paginator(selectors.model_history(model), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("history")
    )
    return {
        "model": model,
        "custom_values": _custom_values(model),
        "versions": selectors.versions_of(model),
        "raci": model.raci_assignments.select_related("user", "group"),
        **_use_case_card(user, model, can_change=can_change),
        "upstream": model.upstream_links.filter(upstream__in=visible).select_related("upstream"),
        "downstream": model.downstream_links.filter(downstream__in=visible).select_related(
            "downstream"
        ),
        "deployments": Deployment.objects.filter(version__model=model).select_related(
            "version__model", "recorded_by"
        ),
        "history": event_rows(history),
        "history_page": history,
        "can_change": can_change,
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
        "page": _page(risk_columns.with_risk_columns(filterset.qs), request),
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


def _dataset_choices(request: HttpRequest) -> QuerySet[DatasetVersion]:
    """The dataset versions a run may name: all of them for those who may see datasets."""
    if not permissions.can_globally(request.user, "view_datasets"):
        return DatasetVersion.objects.none()
    return DatasetVersion.objects.select_related("dataset").order_by("dataset__name", "-created_at")


def _register_version(request: HttpRequest, model: MLModel, form: VersionForm) -> ModelVersion:
    """The run the form describes (if any), then the version on it: both or neither."""
    actor = permissions.actor(request)
    with transaction.atomic():
        run = None
        if (described := form.new_run()) is not None:
            with form.run_errors():
                run = services.record_training_run(actor=actor, model=model, **described)
        return services.register_version(actor=actor, model=model, **form.service_arguments(run))


@login_required
def version_create(request: HttpRequest, slug: str) -> HttpResponse:
    model = permissions.model_for_user_or_404(request.user, slug, "change")
    form = VersionForm(_posted(request), model=model, dataset_versions=_dataset_choices(request))
    version = ui.submit(form, lambda: _register_version(request, model, form))
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


def _tracker_label(run: TrainingRun | None) -> str:
    """The run's tracker by name ("mlflow" -> "MLflow"); a tracker Attest does not list, as sent."""
    if run is None or run.tracker not in ModelVersion.Tracker.values:
        return run.tracker if run else ""
    return str(ModelVersion.Tracker(run.tracker).label)


@login_required
def version_detail(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = permissions.version_for_user_or_404(request.user, slug, version)
    run = obj.training_run
    context = {
        "version": obj,
        "model": obj.model,
        "run": run,
        "run_url": _run_url(run),
        "run_tracker": _tracker_label(run),
        "run_inputs": run.input_datasets.select_related("dataset") if run else [],
        "can_view_datasets": permissions.can_globally(request.user, "view_datasets"),
        "prompts": obj.prompt_templates.all(),
        "deployments": obj.deployments.select_related("recorded_by"),
        "can_change": permissions.can(request.user, "change", obj.model),
        **_lineage_context(selectors.lineage_of(obj, visible=permissions.models_for(request.user))),
    }
    return render(request, "registry/version_detail.html", context)


# Deployments


def _recorded_message(deployment: Deployment) -> tuple[int, str]:
    """What recording a deployment tells its recorder, and how loudly: a closed gate warns."""
    version, answer = deployment.version, deployment.gate_answer
    said = (
        f"{version.model.name} {version.version} is live in {deployment.get_environment_display()}"
    )
    if deployment.gate_open is False:
        unmet = "; ".join(f"{rule['title']}: {rule['reason']}" for rule in answer["unmet"])
        breach = "a policy breach is recorded and a finding opened for the owner"
        return messages.WARNING, f"{said}, through a closed deployment gate ({unmet}): {breach}."
    if deployment.gate_open is None:
        return messages.SUCCESS, f"{said}; no deployment gate policy was in force."
    return messages.SUCCESS, f"{said}; the deployment gate was open."


@login_required
def deployment_record(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """An owner records that this version went live in an environment (now, or when it did)."""
    obj = permissions.version_for_user_or_404(request.user, slug, version, "change")
    initial = {"environment": request.GET.get("environment", Deployment.Environment.PRODUCTION)}
    form = DeploymentForm(_posted(request), initial=initial, version=obj)
    deployment = ui.submit(
        form,
        lambda: services.record_deployment(
            actor=permissions.actor(request), version=obj, **form.service_arguments()
        ),
    )
    if deployment is not None:
        messages.add_message(request, *_recorded_message(deployment))
        return redirect(obj)
    gates = [
        (label, gate_now(obj, environment)) for environment, label in Deployment.Environment.choices
    ]
    context = {"form": form, "version": obj, "model": obj.model, "gates": gates}
    return render(request, "registry/deployment_form.html", context)


@login_required
@require_POST
def deployment_end(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Take a live deployment out of service now; back to the page the button was on."""
    model = permissions.model_for_user_or_404(request.user, slug, "change")
    deployment = get_object_or_404(
        Deployment.objects.select_related("version"), version__model=model, pk=pk
    )
    shown = f"{deployment.version.version} in {deployment.get_environment_display()}"
    _run_action(
        request,
        lambda: services.end_deployment(actor=permissions.actor(request), deployment=deployment),
        f"The deployment of {shown} has ended.",
    )
    if request.POST.get("back") == "version":
        return redirect(deployment.version)
    return redirect(f"{model.get_absolute_url()}#deployments")


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
    context = {
        "page": _page(use_cases, request),
        "query": query,
        "can_register": permissions.can_globally(request.user, "register_use_case"),
        "can_edit_profile": may_edit_organisation_profile(request.user),
    }
    return render(request, "registry/usecase_list.html", context)


def _use_case_or_404(request: HttpRequest, slug: str) -> UseCase:
    permissions.require_globally(request.user, "view_use_cases")
    return get_object_or_404(UseCase.objects.select_related("owner"), slug=slug)


def _change_rows(change: UseCaseChange) -> list[tuple[str, object]]:
    """A proposal's fields as people read them: the form's labels, and the owner by name."""
    rows: list[tuple[str, object]] = []
    for name, value in change.changes.items():
        field = UseCaseForm.base_fields.get(name)
        shown = value
        if name == "owner":
            person = get_user_model().objects.filter(pk=value).first()
            shown = person.get_full_name() or person.get_username() if person else value
        rows.append((str((field.label if field else None) or pretty_name(name)), shown))
    return rows


@login_required
def usecase_detail(request: HttpRequest, slug: str) -> HttpResponse:
    use_case = _use_case_or_404(request, slug)
    user = request.user
    models = use_case.models.filter(pk__in=permissions.models_for(user).values("pk"))
    can_edit = permissions.can_change_use_case(user, use_case)
    linkable = selectors.linkable_models(user, use_case)
    changes = use_case.changes.select_related("requested_by", "decided_by")[:10]
    context = {
        "use_case": use_case,
        "models": models.select_related("owner").order_by("name"),
        "changes": [(change, _change_rows(change)) for change in changes],
        "can_decide": can_edit,
        "can_edit": can_edit,
        "can_propose": not can_edit and permissions.can_globally(user, "change_use_case"),
        "link_form": LinkModelForm(models=linkable) if linkable.exists() else None,
        "decision_form": DecisionForm(auto_id="uc_%s"),
    }
    return render(request, "registry/usecase_detail.html", context)


@login_required
def usecase_create(request: HttpRequest) -> HttpResponse:
    """Register a use case; from a model's page (?model=slug) it starts out using that model."""
    permissions.require_globally(request.user, "register_use_case")
    model_slug = request.GET.get("model", "")
    model = permissions.model_for_user_or_404(request.user, model_slug) if model_slug else None
    initial = {"owner": request.user.pk, "business_unit": model.business_unit if model else ""}
    form = UseCaseRegisterForm(_posted(request), initial=initial)
    use_case = ui.submit(
        form,
        lambda: services.register_use_case(
            actor=permissions.actor(request),
            slug=form.cleaned_data["slug"],
            models=[model] if model else [],
            **form.changes(),
        ),
    )
    if use_case is not None:
        messages.success(
            request, f"{use_case.name} is registered. Classify it under the EU AI Act."
        )
        return redirect(use_case)
    return render(request, "registry/usecase_form.html", {"form": form, "for_model": model})


@login_required
def usecase_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Its owner, compliance or an administrator change it; other owners propose a change."""
    use_case = _use_case_or_404(request, slug)
    if permissions.can_change_use_case(request.user, use_case):
        return _usecase_update(request, use_case)
    permissions.require_globally(request.user, "change_use_case")
    return _usecase_propose(request, use_case)


def _usecase_update(request: HttpRequest, use_case: UseCase) -> HttpResponse:
    form = UseCaseForm(_posted(request), initial=UseCaseForm.initial_for(use_case))
    updated = ui.submit(
        form,
        lambda: services.update_use_case(
            actor=permissions.actor(request), use_case=use_case, **form.changes()
        ),
    )
    if updated is not None:
        messages.success(request, f"{updated.name} is updated.")
        return redirect(updated)
    return render(request, "registry/usecase_form.html", {"form": form, "use_case": use_case})


def _usecase_propose(request: HttpRequest, use_case: UseCase) -> HttpResponse:
    form = UseCaseProposalForm(_posted(request), initial=UseCaseForm.initial_for(use_case))
    proposed = ui.submit(
        form,
        lambda: services.propose_use_case_change(
            actor=permissions.actor(request),
            use_case=use_case,
            note=form.cleaned_data["note"],
            **form.changed_from(use_case),
        ),
    )
    if proposed is not None:
        owner = use_case.owner.get_full_name() or use_case.owner.get_username()
        messages.success(request, f"Your change is proposed; {owner} accepts or refuses it.")
        return redirect(use_case)
    context = {"form": form, "use_case": use_case, "proposing": True}
    return render(request, "registry/usecase_form.html", context)


def _run_action(request: HttpRequest, action: Callable[[], object], done: str) -> None:
    """Run a one-button action (a link, an unlink, an end); a refusal comes back as a message."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.error_text)
    else:
        messages.success(request, done)


@login_required
@require_POST
def usecase_link(request: HttpRequest, slug: str) -> HttpResponse:
    """Link a model to the use case, from the use case's page."""
    use_case = _use_case_or_404(request, slug)
    if not request.POST.get("model"):
        messages.error(request, "Choose a model to link.")
        return redirect(use_case)
    model = permissions.model_for_user_or_404(request.user, request.POST["model"])
    _run_action(
        request,
        lambda: services.link_model(
            actor=permissions.actor(request), use_case=use_case, model=model
        ),
        f"{use_case.name} now uses {model.name}.",
    )
    return redirect(use_case)


@login_required
@require_POST
def model_usecase_link(request: HttpRequest, slug: str) -> HttpResponse:
    """Link the model to a use case, from the model's page."""
    model = permissions.model_for_user_or_404(request.user, slug)
    if not request.POST.get("use_case"):
        messages.error(request, "Choose a use case to link.")
        return redirect(model)
    use_case = _use_case_or_404(request, request.POST["use_case"])
    _run_action(
        request,
        lambda: services.link_model(
            actor=permissions.actor(request), use_case=use_case, model=model
        ),
        f"{model.name} is linked to {use_case.name}.",
    )
    return redirect(f"{model.get_absolute_url()}#use-cases")


@login_required
@require_POST
def usecase_unlink(request: HttpRequest, slug: str, model_slug: str) -> HttpResponse:
    """Take a model out of the use case; back to the page the button was on."""
    use_case = _use_case_or_404(request, slug)
    model = permissions.model_for_user_or_404(request.user, model_slug)
    _run_action(
        request,
        lambda: services.unlink_model(
            actor=permissions.actor(request), use_case=use_case, model=model
        ),
        f"{use_case.name} no longer uses {model.name}.",
    )
    if request.POST.get("back") == "model":
        return redirect(f"{model.get_absolute_url()}#use-cases")
    return redirect(use_case)


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


def _use_case_card(
    user: permissions.Visitor, model: MLModel, *, can_change: bool
) -> dict[str, object]:
    """The model page's use cases: which this user may unlink, and the use cases to link."""
    linked = list(model.use_cases.order_by("name"))
    return {
        "use_cases": linked,
        "use_cases_unlinkable": {u.pk for u in linked if permissions.can_change_use_case(user, u)},
        "use_cases_to_link": selectors.linkable_use_cases(
            user, linked=linked, may_change_model=can_change
        ),
        "can_register_use_case": permissions.can_globally(user, "register_use_case"),
    }


# Organisation profile


@login_required
def organisation_profile(request: HttpRequest) -> HttpResponse:
    """The organisation's facts: administrators change them; everyone may read them."""
    profile = OrganisationProfile.objects.filter(pk=1).first()
    may_edit = may_edit_organisation_profile(request.user)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied("Only administrators change the organisation profile.")
    form = OrganisationProfileForm(
        _posted(request), initial=OrganisationProfileForm.initial_for(profile)
    )
    saved = ui.submit(
        form,
        lambda: services.update_organisation_profile(
            actor=permissions.actor(request), **form.facts()
        ),
    )
    if saved is not None:
        messages.success(request, "The organisation profile is saved.")
        return redirect("registry:organisation-profile")
    context = {"form": form, "profile": profile, "may_edit": may_edit}
    return render(request, "registry/organisation_profile.html", context)


# Serving


@login_required
def serving(request: HttpRequest) -> HttpResponse:
    """Which version of each visible model was serving in environment E at time T?"""
    form = ServingForm.from_query(request.GET)
    page = _page(permissions.models_for(request.user).select_related("owner"), request)
    context = {"form": form, "page": page, "rows": _serving_rows(page, form.question())}
    return render(request, "registry/serving.html", context)
