"""Template context shared by every page: what the navigation may show this user, and which of
its menus and items the page belongs to.

The active item is looked up from the resolved URL's namespace and name, exactly: a substring
test on names marked Inventory, Use cases and Datasets current on rulebook and token pages.
"""

from dataclasses import dataclass

from django.http import HttpRequest

from governance import permissions, roles


@dataclass(frozen=True)
class Active:
    """The navigation menu and the item in it that the current page belongs to ("" for none)."""

    menu: str = ""
    item: str = ""


# Each navigation item: its menu.
MENU_OF = {
    "models": "inventory",
    "use-cases": "inventory",
    "datasets": "inventory",
    "serving": "inventory",
    "my-work": "governance",
    "queue": "governance",
    "findings": "governance",
    "exceptions": "governance",
    "monitoring": "monitoring",
    "dashboard": "reports",
    "packs": "reports",
    "portfolio-packs": "reports",
    "exports": "reports",
    "audit-log": "admin",
    "rulebooks": "admin",
    "tokens": "admin",
    "roles": "admin",
}
# Pages filed under an item other than their namespace's default (below), by exact URL name.
BY_NAME = {
    ("registry", "usecase-list"): "use-cases",
    ("registry", "usecase-detail"): "use-cases",
    ("registry", "usecase-change-decide"): "use-cases",
    ("registry", "dataset-list"): "datasets",
    ("registry", "dataset-detail"): "datasets",
    ("registry", "serving"): "serving",
    ("approvals", "my-work"): "my-work",
    ("approvals", "model-requests"): "models",
    ("approvals", "version-requests"): "models",
    ("findings", "exception-list"): "exceptions",
    ("findings", "exception-new"): "exceptions",
    ("findings", "exception-revoke"): "exceptions",
    ("findings", "exception-decide"): "exceptions",
    ("tokens", "roles"): "roles",
    ("packs", "portfolio-list"): "portfolio-packs",
    ("packs", "portfolio-detail"): "portfolio-packs",
    ("tokens", "role-decide"): "roles",
}
# Every other page of a namespace: the item it belongs to. The risk pages of a use case are
# matched by their name's prefix below, the only rule that is not an exact lookup.
BY_NAMESPACE = {
    "registry": "models",
    "risk": "models",
    "approvals": "queue",
    "findings": "findings",
    "monitoring": "monitoring",
    "reports-dashboard": "dashboard",
    "packs": "packs",
    "reports": "exports",
    "governance": "audit-log",
    "rulebooks": "rulebooks",
    "tokens": "tokens",
}


# Roles whose day is the work waiting on them: they land on My work after signing in.
WORKING_ROLES = frozenset(
    {roles.OWNER, roles.DEVELOPER, roles.VALIDATOR, roles.HEAD_OF_VALIDATION, roles.COMMITTEE,
     roles.COMPLIANCE, roles.LEGAL}
)  # fmt: skip


def start_page(user: permissions.Visitor) -> str:
    """The URL name a person lands on: their work list, the audit log for an auditor, the
    dashboard for an executive, the inventory for anyone else."""
    held = permissions.roles_of(user)
    if held & WORKING_ROLES:
        return "approvals:my-work"
    if roles.AUDITOR in held:
        return "governance:audit-log"
    if roles.EXECUTIVE in held:
        return "reports-dashboard:dashboard"
    return "registry:model-list"


def active_for(namespace: str, url_name: str) -> Active:
    """The menu and item of the page named `namespace:url_name`; none for pages outside them."""
    item = BY_NAME.get((namespace, url_name)) or BY_NAMESPACE.get(namespace, "")
    if namespace == "risk" and url_name.startswith("usecase-"):
        item = "use-cases"
    return Active(MENU_OF.get(item, ""), item)


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    active = active_for(match.namespace, match.url_name or "") if match else Active()
    return {"nav": permissions.navigation_for(user), "nav_active": active}
