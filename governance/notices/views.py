"""Notices page, and the unread count every page's navigation shows."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from governance import permissions
from governance.notices import selectors, services

PAGE_SIZE = 50


def unread(request: HttpRequest) -> dict[str, object]:
    """Template context: how many notices the signed-in person has not read."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": selectors.unread_count(user)}


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    """The person's notices, newest first; unread ones stand out."""
    page = Paginator(selectors.notices_for(permissions.actor(request)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    digest = selectors.daily_digest(permissions.actor(request))
    return render(request, "governance/notices/list.html", {"page": page, "daily_digest": digest})


@login_required
@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    """Mark every notice read."""
    count = services.mark_read(actor=permissions.actor(request))
    messages.success(request, f"{count} notice{'s' if count != 1 else ''} marked read.")
    return redirect("notices:list")


@login_required
@require_POST
def notices_digest(request: HttpRequest) -> HttpResponse:
    """Choose one e-mail a day listing unread notices, or one e-mail per notice."""
    daily = request.POST.get("daily_digest") == "1"
    services.set_daily_digest(actor=permissions.actor(request), daily_digest=daily)
    said = "one e-mail a day listing your unread notices" if daily else "an e-mail for each notice"
    messages.success(request, f"You will get {said}.")
    return redirect("notices:list")
