"""What evidence packs and executive reports share: a PDF drawn by a Celery task, and the row
(`reports.models.Drawn`) that says how far it got: queued, running, ready, or failed with its error.

Each capability decides when an ask is queued again (a ready pack is reused, a ready report is
drawn anew); the bookkeeping around that decision is the same for both, and lives here.
"""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import OperationalError, transaction

from governance import audit
from reports.models import TASK_TIME_LIMIT, Drawn

# How every drawing task runs: retried on a database hiccup, and killed at the limit after which
# a row still busy counts as lost with its worker (`Drawn.is_lost`), so asking again queues it.
TASK_OPTIONS: dict[str, Any] = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 5,
    "time_limit": int(TASK_TIME_LIMIT.total_seconds()),
}


def mark_queued(row: Drawn, *, now: datetime, **changes: object) -> None:
    """The row queued again as of `now`, its last error cleared, with any other field `changes`
    (who asked); the caller holds the row's lock."""
    row.status, row.error, row.queued_at = Drawn.Status.QUEUED, "", now
    for name, value in changes.items():
        setattr(row, name, value)
    row.save(update_fields=["status", "error", "queued_at", *changes])


def mark_running(row: Drawn) -> None:
    """The row's task has started drawing it: progress only, as the ask and its end are audited."""
    type(row)._default_manager.filter(pk=row.pk).update(status=Drawn.Status.RUNNING)


def record_failure(
    row: Drawn,
    error: str,
    *,
    actor: User | None,
    verb: str,
    after: dict[str, Any],
    mlmodel_id: int | None = None,
    **changes: object,
) -> None:
    """The failure on the row, where its page shows it, and in the trail as `verb` with the error:
    an auditor sees that an ask came to nothing. Any file stored before stays."""
    with transaction.atomic():
        type(row)._default_manager.filter(pk=row.pk).update(
            status=Drawn.Status.FAILED, error=error, **changes
        )
        audit.record(
            actor=actor,
            verb=verb,
            target=row,
            after={**after, "error": error},
            mlmodel_id=mlmodel_id,
        )
    row.refresh_from_db()
