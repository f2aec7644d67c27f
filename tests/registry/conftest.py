"""Fixtures shared by the inventory tests."""

import pytest

from registry import services
from registry.models import UseCase


@pytest.fixture
def lending(owner, credit_pd_model) -> UseCase:
    """Olivia's loan-decisioning system, which uses the retail PD model."""
    return services.register_use_case(
        actor=owner,
        slug="loan-decisions",
        name="Retail loan decisions",
        business_purpose="Approve or decline unsecured loans",
        business_unit="Retail Credit",
        models=[credit_pd_model],
    )
