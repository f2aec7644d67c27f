"""The demo's approval work: requests in every state, findings, exceptions, monitoring results.

All through the services, as the people would do it, so the audit trail is real, each on its
day (due dates and expiries are set from that day). The portfolio's own history holds five gate
breaches: production releases after the gate policy took effect on 2026-04-17, before their
versions had been approved. Those findings are worked here, beside the findings validators
raised and closed over the two years.
"""

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

from django.contrib.auth.models import User
from django.utils import timezone

from governance.access.services import raci
from governance.approvals.models import ApprovalRequest, Gate
from governance.approvals.selectors import eligibility
from governance.approvals.services import workflow
from governance.approvals.services.workflow import NewCondition
from governance.demo.spec import at
from governance.demo.timeline import Timeline
from governance.demo.world import SPECS, World
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


# (raised, closed, model, severity, title, resolution): findings of past validations.
PAST_FINDINGS = (
    ("2025-03-10", "2025-06-20", "retail-pd", "medium", "Override rate not monitored",
     "Monthly override report added to the model's monitoring pack."),
    ("2025-05-19", "2025-07-14", "card-fraud", "high", "Champion-challenger results not documented",
     "Challenger comparison for 3.1 documented and reviewed."),
    ("2025-07-07", "2025-10-27", "ifrs9-staging", "medium", "SICR thresholds not back-tested",
     "Back-test of the SICR thresholds over 2019-2024 attached."),
    ("2025-09-15", "2025-12-08", "aml-transaction-monitoring", "low",
     "Scenario tuning log incomplete", "Tuning log reconstructed and kept in the repository."),
    ("2025-11-03", "2026-02-16", "motor-pricing", "medium",
     "Rating factor monotonicity not tested", "Monotonicity tests added to the 2026.1 build."),
    ("2026-02-09", "2026-04-06", "cash-forecast", "low", "Back-test window too short",
     "Window extended to 24 months in 1.1's back-test."),
)  # fmt: skip
Story = Callable[[Users, Models], object]


def schedule(timeline: Timeline, world: World) -> None:
    """Past findings, then this autumn's approval work, each on its day."""
    for raised, closed, slug, severity, title, resolution in PAST_FINDINGS:
        timeline.add(
            at(raised, 15),
            f"finding {title}",
            partial(_raise, world, slug, severity, title, days=70),
        )
        timeline.add(
            at(closed, 15),
            f"closed {title}",
            partial(_close, world, slug, title, resolution),
        )
    for day, story in _stories():
        timeline.add(at(day, 13), story.__name__, partial(_tell, story, world))


def _tell(story: Story, world: World) -> None:
    story(world.users, world.models())


def _close(world: World, slug: str, title: str, resolution: str) -> None:
    findings.close_finding(
        actor=world.users[SPECS[slug].validator],
        finding=Finding.objects.get(title=title),
        resolution=resolution,
    )


def _stories() -> tuple[tuple[str, Story], ...]:
    return (
        ("2026-05-18", _validate_the_lgd_refit),
        ("2026-06-29", _validate_collections_out_of_cycle),
        ("2026-08-24", _validate_mortgage_prepayment),
        ("2026-06-08", _plan_the_cash_forecast_breach),
        ("2026-07-06", _close_the_collections_breach),
        ("2026-10-01", _except_card_fraud),
        ("2026-10-05", _evidence_complete_checklists),
        ("2026-10-12", _validate_the_churn_refit),
        ("2026-10-19", _approve_the_churn_deployment),
        ("2026-10-20", _accept_the_rating_breach),
        ("2026-10-26", _approved_with_conditions_and_due_for_review),
        ("2026-11-02", _validate_the_assistant_upgrade),
        ("2026-11-04", _validators_raise_findings),
        ("2026-11-09", _awaiting_the_committee),
        ("2026-11-12", _submitted_rejected_withdrawn_and_draft),
        ("2026-11-12", _ask_for_an_exception),
        ("2026-11-17", _ask_for_a_waiver),
        ("2026-11-18", _ask_for_a_second_validator),
        ("2026-11-20", _monitoring_breach_lapses_the_assistant),
    )


def _raise(world: World, slug: str, severity: str, title: str, days: int) -> Finding:
    model = world.model(slug)
    return findings.raise_finding(
        actor=world.users[SPECS[slug].validator],
        model=model,
        title=title,
        severity=severity,
        owner=model.owner,
        due_on=timezone.localdate() + timedelta(days=days),
    )


def _version(models: Models, slug: str, label: str) -> ModelVersion:
    return models[slug].versions.get(version=label)


def _evidence_complete_checklists(users: Users, models: Models) -> None:
    for slug in COMPLETE_EVIDENCE:
        _evidence_the_rest(users, models[slug])


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


def _validated(users: Users, version: ModelVersion, summary: str) -> ApprovalRequest:
    """The owner completes the evidence; the validation is approved by everyone its tier
    requires, each in turn (the first eligible person in each role, in username order)."""
    _evidence_the_rest(users, version.model)
    request = _request(users, version, Gate.VALIDATION, summary=summary)
    pool = sorted(users.values(), key=lambda user: user.username)
    for requirement in request.required_sign_offs():
        for signer in eligibility.eligible_signers(request, requirement.role, pool)[
            : requirement.count
        ]:
            workflow.sign_off(
                actor=signer,
                request=request,
                role=requirement.role,
                decision="approve",
                comment="Reviewed the validation report and the evidence.",
            )
            request.refresh_from_db()
    return request


def _validate_the_lgd_refit(users: Users, models: Models) -> None:
    _validated(users, _version(models, "retail-lgd", "1.1"), "Annual refit on 2025 recoveries")


def _validate_collections_out_of_cycle(users: Users, models: Models) -> None:
    """1.2 went live through a closed gate; it is validated out of cycle."""
    _validated(users, _version(models, "collections-propensity", "1.2"), "Out-of-cycle validation")


def _validate_mortgage_prepayment(users: Users, models: Models) -> None:
    _validated(users, _version(models, "mortgage-prepayment", "1.0"), "First release")


def _validate_the_churn_refit(users: Users, models: Models) -> None:
    """Tier 3 churn model: validated, then approved for production, so its gate is open."""
    version = _version(models, "current-account-churn", "1.1")
    validation = _request(users, version, Gate.VALIDATION, summary="Annual refit on 2026 data")
    _sign(users, validation, (("vera", "validator"),))


def _approve_the_churn_deployment(users: Users, models: Models) -> None:
    version = _version(models, "current-account-churn", "1.1")
    deployment = _request(users, version, Gate.DEPLOYMENT, "production", "Keep 1.1 in production")
    _sign(users, deployment, (("vera", "validator"),))


def _approved_with_conditions_and_due_for_review(users: Users, models: Models) -> None:
    """Cash forecast 2.0: approved with a back-testing condition; its periodic review is due."""
    today = timezone.localdate()
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


def _validate_the_assistant_upgrade(users: Users, models: Models) -> None:
    """Support assistant 2.0 was validated; three weeks later monitoring breached."""
    version = _version(models, "support-assistant", "2.0")
    validation = _request(users, version, Gate.VALIDATION, summary="GPT-4.1 upgrade")
    _sign(users, validation, (("vera", "validator"),))


def _monitoring_breach_lapses_the_assistant(users: Users, models: Models) -> None:
    """The owner's own evaluation run shows hallucinations above the critical limit: monitoring
    raises the alert and, the threshold being material, requires revalidation, so the
    approval lapses."""
    ingestion.record_metrics(
        actor=users["hana"],
        version=_version(models, "support-assistant", "2.0"),
        points=[
            {"name": "hallucination_rate", "value": value, "timestamp": at(day)}
            for day, value in (("2026-11-16", 0.012), ("2026-11-18", 0.019), ("2026-11-20", 0.041))
        ],
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
    _request(
        users,
        _version(models, "cv-screening", "1.0"),
        Gate.VALIDATION,
        summary="Retrained on the 2026 hiring data",
    )
    memo = _request(
        users,
        _version(models, "credit-memo-summariser", "1.0"),
        Gate.VALIDATION,
        summary="Covenant extraction added to the summaries",
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


def _breach(slug: str) -> Finding:
    return Finding.objects.get(title=BREACH_TITLE, model__slug=slug)


def _plan_the_cash_forecast_breach(users: Users, models: Models) -> None:
    """The gate breaches are planned, accepted or excepted."""
    findings.start_remediation(
        actor=users["tom"],
        finding=_breach("cash-forecast"),
        plan="Retroactive validation and approval of 2.0 (requested).",
    )


def _close_the_collections_breach(users: Users, models: Models) -> None:
    findings.close_finding(
        actor=users["vera"],
        finding=_breach("collections-propensity"),
        resolution="1.2 validated out of cycle; committee noted the breach.",
    )


def _accept_the_rating_breach(users: Users, models: Models) -> None:
    """Second-person controls as they happen: one asks, a committee member decides."""
    accepted = findings.request_risk_acceptance(
        actor=users["tom"],
        finding=_breach("corporate-rating"),
        reason="Rating overlay reviewed by credit committee; revalidation booked for Q1.",
        until=timezone.localdate() + timedelta(days=90),
    )
    findings.decide_risk_acceptance(actor=users["carl"], acceptance=accepted, grant=True)


def _except_card_fraud(users: Users, models: Models) -> None:
    exception = findings.request_exception(
        actor=users["felix"],
        model=models["card-fraud"],
        rule_id="no-open-high-findings",
        reason="Fraud losses rise without 4.0; validation of 4.0 is under way.",
        expires_on=timezone.localdate() + timedelta(days=90),
    )
    findings.decide_exception(actor=users["carl"], exception=exception, grant=True)


def _ask_for_an_exception(users: Users, models: Models) -> None:
    """Waits in the committee's work lists."""
    findings.request_exception(
        actor=users["tom"],
        model=models["market-risk-var"],
        rule_id="obligations-evidenced",
        reason="Documentation migration to the new wiki; links follow by quarter end.",
        expires_on=timezone.localdate() + timedelta(days=40),
    )


def _ask_for_a_waiver(users: Users, models: Models) -> None:
    """Waiting on the committee: a waiver of one obligation still missing on retail PD."""
    missing = models["retail-pd"].controls.filter(applies=True, status=Control.Status.MISSING)
    if (control := missing.order_by("pk").first()) is not None:
        controls.request_waiver(
            actor=users["olivia"],
            control=control,
            reason="Evidence follows with the 2027 annual review pack.",
            expires_on=timezone.localdate() + timedelta(days=120),
        )


def _ask_for_a_second_validator(users: Users, models: Models) -> None:
    """Waiting on the validation lead: a second validator for the busiest model."""
    raci.request_validator(
        actor=users["felix"],
        model=models["card-fraud"],
        note="4.0 validation is large; a second validator would halve the time to decision.",
    )


def _validators_raise_findings(users: Users, models: Models) -> None:
    today = timezone.localdate()
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
