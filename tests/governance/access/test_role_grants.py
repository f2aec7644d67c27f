"""Roles that take part in controls are asked for by one administrator and granted by another,
whatever the channel: the roles page, the API, or the user admin. An administrator cannot make a
second account of his own into the second person of his own requests."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from governance import roles
from governance.access.models import RequestState, RoleGrant
from governance.access.services import accounts, tokens
from governance.approvals.selectors import queues
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from governance.notices.models import Notice
from tests.factories.accounts import UserFactory


@pytest.fixture
def committee() -> Group:
    return Group.objects.get(name=roles.COMMITTEE)


@pytest.fixture
def second_admin(db):
    """Bea, a second administrator."""
    return UserFactory(username="bea", first_name="Bea", roles=[roles.ADMINISTRATOR])


@pytest.fixture
def alias(db):
    """An account Ada made for herself: to Attest, just another person."""
    return UserFactory(username="ada2", first_name="Ada", last_name="Again")


def test_asking_gives_nothing_until_a_second_administrator_grants(
    admin_user, second_admin, alias, committee
):
    asked = accounts.request_role(actor=admin_user, user=alias, role=committee, note="new member")
    assert not alias.groups.filter(pk=committee.pk).exists()
    assert Notice.objects.filter(recipient=second_admin, kind="role_grant.requested").exists()
    assert not Notice.objects.filter(recipient=admin_user, kind="role_grant.requested").exists()

    accounts.decide_role(actor=second_admin, asked=asked, grant=True, reason="confirmed by chair")

    assert alias.groups.filter(pk=committee.pk).exists()
    asked.refresh_from_db()
    assert (asked.state, asked.decided_by) == (RequestState.GRANTED, second_admin)
    verbs = list(AuditEvent.objects.values_list("verb", flat=True).order_by("seq"))
    assert verbs[-3:] == ["role_grant.requested", "role_grant.granted", "user.updated"]
    change = AuditEvent.objects.get(verb="user.updated")
    assert change.after == {"groups": [roles.COMMITTEE]}
    assert change.actor_name == "bea"


def test_the_asker_cannot_grant_his_own_request(admin_user, alias, committee):
    asked = accounts.request_role(actor=admin_user, user=alias, role=committee)
    with pytest.raises(DomainError, match="ada asked for it: a second person must decide"):
        accounts.decide_role(actor=admin_user, asked=asked, grant=True)
    assert not alias.groups.filter(pk=committee.pk).exists()


def test_the_person_who_would_hold_the_role_cannot_grant_it(admin_user, second_admin, committee):
    asked = accounts.request_role(actor=admin_user, user=second_admin, role=committee)
    with pytest.raises(DomainError, match="bea would hold the role"):
        accounts.decide_role(actor=second_admin, asked=asked, grant=True)
    assert not second_admin.groups.filter(pk=committee.pk).exists()


def test_a_role_only_the_second_account_could_decide_is_never_granted(admin_user, alias):
    """Ada asks Administrators for her alias: the alias cannot decide (it holds no right to,
    and would hold the role), so only a real second administrator ever can."""
    administrators = Group.objects.get(name=roles.ADMINISTRATOR)
    asked = accounts.request_role(actor=admin_user, user=alias, role=administrators)
    with pytest.raises(PermissionDenied):
        accounts.decide_role(actor=alias, asked=asked, grant=True)


def test_only_administrators_ask_for_or_grant_roles(committee_member, developer, committee):
    with pytest.raises(PermissionDenied):
        accounts.request_role(actor=committee_member, user=developer, role=committee)


@pytest.mark.parametrize(
    ("role", "message"),
    [
        (roles.AUDITOR, "Auditors takes part in no control"),
        (roles.COMMITTEE, "carl holds Committee members already"),
    ],
)
def test_refusals_name_the_person_and_the_rule(admin_user, committee_member, role, message):
    group = Group.objects.get(name=role)
    with pytest.raises(DomainError, match=message):
        accounts.request_role(actor=admin_user, user=committee_member, role=group)


def test_a_service_account_holds_no_such_role(admin_user, committee):
    account = tokens.create_service_account(actor=admin_user, username="ci-bot")
    with pytest.raises(DomainError, match="ci-bot is a service account"):
        accounts.request_role(actor=admin_user, user=account, role=committee)


def test_a_role_is_asked_for_once(admin_user, alias, committee):
    accounts.request_role(actor=admin_user, user=alias, role=committee)
    with pytest.raises(DomainError, match="is asked for already"):
        accounts.request_role(actor=admin_user, user=alias, role=committee)


def test_a_refusal_says_why_and_gives_nothing(admin_user, second_admin, alias, committee):
    asked = accounts.request_role(actor=admin_user, user=alias, role=committee)
    with pytest.raises(DomainError, match="say why"):
        accounts.decide_role(actor=second_admin, asked=asked, grant=False)
    accounts.decide_role(actor=second_admin, asked=asked, grant=False, reason="not on the ToR")
    assert not alias.groups.exists()
    with pytest.raises(DomainError, match="refused already"):
        accounts.decide_role(actor=second_admin, asked=asked, grant=True)


def test_my_work_shows_the_request_to_the_second_administrator_only(
    admin_user, second_admin, alias, committee
):
    accounts.request_role(actor=admin_user, user=alias, role=committee)
    assert [d.subject for d in queues.decisions_for(second_admin)] == [
        "Committee members for Ada Again"
    ]
    assert queues.decisions_for(admin_user) == []


# ---- The roles page and the API ---------------------------------------------------------------


def test_the_roles_page_asks_and_a_second_administrator_grants(
    client, admin_user, second_admin, alias, committee
):
    client.force_login(admin_user)
    response = client.post(
        "/governance/tokens/roles/", {"user": alias.pk, "role": committee.pk, "note": "joins"}
    )
    assert response.status_code == 302
    asked = RoleGrant.objects.get()
    page = client.get("/governance/tokens/roles/").content.decode()
    assert "You asked for it or would hold it: another administrator decides." in page
    client.post(f"/governance/tokens/roles/{asked.pk}/decide/", {"decision": "grant"})
    assert not alias.groups.exists()

    client.force_login(second_admin)
    client.post(f"/governance/tokens/roles/{asked.pk}/decide/", {"decision": "grant"})
    assert alias.groups.filter(pk=committee.pk).exists()


def test_the_roles_page_is_for_administrators(client, committee_member):
    client.force_login(committee_member)
    assert client.get("/governance/tokens/roles/").status_code == 403


def test_the_api_mirrors_it(api_client, admin_user, second_admin, alias, committee_member):
    asker, decider = api_client(admin_user), api_client(second_admin)
    created = asker.post(
        "/api/v1/role-grants/", {"user": "ada2", "role": roles.COMMITTEE}, format="json"
    )
    assert created.status_code == 201, created.json()
    url = f"/api/v1/role-grants/{created.json()['id']}/decide/"
    own = asker.post(url, {"decision": "grant"}, format="json")
    assert own.status_code == 400
    assert own.json()["errors"][0]["field"] == "decided_by"
    assert decider.post(url, {"decision": "grant"}, format="json").json()["state"] == "granted"
    assert decider.post(url, {"decision": "grant"}, format="json").status_code == 409
    assert api_client(committee_member).get("/api/v1/role-grants/").status_code == 403
