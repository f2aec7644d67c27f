"""SageMaker: model package groups and their versions, and the models behind live endpoints.

Read with boto3's `sagemaker` client (credentials and region as boto3 finds them, or a
`client` passed in):

- versions: each model package group (`ListModelPackageGroups`) is a model, each of its
  packages (`ListModelPackages`) a version whose external id is the package's ARN;
- serving: every InService endpoint (`ListEndpoints`) names an endpoint config
  (`DescribeEndpoint`), whose production variants name models (`DescribeEndpointConfig`); a
  model (`DescribeModel`) built from a package puts that package version in production, and a
  model built from a bare image is a model of its own, its ARN the external id.
"""

from collections.abc import Iterator
from typing import Any

from monitoring.adapters.errors import MissingExtra
from monitoring.discovery.found import FoundModel, FoundVersion

REGISTRY = TRACKER = "sagemaker"
EXTRA = "sagemaker"


def client_for(region: str = "", timeout: float = 0, attempts: int = 0) -> Any:
    """A boto3 `sagemaker` client (region and credentials from boto3's usual chain if blank),
    giving up after `timeout` seconds per request and `attempts` tries when they are set."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise MissingExtra("boto3", EXTRA) from None
    limits: dict[str, Any] = {}
    if timeout:
        limits.update(connect_timeout=timeout, read_timeout=timeout)
    if attempts:
        limits["retries"] = {"total_max_attempts": attempts, "mode": "standard"}
    region_name = {"region_name": region} if region else {}
    return boto3.client("sagemaker", config=Config(**limits), **region_name)


def read(
    *, client: Any = None, region: str = "", timeout: float = 0, attempts: int = 0
) -> list[FoundModel]:
    """Every model package group with its versions, and every model serving an endpoint."""
    client = client or client_for(region, timeout, attempts)
    served = _served_models(client)  # model name -> (description, endpoints)
    by_package: dict[str, tuple[str, ...]] = {}
    bare: list[FoundModel] = []
    for name, (model, endpoints) in sorted(served.items()):
        package = _package_of(model)
        if package:
            by_package[package] = tuple(sorted({*by_package.get(package, ()), *endpoints}))
        else:
            version = FoundVersion(
                version=name,
                external_id=model["ModelArn"],
                endpoints=endpoints,
                in_production=True,
            )
            bare.append(FoundModel(REGISTRY, name, (version,), TRACKER))
    groups = [_group(client, name, by_package) for name in _group_names(client)]
    return groups + bare


def _pages(call: Any, key: str, **params: Any) -> Iterator[dict[str, Any]]:
    token = ""
    while True:
        page = call(**params, **({"NextToken": token} if token else {}))
        yield from page.get(key, [])
        token = page.get("NextToken", "")
        if not token:
            return


def _served_models(client: Any) -> dict[str, tuple[dict[str, Any], tuple[str, ...]]]:
    endpoints: dict[str, list[str]] = {}
    for summary in _pages(client.list_endpoints, "Endpoints", StatusEquals="InService"):
        name = summary["EndpointName"]
        config_name = client.describe_endpoint(EndpointName=name)["EndpointConfigName"]
        config = client.describe_endpoint_config(EndpointConfigName=config_name)
        for variant in config.get("ProductionVariants", []):
            if variant.get("ModelName"):
                endpoints.setdefault(variant["ModelName"], []).append(name)
    return {
        model: (client.describe_model(ModelName=model), tuple(sorted(names)))
        for model, names in endpoints.items()
    }


def _package_of(model: dict[str, Any]) -> str:
    """The model package ARN a model was built from, if any (single or multi-container)."""
    containers = [model.get("PrimaryContainer") or {}, *model.get("Containers", [])]
    return next((c["ModelPackageName"] for c in containers if c.get("ModelPackageName")), "")


def _group_names(client: Any) -> list[str]:
    groups = _pages(client.list_model_package_groups, "ModelPackageGroupSummaryList")
    return sorted(g["ModelPackageGroupName"] for g in groups)


def _group(client: Any, name: str, serving: dict[str, tuple[str, ...]]) -> FoundModel:
    packages = _pages(
        client.list_model_packages, "ModelPackageSummaryList", ModelPackageGroupName=name
    )
    versions = []
    for package in packages:
        arn = package["ModelPackageArn"]
        endpoints = serving.get(arn, ())
        versions.append(
            FoundVersion(
                version=str(package.get("ModelPackageVersion", arn.rsplit("/", 1)[-1])),
                external_id=arn,
                stage=package.get("ModelApprovalStatus", ""),
                endpoints=endpoints,
                in_production=bool(endpoints),
            )
        )
    return FoundModel(REGISTRY, name, tuple(versions), TRACKER)
