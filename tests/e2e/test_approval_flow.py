"""A Tier 2 model goes to production in the browser: the owner requests and submits the
deployment, the validator approves, a committee member approves with a condition and an expiry,
and the deployment gate opens."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from governance import roles
from governance.access.models import RaciAssignment
from governance.access.services import raci
from governance.approvals.models import ApprovalRequest
from governance.approvals.selectors import gate
from governance.rulebooks import services as rulebooks
from registry import services
from registry.models import MLModel, ModelVersion
from tests.e2e.conftest import new_context
from tests.factories.accounts import UserFactory
from tests.governance.approvals.conftest import approve, evidence_everything, submitted
from tests.risk_answers import US_BANK_SCORECARD, assess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"
# 0.3*3 + 0.2*3 + 0.2*3 + 0.15*3 + 0.15*3 = 3.0: tier 2 (deployment: validator 1, committee 1).
TIER_2 = {
    "exposure": "moderate",
    "purpose": "risk_management",
    "complexity": "moderate",
    "reliance": "significant",
    "uncertainty": "moderate",
}


def person(username: str, role: str):
    user = UserFactory(username=username, first_name=username.capitalize(), roles=[role])
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def validated_version() -> ModelVersion:
    """Olivia's Tier 2 model, evidenced, whose version 1.0 Vera has already validated."""
    rulebooks.load_shipped()  # idempotent: a flush between browser tests may have emptied them
    olivia, vera = person("olivia", roles.OWNER), person("vera", roles.VALIDATOR)
    person("carl", roles.COMMITTEE)
    hal = person("hal", roles.HEAD_OF_VALIDATION)
    model = services.register_model(
        actor=olivia,
        slug="retail-pd",
        name="Retail PD scorecard",
        business_unit="Retail Credit",
        model_type=MLModel.ModelType.CLASSICAL_ML,
    )
    raci.assign_raci(
        actor=hal, model=model, user=vera, role="R", area=RaciAssignment.Area.VALIDATION
    )
    assess(olivia, model, "scoping", US_BANK_SCORECARD)
    assess(olivia, model, "tiering", TIER_2)
    evidence_everything(olivia, model)
    version = services.register_version(actor=olivia, model=model, version="1.0")
    approve(submitted(olivia, version, "validation"), (vera, "validator"))
    return version


def signed_in(browser, live_server, username: str) -> Page:
    context = new_context(browser, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_a_tier_2_model_is_approved_for_production_with_a_condition_and_the_gate_opens(
    browser, live_server, validated_version
):
    # Olivia requests the deployment from the version page and submits it.
    olivia = signed_in(browser, live_server, "olivia")
    olivia.goto(f"{live_server.url}/inventory/models/retail-pd/versions/1.0/")
    olivia.get_by_role("link", name="Request approval").click()  # loaded by htmx
    olivia.get_by_label("Gate").select_option("deployment")
    olivia.get_by_label("Environment").select_option("production")
    olivia.get_by_label("Summary").fill("Go live for the Q1 portfolio")
    olivia.get_by_role("button", name="Save draft").click()
    expect(olivia.get_by_text("is drafted")).to_be_visible()
    olivia.get_by_role("button", name="Submit").click()
    expect(olivia.get_by_text("validator 0/1, committee member 0/1").first).to_be_visible()
    request = ApprovalRequest.objects.get(gate="deployment")
    assert (request.state, request.tier) == ("submitted", "tier_2")
    olivia.context.close()

    # Vera lands on My work, where it waits on her, and approves it as validator.
    vera = signed_in(browser, live_server, "vera")
    expect(vera).to_have_url(f"{live_server.url}/governance/approvals/")
    vera.get_by_role("link", name=request.reference).click()
    vera.get_by_label("Decision").select_option("approve")
    vera.get_by_label("Comment").fill("Back-tests reviewed; performance within appetite")
    vera.get_by_role("button", name="Record sign-off").click()
    expect(vera.get_by_text("Your sign-off is recorded.")).to_be_visible()
    vera.context.close()

    # Carl approves for the committee with a condition and an expiry: that decides it.
    carl = signed_in(browser, live_server, "carl")
    carl.get_by_role("button", name="Governance").click()  # the navigation menu
    carl.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    carl.get_by_role("link", name=request.reference).click()
    today = timezone.localdate()
    carl.get_by_label("Decision").select_option("approve_with_conditions")
    carl.get_by_label("Condition 1", exact=True).fill("Quarterly drift report to the committee")
    carl.get_by_label("Condition 1 due on").fill((today + timedelta(days=90)).isoformat())
    carl.get_by_label("Approval expires on").fill((today + timedelta(days=365)).isoformat())
    carl.get_by_role("button", name="Record sign-off").click()
    expect(carl.get_by_text("The request is approved with conditions.")).to_be_visible()
    expect(carl.get_by_text("Approval holds")).to_be_visible()
    expect(carl.locator("#gate-verdict")).to_have_text("Open")
    carl.context.close()

    answer, _book = gate.check(validated_version, "production")
    assert answer.open, [(r.id, r.reason) for r in answer.unmet]
