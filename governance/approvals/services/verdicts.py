"""The gate's answers kept per version, gate and environment, served in one read while they hold.

An answer is a function of four things, and a kept one is served only while all four are as they
were when it was computed:
- the rows it read, which change only through audited services: `governance.audit.record` counts
  each change in `GateInputs` for the models it touches (for every model when it names none);
- the gate policy in force (compared too, so a rulebook loaded without an audit event counts);
- the date: every time rule compares dates (expiry, due dates, cadence, fairness age), so an
  answer holds at most until the next local midnight;
- the code that computed it (its fingerprint), so an upgrade never serves an older rule's answer.
"""

import hashlib
import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from django.db.models import Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from governance import labels
from governance.approvals import rules as approval_rules
from governance.approvals.models import EVERY_MODEL, Gate, GateInputs, KeptGateAnswer
from governance.approvals.selectors import facts
from governance.approvals.selectors import gate as fresh
from governance.risk import rules as risk_rules
from governance.risk import selectors as risk_selectors
from governance.rulebooks import content
from governance.rulebooks.models import IN_FORCE_FIRST, Rulebook
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


def _generation(scope: int) -> Coalesce:
    found = GateInputs.objects.filter(scope=scope).values("generation")[:1]
    return Coalesce(Subquery(found), Value(0))


def _kept(version: ModelVersion, gate: str, environment: str, today: Any) -> Any:
    """The kept answer with, in the same read, the generations and gate policy in force now."""
    in_force = Rulebook.objects.filter(
        kind=Rulebook.Kind.GATE_POLICY, status=Rulebook.Status.PUBLISHED, effective_from__lte=today
    ).order_by(*IN_FORCE_FIRST)
    return (
        KeptGateAnswer.objects.filter(version=version, gate=gate, environment=environment)
        .annotate(
            model_now=_generation(version.model_id),
            every_model_now=_generation(EVERY_MODEL),
            policy_now=Subquery(in_force.values("pk")[:1]),
        )
        .first()
    )


def _holds(kept: Any, now: datetime) -> bool:
    return (
        kept.model_generation == kept.model_now
        and kept.every_model_generation == kept.every_model_now
        and kept.policy_id == kept.policy_now
        and kept.code == CODE
        and now < kept.valid_until
    )


def _generations(model_id: int) -> tuple[int, int]:
    found = dict(
        GateInputs.objects.filter(scope__in=[model_id, EVERY_MODEL]).values_list(
            "scope", "generation"
        )
    )
    return found.get(model_id, 0), found.get(EVERY_MODEL, 0)


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
    kept = _kept(version, gate, environment, timezone.localdate(now))
    if kept is not None and _holds(kept, now):
        return {**kept.answer, "checked_at": now.isoformat()}
    generations = (kept.model_now, kept.every_model_now) if kept else _generations(version.model_id)
    # Read after the generations: a change committed before them is then at or before `at`,
    # so the answer computed includes it (its decided_at is not after `at`).
    at = timezone.now()
    answer, book = fresh.check(version, environment, gate, at)
    body = fresh.as_json(version, environment, answer, book, at)
    _keep(
        version,
        gate,
        environment,
        generations,
        policy=book,
        code=CODE,
        computed_at=at,
        valid_until=next_midnight(at),
        answer={k: v for k, v in body.items() if k != "checked_at"},
    )
    return body
