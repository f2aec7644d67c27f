"""What counts as serving in production, and matching by external id: pure, no database."""

import pytest

from monitoring.cli.discover import slug_for
from monitoring.discovery.found import FoundModel, FoundVersion, serving
from monitoring.discovery.match import KnownVersion, match
from monitoring.discovery.readers import DiscoveryConfigError, discover

RULES = {"production_aliases": ("champion",), "production_stages": ("Production",)}


@pytest.mark.parametrize(
    ("aliases", "stage", "endpoints", "expected"),
    [
        ((), "", (), False),
        (("Champion",), "", (), True),  # case does not matter
        (("challenger",), "", (), False),
        ((), "production", (), True),
        ((), "Staging", (), False),
        ((), "", ("fraud-live",), True),
    ],
)
def test_serving_in_production(aliases, stage, endpoints, expected):
    assert serving(aliases=aliases, stage=stage, endpoints=endpoints, **RULES) is expected


def model(name, *versions):
    return FoundModel("mlflow", name, tuple(versions), "mlflow")


LIVE = FoundVersion("2", "pd/2", in_production=True)
IDLE = FoundVersion("1", "pd/1")


@pytest.mark.parametrize(
    ("found", "known_ids", "attest_model", "shadow", "unregistered"),
    [
        (model("pd", IDLE, LIVE), [], "", True, ("2",)),
        (model("pd", IDLE, LIVE), ["pd/1"], "retail-pd", False, ("2",)),
        (model("pd", IDLE, LIVE), ["pd/2"], "retail-pd", False, ()),
        (model("pd", IDLE), [], "", False, ()),
    ],
)
def test_a_model_is_known_by_any_versions_external_id(
    found, known_ids, attest_model, shadow, unregistered
):
    known = [KnownVersion(model="retail-pd", version="x", external_id=k) for k in known_ids]

    (result,) = match([found], known)

    assert (result.attest_model, result.is_shadow) == (attest_model, shadow)
    assert result.unregistered_production == unregistered


@pytest.mark.parametrize(
    ("name", "slug"),
    [("main.credit.PD Model", "main-credit-pd-model"), ("--x--", "x"), ("...", "discovered-model")],
)
def test_a_registry_name_becomes_an_inventory_slug(name, slug):
    assert slug_for(name) == slug


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"registry": "vertex"}, "use one of mlflow, sagemaker, databricks"),
        ({"registry": "mlflow", "uri": "x"}, "uri is not an option"),
    ],
)
def test_a_bad_discovery_configuration_says_what_is_wrong(config, message):
    with pytest.raises(DiscoveryConfigError, match=message):
        discover(config)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("[{", "is not JSON"),
        ('{"registry": "mlflow"}', "use a list"),
        ('[{"uri": "x"}]', "use a list"),
    ],
)
def test_a_malformed_attest_discovery_stops_start_up_naming_it(monkeypatch, raw, message):
    from django.core.exceptions import ImproperlyConfigured

    from governance.settings import env_discoveries

    monkeypatch.setenv("ATTEST_DISCOVERY", raw)
    with pytest.raises(ImproperlyConfigured, match=f"ATTEST_DISCOVERY.*{message}"):
        env_discoveries("ATTEST_DISCOVERY")


def test_attest_discovery_is_read_as_a_list_of_registries(monkeypatch):
    from governance.settings import env_discoveries

    monkeypatch.setenv("ATTEST_DISCOVERY", '[{"registry": "sagemaker", "region": "eu-west-1"}]')
    assert env_discoveries("ATTEST_DISCOVERY") == [{"registry": "sagemaker", "region": "eu-west-1"}]
