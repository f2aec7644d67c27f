"""A request's user keeps the per-model grants it read; any change to grants or groups drops
them, so a revocation or a new membership is never answered from the memo."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import permissions, roles
from governance.access.models import RaciAssignment
from governance.access.services import raci
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_grants_are_read_once_for_many_checks_on_one_model(developer, credit_pd_model):
    assert permissions.can(developer, "change", credit_pd_model)
    with CaptureQueriesContext(connection) as read:
        for _ in range(10):
            assert permissions.can(developer, "change", credit_pd_model)
            assert permissions.can(developer, "view", credit_pd_model)
    assert len(read.captured_queries) == 0


def test_a_removed_assignment_is_seen_at_once_by_the_same_user_object(
    owner, developer, credit_pd_model
):
    assert permissions.can(developer, "change", credit_pd_model)
    row = RaciAssignment.objects.get(model=credit_pd_model, user=developer)
    raci.remove_raci(actor=owner, assignment=row)
    assert not permissions.can(developer, "change", credit_pd_model)


def test_joining_a_group_that_holds_a_grant_is_seen_at_once(owner, credit_pd_model):
    newcomer = UserFactory(username="nina", roles=[roles.DEVELOPER])
    team = Group.objects.create(name="Scorecard team")
    raci.assign_raci(actor=owner, model=credit_pd_model, group=team, role="R", area="development")
    assert not permissions.can(newcomer, "change", credit_pd_model)
    newcomer.groups.add(team)
    assert permissions.can(newcomer, "change", credit_pd_model)


def test_joining_a_read_only_role_takes_rights_away_at_once(developer, credit_pd_model):
    assert permissions.can(developer, "change", credit_pd_model)
    developer.groups.add(Group.objects.get(name=roles.AUDITOR))
    assert not permissions.can(developer, "change", credit_pd_model)
