"""The navigation bar at desktop and phone widths: menus on one row, the collapsed menu opens,
the current page marked, and the search box finds a person."""

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
MENUS = ("Inventory", "Governance", "Monitoring", "Reports", "Admin")


@pytest.fixture
def administrator():
    """Ada sees every menu item; Olivia owns a model so there is someone to find."""
    olivia = UserFactory(
        username="olivia", first_name="Olivia", last_name="Owner", roles=[roles.OWNER]
    )
    services.register_model(
        actor=olivia,
        slug="retail-pd",
        name="Retail PD scorecard",
        business_unit="Retail",
        model_type=MLModel.ModelType.CLASSICAL_ML,
        intended_purpose="Creditworthiness of unsecured retail borrowers",
    )
    return UserFactory(
        username="ada", first_name="Ada", last_name="Admin", roles=[roles.ADMINISTRATOR]
    )


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Model inventory")).to_be_visible()


def nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def menu(page: Page, name: str):
    """A top-level entry: a dropdown toggle (role button), or Monitoring's plain link."""
    return nav(page).locator(".navbar-nav > .nav-item > .nav-link", has_text=name)


def open_collapsed_menu(page: Page) -> None:
    """Tap the toggle and wait for the menu to finish opening (its height animates)."""
    nav(page).get_by_role("button", name="Toggle navigation").click()
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bcollapse show\b"))


def test_desktop_menus_fit_one_row_and_mark_the_current_page(
    page: Page, live_server, administrator
):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server.url, "ada")
    photograph(page, "nav-1280.png")
    tops = {round(menu(page, name).bounding_box()["y"]) for name in MENUS}
    user_menu = nav(page).locator(".user-menu").bounding_box()
    search = page.locator("#nav-search-q").bounding_box()
    assert len(tops) == 1, tops  # every menu on one row ...
    assert abs(user_menu["y"] - search["y"]) < 20 and abs(user_menu["y"] - tops.pop()) < 20

    menu(page, "Admin").click()
    nav(page).get_by_role("link", name="Rulebooks").click()
    expect(page).to_have_url(f"{live_server.url}/governance/rulebooks/")
    expect(nav(page).locator(".dropdown-toggle.active")).to_have_text("Admin")
    menu(page, "Admin").click()
    expect(nav(page).locator(".dropdown-item.active")).to_have_text("Rulebooks")
    photograph(page, "nav-1280-admin-menu.png")

    page.locator("#nav-search-q").fill("Olivia")
    page.locator("#nav-search-q").press("Enter")
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    expect(page.get_by_role("link", name="Olivia Owner")).to_be_visible()
    photograph(page, "nav-1280-search.png", full_page=True)


def test_phone_width_collapses_the_menus_behind_a_toggle(page: Page, live_server, administrator):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "ada")
    expect(menu(page, "Inventory")).to_be_hidden()
    photograph(page, "nav-390-closed.png")
    open_collapsed_menu(page)
    menu(page, "Inventory").click()
    expect(nav(page).get_by_role("link", name="Use cases")).to_be_visible()
    photograph(page, "nav-390-open.png", full_page=True)
    nav(page).get_by_role("link", name="Use cases").click()
    expect(page.get_by_role("heading", name="Use cases", exact=True)).to_be_visible()

    open_collapsed_menu(page)
    page.locator("#nav-search-q").fill("creditworthiness")
    page.locator("#nav-search-q").press("Enter")
    expect(page.get_by_role("link", name="Retail PD scorecard")).to_be_visible()
    photograph(page, "nav-390-search.png", full_page=True)
