"""Findings, exceptions and revalidation UI routes (namespace `findings`), under /governance/."""

app_name = "findings"
urlpatterns: list = []
