"""Notices UI routes (namespace `notices`), under /governance/notices/."""

from django.urls import path

from governance.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("read/", views.notices_read, name="read"),
    path("digest/", views.notices_digest, name="digest"),
]
