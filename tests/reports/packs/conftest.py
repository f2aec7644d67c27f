"""Evidence-pack fixtures: a scorecard retiered on a known date, asked for after every as-of."""

from datetime import UTC, datetime

import pytest
import time_machine

from governance.risk.models import Control
from governance.risk.services import controls
from registry import services as registry
from registry.models import MLModel, ModelVersion
from reports.models import EvidencePack
from reports.packs import services
from tests.factories.monitoring import store_points
from tests.reports.conftest import load_rulebooks
from tests.risk_answers import TIER_1, TIER_3, US_BANK_SCORECARD, assess

REGISTERED = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
RETIERED = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
BETWEEN = datetime(2026, 9, 15, 12, 0, tzinfo=UTC)
AFTER = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
EVIDENCE_TITLE = "Backtest report Q4"
AUC_BY_DAY = ((10, 0.81), (20, 0.79))  # October 2026


@pytest.fixture
def pack_clock():
    """Packs are asked for after every as-of instant the tests use, whatever the real date."""
    with time_machine.travel(NOW):
        yield


@pytest.fixture
def scorecard(db, owner, developer) -> ModelVersion:
    """Olivia's scorecard: Tier 3 from 1 September, Tier 1 from 1 October, with one evidence
    link and a metric series."""
    return build_scorecard(owner, developer)


def build_scorecard(owner, developer) -> ModelVersion:
    """The `scorecard` fixture's version, for a fixture built once for a module."""
    with time_machine.travel(REGISTERED, tick=False):
        load_rulebooks()
        model = registry.register_model(
            actor=owner,
            slug="retail-pd",
            name="Retail PD scorecard",
            business_unit="Retail Credit",
            model_type=MLModel.ModelType.CLASSICAL_ML,
        )
        version = registry.register_version(actor=owner, model=model, version="1.0")
        assess(owner, model, "scoping", US_BANK_SCORECARD)
        assess(owner, model, "tiering", TIER_3)
    with time_machine.travel(RETIERED, tick=False):
        assess(owner, model, "tiering", TIER_1)
        control = Control.objects.filter(model=model, applies=True).order_by("pk").first()
        controls.attach_evidence(
            actor=owner, control=control, title=EVIDENCE_TITLE, url="https://docs.example/bt"
        )
    store_points(
        version, "auc", [(datetime(2026, 10, day, tzinfo=UTC), value) for day, value in AUC_BY_DAY]
    )
    return version


def requested(actor, version: ModelVersion, as_of: datetime, capture) -> EvidencePack:
    """The pack of `version` as of `as_of`, asked for and drawn (its task run on commit)."""
    with capture(execute=True):
        pack = services.request_pack(actor=actor, version=version, as_of=as_of)
    pack.refresh_from_db()
    return pack


@pytest.fixture
def pack(scorecard, owner, django_capture_on_commit_callbacks) -> EvidencePack:
    return requested(owner, scorecard, AFTER, django_capture_on_commit_callbacks)


def pdf_of(pack: EvidencePack) -> bytes:
    with pack.file.open("rb") as f:
        return f.read()
