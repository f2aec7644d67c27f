"""Inventory filters shared by the UI list and the API list (django-filter)."""

import django_filters
from django.db.models import QuerySet

from registry.models import MLModel


class MLModelFilter(django_filters.FilterSet):
    """Search, filter and sort the inventory: free text, status, type, business unit, owner."""

    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.MultipleChoiceFilter(choices=MLModel.Status.choices)
    model_type = django_filters.MultipleChoiceFilter(
        choices=MLModel.ModelType.choices, label="Type"
    )
    business_unit = django_filters.CharFilter(lookup_expr="iexact", label="Business unit")
    owner = django_filters.CharFilter(field_name="owner__username", label="Owner (username)")
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("business_unit", "business_unit"),
            ("status", "status"),
            ("model_type", "model_type"),
            ("owner__username", "owner"),
            ("updated_at", "updated"),
        ),
        label="Sort by",
    )

    class Meta:
        model = MLModel
        fields = ["q", "status", "model_type", "business_unit", "owner"]

    def search(self, queryset: QuerySet[MLModel], name: str, value: str) -> QuerySet[MLModel]:
        return queryset.search(value)
