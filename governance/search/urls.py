"""Search route, namespace `search` (mounted at /search/)."""

from django.urls import path

from governance.search import views

app_name = "search"
urlpatterns = [
    path("", views.results, name="results"),
]
