"""The roles Attest knows, as groups holding global permissions. Kept in step by `ensure_roles`."""

from django.contrib.auth.models import Group, Permission

OWNER = "Model owners"
DEVELOPER = "Developers"
VALIDATOR = "Validators"
COMMITTEE = "Committee members"
AUDITOR = "Auditors"
COMPLIANCE = "Compliance officers"
LEGAL = "Legal counsel"
ADMINISTRATOR = "Administrators"
# Receive the monthly executive report and read the dashboard it comes from.
EXECUTIVE = "Executives"
# Service accounts: pipelines register the datasets their runs read; model rights come from RACI.
PIPELINE = "Pipelines"

_READ_REFERENCE = ["registry.view_dataset", "registry.view_usecase"]

# Global permissions per role. Per-model rights (view, change, submit, validate, decide on one
# model) come from ownership and RACI assignments, granted as object permissions.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    OWNER: [
        *_READ_REFERENCE,
        "registry.add_mlmodel",
        "registry.add_dataset",
        "registry.change_dataset",
        "registry.add_usecase",
        "registry.change_usecase",
    ],
    DEVELOPER: [*_READ_REFERENCE, "registry.add_mlmodel", "registry.add_dataset"],
    # Second line reviews the whole portfolio; validation rights on a model come from RACI.
    # Those who see the whole portfolio also read its monitoring totals (/metrics).
    VALIDATOR: [*_READ_REFERENCE, "registry.view_mlmodel", "monitoring.view_alert"],
    COMMITTEE: [
        *_READ_REFERENCE,
        "registry.view_mlmodel",
        "registry.decide_mlmodel",
        "monitoring.view_alert",
    ],
    # Second-line specialists who sign off Tier 1 requests in their own role.
    COMPLIANCE: [*_READ_REFERENCE, "registry.view_mlmodel"],
    LEGAL: [*_READ_REFERENCE, "registry.view_mlmodel"],
    # Third line: read everything, change nothing.
    AUDITOR: [
        *_READ_REFERENCE,
        "registry.view_mlmodel",
        "governance.view_auditevent",
        "monitoring.view_alert",
    ],
    # The dashboard covers the whole portfolio, so it needs the global view right.
    EXECUTIVE: ["registry.view_mlmodel"],
    PIPELINE: [*_READ_REFERENCE, "registry.add_dataset"],
    ADMINISTRATOR: [
        *_READ_REFERENCE,
        "governance.manage_service_accounts",
        "registry.view_mlmodel",
        "registry.add_mlmodel",
        "registry.change_mlmodel",
        "registry.delete_mlmodel",
        "registry.submit_mlmodel",
        "registry.add_dataset",
        "registry.change_dataset",
        "registry.add_usecase",
        "registry.change_usecase",
        "registry.add_customfield",
        "registry.change_customfield",
        "registry.view_customfield",
        "governance.view_auditevent",
        "governance.add_raciassignment",
        "governance.add_rulebook",
        "monitoring.view_alert",
    ],
}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def ensure_roles() -> None:
    """Create missing role groups and restore declared permissions they lack, audited.

    The declaration is the reviewed baseline of each role; permissions an administrator added
    beyond it are kept. Either way the audit trail shows who changed a role and when.
    """
    from governance.access.services import accounts

    for name, dotted_perms in ROLE_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=name)
        before = None if created else accounts.role_snapshot(group)
        held = set(group.permissions.values_list("content_type__app_label", "codename"))
        missing = [p for p in dotted_perms if tuple(p.split(".")) not in held]
        if created or missing:
            group.permissions.add(*[_permission(p) for p in missing])
            accounts.record_role_change(actor=None, group=group, before=before)
