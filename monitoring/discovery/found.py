"""What a registry reader returns: models, their versions, and what serves them, as plain data.

A reader is a function `read(**options) -> list[FoundModel]` (`READERS` in `readers.py`). Each
registry gives a version the external id Attest stores on `ModelVersion.external_id`, so a
version pushed or registered earlier is recognised: MLflow and Databricks Unity Catalog
`<model name>/<version>` (as `attest push mlflow` records it), SageMaker the model package's
or the model's ARN.
"""

from dataclasses import dataclass, field
from typing import Any

DEFAULT_PRODUCTION_ALIASES = ("champion", "production", "prod")
DEFAULT_PRODUCTION_STAGES = ("Production",)


@dataclass(frozen=True)
class FoundVersion:
    """One version in a registry: its label, its external id, and why it counts as serving."""

    version: str
    external_id: str
    aliases: tuple[str, ...] = ()
    stage: str = ""
    endpoints: tuple[str, ...] = ()  # serving endpoints that name this version
    in_production: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "external_id": self.external_id,
            "aliases": list(self.aliases),
            "stage": self.stage,
            "endpoints": list(self.endpoints),
            "in_production": self.in_production,
        }


@dataclass(frozen=True)
class FoundModel:
    """One model in a registry (`registry` names the kind: mlflow, sagemaker, databricks)."""

    registry: str
    name: str
    versions: tuple[FoundVersion, ...] = field(default_factory=tuple)
    tracker: str = ""  # the inventory's source tracker for its versions

    @property
    def in_production(self) -> bool:
        return any(v.in_production for v in self.versions)

    @property
    def production_versions(self) -> tuple[FoundVersion, ...]:
        return tuple(v for v in self.versions if v.in_production)

    def as_json(self) -> dict[str, Any]:
        return {
            "registry": self.registry,
            "name": self.name,
            "tracker": self.tracker,
            "in_production": self.in_production,
            "versions": [v.as_json() for v in self.versions],
        }


def serving(
    *,
    aliases: tuple[str, ...],
    stage: str,
    endpoints: tuple[str, ...],
    production_aliases: tuple[str, ...],
    production_stages: tuple[str, ...],
) -> bool:
    """A version serves in production behind a live endpoint, or under a production alias or
    stage (compared without regard to case: registries differ in how they spell them)."""
    wanted_aliases = {a.lower() for a in production_aliases}
    wanted_stages = {s.lower() for s in production_stages}
    return (
        bool(endpoints)
        or any(a.lower() in wanted_aliases for a in aliases)
        or (bool(stage) and stage.lower() in wanted_stages)
    )
