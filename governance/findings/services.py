"""Findings, policy exceptions to gate rules, and revalidation flags.

A finding moves open -> remediation -> closed, or its risk is accepted until a date: asked for by
one person, granted by a second with decision rights. A policy exception waives one gate rule
for one model until it expires, likewise asked for and granted by two different people.
A revalidation flag closes the deployment gate until a validator clears it.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from governance import audit, permissions
from governance.access import selectors as people
from governance.access.models import RequestState
from governance.access.services import decisions
from governance.approvals.models import ApprovalRequest
from governance.errors import DomainError, clean_or_raise
from governance.findings.models import Finding, PolicyException, RevalidationFlag, RiskAcceptance
from governance.risk.models import Control
from governance.rulebooks.models import Rulebook
from registry.models import Deployment, MLModel, ModelVersion

# How long the owner has to answer a finding the deployment gate raised.
BREACH_DUE_DAYS = 14
_FIELDS = ["title", "severity", "status", "owner", "due_on", "remediation_plan", "accepted_until"]


def _can_raise(user: User, model: MLModel) -> bool:
    return permissions.can(user, "validate", model) or permissions.can(user, "decide", model)


def _record(actor: User | None, verb: str, finding: Finding, before: dict) -> None:
    after = audit.snapshot(finding, [*_FIELDS, "resolution"])
    before, after = audit.changed(before, after) if before else ({}, after)
    audit.record(
        actor=actor,
        verb=verb,
        target=finding,
        before=before or None,
        after=after,
        mlmodel_id=finding.model_id,
    )


def _locked(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().select_related("model").get(pk=finding.pk)


def _require_future(field: str, day: date | None, what: str) -> date:
    if day is None or day <= timezone.localdate():
        raise DomainError(field=field, message=f"{what} needs a future date")
    return day


@transaction.atomic
def raise_finding(
    *,
    actor: User,
    model: MLModel,
    title: str,
    severity: str,
    owner: User | None,
    due_on: date | None,
    description: str = "",
    version: ModelVersion | None = None,
    request: ApprovalRequest | None = None,
    controls: Iterable[Control] = (),
    source: str = Finding.Source.VALIDATION,
) -> Finding:
    """A validator (or decider) records a weakness, with an owner and a due date."""
    if not _can_raise(actor, model):
        raise PermissionDenied(f"{actor} may not raise findings on {model}")
    if owner is None:
        raise DomainError(field="owner", message="a finding needs an owner")
    if not permissions.can(owner, "view", model):
        raise DomainError(field="owner", message=f"{owner} cannot see {model}")
    due_on = _require_future("due_on", due_on, "a finding")
    for name, obj in (("version", version), ("request", request)):
        if obj is not None and obj.model_id != model.pk:
            raise DomainError(field=name, message=f"belongs to another model than {model}")
    controls = list(controls)
    if any(c.model_id != model.pk for c in controls):
        raise DomainError(field="controls", message=f"name obligations of {model} only")
    finding = Finding(
        model=model,
        version=version,
        request=request,
        title=title.strip(),
        description=description.strip(),
        severity=severity,
        source=source,
        owner=owner,
        due_on=due_on,
        raised_by=actor,
    )
    clean_or_raise(finding, exclude=["raised_by"])
    finding.save()
    finding.controls.set(controls)
    _record(actor, "finding.raised", finding, {})
    return finding


def record_breach(*, deployment: Deployment, description: str) -> Finding:
    """The gate was closed when this deployment went live: a high finding for the owner."""
    return record_system_finding(
        version=deployment.version,
        title=f"Deployed to {deployment.environment} while the gate was closed",
        description=description,
        source=Finding.Source.GATE,
    )


def record_system_finding(
    *,
    version: ModelVersion,
    title: str,
    description: str,
    source: str,
    severity: str = Finding.Severity.HIGH,
) -> Finding:
    """A finding Attest raises itself (a gate breach, a critical monitoring breach), for the
    model's owner to remediate within BREACH_DUE_DAYS."""
    finding = Finding.objects.create(
        model=version.model,
        version=version,
        title=title,
        description=description,
        severity=severity,
        source=source,
        owner=version.model.owner,
        due_on=timezone.localdate() + timedelta(days=BREACH_DUE_DAYS),
        raised_by=None,
    )
    _record(None, "finding.raised", finding, {})
    return finding


@transaction.atomic
def start_remediation(*, actor: User, finding: Finding, plan: str) -> Finding:
    """The finding's owner (or whoever changes the model) commits to a remediation plan."""
    finding = _locked(finding)
    if finding.owner_id != actor.pk and not permissions.can(actor, "change", finding.model):
        raise PermissionDenied(f"{actor} may not plan the remediation of {finding}")
    if finding.status != Finding.Status.OPEN:
        raise DomainError(field="status", message=f"the finding is {finding.get_status_display()}")
    if not plan.strip():
        raise DomainError(field="remediation_plan", message="describe the remediation")
    before = audit.snapshot(finding, _FIELDS)
    finding.status, finding.remediation_plan = Finding.Status.REMEDIATION, plan.strip()
    finding.save()
    _record(actor, "finding.remediation_started", finding, before)
    return finding


@transaction.atomic
def close_finding(*, actor: User, finding: Finding, resolution: str) -> Finding:
    """A validator (not the finding's owner) confirms the remediation and closes it."""
    finding = _locked(finding)
    if not _can_raise(actor, finding.model):
        raise PermissionDenied(f"{actor} may not close findings on {finding.model}")
    if finding.owner_id == actor.pk:
        raise DomainError(field="owner", message="the finding's owner cannot close it themselves")
    if finding.status not in Finding.OPEN_STATUSES:
        raise DomainError(field="status", message=f"the finding is {finding.get_status_display()}")
    if not resolution.strip():
        raise DomainError(field="resolution", message="say how it was resolved")
    before = audit.snapshot(finding, _FIELDS)
    finding.status, finding.resolution = Finding.Status.CLOSED, resolution.strip()
    finding.resolved_by, finding.resolved_at = actor, timezone.now()
    finding.save()
    _record(actor, "finding.closed", finding, before)
    return finding


@transaction.atomic
def request_risk_acceptance(
    *, actor: User, finding: Finding, reason: str, until: date | None
) -> RiskAcceptance:
    """Ask for a finding's risk to be accepted until a date; a decider grants or refuses it."""
    finding = _locked(finding)
    model = finding.model
    if not (
        permissions.can(actor, "change", model)
        or _can_raise(actor, model)
        or finding.owner_id == actor.pk
    ):
        raise PermissionDenied(f"{actor} may not ask to accept risks on {model}")
    if finding.status not in Finding.OPEN_STATUSES:
        raise DomainError(field="status", message=f"the finding is {finding.get_status_display()}")
    if finding.acceptances.filter(state=RequestState.REQUESTED).exists():
        raise DomainError(field="status", message="an acceptance of this finding waits already")
    if not reason.strip():
        raise DomainError(field="resolution", message="say why the risk is acceptable")
    until = _require_future("accepted_until", until, "accepting a risk")
    acceptance = RiskAcceptance.objects.create(
        finding=finding, reason=reason.strip(), accepted_until=until, requested_by=actor
    )
    audit.record(
        actor=actor,
        verb="risk_acceptance.requested",
        target=acceptance,
        after=audit.snapshot(acceptance, ["finding", "reason", "accepted_until"]),
        mlmodel_id=model.pk,
    )
    decisions.announce(
        request=acceptance,
        deciders=people.deciders_of(model),
        kind="risk_acceptance.requested",
        subject=f"{actor.get_username()} asks to accept the risk of {finding} until {until}",
        link=finding.get_absolute_url(),
    )
    return acceptance


@transaction.atomic
def decide_risk_acceptance(
    *, actor: User, acceptance: RiskAcceptance, grant: bool, reason: str = ""
) -> RiskAcceptance:
    """A second person with decision rights grants or refuses the acceptance; once granted the
    finding counts as accepted risk until the date asked for, then it is open again."""
    acceptance = decisions.locked(acceptance)
    finding = _locked(acceptance.finding)
    decisions.require_model_decider(actor, finding.model, "this risk acceptance")
    if grant and finding.status not in Finding.OPEN_STATUSES:
        raise DomainError(field="state", message=f"the finding is {finding.get_status_display()}")
    if grant:
        _require_future("accepted_until", acceptance.accepted_until, "accepting a risk")
    decisions.decide(
        actor=actor,
        request=acceptance,
        grant=grant,
        reason=reason,
        verb="risk_acceptance",
        mlmodel_id=finding.model_id,
        link=finding.get_absolute_url(),
    )
    if grant:
        before = audit.snapshot(finding, _FIELDS)
        finding.status, finding.resolution = Finding.Status.ACCEPTED_RISK, acceptance.reason
        finding.accepted_until = acceptance.accepted_until
        finding.resolved_by, finding.resolved_at = actor, timezone.now()
        finding.save()
        _record(actor, "finding.risk_accepted", finding, before)
    return acceptance


# ---- Policy exceptions ---------------------------------------------------------------------------


def _waivable_rules() -> dict[str, str]:
    book = Rulebook.objects.in_force(Rulebook.Kind.GATE_POLICY)
    return {r["id"]: r["title"] for r in book.content["rules"] if r.get("waivable")}


@transaction.atomic
def request_exception(
    *,
    actor: User,
    model: MLModel,
    rule_id: str,
    reason: str,
    expires_on: date | None,
) -> PolicyException:
    """Ask to waive one gate rule for one model until a date; in force only once a second person
    with decision rights on the model grants it."""
    if not (permissions.can(actor, "change", model) or _can_raise(actor, model)):
        raise PermissionDenied(f"{actor} may not request exceptions on {model}")
    rules = _waivable_rules()
    if rule_id not in rules:
        raise DomainError(
            field="rule_id", message=f"not a waivable rule; one of {', '.join(sorted(rules))}"
        )
    if not reason.strip():
        raise DomainError(field="reason", message="an exception needs a reason")
    expires_on = _require_future("expires_on", expires_on, "an exception")
    exception = PolicyException.objects.create(
        model=model,
        rule_id=rule_id,
        rule_title=rules[rule_id],
        reason=reason.strip(),
        requested_by=actor,
        expires_on=expires_on,
    )
    audit.record(
        actor=actor,
        verb="exception.requested",
        target=exception,
        after=audit.snapshot(exception, ["rule_id", "reason", "expires_on"]),
        mlmodel_id=model.pk,
    )
    decisions.announce(
        request=exception,
        deciders=people.deciders_of(model),
        kind="exception.requested",
        subject=f"{actor.get_username()} asks for {exception}",
        link=reverse("findings:exception-list"),
    )
    return exception


@transaction.atomic
def decide_exception(
    *, actor: User, exception: PolicyException, grant: bool, reason: str = ""
) -> PolicyException:
    """A second person with decision rights on the model grants or refuses the exception."""
    exception = decisions.locked(exception)
    decisions.require_model_decider(actor, exception.model, "this exception")
    if grant:
        _require_future("expires_on", exception.expires_on, "an exception")
    return decisions.decide(
        actor=actor,
        request=exception,
        grant=grant,
        reason=reason,
        verb="exception",
        mlmodel_id=exception.model_id,
        link=reverse("findings:exception-list"),
    )


@transaction.atomic
def revoke_exception(*, actor: User, exception: PolicyException) -> PolicyException:
    exception = (
        PolicyException.objects.select_for_update().select_related("model").get(pk=exception.pk)
    )
    if not permissions.can(actor, "decide", exception.model):
        raise PermissionDenied(f"{actor} may not revoke exceptions on {exception.model}")
    if exception.state != RequestState.GRANTED:
        raise DomainError(field="state", message="only a granted exception can be revoked")
    if exception.revoked_at is not None:
        raise DomainError(field="revoked_at", message="this exception is already revoked")
    exception.revoked_at, exception.revoked_by = timezone.now(), actor
    exception.save()
    audit.record(
        actor=actor,
        verb="exception.revoked",
        target=exception,
        after={"rule_id": exception.rule_id},
        mlmodel_id=exception.model_id,
    )
    return exception


# ---- Revalidation required ----------------------------------------------------------------------


@transaction.atomic
def require_revalidation(
    *, actor: User | None, model: MLModel, reason: str, source: str = "monitoring"
) -> RevalidationFlag:
    """Close the model's deployment gate until a validator clears it (monitoring: actor None)."""
    if actor is not None and not _can_raise(actor, model):
        raise PermissionDenied(f"{actor} may not require revalidation of {model}")
    if not reason.strip():
        raise DomainError(field="reason", message="say why revalidation is required")
    flag = RevalidationFlag.objects.create(
        model=model, reason=reason.strip(), source=source, raised_by=actor
    )
    audit.record(
        actor=actor,
        verb="model.revalidation_required",
        target=flag,
        after={"reason": flag.reason, "source": source},
        mlmodel_id=model.pk,
    )
    return flag


@transaction.atomic
def clear_revalidation(*, actor: User, flag: RevalidationFlag, note: str) -> RevalidationFlag:
    flag = RevalidationFlag.objects.select_for_update().select_related("model").get(pk=flag.pk)
    if not permissions.can(actor, "validate", flag.model):
        raise PermissionDenied(f"{actor} may not clear revalidation of {flag.model}")
    if flag.cleared_at is not None:
        raise DomainError(field="cleared_at", message="already cleared")
    if not note.strip():
        raise DomainError(field="clearance_note", message="say what the revalidation found")
    flag.cleared_at, flag.cleared_by, flag.clearance_note = timezone.now(), actor, note.strip()
    flag.save()
    audit.record(
        actor=actor,
        verb="model.revalidation_cleared",
        target=flag,
        after={"note": flag.clearance_note},
        mlmodel_id=flag.model_id,
    )
    return flag
