"""Everything an evidence pack says about one model version, as it stood at the as-of instant.

Each section is plain, JSON-ready data (ISO times in UTC, names as text) read with an explicit
order, so the same version and instant give the same record: that record is both what the PDF
prints and the `evidence.json` it embeds. Rows created after the instant are left out; where a
row keeps the time of a later change (a decision, a resolution) the state is read back to what
it was at the instant.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q

from governance import history, labels
from governance.access import selectors as people
from governance.access.models import RaciAssignment
from governance.approvals.models import ApprovalRequest, Condition, SignOff
from governance.approvals.selectors import facts as approval_facts
from governance.approvals.selectors import independence
from governance.auditlog import selectors as audit_selectors
from governance.auditlog.models import AuditEvent
from governance.findings.models import Finding
from governance.risk import selectors as risk_selectors
from governance.risk.forms import answer_text, open_questions
from governance.risk.models import Control, Evidence, Framework, RiskAssessment
from governance.risk.rules import results
from governance.rulebooks.models import Rulebook
from monitoring import charts
from monitoring.models import Alert, DriftResult, FairnessResult, Incident
from monitoring.selectors import in_force
from monitoring.selectors import pages as monitoring_pages
from registry.models import Deployment, MLModel, ModelDependency, ModelVersion, TrainingRun


@dataclass(frozen=True)
class PackData:
    """The record (JSON-ready) and the chart inputs drawn from it."""

    record: dict[str, Any]
    metric_series: list[charts.MetricSeries]
    fairness_bars: list[charts.GroupBars]
    drift_bars: list[charts.DriftBars]


def iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat() if at else None


def known(at: datetime | None, as_of: datetime) -> datetime | None:
    """A timestamp, if it had happened by the as-of instant."""
    return at if at is not None and at <= as_of else None


def person(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def assemble(version: ModelVersion, as_of: datetime) -> PackData:
    """Gather every section of the pack for `version` as of `as_of` (an aware datetime)."""
    model = version.model
    applied = in_force.thresholds_for([model.pk], as_of)[model.pk]
    series = monitoring_pages.metric_series(version, applied, as_of)
    fairness = _fairness(version, as_of)
    drift_result, drift_bars = monitoring_pages.drift_bars(version, applied, as_of)
    record = {
        "inventory": inventory(model, version, as_of),
        "raci": raci(model, as_of),
        "risk": risk(model, as_of),
        "obligations": obligations(model, as_of),
        "approvals": approvals(version, as_of),
        "lineage": lineage(version, as_of),
        "findings": findings(model, as_of),
        "monitoring": {
            "metrics": [_series_record(s) for s in series],
            "fairness": [row for row, _ in fairness],
            "drift": drift(drift_result),
            "alerts": alerts(model, as_of),
            "incidents": incidents(model, as_of),
        },
        "audit": audit_trail(model, as_of),
    }
    return PackData(record, series, [bars for _, bars in fairness], drift_bars)


# ---- 2. Inventory and RACI ----------------------------------------------------------------------


def inventory(model: MLModel, version: ModelVersion, as_of: datetime) -> dict[str, Any]:
    """The SR 11-7 inventory fields of the model and of this version, as they read then."""
    model, version = history.row_at(model, as_of), history.row_at(version, as_of)
    use_cases = model.use_cases.filter(created_at__lte=as_of).order_by("name", "pk")
    return {
        "model": {
            "slug": model.slug,
            "name": model.name,
            "description": model.description,
            "intended_purpose": model.intended_purpose,
            "business_unit": model.business_unit,
            "model_type": model.get_model_type_display(),
            "status": model.get_status_display(),
            "vendor": model.vendor,
            "owner": person(model.owner),
            "registered_at": iso(model.created_at),
            "custom_fields": {k: model.custom_fields[k] for k in sorted(model.custom_fields)},
            "use_cases": [u.name for u in use_cases],
        },
        "version": {
            "id": version.pk,
            "version": version.version,
            "artifact_uri": version.artifact_uri,
            "artifact_sha256": version.artifact_sha256,
            "framework": version.framework,
            "source_tracker": version.source_tracker,
            "external_id": version.external_id,
            "base_model": version.base_model,
            "provider": version.provider,
            "registered_by": person(version.created_by),
            "registered_at": iso(version.created_at),
        },
    }


def raci(model: MLModel, as_of: datetime) -> list[dict[str, str]]:
    """The assignments in place at the instant, those withdrawn since among them."""
    current = RaciAssignment.objects.filter(model=model, created_at__lte=as_of).select_related(
        "user", "group"
    )
    rows = history.rows_at(
        current,
        history.later_events(RaciAssignment, as_of, mlmodel_id=model.pk),
        # rows_at restores only events that have a before
        lambda row, event: history.restored(row or RaciAssignment(), event.before or {}),
    )
    return [
        {"area": r.get_area_display(), "role": r.get_role_display(), "who": r.principal_name}
        for r in sorted(rows, key=lambda r: (r.area, r.role, r.pk))
    ]


# ---- 3. Risk classification ---------------------------------------------------------------------


def assessment_record(
    found: RiskAssessment, as_of: datetime, corrections: dict[int, str] | None = None
) -> dict[str, Any]:
    """An assessment with its answers, the rules that fired and its review, as of the instant;
    `corrections` keeps each rulebook's correction line once read (a pack's assessments share a
    few rulebooks)."""
    outcome = risk_selectors.to_outcome(found.outcome)
    overridden = known(found.override_approved_at, as_of) and found.override_result
    reviewed = known(found.reviewed_at, as_of)
    return {
        "framework": found.get_framework_display(),
        "subject": str(found.subject),
        "result": found.override_result if overridden else found.result,
        "rules_result": found.result,
        "legal_basis": list(outcome.legal_basis),
        "answers": {k: found.answers[k] for k in sorted(found.answers)},
        "answered": _answered(found),
        # A result resting on "not known yet" answers stays visibly provisional in the pack.
        "open_questions": open_questions(found),
        "reasons": [
            {"rule": r.rule, "basis": r.basis, "because": r.because} for r in outcome.reasons
        ],
        "application_dates": _application_dates(outcome.details, as_of),
        "rulebook": str(found.rulebook),
        "rulebook_correction": _correction(
            found.rulebook, as_of, {} if corrections is None else corrections
        ),
        "trigger": found.trigger,
        "assessed_by": person(found.assessed_by),
        "valid_from": iso(found.valid_from),
        "valid_to": iso(known(found.valid_to, as_of)),
        "review": found.get_review_display() if reviewed else "Awaiting review",
        "reviewed_by": person(found.reviewed_by) if reviewed else "",
        "reviewed_at": iso(reviewed),
        "review_reason": found.review_reason if reviewed else "",
    }


def _correction(book: Rulebook, as_of: datetime, known: dict[int, str]) -> str:
    """How a correction published by `as_of` replaced the rulebook the assessment ran under."""
    if book.pk not in known:
        known[book.pk] = _read_correction(book, as_of)
    return known[book.pk]


def _read_correction(book: Rulebook, as_of: datetime) -> str:
    correction = book.corrections.filter(
        status=Rulebook.Status.PUBLISHED, published_at__lte=as_of
    ).first()
    if correction is None:
        return ""
    return (
        f"Corrected by v{correction.version} (in force from {correction.effective_from:%-d %B %Y}),"
        f" published {correction.published_at:%-d %B %Y}: {correction.correction_reason}"
    )


def _application_dates(details: dict[str, Any], as_of: datetime) -> list[dict[str, Any]]:
    """Each label's application date and whether it was in force on the pack's day (UTC), worked
    out now rather than taken from the outcome: a stored flag says what held when assessed."""
    applies = details.get("applies_from", {})
    forced = results.in_force(applies, as_of.astimezone(UTC).date())
    return [
        {"label": label, "applies_from": day, "in_force": forced[label]}
        for label, day in applies.items()
    ]


def _answered(found: RiskAssessment) -> list[dict[str, str]]:
    """Each answer as the questionnaire asked and showed it, in the questionnaire's order."""
    questions = risk_selectors.questions_of(found)
    return [
        {"question": q.text, "answer": answer_text(q, found.answers[q.key])}
        for q in questions
        if q.key in found.answers
    ]


def risk(model: MLModel, as_of: datetime) -> dict[str, Any]:
    """The assessments in force at the instant, and every one that had been in force by then."""
    use_cases = list(model.use_cases.order_by("name", "pk"))
    in_force = [
        risk_selectors.in_force_at(model, Framework.SCOPING, as_of),
        risk_selectors.in_force_at(model, Framework.TIERING, as_of),
        *(risk_selectors.in_force_at(u, Framework.EU_AI_ACT, as_of) for u in use_cases),
    ]
    history = list(
        RiskAssessment.objects.filter(Q(model=model) | Q(use_case__in=use_cases))
        .exclude(status=RiskAssessment.Status.DRAFT)
        .filter(valid_from__lte=as_of)
        .select_related("rulebook", "assessed_by", "reviewed_by", "model", "use_case")
        .order_by("valid_from", "pk")
    )
    # Each assessment in force is among the history, read there with its rulebook and people:
    # printed from that row, it costs no query per field.
    read = {a.pk: a for a in history}
    corrections: dict[int, str] = {}
    tier = approval_facts.tier_of(model, as_of)
    category = approval_facts.eu_outcome(model, as_of)
    return {
        "tier": tier.result if tier else "",
        "eu_category": category.result if category else "",
        "eu_provisional": bool(category and category.details.get("provisional")),
        "in_force": [
            assessment_record(read.get(a.pk, a), as_of, corrections)
            for a in in_force
            if a is not None
        ],
        "history": [assessment_record(a, as_of, corrections) for a in history],
    }


# ---- 4. Obligations -----------------------------------------------------------------------------


def _evidence_record(item: Evidence) -> dict[str, Any]:
    return {
        "title": item.title,
        "kind": item.get_kind_display(),
        "sha256": item.sha256,
        "url": item.url,
        "added_by": person(item.added_by),
        "added_at": iso(item.added_at),
    }


def _control_status(control: Control, evidence: list[Evidence], as_of: datetime) -> str:
    """The status the checklist showed at the instant, read back from the decision times."""
    # str(): the stubs allow lazy labels; these are plain strings already
    if control.status == Control.Status.WAIVED and control.updated_at <= as_of:
        return str(Control.Status.WAIVED.label)
    if control.status == Control.Status.ACCEPTED and known(control.reviewed_at, as_of):
        return str(Control.Status.ACCEPTED.label)
    return str((Control.Status.EVIDENCED if evidence else Control.Status.MISSING).label)


def _applying(model: MLModel, as_of: datetime) -> list[Control]:
    """The model's controls that applied at the instant: each checklist sync since, undone."""
    controls = list(
        Control.objects.filter(model=model)
        .select_related("reviewed_by", "waiver_approved_by")
        .order_by("framework", "reference", "pk")
    )
    applies = {c.obligation_id: c.applies for c in controls}
    for sync in history.later_events(
        MLModel, as_of, target_id=str(model.pk), verb="controls.synced"
    ):
        synced = sync.after or {}  # a sync event always records what it added and dropped
        applies.update(dict.fromkeys(synced["added"], False))
        applies.update(dict.fromkeys(synced["dropped"], True))
    return [c for c in controls if applies[c.obligation_id]]


def obligations(model: MLModel, as_of: datetime) -> list[dict[str, Any]]:
    """Every obligation that applied to the model, its status and the evidence behind it."""
    controls = _applying(model, as_of)
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    rows = Evidence.objects.filter(control__model=model, added_at__lte=as_of)
    for item in rows.select_related("added_by").order_by("added_at", "pk"):
        evidence[item.control_id].append(item)
    return [
        {
            "framework": c.framework,
            "reference": c.reference,
            "title": c.title,
            "due_on": iso_date(c.due_on),
            "stage": c.get_stage_display(),
            "status": (status := _control_status(c, evidence[c.pk], as_of)),
            "reviewer": person(c.reviewed_by) if known(c.reviewed_at, as_of) else "",
            "waiver": _waiver(c) if status == Control.Status.WAIVED.label else None,
            "evidence": [_evidence_record(e) for e in evidence[c.pk]],
        }
        for c in controls
    ]


def _waiver(control: Control) -> dict[str, Any]:
    return {
        "reason": control.waiver_reason,
        "approved_by": person(control.waiver_approved_by),
        "expires_on": iso_date(control.waiver_expires_on),
    }


def iso_date(day: Any) -> str | None:
    return day.isoformat() if day else None


# ---- 5. Approvals -------------------------------------------------------------------------------


def _state_at(request: ApprovalRequest, as_of: datetime) -> str:
    """The request's state at the instant, from the times each step was taken."""
    states = ApprovalRequest.State
    if known(request.decided_at, as_of):
        return request.get_state_display()
    steps = (
        (request.withdrawn_at, states.WITHDRAWN),
        (request.review_started_at, states.IN_REVIEW),
        (request.submitted_at, states.SUBMITTED),
    )
    return next((state.label for at, state in steps if known(at, as_of)), states.DRAFT.label)


def approvals(version: ModelVersion, as_of: datetime) -> dict[str, Any]:
    """Every request on the version with its sign-offs and conditions, and the SoD statement."""
    requests = ApprovalRequest.objects.filter(version=version, created_at__lte=as_of).order_by(
        "created_at", "pk"
    )
    sign_offs = list(
        SignOff.objects.filter(request__in=requests, signed_at__lte=as_of)
        .select_related("signer")
        .order_by("signed_at", "pk")
    )
    conditions = Condition.objects.filter(sign_off__in=sign_offs).order_by("due_on", "pk")
    builders = people.builders_of(version)
    conflicted = sorted({person(s.signer) for s in sign_offs if s.signer_id in builders})
    return {
        "requests": [_request_record(r, sign_offs, conditions, as_of) for r in requests],
        "segregation_of_duties": {
            "builders": sorted(builders.values()),
            "conflicted_signers": conflicted,
            "statement": _segregation(requests.exists(), sign_offs, conflicted),
        },
    }


def _segregation(requested: bool, sign_offs: list[SignOff], conflicted: list[str]) -> str:
    """The segregation-of-duties statement; with nobody signed there is nothing to conclude."""
    if not requested:
        return (
            "No approval had been requested for this version by the as-of instant, so no "
            "segregation of duties can be stated."
        )
    if not sign_offs:
        return (
            "Nobody had signed off on this version by the as-of instant, so no segregation of "
            "duties can be stated yet."
        )
    if conflicted:
        return f"Signed off by people who built this version: {', '.join(conflicted)}."
    return (
        "No sign-off was made by anyone who built this version, and each person signed each "
        "request in one role at most."
    )


def _independence(request: ApprovalRequest, sign_offs: list[SignOff]) -> dict[str, Any]:
    """Each required role, who filled it, and each independence rule checked (as of the pack)."""
    mine = [s for s in sign_offs if s.request_id == request.pk]
    statement = independence.statement_of(request, mine)
    return {
        "signed": bool(mine),
        "roles": [
            {"role": SignOff.Role(r.role).label, "needed": r.needed, "signers": list(r.signers)}
            for r in statement.roles
        ],
        "checks": [{"rule": c.rule, "held": c.held, "detail": c.detail} for c in statement.checks],
    }


def _request_record(
    request: ApprovalRequest, sign_offs: list[SignOff], conditions: Any, as_of: datetime
) -> dict[str, Any]:
    return {
        "reference": request.reference,
        "gate": request.get_gate_display(),
        "environment": request.environment,
        "state": _state_at(request, as_of),
        "tier": request.tier,
        "required": request.requirements,
        "submitted_at": iso(known(request.submitted_at, as_of)),
        "decided_at": iso(known(request.decided_at, as_of)),
        "expires_on": iso_date(request.expires_on) if known(request.decided_at, as_of) else None,
        "snapshot_sha256": request.snapshot_sha256 if known(request.submitted_at, as_of) else "",
        "independence": _independence(request, sign_offs),
        "sign_offs": [
            {
                "role": s.get_role_display(),
                "signer": person(s.signer),
                "decision": s.get_decision_display(),
                "comment": s.comment,
                "signed_at": iso(s.signed_at),
                "conditions": [
                    {
                        "text": c.text,
                        "due_on": iso_date(c.due_on),
                        "met_at": iso(known(c.met_at, as_of)),
                    }
                    for c in conditions
                    if c.sign_off_id == s.pk
                ],
            }
            for s in sign_offs
            if s.request_id == request.pk
        ],
    }


# ---- 6. Lineage ---------------------------------------------------------------------------------


def lineage(version: ModelVersion, as_of: datetime) -> dict[str, Any]:
    """Training data and run, the version's deployments, and the models up- and downstream."""
    run = (
        TrainingRun.objects.filter(pk=version.training_run_id, created_at__lte=as_of).first()
        if version.training_run_id is not None
        else None
    )
    datasets = (
        run.input_datasets.filter(created_at__lte=as_of)
        .select_related("dataset")
        .order_by("dataset__name", "version", "pk")
        if run
        else []
    )
    deployments = Deployment.objects.filter(version=version, started_at__lte=as_of).order_by(
        "started_at", "pk"
    )
    links = ModelDependency.objects.filter(created_at__lte=as_of).select_related(
        "upstream", "downstream"
    )
    model = version.model
    return {
        "datasets": [
            {
                "dataset": d.dataset.name,
                "version": d.version,
                "uri": d.uri,
                "sha256": d.content_sha256,
                "external_ref": d.external_ref,
                "rows": d.row_count,
            }
            for d in datasets
        ],
        "training_run": _run_record(run) if run else None,
        "deployments": [
            {
                "environment": d.get_environment_display(),
                "endpoint": d.endpoint,
                "started_at": iso(d.started_at),
                "ended_at": iso(known(d.ended_at, as_of)),
            }
            for d in deployments
        ],
        "upstream": [
            link.upstream.name for link in links.filter(downstream=model).order_by("upstream__name")
        ],
        "downstream": [
            link.downstream.name
            for link in links.filter(upstream=model).order_by("downstream__name")
        ],
    }


def _run_record(run: TrainingRun) -> dict[str, Any]:
    return {
        "tracker": run.tracker,
        "external_id": run.external_id,
        "params": {k: run.params[k] for k in sorted(run.params)},
        "code_commit": run.code_commit,
        "code_author": run.code_author,
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
    }


# ---- 7. Findings --------------------------------------------------------------------------------


def _finding_history(rows: list[Finding], as_of: datetime) -> dict[str, list[dict[str, Any]]]:
    """Each finding's audit events up to the instant: when, who, what, and the status after."""
    events = AuditEvent.objects.filter(
        target_type=Finding._meta.label_lower,
        target_id__in=[str(f.pk) for f in rows],
        occurred_at__lte=as_of,
    ).order_by("seq")
    names = _people({e.actor_id for e in events})
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        status = (e.after or {}).get("status")
        found[e.target_id].append(
            {
                "at": iso(e.occurred_at),
                "who": names.get(e.actor_id, e.actor_name),
                "action": labels.action_label(e.verb),
                "status": Finding.Status(status).label if status else "",
            }
        )
    return found


def _people(ids: set[int | None]) -> dict[int | None, str]:
    """Full names of the users behind audit events (an event keeps the username only)."""
    return {u.pk: person(u) for u in User.objects.filter(pk__in=[i for i in ids if i is not None])}


def findings(model: MLModel, as_of: datetime) -> list[dict[str, Any]]:
    """Findings raised by the instant, with their history; a later resolution shows as open."""
    rows = list(
        Finding.objects.filter(model=model, raised_at__lte=as_of)
        .select_related("owner", "resolved_by")
        .order_by("raised_at", "pk")
    )
    past = _finding_history(rows, as_of)
    return [
        {
            "reference": f.reference,
            "title": f.title,
            "severity": f.get_severity_display(),
            "source": f.get_source_display(),
            "status": f.get_status_display()
            if known(f.resolved_at, as_of) or f.status in Finding.OPEN_STATUSES
            else Finding.Status.OPEN.label,
            "owner": person(f.owner),
            "due_on": iso_date(f.due_on),
            "remediation_plan": f.remediation_plan,
            "raised_at": iso(f.raised_at),
            "resolved_at": iso(known(f.resolved_at, as_of)),
            "resolution": f.resolution if known(f.resolved_at, as_of) else "",
            "history": past[str(f.pk)],
        }
        for f in rows
    ]


# ---- 8. Monitoring ------------------------------------------------------------------------------


def _series_record(series: charts.MetricSeries) -> dict[str, Any]:
    t = series.threshold
    return {
        "name": series.name,
        "unit": series.unit,
        "threshold": {"warning": t.warning, "critical": t.critical, "direction": t.direction.value}
        if t
        else None,
        "points": [{"at": iso(p.at), "value": p.value} for p in series.points],
        "segments": {
            s.name: [{"at": iso(p.at), "value": p.value} for p in s.points] for s in series.segments
        },
    }


def _fairness(version: ModelVersion, as_of: datetime) -> list[tuple[dict, charts.GroupBars]]:
    """The newest fairness push known at the instant: one result per sensitive feature set."""
    known_rows = FairnessResult.objects.filter(
        version=version, evaluated_at__lte=as_of, recorded_at__lte=as_of
    )
    newest = known_rows.order_by("-evaluated_at").values("evaluated_at")[:1]
    rows = known_rows.filter(evaluated_at=newest).order_by("pk")
    return [
        (
            {
                "evaluated_at": iso(r.evaluated_at),
                "passed": r.passed,
                "sensitive": r.summary.get("sensitive", []),
                "metrics": r.summary.get("metrics", {}),
            },
            monitoring_pages.group_bars(r.summary),
        )
        for r in rows
    ]


def drift(found: DriftResult | None) -> dict[str, Any] | None:
    """The newest drift result known at the instant, feature by feature."""
    if found is None:
        return None
    return {
        "evaluated_at": iso(found.evaluated_at),
        "reference": found.reference,
        "dataset_drift": found.dataset_drift,
        "drift_share": found.drift_share,
        "columns": found.columns,
    }


def _alert_state(alert: Alert, as_of: datetime) -> str:
    if known(alert.resolved_at, as_of):
        return Alert.State.RESOLVED.label
    if known(alert.acknowledged_at, as_of):
        return Alert.State.ACKNOWLEDGED.label
    return Alert.State.OPEN.label


def alerts(model: MLModel, as_of: datetime) -> list[dict[str, Any]]:
    rows = Alert.objects.filter(model=model, opened_at__lte=as_of).order_by("opened_at", "pk")
    return [
        {
            "severity": a.get_severity_display(),
            "state": _alert_state(a, as_of),
            "message": a.message,
            "opened_at": iso(a.opened_at),
            "resolved_at": iso(known(a.resolved_at, as_of)),
        }
        for a in rows
    ]


def incidents(model: MLModel, as_of: datetime) -> list[dict[str, Any]]:
    rows = Incident.objects.filter(
        model=model, occurred_at__lte=as_of, reported_at__lte=as_of
    ).order_by("occurred_at", "pk")
    return [
        {
            "title": i.title,
            "severity": i.get_severity_display(),
            "occurred_at": iso(i.occurred_at),
            "description": i.description,
        }
        for i in rows
    ]


# ---- 9. Audit trail -----------------------------------------------------------------------------


def audit_trail(model: MLModel, as_of: datetime) -> dict[str, Any]:
    """The model's events up to the instant, and the whole chain verified up to that point."""
    # The chain is checked from its start to the last event recorded by the instant, in seq order.
    last = (
        AuditEvent.objects.filter(occurred_at__lte=as_of)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
        or 0
    )
    upto = AuditEvent.objects.filter(seq__lte=last).order_by("seq")
    mine = list(upto.filter(mlmodel_id=model.pk))
    names = _people({e.actor_id for e in mine})
    broken = audit_selectors.chain_break_through(last)
    return {
        "chain": {
            "intact": broken is None,
            "checked_through_seq": last,
            "broken_at_seq": broken.seq if broken else None,
            "reason": broken.reason if broken else "",
        },
        "events": [
            {
                "seq": e.seq,
                "occurred_at": iso(e.occurred_at),
                "actor": names.get(e.actor_id, e.actor_name),
                "verb": e.verb,
                "action": labels.action_label(e.verb),
                "target": e.target_repr,
                "hash": e.hash,
            }
            for e in mine
        ],
        "checkpoint": checkpoint_of(as_of),
    }


def checkpoint_of(as_of: datetime) -> dict[str, Any] | None:
    """The newest signed checkpoint of the whole trail by the instant, and whether it holds."""
    found = audit_selectors.latest_checkpoint(as_of)
    if found is None:
        return None
    cp = found.checkpoint
    return {
        "seq": cp.seq,
        "head_hash": cp.head_hash,
        "signed_at": iso(cp.signed_at),
        "signer": cp.signer,
        "signature": str(found.document.get("signature", "")),
        "holds": audit_selectors.checkpoint_holds(cp),
    }
