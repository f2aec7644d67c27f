"""The demo's approval work: requests in every state, findings, exceptions, monitoring results.

All through the services, as the people would do it, so the audit trail is real. The services
stamp decisions "now", so they are dated the day the demo is loaded; due dates and expiries are
set relative to that day (a service refuses them in the past). The portfolio's own history
already holds five gate breaches: production releases after the gate policy took effect on
2026-04-17, before anyone had tiered or approved the models. Those findings are worked here.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from governance.access.services import raci
from governance.approvals.models import ApprovalRequest, Gate
from governance.approvals.services import workflow
from governance.approvals.services.workflow import NewCondition
from governance.findings import services as findings
from governance.findings.models import Finding
from governance.risk.models import Control
from governance.risk.services import controls
from monitoring.services import ingestion
from registry.models import MLModel, ModelVersion

Users = dict[str, User]
Models = dict[str, MLModel]
Signers = tuple[tuple[str, str], ...]  # (username, role), signed in this order

# Models whose owners evidence every obligation still open, so their requests can be submitted.
COMPLETE_EVIDENCE = (
    "current-account-churn",
    "cash-forecast",
    "support-assistant",
    "retail-pd",
    "mortgage-prepayment",
    "nmd-behavioural",
    "cv-screening",
    "credit-memo-summariser",
    "claims-triage",
)
BREACH_TITLE = "Deployed to production while the gate was closed"


def seed(users: Users, models: Models) -> None:
    """Approval requests in every state, with the findings and results around them."""
    today = timezone.localdate()
    for slug in COMPLETE_EVIDENCE:
        _evidence_the_rest(users, models[slug])
    _approved_and_gate_open(users, models)
    _approved_with_conditions_and_due_for_review(users, models, today)
    _approval_that_lapsed(users, models)
    _awaiting_the_committee(users, models)
    _submitted_rejected_withdrawn_and_draft(users, models)
    _work_the_findings(users, models, today)


def _version(models: Models, slug: str, label: str) -> ModelVersion:
    return models[slug].versions.get(version=label)


def _evidence_the_rest(users: Users, model: MLModel) -> None:
    """The owner links documentation to every obligation without evidence or a waiver."""
    owner = users[model.owner.username]
    open_controls = (
        model.controls.filter(applies=True, evidence__isnull=True)
        .exclude(status=Control.Status.WAIVED)
        .order_by("pk")
    )
    for control in open_controls:
        controls.attach_evidence(
            actor=owner,
            control=control,
            title=f"{control.reference}: {model.name} documentation",
            url=f"https://docs.northwind.example/models/{model.slug}#{control.obligation_id}",
        )


def _request(
    users: Users,
    version: ModelVersion,
    gate: str,
    environment: str = "",
    summary: str = "",
    due_on: date | None = None,
) -> ApprovalRequest:
    """The model's owner opens and submits the request."""
    owner = users[version.model.owner.username]
    draft = workflow.open_request(
        actor=owner,
        version=version,
        gate=gate,
        environment=environment,
        summary=summary,
        due_on=due_on,
    )
    return workflow.submit(actor=owner, request=draft)


def _sign(users: Users, request: ApprovalRequest, signers: Signers, **decision) -> None:
    """Each (person, role) approves in turn; `decision` overrides the last one's."""
    for number, (username, role) in enumerate(signers, start=1):
        given = decision if number == len(signers) else {}
        workflow.sign_off(
            actor=users[username],
            request=request,
            role=role,
            decision=given.pop("decision", "approve"),
            comment=given.pop("comment", "Reviewed the validation report and the evidence."),
            **given,
        )


def _approved_and_gate_open(users: Users, models: Models) -> None:
    """Tier 3 churn model: validated and approved for production, so its gate is open."""
    version = _version(models, "current-account-churn", "1.1")
    validation = _request(users, version, Gate.VALIDATION, summary="Annual refit on 2026 data")
    _sign(users, validation, (("vera", "validator"),))
    deployment = _request(users, version, Gate.DEPLOYMENT, "production", "Keep 1.1 in production")
    _sign(users, deployment, (("vera", "validator"),))


def _approved_with_conditions_and_due_for_review(users: Users, models: Models, today: date) -> None:
    """Cash forecast 2.0: approved with a back-testing condition; its periodic review is due."""
    version = _version(models, "cash-forecast", "2.0")
    deployment = _request(users, version, Gate.DEPLOYMENT, "production", "Gradient-boosted 2.0")
    _sign(
        users,
        deployment,
        (("victor", "validator"),),
        decision="approve_with_conditions",
        comment="Approve, with monthly back-testing until a full quarter of live data is in.",
        conditions=[
            NewCondition("Monthly back-test against actual flows to ALCO", today + timedelta(30))
        ],
        expires_on=today + timedelta(days=365),
    )
    _request(
        users,
        version,
        Gate.PERIODIC_REVIEW,
        summary="Annual review of the cash forecast",
        due_on=today + timedelta(days=45),
    )


def _approval_that_lapsed(users: Users, models: Models) -> None:
    """Support assistant 2.0 was validated, then monitoring breached: the approval lapsed."""
    version = _version(models, "support-assistant", "2.0")
    validation = _request(users, version, Gate.VALIDATION, summary="GPT-4.1 upgrade")
    _sign(users, validation, (("vera", "validator"),))
    ingestion.record_metrics(
        actor=users["hana"],
        version=version,
        points=[
            {"name": "hallucination_rate", "value": value, "timestamp": _day(day)}
            for day, value in (("2026-11-16", 0.012), ("2026-11-18", 0.019), ("2026-11-20", 0.041))
        ],
    )
    findings.require_revalidation(
        actor=users["vera"],
        model=version.model,
        reason="Hallucination rate 4.1% on 2026-11-20, above the 2% limit",
    )


def _awaiting_the_committee(users: Users, models: Models) -> None:
    """Three deployments in review that the committee (Carl, Celine) must sign off."""
    pd = _version(models, "retail-pd", "2.1")  # its fairness check came in through pushes
    tier_1 = _request(users, pd, Gate.DEPLOYMENT, "production", "Recalibrated PD 2.1")
    _sign(users, tier_1, (("vera", "validator"), ("cora", "compliance"), ("leon", "legal")))
    prepayment = _version(models, "mortgage-prepayment", "1.0")
    tier_2 = _request(users, prepayment, Gate.DEPLOYMENT, "production", "First release")
    _sign(users, tier_2, (("vera", "validator"),))
    nmd = _version(models, "nmd-behavioural", "1.0")
    staging = _request(users, nmd, Gate.DEPLOYMENT, "staging", "Parallel run in staging")
    workflow.start_review(actor=users["victor"], request=staging)


def _submitted_rejected_withdrawn_and_draft(users: Users, models: Models) -> None:
    _request(users, _version(models, "cv-screening", "1.0"), Gate.VALIDATION, summary="1.0")
    memo = _request(
        users, _version(models, "credit-memo-summariser", "1.0"), Gate.VALIDATION, summary="1.0"
    )
    _sign(
        users,
        memo,
        (("victor", "validator"),),
        decision="reject",
        comment="Summaries omit covenant breaches in 3 of 40 test memos; fix and resubmit.",
    )
    triage = _request(users, _version(models, "claims-triage", "1.0"), Gate.VALIDATION)
    workflow.withdraw(actor=users["ines"], request=triage, reason="Superseded by 1.1")
    workflow.open_request(
        actor=users["olivia"],
        version=_version(models, "affordability", "0.1"),
        gate=Gate.VALIDATION,
        summary="First build of the affordability model",
    )


def _work_the_findings(users: Users, models: Models, today: date) -> None:
    """The gate breaches are planned, accepted or excepted; validators raise their own."""
    breaches = {
        f.model.slug: f for f in Finding.objects.filter(title=BREACH_TITLE).select_related("model")
    }
    findings.start_remediation(
        actor=users["tom"],
        finding=breaches["cash-forecast"],
        plan="Retroactive validation and approval of 2.0 (requested).",
    )
    findings.close_finding(
        actor=users["vera"],
        finding=breaches["collections-propensity"],
        resolution="1.2 validated out of cycle; committee noted the breach.",
    )
    # Second-person controls as they happen: one asks, a committee member decides; the last
    # two wait in the committee's work lists.
    accepted = findings.request_risk_acceptance(
        actor=users["tom"],
        finding=breaches["corporate-rating"],
        reason="Rating overlay reviewed by credit committee; revalidation booked for Q1.",
        until=today + timedelta(days=90),
    )
    findings.decide_risk_acceptance(actor=users["carl"], acceptance=accepted, grant=True)
    exception = findings.request_exception(
        actor=users["felix"],
        model=models["card-fraud"],
        rule_id="no-open-high-findings",
        reason="Fraud losses rise without 4.0; validation of 4.0 is under way.",
        expires_on=today + timedelta(days=60),
    )
    findings.decide_exception(actor=users["carl"], exception=exception, grant=True)
    findings.request_exception(
        actor=users["tom"],
        model=models["market-risk-var"],
        rule_id="obligations-evidenced",
        reason="Documentation migration to the new wiki; links follow by quarter end.",
        expires_on=today + timedelta(days=40),
    )
    # Waiting on the committee: a waiver of one obligation still missing on retail PD.
    missing = models["retail-pd"].controls.filter(applies=True, status=Control.Status.MISSING)
    if (control := missing.order_by("pk").first()) is not None:
        controls.request_waiver(
            actor=users["olivia"],
            control=control,
            reason="Evidence follows with the 2027 annual review pack.",
            expires_on=today + timedelta(days=120),
        )
    # Waiting on the validation lead: a second validator for the busiest model.
    raci.request_validator(
        actor=users["felix"],
        model=models["card-fraud"],
        note="4.0 validation is large; a second validator would halve the time to decision.",
    )
    for validator, slug, severity, title, days in (
        ("vera", "retail-pd", "medium", "Calibration drift in the self-employed segment", 60),
        ("victor", "aml-transaction-monitoring", "low", "Alert thresholds undocumented", 14),
        ("vera", "motor-pricing", "high", "Postcode feature acts as a proxy for ethnicity", 30),
    ):
        raised = findings.raise_finding(
            actor=users[validator],
            model=models[slug],
            title=title,
            severity=severity,
            owner=models[slug].owner,
            due_on=today + timedelta(days=days),
        )
        if slug == "retail-pd":
            findings.start_remediation(
                actor=users["olivia"], finding=raised, plan="Segment-level recalibration in 2.1."
            )


def _day(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(6), tzinfo=UTC)
