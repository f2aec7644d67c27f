"""Who may do what: RACI-derived actions, and the persona matrix over one model."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from governance import permissions
from governance.access.models import RaciAssignment

R, A, C, I = "R", "A", "C", "I"  # noqa: E741


@pytest.mark.parametrize(
    ("role", "area", "expected"),
    [
        (R, "development", {"view", "change"}),
        (A, "development", {"view", "change", "submit"}),
        (C, "development", {"view"}),
        (I, "monitoring", {"view"}),
        (R, "monitoring", {"view", "change"}),
        (R, "validation", {"view", "validate"}),
        (A, "validation", {"view", "validate"}),
        (C, "validation", {"view"}),
        (R, "approval", {"view", "decide"}),
        (I, "approval", {"view"}),
    ],
)
def test_raci_assignment_grants_the_actions_of_its_role_and_area(role, area, expected):
    assert permissions.actions_for_raci(role, area) == expected


MATRIX = {
    # persona: (view, change, submit, validate, decide)
    "owner": (True, True, True, False, False),
    "developer": (True, True, False, False, False),
    "validator": (True, False, False, True, False),
    "committee_member": (True, False, False, False, True),
    "auditor": (True, False, False, False, False),
    "outsider": (False, False, False, False, False),
    "admin_user": (True, True, True, False, False),
}


@pytest.mark.parametrize("persona", MATRIX)
def test_persona_may_do_exactly_what_the_matrix_says_on_the_pd_model(
    persona, request, credit_pd_model
):
    user = request.getfixturevalue(persona)
    actions = ("view", "change", "submit", "validate", "decide")
    assert tuple(permissions.can(user, a, credit_pd_model) for a in actions) == MATRIX[persona]


def test_inactive_user_may_do_nothing(credit_pd_model, owner):
    owner.is_active = False
    owner.save()
    assert not permissions.can(owner, "view", credit_pd_model)
    assert not permissions.models_for(owner).exists()


def test_invisible_model_is_404_and_visible_but_forbidden_is_403(
    credit_pd_model, outsider, auditor
):
    with pytest.raises(Http404):
        permissions.model_for_user_or_404(outsider, "retail-pd")
    with pytest.raises(PermissionDenied):
        permissions.model_for_user_or_404(auditor, "retail-pd", action="change")
    assert permissions.model_for_user_or_404(auditor, "retail-pd") == credit_pd_model


def test_navigation_shows_registration_only_to_roles_that_register(owner, auditor):
    assert permissions.navigation_for(owner)["can_register_model"] is True
    assert permissions.navigation_for(auditor)["can_register_model"] is False
    assert permissions.navigation_for(auditor)["can_view_audit"] is True
    assert permissions.navigation_for(auditor)["roles"] == ["Auditors"]


def test_global_action_refused_names_the_action(auditor):
    with pytest.raises(PermissionDenied, match="may not register model"):
        permissions.require_globally(auditor, "register_model")


def test_raci_area_choices_cover_every_area_the_grants_know():
    assert set(RaciAssignment.Area.values) == {
        "development",
        "validation",
        "approval",
        "monitoring",
    }
