"""Gate policies as data: the rules a gate checks before it opens, each answered pass or fail.

A rule names a check from CHECKS, its parameters, and where it applies (gates, environments, and
optionally only for some EU AI Act categories or tiers). A failed rule that the policy marks
waivable passes while a policy exception for it runs.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from governance.approvals.rules import signoffs
from governance.approvals.rules.validity import add_months
from governance.labels import label_for
from governance.risk.rules.obligations import BEFORE_DEPLOYMENT, BEFORE_VALIDATION

GATES = ("validation", "deployment", "periodic_review", "material_change", "retirement")
ENVIRONMENTS = ("development", "staging", "production")

# The obligation stages a gate counts (its submission check and the obligations-evidenced rule).
# Validation cannot wait for what only the validation produces; every later gate also wants what
# is due before deployment. Ongoing duties show as due but never block a gate.
STAGES_DUE_AT: dict[str, tuple[str, ...]] = {"validation": (BEFORE_VALIDATION,)}
LATER_STAGES_DUE = (BEFORE_VALIDATION, BEFORE_DEPLOYMENT)


def stages_due(gate: str) -> tuple[str, ...]:
    """The obligation stages that must be evidenced (or waived) before this gate."""
    return STAGES_DUE_AT.get(gate, LATER_STAGES_DUE)


@dataclass(frozen=True)
class Finding:
    reference: str
    severity: str
    title: str


@dataclass(frozen=True)
class Waiver:
    """A running policy exception (waiver) for one rule."""

    reference: str
    expires_on: date
    approver: str


@dataclass(frozen=True)
class Facts:
    """What the checks look at for one version, gate and environment, read by the service."""

    gate: str
    environment: str
    today: date
    tier: str | None = None
    eu_category: str | None = None
    prohibited: bool = False
    approval: str | None = None  # reference of the valid approval for this gate, if any
    approval_lapses: tuple[str, ...] = ()  # why the latest approval no longer holds
    validated_on: date | None = None  # the latest validation approval still in force
    cadence_months: int | None = None
    fairness_passed_on: date | None = None  # the latest fairness check passed, on this day
    fairness_failed_on: date | None = None  # the latest fairness check failed, on this day
    missing_obligations: tuple[str, ...] = ()
    open_findings: tuple[Finding, ...] = ()
    revalidation_required: tuple[str, ...] = ()
    exceptions: Mapping[str, Waiver] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleResult:
    id: str
    title: str
    passed: bool
    reason: str
    waived_by: str = ""


@dataclass(frozen=True)
class Answer:
    open: bool
    results: tuple[RuleResult, ...]

    @property
    def unmet(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if not r.passed)


Check = Callable[[Mapping[str, Any], Facts], tuple[bool, str]]


def _approved(params: Mapping[str, Any], facts: Facts) -> tuple[bool, str]:
    if facts.approval:
        return True, f"approved: {facts.approval}"
    if facts.approval_lapses:
        return False, "the approval no longer holds: " + "; ".join(facts.approval_lapses)
    where = f" to {facts.environment}" if facts.gate == "deployment" else ""
    return False, f"no approval of this version for {facts.gate.replace('_', ' ')}{where}"


def _not_prohibited(params: Mapping[str, Any], facts: Facts) -> tuple[bool, str]:
    if facts.prohibited:
        return False, "a use case of this model is a prohibited AI practice (EU AI Act Art. 5)"
    return True, "no use case is a prohibited practice"


def _tier_in_force(params: Mapping[str, Any], facts: Facts) -> tuple[bool, str]:
    if facts.tier is None:
        return False, "the model has no risk tier in force; complete the tiering assessment"
    return True, f"tier in force: {label_for(facts.tier)}"


def _no_open_findings(params: Mapping[str, Any], facts: Facts) -> tuple[bool, str]:
    severities = set(params.get("severities", ("high",)))
    found = [f for f in facts.open_findings if f.severity in severities]
    if found:
        listed = "; ".join(f"{f.reference} {f.title}" for f in found)
        return False, f"{len(found)} open {'/'.join(sorted(severities))} finding(s): {listed}"
    return True, f"no open {'/'.join(sorted(severities))} findings"


def _validation_current(params: Mapping[str, Any], facts: Facts) -> tuple[bool, str]:
    if facts.validated_on is None:
        return False, "no validation approval in force for this model"
    if facts.cadence_months is None:
        return False, "the model's tier sets no revalidation cadence"
    due = add_months(facts.validated_on, facts.cadence_months)
    if due < facts.today:
        return False, (
            f"validated on {facts.validated_on:%Y-%m-%d}; the {facts.cadence_months}-month "
            f"revalidation fell due on {due:%Y-%m-%d}"
        )
    return True, f"validated on {facts.validated_on:%Y-%m-%d}, next due {due:%Y-%m-%d}"


def _recent_fairness_pass(params: Mapping[str, Any], facts: Facts) -> tuple[bool, str]:
    days = int(params["max_age_days"])
    if facts.fairness_failed_on is not None:
        return False, f"the latest fairness check, on {facts.fairness_failed_on:%Y-%m-%d}, failed"
    if facts.fairness_passed_on is None:
        return False, "no passed fairness check on record"
    age = (facts.today - facts.fairness_passed_on).days
    if age > days:
        return False, f"last passed fairness check {age} days ago (limit {days})"
    return True, f"fairness check passed on {facts.fairness_passed_on:%Y-%m-%d}"


def _obligations_evidenced(params: Mapping[str, Any], facts: Facts) -> tuple[bool, str]:
    if facts.missing_obligations:
        listed = ", ".join(facts.missing_obligations)
        return (
            False,
            f"{len(facts.missing_obligations)} obligation(s) due without evidence: {listed}",
        )
    return True, "every obligation due has evidence or a running waiver"


def _no_revalidation_required(params: Mapping[str, Any], facts: Facts) -> tuple[bool, str]:
    if facts.revalidation_required:
        return False, "revalidation required: " + "; ".join(facts.revalidation_required)
    return True, "no revalidation required"


CHECKS: dict[str, Check] = {
    "approved": _approved,
    "not_prohibited": _not_prohibited,
    "tier_in_force": _tier_in_force,
    "no_open_findings": _no_open_findings,
    "validation_current": _validation_current,
    "recent_fairness_pass": _recent_fairness_pass,
    "obligations_evidenced": _obligations_evidenced,
    "no_revalidation_required": _no_revalidation_required,
}


def _applies(rule: Mapping[str, Any], facts: Facts) -> bool:
    if facts.gate not in rule.get("gates", GATES):
        return False
    if facts.gate == "deployment" and facts.environment not in rule.get(
        "environments", ENVIRONMENTS
    ):
        return False
    when = rule.get("when")
    if not when:
        return True
    return facts.eu_category in when.get("eu_ai_act", ()) or facts.tier in when.get("tiers", ())


def rules_for(policy: Mapping[str, Any], facts: Facts) -> list[Mapping[str, Any]]:
    return [rule for rule in policy["rules"] if _applies(rule, facts)]


def checks_needed(policy: Mapping[str, Any], facts: Facts) -> set[str]:
    """The checks the rules that apply here run: the facts worth reading (tier and EU category
    must be in `facts` already, since `when` depends on them)."""
    return {rule["check"] for rule in rules_for(policy, facts)}


def unmet_besides_approval(policy: Mapping[str, Any], answer: Answer) -> list[RuleResult]:
    """The rules that keep the gate closed even once an approval is given: what a decider is
    told before deciding that approving alone will not open the gate."""
    approval = {rule["id"] for rule in policy["rules"] if rule.get("check") == "approved"}
    return [r for r in answer.results if not r.passed and r.id not in approval]


def waivable_unmet(policy: Mapping[str, Any], answer: Answer) -> bool:
    waivable = {rule["id"] for rule in policy["rules"] if rule.get("waivable")}
    return any(result.id in waivable for result in answer.unmet)


def evaluate(policy: Mapping[str, Any], facts: Facts) -> Answer:
    """Every rule that applies, passed or failed with the reason; open only if none failed."""
    results = []
    for rule in rules_for(policy, facts):
        passed, reason = CHECKS[rule["check"]](rule.get("params", {}), facts)
        waiver = facts.exceptions.get(rule["id"]) if rule.get("waivable") else None
        if not passed and waiver is not None and waiver.expires_on >= facts.today:
            results.append(
                RuleResult(
                    rule["id"],
                    rule["title"],
                    True,
                    f"waived until {waiver.expires_on:%Y-%m-%d} by {waiver.approver} "
                    f"({waiver.reference}); {reason}",
                    waived_by=waiver.reference,
                )
            )
            continue
        results.append(RuleResult(rule["id"], rule["title"], passed, reason))
    return Answer(all(r.passed for r in results), tuple(results))


def requires_approval(policy: Mapping[str, Any], gate: str, environment: str) -> bool:
    """Whether a gate (for deployments, an environment) needs an approved request to open."""
    return any(
        rule["check"] == "approved"
        and _applies(rule, Facts(gate=gate, environment=environment, today=date.min))
        and not rule.get("when")
        for rule in policy["rules"]
    )


# ---- Checking a policy before it is published -------------------------------------------------


def _check_signoffs(gates: Mapping[str, Any], tiers: tuple[str, ...]) -> list[str]:
    problems = []
    for gate in GATES:
        spec = gates.get(gate)
        if not isinstance(spec, Mapping) or not isinstance(spec.get("signoffs"), Mapping):
            problems.append(f"gates.{gate}.signoffs: required")
            continue
        for tier in tiers:
            roles = spec["signoffs"].get(tier)
            if not isinstance(roles, Mapping) or not roles:
                problems.append(f"gates.{gate}.signoffs.{tier}: name at least one role")
                continue
            for role, count in roles.items():
                if role not in signoffs.ROLES:
                    problems.append(f"gates.{gate}.signoffs.{tier}.{role}: unknown role")
                elif not isinstance(count, int) or isinstance(count, bool) or count < 1:
                    problems.append(
                        f"gates.{gate}.signoffs.{tier}.{role}: must be a count of 1 or more"
                    )
    return problems


def _check_rule(index: int, rule: Any, seen: set[str]) -> list[str]:
    where = f"rules[{index}]"
    if not isinstance(rule, Mapping):
        return [f"{where}: must be a mapping"]
    problems = [f"{where}.{key}: required" for key in ("id", "title", "check") if not rule.get(key)]
    # A missing id is reported above; counting it as seen would call the next one a duplicate.
    rule_id = rule.get("id")
    if rule_id:
        if rule_id in seen:
            problems.append(f"{where}.id: {rule_id!r} is used twice")
        seen.add(rule_id)
    if rule.get("check") and rule["check"] not in CHECKS:
        problems.append(
            f"{where}.check: unknown check {rule['check']!r} (known: {', '.join(CHECKS)})"
        )
    for key, known in (("gates", GATES), ("environments", ENVIRONMENTS)):
        unknown = set(rule.get(key, ())) - set(known)
        if unknown:
            problems.append(f"{where}.{key}: unknown {', '.join(sorted(unknown))}")
    if rule.get("check") == "recent_fairness_pass":
        days = rule.get("params", {}).get("max_age_days")
        if not isinstance(days, int) or days < 1:
            problems.append(f"{where}.params.max_age_days: must be a whole number of days")
    if rule.get("check") in {"approved", "not_prohibited"} and rule.get("waivable"):
        problems.append(f"{where}.waivable: the {rule['check']} check cannot be waived")
    return problems


def check_policy(policy: Mapping[str, Any], tiers: tuple[str, ...]) -> list[str]:
    """What is wrong with a gate policy, each problem naming its field."""
    gates = policy.get("gates")
    problems = _check_signoffs(gates, tiers) if isinstance(gates, Mapping) else ["gates: required"]
    rules = policy.get("rules")
    if not isinstance(rules, list) or not rules:
        return [*problems, "rules: name at least one rule"]
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        problems += _check_rule(index, rule, seen)
    if not any(rule.get("check") == "approved" for rule in rules if isinstance(rule, Mapping)):
        problems.append("rules: at least one rule must require an approval (check: approved)")
    return problems
