"""The API tokens page: people issue and revoke their own tokens; administrators run service
accounts and theirs. A key is shown once, in the response that issued it."""

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from rest_framework.test import APIClient

from governance.access.models import ApiToken, ServiceAccount
from governance.access.services import tokens
from governance.auditlog.models import AuditEvent

pytestmark = pytest.mark.django_db

LIST = reverse("tokens:list")


def api(key: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def verbs_by(user: AbstractBaseUser) -> list[str]:
    return list(
        AuditEvent.objects.filter(actor=user).order_by("seq").values_list("verb", flat=True)
    )


@pytest.fixture
def bot(admin_user) -> ServiceAccount:
    """ci-bot, a service account Ada created."""
    tokens.create_service_account(actor=admin_user, username="ci-bot", description="CI")
    return ServiceAccount.objects.get(user__username="ci-bot")


def test_the_owner_issues_a_personal_token_and_sees_its_key_once(client, owner):
    client.force_login(owner)
    response = client.post(reverse("tokens:issue"), {"name": "notebook"})

    key = response.context["key"]
    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "won't be shown again" in page
    assert f'curl -H "Authorization: Token {key}" http://testserver/api/v1/me/' in page
    assert f"export ATTEST_TOKEN={key}" in page
    assert api(key).get("/api/v1/me/").json()["username"] == "olivia"
    assert verbs_by(owner) == ["api_token.issued"]


def test_the_list_shows_the_prefix_and_never_for_an_unused_token_but_not_the_key(client, owner):
    token, key = tokens.issue_token(actor=owner, user=owner, name="notebook")
    client.force_login(owner)
    page = client.get(LIST).content.decode()
    assert f"{token.prefix}…" in page and "never" in page and "notebook" in page
    assert key not in page
    assert 'id="service-accounts"' not in page


def test_revoking_a_token_from_the_page_makes_its_key_get_401(client, owner):
    token, key = tokens.issue_token(actor=owner, user=owner, name="notebook")
    client.force_login(owner)

    response = client.post(reverse("tokens:revoke", args=[token.pk]), follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert "is revoked" in response.content.decode() and "Revoked" in response.content.decode()
    assert api(key).get("/api/v1/me/").status_code == 401
    assert verbs_by(owner) == ["api_token.issued", "api_token.revoked"]


def test_a_token_name_is_required(client, owner):
    client.force_login(owner)
    response = client.post(reverse("tokens:issue"), {"name": "  "})
    assert response.status_code == 400
    assert "name" in response.context["token_form"].errors
    assert not ApiToken.objects.exists()


def test_the_owner_may_neither_see_nor_use_the_service_account_actions(
    client, owner, admin_user, bot
):
    token, key = tokens.issue_token(actor=admin_user, user=bot.user, name="ci")
    client.force_login(owner)

    assert "ci-bot" not in client.get(LIST).content.decode()
    create = client.post(reverse("tokens:service-account-create"), {"username": "rogue"})
    issue = client.post(reverse("tokens:service-account-issue", args=[bot.pk]), {"name": "x"})
    revoke = client.post(reverse("tokens:revoke", args=[token.pk]))

    assert [create.status_code, issue.status_code, revoke.status_code] == [403, 403, 403]
    assert ServiceAccount.objects.count() == 1 and ApiToken.objects.count() == 1
    assert api(key).get("/api/v1/me/").status_code == 200
    assert verbs_by(owner) == []


def test_an_administrator_creates_a_service_account_issues_it_a_token_and_revokes_it(
    client, admin_user
):
    client.force_login(admin_user)
    created = client.post(
        reverse("tokens:service-account-create"), {"username": "airflow", "description": "DAGs"}
    )
    account = ServiceAccount.objects.get(user__username="airflow")
    issued = client.post(
        reverse("tokens:service-account-issue", args=[account.pk]), {"name": "prod"}
    )
    key = issued.context["key"]
    assert api(key).get("/api/v1/me/").json()["username"] == "airflow"

    page = client.get(LIST).content.decode()
    token = ApiToken.objects.get(user=account.user)
    assert created.status_code == 302 and "no-store" in issued["Cache-Control"]
    assert 'id="service-accounts"' in page and "DAGs" in page and "Ada Admin" in page
    assert f"{token.prefix}…" in page and key not in page

    client.post(reverse("tokens:revoke", args=[token.pk]))
    assert api(key).get("/api/v1/me/").status_code == 401
    assert verbs_by(admin_user) == [
        "service_account.created",
        "api_token.issued",
        "api_token.revoked",
    ]


def test_a_duplicate_username_is_shown_on_the_username_field(client, admin_user, owner):
    client.force_login(admin_user)
    response = client.post(reverse("tokens:service-account-create"), {"username": "olivia"})
    assert response.status_code == 400
    assert response.context["account_form"].errors["username"] == [
        "a user named 'olivia' already exists"
    ]
    assert 'id="sa_username_error"' in response.content.decode()
    assert not ServiceAccount.objects.exists()


def test_a_refused_service_account_token_shows_on_that_accounts_form(client, admin_user, bot):
    client.force_login(admin_user)
    response = client.post(reverse("tokens:service-account-issue", args=[bot.pk]), {"name": ""})
    assert response.status_code == 400
    assert f'id="sa{bot.pk}_name_error"' in response.content.decode()


def test_signed_out_visitors_are_sent_to_log_in(client):
    assert client.get(LIST)["Location"].startswith(reverse("login"))
