"""Findings, policy exceptions and revalidation flags over the API, and what they do to the gate."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance.auditlog.models import AuditEvent
from governance.findings.models import Finding, PolicyException, RevalidationFlag
from governance.risk.models import Control
from tests.api_errors import error_fields
from tests.governance.approvals.conftest import approve, in_days, submitted

pytestmark = pytest.mark.django_db
FINDINGS = "/api/v1/findings/"
EXCEPTIONS = "/api/v1/exceptions/"
RISK_ACCEPTANCES = "/api/v1/risk-acceptances/"
FLAGS = "/api/v1/revalidation-flags/"
GATE = ("/api/v1/gate/", {"model": "retail-pd", "version": "1.0", "environment": "production"})


@pytest.fixture
def approved_for_production(tier3_ready, pd_v1, owner, validator):
    """A Tier 3 version validated and approved for production: its gate is open."""
    approve(submitted(owner, pd_v1, "validation"), (validator, "validator"))
    approve(submitted(owner, pd_v1, "deployment", "production"), (validator, "validator"))
    return pd_v1


def finding_payload(**extra) -> dict:
    return {
        "model": "retail-pd",
        "title": "Override rate unexplained",
        "severity": "high",
        "owner": "olivia",
        "due_on": str(in_days(30)),
        **extra,
    }


def unmet(client) -> dict[str, dict]:
    return {r["id"]: r for r in client.get(*GATE).json()["unmet"]}


# ---- Findings -----------------------------------------------------------------------------------


def test_a_finding_is_raised_remediated_and_closed(
    api_client, tier3_ready, pd_v1, owner, validator
):
    obligation = Control.objects.filter(model=tier3_ready, applies=True).first().obligation_id
    vera, olivia = api_client(validator), api_client(owner)
    raised = vera.post(
        FINDINGS, finding_payload(version="1.0", obligations=[obligation]), format="json"
    )
    assert raised.status_code == 201, raised.json()
    finding = raised.json()
    assert (finding["reference"], finding["status"], finding["owner"]) == (
        f"F-{finding['id']}",
        "open",
        "olivia",
    )
    assert (finding["version"], finding["obligations"]) == ("1.0", [obligation])
    url = f"{FINDINGS}{finding['id']}"
    planned = olivia.post(f"{url}/remediation/", {"plan": "Explain overrides in the policy"})
    assert (planned.status_code, planned.json()["status"]) == (200, "remediation")
    assert olivia.post(f"{url}/close/", {"resolution": "done"}).status_code == 403
    closed = vera.post(f"{url}/close/", {"resolution": "Policy updated and re-tested"})
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    assert closed.json()["resolved_by"] == "vera"
    assert error_fields(vera.post(f"{url}/close/", {"resolution": "again"})) == ["status"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (finding_payload(owner="nobody"), "owner"),
        (finding_payload(owner="oscar"), "owner"),  # cannot see the model
        (finding_payload(due_on="2020-01-01"), "due_on"),
        (finding_payload(severity="critical"), "severity"),
        (finding_payload(version="9.9"), "version"),
        (finding_payload(obligations=["no-such-obligation"]), "obligations"),
        (finding_payload(model="no-such-model"), "model"),
        (finding_payload(source="gate"), "source"),
    ],
)
def test_a_bad_finding_is_400_naming_the_field(
    api_client, tier3_ready, pd_v1, validator, payload, field
):
    before = Finding.objects.count(), AuditEvent.objects.count()
    response = api_client(validator).post(FINDINGS, payload, format="json")
    assert response.status_code == 400
    assert error_fields(response) == [field]
    assert (Finding.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("persona", ["developer", "auditor", "owner"])
def test_only_validators_and_deciders_raise_findings(request, api_client, tier3_ready, persona):
    client = api_client(request.getfixturevalue(persona))
    assert client.post(FINDINGS, finding_payload(), format="json").status_code == 403
    assert not Finding.objects.exists()


def test_refusals_name_the_field_the_caller_sent(
    api_client, tier3_ready, owner, validator, committee_member
):
    finding = api_client(validator).post(FINDINGS, finding_payload(), format="json").json()
    url = f"{FINDINGS}{finding['id']}"
    assert error_fields(api_client(owner).post(f"{url}/remediation/", {"plan": " "})) == ["plan"]
    carl = api_client(committee_member)
    assert error_fields(
        carl.post(f"{url}/accept-risk/", {"reason": "", "until": "2099-01-01"})
    ) == ["reason"]
    past = carl.post(f"{url}/accept-risk/", {"reason": "Low volume", "until": "2020-01-01"})
    assert error_fields(past) == ["until"]


def test_a_risk_acceptance_is_asked_for_and_counts_once_a_decider_grants_it(
    api_client, tier3_ready, validator, committee_member
):
    finding = api_client(validator).post(FINDINGS, finding_payload(), format="json").json()
    until = str(in_days(90))
    vera = api_client(validator)
    asked = vera.post(
        f"{FINDINGS}{finding['id']}/accept-risk/", {"reason": "Low volume", "until": until}
    )
    assert asked.status_code == 201, asked.json()
    assert (asked.json()["state"], asked.json()["requested_by"]) == ("requested", "vera")
    assert vera.get(f"{FINDINGS}{finding['id']}/").json()["status"] == "open"

    decide = f"{RISK_ACCEPTANCES}{asked.json()['id']}/decide/"
    assert vera.post(decide, {"decision": "grant"}).status_code == 403  # no decision rights
    granted = api_client(committee_member).post(decide, {"decision": "grant"})
    assert (granted.status_code, granted.json()["decided_by"]) == (200, "carl")
    accepted = vera.get(f"{FINDINGS}{finding['id']}/").json()
    assert (accepted["status"], accepted["accepted_until"], accepted["resolution"]) == (
        "accepted_risk",
        until,
        "Low volume",
    )
    again = api_client(committee_member).post(decide, {"decision": "refuse", "reason": "No"})
    assert again.status_code == 409


def test_findings_filter_by_status_severity_model_and_overdue(
    api_client, tier3_ready, validator, auditor, outsider
):
    vera = api_client(validator)
    vera.post(FINDINGS, finding_payload(title="Soon", due_on=str(in_days(5))), format="json")
    vera.post(FINDINGS, finding_payload(title="Later", severity="low"), format="json")
    later = timezone.now() + timedelta(days=10)
    with time_machine.travel(later, tick=False):
        client = api_client(auditor)
        titles = lambda q: [f["title"] for f in client.get(FINDINGS, q).json()["results"]]  # noqa: E731
        assert titles({}) == ["Soon", "Later"]
        assert titles({"overdue": "true"}) == ["Soon"]
        assert titles({"overdue": "false"}) == ["Later"]
        assert titles({"severity": "low", "status": "open", "model": "retail-pd"}) == ["Later"]
        assert titles({"status": "closed"}) == []
        assert client.get(FINDINGS, {"overdue": "true"}).json()["results"][0]["overdue"] is True
    finding = Finding.objects.first()
    assert api_client(outsider).get(FINDINGS).json()["results"] == []
    assert api_client(outsider).get(f"{FINDINGS}{finding.pk}/").status_code == 404


# ---- Policy exceptions and the gate -------------------------------------------------------------


def test_an_exception_makes_a_failing_waivable_rule_pass_once_granted_until_revoked(
    api_client, approved_for_production, owner, validator, committee_member
):
    olivia = api_client(owner)
    api_client(validator).post(FINDINGS, finding_payload(), format="json")
    assert set(unmet(olivia)) == {"no-open-high-findings"}

    asked = olivia.post(
        EXCEPTIONS,
        {
            "model": "retail-pd",
            "rule_id": "no-open-high-findings",
            "reason": "Remediation under way; low volume until then",
            "expires_on": str(in_days(30)),
        },
        format="json",
    )
    assert asked.status_code == 201, asked.json()
    exception = asked.json()
    assert (exception["state"], exception["active"], exception["rule_title"]) == (
        "requested",
        False,
        "No open high-severity finding",
    )
    assert set(unmet(olivia)) == {"no-open-high-findings"}  # asking waives nothing

    decide = f"{EXCEPTIONS}{exception['id']}/decide/"
    assert olivia.post(decide, {"decision": "grant"}).status_code == 403
    granted = api_client(committee_member).post(decide, {"decision": "grant"})
    assert (granted.status_code, granted.json()["active"], granted.json()["decided_by"]) == (
        200,
        True,
        "carl",
    )
    answer = olivia.get(*GATE).json()
    assert answer["open"] is True
    waived = next(r for r in answer["requirements"] if r["id"] == "no-open-high-findings")
    assert (waived["passed"], waived["waived_by"]) == (True, exception["reference"])

    revoke = f"{EXCEPTIONS}{exception['id']}/revoke/"
    assert olivia.post(revoke).status_code == 403
    revoked = api_client(committee_member).post(revoke)
    assert (revoked.status_code, revoked.json()["active"]) == (200, False)
    assert set(unmet(olivia)) == {"no-open-high-findings"}
    assert api_client(owner).get(EXCEPTIONS, {"active": "true"}).json()["results"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rule_id": "approval"}, "rule_id"),  # not waivable
        ({"approved_by": "carl"}, "approved_by"),  # the requester does not name who grants it
        ({"expires_on": "2020-01-01"}, "expires_on"),
        ({"reason": ""}, "reason"),
    ],
)
def test_a_bad_exception_is_400_naming_the_field(
    api_client, tier3_ready, owner, committee_member, change, field
):
    payload = {
        "model": "retail-pd",
        "rule_id": "obligations-evidenced",
        "reason": "Vendor documentation pending",
        "expires_on": str(in_days(30)),
        **change,
    }
    response = api_client(owner).post(EXCEPTIONS, payload, format="json")
    assert response.status_code == 400
    assert error_fields(response) == [field]
    assert not PolicyException.objects.exists()


# ---- Revalidation flags -------------------------------------------------------------------------


def test_a_revalidation_flag_closes_the_gate_and_a_validator_clears_it(
    api_client, approved_for_production, owner, validator, auditor
):
    vera = api_client(validator)
    assert api_client(auditor).post(FLAGS, {"model": "retail-pd", "reason": "x"}).status_code == 403
    raised = vera.post(FLAGS, {"model": "retail-pd", "reason": "PSI above 0.25 on income"})
    assert raised.status_code == 201, raised.json()
    assert (raised.json()["active"], raised.json()["raised_by"]) == (True, "vera")
    # The flag also lapses the approvals given before it: revalidation means a fresh approval.
    closed = unmet(vera)
    assert set(closed) == {"no-revalidation-required", "approval", "validation-current"}
    assert "PSI above 0.25 on income" in closed["no-revalidation-required"]["reason"]

    clear = f"{FLAGS}{raised.json()['id']}/clear/"
    assert api_client(owner).post(clear, {"note": "fine"}).status_code == 403
    assert error_fields(vera.post(clear, {"note": ""})) == ["note"]
    cleared = vera.post(clear, {"note": "Recalibrated; back-test passes"})
    assert (cleared.status_code, cleared.json()["active"]) == (200, False)
    assert set(unmet(vera)) == {"approval", "validation-current"}
    assert vera.get(FLAGS, {"active": "true"}).json()["results"] == []
    assert error_fields(vera.post(clear, {"note": "again"})) == ["cleared_at"]
    assert RevalidationFlag.objects.get().clearance_note == "Recalibrated; back-test passes"


def test_a_model_the_caller_cannot_see_is_unknown_to_their_finding(
    api_client, tier3_ready, hidden_model, outsider, validator
):
    response = api_client(outsider).post(FINDINGS, finding_payload(), format="json")
    assert (response.status_code, error_fields(response)) == (400, ["model"])
    # A validator sees every model but validates only those named on: a 403, not a 400.
    hidden = api_client(validator).post(FINDINGS, finding_payload(model="bureau"), format="json")
    assert hidden.status_code == 403
