"""Approval UI routes (namespace `approvals`), mounted under /governance/approvals/."""

from django.urls import path

from governance.approvals import views

app_name = "approvals"
urlpatterns = [
    path("", views.my_work, name="my-work"),
    path("queue/", views.queue, name="queue"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/submit/", views.request_submit, name="request-submit"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request-withdraw"),
    path("requests/<int:pk>/sign-off/", views.request_sign_off, name="request-sign-off"),
    path("conditions/<int:pk>/met/", views.condition_meet, name="condition-meet"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("models/<slug:slug>/", views.model_requests, name="model-requests"),
    path("models/<slug:slug>/<str:version>/", views.version_requests, name="version-requests"),
    path("models/<slug:slug>/<str:version>/new/", views.request_new, name="request-new"),
]
