"""Evidence-pack routes (namespace `packs`), under /reports/packs/."""

from django.urls import path

from reports.packs import views

app_name = "packs"
urlpatterns = [
    path("verify/", views.pack_verify, name="pack-verify"),
    path("portfolio/", views.portfolio_list, name="portfolio-list"),
    path("portfolio/<uuid:portfolio_id>/", views.portfolio_detail, name="portfolio-detail"),
    path(
        "portfolio/<uuid:portfolio_id>/download/",
        views.portfolio_download,
        name="portfolio-download",
    ),
    path("<uuid:pack_id>/", views.pack_detail, name="pack-detail"),
    path("<uuid:pack_id>/download/", views.pack_download, name="pack-download"),
    path("<slug:slug>/<str:version>/", views.pack_list, name="pack-list"),
]
