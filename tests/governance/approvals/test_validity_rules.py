"""Approvals decay: why an approval no longer holds, computed from dates (pure rules)."""

from datetime import date

from governance.approvals.rules.validity import ApprovalFacts, Dated, add_months, lapses

DECIDED = date(2026, 3, 1)


def test_a_fresh_approval_holds() -> None:
    assert (
        lapses(ApprovalFacts(decided_on=DECIDED, expires_on=date(2027, 3, 1)), date(2026, 6, 1))
        == ()
    )


def test_expiry() -> None:
    facts = ApprovalFacts(decided_on=DECIDED, expires_on=date(2026, 9, 1))
    assert lapses(facts, date(2026, 9, 1)) == ()  # valid through its last day
    assert lapses(facts, date(2026, 9, 2)) == ("the approval expired on 2026-09-01",)


def test_an_unmet_condition_past_its_due_date() -> None:
    facts = ApprovalFacts(
        decided_on=DECIDED,
        conditions=(
            Dated("Back-test report", date(2026, 4, 1)),
            Dated("Docs", date(2026, 4, 1), True),
        ),
    )
    assert lapses(facts, date(2026, 4, 1)) == ()
    assert lapses(facts, date(2026, 4, 2)) == (
        "condition 'Back-test report' was due on 2026-04-01 and is not met",
    )


def test_a_relied_waiver_that_expires_or_is_withdrawn() -> None:
    facts = ApprovalFacts(
        decided_on=DECIDED,
        waivers=(
            Dated("waiver of EU AI Act Art. 10", date(2026, 5, 1)),
            Dated("exception PE-1", None),
        ),
    )
    assert lapses(facts, date(2026, 5, 2)) == (
        "the waiver it relied on (waiver of EU AI Act Art. 10) expired on 2026-05-01",
        "the waiver it relied on (exception PE-1) was withdrawn",
    )


def test_revalidation_falls_due() -> None:
    facts = ApprovalFacts(decided_on=DECIDED, revalidation_due=add_months(DECIDED, 12))
    assert lapses(facts, date(2027, 3, 1)) == ()
    assert lapses(facts, date(2027, 3, 2)) == ("revalidation fell due on 2027-03-01",)


def test_breaches_and_material_changes_after_the_decision() -> None:
    facts = ApprovalFacts(
        decided_on=DECIDED,
        breaches=(Dated("AUC 0.61 below 0.70", date(2026, 7, 3)), Dated("old", date(2026, 2, 1))),
        material_changes=(Dated("intended purpose changed", date(2026, 8, 9)),),
    )
    assert lapses(facts, date(2026, 9, 1)) == (
        "critical monitoring breach on 2026-07-03: AUC 0.61 below 0.70",
        "material change on 2026-08-09: intended purpose changed",
    )


def test_month_arithmetic_keeps_the_end_of_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
