"""MLflow's model registry: every registered model's versions, their aliases and stages.

MLflow has no serving endpoints of its own: a version serves in production when it carries a
production alias (`champion`, `production`, `prod` by default) or sits in the Production stage
(stages are deprecated since MLflow 2.9 but still set by older pipelines).
"""

from collections.abc import Iterable
from typing import Any

from monitoring.adapters.errors import MissingExtra
from monitoring.discovery.found import (
    DEFAULT_PRODUCTION_ALIASES,
    DEFAULT_PRODUCTION_STAGES,
    FoundModel,
    FoundVersion,
    serving,
)

REGISTRY = TRACKER = "mlflow"
PAGE = 1000


def read(
    *,
    tracking_uri: str,
    production_aliases: Iterable[str] = DEFAULT_PRODUCTION_ALIASES,
    production_stages: Iterable[str] = DEFAULT_PRODUCTION_STAGES,
) -> list[FoundModel]:
    """Every registered model of the tracking server at `tracking_uri`, with all its versions."""
    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise MissingExtra("mlflow") from None
    client = MlflowClient(tracking_uri=tracking_uri)
    versions: dict[str, list[FoundVersion]] = {}
    aliases: dict[tuple[str, str], list[str]] = {}
    rules = {
        "production_aliases": tuple(production_aliases),
        "production_stages": tuple(production_stages),
    }
    # A model's aliases come with the model: searched versions carry none over REST.
    for model in _pages(client.search_registered_models):
        versions[model.name] = []
        for alias, number in (model.aliases or {}).items():
            aliases.setdefault((model.name, str(number)), []).append(alias)
    for version in _pages(client.search_model_versions):
        named = tuple(sorted(aliases.get((version.name, str(version.version)), ())))
        versions.setdefault(version.name, []).append(_version(version, named, **rules))
    return [
        FoundModel(
            registry=REGISTRY,
            name=name,
            versions=tuple(sorted(found, key=lambda v: int(v.version))),
            tracker=TRACKER,
        )
        for name, found in sorted(versions.items())
    ]


def _pages(search: Any) -> Iterable[Any]:
    token = None
    while True:
        page = search(max_results=PAGE, page_token=token)
        yield from page
        token = page.token
        if not token:
            return


def _version(
    version: Any,
    aliases: tuple[str, ...],
    *,
    production_aliases: tuple[str, ...],
    production_stages: tuple[str, ...],
) -> FoundVersion:
    stage = version.current_stage or ""
    stage = "" if stage == "None" else stage  # MLflow's stage of a version in no stage
    return FoundVersion(
        version=str(version.version),
        external_id=f"{version.name}/{version.version}",
        aliases=aliases,
        stage=stage,
        in_production=serving(
            aliases=aliases,
            stage=stage,
            endpoints=(),
            production_aliases=production_aliases,
            production_stages=production_stages,
        ),
    )
