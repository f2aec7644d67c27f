"""The search results page: what the navigation bar's search box finds, grouped by kind."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from governance.search import selectors

MAX_LENGTH = 200


@login_required
def results(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_LENGTH]
    groups = selectors.search(request.user, query)
    context = {
        "query": query,
        "groups": groups,
        "total": sum(group.total for group in groups),
        "per_kind": selectors.PER_KIND,
    }
    return render(request, "governance/search/results.html", context)
