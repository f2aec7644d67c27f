"""Records as they stood at an earlier instant, read back from the audit trail.

Every change goes through a service that records the fields before and after it
(`audit.record`), so undoing the events recorded after an instant, newest first, gives what the
row held then: an update puts back its `before` fields, a removal puts back the row from its
`before` snapshot, and a creation (an event with no `before`) takes the row out again. This is
how an evidence pack shows a model's status, RACI and monitoring policies as of a past date
without keeping a second copy of each table.
"""

import copy
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from governance.auditlog.models import AuditEvent

Row = TypeVar("Row", bound=models.Model)


def label(model_class: type[models.Model]) -> str:
    """The `target_type` the audit trail files a model's events under."""
    return model_class._meta.label_lower


def later_events(
    model_class: type[models.Model], after: datetime, **filters: Any
) -> list[AuditEvent]:
    """The events on rows of `model_class` recorded after the instant, newest first."""
    events = AuditEvent.objects.filter(
        target_type=label(model_class), occurred_at__gt=after, **filters
    )
    return list(events.order_by("-seq").only("target_id", "mlmodel_id", "before", "after"))


def restored(row: Row, fields: dict[str, Any]) -> Row:
    """A copy of `row` with `fields` (an audit snapshot: foreign keys as ids) put back."""
    found = copy.copy(row)
    for name, value in fields.items():
        try:
            field = found._meta.get_field(name)
        except FieldDoesNotExist:  # a snapshot may carry display extras, such as a principal's name
            continue
        if field.concrete:
            setattr(found, field.attname, None if value is None else field.to_python(value))
    return found


def rows_at(
    current: Iterable[Row],
    events: Iterable[AuditEvent],
    restore: Callable[[Row | None, AuditEvent], Row],
) -> list[Row]:
    """`current` rows (the whole set as it is now) as they stood before `events` (the set's
    later events, newest first): rows added since taken out, and rows changed or removed since
    put back by `restore` (the row now, or None when it is gone, and the event undone)."""
    rows: dict[str, Row] = {str(row.pk): row for row in current}
    for event in events:
        if event.before:
            rows[event.target_id] = restore(rows.get(event.target_id), event)
        else:
            rows.pop(event.target_id, None)
    return list(rows.values())


def row_at(row: Row, at: datetime) -> Row:
    """One row, which existed at `at`, as it stood then: the updates recorded since, undone."""
    for event in later_events(type(row), at, target_id=str(row.pk)):
        if event.before:
            row = restored(row, event.before)
    return row
