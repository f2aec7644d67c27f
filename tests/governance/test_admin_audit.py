"""Access changes made in Django's admin land in the audit trail."""

import pytest
from django.contrib.auth.models import Group

from governance import roles
from governance.access.services import accounts
from governance.auditlog.models import AuditEvent
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
