"""The registries discovery reads, by name, and one discovery configured as plain data.

A further registry (Vertex AI's Model Registry and endpoints, Azure ML's models and online
endpoints) is one more module with a `read(**options) -> list[FoundModel]` and one line here.
"""

from collections.abc import Callable, Mapping
from typing import Any

from monitoring.discovery import databricks, mlflow, sagemaker
from monitoring.discovery.found import FoundModel

Reader = Callable[..., list[FoundModel]]

# Registry -> its reader and the options it takes (as `ATTEST_DISCOVERY` entries name them).
READERS: dict[str, tuple[Reader, frozenset[str]]] = {
    "mlflow": (mlflow.read, frozenset({"tracking_uri", "production_aliases", "production_stages"})),
    "sagemaker": (sagemaker.read, frozenset({"region", "timeout", "attempts"})),
    "databricks": (
        databricks.read,
        frozenset({"host", "token", "catalog", "production_aliases", "timeout", "attempts"}),
    ),
}


class DiscoveryConfigError(Exception):
    """A configured discovery names an unknown registry or an option its reader does not take.

    Not a ValueError: the Databricks SDK raises those for a workspace it cannot reach, which
    the scheduled run logs and skips, while a mistake in the settings must stop it.
    """


def discover(config: Mapping[str, Any]) -> list[FoundModel]:
    """Read the registry one configuration names: `{"registry": "mlflow", "tracking_uri": ...}`."""
    options = dict(config)
    registry = str(options.pop("registry", ""))
    if registry not in READERS:
        raise DiscoveryConfigError(f"{registry or 'no registry'}: use one of {', '.join(READERS)}")
    reader, known = READERS[registry]
    unknown = sorted(set(options) - known)
    if unknown:
        raise DiscoveryConfigError(
            f"{registry}: {unknown[0]} is not an option (use {', '.join(sorted(known))})"
        )
    return reader(**options)


def location(config: Mapping[str, Any]) -> str:
    """Where a configured discovery looks, as people read it (the alert names it)."""
    where = config.get("tracking_uri") or config.get("host") or config.get("region") or "default"
    return f"{config.get('registry')} at {where}"


def registry_errors(registry: str) -> tuple[type[BaseException], ...]:
    """The exception types a registry's SDK raises when it refuses or cannot be reached."""
    try:
        if registry == mlflow.REGISTRY:
            from mlflow.exceptions import MlflowException

            return (MlflowException,)
        if registry == sagemaker.REGISTRY:
            from botocore.exceptions import BotoCoreError, ClientError

            return (BotoCoreError, ClientError)
        if registry == databricks.REGISTRY:
            from databricks.sdk.errors import DatabricksError

            # ValueError: no host or credentials found; OSError: the SDK's TimeoutError when its
            # retries ran out, and requests' connection errors.
            return (DatabricksError, ValueError, OSError)
    except ImportError:
        pass  # the reader raises MissingExtra, naming the extra
    return ()
