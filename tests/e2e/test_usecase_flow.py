"""An owner registers a use case from a model's page and reaches its EU AI Act questionnaire; an
administrator states the organisation profile, which the scoping questionnaire then starts from."""

import pytest
from playwright.sync_api import Page, expect

from governance import roles
from governance.rulebooks import services as rulebooks
from registry import services
from registry.models import MLModel
from tests.e2e.conftest import photograph
from tests.factories.accounts import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def people():
    rulebooks.load_shipped()
    olivia = UserFactory(
        username="olivia", first_name="Olivia", last_name="Owner", roles=[roles.OWNER]
    )
    UserFactory(username="ada", first_name="Ada", last_name="Admin", roles=[roles.ADMINISTRATOR])
    services.register_model(
        actor=olivia,
        slug="retail-pd",
        name="Retail PD scorecard",
        business_unit="Retail Credit",
        model_type=MLModel.ModelType.CLASSICAL_ML,
    )
    return olivia


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def shoot(page: Page, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        photograph(page, f"{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_owner_registers_a_use_case_from_the_model_page(page: Page, live_server, people):
    sign_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/inventory/models/retail-pd/")
    shoot(page, "usecase-model-card")
    page.locator("#use-cases").get_by_role("link", name="New use case").click()
    page.get_by_label("Slug").fill("loan-decisions")
    page.get_by_label("Name").fill("Retail loan decisions")
    page.get_by_label("Business purpose").fill("Approve or decline unsecured loans")
    shoot(page, "usecase-form")
    page.get_by_role("button", name="Register use case").click()
    expect(page.get_by_role("heading", name="Retail loan decisions", level=1)).to_be_visible()
    expect(page.locator("#models")).to_contain_text("Retail PD scorecard")
    shoot(page, "usecase-detail")
    page.get_by_role("link", name="Classify under the EU AI Act").click()
    expect(page.locator("#questionnaire")).to_be_visible()
    page.goto(f"{live_server.url}/inventory/models/retail-pd/")
    expect(page.locator("#use-cases")).to_contain_text("classify it")
    page.locator("#use-cases").scroll_into_view_if_needed()
    shoot(page, "usecase-model-linked")


def test_admin_states_the_profile_and_scoping_starts_from_it(page: Page, live_server, people):
    sign_in(page, live_server.url, "ada")
    page.goto(f"{live_server.url}/inventory/organisation/")
    page.get_by_label("A US banking organisation").select_option("true")
    page.get_by_label("Does PRA SS1/23 address the organisation?").select_option("no")
    shoot(page, "organisation-profile")
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_text("The organisation profile is saved.")).to_be_visible()
    page.goto(f"{live_server.url}/inventory/models/retail-pd/risk/scoping/")
    expect(page.locator("#q-us_banking_org")).to_contain_text("From the organisation profile")
    page.locator("#q-us_banking_org").scroll_into_view_if_needed()
    shoot(page, "scoping-defaults")
