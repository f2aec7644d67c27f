"""Databricks: Unity Catalog registered models and versions, and the serving endpoints.

Read with databricks-sdk's `WorkspaceClient` (host and token as the SDK finds them, or given):

- models and their aliases: `GET /api/2.1/unity-catalog/models`;
- versions: `GET /api/2.1/unity-catalog/models/{full_name}/versions`, external id
  `<catalog>.<schema>.<model>/<version>` (what `attest push mlflow` records against a
  `databricks-uc` registry);
- serving: `GET /api/2.0/serving-endpoints`; a READY endpoint's served entities name a model
  and version. A version under a production alias (`champion` ...) counts as serving too.
"""

from collections.abc import Iterable
from typing import Any

from monitoring.adapters.errors import MissingExtra
from monitoring.discovery.found import DEFAULT_PRODUCTION_ALIASES, FoundModel, FoundVersion, serving

REGISTRY = "databricks"
TRACKER = "mlflow"  # Unity Catalog's registry is MLflow's; `attest push mlflow` records it so
EXTRA = "databricks"


def client_for(host: str = "", token: str = "", timeout: float = 0, attempts: int = 0) -> Any:
    """A `WorkspaceClient` (host and token from the SDK's usual chain if blank), giving up after
    `timeout` seconds per request, and retrying for about `attempts` of them, when they are set
    (the SDK's own default retries for five minutes)."""
    try:
        from databricks.sdk import WorkspaceClient
        from databricks.sdk.config import Config
    except ImportError:
        raise MissingExtra("databricks-sdk", EXTRA) from None
    limits: dict[str, Any] = {}
    if timeout:
        limits["http_timeout_seconds"] = timeout
        limits["retry_timeout_seconds"] = max(1, round(timeout * max(attempts, 1)))
    return WorkspaceClient(config=Config(host=host or None, token=token or None, **limits))


def read(
    *,
    client: Any = None,
    host: str = "",
    token: str = "",
    catalog: str = "",
    production_aliases: Iterable[str] = DEFAULT_PRODUCTION_ALIASES,
    timeout: float = 0,
    attempts: int = 0,
) -> list[FoundModel]:
    """Every Unity Catalog model (of `catalog` if given) with its versions and what serves them."""
    client = client or client_for(host, token, timeout, attempts)
    endpoints = _served(client)
    wanted = tuple(production_aliases)
    found = []
    listed = client.registered_models.list(**({"catalog_name": catalog} if catalog else {}))
    for model in listed:
        aliases: dict[str, list[str]] = {}
        for alias in model.aliases or ():
            aliases.setdefault(str(alias.version_num), []).append(alias.alias_name)
        versions = [
            _version(model.full_name, str(v.version), aliases, endpoints, wanted)
            for v in client.model_versions.list(model.full_name)
        ]
        found.append(FoundModel(REGISTRY, model.full_name, tuple(versions), TRACKER))
    return sorted(found, key=lambda m: m.name)


def _served(client: Any) -> dict[tuple[str, str], list[str]]:
    """(model full name, version) -> the READY endpoints serving it."""
    served: dict[tuple[str, str], list[str]] = {}
    for endpoint in client.serving_endpoints.list():
        ready = endpoint.state is not None and str(_value(endpoint.state.ready)) == "READY"
        config = endpoint.config
        if not ready or config is None:
            continue
        for entity in [*(config.served_entities or ()), *(config.served_models or ())]:
            name = getattr(entity, "entity_name", None) or getattr(entity, "model_name", None)
            version = getattr(entity, "entity_version", None) or getattr(
                entity, "model_version", None
            )
            if name and version:
                served.setdefault((name, str(version)), []).append(endpoint.name)
    return served


def _value(enum: Any) -> Any:
    return getattr(enum, "value", enum)


def _version(
    name: str,
    version: str,
    aliases: dict[str, list[str]],
    endpoints: dict[tuple[str, str], list[str]],
    production_aliases: tuple[str, ...],
) -> FoundVersion:
    named = tuple(sorted(aliases.get(version, ())))
    serving_at = tuple(sorted(endpoints.get((name, version), ())))
    return FoundVersion(
        version=version,
        external_id=f"{name}/{version}",
        aliases=named,
        endpoints=serving_at,
        in_production=serving(
            aliases=named,
            stage="",
            endpoints=serving_at,
            production_aliases=production_aliases,
            production_stages=(),
        ),
    )
