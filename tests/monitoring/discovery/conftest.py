import pytest

from tests.monitoring.discovery import registries


@pytest.fixture(scope="session")
def mlflow_uri(tmp_path_factory):
    """A real MLflow tracking server with three registered models (see registries.fill_mlflow)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        with registries.mlflow_server(tmp_path_factory.mktemp("mlflow-registry")) as uri:
            registries.fill_mlflow(uri)
            yield uri


@pytest.fixture(scope="session")
def databricks_host():
    with registries.databricks_server() as host:
        yield host


@pytest.fixture
def databricks_env(monkeypatch, tmp_path):
    """The token the loopback workspace expects, and no ~/.databrickscfg of the machine's."""
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-test")
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("DATABRICKS_HOST", "DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
