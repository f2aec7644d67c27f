"""Portfolio packs: the evidence packs of every model a selection matches as of one instant,
drawn through the same pack service and handed over as one zip whose manifest names each pack's
hashes."""

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from registry import services as registry
from registry.models import MLModel, ModelVersion
from reports.models import EvidencePack, PortfolioPack
from reports.packs import render, services
from reports.packs.selectors import Selection
from tests.reports.packs.conftest import AFTER, BETWEEN, RETIERED, build_scorecard, pdf_of
from tests.risk_answers import TIER_3, US_BANK_SCORECARD, assess

pytestmark = pytest.mark.usefixtures("pack_media", "pack_clock")
LIVE = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
SECOND_LIVE = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)
TIER_1_IN_PRODUCTION = Selection(tiers=("tier_1",))


@pytest.fixture
def portfolio_models(owner, developer) -> dict[str, ModelVersion]:
    """The Tier 1 scorecard live in production (1.0, then 1.1 from 20 October), a Tier 3 model
    live in production, and a Tier 3 model live nowhere."""
    scorecard = build_scorecard(owner, developer)
    with time_machine.travel(LIVE, tick=False):
        registry.record_deployment(actor=owner, version=scorecard, environment="production")
        churn = _tier_3_model(owner, "churn", "Current account churn")
        registry.record_deployment(actor=owner, version=churn, environment="production")
        idle = _tier_3_model(owner, "idle", "Idle prototype")
    with time_machine.travel(SECOND_LIVE, tick=False):
        newer = registry.register_version(actor=owner, model=scorecard.model, version="1.1")
        registry.record_deployment(actor=owner, version=newer, environment="production")
    return {"scorecard": scorecard, "newer": newer, "churn": churn, "idle": idle}


def _tier_3_model(owner, slug: str, name: str) -> ModelVersion:
    model = registry.register_model(
        actor=owner,
        slug=slug,
        name=name,
        business_unit="Retail Banking",
        model_type=MLModel.ModelType.CLASSICAL_ML,
    )
    assess(owner, model, "scoping", US_BANK_SCORECARD)
    assess(owner, model, "tiering", TIER_3)
    return registry.register_version(actor=owner, model=model, version="1.0")


def asked(actor, selection: Selection, as_of: datetime, capture) -> PortfolioPack:
    """A portfolio pack asked for, its packs and its zip made as its tasks run on commit."""
    with capture(execute=True):
        portfolio = services.request_portfolio(actor=actor, selection=selection, as_of=as_of)
    portfolio.refresh_from_db()
    return portfolio


def zipped(portfolio: PortfolioPack) -> dict[str, bytes]:
    with portfolio.file.open("rb") as f:
        content = f.read()
    assert hashlib.sha256(content).hexdigest() == portfolio.sha256
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_tier_1_in_production_gives_one_zip_naming_each_pack_and_its_hashes(
    portfolio_models, auditor, django_capture_on_commit_callbacks
):
    portfolio = asked(auditor, TIER_1_IN_PRODUCTION, AFTER, django_capture_on_commit_callbacks)

    assert portfolio.status == PortfolioPack.Status.READY, portfolio.error
    files = zipped(portfolio)
    listing = json.loads(files["manifest.json"])
    assert hashlib.sha256(files["manifest.json"]).hexdigest() == portfolio.manifest_sha256
    (entry,) = listing["packs"]  # the Tier 3 models are left out
    pack = EvidencePack.objects.get(pack_id=entry["pack_id"])
    assert (entry["model"], entry["version"]) == ("retail-pd", "1.1")  # live on 1 November
    assert entry["sha256"] == pack.sha256 == hashlib.sha256(files[entry["file"]]).hexdigest()
    assert entry["manifest_sha256"] == pack.manifest_sha256
    assert files[entry["file"]] == pdf_of(pack)
    assert listing["as_of"] == AFTER.isoformat()
    assert listing["selection"] == {
        "tiers": ["tier_1"],
        "environment": "production",
        "business_unit": "",
    }
    verbs = AuditEvent.objects.filter(
        target_type="reports.portfoliopack", target_id=str(portfolio.pk)
    ).values_list("verb", flat=True)
    assert list(verbs.order_by("seq")) == ["portfolio_pack.requested", "portfolio_pack.generated"]


def test_each_model_gives_the_version_live_at_the_instant_or_its_newest(
    portfolio_models, auditor, django_capture_on_commit_callbacks
):
    live_then = asked(auditor, Selection(), LIVE, django_capture_on_commit_callbacks)
    newest = asked(auditor, Selection(environment=""), AFTER, django_capture_on_commit_callbacks)

    def shown(portfolio):
        return [
            (e["model"], e["version"])
            for e in json.loads(zipped(portfolio)["manifest.json"])["packs"]
        ]

    assert shown(live_then) == [("churn", "1.0"), ("retail-pd", "1.0")]
    assert shown(newest) == [("churn", "1.0"), ("idle", "1.0"), ("retail-pd", "1.1")]


def test_the_tier_is_the_one_in_force_at_the_instant(portfolio_models, auditor):
    # The scorecard was Tier 3 until 1 October: on 15 September no Tier 1 model is in the
    # inventory, and none was live anywhere yet.
    with pytest.raises(DomainError) as caught:
        services.request_portfolio(
            actor=auditor, selection=Selection(tiers=("tier_1",), environment=""), as_of=BETWEEN
        )
    assert caught.value.field == "tiers"
    assert not PortfolioPack.objects.exists()
    assert (
        services.request_portfolio(
            actor=auditor, selection=Selection(tiers=("tier_1",), environment=""), as_of=RETIERED
        ).packs.count()
        == 1
    )


def test_the_same_ask_again_reuses_the_packs_and_lists_the_same_files(
    portfolio_models, auditor, django_capture_on_commit_callbacks
):
    first = asked(auditor, TIER_1_IN_PRODUCTION, AFTER, django_capture_on_commit_callbacks)
    again = asked(auditor, TIER_1_IN_PRODUCTION, AFTER, django_capture_on_commit_callbacks)

    assert again.portfolio_id != first.portfolio_id
    assert list(again.packs.all()) == list(first.packs.all())
    files, files_again = zipped(first), zipped(again)
    listed, listed_again = (json.loads(f.pop("manifest.json")) for f in (files, files_again))
    assert listed["packs"] == listed_again["packs"]
    assert files == files_again


def test_a_pack_that_fails_fails_the_portfolio_naming_its_model(
    portfolio_models, auditor, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(pack):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(render, "build", broken)

    portfolio = asked(auditor, TIER_1_IN_PRODUCTION, AFTER, django_capture_on_commit_callbacks)

    assert portfolio.status == PortfolioPack.Status.FAILED
    assert "Retail PD scorecard 1.1" in portfolio.error
    assert not portfolio.file
    assert AuditEvent.objects.filter(
        verb="portfolio_pack.failed", target_id=str(portfolio.pk)
    ).exists()


def test_assembly_waits_while_a_pack_is_still_being_drawn(portfolio_models, auditor):
    portfolio = services.request_portfolio(
        actor=auditor, selection=TIER_1_IN_PRODUCTION, as_of=AFTER
    )  # not committed: no pack drawn yet

    assert services.assemble_portfolio(portfolio) == services.PENDING
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioPack.Status.QUEUED


def test_only_those_who_read_the_whole_portfolio_may_ask(portfolio_models, owner):
    with pytest.raises(PermissionDenied) as caught:
        services.request_portfolio(actor=owner, selection=TIER_1_IN_PRODUCTION, as_of=AFTER)
    assert "may not view portfolio" in str(caught.value)


def test_an_instant_in_the_future_is_refused(portfolio_models, auditor):
    with pytest.raises(DomainError) as caught:
        services.request_portfolio(
            actor=auditor, selection=TIER_1_IN_PRODUCTION, as_of=datetime(2030, 1, 1, tzinfo=UTC)
        )
    assert caught.value.field == "as_of"


def test_the_page_asks_shows_progress_and_the_download_is_audited(
    portfolio_models, auditor, client, django_capture_on_commit_callbacks
):
    client.force_login(auditor)
    page = client.get(reverse("packs:portfolio-list"))
    assert page.status_code == 200
    assert "Tier 1" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("packs:portfolio-list"),
            {"tiers": ["tier_1"], "environment": "production", "as_of": "2026-11-01T12:00"},
        )
    portfolio = PortfolioPack.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("packs:portfolio-detail", args=[portfolio.portfolio_id])
    detail = client.get(response.url).content.decode()
    assert "Retail PD scorecard" in detail and "Download the zip" in detail
    download = client.get(reverse("packs:portfolio-download", args=[portfolio.portfolio_id]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert AuditEvent.objects.filter(verb="portfolio_pack.downloaded", actor=auditor).exists()


def test_a_selection_nothing_matches_is_said_on_the_form(portfolio_models, auditor, client):
    client.force_login(auditor)
    response = client.post(
        reverse("packs:portfolio-list"),
        {"tiers": ["tier_2"], "environment": "production", "as_of": "2026-11-01T12:00"},
    )
    assert response.status_code == 400
    assert "no model matches this selection" in response.content.decode()


def test_a_model_owner_does_not_see_portfolio_packs(
    portfolio_models, owner, auditor, client, django_capture_on_commit_callbacks
):
    portfolio = asked(auditor, TIER_1_IN_PRODUCTION, AFTER, django_capture_on_commit_callbacks)
    client.force_login(owner)
    assert client.get(reverse("packs:portfolio-list")).status_code == 404
    detail = reverse("packs:portfolio-detail", args=[portfolio.portfolio_id])
    assert client.get(detail).status_code == 404
    download = reverse("packs:portfolio-download", args=[portfolio.portfolio_id])
    assert client.get(download).status_code == 404
