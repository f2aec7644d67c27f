"""People and models for approval workflow tests: a second validator, a committee quorum,
compliance and legal, and models whose evidence is complete enough to submit."""

from collections.abc import Iterable
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from governance import roles
from governance.access.models import RaciAssignment
from governance.access.services import raci
from governance.approvals.models import ApprovalRequest
from governance.approvals.services import workflow
from governance.approvals.services.workflow import NewCondition
from governance.findings import services as findings
from governance.findings.models import PolicyException
from governance.risk.models import Control, Waiver
from governance.risk.services import controls
from registry import services
from registry.models import MLModel, ModelVersion
from tests.factories.accounts import UserFactory
from tests.risk_answers import TIER_3, assess


def evidence_everything(
    actor: AbstractBaseUser, model: MLModel, only: Iterable[Control] | None = None
) -> None:
    """Attach a link to every obligation of the model (or `only` these) so submission is not
    blocked."""
    found = Control.objects.filter(model=model, applies=True) if only is None else only
    for control in found:
        controls.attach_evidence(
            actor=actor,
            control=control,
            title=f"Evidence for {control.reference}",
            url=f"https://docs.bank.example/{control.pk}",
        )


def granted_exception(asker, decider, model: MLModel, rule_id: str, **asked) -> PolicyException:
    """A policy exception one person asks for and a second person grants."""
    exception = findings.request_exception(actor=asker, model=model, rule_id=rule_id, **asked)
    return findings.decide_exception(actor=decider, exception=exception, grant=True)


def granted_waiver(asker, decider, control: Control, **asked) -> Waiver:
    """An obligation waiver one person asks for and a second person grants."""
    waiver = controls.request_waiver(actor=asker, control=control, **asked)
    return controls.decide_waiver(actor=decider, waiver=waiver, grant=True)


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def second_validator(credit_pd_model, head_of_validation) -> AbstractBaseUser:
    """Victor, a second validator Responsible for validating the retail PD model."""
    user = UserFactory(username="victor", first_name="Victor", roles=[roles.VALIDATOR])
    raci.assign_raci(
        actor=head_of_validation,
        model=credit_pd_model,
        user=user,
        role="R",
        area=RaciAssignment.Area.VALIDATION,
    )
    return user


@pytest.fixture
def second_committee_member(db) -> AbstractBaseUser:
    """Celine, a second committee member: with Carl she makes a quorum of two."""
    return UserFactory(username="celine", first_name="Celine", roles=[roles.COMMITTEE])


@pytest.fixture
def compliance_officer(db) -> AbstractBaseUser:
    """Cora, compliance: signs off Tier 1 deployments in the compliance role."""
    return UserFactory(username="cora", first_name="Cora", roles=[roles.COMPLIANCE])


@pytest.fixture
def legal_counsel(db) -> AbstractBaseUser:
    """Leon, legal: signs off Tier 1 deployments in the legal role."""
    return UserFactory(username="leon", first_name="Leon", roles=[roles.LEGAL])


@pytest.fixture
def pd_v1(credit_pd_model, developer) -> ModelVersion:
    """Version 1.0 of the retail PD model, registered by Dev (so Dev built it)."""
    return services.register_version(actor=developer, model=credit_pd_model, version="1.0")


@pytest.fixture
def tier1_ready(tiered_pd_model, owner) -> MLModel:
    """The retail PD model at Tier 1 with evidence on every obligation: ready to submit."""
    evidence_everything(owner, tiered_pd_model)
    return tiered_pd_model


@pytest.fixture
def tier3_ready(scoped_pd_model, owner) -> MLModel:
    """The retail PD model at Tier 3 (one validator signs everything but retirement)."""
    assess(owner, scoped_pd_model, "tiering", TIER_3)
    evidence_everything(owner, scoped_pd_model)
    return scoped_pd_model


@pytest.fixture
def validated(tier3_ready, pd_v1, owner, validator):
    """Version 1.0 of a Tier 3 model with a validation approval (one validator suffices)."""
    approve(submitted(owner, pd_v1, "validation"), (validator, "validator"))
    return pd_v1


@pytest.fixture
def approved_for_production(validated, owner, validator):
    """... and an approval to deploy it to production."""
    return approve(
        submitted(owner, validated, "deployment", "production"), (validator, "validator")
    )


def submitted(
    owner: AbstractBaseUser, version: ModelVersion, gate: str, environment: str = ""
) -> ApprovalRequest:
    request = workflow.open_request(
        actor=owner, version=version, gate=gate, environment=environment, summary="Please review"
    )
    return workflow.submit(actor=owner, request=request)


def approve(request: ApprovalRequest, *signers: tuple[AbstractBaseUser, str]) -> ApprovalRequest:
    """Every (person, role) approves in turn; returns the request as it ends up."""
    for person, role in signers:
        workflow.sign_off(actor=person, request=request, role=role, decision="approve")
    request.refresh_from_db()
    return request


def with_conditions(days: int = 30) -> dict:
    """Keyword arguments for an approval with one condition due in `days`, expiring in a year."""
    return {
        "decision": "approve_with_conditions",
        "conditions": [NewCondition("Monthly back-test report to the committee", in_days(days))],
        "expires_on": in_days(365),
    }
