"""Signing in through the directory: the account is made on first sign-in and bound to the
directory's subject; the roles the mapping names follow the person's directory groups at each
sign-in, every change audited with the group that caused it; administrators' accounts, service
accounts and deactivated people are never opened this way, and no one is made staff."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured

from governance import roles
from governance.access.models import DirectoryIdentity
from governance.access.services import directory, tokens
from governance.access.services.directory import DirectoryClaims
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from tests.factories.accounts import UserFactory

ISSUER = "https://login.northwind.example"
VALIDATORS = "cn=mrm-validators,ou=groups"
COMMITTEE = "cn=mrc,ou=groups"
MAPPING = [(VALIDATORS, roles.VALIDATOR), (COMMITTEE, roles.COMMITTEE)]

pytestmark = pytest.mark.django_db


def nina(*groups: str, subject: str = "s-101", username: str = "nina") -> DirectoryClaims:
    return DirectoryClaims(
        issuer=ISSUER,
        subject=subject,
        username=username,
        email="nina@northwind.example",
        first_name="Nina",
        last_name="Nakamura",
        groups=groups,
    )


def sign_in(claims: DirectoryClaims, **kwargs) -> User:
    return directory.sign_in(claims=claims, group_roles=MAPPING, **kwargs)


def roles_of(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def test_the_first_sign_in_makes_the_account_with_the_mapped_role():
    user = sign_in(nina(VALIDATORS, "cn=canteen,ou=groups"))
    assert roles_of(user) == [roles.VALIDATOR]
    assert (user.email, user.first_name, user.is_staff, user.is_superuser) == (
        "nina@northwind.example",
        "Nina",
        False,
        False,
    )
    assert not user.has_usable_password()
    assert DirectoryIdentity.objects.get(user=user).subject == "s-101"
    verbs = list(AuditEvent.objects.filter(target_repr="nina").values_list("verb", flat=True))
    assert verbs == ["user.created", "user.directory_linked", "user.directory_synced"]
    synced = AuditEvent.objects.get(verb="user.directory_synced")
    assert synced.actor is None
    assert synced.after["groups"] == [roles.VALIDATOR]
    assert synced.after["granted_by_directory_groups"] == {roles.VALIDATOR: [VALIDATORS]}
    assert synced.after["issuer"] == ISSUER
    assert "removed_on_leaving_directory_groups" not in synced.after  # nothing was removed


def test_a_group_gone_from_the_directory_takes_its_role_away_at_the_next_sign_in():
    user = sign_in(nina(VALIDATORS))
    sign_in(nina(COMMITTEE))
    assert roles_of(user) == [roles.COMMITTEE]
    synced = AuditEvent.objects.filter(verb="user.directory_synced").latest("seq")
    assert synced.before == {"groups": [roles.VALIDATOR]}
    assert synced.after["removed_on_leaving_directory_groups"] == {roles.VALIDATOR: [VALIDATORS]}
    assert synced.after["granted_by_directory_groups"] == {roles.COMMITTEE: [COMMITTEE]}


def test_a_sign_in_that_changes_nothing_records_nothing():
    sign_in(nina(VALIDATORS))
    count = AuditEvent.objects.count()
    sign_in(nina(VALIDATORS))
    assert AuditEvent.objects.count() == count


def test_roles_granted_in_attest_are_left_to_attest():
    user = sign_in(nina())
    user.groups.add(*Group.objects.filter(name__in=[roles.OWNER, roles.HEAD_OF_VALIDATION]))
    sign_in(nina(VALIDATORS))
    assert roles_of(user) == [roles.HEAD_OF_VALIDATION, roles.OWNER, roles.VALIDATOR]


def test_an_existing_account_of_that_name_is_bound_on_first_sign_in():
    local = UserFactory(username="nina", roles=[roles.OWNER])
    assert sign_in(nina(VALIDATORS)) == local
    assert roles_of(local) == [roles.OWNER, roles.VALIDATOR]


def test_a_name_reused_in_the_directory_does_not_inherit_the_account():
    sign_in(nina(VALIDATORS))
    with pytest.raises(DomainError, match="belongs to another person in the directory"):
        sign_in(nina(VALIDATORS, subject="s-999"))


def test_a_renamed_person_keeps_their_account():
    user = sign_in(nina(VALIDATORS))
    assert sign_in(nina(VALIDATORS, username="nina.nakamura")) == user


@pytest.mark.parametrize(
    "flags", [{"is_superuser": True}, {"is_staff": True}, {}], ids=["superuser", "staff", "named"]
)
def test_administrators_accounts_are_never_opened_by_the_directory(flags):
    ada = UserFactory(username="nina", **flags)
    with pytest.raises(DomainError, match="administrator's account"):
        sign_in(nina(VALIDATORS), break_glass=["nina"] if not flags else [])
    assert not ada.groups.exists()
    assert not DirectoryIdentity.objects.exists()


def test_a_service_account_is_never_opened_by_the_directory(admin_user):
    tokens.create_service_account(actor=admin_user, username="nina")
    with pytest.raises(DomainError, match="service account"):
        sign_in(nina(VALIDATORS))


def test_a_deactivated_person_stays_out():
    user = sign_in(nina(VALIDATORS))
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(DomainError, match="deactivated"):
        sign_in(nina(VALIDATORS))


@pytest.mark.parametrize("role", ["Validatorz", roles.PIPELINE])
def test_the_mapping_names_only_roles_the_directory_may_give(role):
    with pytest.raises(ImproperlyConfigured, match=role):
        directory.sign_in(claims=nina(VALIDATORS), group_roles=[(VALIDATORS, role)])
