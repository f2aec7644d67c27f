"""Four eyes in the browser: the owner asks for a waiver in her session; it stays asked for (the
obligation still missing) until a committee member, in his own session, finds it in his work
list and grants it."""

import pytest
from playwright.sync_api import Browser, Page, expect

from governance import roles
from governance.risk.models import Control
from governance.rulebooks import services as rulebooks
from registry import services
from registry.models import MLModel
from tests.e2e.conftest import new_context, photograph
from tests.factories.accounts import UserFactory
from tests.risk_answers import TIER_3, US_BANK_SCORECARD, assess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


def person(username: str, role: str):
    user = UserFactory(username=username, first_name=username.capitalize(), roles=[role])
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def tiered_model():
    rulebooks.load_shipped()  # idempotent: a flush between browser tests may have emptied them
    olivia = person("olivia", roles.OWNER)
    person("carl", roles.COMMITTEE)
    model = services.register_model(
        actor=olivia,
        slug="retail-pd",
        name="Retail PD scorecard",
        business_unit="Retail Credit",
        model_type=MLModel.ModelType.CLASSICAL_ML,
    )
    assess(olivia, model, "scoping", US_BANK_SCORECARD)
    assess(olivia, model, "tiering", TIER_3)
    return model


def signed_in(browser: Browser, live_server, username: str) -> Page:
    """A separate browser context per person: their own cookies, their own session."""
    page = new_context(browser, viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_a_waiver_takes_effect_only_when_the_approver_decides_it_in_her_own_session(
    browser, live_server, tiered_model
):
    control = Control.objects.filter(model=tiered_model, applies=True).order_by("pk").first()
    obligations = f"{live_server.url}/inventory/models/retail-pd/obligations/"

    olivia = signed_in(browser, live_server, "olivia")
    olivia.goto(obligations)
    card = olivia.locator(f"#control-{control.pk}")
    card.get_by_text("Request a waiver").click()
    card.get_by_label("Reason").fill("Documentation moves to the new wiki this quarter")
    card.get_by_label("Expires on").fill("2099-06-30")
    card.get_by_role("button", name="Request waiver").click()
    expect(olivia.get_by_text("it counts once a decider grants it")).to_be_visible()
    expect(
        olivia.locator(f"#control-{control.pk}").get_by_text("waiting for a decision")
    ).to_be_visible()
    photograph(olivia, "ui-e2e-waiver-requested.png", full_page=True)
    control.refresh_from_db()
    assert control.status != Control.Status.WAIVED

    carl = signed_in(browser, live_server, "carl")
    carl.goto(f"{live_server.url}/governance/approvals/")
    expect(carl.get_by_text("Obligation waiver")).to_be_visible()
    carl.get_by_role("link", name="WV-").first.click()
    decision = carl.locator(f"#control-{control.pk}")
    decision.get_by_role("button", name="Grant").click()
    expect(carl.get_by_text("is granted")).to_be_visible()
    photograph(carl, "ui-e2e-waiver-granted.png", full_page=True)
    control.refresh_from_db()
    assert (control.status, control.waiver_approved_by.username) == (Control.Status.WAIVED, "carl")

    olivia.goto(f"{live_server.url}/governance/notices/")
    expect(olivia.get_by_text("was granted by carl")).to_be_visible()
