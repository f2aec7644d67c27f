"""Obligation catalogs as data, and which entries apply to a model for each classification."""

import copy
import re
from pathlib import Path

import pytest
import yaml

from governance.risk.rules import obligations
from governance.risk.rules.obligations import applicable, check_catalog
from governance.risk.rules.results import Outcome

OBLIGATIONS = (
    Path(__file__).resolve().parents[3] / "governance" / "rulebooks" / "data" / "obligations"
)
# Every shipped version by file stem ("sr_26_2", "sr_26_2_v2"), and the newest one per framework.
SHIPPED = {
    path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted(OBLIGATIONS.glob("*.yaml"))
}
CATALOGS = {
    catalog["name"]: catalog
    for catalog in sorted(SHIPPED.values(), key=lambda c: (c["name"], c["version"]))
}
FRAMEWORKS = ["eu_ai_act", "iso_42001", "nist_ai_rmf", "pra_ss1_23", "sr_11_7", "sr_26_2"]

REFERENCE_FORMATS = {
    "eu_ai_act": r"Art\. \d+(\((\d+|[a-z])\))?|Annex IV\(\d\)",
    "sr_26_2": r"SR 26-2 §[IVX]+( \([A-Z][A-Za-z ]+\))?",
    "sr_11_7": r"SR 11-7 §[IVX]+( \([A-Z][A-Za-z -]+\))?",
    "pra_ss1_23": r"Principle [1-5]\.\d",
    "nist_ai_rmf": r"(GOVERN|MAP|MEASURE|MANAGE) \d\.\d{1,2}",
    "iso_42001": r"A\.\d{1,2}\.\d(\.\d)?",
}
ID_PREFIXES = {
    "eu_ai_act": "eu.",
    "sr_26_2": "sr26.",
    "sr_11_7": "sr11.",
    "pra_ss1_23": "pra.p",
    "nist_ai_rmf": "nist.",
    "iso_42001": "iso42001.a.",
}
# The high-risk provider articles every high-risk provider's checklist cites.
HIGH_RISK_PROVIDER = {f"Art. {n}" for n in (*range(9, 18), 43, 47, 48, 49, 72, 73)}


def eu(*labels: str, role: str | None = "provider") -> Outcome:
    return Outcome(
        framework="eu_ai_act",
        result=labels[0],
        legal_basis=(),
        reasons=(),
        labels=labels,
        details={} if role is None else {"role": role},
    )


def tier(framework: str, label: str) -> Outcome:
    return Outcome(framework=framework, result=label, legal_basis=(), reasons=(), labels=(label,))


def picked(outcomes: dict[str, Outcome], voluntary: tuple[str, ...] = ()) -> list[dict]:
    return applicable(CATALOGS.values(), outcomes, voluntary=voluntary)


def ids(outcomes: dict[str, Outcome], voluntary: tuple[str, ...] = ()) -> set[str]:
    return {entry["id"] for entry in picked(outcomes, voluntary)}


def articles(outcomes: dict[str, Outcome]) -> set[str]:
    """The articles cited, without paragraph: "Art. 26(1)" counts as "Art. 26"."""
    return {entry["reference"].split("(")[0] for entry in picked(outcomes)}


# ---- The catalogs as data ---------------------------------------------------------------------


def test_every_framework_has_its_catalog_versions_named_after_it():
    assert sorted(CATALOGS) == FRAMEWORKS
    for stem, catalog in SHIPPED.items():
        version = catalog["version"]
        assert stem == catalog["name"] + ("" if version == 1 else f"_v{version}")
        assert catalog["name"] == catalog["framework"]
        assert catalog["kind"] == "obligations"
    newest = {**dict.fromkeys(FRAMEWORKS, 2), "eu_ai_act": 4}
    assert {name: c["version"] for name, c in CATALOGS.items()} == newest


@pytest.mark.parametrize("stem", sorted(SHIPPED))
def test_every_shipped_catalog_passes_its_checks(stem):
    assert check_catalog(SHIPPED[stem]) == []


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_version_2_is_version_1_with_a_stage_and_the_records_that_satisfy_each_entry(framework):
    first, second = SHIPPED[framework], SHIPPED[f"{framework}_v2"]
    assert second["effective_from"] == first["effective_from"]  # the duties did not change
    assert {k: v for k, v in second.items() if k not in {"version", "entries"}} == {
        k: v for k, v in first.items() if k not in {"version", "entries"}
    }
    for old, new in zip(first["entries"], second["entries"], strict=True):
        assert {k: v for k, v in new.items() if k not in {"stage", "satisfied_by"}} == old
        assert new["stage"] in obligations.STAGES, new["id"]


def test_eu_version_3_corrects_one_reference_and_binds_art_27_and_86_to_who_owes_them():
    second, third = SHIPPED["eu_ai_act_v2"], SHIPPED["eu_ai_act_v3"]
    assert third["effective_from"] > second["effective_from"]
    changed = {
        new["id"]: {k: (old[k], new[k]) for k in new if new[k] != old[k]}
        for old, new in zip(second["entries"], third["entries"], strict=True)
        if new != old
    }
    assert changed == {
        "eu.art9.6": {"reference": ("Art. 9(6)", "Art. 9(8)")},
        "eu.art27.1": {"applies_to": (["high_risk_annex_iii"], ["deployer_fria"])},
        "eu.art27.3": {"applies_to": (["high_risk_annex_iii"], ["deployer_fria"])},
        "eu.art86": {
            "reference": ("Art. 86", "Art. 86(1)"),
            "applies_to": (["high_risk_annex_iii"], ["deployer_explanation"]),
        },
    }


def test_what_only_the_validation_produces_is_never_due_before_validation():
    validation = {"validation_approval", "validation_report", "deployment_approval"}
    for catalog in CATALOGS.values():
        for entry in catalog["entries"]:
            if validation & set(entry.get("satisfied_by", [])):
                assert entry["stage"] != obligations.BEFORE_VALIDATION, entry["id"]
            if "deployment_approval" in entry.get("satisfied_by", []):
                assert entry["stage"] == obligations.ONGOING, entry["id"]
    pra = {e["id"]: e for e in CATALOGS["pra_ss1_23"]["entries"]}
    assert pra["pra.p4.1"]["stage"] == obligations.BEFORE_DEPLOYMENT
    assert pra["pra.p4.1"]["satisfied_by"] == ["validation_approval"]


def test_an_entry_without_a_stage_is_due_before_validation_and_unknown_values_are_refused():
    entry = {"id": "x"}
    assert obligations.stage_of(entry) == obligations.BEFORE_VALIDATION
    assert obligations.satisfied_by(entry) == []
    catalog = copy.deepcopy(CATALOGS["sr_26_2"])
    catalog["entries"][0] |= {"stage": "someday", "satisfied_by": ["invoice"]}
    problems = check_catalog(catalog)
    assert "entries[sr26.risk.materiality].stage: must be one of" in problems[0]
    assert (
        problems[1] == "entries[sr26.risk.materiality].satisfied_by: unknown record kind 'invoice'"
    )


def test_ids_are_unique_across_all_catalogs_and_carry_their_framework_prefix():
    all_ids = [e["id"] for c in CATALOGS.values() for e in c["entries"]]
    assert len(all_ids) == len(set(all_ids))
    for framework, catalog in CATALOGS.items():
        for entry in catalog["entries"]:
            assert entry["id"].startswith(ID_PREFIXES[framework]), entry["id"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_references_are_numbered_as_the_framework_numbers_them(framework):
    pattern = re.compile(REFERENCE_FORMATS[framework])
    for entry in CATALOGS[framework]["entries"]:
        assert pattern.fullmatch(entry["reference"]), (entry["id"], entry["reference"])


def test_statuses_say_which_frameworks_are_in_force_superseded_or_voluntary():
    status = {name: catalog["status"] for name, catalog in CATALOGS.items()}
    assert status == {
        "eu_ai_act": "in_force",
        "sr_26_2": "in_force",
        "pra_ss1_23": "in_force",
        "sr_11_7": "superseded",
        "nist_ai_rmf": "voluntary",
        "iso_42001": "voluntary",
    }
    assert CATALOGS["sr_11_7"]["superseded_by"] == "sr_26_2"
    assert str(CATALOGS["sr_11_7"]["rescinded_on"]) == "2026-04-17"
    assert str(CATALOGS["sr_26_2"]["effective_from"]) == "2026-04-17"
    assert CATALOGS["sr_26_2"]["confidence"] == "secondary"


def test_the_eu_catalog_covers_the_provider_deployer_and_annex_iv_duties():
    references = {(e["reference"], *e["roles"]) for e in CATALOGS["eu_ai_act"]["entries"]}
    provider = {ref.split("(")[0] for ref, *roles in references if "provider" in roles}
    deployer = {ref for ref, *roles in references if "deployer" in roles}
    assert provider >= HIGH_RISK_PROVIDER
    assert {"Art. 4", "Art. 5", "Art. 6", "Art. 52", "Art. 53", "Art. 55"} <= provider
    assert {"Art. 26(1)", "Art. 26(2)", "Art. 26(5)", "Art. 27(1)", "Art. 50(3)"} <= deployer
    assert {"Art. 50(4)", "Art. 4", "Art. 5"} <= deployer
    assert {f"Annex IV({n})" for n in range(1, 10)} <= {ref for ref, *_ in references}


def test_pra_lists_every_sub_principle_as_ss1_23_numbers_them():
    sub_principles = {"1.1", "1.2", "1.3", "5.1", "5.2", "5.3"}
    sub_principles |= {f"2.{n}" for n in range(1, 7)} | {f"3.{n}" for n in range(1, 7)}
    sub_principles |= {f"4.{n}" for n in range(1, 6)}
    references = {e["reference"] for e in CATALOGS["pra_ss1_23"]["entries"]}
    assert references == {f"Principle {n}" for n in sub_principles}


def test_voluntary_catalogs_apply_to_any_model():
    for name in ("nist_ai_rmf", "iso_42001"):
        assert {tuple(e["applies_to"]) for e in CATALOGS[name]["entries"]} == {("any",)}


# ---- EU AI Act: category and role pick the obligations ----------------------------------------


def test_a_high_risk_annex_iii_provider_gets_articles_9_to_17_but_not_the_deployer_duties():
    cited = articles({"eu_ai_act": eu("high_risk_annex_iii", "ai_literacy")})
    assert HIGH_RISK_PROVIDER | {"Art. 4", "Annex IV"} <= cited
    assert cited.isdisjoint({"Art. 26", "Art. 27", "Art. 86"})


def test_a_high_risk_annex_iii_deployer_gets_article_26_but_not_article_9():
    cited = articles({"eu_ai_act": eu("high_risk_annex_iii", "ai_literacy", role="deployer")})
    assert {"Art. 4", "Art. 26"} <= cited
    assert cited.isdisjoint(HIGH_RISK_PROVIDER | {"Annex IV", "Art. 27", "Art. 86"})


def test_art_27_and_86_follow_the_labels_that_say_the_deployer_owes_them():
    owing = eu("high_risk_annex_iii", "deployer_fria", "deployer_explanation", role="deployer")
    assert {"eu.art27.1", "eu.art27.3", "eu.art86"} <= ids({"eu_ai_act": owing})
    explaining = eu("high_risk_annex_iii", "deployer_explanation", role="deployer")
    assert "eu.art86" in ids({"eu_ai_act": explaining})
    assert not {"eu.art27.1", "eu.art27.3"} & ids({"eu_ai_act": explaining})


def test_a_bank_that_builds_and_uses_its_model_gets_both_sides_once():
    labels = ("high_risk_annex_iii", "ai_literacy")
    provider = ids({"eu_ai_act": eu(*labels)})
    deployer = ids({"eu_ai_act": eu(*labels, role="deployer")})
    both = picked({"eu_ai_act": eu(*labels, role="provider_and_deployer")})
    assert {e["id"] for e in both} == provider | deployer
    assert len(both) == len({e["id"] for e in both})  # Art. 4 binds both roles, listed once


def test_without_a_stated_role_both_sides_duties_are_shown():
    labels = ("high_risk_annex_iii", "ai_literacy")
    assert ids({"eu_ai_act": eu(*labels, role=None)}) == ids(
        {"eu_ai_act": eu(*labels, role="provider_and_deployer")}
    )


def test_an_unknown_role_is_refused():
    with pytest.raises(ValueError, match="role"):
        picked({"eu_ai_act": eu("minimal", "ai_literacy", role="manufacturer")})


def test_annex_i_products_skip_the_annex_iii_only_duties():
    provider = ids({"eu_ai_act": eu("high_risk_annex_i", "ai_literacy")})
    deployer = ids({"eu_ai_act": eu("high_risk_annex_i", "ai_literacy", role="deployer")})
    assert {"eu.art9", "eu.art43", "eu.annex4.2"} <= provider
    assert "eu.art49.1" not in provider  # Art. 49(1) registers Annex III systems
    assert "eu.art26.1" in deployer
    assert deployer.isdisjoint({"eu.art26.11", "eu.art27.1", "eu.art86"})


def test_a_minimal_risk_system_only_needs_ai_literacy():
    for role in ("provider", "deployer", "provider_and_deployer"):
        assert ids({"eu_ai_act": eu("minimal", "ai_literacy", role=role)}) == {"eu.art4"}


def test_a_prohibited_system_shows_why_it_is_blocked():
    found = ids({"eu_ai_act": eu("prohibited", "ai_literacy", role="provider_and_deployer")})
    assert found == {"eu.art5", "eu.art4"}


def test_an_annex_iii_system_documented_as_not_high_risk_is_assessed_and_registered():
    provider = ids({"eu_ai_act": eu("annex_iii_not_high_risk", "ai_literacy")})
    deployer = ids({"eu_ai_act": eu("annex_iii_not_high_risk", "ai_literacy", role="deployer")})
    assert provider == {"eu.art4", "eu.art6.4", "eu.art49.2"}
    assert deployer == {"eu.art4"}


def test_a_chatbot_discloses_ai_by_design_its_deployer_only_needs_ai_literacy():
    labels = ("transparency", "transparency_interaction", "ai_literacy")
    assert ids({"eu_ai_act": eu(*labels)}) == {"eu.art4", "eu.art50.1"}
    assert ids({"eu_ai_act": eu(*labels, role="deployer")}) == {"eu.art4"}


def test_deep_fakes_and_public_interest_text_are_disclosed_by_the_deployer():
    labels = ("transparency", "transparency_deepfake", "transparency_public_text", "ai_literacy")
    deployer = ids({"eu_ai_act": eu(*labels, role="deployer")})
    assert deployer == {"eu.art4", "eu.art50.4.deepfake", "eu.art50.4.text"}
    assert ids({"eu_ai_act": eu(*labels)}) == {"eu.art4"}


def test_a_high_risk_chatbot_carries_both_sets_of_duties():
    found = ids({"eu_ai_act": eu("high_risk_annex_iii", "transparency_interaction")})
    assert {"eu.art9", "eu.art50.1"} <= found


def test_gpai_providers_document_and_systemic_risk_models_also_evaluate_and_report():
    gpai = ids({"eu_ai_act": eu("gpai", "ai_literacy")})
    systemic = ids({"eu_ai_act": eu("gpai_systemic", "ai_literacy")})
    art53 = {"eu.art53.documentation", "eu.art53.downstream", "eu.art53.copyright"}
    art53 |= {"eu.art53.training_summary"}
    art55 = {"eu.art55.evaluation", "eu.art55.systemic_risk", "eu.art55.incidents"}
    art55 |= {"eu.art55.cybersecurity"}
    assert gpai == {"eu.art4"} | art53
    assert systemic == {"eu.art4", "eu.art52"} | art53 | art55


# ---- Model risk tiers -------------------------------------------------------------------------


@pytest.mark.parametrize("framework", ["sr_26_2", "sr_11_7", "pra_ss1_23"])
def test_tier_3_gets_fewer_obligations_than_tier_1(framework):
    by_tier = {label: ids({framework: tier(framework, label)}) for label in obligations.TIER_LABELS}
    assert len(by_tier["tier_3"]) < len(by_tier["tier_1"])
    assert len(by_tier["tier_2"]) <= len(by_tier["tier_1"])
    assert by_tier["tier_1"] <= {e["id"] for e in CATALOGS[framework]["entries"]}


def test_sr_26_2_gives_full_independent_validation_to_tiers_1_and_2_and_a_reduced_one_to_tier_3():
    tier_1 = ids({"sr_26_2": tier("sr_26_2", "tier_1")})
    tier_3 = ids({"sr_26_2": tier("sr_26_2", "tier_3")})
    full = {"sr26.validation.conceptual_soundness", "sr26.validation.outcomes"}
    assert full <= tier_1 and tier_3.isdisjoint(full)
    assert "sr26.validation.reduced" in tier_3 - tier_1
    assert {"sr26.monitoring", "sr26.inventory", "sr26.third_party"} <= tier_1 & tier_3


def test_superseded_sr_11_7_applies_only_when_its_outcome_is_given():
    today = ids({"sr_26_2": tier("sr_26_2", "tier_1")})
    before_rescission = ids({"sr_11_7": tier("sr_11_7", "tier_1")})
    assert not any(i.startswith("sr11.") for i in today)
    assert before_rescission and all(i.startswith("sr11.") for i in before_rescission)


def test_one_tier_serves_every_model_risk_framework_in_scope():
    outcomes = {name: tier(name, "tier_2") for name in ("sr_26_2", "pra_ss1_23")}
    frameworks = {entry["framework"] for entry in picked(outcomes)}
    assert frameworks == {"sr_26_2", "pra_ss1_23"}


# ---- Voluntary frameworks, order, determinism -------------------------------------------------


def test_nist_and_iso_apply_only_when_the_organisation_switches_them_on():
    outcomes = {"eu_ai_act": eu("minimal", "ai_literacy")}
    frameworks = {e["framework"] for e in picked(outcomes)}
    only_nist = {e["framework"] for e in picked(outcomes, voluntary=("nist_ai_rmf",))}
    both = picked(outcomes, voluntary=("nist_ai_rmf", "iso_42001"))
    assert frameworks == {"eu_ai_act"}
    assert only_nist == {"eu_ai_act", "nist_ai_rmf"}
    assert len(both) == 1 + len(CATALOGS["nist_ai_rmf"]["entries"]) + len(
        CATALOGS["iso_42001"]["entries"]
    )


def test_a_switched_on_framework_applies_even_to_a_model_without_other_outcomes():
    found = picked({}, voluntary=("iso_42001",))
    assert [e["id"] for e in found] == [e["id"] for e in CATALOGS["iso_42001"]["entries"]]


def test_entries_come_by_framework_then_in_catalog_order_whatever_the_input_order():
    outcomes = {
        "eu_ai_act": eu("high_risk_annex_iii", "ai_literacy", role="provider_and_deployer"),
        "sr_26_2": tier("sr_26_2", "tier_1"),
        "pra_ss1_23": tier("pra_ss1_23", "tier_2"),
    }
    forward = applicable(list(CATALOGS.values()), outcomes, voluntary=("nist_ai_rmf",))
    backward = applicable(list(CATALOGS.values())[::-1], outcomes, voluntary=("nist_ai_rmf",))
    assert forward == backward
    frameworks = [e["framework"] for e in forward]
    assert frameworks == sorted(frameworks)
    eu_ids = [e["id"] for e in forward if e["framework"] == "eu_ai_act"]
    catalog_order = [e["id"] for e in CATALOGS["eu_ai_act"]["entries"]]
    assert eu_ids == [i for i in catalog_order if i in set(eu_ids)]


def test_returned_entries_are_the_catalog_entries_plus_their_framework():
    entry = picked({"eu_ai_act": eu("minimal", "ai_literacy")})[0]
    source = next(e for e in CATALOGS["eu_ai_act"]["entries"] if e["id"] == "eu.art4")
    assert entry == {**source, "framework": "eu_ai_act"}
    assert "framework" not in source


# ---- Checking an edited catalog ---------------------------------------------------------------


def edited(framework: str, position: int, **changes: object) -> dict:
    catalog = copy.deepcopy(CATALOGS[framework])
    catalog["entries"][position].update(changes)
    return catalog


@pytest.mark.parametrize(
    ("framework", "changes", "problem"),
    [
        (
            "eu_ai_act",
            {"evidence_kinds": ["pdf"]},
            "entries[eu.art5].evidence_kinds: unknown kind 'pdf'",
        ),
        ("eu_ai_act", {"evidence_kinds": []}, "entries[eu.art5].evidence_kinds: must list"),
        ("eu_ai_act", {"applies_to": ["tier_1"]}, "entries[eu.art5].applies_to: 'tier_1' is not"),
        ("eu_ai_act", {"applies_to": ["high_risky"]}, "entries[eu.art5].applies_to: 'high_risky'"),
        ("eu_ai_act", {"applies_to": []}, "entries[eu.art5].applies_to: must list at least one"),
        ("eu_ai_act", {"applies_to": ["any", "minimal"]}, "entries[eu.art5].applies_to: 'any'"),
        (
            "eu_ai_act",
            {"roles": ["manufacturer"]},
            "entries[eu.art5].roles: unknown role 'manufacturer'",
        ),
        ("eu_ai_act", {"roles": []}, "entries[eu.art5].roles: must list"),
        ("eu_ai_act", {"role": ["provider"]}, "entries[eu.art5].role: unknown field"),
        ("eu_ai_act", {"id": "eu.art4"}, "entries[eu.art4].id: appears twice"),
        ("eu_ai_act", {"description": " "}, "entries[eu.art5].description: must be text"),
        ("eu_ai_act", {"reference": "Art. 5" * 20}, "entries[eu.art5].reference: longer than 80"),
        ("sr_26_2", {"roles": ["provider"]}, "entries[sr26.risk.materiality].roles: only EU"),
        (
            "sr_26_2",
            {"applies_to": ["high_risk_annex_iii"]},
            "entries[sr26.risk.materiality].applies_to: 'high_risk_annex_iii' is not",
        ),
        (
            "nist_ai_rmf",
            {"applies_to": ["tier_1"]},
            "entries[nist.govern.1.1].applies_to: 'tier_1'",
        ),
        ("pra_ss1_23", {"confidence": "sure"}, "entries[pra.p1.1].confidence: must be one of"),
    ],
)
def test_a_bad_entry_is_reported_by_id_and_field(framework, changes, problem):
    problems = check_catalog(edited(framework, 0, **changes))
    assert any(p.startswith(problem) for p in problems), problems


def test_missing_fields_are_reported_by_id_or_position():
    catalog = copy.deepcopy(CATALOGS["pra_ss1_23"])
    del catalog["entries"][0]["evidence_kinds"]
    del catalog["entries"][1]["id"]
    problems = check_catalog(catalog)
    assert "entries[pra.p1.1].evidence_kinds: required" in problems
    assert "entries[1].id: required" in problems


def test_header_problems_are_reported_by_field():
    catalog = copy.deepcopy(CATALOGS["sr_11_7"])
    del catalog["superseded_by"], catalog["title"]
    catalog["framework"] = "sr_99_1"
    catalog["sources"] = []
    problems = check_catalog(catalog)
    for problem in (
        "title: required",
        "framework: unknown framework 'sr_99_1'",
        "superseded_by: required",
        "sources: must list at least one source",
    ):
        assert problem in problems
    assert (
        check_catalog({"kind": "obligations"})[-1] == "entries: must list at least one obligation"
    )


def test_the_vocabularies_check_catalog_uses_are_public():
    assert {"ai_literacy", "high_risk_annex_iii", "tier_3"} <= obligations.LABELS
    assert "record:validation_signoff" in obligations.EVIDENCE_KINDS
    assert isinstance(obligations.LABELS, frozenset)
    assert isinstance(obligations.EVIDENCE_KINDS, frozenset)
