"""The draft work products as plain data: which outcomes call for which, what they prefill, and
that every provision they cite exists in the Act as published."""

from datetime import UTC, date, datetime

import pytest

from governance.risk.rules import work_products as wp
from governance.risk.rules.results import Outcome, Reason
from reports.exports import word
from tests.governance.risk.test_eu_ai_act_citations import AMENDED

DEROGATION = Reason("eu.art6.3", "Art. 6(3)", "It meets Art. 6(3)(a) (narrow procedural task).")
NOT_HIGH_RISK = Outcome(
    framework="eu_ai_act",
    result="annex_iii_not_high_risk",
    legal_basis=("Art. 6(3)", "Art. 6(3)(a)", "Annex III 4(a)", "Art. 6(4)", "Art. 49(2)"),
    reasons=(DEROGATION,),
    labels=("annex_iii_not_high_risk", "ai_literacy"),
    details={"role": "provider"},
)
FRIA_OWED = Reason("eu.art27.1", "Art. 27(1)", "A fundamental rights impact assessment is owed.")


def high_risk(role: str, *labels: str) -> Outcome:
    return Outcome(
        framework="eu_ai_act",
        result="high_risk_annex_iii",
        legal_basis=("Art. 6(2)", "Annex III 5(b)"),
        reasons=(Reason("eu.art6.2", "Art. 6(2)", "Credit scoring."), FRIA_OWED),
        labels=("high_risk_annex_iii", *labels, "ai_literacy"),
        details={"role": role},
    )


def classification(outcome: Outcome) -> wp.Classification:
    return wp.Classification(
        outcome=outcome,
        result="In words",
        assessed_by="Olivia Owner",
        assessed_on=date(2026, 12, 7),
        conditions={"Art. 6(3)(a)": "Narrow procedural task"},
    )


INVENTORY = wp.Inventory(
    model="Retail PD scorecard",
    owner="Olivia Owner",
    business_unit="Retail Credit",
    intended_purpose="Probability of default",
    use_case="Retail loan decisions",
    affected_people="Loan applicants",
    deployments=("Version 2.0 in production from 2026-01-05",),
)


@pytest.mark.parametrize(
    ("outcome", "products"),
    [
        (NOT_HIGH_RISK, ("not_high_risk_record",)),
        (high_risk("deployer", "deployer_fria"), ("fria",)),
        (high_risk("provider"), ("annex_iv",)),
        (high_risk("provider_and_deployer", "deployer_fria"), ("fria", "annex_iv")),
        (high_risk("deployer"), ()),
        (Outcome("eu_ai_act", "minimal", ("Art. 95",), (), ("minimal",), {"role": "provider"}), ()),
    ],
)
def test_each_outcome_calls_for_its_products(outcome, products):
    assert wp.products_for(outcome) == products


PRODUCTS = [
    wp.build(kind, classification(outcome), INVENTORY)
    for kind, outcome in (
        ("not_high_risk_record", NOT_HIGH_RISK),
        ("fria", high_risk("deployer", "deployer_fria")),
        ("annex_iv", high_risk("provider")),
    )
]


@pytest.mark.parametrize("product", PRODUCTS, ids=lambda p: p.kind)
def test_every_citation_exists_in_the_act(product):
    assert set(product.citations) <= AMENDED


def test_the_fria_has_the_six_headings_of_art_27_1():
    fria = PRODUCTS[1]
    assert fria.citations == tuple(f"Art. 27(1)({letter})" for letter in "abcdef")


def test_the_annex_iv_checklist_has_its_nine_points():
    assert PRODUCTS[2].citations == tuple(f"Annex IV({n})" for n in range(1, 10))


def test_the_6_4_record_names_the_condition_use_and_assessment():
    items = {item.heading: item for item in PRODUCTS[0].items}
    assert items["The Annex III use and the condition met"].known == (
        "Annex III use: Annex III 4(a)",
        "Condition met: Art. 6(3)(a): Narrow procedural task",
    )
    assert items["Assessment documented before placing on the market"].known == (
        "Assessed by Olivia Owner on 07 December 2026: In words.",
    )
    assert not items["Registration in the EU database"].complete


def test_what_the_inventory_lacks_is_to_be_completed():
    fria = {item.citation: item for item in PRODUCTS[1].items}
    assert fria["Art. 27(1)(b)"].known == ("Deployment: Version 2.0 in production from 2026-01-05",)
    assert fria["Art. 27(1)(c)"].known == ("Affected people: Loan applicants",)
    assert not fria["Art. 27(1)(d)"].complete
    assert [item.citation for item in PRODUCTS[2].missing] == [
        "Annex IV(2)",
        "Annex IV(3)",
        "Annex IV(4)",
        "Annex IV(7)",
        "Annex IV(8)",
        "Annex IV(9)",
    ]


@pytest.mark.parametrize("product", PRODUCTS, ids=lambda p: p.kind)
def test_stored_and_read_back_unchanged(product):
    assert wp.from_json(wp.as_json(product)) == product


def test_written_as_word_with_each_item_under_its_citation():
    document = wp.as_document(PRODUCTS[1], as_of=datetime(2026, 12, 7, tzinfo=UTC), subject="x")
    headings = [section.heading for section in document.sections]
    assert headings[1] == "Art. 27(1)(a): The deployer's processes"
    assert document.subtitle == "Draft prepared by Attest: 3 of 6 items to complete"
    assert word.to_docx(document)[:2] == b"PK"


def test_an_override_away_from_not_high_risk_drops_the_6_4_record():
    overridden = Outcome(
        "eu_ai_act",
        "high_risk_annex_iii",
        NOT_HIGH_RISK.legal_basis,
        NOT_HIGH_RISK.reasons,
        ("high_risk_annex_iii", "ai_literacy"),
        {"role": "deployer"},
    )
    assert wp.products_for(overridden) == ()
