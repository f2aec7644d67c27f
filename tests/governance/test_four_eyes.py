"""No control can be completed by one person: every four-eyes control against every way one
person could try to complete it alone, each refused with nothing put in force.

The ways: directly (asking and deciding), through a group, through an ownership hand-over,
through a RACI self-appointment, through a second account the person controls (a service
account, or a person's account an administrator made for himself), and after the fact (joining a
group after its assignment).
"""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from governance.access.models import RequestState
from governance.access.services import accounts, raci, tokens
from governance.approvals.services import workflow
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from governance.findings import services as findings
from governance.findings.models import PolicyException
from governance.risk.models import Control, RiskAssessment
from governance.risk.services import assessments, controls
from governance.rulebooks import services as rulebooks
from governance.rulebooks.models import Rulebook
from registry import services
from tests.factories.accounts import UserFactory
from tests.governance.approvals.conftest import evidence_everything, submitted
from tests.risk_answers import TIER_3, assess

REFUSED = (DomainError, PermissionDenied)
SOON = timezone.localdate() + timedelta(days=30)


def group_of(name: str, *members) -> Group:
    group = Group.objects.create(name=name)
    for member in members:
        member.groups.add(group)
    return group


def joined(user, *role_names: str):
    for name in role_names:
        user.groups.add(Group.objects.get(name=name))
    return user


def service_account_of(admin, model):
    """A pipeline account the administrator created and holds a token of (so she stands behind
    it), made Responsible for developing `model`."""
    account = tokens.create_service_account(actor=admin, username="ci-bot")
    tokens.issue_token(actor=admin, user=account, name="ci")
    raci.assign_raci(actor=admin, model=model, user=account, role="R", area="development")
    return account


# ---- A. Validation: a builder never validates ------------------------------------------------


def validation_directly(ctx):
    builder = joined(ctx.developer, "Validators")
    return lambda: raci.assign_raci(
        actor=ctx.head, model=ctx.model, user=builder, role="R", area="validation"
    )


def validation_through_a_group(ctx):
    team = group_of("Credit model team", joined(ctx.developer, "Validators"))
    return lambda: raci.assign_raci(
        actor=ctx.head, model=ctx.model, group=team, role="R", area="validation"
    )


def validation_after_the_fact(ctx):
    team = group_of("Validation pool", UserFactory(username="gus", roles=["Validators"]))
    raci.assign_raci(actor=ctx.head, model=ctx.model, group=team, role="R", area="validation")
    joined(ctx.developer, "Validators").groups.add(team)  # the builder joins the pool later
    request = ctx.submitted_validation()
    return lambda: workflow.sign_off(
        actor=ctx.developer, request=request, role="validator", decision="approve"
    )


def validation_through_a_service_account(ctx):
    account = service_account_of(ctx.admin, ctx.model)
    version = services.register_version(actor=account, model=ctx.model, version="9.0")
    pool = group_of("Validation pool", UserFactory(username="gus", roles=["Validators"]))
    raci.assign_raci(actor=ctx.head, model=ctx.model, group=pool, role="R", area="validation")
    joined(ctx.admin, "Validators").groups.add(pool)  # she holds the pipeline's key
    request = ctx.submitted_validation(version)
    return lambda: workflow.sign_off(
        actor=ctx.admin, request=request, role="validator", decision="approve"
    )


def validation_through_a_hand_over(ctx):
    joined(ctx.validator, "Model owners")
    return lambda: services.update_model(actor=ctx.owner, model=ctx.model, owner=ctx.validator)


def validation_self_appointed(ctx):
    joined(ctx.owner, "Validators")
    return lambda: raci.assign_raci(
        actor=ctx.owner, model=ctx.model, user=ctx.owner, role="A", area="validation"
    )


# ---- B-D. Exceptions, waivers, risk acceptances: the requester never decides ---------------


def _exception(ctx, asker):
    return findings.request_exception(
        actor=asker, model=ctx.model, rule_id="obligations-evidenced", reason="r", expires_on=SOON
    )


def _decide_exception(ctx, asker, decider):
    asked = _exception(ctx, asker)
    return lambda: findings.decide_exception(actor=decider, exception=asked, grant=True)


def exception_directly(ctx):
    return _decide_exception(ctx, ctx.committee, ctx.committee)


def exception_through_a_group(ctx):
    team = group_of("Credit model team", ctx.committee)
    raci.assign_raci(actor=ctx.owner, model=ctx.model, group=team, role="R", area="development")
    return _decide_exception(ctx, ctx.owner, ctx.committee)


def exception_after_the_fact(ctx):
    team = group_of("Credit model team", UserFactory(username="gus", roles=["Developers"]))
    raci.assign_raci(actor=ctx.owner, model=ctx.model, group=team, role="R", area="development")
    ctx.committee.groups.add(team)
    return _decide_exception(ctx, ctx.owner, ctx.committee)


def exception_through_a_service_account(ctx):
    joined(ctx.admin, "Committee members")
    account = service_account_of(ctx.admin, ctx.model)
    asked = _exception(ctx, account)
    return lambda: findings.decide_exception(actor=ctx.admin, exception=asked, grant=True)


def exception_through_a_hand_over(ctx):
    joined(ctx.committee, "Model owners")
    asked = _exception(ctx, ctx.owner)
    services.update_model(actor=ctx.owner, model=ctx.model, owner=ctx.committee)
    return lambda: findings.decide_exception(actor=ctx.committee, exception=asked, grant=True)


def exception_self_appointed(ctx):
    joined(ctx.owner, "Committee members")
    return lambda: raci.assign_raci(
        actor=ctx.owner, model=ctx.model, user=ctx.owner, role="A", area="approval"
    )


def waiver_directly(ctx):
    control = Control.objects.filter(model=ctx.model, applies=True).first()
    asked = controls.request_waiver(actor=ctx.owner, control=control, reason="r", expires_on=SOON)
    joined(ctx.owner, "Committee members")
    return lambda: controls.decide_waiver(actor=ctx.owner, waiver=asked, grant=True)


def waiver_through_a_group(ctx):
    team = group_of("Credit model team", ctx.committee)
    raci.assign_raci(actor=ctx.owner, model=ctx.model, group=team, role="R", area="development")
    control = Control.objects.filter(model=ctx.model, applies=True).first()
    asked = controls.request_waiver(actor=ctx.owner, control=control, reason="r", expires_on=SOON)
    return lambda: controls.decide_waiver(actor=ctx.committee, waiver=asked, grant=True)


def risk_acceptance_directly(ctx):
    finding = findings.raise_finding(
        actor=ctx.validator, model=ctx.model, title="Weak back-test", severity="medium",
        owner=ctx.owner, due_on=SOON,
    )  # fmt: skip
    asked = findings.request_risk_acceptance(
        actor=ctx.committee, finding=finding, reason="r", until=SOON
    )
    return lambda: findings.decide_risk_acceptance(
        actor=ctx.committee, acceptance=asked, grant=True
    )


def risk_acceptance_through_a_hand_over(ctx):
    finding = findings.raise_finding(
        actor=ctx.validator, model=ctx.model, title="Weak back-test", severity="medium",
        owner=ctx.owner, due_on=SOON,
    )  # fmt: skip
    asked = findings.request_risk_acceptance(
        actor=ctx.owner, finding=finding, reason="r", until=SOON
    )
    joined(ctx.committee, "Model owners")
    services.update_model(actor=ctx.owner, model=ctx.model, owner=ctx.committee)
    return lambda: findings.decide_risk_acceptance(
        actor=ctx.committee, acceptance=asked, grant=True
    )


# ---- E-G. Overrides, rulebooks, use cases ------------------------------------------------------


def override_directly(ctx):
    assessment = RiskAssessment.objects.get(
        model=ctx.model, framework="tiering", status="completed"
    )
    assessments.propose_override(
        actor=ctx.validator, assessment=assessment, result="tier_1", reason="r"
    )
    return lambda: assessments.approve_override(actor=ctx.validator, assessment=assessment)


def override_through_a_group(ctx):
    assessment = RiskAssessment.objects.get(
        model=ctx.model, framework="tiering", status="completed"
    )
    assessments.propose_override(
        actor=ctx.validator, assessment=assessment, result="tier_1", reason="r"
    )
    team = group_of("Credit model team", ctx.committee)
    raci.assign_raci(actor=ctx.owner, model=ctx.model, group=team, role="R", area="development")
    return lambda: assessments.approve_override(actor=ctx.committee, assessment=assessment)


def rulebook_directly(ctx):
    base = Rulebook.objects.in_force(Rulebook.Kind.TIERING)
    draft = rulebooks.draft_version(actor=ctx.admin, base=base, changes={"title": "Stricter"})
    asked = rulebooks.request_publication(actor=ctx.admin, draft=draft)
    return lambda: rulebooks.decide_publication(actor=ctx.admin, publication=asked, grant=True)


def use_case_directly(ctx):
    use_case = services.register_use_case(
        actor=ctx.owner, slug="loans", name="Loans", business_purpose="p", business_unit="Retail",
    )  # fmt: skip
    other = UserFactory(username="tom", roles=["Model owners"])
    return lambda: services.update_use_case(actor=other, use_case=use_case, name="Mine now")


def use_case_proposal_decided_by_its_proposer(ctx):
    use_case = services.register_use_case(
        actor=ctx.owner, slug="loans", name="Loans", business_purpose="p", business_unit="Retail",
    )  # fmt: skip
    other = UserFactory(username="tom", roles=["Model owners"])
    change = services.propose_use_case_change(actor=other, use_case=use_case, name="Mine now")
    return lambda: services.decide_use_case_change(actor=other, change=change, grant=True)


def _role_for(ctx, person, role):
    asked = accounts.request_role(actor=ctx.admin, user=person, role=Group.objects.get(name=role))
    return lambda decider: accounts.decide_role(actor=decider, asked=asked, grant=True)


def role_grant_directly(ctx):
    alias = UserFactory(username="ada2")  # an account Ada made for herself
    return lambda: _role_for(ctx, alias, "Committee members")(ctx.admin)


def role_grant_by_its_holder(ctx):
    bea = UserFactory(username="bea", roles=["Administrators"])
    return lambda: _role_for(ctx, bea, "Committee members")(bea)


def role_grant_through_a_second_account(ctx):
    alias = UserFactory(username="ada2")
    return lambda: _role_for(ctx, alias, "Administrators")(alias)


CASES: list[tuple[str, str, Callable]] = [
    ("validation", "directly", validation_directly),
    ("validation", "through a group", validation_through_a_group),
    ("validation", "after the fact", validation_after_the_fact),
    ("validation", "through a service account", validation_through_a_service_account),
    ("validation", "through a hand-over", validation_through_a_hand_over),
    ("validation", "through a self-appointment", validation_self_appointed),
    ("policy exception", "directly", exception_directly),
    ("policy exception", "through a group", exception_through_a_group),
    ("policy exception", "after the fact", exception_after_the_fact),
    ("policy exception", "through a service account", exception_through_a_service_account),
    ("policy exception", "through a hand-over", exception_through_a_hand_over),
    ("policy exception", "through a self-appointment", exception_self_appointed),
    ("waiver", "directly", waiver_directly),
    ("waiver", "through a group", waiver_through_a_group),
    ("risk acceptance", "directly", risk_acceptance_directly),
    ("risk acceptance", "through a hand-over", risk_acceptance_through_a_hand_over),
    ("tier override", "directly", override_directly),
    ("tier override", "through a group", override_through_a_group),
    ("rulebook publication", "directly", rulebook_directly),
    ("use case change", "directly", use_case_directly),
    ("use case change", "through its own proposal", use_case_proposal_decided_by_its_proposer),
    ("role grant", "directly", role_grant_directly),
    ("role grant", "by the person who would hold it", role_grant_by_its_holder),
    ("role grant", "through a second account", role_grant_through_a_second_account),
]


class Context:
    """The cast: Olivia owns retail PD, Dev builds it, Vera validates it (appointed by Hal),
    Carl sits on the committee, Ada administers; the model is scoped and at Tier 3."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        get = request.getfixturevalue
        self.owner, self.developer = get("owner"), get("developer")
        self.validator, self.head = get("validator"), get("head_of_validation")
        self.committee, self.admin = get("committee_member"), get("admin_user")
        self.model = get("scoped_pd_model")
        assess(self.owner, self.model, "tiering", TIER_3)
        self.version = services.register_version(
            actor=self.developer, model=self.model, version="1.0"
        )

    def submitted_validation(self, version=None):
        evidence_everything(self.owner, self.model)
        return submitted(self.owner, version or self.version, "validation")


def in_force() -> tuple:
    """What one person could have put in force: counted before and after each attempt."""
    return (
        PolicyException.objects.filter(state=RequestState.GRANTED).count(),
        Control.objects.filter(status=Control.Status.WAIVED).count(),
        RiskAssessment.objects.filter(review=RiskAssessment.Review.OVERRIDDEN).count(),
        Rulebook.objects.filter(status=Rulebook.Status.PUBLISHED).count(),
        AuditEvent.objects.filter(
            verb__in=["signoff.recorded", "raci.assigned", "model.updated"]
        ).count(),
        User.groups.through.objects.count(),
    )


@pytest.mark.parametrize(
    ("control", "way", "attempt"), CASES, ids=[f"{c}-{w}" for c, w, _ in CASES]
)
def test_one_person_cannot_complete_a_control_alone(db, request, control, way, attempt):
    final_step = attempt(Context(request))
    before = in_force()
    with pytest.raises(REFUSED) as refused:
        final_step()
    assert str(refused.value)  # the refusal says why: the person and the rule
    assert in_force() == before
