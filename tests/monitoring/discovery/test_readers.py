"""Each registry's reader lists models, versions, aliases and endpoints as plain data."""

import pytest

from monitoring.discovery import databricks, mlflow, sagemaker
from monitoring.discovery.match import KnownVersion, match
from tests.monitoring.discovery import registries


def by_name(found):
    return {m.name: m for m in found}


def shadows_of(found, registry):
    known = [KnownVersion(model="known", version="1", external_id=registries.KNOWN[registry])]
    return [m.found.name for m in match(found, known) if m.is_shadow]


def test_mlflow_lists_every_version_with_its_aliases_and_finds_the_champion_nobody_registered(
    mlflow_uri,
):
    found = by_name(mlflow.read(tracking_uri=mlflow_uri))

    pd = found["credit-pd"]
    assert [(v.version, v.external_id, v.aliases) for v in pd.versions] == [
        ("1", "credit-pd/1", ()),
        ("2", "credit-pd/2", ("champion",)),
    ]
    assert [v.version for v in pd.production_versions] == ["2"]
    assert not found["churn"].in_production
    assert shadows_of(found.values(), "mlflow") == ["fraud-scorer"]


def test_mlflow_production_aliases_are_configurable(mlflow_uri):
    found = by_name(mlflow.read(tracking_uri=mlflow_uri, production_aliases=["live"]))

    assert not any(m.in_production for m in found.values())


def test_sagemaker_follows_live_endpoints_to_models_and_their_package_versions():
    found = by_name(sagemaker.read(client=registries.stubbed_sagemaker()))

    pd = found["credit-pd"]
    assert [(v.version, v.endpoints) for v in pd.versions] == [("1", ()), ("2", ("credit-live",))]
    assert pd.production_versions[0].external_id == registries.PD_V2
    assert not found["churn"].in_production
    scorer = found["fraud-scorer"].versions[0]
    assert scorer.external_id == f"{registries.ACCOUNT}:model/fraud-scorer"
    assert scorer.endpoints == ("fraud-live",)
    assert shadows_of(found.values(), "sagemaker") == ["fraud-scorer"]


def test_databricks_reads_unity_catalog_and_ready_serving_endpoints(
    databricks_host, databricks_env
):
    found = by_name(databricks.read(host=databricks_host))

    pd = found["main.credit.pd"]
    assert [(v.external_id, v.aliases) for v in pd.versions] == [
        ("main.credit.pd/1", ()),
        ("main.credit.pd/2", ("champion",)),
    ]
    assert found["main.fraud.scorer"].versions[0].endpoints == ("fraud-live",)
    assert not found["main.churn.xgb"].in_production  # its endpoint is not ready
    assert shadows_of(found.values(), "databricks") == ["main.fraud.scorer"]


@pytest.mark.parametrize(
    ("registry", "lib", "extra"),
    [("sagemaker", "boto3", "sagemaker"), ("databricks", "databricks.sdk", "databricks")],
)
def test_a_missing_sdk_names_the_extra_to_install(monkeypatch, registry, lib, extra):
    from monitoring.adapters.errors import MissingExtra
    from monitoring.discovery import readers

    monkeypatch.setitem(__import__("sys").modules, lib, None)
    with pytest.raises(MissingExtra, match=rf"attest-mrm\[{extra}\]"):
        readers.discover({"registry": registry})
