import pytest

from registry import services
from tests.monitoring.discovery import registries


@pytest.fixture(scope="session")
def mlflow_uri(tmp_path_factory, mlflow_store):
    """A real MLflow tracking server with three registered models (see registries.fill_mlflow),
    its store a copy of the session's, tables made."""
    root = tmp_path_factory.mktemp("mlflow-registry")
    store_uri = mlflow_store(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        with registries.mlflow_server(root, store_uri) as uri:
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


TRACKERS = {"mlflow": "mlflow", "sagemaker": "sagemaker", "databricks": "mlflow"}


@pytest.fixture
def known(owner, credit_pd_model) -> None:
    """The PD model holds, as a version each, the registries' known model's external id."""
    for n, (registry, external_id) in enumerate(registries.KNOWN.items(), start=1):
        services.register_version(
            actor=owner,
            model=credit_pd_model,
            version=f"{n}.0",
            source_tracker=TRACKERS[registry],
            external_id=external_id,
        )


@pytest.fixture
def free_port_uri(monkeypatch) -> str:
    """An address where no tracking server listens (MLflow told not to retry)."""
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "5")
    return f"http://127.0.0.1:{registries.free_port()}"
