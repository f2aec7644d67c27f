"""The lineage graph of a model version, laid out in layers. No Django here: rows in, graph out."""

from collections.abc import Iterable
from dataclasses import dataclass, field

LAYERS = ("data", "run", "version", "deployment")


@dataclass(frozen=True)
class Node:
    """One thing in the picture: a dataset version, a run, a model version, a deployment..."""

    id: str
    kind: str
    label: str
    layer: str
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    relation: str


@dataclass(frozen=True)
class LineageGraph:
    """Nodes grouped by layer (data → runs → versions → deployments) and the edges between."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    focus: str = ""
    layers: dict[str, list[Node]] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "focus": self.focus,
            "nodes": [n.__dict__ for n in self.nodes],
            "edges": [e.__dict__ for e in self.edges],
        }


def build_graph(nodes: Iterable[Node], edges: Iterable[Edge], *, focus: str = "") -> LineageGraph:
    """De-duplicate nodes and edges, drop edges to unknown nodes, and group nodes by layer."""
    unique_nodes = {node.id: node for node in nodes}
    unique_edges = {
        (e.source, e.target, e.relation): e
        for e in edges
        if e.source in unique_nodes and e.target in unique_nodes
    }
    layers: dict[str, list[Node]] = {layer: [] for layer in LAYERS}
    for node in unique_nodes.values():
        layers.setdefault(node.layer, []).append(node)
    for members in layers.values():
        members.sort(key=lambda n: (n.kind, n.label))
    ordered = tuple(n for layer in layers.values() for n in layer)
    return LineageGraph(ordered, tuple(unique_edges.values()), focus, layers)
