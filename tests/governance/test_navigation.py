"""The navigation: grouped menus, exactly one current item per page, links as rights allow."""

import re

import pytest
from django.urls import reverse

from governance import roles
from governance.navigation import Active, active_for
from tests.factories.accounts import UserFactory


def current_links(body: str) -> list[str]:
    """The hrefs of the navigation items marked as the current page."""
    nav = body.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'class="[^"]*\bactive" aria-current="page"\s*href="([^"]+)"', nav)


def active_menus(body: str) -> list[str]:
    nav = body.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'dropdown-toggle active" href="#" id="menu-(\w+)"', nav)


@pytest.mark.parametrize(
    ("namespace", "name", "menu", "item"),
    [
        ("rulebooks", "list", "admin", "rulebooks"),
        ("rulebooks", "detail", "admin", "rulebooks"),
        ("tokens", "list", "admin", "tokens"),
        ("registry", "model-detail", "inventory", "models"),
        ("registry", "version-detail", "inventory", "models"),
        ("registry", "usecase-list", "inventory", "use-cases"),
        ("risk", "usecase-questionnaire", "inventory", "use-cases"),
        ("risk", "model-result", "inventory", "models"),
        ("monitoring", "alert-detail", "monitoring", "monitoring"),
        ("approvals", "request-detail", "governance", "queue"),
        ("findings", "exception-list", "governance", "exceptions"),
        ("reports-dashboard", "dashboard", "reports", "dashboard"),
        ("notices", "list", "", ""),
    ],
)
def test_each_page_belongs_to_one_menu_and_item(namespace, name, menu, item):
    assert active_for(namespace, name) == Active(menu, item)


@pytest.mark.parametrize(
    ("url", "menu", "current"),
    [
        (reverse("rulebooks:list"), "admin", reverse("rulebooks:list")),
        (reverse("tokens:list"), "admin", reverse("tokens:list")),
        (reverse("registry:model-detail", args=["retail-pd"]), "inventory", "/inventory/"),
        (reverse("registry:usecase-list"), "inventory", reverse("registry:usecase-list")),
        (reverse("monitoring:fleet"), "monitoring", reverse("monitoring:fleet")),
    ],
)
def test_the_page_marks_only_its_own_item_and_menu_current(
    client, admin_user, credit_pd_model, url, menu, current
):
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert current_links(body) == [current]
    assert active_menus(body) == ([] if menu == "monitoring" else [menu])  # Monitoring: a link


def test_executives_find_the_dashboard_in_the_reports_menu(client, db):
    executive = UserFactory(username="erin", roles=[roles.EXECUTIVE])
    client.force_login(executive)
    body = client.get(reverse("monitoring:fleet")).content.decode()
    reports_menu = body.split('id="menu-reports"', 1)[1].split("</ul>", 1)[0]
    assert reverse("reports-dashboard:dashboard") in reports_menu


def test_the_menus_keep_each_items_condition(client, owner, auditor):
    client.force_login(owner)
    body = client.get(reverse("registry:model-list")).content.decode()
    assert reverse("reports-dashboard:dashboard") not in body
    assert reverse("governance:audit-log") not in body
    assert reverse("rulebooks:list") not in body
    assert reverse("admin:index") not in body
    assert reverse("tokens:list") in body
    client.force_login(auditor)
    body = client.get(reverse("registry:model-list")).content.decode()
    assert reverse("governance:audit-log") in body and reverse("rulebooks:list") in body
    assert reverse("admin:index") not in body
