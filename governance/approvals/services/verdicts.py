"""The gate's answers kept per version, gate and environment, served in one read while they hold.

An answer is a function of four things, and a kept one is served only while all four are as they
were when it was computed:
- the rows it read, which change only through audited services: `governance.audit.record` counts
  each change in `GateInputs` for the models it touches (for every model when it names none);
- the gate policies published: none since it was computed (an audited publication also counts as
  a change for every model; this catches one loaded without an audit event);
- the date: every time rule compares dates (expiry, due dates, cadence, fairness age), so an
  answer holds at most until the next local midnight;
- the code that computed it (its fingerprint), so an upgrade never serves an older rule's answer.
"""

import hashlib
import json
import sys
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from governance import labels
from governance.approvals import rules as approval_rules
from governance.approvals.models import EVERY_MODEL, Gate, GateInputs, KeptGateAnswer
from governance.approvals.selectors import facts
from governance.approvals.selectors import gate as fresh
from governance.risk import rules as risk_rules
from governance.risk import selectors as risk_selectors
from governance.rulebooks import content
from governance.rulebooks.models import Rulebook
from registry.models import ModelVersion


def _fingerprint(*modules: ModuleType) -> str:
    """A digest of the modules' source (a package: every module in it)."""
    digest = hashlib.sha256()
    for module in modules:
        path = Path(str(module.__file__))
        for file in sorted(path.parent.rglob("*.py")) if path.name == "__init__.py" else [path]:
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


# What computes an answer and words its reasons: this module chooses what is read, the rest read
# it and apply the rules. An upgrade that changes any of them computes every answer afresh.
CODE = _fingerprint(
    sys.modules[__name__], fresh, facts, risk_selectors, approval_rules, risk_rules, labels, content
)


# The hot path, written once as SQL: the ORM spent two thirds of a kept answer's time compiling
# this query. One statement returns the current generations (0 for a scope never counted) even
# when nothing is kept, and whether the kept answer still holds. The tests run it on SQLite and
# PostgreSQL (the "postgres" marker).
KEPT_SQL = f"""
SELECT inputs.model_now, inputs.every_model_now, kept.answer,
  kept.model_generation = inputs.model_now
  AND kept.every_model_generation = inputs.every_model_now
  AND kept.computed_at >= (
    SELECT MAX(published_at) FROM {Rulebook._meta.db_table} WHERE kind = %s AND status = %s
  )
  AND kept.code = %s AND kept.valid_until > %s
FROM (
  SELECT COALESCE((SELECT generation FROM {GateInputs._meta.db_table} WHERE scope = %s), 0)
    AS model_now,
  COALESCE((SELECT generation FROM {GateInputs._meta.db_table} WHERE scope = %s), 0)
    AS every_model_now
) AS inputs
LEFT JOIN {KeptGateAnswer._meta.db_table} AS kept
  ON kept.version_id = %s AND kept.gate = %s AND kept.environment = %s
"""  # noqa: S608 - table names from the models, every value a parameter


@dataclass(frozen=True)
class Kept:
    """What one read says: the generations now, and the kept answer if it still holds."""

    generations: tuple[int, int]
    answer: dict[str, Any] | None


def _kept(version: ModelVersion, gate: str, environment: str, now: datetime) -> Kept:
    """The kept answer, if it holds, with the current generations: one query."""
    ops = connection.ops
    params = [
        Rulebook.Kind.GATE_POLICY.value,
        Rulebook.Status.PUBLISHED.value,
        CODE,
        ops.adapt_datetimefield_value(now),
        version.model_id,
        EVERY_MODEL,
        version.pk,
        gate,
        environment,
    ]
    with connection.cursor() as cursor:
        cursor.execute(KEPT_SQL, params)
        model_now, every_model_now, answer, holds = cursor.fetchone()
    return Kept((model_now, every_model_now), json.loads(answer) if holds else None)


def next_midnight(at: datetime) -> datetime:
    """The next local midnight after `at`: when the date the rules compare with moves on."""
    tomorrow = timezone.localdate(at) + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time.min))


def _keep(
    version: ModelVersion, gate: str, environment: str, generations: tuple[int, int], **row: Any
) -> None:
    """Store an answer unless one computed from newer inputs is kept already (a slower
    computation that started earlier must not replace it)."""
    model_generation, every_model_generation = generations
    key = {"version": version, "gate": gate, "environment": environment}
    row |= {"model_generation": model_generation, "every_model_generation": every_model_generation}
    older = Q(model_generation__lte=model_generation) & Q(
        every_model_generation__lte=every_model_generation
    )
    if KeptGateAnswer.objects.filter(older | ~Q(code=CODE), **key).update(**row):
        return
    KeptGateAnswer.objects.bulk_create([KeptGateAnswer(**key, **row)], ignore_conflicts=True)


def answer_now(
    version: ModelVersion, environment: str, gate: str = Gate.DEPLOYMENT
) -> dict[str, Any]:
    """The gate's answer now, as the API shows it: the kept one while it holds (one read), else
    computed, kept and returned."""
    now = timezone.now()
    kept = _kept(version, gate, environment, now)
    if kept.answer is not None:
        return {**kept.answer, "checked_at": now.isoformat()}
    # Read after the generations: a change committed before them is then at or before `at`,
    # so the answer computed includes it (its decided_at is not after `at`).
    at = timezone.now()
    answer, book = fresh.check(version, environment, gate, at)
    body = fresh.as_json(version, environment, answer, book, at)
    _keep(
        version,
        gate,
        environment,
        kept.generations,
        code=CODE,
        computed_at=at,
        valid_until=next_midnight(at),
        answer={k: v for k, v in body.items() if k != "checked_at"},
    )
    return body
