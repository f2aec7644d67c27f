"""Second-person controls as requests: asked for by one person, waiting in the deciders' work
lists and notices, in force only once someone entitled grants it, refusals saying why."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from governance import permissions
from governance.access.models import RequestState
from governance.access.services import raci
from governance.approvals.selectors import gate, queues
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from governance.findings import services as findings
from governance.findings.models import Finding
from governance.notices.models import Notice
from governance.risk.models import Control
from governance.risk.services import controls
from governance.rulebooks import services as rulebooks
from governance.rulebooks.models import Rulebook
from registry import services
from tests.factories.accounts import UserFactory
from tests.risk_answers import TIER_3, assess

SOON = timezone.localdate() + timedelta(days=30)


@pytest.fixture
def tier3(scoped_pd_model, owner):
    assess(owner, scoped_pd_model, "tiering", TIER_3)
    return scoped_pd_model


def ask_exception(owner, model):
    return findings.request_exception(
        actor=owner,
        model=model,
        rule_id="obligations-evidenced",
        reason="Wiki move",
        expires_on=SOON,
    )


def test_an_exception_asked_for_waits_for_a_decider_and_tells_them(
    tier3, owner, committee_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = ask_exception(owner, tier3)
    assert asked.state == RequestState.REQUESTED
    notice = Notice.objects.get(recipient=committee_member)
    assert "asks for" in notice.subject and notice.kind == "exception.requested"
    assert [m.to for m in mail.outbox] == [[committee_member.email]]
    work = queues.my_work(committee_member)
    assert [d.kind for d in work.to_decide] == ["Policy exception"]
    assert not queues.my_work(owner).to_decide  # never one's own request
    assert "obligations-evidenced" not in _waivers(tier3)


def _waivers(model):
    version = services.register_version(
        actor=model.owner, model=model, version=f"w{Notice.objects.count()}"
    )
    return gate._waivers(version, timezone.localdate())


def test_a_granted_exception_waives_its_rule_and_the_requester_hears_of_it(
    tier3, owner, committee_member
):
    asked = ask_exception(owner, tier3)
    findings.decide_exception(actor=committee_member, exception=asked, grant=True)
    asked.refresh_from_db()
    assert (asked.state, asked.decided_by) == (RequestState.GRANTED, committee_member)
    assert "obligations-evidenced" in _waivers(tier3)
    assert Notice.objects.filter(recipient=owner, kind="exception.granted").exists()
    events = AuditEvent.objects.filter(
        target_type="governance.policyexception", target_id=str(asked.pk)
    )
    assert list(events.order_by("seq").values_list("verb", flat=True)) == [
        "exception.requested",
        "exception.granted",
    ]


def test_a_refusal_says_why_and_waives_nothing(tier3, owner, committee_member):
    asked = ask_exception(owner, tier3)
    with pytest.raises(DomainError) as empty:
        findings.decide_exception(actor=committee_member, exception=asked, grant=False)
    assert empty.value.field == "reason"
    findings.decide_exception(
        actor=committee_member, exception=asked, grant=False, reason="Not before the audit"
    )
    asked.refresh_from_db()
    assert (asked.state, asked.decision_reason) == (RequestState.REFUSED, "Not before the audit")
    assert "obligations-evidenced" not in _waivers(tier3)


def test_a_decided_request_cannot_be_decided_again(tier3, owner, committee_member):
    asked = ask_exception(owner, tier3)
    second = UserFactory(username="celine", roles=["Committee members"])
    findings.decide_exception(actor=committee_member, exception=asked, grant=True)
    with pytest.raises(DomainError) as late:
        findings.decide_exception(actor=second, exception=asked, grant=False, reason="late")
    assert late.value.field == "state"


def test_someone_without_decision_rights_cannot_decide(tier3, owner, validator):
    asked = ask_exception(owner, tier3)
    with pytest.raises(PermissionDenied):
        findings.decide_exception(actor=validator, exception=asked, grant=True)


def test_a_waiver_counts_only_once_granted(tier3, owner, committee_member):
    control = Control.objects.filter(model=tier3, applies=True).first()
    asked = controls.request_waiver(actor=owner, control=control, reason="Later", expires_on=SOON)
    control.refresh_from_db()
    assert control.status != Control.Status.WAIVED
    controls.decide_waiver(actor=committee_member, waiver=asked, grant=True)
    control.refresh_from_db()
    assert (control.status, control.waiver_approved_by) == (Control.Status.WAIVED, committee_member)


def test_a_risk_acceptance_is_in_force_only_once_granted(tier3, owner, validator, committee_member):
    finding = findings.raise_finding(
        actor=validator, model=tier3, title="Back-test gap", severity="medium", owner=owner,
        due_on=SOON,
    )  # fmt: skip
    asked = findings.request_risk_acceptance(actor=owner, finding=finding, reason="Q1", until=SOON)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    findings.decide_risk_acceptance(actor=committee_member, acceptance=asked, grant=True)
    finding.refresh_from_db()
    assert (finding.status, finding.resolved_by) == (Finding.Status.ACCEPTED_RISK, committee_member)


def test_publishing_a_rulebook_is_asked_by_one_and_decided_by_another(
    shipped_rulebooks, admin_user, committee_member
):
    base = Rulebook.objects.in_force(Rulebook.Kind.TIERING)
    draft = rulebooks.draft_version(actor=admin_user, base=base, changes={"title": "Stricter"})
    asked = rulebooks.request_publication(actor=admin_user, draft=draft)
    draft.refresh_from_db()
    assert not draft.is_published
    assert [d.kind for d in queues.my_work(committee_member).to_decide] == ["Rulebook publication"]
    rulebooks.decide_publication(actor=committee_member, publication=asked, grant=True)
    draft.refresh_from_db()
    assert (draft.is_published, draft.published_by) == (True, committee_member)


def test_the_owner_asks_for_a_validator_and_the_head_of_validation_appoints_one(
    credit_pd_model, owner, head_of_validation
):
    asked = raci.request_validator(actor=owner, model=credit_pd_model, note="Q3 release")
    assert [d.kind for d in queues.my_work(head_of_validation).to_decide] == ["Validator"]
    rita = UserFactory(username="rita", roles=["Validators"])
    raci.decide_validator_request(actor=head_of_validation, asked=asked, grant=True, validator=rita)
    assert credit_pd_model.raci_assignments.filter(user=rita, area="validation").exists()


def test_only_whoever_appoints_validators_grants_a_request_for_one(
    credit_pd_model, owner, committee_member
):
    asked = raci.request_validator(actor=owner, model=credit_pd_model)
    with pytest.raises(PermissionDenied):
        raci.decide_validator_request(actor=committee_member, asked=asked, grant=True)


def test_a_use_case_change_proposed_by_another_owner_applies_once_its_owner_accepts(owner, lending):
    tom = UserFactory(username="tom", roles=["Model owners"])
    with pytest.raises(PermissionDenied):
        services.update_use_case(actor=tom, use_case=lending, name="Tom's")
    change = services.propose_use_case_change(actor=tom, use_case=lending, name="Tom's")
    lending.refresh_from_db()
    assert lending.name == "Retail loan decisions"
    services.decide_use_case_change(actor=owner, change=change, grant=True)
    lending.refresh_from_db()
    assert lending.name == "Tom's"


def test_roles_bound_what_a_raci_row_gives_at_the_moment_of_acting(credit_pd_model, owner, auditor):
    """An auditor on a group with development rights still cannot change the model."""
    team = Group.objects.create(name="Credit team")
    raci.assign_raci(actor=owner, model=credit_pd_model, group=team, role="R", area="development")
    auditor.groups.add(team)
    fresh = type(auditor).objects.get(pk=auditor.pk)
    assert permissions.can(fresh, "view", credit_pd_model)
    assert not permissions.can(fresh, "change", credit_pd_model)
