"""Inventory UI routes; a model's RACI is edited on its page (the views live with access)."""

from django.urls import path

from governance.access import views as access_views
from registry import views

app_name = "registry"
urlpatterns = [
    path("", views.model_list, name="model-list"),
    path("export.csv", views.model_export, name="model-export"),
    path("models/new/", views.model_create, name="model-create"),
    path("models/<slug:slug>/", views.model_detail, name="model-detail"),
    path("models/<slug:slug>/edit/", views.model_edit, name="model-edit"),
    path("models/<slug:slug>/use-cases/", views.model_usecase_link, name="model-usecase-link"),
    path("models/<slug:slug>/versions/new/", views.version_create, name="version-create"),
    path(
        "models/<slug:slug>/versions/<str:version>/",
        views.version_detail,
        name="version-detail",
    ),
    path(
        "models/<slug:slug>/versions/<str:version>/deployments/new/",
        views.deployment_record,
        name="deployment-record",
    ),
    path(
        "models/<slug:slug>/deployments/<int:pk>/end/",
        views.deployment_end,
        name="deployment-end",
    ),
    path("models/<slug:slug>/raci/new/", access_views.raci_assign, name="raci-assign"),
    path("models/<slug:slug>/raci/<int:pk>/remove/", access_views.raci_remove, name="raci-remove"),
    path(
        "models/<slug:slug>/validator-requests/",
        access_views.validator_request,
        name="validator-request",
    ),
    path(
        "models/<slug:slug>/validator-requests/<int:pk>/decide/",
        access_views.validator_decide,
        name="validator-decide",
    ),
    path("datasets/", views.dataset_list, name="dataset-list"),
    path("datasets/<slug:slug>/", views.dataset_detail, name="dataset-detail"),
    path("use-cases/", views.usecase_list, name="usecase-list"),
    path("use-cases/new/", views.usecase_create, name="usecase-create"),
    path("use-cases/<slug:slug>/", views.usecase_detail, name="usecase-detail"),
    path("use-cases/<slug:slug>/edit/", views.usecase_edit, name="usecase-edit"),
    path("use-cases/<slug:slug>/models/", views.usecase_link, name="usecase-link"),
    path(
        "use-cases/<slug:slug>/models/<slug:model_slug>/unlink/",
        views.usecase_unlink,
        name="usecase-unlink",
    ),
    path(
        "use-cases/<slug:slug>/changes/<int:pk>/decide/",
        views.usecase_change_decide,
        name="usecase-change-decide",
    ),
    path("organisation/", views.organisation_profile, name="organisation-profile"),
    path("serving/", views.serving, name="serving"),
]
