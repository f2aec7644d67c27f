"""The validation report's pure parts: the findings sentence, the text's hash, an empty report.

No database: records in, a document out.
"""

from datetime import UTC, date, datetime

import pytest

from governance.approvals.rules import narrative
from governance.approvals.rules.narrative import Narrative
from reports.exports import validation
from reports.exports.word import Grid

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def finding(severity: str, is_open: bool) -> validation.FindingRow:
    status = "Open" if is_open else "Closed"
    return validation.FindingRow(
        "F-1", "t", severity, status, is_open, "Olivia", date(2026, 4, 1), ""
    )


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        ((), "No finding has been raised on this version."),
        ((finding("High", True),), "1 finding raised on this version, 1 still open (1 high)."),
        (
            (finding("High", True), finding("Low", True), finding("High", False)),
            "3 findings raised on this version, 2 still open (1 high, 1 low).",
        ),
        ((finding("Medium", False),), "1 finding raised on this version, none open."),
    ],
)
def test_the_findings_sentence_counts_what_is_still_open(rows, said):
    assert validation.findings_summary(rows) == said


def test_the_signed_text_hash_changes_with_any_field_and_ignores_line_ends():
    text = Narrative(scope="Calibration", conclusion="Fit")
    assert narrative.text_sha256(text) != narrative.text_sha256(Narrative(scope="Calibration"))
    typed = Narrative(scope="  Calibration\r\nand power ", conclusion="Fit")
    assert narrative.cleaned(typed) == Narrative(scope="Calibration\nand power", conclusion="Fit")


def test_an_unwritten_report_says_what_is_missing_in_every_section():
    subject = validation.Subject(
        reference="AR-7", model="Retail PD", version="2.0", business_unit="Retail",
        model_type="Classical ML", intended_purpose="", owner="Olivia", tier="Tier 2 (medium)",
        eu_category="Not classified", state="Draft", is_open=True, requested_scope="",
        requested_by="Olivia", submitted_at=None, decided_at=None, expires_on=None,
    )  # fmt: skip
    records = validation.ValidationRecords(
        subject=subject, obligations=(), metrics=(), checks=(), findings=(), conditions=(),
        sign_offs=(), text=Narrative(), frozen=None, covered=(), snapshot_sha256="", as_of=AT,
    )  # fmt: skip
    document = validation.validation_document(records)
    assert [s.heading for s in document.sections] == list(validation.SECTIONS)
    said = [b for s in document.sections for b in s.blocks if isinstance(b, str)]
    empty = [b.empty for s in document.sections for b in s.blocks if isinstance(b, Grid)]
    assert "The validator has not written a scope statement." in said
    assert "The validator has not written a conclusion." in said
    assert "Draft: no decision yet." in said
    assert any(s.startswith("Not signed off yet") for s in said)
    assert "No metric has been reported for this version." in empty
