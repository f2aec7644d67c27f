"""Inventory UI routes."""

app_name = "registry"
urlpatterns: list = []
