"""The navigation bar's search: the records a word finds, of every kind, as the user may see them.

Each kind starts from the same rows its own list page shows this user (models through
`permissions.models_for`, and versions, findings and approval requests only of those models;
datasets and use cases to those with the global right to their lists; people who own a model
the user sees), then keeps the rows that match. On PostgreSQL a row matches the full-text query
(English stemming, ranked with `SearchRank`) or contains the text; on SQLite it contains the text.
The substring test keeps labels such as "2.1" and half-typed names ("Oliv") findable.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

from django.contrib.auth.models import User
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Model, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.http import urlencode

from governance import permissions
from governance.approvals.models import ApprovalRequest
from governance.findings.models import Finding
from governance.permissions import Visitor
from registry.models import Dataset, MLModel, ModelVersion, UseCase

PER_KIND = 8
CONFIG = "english"
M = TypeVar("M", bound=Model)
REFERENCE = re.compile(r"^\s*AR-(\d+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    """One result row: what it is, its name, a line of context, where it lives."""

    kind: str
    title: str
    subtitle: str
    url: str


@dataclass(frozen=True)
class Group:
    """The first hits of one kind, with how many matched in all and where to see them all."""

    kind: str
    icon: str
    hits: list[Hit]
    total: int
    more_url: str = ""


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def matching(rows: QuerySet[M], fields: Sequence[str], text: str) -> QuerySet[M]:
    """The rows whose `fields` match `text`, best first on PostgreSQL (ranked full text)."""
    contains = Q()
    for name in fields:
        contains |= Q(**{f"{name}__icontains": text})
    if not on_postgres():
        return rows.filter(contains)
    query = SearchQuery(text, config=CONFIG, search_type="websearch")
    vector = SearchVector(*fields, config=CONFIG)
    found = rows.annotate(document=vector, rank=SearchRank(vector, query))
    # The annotations leave the rows' type as it was; django-stubs cannot tell.
    return cast(QuerySet[M], found.filter(Q(document=query) | contains).order_by("-rank", "pk"))


def _group(
    kind: str, icon: str, rows: QuerySet[M], to_hit: Callable[[M], Hit], more_url: str = ""
) -> Group:
    total = rows.count()
    hits = [to_hit(row) for row in rows[:PER_KIND]] if total else []
    return Group(kind, icon, hits, total, more_url if total > PER_KIND else "")


def _list_url(name: str, **query: str) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


# ---- One function per kind: the visible rows that match, as hits ------------------------------


def models(user: Visitor, text: str) -> Group:
    fields = ("name", "slug", "description", "intended_purpose", "business_unit", "vendor")
    rows = matching(permissions.models_for(user), fields, text)

    def hit(model: MLModel) -> Hit:
        subtitle = f"{model.business_unit} · {model.get_status_display()}"
        return Hit("Model", model.name, subtitle, model.get_absolute_url())

    more = _list_url("registry:model-list", q=text)
    return _group("Models", "bi-stack", rows, hit, more)


def versions(user: Visitor, text: str) -> Group:
    visible = ModelVersion.objects.filter(model__in=permissions.models_for(user))
    fields = ("version", "framework", "external_id", "base_model", "provider")
    rows = matching(visible.select_related("model"), fields, text)

    def hit(version: ModelVersion) -> Hit:
        title = f"{version.model.name} {version.version}"
        subtitle = version.framework or "Version"
        return Hit("Version", title, subtitle, version.get_absolute_url())

    return _group("Versions", "bi-tags", rows, hit)


def use_cases(user: Visitor, text: str) -> Group:
    if not permissions.can_globally(user, "view_use_cases"):
        return Group("Use cases", "bi-diagram-3", [], 0)
    fields = ("name", "slug", "business_purpose", "business_unit", "deployer_context")
    rows = matching(UseCase.objects.all(), fields, text)

    def hit(use_case: UseCase) -> Hit:
        return Hit("Use case", use_case.name, use_case.business_unit, use_case.get_absolute_url())

    more = _list_url("registry:usecase-list", q=text)
    return _group("Use cases", "bi-diagram-3", rows, hit, more)


def datasets(user: Visitor, text: str) -> Group:
    if not permissions.can_globally(user, "view_datasets"):
        return Group("Datasets", "bi-database", [], 0)
    rows = matching(Dataset.objects.all(), ("name", "slug", "description"), text)

    def hit(dataset: Dataset) -> Hit:
        return Hit("Dataset", dataset.name, dataset.slug, dataset.get_absolute_url())

    more = _list_url("registry:dataset-list", q=text)
    return _group("Datasets", "bi-database", rows, hit, more)


def findings(user: Visitor, text: str) -> Group:
    visible = Finding.objects.filter(model__in=permissions.models_for(user))
    rows = matching(visible.select_related("model"), ("title", "description"), text)

    def hit(finding: Finding) -> Hit:
        subtitle = (
            f"{finding.model.name} · {finding.get_severity_display()}"
            f" · {finding.get_status_display()}"
        )
        return Hit("Finding", finding.title, subtitle, finding.get_absolute_url())

    return _group("Findings", "bi-flag", rows, hit)


def approval_requests(user: Visitor, text: str) -> Group:
    visible = ApprovalRequest.objects.filter(model__in=permissions.models_for(user))
    visible = visible.select_related("model", "version")
    reference = REFERENCE.match(text)
    if reference:
        rows = visible.filter(pk=int(reference.group(1)))
    else:
        rows = matching(visible, ("summary", "decision_note", "version__version"), text)

    def hit(request: ApprovalRequest) -> Hit:
        title = f"{request.reference} · {request.get_gate_display()} of {request.model.name}"
        subtitle = f"Version {request.version.version} · {request.get_state_display()}"
        return Hit("Approval request", title, subtitle, request.get_absolute_url())

    return _group("Approval requests", "bi-check2-square", rows, hit)


def people(user: Visitor, text: str) -> Group:
    """Owners of models the user sees, as the inventory's owner filter lists them."""
    owners = User.objects.filter(
        is_active=True, pk__in=permissions.models_for(user).values("owner")
    )
    # The full name as one text, so "Olivia Owner" finds her without full-text search too.
    owners = owners.annotate(full_name=Concat(F("first_name"), Value(" "), F("last_name")))
    rows = matching(owners, ("username", "first_name", "last_name", "full_name"), text)

    def hit(person: User) -> Hit:
        name = person.get_full_name() or person.get_username()
        url = _list_url("registry:model-list", owner=person.get_username())
        return Hit("Person", name, f"{person.get_username()} · their models in the inventory", url)

    return _group("People", "bi-person", rows, hit)


SEARCHES: tuple[Callable[[Visitor, str], Group], ...] = (
    models,
    versions,
    use_cases,
    datasets,
    findings,
    approval_requests,
    people,
)


def search(user: Visitor, text: str) -> list[Group]:
    """Every kind the text finds something of, in a fixed order; nothing for an empty text."""
    text = text.strip()
    if not text:
        return []
    return [group for find in SEARCHES if (group := find(user, text)).total]
