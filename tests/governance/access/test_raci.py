"""Assigning and removing RACI roles: rows, grants and audit events move together."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from governance import permissions
from governance.access.models import RaciAssignment
from governance.access.services import raci
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from tests.factories.accounts import UserFactory


def test_assigning_a_validator_lets_her_validate_and_is_audited(
    credit_pd_model, head_of_validation
):
    reviewer = UserFactory(username="rita", roles=["Validators"])
    assignment = raci.assign_raci(
        actor=head_of_validation, model=credit_pd_model, user=reviewer, role="A", area="validation"
    )
    assert permissions.can(reviewer, "validate", credit_pd_model)
    event = AuditEvent.objects.get(verb="raci.assigned", target_id=str(assignment.pk))
    assert event.after["principal"] == reviewer.get_full_name()
    assert (event.after["role"], event.after["area"], event.mlmodel_id) == (
        "A",
        "validation",
        credit_pd_model.pk,
    )


def test_removing_the_only_assignment_withdraws_the_rights(credit_pd_model, owner, developer):
    assignment = RaciAssignment.objects.get(model=credit_pd_model, user=developer)
    raci.remove_raci(actor=owner, assignment=assignment)
    assert not permissions.can(developer, "view", credit_pd_model)
    assert AuditEvent.objects.get(verb="raci.removed").before["area"] == "development"


def test_removing_one_of_two_assignments_keeps_the_other_rights(credit_pd_model, owner, developer):
    informed = raci.assign_raci(
        actor=owner, model=credit_pd_model, user=developer, role="I", area="approval"
    )
    responsible = RaciAssignment.objects.get(model=credit_pd_model, user=developer, role="R")
    raci.remove_raci(actor=owner, assignment=responsible)
    assert permissions.can(developer, "view", credit_pd_model)
    assert not permissions.can(developer, "change", credit_pd_model)
    raci.remove_raci(actor=owner, assignment=informed)
    assert not permissions.can(developer, "view", credit_pd_model)


def test_group_assignment_grants_every_member(credit_pd_model, head_of_validation):
    team = Group.objects.create(name="Credit validation team")
    member = UserFactory(username="gus", roles=["Validators"])
    member.groups.add(team)
    raci.assign_raci(
        actor=head_of_validation, model=credit_pd_model, group=team, role="R", area="validation"
    )
    assert permissions.can(member, "validate", credit_pd_model)


def test_owner_keeps_owner_rights_when_an_assignment_of_theirs_is_removed(credit_pd_model, owner):
    assignment = raci.assign_raci(
        actor=owner, model=credit_pd_model, user=owner, role="I", area="approval"
    )
    raci.remove_raci(actor=owner, assignment=assignment)
    assert permissions.can(owner, "submit", credit_pd_model)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "user"),
        ({"user": "dev", "group": "team"}, "user"),
        ({"user": "dev", "role": "R"}, "role"),
    ],
)
def test_bad_assignment_is_refused_and_writes_nothing(
    credit_pd_model, owner, developer, kwargs, field
):
    team = Group.objects.create(name="team")
    principals = {"user": developer, "group": team}
    args = {"role": kwargs.get("role", "C"), "area": "development"}
    args |= {k: principals[k] for k in ("user", "group") if k in kwargs}
    before = (RaciAssignment.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DomainError) as refused:
        raci.assign_raci(actor=owner, model=credit_pd_model, **args)
    assert refused.value.field == field
    assert (RaciAssignment.objects.count(), AuditEvent.objects.count()) == before


def test_inactive_user_cannot_be_assigned(credit_pd_model, owner):
    gone = UserFactory(username="left", is_active=False)
    with pytest.raises(DomainError, match="not an active user"):
        raci.assign_raci(actor=owner, model=credit_pd_model, user=gone, role="I", area="monitoring")


@pytest.mark.parametrize("persona", ["developer", "auditor", "validator", "outsider"])
def test_only_owners_and_administrators_manage_raci(
    credit_pd_model, persona, request, committee_member
):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        raci.assign_raci(
            actor=actor, model=credit_pd_model, user=committee_member, role="R", area="approval"
        )


def test_administrator_manages_raci_on_any_model(credit_pd_model, admin_user, committee_member):
    raci.assign_raci(
        actor=admin_user, model=credit_pd_model, user=committee_member, role="R", area="approval"
    )
    assert permissions.can(committee_member, "decide", credit_pd_model)


@pytest.mark.parametrize(
    ("area", "role", "appointer"),
    [
        ("validation", "Validators", "head_of_validation"),
        ("approval", "Committee members", "admin_user"),
    ],
)
def test_a_developer_cannot_also_validate_or_approve_the_same_model(
    credit_pd_model, owner, request, area, role, appointer
):
    both = UserFactory(username="max", roles=["Developers", role])
    raci.assign_raci(actor=owner, model=credit_pd_model, user=both, role="R", area="development")
    with pytest.raises(DomainError, match="max develops retail-pd: cannot") as refused:
        raci.assign_raci(
            actor=request.getfixturevalue(appointer),
            model=credit_pd_model,
            user=both,
            role="R",
            area=area,
        )
    assert refused.value.field == "user"


def test_the_owner_cannot_be_made_validator_of_her_own_model(
    credit_pd_model, owner, head_of_validation
):
    owner.groups.add(Group.objects.get(name="Validators"))
    with pytest.raises(DomainError, match="olivia owns retail-pd: cannot validate it"):
        raci.assign_raci(
            actor=head_of_validation, model=credit_pd_model, user=owner, role="A", area="validation"
        )


def test_the_validator_cannot_be_made_a_developer_of_the_same_model(
    credit_pd_model, owner, validator
):
    with pytest.raises(DomainError, match="cannot develop it"):
        raci.assign_raci(
            actor=owner, model=credit_pd_model, user=validator, role="R", area="development"
        )


def test_being_consulted_on_validation_needs_no_independence(credit_pd_model, owner, developer):
    raci.assign_raci(
        actor=owner, model=credit_pd_model, user=developer, role="C", area="validation"
    )
    assert not permissions.can(developer, "validate", credit_pd_model)
