"""Who acts, as people: a group's members, the people behind a service account, who develops a
model. Every four-eyes rule is checked on people, never on the principal a right was given to.

Each answer maps a person's id to how that person comes in, said so it can stand before a verb:
"dev", "dev (in group Developers)", "alice (who created the service account ci-bot)".
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group

from governance.access.models import ApiToken, RaciAssignment, ServiceAccount
from registry.models import MLModel

ACTING = (RaciAssignment.Role.RESPONSIBLE, RaciAssignment.Role.ACCOUNTABLE)
VERBS = {
    RaciAssignment.Area.DEVELOPMENT: "develops",
    RaciAssignment.Area.VALIDATION: "validates",
    RaciAssignment.Area.APPROVAL: "approves",
    RaciAssignment.Area.MONITORING: "monitors",
}

People = dict[int, str]


def name_of(person: AbstractBaseUser) -> str:
    return person.get_username()


def members_of(group: Group) -> list[AbstractBaseUser]:
    """The group's active members, at the moment of asking."""
    return list(get_user_model().objects.filter(groups=group, is_active=True).order_by("username"))


def people_behind(user: AbstractBaseUser) -> People:
    """The user, and for a service account the people who control it: whoever created it and
    whoever issued one of its tokens (they hold its keys, so its acts are theirs too)."""
    found: People = {user.pk: name_of(user)}
    account = ServiceAccount.objects.filter(user_id=user.pk).select_related("created_by").first()
    if account is None:
        return found
    what = f"the service account {name_of(user)}"
    found.setdefault(account.created_by_id, f"{name_of(account.created_by)} (who created {what})")
    for token in ApiToken.objects.filter(user_id=user.pk).select_related("created_by"):
        found.setdefault(
            token.created_by_id, f"{name_of(token.created_by)} (who issued a token of {what})"
        )
    return found


def same_person(first: AbstractBaseUser, second: AbstractBaseUser) -> str:
    """'' when two accounts are independent; otherwise the person behind both, as said above."""
    shared = people_behind(first).keys() & people_behind(second).keys()
    if not shared:
        return ""
    return people_behind(first)[min(shared)]


def people_in(assignment: RaciAssignment) -> People:
    """The people a RACI row names: its user (and those behind it), or its group's members."""
    if assignment.user_id is not None:
        return people_behind(assignment.user)
    group = assignment.group.name
    return {
        member.pk: f"{name_of(member)} (in group {group})"
        for member in members_of(assignment.group)
    }


def acting_in(model: MLModel, area: str) -> People:
    """Everyone Responsible or Accountable for one area of the model, groups expanded:
    "dev (in group Developers) develops retail-pd"."""
    found: People = {}
    rows = RaciAssignment.objects.filter(model=model, area=area, role__in=ACTING)
    for assignment in rows.select_related("user", "group"):
        for person, who in people_in(assignment).items():
            found.setdefault(person, f"{who} {VERBS[area]} {model.slug}")
    return found


def developers_of(model: MLModel) -> People:
    """The model's owner and everyone who develops it through RACI, as people."""
    found = {
        person: f"{who} owns {model.slug}" for person, who in people_behind(model.owner).items()
    }
    for person, why in acting_in(model, RaciAssignment.Area.DEVELOPMENT).items():
        found.setdefault(person, why)
    return found
