"""Inventory reads that cross models: lineage, what was serving when, a model's history."""

from datetime import datetime

from django.db.models import Count, Max, QuerySet

from governance import permissions
from governance.auditlog.models import AuditEvent
from registry.lineage import Edge, LineageGraph, Node, build_graph
from registry.models import Deployment, MLModel, ModelDependency, ModelVersion, UseCase


def upstream_model_ids(model: MLModel) -> set[int]:
    """Every model `model` depends on, directly or through others (breadth-first)."""
    seen: set[int] = set()
    frontier = {model.pk}
    while frontier:
        parents = set(
            ModelDependency.objects.filter(downstream_id__in=frontier).values_list(
                "upstream_id", flat=True
            )
        )
        frontier = parents - seen
        seen |= parents
    return seen


def serving_deployment(*, model: MLModel, environment: str, at: datetime) -> Deployment | None:
    """The deployment of `model` live in `environment` at instant `at`, if any."""
    return (
        Deployment.objects.select_related("version", "version__model")
        .filter(version__model=model)
        .in_environment(environment)
        .live_at(at)
        .order_by("-started_at")
        .first()
    )


def serving_at(
    *, models: QuerySet[MLModel], environment: str, at: datetime
) -> QuerySet[Deployment]:
    """For every model in `models`, the deployment live in `environment` at `at`: one query."""
    return (
        Deployment.objects.select_related("version", "version__model")
        .filter(version__model__in=models)
        .in_environment(environment)
        .live_at(at)
        .order_by("version__model__name", "-started_at")
    )


def model_history(model: MLModel) -> QuerySet[AuditEvent]:
    """Every audit event about the model or anything of its own (versions, RACI, deployments)."""
    return AuditEvent.objects.filter(mlmodel_id=model.pk).order_by("-seq")


def versions_of(model: MLModel) -> QuerySet[ModelVersion]:
    return (
        model.versions.select_related("created_by", "training_run")
        .annotate(
            deployment_count=Count("deployments"), last_deployed_at=Max("deployments__started_at")
        )
        .order_by("-created_at", "-id")
    )


def _version_node(version: ModelVersion) -> Node:
    return Node(
        f"version:{version.pk}",
        "version",
        f"{version.model.name} {version.version}",
        "version",
        url=version.get_absolute_url(),
        detail=version.framework,
    )


def _data_nodes(version: ModelVersion) -> tuple[list[Node], list[Edge]]:
    run = version.training_run
    if run is None:
        return [], []
    run_id = f"run:{run.pk}"
    nodes = [Node(run_id, "run", run.external_id or f"run #{run.pk}", "run", detail=run.tracker)]
    edges = [Edge(run_id, f"version:{version.pk}", "produced")]
    for dv in run.input_datasets.select_related("dataset"):
        node_id = f"dataset_version:{dv.pk}"
        nodes.append(
            Node(
                node_id,
                "dataset_version",
                f"{dv.dataset.name} {dv.version}",
                "data",
                url=dv.dataset.get_absolute_url(),
                detail=dv.external_ref or dv.content_sha256[:12],
            )
        )
        edges.append(Edge(node_id, run_id, "trained on"))
    return nodes, edges


def _deployment_nodes(version: ModelVersion) -> tuple[list[Node], list[Edge]]:
    nodes, edges = [], []
    for dep in version.deployments.all():
        until = f"{dep.ended_at:%Y-%m-%d}" if dep.ended_at else "live"
        node_id = f"deployment:{dep.pk}"
        nodes.append(
            Node(
                node_id,
                "deployment",
                dep.get_environment_display(),
                "deployment",
                detail=f"{dep.started_at:%Y-%m-%d} → {until}",
            )
        )
        edges.append(Edge(f"version:{version.pk}", node_id, "deployed as"))
    return nodes, edges


def _model_link_nodes(
    version: ModelVersion, visible: QuerySet[MLModel]
) -> tuple[list[Node], list[Edge]]:
    nodes, edges, focus = [], [], f"version:{version.pk}"
    links = ModelDependency.objects.select_related("upstream", "downstream")
    for dep in links.filter(downstream=version.model, upstream__in=visible):
        node_id = f"model:{dep.upstream_id}"
        nodes.append(
            Node(node_id, "model", dep.upstream.name, "data", url=dep.upstream.get_absolute_url())
        )
        edges.append(Edge(node_id, focus, "feeds"))
    for dep in links.filter(upstream=version.model, downstream__in=visible):
        node_id = f"model:{dep.downstream_id}"
        nodes.append(
            Node(
                node_id,
                "model",
                dep.downstream.name,
                "deployment",
                url=dep.downstream.get_absolute_url(),
            )
        )
        edges.append(Edge(focus, node_id, "feeds"))
    return nodes, edges


def lineage_of(version: ModelVersion, *, visible: QuerySet[MLModel]) -> LineageGraph:
    """The version's run, the run's data, its deployments and the models up- and downstream.

    Neighbouring models outside `visible` (the viewer's models) are left out: their names
    must not leak to someone who may not see them.
    """
    version = ModelVersion.objects.select_related("model", "training_run").get(pk=version.pk)
    nodes, edges = [_version_node(version)], []
    for part in (_data_nodes, _deployment_nodes):
        more_nodes, more_edges = part(version)
        nodes += more_nodes
        edges += more_edges
    more_nodes, more_edges = _model_link_nodes(version, visible)
    return build_graph(nodes + more_nodes, edges + more_edges, focus=f"version:{version.pk}")


def linkable_models(user: permissions.Visitor, use_case: UseCase) -> QuerySet[MLModel]:
    """Models this user may link to the use case: any they can see if they may change the use
    case, else the ones they may change (registry.services.use_cases.may_link decides again)."""
    action = "view" if permissions.can_change_use_case(user, use_case) else "change"
    return permissions.models_for(user, action).exclude(use_cases=use_case).order_by("name")


def linkable_use_cases(
    user: permissions.Visitor, *, linked: list[UseCase], may_change_model: bool
) -> list[UseCase]:
    """Use cases this user may link a model to (those not in `linked`, the ones it serves):
    any if they may change the model, else the ones they may change."""
    others = UseCase.objects.exclude(pk__in=[u.pk for u in linked]).order_by("name")
    if may_change_model:
        return list(others)
    return [use_case for use_case in others if permissions.can_change_use_case(user, use_case)]


def external_ids() -> list[dict[str, str]]:
    """Every inventory version that carries a tracker's external id: what discovery matches."""
    rows = (
        ModelVersion.objects.exclude(external_id="")
        .order_by("model__slug", "version")
        .values("model__slug", "version", "source_tracker", "external_id")
    )
    return [
        {
            "model": row["model__slug"],
            "version": row["version"],
            "tracker": row["source_tracker"],
            "external_id": row["external_id"],
        }
        for row in rows
    ]
