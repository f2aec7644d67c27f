"""The organisation profile: facts about the firm that every model's scoping starts from."""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from governance import audit, permissions, roles
from registry.models import OrganisationProfile

FACTS = ("jurisdiction", "us_banking_organisation", "pra_firm", "eu_establishment", "public_body")


def may_edit_organisation_profile(user: permissions.Visitor) -> bool:
    """Administrators state the organisation's facts: they answer for every model at once."""
    return bool(user.is_active) and roles.ADMINISTRATOR in permissions.roles_of(user)


@transaction.atomic
def update_organisation_profile(*, actor: User, **facts: Any) -> OrganisationProfile:
    """Change the organisation's facts; models' scoping questionnaires default to them."""
    if not may_edit_organisation_profile(actor):
        raise PermissionDenied(f"{actor} may not change the organisation profile")
    profile = OrganisationProfile.objects.select_for_update().filter(pk=1).first()
    if profile is None:
        profile = OrganisationProfile(pk=1)
    audit.audited_update(
        actor=actor,
        row=profile,
        changes=facts,
        editable=FACTS,
        verb="organisation.profile_updated",
    )
    return profile
