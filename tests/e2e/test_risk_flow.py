"""An owner assesses a model's risk in the browser: the questionnaire saves as she goes, a
dependent question appears only when relevant, and classifying builds the obligations checklist."""

import pytest
from playwright.sync_api import Page, expect

from governance import roles
from governance.rulebooks import services as rulebooks
from registry import services
from registry.models import MLModel
from tests.factories.accounts import UserFactory
from tests.risk_answers import US_BANK_SCORECARD, assess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def scoped_model():
    rulebooks.load_shipped()  # idempotent: a flush between browser tests may have emptied them
    olivia = UserFactory(username="olivia", roles=[roles.OWNER])
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
    return model


def answer(page: Page, key: str, value: str) -> None:
    """Tick an answer and wait for htmx to save it (the fragment comes back)."""
    with page.expect_response(lambda response: "/answers/" in response.url):
        page.locator(f"input[name='{key}'][value='{value}']").check()


def test_owner_answers_the_tiering_questions_and_gets_a_tier_with_its_checklist(
    page: Page, live_server, scoped_model
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/inventory/models/retail-pd/")
    page.get_by_role("link", name="Assess risk").click()
    page.goto(f"{live_server.url}/inventory/models/retail-pd/risk/tiering/")

    page.get_by_role("button", name="Classify").click()
    expect(page.get_by_text("exposure").first).to_be_visible()  # unanswered questions listed
    # The questions show before htmx has bound to them; a tick before that saves nothing.
    page.wait_for_load_state()

    for key, value in [
        ("exposure", "very_high"),
        ("purpose", "regulatory"),
        ("complexity", "high"),
        ("reliance", "primary"),
        ("uncertainty", "high"),
    ]:
        answer(page, key, value)
    page.goto(f"{live_server.url}/inventory/models/retail-pd/risk/tiering/")  # saved as she went
    expect(page.locator("input[name='reliance'][value='primary']")).to_be_checked()
    page.get_by_role("button", name="Classify").click()
    expect(page.get_by_role("heading", name="Result")).to_be_visible()
    expect(page.get_by_text("Tier 1").first).to_be_visible()
    expect(page.get_by_text("Tier from the score's thresholds").first).to_be_visible()
    expect(page.get_by_text("tier.score.threshold")).to_have_count(0)  # no rule ids shown

    page.goto(f"{live_server.url}/inventory/models/retail-pd/obligations/")
    expect(page.get_by_text("0 of", exact=False).first).to_be_visible()
    # (the one-file-to-several form lists it too, folded away: the checklist shows it)
    expect(page.get_by_text("Principle 1.1").filter(visible=True).first).to_be_visible()
