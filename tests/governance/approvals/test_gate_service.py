"""The deployment gate over real data: approvals, findings, exceptions, revalidation, decay,
and deployments recorded through a closed gate."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance.approvals.selectors import gate
from governance.approvals.services import workflow
from governance.auditlog.models import AuditEvent
from governance.findings import services as findings
from governance.findings.models import Finding
from governance.risk.models import Control
from governance.risk.services import assessments
from registry.services import deployments
from tests.governance.approvals.conftest import (
    approve,
    evidence_everything,
    granted_exception,
    granted_waiver,
    in_days,
    submitted,
    with_conditions,
)
from tests.risk_answers import TIER_3, assess

pytestmark = pytest.mark.django_db


def unmet(version, environment="production") -> dict[str, str]:
    answer, _ = gate.check(version, environment)
    return {r.id: r.reason for r in answer.unmet}


def test_without_a_deployment_approval_the_gate_is_closed(validated):
    assert unmet(validated) == {
        "approval": "no approval of this version for deployment to production"
    }


def test_with_approvals_the_gate_opens(approved_for_production, validated):
    answer, book = gate.check(validated, "production")
    assert answer.open
    body = gate.as_json(validated, "production", answer, book, timezone.now())
    assert body["open"] is True and body["unmet"] == []
    assert body["policy"]["name"] == "default"
    approval = next(r for r in body["requirements"] if r["id"] == "approval")
    assert approval["reason"] == f"approved: {approved_for_production.reference}"


def test_an_approval_for_staging_does_not_open_production(validated, owner, validator):
    approve(submitted(owner, validated, "deployment", "staging"), (validator, "validator"))
    assert "approval" in unmet(validated)


def test_an_open_high_finding_closes_it_until_an_exception_waives_it(
    approved_for_production, validated, validator, owner, committee_member
):
    finding = findings.raise_finding(
        actor=validator,
        model=validated.model,
        title="Override rate unexplained",
        severity="high",
        owner=owner,
        due_on=in_days(30),
    )
    assert finding.reference in unmet(validated)["no-open-high-findings"]
    granted_exception(
        owner,
        committee_member,
        validated.model,
        "no-open-high-findings",
        reason="Compensating manual review of overrides until the fix ships",
        expires_on=in_days(14),
    )
    answer, _ = gate.check(validated, "production")
    assert answer.open
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert "no-open-high-findings" in unmet(validated)  # the exception ran out


def test_revalidation_required_closes_it_and_the_approval_lapses(
    approved_for_production, validated, validator
):
    flag = findings.require_revalidation(
        actor=None, model=validated.model, reason="AUC fell to 0.61 (critical 0.70)"
    )
    reasons = unmet(validated)
    assert "AUC fell to 0.61" in reasons["no-revalidation-required"]
    assert "critical monitoring breach" in reasons["approval"]
    findings.clear_revalidation(actor=validator, flag=flag, note="Recalibrated and revalidated")
    # Clearing reopens nothing by itself: the validation and deployment approvals both lapsed
    # at the breach and need new decisions.
    assert set(unmet(validated)) == {"approval", "validation-current"}


def test_a_material_change_lapses_the_approval(approved_for_production, validated, owner):
    assessments.flag_material_change(model=validated.model, reason="intended purpose changed")
    assert "material change" in unmet(validated)["approval"]


def test_an_unmet_condition_lapses_the_approval_after_its_due_date(validated, owner, validator):
    request = submitted(owner, validated, "deployment", "production")
    workflow.sign_off(actor=validator, request=request, role="validator", **with_conditions(30))
    assert gate.check(validated, "production")[0].open
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert "condition 'Monthly back-test report" in unmet(validated)["approval"]
    workflow.meet_condition(
        actor=validator, condition=request.conditions.get(), note="First report received"
    )
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert gate.check(validated, "production")[0].open


def test_an_approval_that_relied_on_a_waiver_lapses_when_it_expires(
    scoped_pd_model, pd_v1, owner, validator, committee_member
):
    assess(owner, scoped_pd_model, "tiering", TIER_3)
    waived, *rest = Control.objects.filter(model=scoped_pd_model, applies=True)
    granted_waiver(
        owner,
        committee_member,
        waived,
        reason="Vendor documentation arrives next quarter",
        expires_on=in_days(20),
    )
    evidence_everything(owner, scoped_pd_model, only=rest)
    approve(submitted(owner, pd_v1, "validation"), (validator, "validator"))
    approve(submitted(owner, pd_v1, "deployment", "production"), (validator, "validator"))
    assert gate.check(pd_v1, "production")[0].open
    with time_machine.travel(timezone.now() + timedelta(days=21)):
        reasons = unmet(pd_v1)
    assert f"waiver of {waived.reference}" in reasons["approval"]
    assert "expired on" in reasons["approval"]


def test_a_deployment_through_a_closed_gate_is_a_recorded_breach(validated, owner):
    deployment = deployments.record_deployment(
        actor=owner, version=validated, environment="production"
    )
    deployment.refresh_from_db()
    assert deployment.gate_open is False
    assert deployment.gate_answer["unmet"][0]["id"] == "approval"
    breach = Finding.objects.get(source="gate")
    assert breach.severity == "high" and breach.owner == owner
    assert "approval" in breach.description.lower()
    assert AuditEvent.objects.filter(verb="deployment.policy_breach").count() == 1


def test_a_deployment_through_an_open_gate_is_recorded_as_such(
    approved_for_production, validated, owner
):
    deployment = deployments.record_deployment(
        actor=owner, version=validated, environment="production"
    )
    deployment.refresh_from_db()
    assert deployment.gate_open is True
    assert not Finding.objects.exists()
