"""Single sign-on end to end: Chromium signs in through a real OpenID Connect provider (the
directory stand-in in tests/oidc_provider, a second process on loopback). The first sign-in
creates the account with the role its directory group maps to; a group removed at the provider
takes the role away at the next sign-in; with passwords switched off, a local password is refused
to everyone but the break-glass administrator."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Page, expect

from governance import roles
from governance.access import sso
from governance.auditlog.models import AuditEvent
from tests.e2e.conftest import new_context
from tests.factories.accounts import UserFactory
from tests.oidc_provider import serve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SERVE = Path(serve.__file__)
VALIDATORS_GROUP = serve.PEOPLE["nina"][2]
PASSWORD = "correct-horse-battery"


@dataclass(frozen=True)
class Provider:
    issuer: str
    state: Path

    def set_groups(self, username: str, *groups: str) -> None:
        """Change a person's groups at the provider, as the directory's group owners would."""
        flags = [arg for group in groups for arg in ("--group", group)]
        command = [sys.executable, str(SERVE), "--state", str(self.state), "user", username]
        subprocess.run([*command, *flags], check=True, timeout=60)  # noqa: S603


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(issuer: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(
                f"the provider stopped: {process.stdout.read() if process.stdout else ''}"
            )
        try:
            requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).raise_for_status()
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("the provider did not start within 30 s")


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory) -> Iterator[Provider]:
    port, state = free_port(), tmp_path_factory.mktemp("oidc-provider")
    callback = f"{live_server.url}/accounts/sso/callback/"
    command = [sys.executable, str(SERVE), "--state", str(state), "--port", str(port)]
    process = subprocess.Popen(  # noqa: S603
        [*command, "--redirect-uri", callback],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}/o"
    try:
        wait_until_up(issuer, process)
        yield Provider(issuer=issuer, state=state)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def single_sign_on(settings, provider: Provider) -> Provider:
    """Attest configured as docs/security.md says, passwords off but for ada."""
    settings.OIDC_RP_CLIENT_ID = serve.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = serve.CLIENT_SECRET
    settings.ATTEST_OIDC_ISSUER = provider.issuer
    settings.ATTEST_OIDC_NAME = "Northwind directory"
    settings.ATTEST_OIDC_GROUP_ROLES = [(VALIDATORS_GROUP, roles.VALIDATOR)]
    settings.ATTEST_LOCAL_LOGIN = False
    settings.ATTEST_BREAK_GLASS_USERS = ["ada"]
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "governance.access.sso.DirectoryBackend",
    ]
    sso.discovery.cache_clear()
    return provider


def sign_in_with_directory(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Northwind directory").click()
    page.get_by_label("Directory username").fill(username)
    page.get_by_label("Directory password").fill(serve.PASSWORD)
    page.get_by_role("button", name="Sign in to the directory").click()


def test_the_directory_group_gives_the_role_and_its_removal_takes_it_away(
    browser, live_server, single_sign_on: Provider
):
    first = new_context(browser)
    page = first.new_page()
    sign_in_with_directory(page, live_server.url, "nina")
    expect(page).to_have_url(f"{live_server.url}{reverse('approvals:my-work')}")
    nina = User.objects.get(username="nina")
    assert list(nina.groups.values_list("name", flat=True)) == [roles.VALIDATOR]
    assert (nina.email, nina.has_usable_password(), nina.is_staff) == (
        "nina@northwind.example",
        False,
        False,
    )
    granted = AuditEvent.objects.get(verb="user.directory_synced", target_repr="nina")
    assert granted.after["granted_by_directory_groups"] == {roles.VALIDATOR: [VALIDATORS_GROUP]}
    first.close()

    single_sign_on.set_groups("nina")  # the group's owners take nina out of it
    again = new_context(browser).new_page()
    sign_in_with_directory(again, live_server.url, "nina")
    expect(again.get_by_role("heading", name="Model inventory")).to_be_visible()
    assert not nina.groups.exists()
    removed = AuditEvent.objects.filter(verb="user.directory_synced").latest("seq")
    assert removed.before["groups"] == [roles.VALIDATOR]
    assert removed.after["removed_on_leaving_directory_groups"] == {
        roles.VALIDATOR: [VALIDATORS_GROUP]
    }
    again.context.close()


def test_passwords_are_refused_but_to_the_break_glass_administrator(
    page: Page, live_server, single_sign_on: Provider
):
    UserFactory(username="olivia", password=PASSWORD, roles=[roles.OWNER])
    UserFactory(username="ada", password=PASSWORD, is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_text("Break-glass administrators only")).to_be_visible()
    for username in ("olivia", "ada"):
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        if username == "olivia":
            expect(page.get_by_role("alert")).to_contain_text(
                "Passwords are switched off here: sign in with Northwind directory."
            )
    expect(page.get_by_role("heading", name="Model inventory")).to_be_visible()


def test_the_directory_cannot_open_the_break_glass_account(
    page: Page, live_server, single_sign_on: Provider
):
    UserFactory(username="ada", password=PASSWORD, is_staff=True, is_superuser=True)
    single_sign_on.set_groups("ada", VALIDATORS_GROUP)
    sign_in_with_directory(page, live_server.url, "ada")
    expect(page.get_by_role("alert")).to_contain_text(
        "Northwind directory did not sign you in: ada is an administrator's account"
    )
    assert not User.objects.get(username="ada").groups.exists()
