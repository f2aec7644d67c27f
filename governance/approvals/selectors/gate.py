"""The deployment gate: may this version pass this gate (into this environment) now?

The answer lists every rule of the gate policy in force with pass or fail and why, so a
pipeline (and the committee) sees exactly what is unmet.
"""

import dataclasses
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from governance.access.models import RequestState
from governance.approvals.models import ApprovalRequest, Gate
from governance.approvals.rules import policy, states
from governance.approvals.selectors import facts as approval_facts
from governance.findings.models import Finding, PolicyException
from governance.rulebooks.content import as_rules
from governance.rulebooks.models import Rulebook
from monitoring.models import LATEST_FIRST, FairnessResult
from registry.models import ModelVersion


def _approvals(version: ModelVersion, gate: str, environment: str, at: datetime) -> list:
    """The version's approvals decided by `at` at this gate and at validation, newest first."""
    here = Q(gate=gate, environment=environment if gate == Gate.DEPLOYMENT else "")
    return list(
        ApprovalRequest.objects.filter(
            here | Q(gate=Gate.VALIDATION),
            version=version,
            state__in=states.APPROVALS,
            decided_at__lte=at,
        ).order_by("-decided_at")
    )


def _approval(
    latest: ApprovalRequest | None,
    today: date,
    events: approval_facts.ModelEvents,
    validation: ApprovalRequest | None,
) -> dict[str, Any]:
    """The reference of the approval that holds, else why the latest one no longer does."""
    if latest is None:
        return {}
    lapses = approval_facts.lapses_of(latest, today, events=events, validation=validation)
    return {"approval_lapses": lapses} if lapses else {"approval": latest.reference}


def _open_findings(version: ModelVersion, today: date) -> tuple[policy.Finding, ...]:
    """Open findings, and accepted risks whose acceptance ran out."""
    rows = Finding.objects.filter(model_id=version.model_id).filter(
        Q(status__in=Finding.OPEN_STATUSES)
        | Q(status=Finding.Status.ACCEPTED_RISK, accepted_until__lt=today)
    )
    return tuple(policy.Finding(f.reference, f.severity, f.title) for f in rows)


def _waivers(version: ModelVersion, today: date) -> dict[str, policy.Waiver]:
    rows = PolicyException.objects.filter(
        model_id=version.model_id,
        state=RequestState.GRANTED,
        revoked_at__isnull=True,
        expires_on__gte=today,
    ).select_related("decided_by")
    return {
        e.rule_id: policy.Waiver(e.reference, e.expires_on, str(e.decided_by))
        for e in rows.order_by("expires_on")
    }


def _approval_facts(
    version: ModelVersion, gate: str, environment: str, at: datetime, needed: set[str], tier: Any
) -> dict[str, Any]:
    today = timezone.localdate(at)
    events = approval_facts.events_of(version.model, tier)
    found: dict[str, Any] = {"revalidation_required": events.revalidation_required}
    if not needed & {"approved", "validation_current"}:
        return found
    approvals = _approvals(version, gate, environment, at)
    validation = approval_facts.current_validation(version, today, events, approvals)
    if validation is not None:
        found["validated_on"] = timezone.localdate(validation.decided_at)
    if "approved" in needed:
        latest = next((a for a in approvals if a.gate == gate), None)
        found |= _approval(latest, today, events, validation)
    return found


def facts_for(
    version: ModelVersion,
    environment: str,
    gate: str = Gate.DEPLOYMENT,
    at: datetime | None = None,
    rules: Any = None,
) -> policy.Facts:
    """What the gate's rules look at; given the policy's `rules`, only what they need is read
    (a pipeline asks before every deployment, so each query counts)."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    model = version.model
    tier = approval_facts.tier_of(model, at)
    eu = approval_facts.eu_outcome(model, at)
    facts = policy.Facts(
        gate=gate,
        environment=environment,
        today=today,
        tier=tier.result if tier else None,
        eu_category=eu.result if eu else None,
        prohibited=bool(eu and eu.details.get("blocked")),
        cadence_months=tier.details.get("cadence_months") if tier else None,
    )
    needed = set(policy.CHECKS) if rules is None else policy.checks_needed(rules, facts)
    found: dict[str, Any] = {}
    if needed & {"approved", "validation_current", "no_revalidation_required"}:
        found |= _approval_facts(version, gate, environment, at, needed, tier)
    if "recent_fairness_pass" in needed:
        # The check in force is the latest (the one rule the request page shows too): a later
        # failure is not hidden behind an earlier pass.
        latest = (
            FairnessResult.objects.filter(version=version, evaluated_at__lte=at)
            .order_by(*LATEST_FIRST)
            .values_list("evaluated_at", "passed")
            .first()
        )
        if latest is not None:
            on, passed = timezone.localdate(latest[0]), latest[1]
            found["fairness_passed_on" if passed else "fairness_failed_on"] = on
    if "obligations_evidenced" in needed:
        found["missing_obligations"] = tuple(
            approval_facts.missing_obligations(model, today, gate=gate)
        )
    if "no_open_findings" in needed:
        found["open_findings"] = _open_findings(version, today)
    return dataclasses.replace(facts, **found)


def check(
    version: ModelVersion, environment: str, gate: str = Gate.DEPLOYMENT, at: datetime | None = None
) -> tuple[policy.Answer, Rulebook]:
    """The gate's answer under the policy in force at `at` (now by default)."""
    at = at or timezone.now()
    book = Rulebook.objects.in_force(Rulebook.Kind.GATE_POLICY, on=timezone.localdate(at))
    rules = as_rules(book.content)
    facts = facts_for(version, environment, gate, at, rules)
    answer = policy.evaluate(rules, facts)
    if policy.waivable_unmet(rules, answer):  # only then can an exception change the answer
        facts = dataclasses.replace(facts, exceptions=_waivers(version, facts.today))
        answer = policy.evaluate(rules, facts)
    return answer, book


def as_json(
    version: ModelVersion, environment: str, answer: policy.Answer, book: Rulebook, at: datetime
) -> dict[str, Any]:
    requirements = [
        {
            "id": r.id,
            "title": r.title,
            "passed": r.passed,
            "reason": r.reason,
            "waived_by": r.waived_by,
        }
        for r in answer.results
    ]
    return {
        "model": version.model.slug,
        "version": version.version,
        "environment": environment,
        "open": answer.open,
        "checked_at": at.isoformat(),
        "policy": {"name": book.name, "version": book.version, "sha256": book.content_sha256},
        "requirements": requirements,
        "unmet": [r for r in requirements if not r["passed"]],
    }
