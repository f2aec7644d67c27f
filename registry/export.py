"""CSV export of the inventory: the columns, one row per model, spreadsheet-safe cells."""

from collections.abc import Iterator, Sequence
from operator import attrgetter, methodcaller

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from governance import tables
from registry import custom_values
from registry.models import CustomField, Deployment, MLModel, ModelVersion


def with_columns(models: QuerySet[MLModel]) -> QuerySet[MLModel]:
    """The inventory columns on each model, computed in the list's one query (no N+1)."""
    latest = ModelVersion.objects.filter(model=OuterRef("pk")).order_by("-created_at", "-id")
    live = Deployment.objects.filter(
        version__model=OuterRef("pk"),
        environment=Deployment.Environment.PRODUCTION,
        ended_at__isnull=True,
    ).order_by("-started_at")
    # A correlated count, not Count("versions"): a join and GROUP BY would aggregate every
    # visible model's versions before the page keeps its 25 rows, and the paginator's COUNT too.
    counts = (
        ModelVersion.objects.filter(model=OuterRef("pk"))
        .order_by()
        .values("model")
        .annotate(n=Count("pk"))
        .values("n")
    )
    ordering = models.query.order_by or MLModel._meta.ordering or ()
    return (
        models.select_related("owner")
        .annotate(
            version_count=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0)),
            latest_version=Subquery(latest.values("version")[:1]),
            live_production_version=Subquery(live.values("version__version")[:1]),
        )
        .order_by(*ordering, "pk")
    )


def _custom_value(model: MLModel, field: CustomField) -> tables.Cell:
    value = custom_values.typed(field.field_type, model.custom_fields.get(field.key))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _custom_column(field: CustomField) -> tables.Column[MLModel]:
    return tables.Column(field.label, lambda model: _custom_value(model, field))


COLUMNS: tuple[tables.Column[MLModel], ...] = (
    tables.Column("slug", attrgetter("slug")),
    tables.Column("name", attrgetter("name")),
    tables.Column("business_unit", attrgetter("business_unit")),
    tables.Column("type", methodcaller("get_model_type_display")),
    tables.Column("status", methodcaller("get_status_display")),
    tables.Column("owner", lambda model: model.owner.get_username()),
    tables.Column("created", lambda model: model.created_at.isoformat(timespec="seconds")),
    tables.Column("updated", lambda model: model.updated_at.isoformat(timespec="seconds")),
    tables.Column("version_count", attrgetter("version_count")),
    tables.Column("latest_version", attrgetter("latest_version")),
    tables.Column("live_production_version", attrgetter("live_production_version")),
    tables.Column("use_cases", lambda model: "; ".join(u.name for u in model.use_cases.all())),
)


def inventory_csv(models: QuerySet[MLModel], custom_fields: Sequence[CustomField]) -> Iterator[str]:
    """The CSV lines: the header, then a row per model with its custom fields; models are read in
    chunks, use cases prefetched, cells written by `governance.tables` like every export's."""
    rows = with_columns(models).prefetch_related("use_cases").iterator(chunk_size=500)
    return tables.csv_lines(rows, (*COLUMNS, *(_custom_column(f) for f in custom_fields)))
