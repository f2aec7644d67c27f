"""Gate policy rules evaluated as data: each rule passes or fails with why; waivers; checks."""

import copy
from datetime import date

import pytest
import yaml
from django.conf import settings

from governance.approvals.rules import policy
from governance.approvals.rules.policy import Facts, Finding, Waiver
from governance.risk.rules.tiering import TIERS

POLICY = yaml.safe_load(
    (settings.BASE_DIR / "governance/rulebooks/data/gate_policy/default-2026.yaml").read_text()
)
TODAY = date(2026, 11, 23)

HEALTHY = Facts(
    gate="deployment",
    environment="production",
    today=TODAY,
    tier="tier_1",
    eu_category="high_risk_annex_iii",
    approval="AR-7",
    validated_on=date(2026, 6, 1),
    cadence_months=12,
    fairness_passed_on=date(2026, 10, 1),
)


def results(facts: Facts) -> dict[str, policy.RuleResult]:
    return {r.id: r for r in policy.evaluate(POLICY, facts).results}


def test_a_healthy_tier_1_model_passes_every_production_rule() -> None:
    answer = policy.evaluate(POLICY, HEALTHY)
    assert answer.open
    assert [r.id for r in answer.results] == [
        "approval",
        "not-prohibited",
        "tier-in-force",
        "no-revalidation-required",
        "validation-current",
        "no-open-high-findings",
        "fairness-90-days",
        "obligations-evidenced",
    ]


@pytest.mark.parametrize(
    ("change", "rule", "reason"),
    [
        (
            {"approval": None},
            "approval",
            "no approval of this version for deployment to production",
        ),
        (
            {"approval": None, "approval_lapses": ("the approval expired on 2026-11-01",)},
            "approval",
            "the approval no longer holds: the approval expired on 2026-11-01",
        ),
        ({"prohibited": True}, "not-prohibited", "prohibited AI practice"),
        ({"tier": None}, "tier-in-force", "no risk tier in force"),
        (
            {"revalidation_required": ("PSI 0.31 on income",)},
            "no-revalidation-required",
            "PSI 0.31",
        ),
        ({"validated_on": date(2025, 10, 1)}, "validation-current", "fell due on 2026-10-01"),
        ({"validated_on": None}, "validation-current", "no validation approval in force"),
        (
            {"open_findings": (Finding("F-3", "high", "Unstable calibration"),)},
            "no-open-high-findings",
            "F-3 Unstable calibration",
        ),
        ({"fairness_passed_on": date(2026, 8, 1)}, "fairness-90-days", "114 days ago (limit 90)"),
        ({"fairness_passed_on": None}, "fairness-90-days", "no passed fairness check"),
        (
            {"missing_obligations": ("EU AI Act Art. 9",)},
            "obligations-evidenced",
            "EU AI Act Art. 9",
        ),
    ],
)
def test_each_rule_fails_with_its_reason(change: dict, rule: str, reason: str) -> None:
    facts = Facts(**{**HEALTHY.__dict__, **change})
    answer = policy.evaluate(POLICY, facts)
    assert not answer.open
    assert [r.id for r in answer.unmet] == [rule]
    assert reason in results(facts)[rule].reason


def test_medium_findings_do_not_close_the_gate() -> None:
    facts = Facts(**{**HEALTHY.__dict__, "open_findings": (Finding("F-4", "medium", "Docs"),)})
    assert policy.evaluate(POLICY, facts).open


def test_fairness_rule_applies_only_to_high_risk_or_tier_1() -> None:
    low = Facts(**{**HEALTHY.__dict__, "tier": "tier_3", "eu_category": "minimal"})
    assert "fairness-90-days" not in results(low)
    eu_high = Facts(**{**low.__dict__, "eu_category": "high_risk_annex_i"})
    assert "fairness-90-days" in results(eu_high)


def test_the_latest_fairness_check_failing_closes_the_gate_whatever_passed_before() -> None:
    failed = Facts(
        **{**HEALTHY.__dict__, "fairness_passed_on": None, "fairness_failed_on": date(2026, 11, 2)}
    )
    rule = results(failed)["fairness-90-days"]
    assert not rule.passed
    assert rule.reason == "the latest fairness check, on 2026-11-02, failed"


def test_staging_and_validation_check_fewer_rules() -> None:
    staging = Facts(gate="deployment", environment="staging", today=TODAY)
    # A fix may go to staging while revalidation is pending; a prohibited practice may not.
    assert [r.id for r in policy.evaluate(POLICY, staging).results] == ["not-prohibited"]
    assert policy.requires_approval(POLICY, "deployment", "production")
    assert not policy.requires_approval(POLICY, "deployment", "staging")


def test_a_running_exception_waives_a_waivable_rule_and_says_so() -> None:
    findings = (Finding("F-3", "high", "Unstable calibration"),)
    waiver = Waiver("PE-2", date(2026, 12, 31), "Carl Committee")
    facts = Facts(
        **{
            **HEALTHY.__dict__,
            "open_findings": findings,
            "exceptions": {"no-open-high-findings": waiver},
        }
    )
    answer = policy.evaluate(POLICY, facts)
    assert answer.open
    waived = results(facts)["no-open-high-findings"]
    assert waived.passed and waived.waived_by == "PE-2"
    assert "waived until 2026-12-31 by Carl Committee (PE-2)" in waived.reason


def test_an_exception_cannot_stand_in_for_a_rule_that_is_not_waivable() -> None:
    waiver = Waiver("PE-2", date(2026, 12, 31), "Carl")
    facts = Facts(**{**HEALTHY.__dict__, "approval": None, "exceptions": {"approval": waiver}})
    assert not policy.evaluate(POLICY, facts).open


def test_the_shipped_policy_has_no_problems() -> None:
    assert policy.check_policy(POLICY, TIERS) == []


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            lambda p: p["gates"]["deployment"]["signoffs"].pop("tier_2"),
            "gates.deployment.signoffs.tier_2",
        ),
        (
            lambda p: p["gates"]["validation"]["signoffs"]["tier_1"].update(auditor=1),
            "tier_1.auditor: unknown role",
        ),
        (
            lambda p: p["gates"]["validation"]["signoffs"]["tier_1"].update(validator=0),
            "count of 1 or more",
        ),
        (lambda p: p["rules"][0].update(check="vibes"), "rules[0].check: unknown check 'vibes'"),
        (lambda p: p["rules"][1].update(id="approval"), "rules[1].id: 'approval' is used twice"),
        # Two rules without an id: each is missing one, neither is a duplicate (nor a KeyError).
        (lambda p: [rule.pop("id") for rule in p["rules"][:2]], "rules[1].id: required"),
        (lambda p: p["rules"][1].update(waivable=True), "not_prohibited check cannot be waived"),
        (
            lambda p: p["rules"][0].update(environments=["moon"]),
            "rules[0].environments: unknown moon",
        ),
        (lambda p: p["rules"].pop(0), "at least one rule must require an approval"),
        (lambda p: p["rules"][6]["params"].update(max_age_days="soon"), "max_age_days"),
    ],
)
def test_check_policy_names_the_field(edit, problem: str) -> None:
    edited = copy.deepcopy(POLICY)
    edit(edited)
    assert any(problem in p for p in policy.check_policy(edited, TIERS)), policy.check_policy(
        edited, TIERS
    )
