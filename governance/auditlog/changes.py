"""How an audit event's changes read on a page: each field by its name, each value as people

read it (a choice's label, Yes/No, the name of the row a foreign key points to, an obligation's
reference, a date). The events themselves, and the audit log's export, keep the stored values.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst

from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from governance.findings.models import PolicyException
from governance.labels import label_for, signal_label, value_label
from governance.risk.models import Control
from governance.rulebooks.models import Rulebook
from registry.models import ModelVersion

# Bookkeeping columns every snapshot carries; the event's own time and target say as much.
HIDDEN_KEYS = frozenset({"id", "created_at", "updated_at"})
# Keys an event records beside its target's fields that hold the ids of people (the people an
# escalation notified).
PEOPLE_KEYS = frozenset({"notified"})
# Fields stored without choices whose values take another field's: a training run's tracker is
# one the version's tracker lists.
SHARED_CHOICES: dict[str, list[tuple[str, str]]] = {"tracker": ModelVersion.Tracker.choices}
# Gate rules by id ("obligations-evidenced"): the one an exception waives, the ones a
# deployment's gate check left unmet; named by their titles.
GATE_RULE_KEYS = frozenset({"rule_id", "unmet"})
# An obligation id ("eu.art4", "pra.p1.1").
OBLIGATION_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def model_of(event: AuditEvent) -> type[models.Model] | None:
    """The table the event's target lives in (its `target_type` is the model's label)."""
    try:
        return apps.get_model(event.target_type)
    except (LookupError, ValueError):
        return None


def field_of(model_class: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model_class is None:
        return None
    try:
        found = model_class._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def related_of(field: models.Field[Any, Any] | None) -> type[models.Model] | None:
    """The table a foreign key (or many-to-many) field points to, if it is one."""
    target = field.related_model if field is not None else None
    return target if isinstance(target, type) and issubclass(target, models.Model) else None


def points_to(model_class: type[models.Model] | None, key: str) -> type[models.Model] | None:
    """The table a value's ids point to: its field's, or people's for the keys that name them."""
    if key in PEOPLE_KEYS:
        return get_user_model()
    return related_of(field_of(model_class, key))


class Names:
    """What the events' values point to, fetched once for a page of events: the rows behind
    foreign keys, and the obligations behind obligation ids."""

    def __init__(self, events: Iterable[AuditEvent]) -> None:
        wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        obligation_ids: set[str] = set()
        models_seen: set[int] = set()
        rule_ids: set[str] = set()
        for event in events:
            model_class = model_of(event)
            for key, value in _values(event):
                if key in GATE_RULE_KEYS:
                    items = value if isinstance(value, list) else [value]
                    rule_ids |= {item for item in items if isinstance(item, str)}
                related = points_to(model_class, key)
                items = value if isinstance(value, list) else [value]
                if related is not None:
                    wanted[related] |= {pk for pk in items if isinstance(pk, int)}
                for item in items:
                    if isinstance(item, str) and OBLIGATION_ID.match(item) and event.mlmodel_id:
                        obligation_ids.add(item)
                        models_seen.add(event.mlmodel_id)
        self.rows = {
            related: related._default_manager.select_related().in_bulk(pks)
            for related, pks in wanted.items()
        }
        rows = Control.objects.filter(model__in=models_seen, obligation_id__in=obligation_ids)
        self.obligations = {
            (model_id, obligation_id): f"{label_for(framework)} {reference}"
            for model_id, obligation_id, framework, reference in rows.values_list(
                "model_id", "obligation_id", "framework", "reference"
            )
        }

        self.gate_rules = _gate_rule_titles(rule_ids) if rule_ids else {}

    def row(self, related: type[models.Model], pk: int) -> str | None:
        found = self.rows.get(related, {}).get(pk)
        if found is None:
            return None
        if isinstance(found, get_user_model()):
            return found.get_full_name() or found.get_username()
        return str(found)

    def obligation(self, event: AuditEvent, value: str) -> str | None:
        return self.obligations.get((event.mlmodel_id or 0, value))


def _gate_rule_titles(rule_ids: set[str]) -> dict[str, str]:
    """The gate rules' titles: as the exceptions that waived them recorded them, else as the
    gate policy in force names them."""
    try:
        book = Rulebook.objects.in_force(Rulebook.Kind.GATE_POLICY)
        titles = {rule["id"]: rule["title"] for rule in book.content.get("rules", [])}
    except DomainError:
        titles = {}
    recorded = PolicyException.objects.filter(rule_id__in=rule_ids).values_list(
        "rule_id", "rule_title"
    )
    return titles | dict(recorded)


def _values(event: AuditEvent) -> Iterable[tuple[str, Any]]:
    for snapshot in (event.before or {}, event.after or {}):
        yield from snapshot.items()


class Reader:
    """One event's fields and values in words, with `names` for what they point to."""

    def __init__(self, event: AuditEvent, names: Names) -> None:
        self.event, self.names = event, names
        self.model_class = model_of(event)

    def name(self, key: str) -> str:
        if key == "rule_id":
            return "Rule"
        field = field_of(self.model_class, key)
        if field is None or field.verbose_name == key.replace("_", " "):
            return label_for(key)  # "record_id" -> "Record ID"
        return capfirst(str(field.verbose_name))

    def value(self, key: str, value: object) -> str:
        if value in (None, "", [], {}):
            return value_label(value)  # "—", even where a choice names the blank ("None")
        field = field_of(self.model_class, key)
        choices = field.flatchoices if field is not None and field.choices else None
        if choices is None and key in SHARED_CHOICES:
            choices = SHARED_CHOICES[key]
        if choices and isinstance(value, str | int):
            return str(dict(choices).get(value, value_label(value)))
        related = points_to(self.model_class, key)
        if related is not None and isinstance(value, int):
            return self.names.row(related, value) or value_label(value)
        if isinstance(value, list):
            shared = field is not None or key in PEOPLE_KEYS | GATE_RULE_KEYS
            return ", ".join(self.value(key if shared else "", item) for item in value) or "—"
        if key in GATE_RULE_KEYS and isinstance(value, str):
            return self.names.gate_rules.get(value, value)
        if key == "key" and self.event.target_type.startswith("monitoring."):
            return signal_label(str(value))  # a threshold's key: "metric:auc" -> "Metric: AUC"
        if isinstance(value, str) and OBLIGATION_ID.match(value):
            return self.names.obligation(self.event, value) or value
        return value_label(value)

    def changes(self) -> list[Change]:
        before, after = self.event.before or {}, self.event.after or {}
        keys = sorted((set(before) | set(after)) - HIDDEN_KEYS)
        return [
            Change(
                self.name(key), self.value(key, before.get(key)), self.value(key, after.get(key))
            )
            for key in keys
        ]


def changes_of(events: Iterable[AuditEvent]) -> list[list[Change]]:
    """Each event's fields with their values before and after (— where there is none), the
    names behind foreign keys and obligation ids fetched once for them all."""
    events = list(events)
    names = Names(events)
    return [Reader(event, names).changes() for event in events]
