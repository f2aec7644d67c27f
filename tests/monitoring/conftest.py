"""A pipeline's service account with a real token, and a version to push to."""

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
