"""The roles Attest knows, as groups holding global permissions.

Kept in step after every migrate by `governance.access.services.accounts.ensure_roles`.
"""

OWNER = "Model owners"
DEVELOPER = "Developers"
VALIDATOR = "Validators"
# The validation function's lead: appoints validators to models (owners may only ask for one).
HEAD_OF_VALIDATION = "Heads of validation"
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
    HEAD_OF_VALIDATION: [
        *_READ_REFERENCE,
        "registry.view_mlmodel",
        "governance.assign_validators",
        "monitoring.view_alert",
    ],
    COMMITTEE: [
        *_READ_REFERENCE,
        "registry.view_mlmodel",
        "registry.decide_mlmodel",
        "governance.publish_rulebook",
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
        "governance.grant_roles",
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
        "governance.publish_rulebook",
        "monitoring.view_alert",
    ],
}

# What a role lets its holders be given on a model, whatever a RACI row or ownership says
# (SR 26-2 and PRA SS1/23: validation independent of development, the third line read-only).
READ_ONLY = frozenset({AUDITOR, EXECUTIVE})
MAY_OWN = frozenset({OWNER})
MAY_VALIDATE = frozenset({VALIDATOR, HEAD_OF_VALIDATION})
MAY_DECIDE = frozenset({COMMITTEE, COMPLIANCE, LEGAL})

# Roles that take part in controls: holding one is granted by a second administrator
# (governance.access.services.accounts.request_role), never by the one who asks.
TAKES_PART_IN_CONTROLS = MAY_VALIDATE | MAY_DECIDE | frozenset({ADMINISTRATOR})
# Rights that bear on a control. They come only with the roles declared above (a reviewed code
# change); the admin may take them from a group, never add them to one.
CONTROL_PERMISSIONS = frozenset(
    {
        "registry.validate_mlmodel",
        "registry.decide_mlmodel",
        "registry.submit_mlmodel",
        "governance.assign_validators",
        "governance.add_raciassignment",
        "governance.add_rulebook",
        "governance.publish_rulebook",
        "governance.grant_roles",
        "governance.manage_service_accounts",
    }
)
