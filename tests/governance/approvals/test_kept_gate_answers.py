"""The gate's kept answers: served in one read while nothing the gate reads has changed, and
after each kind of change equal to an answer computed afresh."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance import audit
from governance.approvals.models import EVERY_MODEL, GateInputs, KeptGateAnswer
from governance.approvals.selectors import gate
from governance.approvals.services import verdicts, workflow
from governance.findings import services as findings
from governance.risk.services import assessments
from governance.rulebooks import services as rulebooks
from governance.rulebooks.models import Rulebook
from monitoring.services import results
from registry import services as registry
from tests.governance.approvals.conftest import (
    approve,
    granted_exception,
    in_days,
    submitted,
    with_conditions,
)
from tests.risk_answers import EU_WORKPLACE_EMOTIONS, TIER_3, assess

pytestmark = pytest.mark.django_db


def _without_time(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "checked_at"}


def kept(version, environment="production", gate_="deployment") -> dict:
    return _without_time(verdicts.answer_now(version, environment, gate_))


def fresh(version, environment="production", gate_="deployment") -> dict:
    answer, book = gate.check(version, environment, gate_)
    return _without_time(gate.as_json(version, environment, answer, book, timezone.now()))


def kept_is_fresh(version, environment="production", gate_="deployment") -> dict:
    """The kept answer, after checking that it is what a fresh computation says."""
    answer = kept(version, environment, gate_)
    assert answer == fresh(version, environment, gate_)
    return answer


def every_model_generation() -> int:
    return GateInputs.objects.get(scope=EVERY_MODEL).generation


def unmet(answer: dict) -> set[str]:
    return {r["id"] for r in answer["unmet"]}


def test_an_unchanged_answer_is_served_from_the_kept_row_in_one_query(
    validated, django_assert_num_queries
):
    first = verdicts.answer_now(validated, "production")
    with django_assert_num_queries(1):
        again = verdicts.answer_now(validated, "production")
    assert _without_time(again) == _without_time(first) == fresh(validated)
    assert again["checked_at"] >= first["checked_at"]


def test_a_change_written_without_an_audit_event_is_not_seen_until_the_day_ends(validated):
    """What makes the kept answer the one served: a row changed behind the services' back (so
    counted nowhere) leaves it as it was, and the next day reads afresh."""
    kept(validated)
    KeptGateAnswer.objects.update(answer={"open": "kept"})
    assert verdicts.answer_now(validated, "production")["open"] == "kept"
    with time_machine.travel(verdicts.next_midnight(timezone.now())):
        assert kept_is_fresh(validated)["open"] is False


def test_an_approval_decided_opens_the_kept_answer(validated, owner, validator):
    assert unmet(kept_is_fresh(validated)) == {"approval"}
    approve(submitted(owner, validated, "deployment", "production"), (validator, "validator"))
    assert kept_is_fresh(validated)["open"] is True


def test_a_condition_overdue_then_met_is_seen(validated, owner, validator):
    request = submitted(owner, validated, "deployment", "production")
    workflow.sign_off(actor=validator, request=request, role="validator", **with_conditions(30))
    assert kept_is_fresh(validated)["open"] is True
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert unmet(kept_is_fresh(validated)) == {"approval"}
        workflow.meet_condition(actor=validator, condition=request.conditions.get(), note="Done")
        assert kept_is_fresh(validated)["open"] is True


def test_a_finding_opened_then_closed_is_seen(approved_for_production, validated, validator, owner):
    assert kept_is_fresh(validated)["open"] is True
    finding = findings.raise_finding(
        actor=validator,
        model=validated.model,
        title="Override rate unexplained",
        severity="high",
        owner=owner,
        due_on=in_days(30),
    )
    assert unmet(kept_is_fresh(validated)) == {"no-open-high-findings"}
    findings.close_finding(actor=validator, finding=finding, resolution="Explained and fixed")
    assert kept_is_fresh(validated)["open"] is True


def test_a_waiver_granted_then_expired_or_revoked_is_seen(
    approved_for_production, validated, validator, owner, committee_member
):
    findings.raise_finding(
        actor=validator,
        model=validated.model,
        title="Override rate unexplained",
        severity="high",
        owner=owner,
        due_on=in_days(30),
    )
    assert kept_is_fresh(validated)["open"] is False
    exception = granted_exception(
        owner,
        committee_member,
        validated.model,
        "no-open-high-findings",
        reason="Compensating manual review of overrides",
        expires_on=in_days(14),
    )
    assert kept_is_fresh(validated)["open"] is True
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert unmet(kept_is_fresh(validated)) == {"no-open-high-findings"}
    findings.revoke_exception(actor=committee_member, exception=exception)
    assert unmet(kept_is_fresh(validated)) == {"no-open-high-findings"}


def test_a_revalidation_flag_raised_then_cleared_is_seen(
    approved_for_production, validated, validator
):
    assert kept_is_fresh(validated)["open"] is True
    flag = findings.require_revalidation(actor=None, model=validated.model, reason="AUC 0.61")
    assert "no-revalidation-required" in unmet(kept_is_fresh(validated))
    findings.clear_revalidation(actor=validator, flag=flag, note="Revalidated")
    assert kept_is_fresh(validated, "staging")["open"] is True
    assert unmet(kept_is_fresh(validated)) == {"approval", "validation-current"}


def test_a_new_tier_and_a_material_change_are_seen(approved_for_production, validated, owner):
    before = kept_is_fresh(validated)
    assess(owner, validated.model, "tiering", TIER_3)  # a new assessment, the same tier
    assert kept_is_fresh(validated) == before
    assessments.flag_material_change(model=validated.model, reason="intended purpose changed")
    assert "material change" in str(kept_is_fresh(validated)["unmet"])


def test_a_use_case_assessed_as_prohibited_closes_its_models_gates(
    approved_for_production, validated, lending, owner
):
    assert kept_is_fresh(validated)["open"] is True
    assess(owner, lending, "eu_ai_act", EU_WORKPLACE_EMOTIONS)  # names the use case, no model
    assert "not-prohibited" in unmet(kept_is_fresh(validated))
    registry.unlink_model(actor=owner, use_case=lending, model=validated.model)
    assert "not-prohibited" not in unmet(kept_is_fresh(validated))


def test_fairness_results_recorded_are_seen(approved_for_production, validated, admin_user):
    base = Rulebook.objects.in_force(Rulebook.Kind.GATE_POLICY)
    rules = [
        {**rule, "when": {"tiers": ["tier_3"]}} if rule["id"] == "fairness-90-days" else rule
        for rule in base.content["rules"]
    ]  # the fairness rule for this Tier 3 model too
    draft = rulebooks.draft_version(actor=admin_user, base=base, changes={"rules": rules})
    rulebooks.publish_version(admin_user, draft)
    assert unmet(kept_is_fresh(validated)) == {"fairness-90-days"}
    owner = validated.model.owner
    results.record_fairness_result(actor=owner, version=validated, passed=True, summary={})
    assert kept_is_fresh(validated)["open"] is True
    results.record_fairness_result(actor=owner, version=validated, passed=False, summary={})
    assert unmet(kept_is_fresh(validated)) == {"fairness-90-days"}


def test_a_use_case_change_counts_for_each_of_its_models(lending, credit_pd_model):
    assert GateInputs.objects.scopes_of("usecase.updated", lending, None) == {credit_pd_model.pk}


def test_a_gate_policy_published_is_seen(approved_for_production, validated, admin_user):
    assert kept_is_fresh(validated)["policy"]["version"] == 1
    base = Rulebook.objects.in_force(Rulebook.Kind.GATE_POLICY)
    rules = [{**rule, "title": f"{rule['title']} (v2)"} for rule in base.content["rules"]]
    draft = rulebooks.draft_version(actor=admin_user, base=base, changes={"rules": rules})
    rulebooks.publish_version(admin_user, draft)
    answer = kept_is_fresh(validated)
    assert answer["policy"]["version"] == 2
    assert all(r["title"].endswith("(v2)") for r in answer["requirements"])


def test_a_gate_policy_published_without_an_audit_event_is_seen(validated, admin_user):
    kept(validated)
    base = Rulebook.objects.in_force(Rulebook.Kind.GATE_POLICY)
    draft = rulebooks.draft_version(actor=admin_user, base=base, changes={"title": "Stricter"})
    # As a data migration might: no service, so no change counted for any model.
    Rulebook.objects.filter(pk=draft.pk).update(status="published", published_at=timezone.now())
    assert kept_is_fresh(validated)["policy"]["version"] == 2


def test_an_approval_expiring_is_seen_the_day_after(validated, owner, validator):
    request = submitted(owner, validated, "deployment", "production")
    workflow.sign_off(actor=validator, request=request, role="validator", **with_conditions(30))
    workflow.meet_condition(actor=validator, condition=request.conditions.get(), note="Done")
    assert kept_is_fresh(validated)["open"] is True
    with time_machine.travel(timezone.now() + timedelta(days=366)):
        assert "expired" in str(kept_is_fresh(validated)["unmet"])


def test_each_gate_and_environment_keeps_its_own_answer(approved_for_production, validated):
    assert kept_is_fresh(validated, "staging")["open"] is True
    assert kept_is_fresh(validated, "production")["open"] is True
    assert kept_is_fresh(validated, "", "validation")["open"] is True
    assert KeptGateAnswer.objects.count() == 3


def test_an_answer_from_older_inputs_never_replaces_a_newer_one(validated, owner, validator):
    kept(validated)
    old = KeptGateAnswer.objects.get()
    approve(submitted(owner, validated, "deployment", "production"), (validator, "validator"))
    assert kept(validated)["open"] is True
    # A computation that read the inputs before the approval finishes last: it is not kept.
    generations = (old.model_generation, old.every_model_generation)
    row = {f: getattr(old, f) for f in ("code", "computed_at", "valid_until")}
    verdicts._keep(validated, "deployment", "production", generations, **row, answer={"open": 0})
    assert KeptGateAnswer.objects.get().answer["open"] is True


def test_an_answer_computed_by_other_code_is_computed_again(validated, monkeypatch):
    kept(validated)
    KeptGateAnswer.objects.update(answer={"open": "old code"})
    monkeypatch.setattr(verdicts, "CODE", "0" * 16)
    assert kept_is_fresh(validated)["open"] is False


def test_a_change_that_names_no_model_makes_every_answer_stale(validated, owner):
    kept(validated)
    KeptGateAnswer.objects.update(answer={"open": "stale"})
    before = every_model_generation()
    # A person's name shows in the waivers they granted; their record names no model.
    audit.record(actor=owner, verb="user.updated", target=owner, after={"first_name": "Olive"})
    assert every_model_generation() == before + 1
    assert kept_is_fresh(validated)["open"] is False


def test_a_change_the_gate_never_reads_leaves_every_answer_kept(validated, owner):
    before = every_model_generation()
    audit.record(actor=owner, verb="notices.preference_changed", target=owner)
    assert every_model_generation() == before
