"""Approval UI routes (namespace `approvals`), mounted under /governance/approvals/."""

app_name = "approvals"
urlpatterns: list = []
