"""seed_demo on a database it must not fill: another team's model, a taken username, production.

Apart from test_seed_demo.py, whose module-wide seeded portfolio these tests must not see.
"""

import pytest
from django.core.management import CommandError

from registry.models import MLModel
from tests.factories.accounts import UserFactory
from tests.factories.registry import MLModelFactory
from tests.registry.test_seed_demo import seed_demo


def test_if_empty_skips_when_another_model_exists(db):
    MLModelFactory(slug="someone-elses-model")
    output = seed_demo("--if-empty")
    assert "demo data not loaded" in output
    assert "No demo logins" in output
    assert MLModel.objects.count() == 1


def test_refuses_when_a_demo_username_is_already_taken(db):
    UserFactory(username="vera")
    with pytest.raises(CommandError, match="vera exist"):
        seed_demo()
    assert not MLModel.objects.exists()


def test_refuses_to_create_demo_accounts_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="published password"):
        seed_demo()
