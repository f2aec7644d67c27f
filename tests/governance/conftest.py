"""Fixtures for the risk UI and API: shipped rulebooks, answers valid under them, assessed subjects.

Not autouse: tests that need the shipped rulebooks ask for `shipped_rulebooks` (directly or
through the assessed fixtures), so the other governance tests keep their own set-up.
"""

import pytest

from governance.rulebooks import services as rulebooks
from governance.rulebooks.models import Rulebook
from registry.models import MLModel
from tests.reports.conftest import load_rulebooks
from tests.risk_answers import TIER_1, US_BANK_SCORECARD, assess


@pytest.fixture
def shipped_rulebooks(db) -> None:
    """The scoping rules, EU AI Act rules, tiering methods and obligation catalogs shipped
    (`migrate` loaded them; they are loaded again only after a transactional test's flush)."""
    load_rulebooks()


def published(draft: Rulebook, asker, decider) -> Rulebook:
    """A draft one person asks to publish and a second person holding the publish right grants."""
    asked = rulebooks.request_publication(actor=asker, draft=draft)
    rulebooks.decide_publication(actor=decider, publication=asked, grant=True)
    return Rulebook.objects.get(pk=draft.pk)


@pytest.fixture
def evidence_storage(settings, tmp_path) -> None:
    """Uploaded evidence goes to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def scoped_pd_model(shipped_rulebooks, owner, credit_pd_model) -> MLModel:
    """The retail PD model scoped under SR 26-2 and PRA SS1/23 by Olivia."""
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    return credit_pd_model


@pytest.fixture
def tiered_pd_model(scoped_pd_model, owner) -> MLModel:
    """The retail PD model scoped and tiered Tier 1 by Olivia: its checklist exists."""
    assess(owner, scoped_pd_model, "tiering", TIER_1)
    return scoped_pd_model
