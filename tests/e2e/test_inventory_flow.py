"""An owner signs in, filters the inventory, opens a model and registers a new one."""

import re

import pytest
from playwright.sync_api import Page, expect

from governance import roles
from registry import services
from registry.models import MLModel
from tests.e2e.conftest import photograph
from tests.factories.accounts import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def portfolio():
    """Olivia owns three models; role groups come from the post-migrate handler."""
    olivia = UserFactory(
        username="olivia", first_name="Olivia", last_name="Owner", roles=[roles.OWNER]
    )
    for slug, name, status in [
        ("retail-pd", "Retail PD scorecard", MLModel.Status.PRODUCTION),
        ("card-fraud", "Card fraud detector", MLModel.Status.PRODUCTION),
        ("card-fraud-next", "Card fraud detector (challenger)", MLModel.Status.DEVELOPMENT),
    ]:
        services.register_model(
            actor=olivia,
            slug=slug,
            name=name,
            business_unit="Retail",
            model_type=MLModel.ModelType.CLASSICAL_ML,
            status=status,
        )
    return olivia


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/governance/approvals/")  # an owner lands on My work
    page.goto(f"{base_url}/inventory/")
    expect(page.get_by_role("heading", name="Model inventory")).to_be_visible()


def table_rows(page: Page):
    return page.locator("#model-table tbody tr")


def test_owner_filters_opens_and_registers_a_model(page: Page, live_server, portfolio):
    sign_in(page, live_server.url, "olivia")
    expect(table_rows(page)).to_have_count(3)

    page.get_by_label("Search").fill("fraud")
    expect(table_rows(page)).to_have_count(2)
    expect(page).to_have_url(re.compile(r"q=fraud"))
    page.get_by_label("Status").select_option("development")
    expect(table_rows(page)).to_have_count(1)
    expect(page.locator("#result-count")).to_contain_text("1 model")
    photograph(page, "ui-e2e-inventory.png", full_page=True)

    page.get_by_role("link", name="Card fraud detector (challenger)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Card fraud detector (challenger)")

    page.get_by_role("link", name="Register model").first.click()
    page.get_by_label("Slug").fill("mortgage-lgd")
    page.get_by_label("Name").fill("Mortgage LGD")
    page.get_by_label("Intended purpose").fill("IFRS 9 provisioning for residential mortgages")
    page.get_by_label("Business unit").fill("Retail Credit")
    page.get_by_label("Type").select_option("classical_ml")
    page.get_by_role("button", name="Register model").last.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mortgage LGD")
    expect(page.get_by_role("status")).to_contain_text("registered in the inventory")
    expect(page.locator("#history")).to_contain_text("Model registered")
    photograph(page, "ui-e2e-detail.png", full_page=True)
    assert MLModel.objects.get(slug="mortgage-lgd").owner == portfolio


def test_duplicate_slug_is_shown_next_to_the_field(page: Page, live_server, portfolio):
    sign_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/inventory/models/new/")
    page.get_by_label("Slug").fill("retail-pd")
    page.get_by_label("Name").fill("Another PD")
    page.get_by_label("Business unit").fill("Retail")
    page.get_by_role("button", name="Register model").last.click()
    slug = page.get_by_label("Slug")
    expect(slug).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_slug_error")).to_contain_text("already exists")
