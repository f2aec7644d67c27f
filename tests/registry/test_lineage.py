"""Lineage: the pure graph layout, and a version's lineage read from the inventory."""

import datetime as dt

import pytest
from django.urls import reverse

from registry import selectors, services
from registry.lineage import LAYERS, Edge, Node, build_graph
from registry.models import MLModel
from tests.factories.registry import (
    DatasetVersionFactory,
    DeploymentFactory,
    ModelVersionFactory,
    TrainingRunFactory,
)

DATA = Node("dataset_version:1", "dataset_version", "Bureau 2025-12", "data")
RUN = Node("run:1", "run", "a1b2c3", "run")
VERSION = Node("version:1", "version", "Retail PD 1.0", "version")


def test_nodes_are_grouped_by_layer_in_pipeline_order_whatever_order_they_arrive():
    graph = build_graph([VERSION, DATA, RUN], [])
    assert [n.id for n in graph.nodes] == ["dataset_version:1", "run:1", "version:1"]
    assert list(graph.layers) == list(LAYERS)
    assert graph.layers["deployment"] == []


def test_within_a_layer_nodes_sort_by_kind_then_label():
    upstream = Node("model:9", "model", "Affordability", "data")
    later = Node("dataset_version:2", "dataset_version", "Bureau 2026-01", "data")
    graph = build_graph([upstream, later, DATA], [])
    assert [n.id for n in graph.layers["data"]] == [
        "dataset_version:1",
        "dataset_version:2",
        "model:9",
    ]


def test_duplicate_nodes_and_edges_are_kept_once():
    edge = Edge("run:1", "version:1", "produced")
    graph = build_graph([RUN, VERSION, RUN], [edge, edge])
    assert len(graph.nodes) == 2
    assert graph.edges == (edge,)


@pytest.mark.parametrize(
    "edge",
    [Edge("run:404", "version:1", "produced"), Edge("version:1", "deployment:404", "deployed as")],
)
def test_edges_to_or_from_unknown_nodes_are_dropped(edge):
    assert build_graph([RUN, VERSION], [edge]).edges == ()


def test_a_node_in_an_unknown_layer_goes_after_the_known_layers():
    extra = Node("report:1", "report", "Validation report", "evidence")
    graph = build_graph([extra, VERSION], [])
    assert list(graph.layers) == [*LAYERS, "evidence"]
    assert graph.nodes[-1] == extra


def test_as_dict_gives_focus_nodes_and_edges_as_plain_data():
    edge = Edge("run:1", "version:1", "produced")
    graph = build_graph([RUN, VERSION], [edge], focus="version:1")
    data = graph.as_dict()
    assert data["focus"] == "version:1"
    assert data["edges"] == [{"source": "run:1", "target": "version:1", "relation": "produced"}]
    assert data["nodes"][0] == {
        "id": "run:1",
        "kind": "run",
        "label": "a1b2c3",
        "layer": "run",
        "url": "",
        "detail": "",
    }


def test_a_version_without_run_or_deployments_is_a_single_node(db):
    version = ModelVersionFactory()
    graph = selectors.lineage_of(version, visible=MLModel.objects.all())
    assert [n.id for n in graph.nodes] == [f"version:{version.pk}"]
    assert (graph.edges, graph.focus) == ((), f"version:{version.pk}")


@pytest.fixture
def full_lineage(owner, credit_pd_model):
    """Version 1.0 of the PD model, its run on two bureau extracts, two deployments, and links."""
    inputs = DatasetVersionFactory.create_batch(2, dataset__name="Bureau")
    run = TrainingRunFactory(model=credit_pd_model, external_id="a1b2c3")
    run.input_datasets.set(inputs)
    version = ModelVersionFactory(model=credit_pd_model, version="1.0", training_run=run)
    jan = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    staging = DeploymentFactory(version=version, environment="staging", started_at=jan)
    prod = DeploymentFactory(version=version, started_at=jan, ended_at=jan.replace(month=6))
    linked = {}
    for slug in ("bureau-score", "pricing"):
        linked[slug] = services.register_model(
            actor=owner, slug=slug, name=slug.title(), business_unit="R", model_type="vendor"
        )
    services.add_dependency(
        actor=owner, upstream=linked["bureau-score"], downstream=credit_pd_model
    )
    services.add_dependency(actor=owner, upstream=credit_pd_model, downstream=linked["pricing"])
    return version, run, inputs, (staging, prod), linked


def test_lineage_of_lays_out_data_run_version_and_deployments_in_layers(full_lineage):
    version, run, inputs, (staging, prod), linked = full_lineage
    layers = {
        name: [n.id for n in nodes]
        for name, nodes in selectors.lineage_of(
            version, visible=MLModel.objects.all()
        ).layers.items()
    }
    assert layers == {
        "data": [
            *(f"dataset_version:{dv.pk}" for dv in inputs),
            f"model:{linked['bureau-score'].pk}",
        ],
        "run": [f"run:{run.pk}"],
        "version": [f"version:{version.pk}"],
        "deployment": [
            f"deployment:{prod.pk}",
            f"deployment:{staging.pk}",
            f"model:{linked['pricing'].pk}",
        ],
    }


def test_lineage_of_links_each_step_to_the_next(full_lineage):
    version, run, inputs, (staging, prod), linked = full_lineage
    v, r = f"version:{version.pk}", f"run:{run.pk}"
    edges = {
        (e.source, e.target, e.relation)
        for e in selectors.lineage_of(version, visible=MLModel.objects.all()).edges
    }
    assert edges == {
        *((f"dataset_version:{dv.pk}", r, "trained on") for dv in inputs),
        (r, v, "produced"),
        (v, f"deployment:{staging.pk}", "deployed as"),
        (v, f"deployment:{prod.pk}", "deployed as"),
        (f"model:{linked['bureau-score'].pk}", v, "feeds"),
        (v, f"model:{linked['pricing'].pk}", "feeds"),
    }


def test_lineage_of_labels_nodes_for_people(full_lineage, django_assert_max_num_queries):
    version, run, inputs, (staging, prod), _ = full_lineage
    with django_assert_max_num_queries(6):
        graph = selectors.lineage_of(version, visible=MLModel.objects.all())
    by_id = {n.id: n for n in graph.nodes}
    assert by_id[f"version:{version.pk}"].label == "Retail PD scorecard 1.0"
    assert by_id[f"version:{version.pk}"].url == reverse(
        "registry:version-detail", args=["retail-pd", "1.0"]
    )
    assert by_id[f"run:{run.pk}"].label == "a1b2c3"
    assert by_id[f"dataset_version:{inputs[0].pk}"].detail == inputs[0].content_sha256[:12]
    assert (by_id[f"deployment:{prod.pk}"].label, by_id[f"deployment:{prod.pk}"].detail) == (
        "Production",
        "2026-01-01 → 2026-06-01",
    )
    assert by_id[f"deployment:{staging.pk}"].detail == "2026-01-01 → live"
    upstream = next(n for n in graph.nodes if n.kind == "model" and n.layer == "data")
    assert (upstream.label, upstream.url) == (
        "Bureau-Score",
        reverse("registry:model-detail", args=["bureau-score"]),
    )
