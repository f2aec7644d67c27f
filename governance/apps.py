"""App config for the governance domain."""

from typing import Any

from django.apps import AppConfig, apps
from django.contrib.auth.management import create_permissions
from django.db.models.signals import post_migrate


def _ensure_roles(sender: AppConfig, **kwargs: Any) -> None:
    from governance.access.services import accounts

    # Role groups reference registry permissions, which post_migrate creates per app, in
    # app order: make sure they exist before the groups are set.
    for label in ("registry", "governance", "monitoring"):
        create_permissions(
            apps.get_app_config(label), verbosity=0, using=kwargs.get("using", "default")
        )
    accounts.ensure_roles()


def _load_rulebooks(sender: AppConfig, **kwargs: Any) -> None:
    from governance.rulebooks import services as rulebooks

    rulebooks.load_shipped()


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        # The Celery app must exist before any task is queued, so that tasks bind to its broker
        # settings; loaded here rather than in governance/__init__.py to keep rules modules pure.
        # Registering every tasks module lets services queue a task by name (governance.queue).
        from governance.celery import TASK_PACKAGES, app

        app.autodiscover_tasks(TASK_PACKAGES, force=True)

        # Per-model grants memoised on a request's user are dropped when any grant or group
        # membership changes (governance.permissions).
        from django.contrib.auth.models import User
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from governance.permissions import grants_changed
        from registry.models import MLModelGroupObjectPermission, MLModelUserObjectPermission

        for grant in (MLModelUserObjectPermission, MLModelGroupObjectPermission):
            post_save.connect(grants_changed, sender=grant, dispatch_uid=f"grants-{grant.__name__}")
            post_delete.connect(
                grants_changed, sender=grant, dispatch_uid=f"grants-del-{grant.__name__}"
            )
        m2m_changed.connect(
            grants_changed, sender=User.groups.through, dispatch_uid="grants-groups"
        )

        # A sign-in lockout is an audit event.
        from axes.signals import user_locked_out

        from governance.access.signin import record_lockout

        user_locked_out.connect(record_lockout, dispatch_uid="audit-lockout")

        # `check --deploy` refuses the audit trail's development keys.
        from governance.auditlog import checks  # noqa: F401

        # Setup, not domain logic: role groups need the permissions that post_migrate creates.
        post_migrate.connect(_ensure_roles, sender=self)
        # The shipped rulebooks are data every assessment needs, loaded like the role groups.
        post_migrate.connect(_load_rulebooks, sender=self)
