"""Rulebook pages (namespace `rulebooks`), mounted under /governance/rulebooks/."""

from django.urls import path

from governance.rulebooks import views

app_name = "rulebooks"
urlpatterns = [
    path("", views.rulebook_list, name="list"),
    path("<int:pk>/", views.rulebook_detail, name="detail"),
    path("<int:pk>/draft/", views.rulebook_draft, name="draft"),
    path("<int:pk>/correct/", views.rulebook_correct, name="correct"),
    path("<int:pk>/publish/", views.rulebook_publish, name="publish"),
    path("publications/<int:pk>/decide/", views.publication_decide, name="publication-decide"),
]
