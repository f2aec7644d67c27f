"""Who acts, as people: a group's members, the people behind a service account, who develops a
model. Every four-eyes rule is checked on people, never on the principal a right was given to.

Each answer maps a person's id to how that person comes in, said so it can stand before a verb:
"dev", "dev, in group Developers,", "alice, who created the service account ci-bot,".
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db.models import Q

from governance import permissions
from governance.access.models import ApiToken, RaciAssignment, ServiceAccount
from registry.models import MLModel, ModelVersion

ACTING = (RaciAssignment.Role.RESPONSIBLE, RaciAssignment.Role.ACCOUNTABLE)
VERBS: dict[str, str] = {
    RaciAssignment.Area.DEVELOPMENT: "develops",
    RaciAssignment.Area.VALIDATION: "validates",
    RaciAssignment.Area.APPROVAL: "approves",
    RaciAssignment.Area.MONITORING: "monitors",
}

People = dict[int, str]


def name_of(person: User) -> str:
    return person.get_username()


def members_of(group: Group) -> list[User]:
    """The group's active members, at the moment of asking."""
    return list(get_user_model().objects.filter(groups=group, is_active=True).order_by("username"))


def people_behind(user: User) -> People:
    """The user, and for a service account the people who control it: whoever created it and
    whoever issued one of its tokens (they hold its keys, so its acts are theirs too)."""
    found: People = {user.pk: name_of(user)}
    account = ServiceAccount.objects.filter(user_id=user.pk).select_related("created_by").first()
    if account is None:
        return found
    what = f"the service account {name_of(user)}"
    found.setdefault(account.created_by_id, f"{name_of(account.created_by)}, who created {what},")
    for token in ApiToken.objects.filter(user_id=user.pk).select_related("created_by"):
        found.setdefault(
            token.created_by_id, f"{name_of(token.created_by)}, who issued a token of {what},"
        )
    return found


def same_person(first: User, second: User) -> str:
    """'' when two accounts are independent; otherwise the person behind both, as said above."""
    shared = people_behind(first).keys() & people_behind(second).keys()
    if not shared:
        return ""
    return people_behind(first)[min(shared)]


def named_in(group: Group | None) -> People:
    """A group's members as people: "dev, in group Developers,"."""
    if group is None:
        return {}
    return {member.pk: f"{name_of(member)}, in group {group.name}," for member in members_of(group)}


def people_in(assignment: RaciAssignment) -> People:
    """The people a RACI row names: its user (and those behind it), or its group's members."""
    if assignment.user is not None:
        return people_behind(assignment.user)
    return named_in(assignment.group)


def acting_in(model: MLModel, area: str) -> People:
    """Everyone Responsible or Accountable for one area of the model, groups expanded:
    "dev, in group Developers, develops retail-pd"."""
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


def _add(found: People, account: User | None, what: str) -> None:
    """`account` did `what`: so did everyone behind it."""
    if account is None:
        return
    for person, who in people_behind(account).items():
        found.setdefault(person, f"{who} {what}")


def lineage_builders(version: ModelVersion) -> People:
    """Who built the version, following lineage: who registered it, recorded its training run,
    registered the dataset versions it read, or authored its code commit (and, for each service
    account among them, the people who control it)."""
    found: People = {}
    _add(found, version.created_by, f"registered version {version.version}")
    run = version.training_run
    if run is None:
        return found
    _add(found, run.created_by, f"recorded its training run {run.external_id or run.pk}")
    for dataset_version in run.input_datasets.select_related("dataset", "created_by"):
        _add(found, dataset_version.created_by, f"registered its training data {dataset_version}")
    author = run.code_author.strip()
    if author:
        authors = get_user_model().objects.filter(
            Q(email__iexact=author) | Q(username__iexact=author)
        )
        for person in authors:
            _add(found, person, f"authored its code commit {run.code_commit[:12]}")
    return found


def builders_of(version: ModelVersion) -> People:
    """Everyone who built this version or develops its model, as people, each with why."""
    return {**lineage_builders(version), **developers_of(version.model)}


def builders_of_model(model: MLModel) -> People:
    """Everyone who built any version of the model or develops it, as people."""
    found = developers_of(model)
    versions = model.versions.select_related("created_by", "training_run__created_by")
    for version in versions:
        for person, why in lineage_builders(version).items():
            found.setdefault(person, why)
    return found


def holders_of(right: str) -> list[User]:
    """Active people holding a global right (`permissions.GLOBAL_PERMS` or `PERMS` name), through
    a role group or their own permissions, within what their roles allow."""
    dotted = permissions.GLOBAL_PERMS.get(right) or permissions.PERMS[right]
    app_label, codename = dotted.split(".")
    granted = Q(permissions__codename=codename, permissions__content_type__app_label=app_label)
    found = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(groups__in=Group.objects.filter(granted))
            | Q(
                user_permissions__codename=codename,
                user_permissions__content_type__app_label=app_label,
            )
        )
    )
    return list(found.distinct().order_by("first_name", "username"))


def deciders_of(model: MLModel) -> list[User]:
    """Who may decide a second-person request on the model (a waiver, an exception, a risk
    acceptance): decision rights on it, globally or by RACI, and no hand in developing it."""
    approval = RaciAssignment.objects.filter(
        model=model, area=RaciAssignment.Area.APPROVAL, role__in=ACTING
    )
    named = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(pk__in=approval.values("user_id")) | Q(groups__in=approval.values("group_id")))
    )
    candidates = {u.pk: u for u in [*holders_of("decide"), *named]}
    developers = developers_of(model)
    return sorted(
        (
            person
            for person in candidates.values()
            if permissions.can(person, "decide", model)
            and not people_behind(person).keys() & developers.keys()
        ),
        key=lambda person: (person.first_name, person.username),
    )
