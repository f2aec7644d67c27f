"""Exports: every register as CSV and XLSX, model documentation and validation reports as DOCX.

Files are read back the way their readers read them (csv, openpyxl, python-docx). Two models:
Olivia's retail PD model and the administrator's bureau score. Olivia sees hers, Oscar neither,
Audrey (audit) both.
"""

import csv
import io
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import tables
from governance.approvals.models import ApprovalRequest, Condition, SignOff
from governance.approvals.services import workflow
from governance.findings import selectors as finding_selectors
from governance.findings import services as findings
from governance.findings.models import Finding, PolicyException
from governance.risk.models import Control, Evidence, Waiver
from registry import services
from registry.models import MLModel
from reports.exports import registers, word
from reports.exports.views import CONTENT_TYPES
from tests.factories.governance import ControlFactory, RulebookFactory
from tests.factories.registry import MLModelFactory, ModelVersionFactory
from tests.governance.approvals.conftest import (
    evidence_everything,
    in_days,
    submitted,
    with_conditions,
)
from tests.reports.conftest import load_rulebooks
from tests.risk_answers import TIER_3, US_BANK_SCORECARD, assess

REGISTERS = [register.key for register in registers.REGISTERS]
MODEL_COLUMN = dict.fromkeys(REGISTERS, "Model slug") | {"inventory": "Slug"}
INJECTION = '=HYPERLINK("http://evil.example","click")'


def populate(model: MLModel, owner: AbstractBaseUser, approver: AbstractBaseUser) -> None:
    """One row of every register on `model`: a finding, an exception, an approval with a
    conditional sign-off, an evidenced obligation and a waived one."""
    version = ModelVersionFactory(model=model, version="1.0", created_by=owner)
    Finding.objects.create(
        model=model, version=version, title=f"Back-test of {model.slug} too short",
        severity="high", owner=owner, raised_by=approver, due_on=in_days(-3),
    )  # fmt: skip
    PolicyException.objects.create(
        model=model, rule_id="validation_current", rule_title="A current validation",
        reason="Vendor report pending", requested_by=owner, decided_by=approver, state="granted",
        expires_on=in_days(60),
    )  # fmt: skip
    catalog = RulebookFactory()
    control = ControlFactory(model=model, catalog=catalog, status="evidenced", due_on=in_days(9))
    Evidence.objects.create(control=control, kind="link", title="Risk file", added_by=owner)
    waived = ControlFactory(
        model=model, catalog=catalog, reference="Art. 10", title="Data governance",
        status="waived", waiver_reason="Vendor data", waiver_approved_by=approver,
        waiver_expires_on=in_days(10),
    )  # fmt: skip
    Waiver.objects.create(
        control=waived, reason="Vendor data", expires_on=in_days(10), requested_by=owner,
        decided_by=approver, state="granted",
    )  # fmt: skip
    request = ApprovalRequest.objects.create(
        model=model, version=version, gate="validation", state="approved_with_conditions",
        tier="tier_2", requirements=[{"role": "validator", "count": 1}], requested_by=owner,
        submitted_at=datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
        decided_at=datetime(2026, 1, 9, 16, 0, tzinfo=UTC), snapshot_sha256="a" * 64,
    )  # fmt: skip
    sign = SignOff.objects.create(
        request=request, role="validator", signer=approver, decision="approve_with_conditions"
    )
    Condition.objects.create(
        request=request, sign_off=sign, text="Monthly back-test", due_on=in_days(30)
    )


@pytest.fixture
def two_models(credit_pd_model, hidden_model, owner, admin_user, validator, committee_member):
    populate(credit_pd_model, owner, validator)
    populate(hidden_model, admin_user, committee_member)
    return credit_pd_model, hidden_model


def download(client, register: str, fmt: str, **params: str):
    response = client.get(reverse("reports:register-export", args=[register, fmt]), params)
    assert response.status_code == 200
    return response


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def sheet_of(response) -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def xlsx_rows(response) -> list[dict[str, object]]:
    header, *rows = sheet_of(response).iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


# ---- Permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("register", REGISTERS)
def test_each_register_holds_only_the_models_its_reader_may_see(
    client, two_models, owner, outsider, auditor, register, fmt
):
    read = csv_rows if fmt == "csv" else xlsx_rows
    seen = {}
    for person in (owner, outsider, auditor):
        client.force_login(person)
        seen[person.username] = {
            row[MODEL_COLUMN[register]] for row in read(download(client, register, fmt))
        }
    assert seen == {"olivia": {"retail-pd"}, "oscar": set(), "audrey": {"retail-pd", "bureau"}}


@pytest.mark.parametrize("register", REGISTERS)
def test_the_model_parameter_keeps_one_model(client, two_models, auditor, register):
    client.force_login(auditor)
    rows = csv_rows(download(client, register, "csv", model="bureau"))
    assert rows
    assert {row[MODEL_COLUMN[register]] for row in rows} == {"bureau"}


def test_an_outsider_still_gets_the_header_row(client, two_models, outsider):
    client.force_login(outsider)
    response = download(client, "findings", "csv")
    (header,) = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert header[:4] == ["Reference", "Model", "Model slug", "Version"]


# ---- Headers and values ---------------------------------------------------------------------------


@pytest.mark.parametrize("register", REGISTERS)
def test_csv_and_xlsx_have_the_same_headers_and_cells(client, two_models, auditor, register):
    client.force_login(auditor)
    as_csv = csv_rows(download(client, register, "csv"))
    sheet = sheet_of(download(client, register, "xlsx"))
    header, *rows = sheet.iter_rows(values_only=True)
    assert list(header) == list(as_csv[0])
    assert [[tables.as_text(cell) for cell in row] for row in rows] == [
        [_date_read_back(value) for value in row.values()] for row in as_csv
    ]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}{len(rows) + 1}"


def _date_read_back(text: str) -> str:
    """Excel has no date type: openpyxl reads a date back as midnight of that day."""
    return f"{text} 00:00:00" if len(text) == 10 and text[4] == "-" and text[7] == "-" else text


def test_findings_register_values(client, two_models, owner):
    client.force_login(owner)
    (row,) = xlsx_rows(download(client, "findings", "xlsx"))
    finding = Finding.objects.get(model__slug="retail-pd")
    assert row["Reference"] == finding.reference
    assert (row["Model"], row["Version"], row["Title"]) == (
        "Retail PD scorecard", "1.0", "Back-test of retail-pd too short",
    )  # fmt: skip
    assert (row["Severity"], row["Status"], row["Owner"]) == ("High", "Open", "Olivia Owner")
    assert row["Raised by"] == "Vera Validator"
    assert row["Due on"] == datetime.combine(in_days(-3), datetime.min.time())
    assert row["Days overdue"] == finding_selectors.days_overdue(finding, timezone.localdate()) == 3
    # Excel has no time zones: UTC, to the second, as the header says.
    assert row["Raised at (UTC)"] == finding.raised_at.astimezone(UTC).replace(
        tzinfo=None, microsecond=0
    )


def test_exceptions_register_lists_exceptions_and_waivers(client, two_models, owner):
    client.force_login(owner)
    rows = csv_rows(download(client, "exceptions", "csv"))
    assert [(r["Kind"], r["Waives"], r["State"], r["Days left"]) for r in rows] == [
        ("Obligation waiver", "Art. 10 Data governance", "Expiring", "10"),
        ("Policy exception", "A current validation", "Running", "60"),
    ]
    assert rows[1]["Decided by"] == "Vera Validator"
    assert rows[1]["Expires on"] == in_days(60).isoformat()


def test_approvals_register_shows_sign_offs_and_conditions(client, two_models, owner):
    client.force_login(owner)
    (row,) = xlsx_rows(download(client, "approvals", "xlsx"))
    assert (row["Gate"], row["State"], row["Tier at submission"]) == (
        "Validation", "Approved with conditions", "Tier 2 (medium)",
    )  # fmt: skip
    assert row["Sign-offs given / needed"] == "validator 1/1"
    assert row["Signed by"] == "Independent validator: Vera Validator, approve with conditions"
    assert row["Conditions met"] == "0 of 1"
    assert row["Submitted at (UTC)"] == datetime(2026, 1, 5, 9, 30)  # noqa: DTZ001 - Excel has no zones
    assert row["Snapshot SHA-256"] == "a" * 64


def test_obligations_register_shows_status_as_the_checklist_counts_it(
    client, two_models, owner, validator
):
    Control.objects.filter(title="Data governance").update(waiver_expires_on=in_days(-1))
    client.force_login(owner)
    rows = csv_rows(download(client, "obligations", "csv"))
    assert [(r["Reference"], r["Status"], r["Evidence items"], r["Evidence"]) for r in rows] == [
        ("Art. 9", "Evidenced", "1", "Risk file"),
        ("Art. 10", "Missing", "0", ""),  # its waiver has expired
    ]
    missing = csv_rows(download(client, "obligations", "csv", status="missing"))
    assert [r["Reference"] for r in missing] == ["Art. 10"]


def test_inventory_register_has_tier_versions_and_typed_custom_fields(
    client, two_models, owner, admin_user
):
    services.define_custom_field(actor=admin_user, key="limit", label="Limit", field_type="decimal")
    services.define_custom_field(actor=admin_user, key="review", label="Review", field_type="date")
    MLModel.objects.filter(slug="retail-pd").update(
        custom_fields={"limit": "1250.50", "review": "2026-03-31"}
    )
    client.force_login(owner)
    (row,) = xlsx_rows(download(client, "inventory", "xlsx"))
    assert (row["Name"], row["Owner"], row["Status"]) == (
        "Retail PD scorecard",
        "Olivia Owner",
        "Development",
    )
    assert (row["Versions"], row["Latest version"], row["Risk tier"]) == (1, "1.0", None)
    assert row["Limit"] == Decimal("1250.5")
    assert row["Review"] == datetime(2026, 3, 31)  # noqa: DTZ001 - a real Excel date
    (as_csv,) = csv_rows(download(client, "inventory", "csv"))
    assert (as_csv["Limit"], as_csv["Review"]) == ("1250.50", "2026-03-31")


def test_files_are_named_for_the_register_and_the_day(client, two_models, owner):
    client.force_login(owner)
    response = download(client, "approvals", "xlsx")
    today = timezone.localdate()
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="attest-approvals-{today:%Y-%m-%d}.xlsx"'
    )
    assert response["Content-Type"] == CONTENT_TYPES["xlsx"]


@pytest.mark.parametrize(("register", "fmt"), [("findings", "pdf"), ("audit", "csv")])
def test_unknown_registers_and_formats_are_404(client, owner, register, fmt):
    client.force_login(owner)
    assert client.get(f"/reports/exports/{register}.{fmt}").status_code == 404


def test_anonymous_readers_are_sent_to_sign_in(client):
    response = client.get(reverse("reports:register-export", args=["inventory", "csv"]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# ---- Spreadsheet formulas from user text ---------------------------------------------------------


def test_text_a_spreadsheet_would_evaluate_is_neutralised_in_csv_and_xlsx(
    client, two_models, owner
):
    Finding.objects.filter(model__slug="retail-pd").update(
        title=INJECTION, description="-1+2", remediation_plan="@SUM(A1)", resolution="+cmd"
    )
    client.force_login(owner)
    (row,) = csv_rows(download(client, "findings", "csv"))
    cells = [row[name] for name in ("Title", "Description", "Remediation plan", "Resolution")]
    assert cells == ["'" + INJECTION, "'-1+2", "'@SUM(A1)", "'+cmd"]

    response = download(client, "findings", "xlsx")
    sheet = sheet_of(response)
    header = [cell.value for cell in sheet[1]]
    title = sheet.cell(2, header.index("Title") + 1)
    assert (title.value, title.data_type, title.quotePrefix) == (INJECTION, "s", True)
    xml = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml


FORMULA_LIKE = [INJECTION, "=cmd|'/C calc'!A0", "-1+2", "+1", "@SUM(A1)", "-2", "Retail"]


def cells_by_slug(rows, slug: str, *names: str) -> dict[str, tuple]:
    return {row[slug]: tuple(row[name] for name in names) for row in rows}


def test_the_inventory_csv_and_the_inventory_register_write_the_same_cells(
    client, owner, admin_user
):
    """One rule in every export: text a spreadsheet would evaluate is neutralised the same way,
    and a negative number stays a number, quoted in neither."""
    services.define_custom_field(actor=admin_user, key="score", label="Score", field_type="decimal")
    services.define_custom_field(actor=admin_user, key="delta", label="Delta", field_type="integer")
    for n, name in enumerate(FORMULA_LIKE):
        services.register_model(
            actor=owner, slug=f"m-{n}", name=name, business_unit="Ops",
            model_type=MLModel.ModelType.CLASSICAL_ML,
            custom_fields={"score": "-2.5", "delta": "-3"},
        )  # fmt: skip
    client.force_login(owner)
    inventory = b"".join(client.get(reverse("registry:model-export")).streaming_content)
    from_registry = csv.DictReader(io.StringIO(inventory.decode("utf-8-sig")))
    register = csv_rows(download(client, "inventory", "csv"))
    expected = {
        f"m-{n}": (tables.neutralise(name), "-2.5", "-3") for n, name in enumerate(FORMULA_LIKE)
    }
    assert cells_by_slug(from_registry, "slug", "name", "Score", "Delta") == expected
    assert cells_by_slug(register, "Slug", "Name", "Score", "Delta") == expected
    sheet = xlsx_rows(download(client, "inventory", "xlsx"))
    assert cells_by_slug(sheet, "Slug", "Name", "Score", "Delta") == {
        f"m-{n}": (name, -2.5, -3) for n, name in enumerate(FORMULA_LIKE)
    }


# ---- Query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize("register", REGISTERS)
def test_an_export_reads_as_many_queries_for_10_models_as_for_2(
    client, two_models, auditor, owner, validator, register, django_assert_max_num_queries
):
    client.force_login(auditor)
    with CaptureQueriesContext(connection) as two:
        download(client, register, "xlsx")
    for _ in range(8):
        populate(MLModelFactory(owner=owner), owner, validator)

    with django_assert_max_num_queries(len(two)):
        rows = xlsx_rows(download(client, register, "xlsx"))
    assert len({row[MODEL_COLUMN[register]] for row in rows}) == 10


# ---- The exports page ----------------------------------------------------------------------------


def test_the_exports_page_offers_every_register_in_both_formats(client, owner):
    client.force_login(owner)
    response = client.get(reverse("reports:export-list"))
    page = response.content.decode()
    for key in REGISTERS:
        for fmt in ("csv", "xlsx"):
            assert f'formaction="/reports/exports/{key}.{fmt}"' in page
    assert "/reports/models/&lt;model slug&gt;/documentation.docx" in page
    assert f'href="{reverse("reports:export-list")}"' in page  # the user menu links here


# ---- Word documents ------------------------------------------------------------------------------


@pytest.fixture
def classified_model(credit_pd_model, owner) -> MLModel:
    """The retail PD model scoped, tiered Tier 3 and with evidence on every obligation."""
    load_rulebooks()
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    assess(owner, credit_pd_model, "tiering", TIER_3)
    evidence_everything(owner, credit_pd_model)
    return credit_pd_model


@pytest.fixture
def validation_request(classified_model, owner, developer, validator) -> ApprovalRequest:
    """Version 1.0 approved with a condition by Vera, then a finding raised on it."""
    version = services.register_version(actor=developer, model=classified_model, version="1.0")
    request = submitted(owner, version, "validation")
    workflow.sign_off(actor=validator, request=request, role="validator", **with_conditions())
    findings.raise_finding(
        actor=validator, model=classified_model, version=version, title="Calibration drifts",
        severity="medium", owner=owner, due_on=in_days(20),
    )  # fmt: skip
    request.refresh_from_db()
    return request


def word_file(response) -> docx.document.Document:
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES["docx"]
    return docx.Document(io.BytesIO(response.content))


def headings(document: docx.document.Document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_model_documentation_reads_back_with_its_sections_and_tables(
    client, classified_model, owner, developer
):
    services.register_version(actor=developer, model=classified_model, version="1.0")
    client.force_login(owner)
    document = word_file(client.get(reverse("reports:model-documentation", args=["retail-pd"])))
    assert headings(document) == [
        "Model documentation: Retail PD scorecard", "Inventory record", "Intended purpose",
        "Accountability", "Versions", "Training data", "Risk classification", "Obligations",
    ]  # fmt: skip
    record, raci, versions, risk, obligations = (table_rows(t) for t in document.tables)
    assert "No training data is recorded for these versions." in [
        p.text for p in document.paragraphs
    ]
    assert ["Owner", "Olivia Owner"] in record
    assert ["Validation", "Responsible", "Vera Validator"] in raci
    assert versions[1][0] == "1.0"
    assert ["Model risk tier", "Tier 3 (low)"] in risk
    controls = Control.objects.filter(model=classified_model, applies=True)
    assert len(obligations) == controls.count() + 1
    assert {row[3] for row in obligations[1:]} == {"Evidenced"}
    properties = document.core_properties
    assert (properties.author, properties.title) == (
        "Attest",
        "Model documentation: Retail PD scorecard",
    )
    newest = max(c.updated_at for c in controls)
    assert properties.created == properties.modified >= newest.replace(microsecond=0)


def test_the_same_records_give_the_same_document(client, classified_model, owner):
    client.force_login(owner)
    url = reverse("reports:model-documentation", args=["retail-pd"])
    first, second = (zipfile.ZipFile(io.BytesIO(client.get(url).content)) for _ in range(2))
    for part in ("word/document.xml", "docProps/core.xml"):
        assert first.read(part) == second.read(part)


def test_validation_report_reads_back_with_sign_offs_conditions_and_findings(
    client, validation_request, auditor
):
    client.force_login(auditor)
    url = reverse("reports:validation-report", args=[validation_request.pk])
    document = word_file(client.get(url))
    assert headings(document) == [
        "Validation report: Retail PD scorecard 1.0", "Scope", "Scope statement",
        "Evidence reviewed", "Tests and results", "Metrics", "Checks", "Findings", "Conclusion",
        "Validator's conclusion", "Decision", "Sign-offs", "What the approval covered",
    ]  # fmt: skip
    cover, scope, evidence, found, conditions, sign_offs, snapshot = (
        table_rows(t) for t in document.tables
    )
    assert ["State", "Approved with conditions"] in cover
    assert ["Model risk tier", "Tier 3 (low)"] in scope
    assert {row[3] for row in evidence[1:]} == {"Evidenced"}
    assert ["Model risk tier", "Retail PD scorecard", "Tier 3 (low)"] in [r[:3] for r in snapshot]
    assert sign_offs[1][:3] == [
        "Independent validator",
        "Vera Validator",
        "Approve with conditions",
    ]
    assert conditions[1][0] == "Monthly back-test report to the committee"
    assert found[1][1:4] == ["Calibration drifts", "Medium", "Open"]
    assert f"snapshot SHA-256 {validation_request.snapshot_sha256}" in "\n".join(
        p.text for p in document.paragraphs
    )


def test_documents_of_models_the_reader_may_not_see_are_404(client, validation_request, outsider):
    client.force_login(outsider)
    assert client.get(reverse("reports:model-documentation", args=["retail-pd"])).status_code == 404
    url = reverse("reports:validation-report", args=[validation_request.pk])
    assert client.get(url).status_code == 404


def test_a_validation_report_is_only_for_validation_requests(client, two_models, owner):
    ApprovalRequest.objects.filter(model__slug="retail-pd").update(
        gate="deployment", environment="production"
    )
    request = ApprovalRequest.objects.get(model__slug="retail-pd")
    client.force_login(owner)
    assert client.get(reverse("reports:validation-report", args=[request.pk])).status_code == 404


def test_word_cells_hold_text_xml_cannot_and_empty_tables_say_so():
    document = word.Document(
        title="T", subtitle="S", as_of=datetime(2026, 1, 1, tzinfo=UTC),
        sections=(word.Section("Findings", (word.Grid(("A",), ()), word.Facts((("Note", "a\x0bb"),)))),),
    )  # fmt: skip
    read = docx.Document(io.BytesIO(word.to_docx(document)))
    assert "None recorded." in [p.text for p in read.paragraphs]
    assert table_rows(read.tables[0]) == [["Note", "a\ufffdb"]]
    assert read.core_properties.created == datetime(2026, 1, 1, tzinfo=UTC)
