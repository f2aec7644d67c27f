"""Evidence that links itself, in the browser: the owner links the tier assessment Attest
proposes for an obligation, and attaches one file to several obligations at once; looked at
1280 and 390 pixels wide."""

import pytest
from playwright.sync_api import Browser, Page, expect

from governance import roles
from governance.risk.models import Control, Evidence
from governance.rulebooks import services as rulebooks
from registry import services
from registry.models import MLModel
from tests.e2e.conftest import new_context, photograph
from tests.factories.accounts import UserFactory
from tests.risk_answers import PDF, TIER_1, US_BANK_SCORECARD, assess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def tier1_model(settings, tmp_path) -> MLModel:
    settings.MEDIA_ROOT = tmp_path
    rulebooks.load_shipped()  # idempotent: a flush between browser tests may have emptied them
    olivia = UserFactory(username="olivia", first_name="Olivia", roles=[roles.OWNER])
    olivia.set_password(PASSWORD)
    olivia.save()
    model = services.register_model(
        actor=olivia,
        slug="retail-pd",
        name="Retail PD scorecard",
        business_unit="Retail Credit",
        model_type=MLModel.ModelType.CLASSICAL_ML,
    )
    assess(olivia, model, "scoping", US_BANK_SCORECARD)
    assess(olivia, model, "tiering", TIER_1)
    return model


def signed_in(browser: Browser, live_server, width: int) -> Page:
    page = new_context(browser, viewport={"width": width, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


@pytest.mark.parametrize("width", [1280, 390])
def test_the_owner_links_a_proposed_record_and_attaches_one_file_to_several_obligations(
    browser, live_server, tier1_model, width, tmp_path
):
    tier = Control.objects.get(model=tier1_model, obligation_id="pra.p1.3")
    page = signed_in(browser, live_server, width)
    page.goto(f"{live_server.url}/inventory/models/retail-pd/obligations/")
    card = page.locator(f"#control-{tier.pk}")
    expect(card.get_by_text("Proposed from Attest")).to_be_visible()
    photograph(page, f"ui-e2e-records-proposed-{width}.png")
    card.get_by_role("button", name="Link").click()
    expect(page.get_by_text("is linked to Principle 1.3")).to_be_visible()
    assert tier.evidence.get().record_type == "tier_assessment"

    chosen = list(
        Control.objects.filter(
            model=tier1_model, stage="before_validation", evidence__isnull=True
        ).order_by("pk")[:3]
    )
    page.get_by_text("Attach one file to several obligations").click()
    form = page.locator("form[action$='/obligations/attach/']")
    form.get_by_label("Title").fill("Model development document")
    document = tmp_path / "mdd.pdf"
    document.write_bytes(PDF)
    form.get_by_label("File").set_input_files(str(document))
    for control in chosen:
        form.locator(f"input[name=obligations][value='{control.pk}']").check()
    photograph(page, f"ui-e2e-records-attach-many-{width}.png")
    form.get_by_role("button", name="Attach to the obligations ticked").click()
    expect(page.get_by_text("“Model development document” is attached to")).to_be_visible()
    rows = Evidence.objects.filter(control__in=chosen)
    assert rows.count() == 3 and len({e.file.name for e in rows}) == 1
    photograph(page, f"ui-e2e-records-done-{width}.png")
