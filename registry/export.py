"""CSV export of the inventory: the columns, one row per model, spreadsheet-safe cells."""

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from registry.models import CustomField, Deployment, MLModel, ModelVersion

HEADER = (
    "slug",
    "name",
    "business_unit",
    "type",
    "status",
    "owner",
    "created",
    "updated",
    "version_count",
    "latest_version",
    "live_production_version",
    "use_cases",
)
# A cell a spreadsheet would evaluate as a formula (OWASP "CSV injection"); tab and carriage
# return start one too in some spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


def defuse(value: object) -> str:
    """The cell as text, quoted so that spreadsheets show it instead of evaluating it."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _custom_cell(value: object) -> object:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def model_row(model: MLModel, custom_fields: Sequence[CustomField]) -> list[str]:
    """One model's cells, in HEADER order followed by the custom fields."""
    cells: list[object] = [
        model.slug,
        model.name,
        model.business_unit,
        model.get_model_type_display(),
        model.get_status_display(),
        model.owner.get_username(),
        model.created_at.isoformat(timespec="seconds"),
        model.updated_at.isoformat(timespec="seconds"),
        model.version_count,  # type: ignore[attr-defined]
        model.latest_version,  # type: ignore[attr-defined]
        model.live_production_version,  # type: ignore[attr-defined]
        "; ".join(use_case.name for use_case in model.use_cases.all()),
    ]
    cells += [_custom_cell(model.custom_fields.get(field.key)) for field in custom_fields]
    return [defuse(cell) for cell in cells]


def inventory_rows(
    models: QuerySet[MLModel], custom_fields: Sequence[CustomField]
) -> Iterator[list[str]]:
    """The header, then a row per model; models are read in chunks, use cases prefetched."""
    yield [*HEADER, *(defuse(field.label) for field in custom_fields)]
    rows = with_columns(models).prefetch_related("use_cases")
    for model in rows.iterator(chunk_size=500):
        yield model_row(model, custom_fields)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)
