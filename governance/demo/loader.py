"""Loading the demo portfolio through the services, so its grants and audit chain are real.

The portfolio is built as it happened: each part adds its dated steps to one timeline, which
runs them oldest first with the clock set to each step's instant (`governance.demo.timeline`).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from governance import context, demo, roles
from governance.access.models import RaciAssignment
from governance.access.services import accounts
from governance.approvals.models import ApprovalRequest
from governance.auditlog.models import AuditEvent
from governance.demo import approvals, assessing, inventory, monitoring, pushes
from governance.demo.inventory import EMAIL_DOMAIN
from governance.demo.spec import at
from governance.demo.timeline import Timeline
from governance.demo.world import GO_LIVE, World
from governance.findings.models import Finding
from governance.risk.models import Control, RiskAssessment
from registry import services
from registry.models import (
    Dataset,
    DatasetVersion,
    Deployment,
    MLModel,
    ModelDependency,
    ModelVersion,
    TrainingRun,
    UseCase,
)

REQUEST_ID = "seed_demo"  # every seeded audit event carries it, so the demo load is traceable


def is_seeded() -> bool:
    """Whether the demo portfolio is already loaded (its first model exists)."""
    return MLModel.objects.filter(slug=demo.MARKER_SLUG).exists()


def existing_demo_usernames() -> list[str]:
    wanted = [user.username for user in demo.USERS]
    found = get_user_model().objects.filter(username__in=wanted)
    return sorted(found.values_list("username", flat=True))


@transaction.atomic
def seed() -> dict[str, int]:
    """Build the demo portfolio as it happened over two years, in one transaction; return how
    many of each record it holds."""
    token = context.request_id.set(REQUEST_ID)
    try:
        timeline = Timeline(start=GO_LIVE)
        world = World()
        _people(timeline, world)
        inventory.schedule(timeline, world)
        assessing.schedule(timeline, world)
        pushes.schedule(timeline, world, REQUEST_ID)
        monitoring.schedule(timeline, world)
        approvals.schedule(timeline, world)
        timeline.run()
    finally:
        context.request_id.reset(token)
    return portfolio_counts()


def portfolio_counts() -> dict[str, int]:
    """How many of each inventory record the database holds."""
    return {
        "models": MLModel.objects.count(),
        "versions": ModelVersion.objects.count(),
        "training runs": TrainingRun.objects.count(),
        "datasets": Dataset.objects.count(),
        "dataset versions": DatasetVersion.objects.count(),
        "deployments": Deployment.objects.count(),
        "dependencies": ModelDependency.objects.count(),
        "use cases": UseCase.objects.count(),
        "RACI assignments": RaciAssignment.objects.count(),
        "risk assessments": RiskAssessment.objects.exclude(status="draft").count(),
        "obligations": Control.objects.filter(applies=True).count(),
        "approval requests": ApprovalRequest.objects.count(),
        "findings": Finding.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


def _people(timeline: Timeline, world: World) -> None:
    timeline.add(timeline.on(GO_LIVE, 8), "people", lambda: _create_users(world))
    # Victor is to cover appointments while Vera is away: Ada asks, Sam has not decided yet.
    timeline.add(at("2026-11-19", 10), "role request", lambda: _ask_cover(world))


def _create_users(world: World) -> None:
    """The demo people, the administrator first: she creates the others (all audited)."""
    users = world.users
    for person in sorted(demo.USERS, key=lambda p: p.username != demo.ADMIN):
        # The two administrators are installed as `createsuperuser` installs them.
        is_admin = person.role == roles.ADMINISTRATOR
        user = get_user_model().objects.create_user(
            username=person.username,
            email=f"{person.username}@{EMAIL_DOMAIN}",
            password=demo.PASSWORD,
            first_name=person.first_name,
            last_name=person.last_name,
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        user.groups.add(*Group.objects.filter(name__in=[person.role, *person.also]))
        # The administrator is bootstrapped by the system (no actor), as `createsuperuser` would be.
        accounts.record_access_change(actor=users.get(demo.ADMIN), user=user, before=None)
        users[person.username] = user
    for definition in demo.CUSTOM_FIELDS:
        services.define_custom_field(actor=world.admin, **definition)


def _ask_cover(world: World) -> None:
    accounts.request_role(
        actor=world.admin,
        user=world.users["victor"],
        role=Group.objects.get(name=roles.HEAD_OF_VALIDATION),
        note="Covers validator appointments while Vera is on leave in January.",
    )
