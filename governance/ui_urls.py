"""Governance UI routes (audit log)."""

app_name = "governance"
urlpatterns: list = []
