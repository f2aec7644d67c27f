"""The pages an examiner reads first, as `pdftotext` extracts them: cover, contents, summary,
attestation and glossary; the summary's figures against the database as of the instant; no
internal code, field name or Python value anywhere in the text."""

import re
import shutil
import subprocess
from collections import Counter
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db.models import Q

from governance.access.services import raci
from governance.approvals.models import Gate
from governance.approvals.services import workflow
from governance.findings import services as findings
from governance.findings.models import Finding
from governance.risk.models import Control, Evidence
from registry.models import ModelVersion
from reports.models import EvidencePack
from tests.reports.codes import internal_codes
from tests.reports.packs.conftest import AFTER, BETWEEN, pdf_of, requested

PDFTOTEXT = shutil.which("pdftotext")
pytestmark = [
    pytest.mark.usefixtures("pack_media", "pack_clock"),
    pytest.mark.skipif(PDFTOTEXT is None, reason="needs poppler's pdftotext (poppler-utils)"),
]

RAISED = datetime(2026, 10, 15, 9, 0, tzinfo=UTC)
REMEDIATING = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)
RAISED_LATER = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def text_of(pack: EvidencePack, tmp_path) -> str:
    """The PDF's text as poppler's pdftotext reads it, whitespace runs made one space."""
    source = tmp_path / f"{pack.pack_id}.pdf"
    source.write_bytes(pdf_of(pack))
    out = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own file
        [str(PDFTOTEXT), "-layout", str(source), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(out.stdout.split())


@pytest.fixture
def with_findings(scorecard, owner, validator, head_of_validation) -> ModelVersion:
    """Vera raises a high finding on 15 October, Olivia starts remediating on the 20th; a medium
    finding comes on 10 November, after the pack's instant, and the first is closed then too."""
    model = scorecard.model
    with time_machine.travel(RAISED, tick=False):
        raci.assign_raci(
            actor=head_of_validation, model=model, user=validator, role="R", area="validation"
        )
        high = findings.raise_finding(
            actor=validator,
            model=model,
            title="Calibration drifts in the thin-file segment",
            severity=Finding.Severity.HIGH,
            owner=owner,
            due_on=date(2026, 12, 31),
        )
    with time_machine.travel(REMEDIATING, tick=False):
        high = findings.start_remediation(actor=owner, finding=high, plan="Recalibrate in 1.1")
    with time_machine.travel(RAISED_LATER, tick=False):
        findings.raise_finding(
            actor=validator,
            model=model,
            title="Override rate unmonitored",
            severity=Finding.Severity.MEDIUM,
            owner=owner,
            due_on=date(2027, 1, 31),
        )
        findings.close_finding(actor=validator, finding=high, resolution="Recalibrated")
    return scorecard


def test_cover_contents_summary_attestation_and_glossary_are_in_the_text(pack, tmp_path) -> None:
    text = text_of(pack, tmp_path)
    for shown in (
        "Evidence pack",
        "Risk tier Tier 1 (high)",
        "As of 2026-11-01 12:00:00 UTC",
        f"Manifest SHA-256 {pack.manifest_sha256}",
        "1. Summary",
        "Open findings by severity",
        "Obligation coverage",
        "Monitoring health",
        "First pack of this version.",
        "10. Attestation",
        "Model owner Name Olivia Owner",
        "Signature",
        "11. Glossary",
        "Risk tier The model risk tier",
    ):
        assert shown in text
    # The contents list each section with the page it starts on, the summary on page 3.
    assert re.search(r"Contents 1\. Summary \.+ 3 2\. Inventory record \.+ \d+", text)
    assert re.search(r"10\. Attestation \.+ \d+ 11\. Glossary \.+ \d+", text)


def test_no_internal_code_field_name_or_python_value_in_the_text(
    with_findings, owner, django_capture_on_commit_callbacks, tmp_path
) -> None:
    pack = requested(owner, with_findings, AFTER, django_capture_on_commit_callbacks)
    text = text_of(pack, tmp_path)
    codes = internal_codes()
    assert {"tier_1", "high_risk_annex_iii", "before_validation", "due_on"} <= codes
    shown = {c for c in codes if re.search(rf"(?<![\w./:-]){re.escape(c)}(?![\w-])", text)}
    assert shown == set()
    assert not re.search(r"\b(True|False)\b|\bNone\b(?! of)|\{'|\['", text)


def test_summary_figures_equal_the_database_as_of_the_instant(
    with_findings, owner, django_capture_on_commit_callbacks, tmp_path
) -> None:
    pack = requested(owner, with_findings, AFTER, django_capture_on_commit_callbacks)
    model, today = with_findings.model, AFTER.date()
    still_open = Finding.objects.filter(model=model, raised_at__lte=AFTER).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gt=AFTER)
    )
    by_severity = Counter(still_open.values_list("severity", flat=True))
    controls = Control.objects.filter(model=model, applies=True)
    evidenced = set(
        Evidence.objects.filter(control__in=controls, added_at__lte=AFTER).values_list(
            "control_id", flat=True
        )
    )
    due = [c for c in controls if c.due_on is None or c.due_on <= today]
    later = Counter(c.get_stage_display() for c in controls if c.due_on and c.due_on > today)
    figures = pack.manifest["summary"]
    assert by_severity == {Finding.Severity.HIGH: 1}
    assert figures["Open high findings"] == "1"
    assert figures["Open medium findings"] == "0"
    assert figures["Obligations evidenced"] == str(sum(c.pk in evidenced for c in due))
    assert figures["Obligations missing"] == str(sum(c.pk not in evidenced for c in due))
    for stage, count in later.items():
        assert figures[f"Obligations not yet due ({stage.lower()})"] == str(count)
    assert figures["Validation gate"] == "Not requested"
    text = text_of(pack, tmp_path)
    assert "High Medium Low 1 0 0" in text
    status = "Missing Evidenced Accepted by validator Waived"
    assert (
        f"{status} {figures['Obligations missing']} {figures['Obligations evidenced']} 0 0" in text
    )
    missing = figures["Obligations missing"]
    assert (
        f"Action needed: no validation decided; {missing} obligations due and missing; 1 open high-severity finding."
        in text
    )


def test_findings_print_their_history_with_dates_and_who(
    with_findings, owner, django_capture_on_commit_callbacks, tmp_path
) -> None:
    pack = requested(owner, with_findings, AFTER, django_capture_on_commit_callbacks)
    text = text_of(pack, tmp_path)
    assert "2026-10-15 09:00:00 UTC, Vera Validator: Finding raised (status open)" in text
    assert (
        "2026-10-20 09:00:00 UTC, Olivia Owner: Finding remediation started "
        "(status in remediation)" in text
    )
    assert "Finding closed" not in text  # closed after the instant
    assert "Override rate unmonitored" not in text  # raised after the instant


def test_a_later_pack_says_what_changed_since_the_previous_pack_of_the_version(
    scorecard, owner, django_capture_on_commit_callbacks, tmp_path
) -> None:
    first = requested(owner, scorecard, BETWEEN, django_capture_on_commit_callbacks)
    later = requested(owner, scorecard, AFTER, django_capture_on_commit_callbacks)
    assert "First pack of this version." in text_of(first, tmp_path)
    text = text_of(later, tmp_path)
    assert f"Previous pack {first.pack_id}, as of 2026-09-15 12:00:00 UTC" in text
    assert "Risk tier: Tier 3 (low) → Tier 1 (high)" in text
    assert later.manifest["previous_pack"]["manifest_sha256"] == first.manifest_sha256


def test_without_approvals_the_pack_states_no_segregation_of_duties(pack, tmp_path) -> None:
    text = text_of(pack, tmp_path)
    assert "No approval had been requested for this version by the as-of instant" in text
    assert "so no segregation of duties can be stated" in text
    assert "No sign-off was made by anyone who built this version" not in text


def test_a_request_nobody_signed_has_its_statement_and_no_segregation_conclusion(
    scorecard, owner, django_capture_on_commit_callbacks, tmp_path
) -> None:
    with time_machine.travel(RAISED, tick=False):
        request = workflow.open_request(actor=owner, version=scorecard, gate=Gate.VALIDATION)
    pack = requested(owner, scorecard, AFTER, django_capture_on_commit_callbacks)
    text = text_of(pack, tmp_path)
    assert f"Independence statement of {request.reference}" in text
    assert "Nobody had signed this request by the as-of instant" in text
    assert "Nobody had signed off on this version by the as-of instant" in text
    assert "No sign-off was made by anyone who built this version" not in text
    assert pack.manifest["summary"]["Validation gate"] == f"Draft ({request.reference})"
