"""Template context shared by every page: what the navigation may show this user."""

from django.http import HttpRequest

from governance import permissions


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": permissions.navigation_for(user)}
