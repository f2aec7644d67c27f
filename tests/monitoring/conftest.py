"""A pipeline's service account with a real token, a version to push to, and MLflow stores."""

import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractBaseUser
from rest_framework.test import APIClient

from governance.access.models import RaciAssignment
from governance.access.services import raci, tokens
from registry import services
from registry.models import MLModel, ModelVersion


def token_client(key: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def pipeline(admin_user, owner, credit_pd_model) -> AbstractBaseUser:
    """ci-credit, the PD model's pipeline: Responsible for its development, so it may push."""
    account = tokens.create_service_account(
        actor=admin_user, username="ci-credit", description="Retail PD training pipeline"
    )
    raci.assign_raci(
        actor=owner,
        model=credit_pd_model,
        user=account,
        role="R",
        area=RaciAssignment.Area.DEVELOPMENT,
    )
    return account


@pytest.fixture
def pipeline_key(admin_user, pipeline) -> str:
    _, key = tokens.issue_token(actor=admin_user, user=pipeline, name="github actions")
    return key


@pytest.fixture
def pipeline_client(pipeline_key) -> APIClient:
    """The pipeline's API client, authenticated with its token as CI would be."""
    return token_client(pipeline_key)


@pytest.fixture
def pd_version(developer, credit_pd_model: MLModel) -> ModelVersion:
    return services.register_version(actor=developer, model=credit_pd_model, version="1.0.0")


@pytest.fixture(scope="session")
def mlflow_store(tmp_path_factory) -> Callable[[Path], str]:
    """Give it a folder, get the URI of an empty MLflow SQLite tracking store there.

    Each store is a copy of one whose tables MLflow created once for the session: creating them
    runs MLflow's whole migration history, seconds a store, where copying the file takes
    milliseconds. MLflow only checks the schema of a store whose tables exist."""
    pytest.importorskip("mlflow", reason="the mlflow extra is not installed")
    from mlflow.tracking import MlflowClient

    template = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        patch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        # MLflow's own chatter as its SQL store first sets up its mappings.
        warnings.filterwarnings("ignore", "The ``noload`` loader strategy", DeprecationWarning)
        MlflowClient(tracking_uri=f"sqlite:///{template}").search_experiments()

    def store(folder: Path) -> str:
        copy = folder / "mlflow.db"
        shutil.copyfile(template, copy)
        return f"sqlite:///{copy}"

    return store
