"""The findings register, a finding's lifecycle through its page, the exceptions register and
revalidation flags, as each persona sees them."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from governance.findings import services as findings
from governance.findings.models import Finding, PolicyException, RevalidationFlag, RiskAcceptance
from tests.governance.approvals.conftest import granted_exception, granted_waiver, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(tier3_ready, pd_v1, validator, owner) -> Finding:
    return findings.raise_finding(
        actor=validator,
        model=tier3_ready,
        version=pd_v1,
        title="Calibration drifts in the youngest age band",
        severity="high",
        owner=owner,
        due_on=in_days(10),
    )


def test_the_register_lists_findings_with_counts_and_filters(client, finding, validator, owner):
    findings.raise_finding(
        actor=validator,
        model=finding.model,
        title="Model documentation out of date",
        severity="low",
        owner=owner,
        due_on=in_days(60),
    )
    client.force_login(validator)
    page = client.get(reverse("findings:finding-list")).content.decode()
    assert finding.reference in page and "Model documentation out of date" in page
    assert 'id="open-high">high 1' in page and 'id="open-low">low 1' in page
    high = client.get(reverse("findings:finding-list"), {"severity": "high"}).content.decode()
    assert finding.title in high and "Model documentation" not in high


def test_overdue_findings_are_highlighted_and_filtered(client, finding, validator):
    client.force_login(validator)
    with time_machine.travel(timezone.now() + timedelta(days=13)):
        client.force_login(validator)
        page = client.get(reverse("findings:finding-list"), {"overdue": "on"}).content.decode()
    assert finding.reference in page and "3 days overdue" in page
    assert (
        finding.reference
        not in client.get(reverse("findings:finding-list"), {"overdue": "on"}).content.decode()
    )


def test_an_outsider_sees_neither_the_finding_nor_its_page(client, finding, outsider):
    client.force_login(outsider)
    assert finding.reference not in client.get(reverse("findings:finding-list")).content.decode()
    assert client.get(finding.get_absolute_url()).status_code == 404


def test_a_validator_raises_a_finding_from_the_form(client, tier3_ready, pd_v1, validator, owner):
    client.force_login(validator)
    url = reverse("findings:finding-new", args=[tier3_ready.slug])
    assert client.get(url).status_code == 200
    answer = client.post(
        url,
        {
            "title": "Override rate unexplained",
            "severity": "medium",
            "owner": owner.pk,
            "due_on": in_days(20).isoformat(),
            "version": pd_v1.pk,
        },
    )
    raised = Finding.objects.get(title="Override rate unexplained")
    assert answer.status_code == 302 and answer["Location"] == raised.get_absolute_url()
    assert raised.raised_by == validator and raised.version == pd_v1


def test_a_past_due_date_is_refused_on_the_field(client, tier3_ready, validator, owner):
    client.force_login(validator)
    answer = client.post(
        reverse("findings:finding-new", args=[tier3_ready.slug]),
        {"title": "X", "severity": "low", "owner": owner.pk, "due_on": in_days(-1).isoformat()},
    )
    assert answer.status_code == 400
    assert "needs a future date" in answer.content.decode()
    assert not Finding.objects.exists()


def test_an_owner_may_not_raise_findings(client, tier3_ready, owner):
    client.force_login(owner)
    assert client.get(reverse("findings:finding-new", args=[tier3_ready.slug])).status_code == 403


def test_the_lifecycle_through_the_page(client, finding, owner, validator):
    client.force_login(owner)
    client.post(
        reverse("findings:finding-remediation", args=[finding.pk]),
        {"remediation_plan": "Recalibrate on 2026 Q3 data"},
    )
    finding.refresh_from_db()
    assert finding.status == "remediation"
    # Closing is a validator's call, not the owner's: refused, nothing changes.
    refused = client.post(
        reverse("findings:finding-close", args=[finding.pk]), {"resolution": "Done"}
    )
    assert refused.status_code == 403
    finding.refresh_from_db()
    assert finding.status == "remediation"
    client.force_login(validator)
    client.post(
        reverse("findings:finding-close", args=[finding.pk]),
        {"resolution": "Back-test after recalibration within tolerance"},
    )
    finding.refresh_from_db()
    assert finding.status == "closed" and finding.resolved_by == validator


def test_a_risk_acceptance_asked_on_the_page_counts_once_a_decider_grants_it(
    client, finding, validator, committee_member, outsider
):
    url = reverse("findings:finding-accept-risk", args=[finding.pk])
    data = {"resolution": "Small segment, manual review", "accepted_until": in_days(90).isoformat()}
    client.force_login(outsider)
    assert client.post(url, data).status_code == 404  # he does not see the model
    client.force_login(validator)
    assert client.post(url, data).status_code == 302
    acceptance = RiskAcceptance.objects.get()
    finding.refresh_from_db()
    assert (acceptance.state, finding.status) == ("requested", "open")

    decide = reverse("findings:acceptance-decide", args=[acceptance.pk])
    assert client.post(decide, {"decision": "grant"}).status_code == 403  # no decision rights
    client.force_login(committee_member)
    page = client.get(finding.get_absolute_url()).content.decode()
    assert acceptance.reference in page and 'value="grant"' in page
    client.post(decide, {"decision": "grant"})
    finding.refresh_from_db()
    assert finding.status == "accepted_risk" and finding.accepted_until == in_days(90)


def test_an_exception_asked_on_the_page_names_no_approver_and_waits_for_a_decider(
    client, finding, owner, committee_member
):
    client.force_login(owner)
    url = reverse("findings:exception-new", args=[finding.model.slug])
    page = client.get(url).content.decode()
    assert "No open high-severity finding" in page and "approved_by" not in page
    answer = client.post(
        url,
        {
            "rule_id": "no-open-high-findings",
            "reason": "Manual review",
            "expires_on": in_days(30).isoformat(),
        },
    )
    assert answer.status_code == 302
    exception = PolicyException.objects.get()
    assert (exception.state, exception.requested_by, exception.decided_by) == (
        "requested",
        owner,
        None,
    )
    decide = reverse("findings:exception-decide", args=[exception.pk])
    assert client.post(decide, {"decision": "grant"}).status_code == 403  # the owner
    client.force_login(committee_member)
    client.post(decide, {"decision": "grant"})
    exception.refresh_from_db()
    assert (exception.state, exception.decided_by) == ("granted", committee_member)


def test_the_exceptions_register_shows_running_expired_and_waivers(
    client, finding, owner, committee_member, auditor
):
    granted_exception(
        owner,
        committee_member,
        finding.model,
        "no-open-high-findings",
        reason="Compensating manual review",
        expires_on=in_days(20),
    )
    control = finding.model.controls.filter(applies=True).first()
    granted_waiver(
        owner,
        committee_member,
        control,
        reason="Vendor report next quarter",
        expires_on=in_days(40),
    )
    client.force_login(auditor)
    page = client.get(reverse("findings:exception-list")).content.decode()
    assert "Compensating manual review" in page and "Vendor report next quarter" in page
    assert "Expiring (20 days left)" in page and "Running (40 days left)" in page
    with time_machine.travel(timezone.now() + timedelta(days=41)):
        client.force_login(auditor)  # the earlier session has expired by then
        expired = client.get(reverse("findings:exception-list"), {"state": "expired"})
    assert expired.content.decode().count("Expired") >= 2


def test_revalidation_is_required_and_cleared_by_a_validator(client, tier3_ready, validator):
    client.force_login(validator)
    client.post(
        reverse("findings:revalidation-new", args=[tier3_ready.slug]),
        {"reason": "PSI 0.31 on income"},
    )
    flag = RevalidationFlag.objects.get()
    page = client.get(reverse("findings:finding-list"), {"model": tier3_ready.slug})
    assert "PSI 0.31 on income" in page.content.decode()
    client.post(
        reverse("findings:revalidation-clear", args=[flag.pk]),
        {"clearance_note": "Retrained and revalidated"},
    )
    flag.refresh_from_db()
    assert flag.cleared_by == validator


def test_the_register_costs_a_bounded_number_of_queries(
    client, finding, validator, owner, django_assert_max_num_queries
):
    for n in range(30):
        findings.raise_finding(
            actor=validator,
            model=finding.model,
            title=f"Finding {n}",
            severity="medium",
            owner=owner,
            due_on=in_days(5 + n),
        )
    client.force_login(validator)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("findings:finding-list")).status_code == 200
