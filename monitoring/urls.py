"""Monitoring UI routes (namespace `monitoring`), under /monitoring/."""

from django.urls import path

from monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.fleet, name="fleet"),
    path("alerts/", views.alert_list, name="alert-list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert-resolve"),
    path("models/<slug:slug>/", views.model_monitoring, name="model-monitoring"),
    path("models/<slug:slug>/policies/new/", views.policy_new, name="policy-new"),
    path("policies/<int:pk>/edit/", views.policy_edit, name="policy-edit"),
    path("policies/<int:pk>/remove/", views.policy_remove, name="policy-remove"),
    path("models/<slug:slug>/incidents/new/", views.incident_new, name="incident-new"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident-detail"),
]
