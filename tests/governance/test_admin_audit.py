"""Access changes made in Django's admin land in the audit trail."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from governance import roles
from governance.access.models import RequestState, RoleGrant
from governance.access.services import accounts
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from governance.management.commands.changepassword import Command
from tests.factories.accounts import UserFactory


@pytest.fixture
def superuser_client(client, db):
    boss = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(boss)
    return client


def _user_form(user, **overrides) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "groups": [g.pk for g in user.groups.all()],
    }
    return data | overrides


def test_giving_a_user_the_auditor_role_in_the_admin_is_audited(superuser_client, developer):
    auditors = Group.objects.get(name=roles.AUDITOR)
    url = f"/admin/auth/user/{developer.pk}/change/"
    response = superuser_client.post(url, _user_form(developer, groups=[auditors.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(verb="user.updated")
    assert event.before == {"groups": ["Developers"]}
    assert event.after == {"groups": ["Auditors"]}
    assert event.actor_name == "root"


def test_deactivating_a_user_in_the_admin_is_audited(superuser_client, developer):
    form = _user_form(developer)
    del form["is_active"]
    superuser_client.post(f"/admin/auth/user/{developer.pk}/change/", form)
    event = AuditEvent.objects.get(verb="user.updated")
    assert (event.before, event.after) == ({"is_active": True}, {"is_active": False})


def test_changing_a_role_groups_permissions_in_the_admin_is_audited(superuser_client):
    group = Group.objects.get(name=roles.AUDITOR)
    superuser_client.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": group.name, "permissions": []}
    )
    event = AuditEvent.objects.get(verb="role.updated")
    assert event.after == {"permissions": []}
    assert "view_mlmodel" in event.before["permissions"]


def test_migrate_restores_a_roles_declared_baseline_and_audits_it(db):
    auditors = Group.objects.get(name=roles.AUDITOR)
    auditors.permissions.clear()
    accounts.ensure_roles()
    restored = AuditEvent.objects.filter(verb="role.updated").last()
    assert (restored.actor_name, restored.before) == ("system", {"permissions": []})
    assert sorted(auditors.permissions.values_list("codename", flat=True)) == [
        "view_alert",
        "view_auditevent",
        "view_dataset",
        "view_mlmodel",
        "view_usecase",
    ]


def test_role_creation_by_migrate_is_in_the_audit_trail(db):
    created = AuditEvent.objects.filter(verb="role.created").values_list("target_repr", flat=True)
    assert set(created) >= {roles.OWNER, roles.AUDITOR, roles.ADMINISTRATOR}


# ---- Roles that take part in controls: asked for here, granted by a second administrator ---


@pytest.fixture
def alias(db):
    """An account the administrator made for himself: to Attest, just another person."""
    return UserFactory(username="ada2")


def test_a_control_role_added_in_the_user_admin_is_asked_for_not_given(superuser_client, alias):
    client = superuser_client
    committee = Group.objects.get(name=roles.COMMITTEE)
    response = client.post(
        f"/admin/auth/user/{alias.pk}/change/",
        _user_form(alias, groups=[committee.pk]),
        follow=True,
    )
    assert "is asked for: it is given once a second administrator grants it" in (
        response.content.decode()
    )
    assert not alias.groups.exists()
    asked = RoleGrant.objects.get(user=alias, role=committee)
    assert (asked.state, asked.requested_by.username) == (RequestState.REQUESTED, "root")
    assert not AuditEvent.objects.filter(verb="user.updated").exists()  # nothing changed yet
    with pytest.raises(DomainError):
        accounts.decide_role(actor=asked.requested_by, asked=asked, grant=True)


def test_superuser_status_and_personal_rights_are_not_set_in_the_user_admin(
    superuser_client, alias
):
    client = superuser_client
    decide = Permission.objects.get(codename="decide_mlmodel")
    client.post(
        f"/admin/auth/user/{alias.pk}/change/",
        _user_form(alias, is_superuser="on", is_staff="on", user_permissions=[decide.pk]),
    )
    alias.refresh_from_db()
    assert alias.is_staff and not alias.is_superuser
    assert not alias.user_permissions.exists()


def test_a_group_never_gains_a_right_bearing_on_controls_in_the_admin(superuser_client):
    client = superuser_client
    developers = Group.objects.get(name=roles.DEVELOPER)
    decide = Permission.objects.get(codename="decide_mlmodel")
    held = list(developers.permissions.values_list("pk", flat=True))
    response = client.post(
        f"/admin/auth/group/{developers.pk}/change/",
        {"name": developers.name, "permissions": [*held, decide.pk]},
    )
    assert response.status_code == 200
    assert "registry.decide_mlmodel bear on controls" in response.content.decode()
    assert not developers.permissions.filter(pk=decide.pk).exists()


# ---- Passwords and deletions, in the admin and from the command line -----------------------


def test_a_password_set_in_the_admin_is_audited_without_the_password(superuser_client, alias):
    response = superuser_client.post(
        f"/admin/auth/user/{alias.pk}/password/",
        {"password1": "Tr1cky-Passw0rd!", "password2": "Tr1cky-Passw0rd!"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(verb="user.password_changed")
    assert (event.actor_name, event.target_repr) == ("root", "ada2")
    assert "Tr1cky" not in str(event.before) + str(event.after)


def test_a_person_deleted_in_the_admin_is_audited_with_what_they_held(superuser_client, alias):
    alias.groups.add(Group.objects.get(name=roles.AUDITOR))
    response = superuser_client.post(f"/admin/auth/user/{alias.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="user.deleted")
    assert (event.actor_name, event.before["groups"]) == ("root", [roles.AUDITOR])


def test_a_role_deleted_in_the_admin_is_audited(superuser_client):
    team = Group.objects.create(name="Credit model team")
    superuser_client.post(f"/admin/auth/group/{team.pk}/delete/", {"post": "yes"})
    assert AuditEvent.objects.get(verb="role.deleted").target_repr == "Credit model team"


def test_createsuperuser_is_audited(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Tr1cky-Passw0rd!")
    call_command(
        "createsuperuser", "--noinput", "--username", "root2", "--email", "r@x.example",
        stdout=StringIO(),
    )  # fmt: skip
    event = AuditEvent.objects.get(verb="user.created", target_repr="root2")
    assert (event.actor_name, event.after["is_superuser"]) == ("system", True)


def test_changepassword_is_audited(alias, monkeypatch):
    monkeypatch.setattr(Command, "_get_pass", lambda self, prompt="": "Tr1cky-Passw0rd!")
    call_command("changepassword", "ada2", stdout=StringIO())
    assert AuditEvent.objects.get(verb="user.password_changed").actor_name == "system"
