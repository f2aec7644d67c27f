"""Inventory filters shared by the UI list and the API list (django-filter)."""

import django_filters
from django.db.models import QuerySet

from governance.labels import label_for
from governance.risk import selectors as risk_selectors
from governance.risk.rules import eu_ai_act, tiering
from registry.models import MLModel
from registry.querysets import MLModelQuerySet


class MLModelFilter(django_filters.FilterSet):
    """Search, filter and sort the inventory: free text, status, type, business unit, owner,
    EU AI Act category and model risk tier (both as in force now, overrides included)."""

    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.MultipleChoiceFilter(choices=MLModel.Status.choices)
    model_type = django_filters.MultipleChoiceFilter(
        choices=MLModel.ModelType.choices, label="Type"
    )
    business_unit = django_filters.CharFilter(lookup_expr="iexact", label="Business unit")
    owner = django_filters.CharFilter(field_name="owner__username", label="Owner (username)")
    eu_category = django_filters.MultipleChoiceFilter(
        choices=[(c, label_for(c)) for c in eu_ai_act.SEVERITY],
        method="filter_eu_category",
        label="EU AI Act category",
    )
    tier = django_filters.MultipleChoiceFilter(
        choices=[(t, label_for(t)) for t in tiering.TIERS], method="filter_tier", label="Risk tier"
    )
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
        fields = ["q", "status", "model_type", "business_unit", "owner", "eu_category", "tier"]

    def search(self, queryset: MLModelQuerySet, name: str, value: str) -> MLModelQuerySet:
        return queryset.search(value)

    def filter_eu_category(
        self, queryset: QuerySet[MLModel], name: str, value: list[str]
    ) -> QuerySet[MLModel]:
        return risk_selectors.with_eu_category(queryset, value)

    def filter_tier(
        self, queryset: QuerySet[MLModel], name: str, value: list[str]
    ) -> QuerySet[MLModel]:
        return risk_selectors.with_tier(queryset, value)
