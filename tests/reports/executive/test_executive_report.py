"""The monthly executive report as a PDF, on a small portfolio built through the services.

The retail PD scorecard is registered on 3 September 2026 and tiered (Tier 3). A validator
raises a high finding on 20 September, closed on 3 October, and a medium one on 15 October, due
on the 25th and still open when October ends; so September and October differ in open and
overdue findings and in the top risks. The clock then stands on 2 November.
"""

import hashlib
import io
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from pypdf import PdfReader

from governance import roles
from governance.auditlog.models import AuditEvent
from governance.findings import services as findings
from governance.findings.models import Finding
from reports.executive import render, selectors, services, tasks
from reports.models import TASK_TIME_LIMIT, ExecutiveReport
from tests.factories.accounts import UserFactory
from tests.reports.conftest import load_rulebooks
from tests.risk_answers import TIER_3, US_BANK_SCORECARD, assess

pytestmark = pytest.mark.django_db

DASHBOARD, GENERATE, DOWNLOAD, STATUS = (
    "/reports/dashboard/",
    "/reports/dashboard/report/generate/",
    "/reports/dashboard/report/",
    "/reports/dashboard/report/status/",
)
SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)
Status = ExecutiveReport.Status


def on(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(settings, tmp_path):
    """Files go to a temporary folder; the portfolio is built from 3 September 2026."""
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(on(9, 3), tick=False) as traveller:
        yield traveller


@pytest.fixture
def erin(db):
    """Erin, an executive: reads the dashboard and receives the monthly report."""
    return UserFactory(username="erin", email="erin@bank.example", roles=[roles.EXECUTIVE])


@pytest.fixture
def portfolio(clock, owner, validator, credit_pd_model) -> None:
    load_rulebooks()
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    assess(owner, credit_pd_model, "tiering", TIER_3)

    def raise_finding(title: str, severity: str, due_on: date) -> Finding:
        return findings.raise_finding(
            actor=validator, model=credit_pd_model, title=title, severity=severity,
            owner=owner, due_on=due_on,
        )  # fmt: skip

    clock.move_to(on(9, 20))
    window = raise_finding("Back-test window too short", Finding.Severity.HIGH, date(2026, 10, 10))
    clock.move_to(on(10, 3))
    findings.close_finding(actor=validator, finding=window, resolution="Window extended")
    clock.move_to(on(10, 15))
    raise_finding("Stale reject inference", Finding.Severity.MEDIUM, date(2026, 10, 25))
    clock.move_to(on(11, 2))


def pdf_text(pdf: bytes) -> str:
    """The PDF's text on one line, as a reader would search it."""
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


def test_the_pdf_holds_every_figure_with_its_previous_month_and_change(portfolio):
    report = selectors.figures(OCTOBER)
    assert report.figure("findings_overdue").series[-2:] == (0, 1)  # the fixture is as described
    text = pdf_text(render.render_report(OCTOBER))
    assert text.startswith("Model portfolio report: October 2026")
    for figure in report.figures:
        row = " ".join(filter(None, (figure.label, figure.shown, figure.shown_previous)))
        assert row in text, figure.key
        assert figure.shown_change in text and figure.definition in text
    for breakdown in report.breakdowns:
        assert breakdown.label in text
        for row in breakdown.rows:
            assert f"{row.label} {row.shown} {row.shown_previous}" in text
    assert "1. Retail PD scorecard" in text and report.ranking in text


class _Text(HTMLParser):
    """A page's text as a reader sees it: no markup, no script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def pdftotext(pdf: bytes, folder: Path) -> str:
    """The PDF's text as poppler's pdftotext reads it, on one line."""
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    command = [shutil.which("pdftotext") or "pdftotext", str(path), "-"]
    shown = subprocess.run(command, capture_output=True, check=True, text=True)  # noqa: S603 - fixed arguments
    return " ".join(shown.stdout.split())


INTERNAL_CODE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b|\b[a-z]+:[a-z_*\[]+")


def test_the_dashboard_and_the_pdf_open_on_status_narrative_and_maturity_in_words(
    portfolio, client, erin, tmp_path
):
    report = selectors.figures(OCTOBER)
    (unit,) = report.maturity
    client.force_login(erin)
    html = page_text(client.get(DASHBOARD, {"month": "2026-10"}).content.decode())
    pdf = pdftotext(render.render_report(OCTOBER), tmp_path)
    for text in (html, pdf):
        assert "Portfolio status: Amber" in text
        assert "Amber because 1 finding is overdue." in text
        assert "What needs a decision" in text and "What got worse since September" in text
        assert "Overdue findings rose from 0 to 1." in text
        assert "MLOps maturity by business unit" in text
        level = unit.assessment
        assert unit.business_unit in text and f"Level {level.level} {level.label}" in text
        assert "Retail PD scorecard" in text and "Top risks at the end of October 2026" in text
        assert "No data for this month" in text
        assert INTERNAL_CODE.findall(text) == []


def test_a_month_generated_again_later_gives_the_same_bytes(portfolio, clock, erin):
    first = services.generate_report(month=OCTOBER, actor=erin)
    first_pdf = first.file.read()
    clock.move_to(on(12, 9))
    again = services.generate_report(month=date(2026, 10, 17), actor=None)
    assert again.pk == first.pk and again.month == OCTOBER
    assert again.file.read() == first_pdf
    assert again.sha256 == first.sha256 and again.size == len(first_pdf)
    assert again.generated_by is None
    events = AuditEvent.objects.filter(verb="executive_report.generated").order_by("seq")
    assert [(e.actor_name, e.after["sha256"]) for e in events] == [
        ("erin", first.sha256),
        ("system", first.sha256),
    ]


def test_beat_reports_last_month_to_the_executive_group(portfolio, clock, erin):
    UserFactory(username="former", roles=[roles.EXECUTIVE], is_active=False)
    UserFactory(username="bystander", roles=[roles.AUDITOR])
    clock.move_to(datetime(2026, 11, 1, 6, 0, tzinfo=UTC))
    assert tasks.monthly_executive_report.delay().get() == "2026-10 ready, sent to 1"
    stored = ExecutiveReport.objects.get()
    [message] = mail.outbox
    assert message.to == ["erin@bank.example"]
    assert message.subject == "Model portfolio report: October 2026"
    assert f"{settings.ATTEST_BASE_URL}/reports/dashboard/?month=2026-10" in message.body
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("executive-report-2026-10.pdf", "application/pdf")
    assert content == stored.file.read()


def events(verb: str) -> list[tuple[str, dict]]:
    return [
        (event.actor_name, event.after)
        for event in AuditEvent.objects.filter(verb=verb).order_by("seq")
    ]


def test_a_past_month_asked_for_on_the_page_is_drawn_and_downloaded(
    client, portfolio, erin, django_capture_on_commit_callbacks
):
    client.force_login(erin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(GENERATE, {"month": "2026-09"})
    assert response.status_code == 302 and response.url == f"{DASHBOARD}?month=2026-09"
    stored = ExecutiveReport.objects.get(month=SEPTEMBER)
    assert (stored.status, stored.requested_by, stored.generated_by) == (Status.READY, erin, erin)
    page = client.get(response.url).content.decode()
    assert "Regenerate PDF" in page and f"{DOWNLOAD}?month=2026-09" in page
    assert stored.sha256 in page and 'hx-trigger="every 2s"' not in page
    download = client.get(DOWNLOAD, {"month": "2026-09"})
    assert download["Content-Disposition"] == 'attachment; filename="executive-report-2026-09.pdf"'
    pdf = stored.file.read()
    assert b"".join(download.streaming_content) == pdf
    assert "Model portfolio report: September 2026" in pdf_text(pdf)
    assert events("executive_report.downloaded") == [
        ("erin", {"month": "2026-09-01", "sha256": stored.sha256})
    ]


def test_a_request_is_queued_then_drawn_for_the_one_who_asked(
    portfolio, erin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        report = services.request_report(actor=erin, month=date(2026, 10, 17))
    assert (report.month, report.status, report.requested_by) == (OCTOBER, Status.QUEUED, erin)
    assert not report.file and len(queued) == 1
    queued[0]()
    report.refresh_from_db()
    assert (report.status, report.generated_by) == (Status.READY, erin)
    pdf = report.file.read()
    assert report.sha256 == hashlib.sha256(pdf).hexdigest() and report.size == len(pdf)
    assert events("executive_report.requested") == [
        ("erin", {"month": "2026-10-01", "reused": False})
    ]
    assert events("executive_report.generated") == [
        ("erin", {"month": "2026-10-01", "status": "ready", "sha256": report.sha256,
                  "size": len(pdf), "generated_at": "2026-11-02T12:00:00+00:00"}),
    ]  # fmt: skip


@pytest.mark.parametrize("status", [Status.QUEUED, Status.RUNNING])
def test_asking_for_a_month_on_its_way_reuses_that_request(
    portfolio, erin, auditor, status, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        first = services.request_report(actor=erin, month=OCTOBER)
        ExecutiveReport.objects.filter(pk=first.pk).update(status=status)
        again = services.request_report(actor=auditor, month=OCTOBER)
    assert (again.pk, again.status, again.requested_by) == (first.pk, status, erin)
    assert len(queued) == 1
    assert [after["reused"] for _, after in events("executive_report.requested")] == [False, True]


def test_a_request_lost_for_longer_than_the_task_may_run_is_queued_again(
    portfolio, clock, erin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        services.request_report(actor=erin, month=OCTOBER)
        clock.shift(TASK_TIME_LIMIT - timedelta(minutes=1))
        services.request_report(actor=erin, month=OCTOBER)
        clock.shift(timedelta(minutes=2))
        again = services.request_report(actor=erin, month=OCTOBER)
    assert len(queued) == 2 and again.status == Status.QUEUED
    assert [after["reused"] for _, after in events("executive_report.requested")] == [
        False, True, False
    ]  # fmt: skip


def test_a_ready_month_asked_again_keeps_its_file_until_the_new_one_is_stored(
    client, portfolio, erin, django_capture_on_commit_callbacks
):
    first = services.generate_report(month=OCTOBER)
    first_pdf, first_name = first.file.read(), first.file.name
    client.force_login(erin)
    with django_capture_on_commit_callbacks() as queued:
        client.post(GENERATE, {"month": "2026-10"})
    waiting = ExecutiveReport.objects.get()
    assert (waiting.status, waiting.sha256, waiting.file.name) == (
        Status.QUEUED, first.sha256, first_name
    )  # fmt: skip
    assert 'hx-trigger="every 2s"' in client.get(STATUS, {"month": "2026-10"}).content.decode()
    assert b"".join(client.get(DOWNLOAD, {"month": "2026-10"}).streaming_content) == first_pdf
    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()
    again = ExecutiveReport.objects.get()
    assert (again.status, again.generated_by) == (Status.READY, erin)
    assert again.file.name != first_name and again.file.read() == first_pdf
    assert not default_storage.exists(first_name)


def test_a_failed_render_ends_failed_with_its_error_and_keeps_the_last_file(
    client, portfolio, erin, monkeypatch, django_capture_on_commit_callbacks
):
    first = services.generate_report(month=OCTOBER)
    monkeypatch.setattr(render, "TEMPLATE", "reports/executive/pdf/no-such-report.html")
    client.force_login(erin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(GENERATE, {"month": "2026-10"})
    failed = ExecutiveReport.objects.get()
    assert (failed.status, failed.error) == (
        Status.FAILED,
        "reports/executive/pdf/no-such-report.html",
    )
    assert (failed.sha256, failed.file.name) == (first.sha256, first.file.name)
    fragment = client.get(STATUS, {"month": "2026-10"}, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "Failed</span> reports/executive/pdf/no-such-report.html" in html
    assert "Download the previous PDF" in html and 'hx-trigger="every 2s"' not in html
    assert len(events("executive_report.generated")) == 1
    assert events("executive_report.failed") == [
        ("erin", {"month": "2026-10-01", "error": "reports/executive/pdf/no-such-report.html"})
    ]


def test_only_those_who_read_the_portfolio_may_ask_for_the_report(portfolio, owner, erin):
    with pytest.raises(PermissionDenied):
        services.request_report(actor=owner, month=OCTOBER)
    erin.is_active = False
    with pytest.raises(PermissionDenied):
        services.request_report(actor=erin, month=OCTOBER)
    assert not ExecutiveReport.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="executive_report.").exists()


def test_the_regenerate_task_draws_the_month_it_is_given(portfolio):
    assert tasks.regenerate_executive_report.delay("2026-09-01").get() == "ready"
    stored = ExecutiveReport.objects.get()
    assert (stored.month, stored.requested_by, stored.generated_by) == (SEPTEMBER, None, None)


def test_a_running_month_has_no_report(client, erin):
    client.force_login(erin)
    response = client.post(GENERATE, {"month": "2026-09"}, follow=True)
    assert "No report: September 2026 has not ended yet." in response.content.decode()
    assert not ExecutiveReport.objects.exists()
    assert client.get(DOWNLOAD, {"month": "2026-08"}).status_code == 404


@pytest.mark.parametrize("persona", ["owner", "developer", "outsider"])
def test_those_who_may_not_read_the_portfolio_get_403(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(GENERATE, {"month": "2026-08"}).status_code == 403
    assert client.get(STATUS, {"month": "2026-08"}).status_code == 403
    assert client.get(DOWNLOAD, {"month": "2026-08"}).status_code == 403
    assert not ExecutiveReport.objects.exists()


def test_executives_read_the_dashboard(client, erin):
    client.force_login(erin)
    assert client.get(DASHBOARD).status_code == 200


def test_beat_runs_the_report_at_six_on_the_first_of_each_month():
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-executive-report"]
    assert entry["task"] == tasks.monthly_executive_report.name
    assert entry["schedule"] == crontab(day_of_month=1, hour=6, minute=0)
