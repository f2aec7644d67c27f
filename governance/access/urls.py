"""Access UI routes (namespace `tokens`), under /governance/tokens/: API tokens, service accounts, role
grants.

A model's RACI is edited on its inventory page: those two routes are in registry/urls.py.
"""

from django.urls import path

from governance.access import views

app_name = "tokens"
urlpatterns = [
    path("", views.token_list, name="list"),
    path("issue/", views.token_issue, name="issue"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
    path("roles/", views.role_grants, name="roles"),
    path("roles/<int:pk>/decide/", views.role_decide, name="role-decide"),
    path("service-accounts/", views.service_account_create, name="service-account-create"),
    path(
        "service-accounts/<int:pk>/issue/",
        views.service_account_token_issue,
        name="service-account-issue",
    ),
]
