"""The executive dashboard on a small portfolio built through the services in September and
October 2026: the figures it shows, who may see it, and a past month read back unchanged.

The retail PD scorecard (Tier 3) is registered on 3 September, validated (submitted on the 10th,
approved on the 14th: 4 days), approved for production (submitted on the 20th, approved on
2 October: 12 days) and deployed on 5 October (32 days after its registration), when its owner
declares it in production. A validator raises a high finding on 20 September that is closed on
3 October, which opens the gate for that deployment. The support assistant, an LLM application, pushes a safety suite (380 of 400 cases)
and a quality suite (cost 0.0019 per request, the later of the two) on 19 and 20 October.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.findings import services as findings
from governance.findings.models import Finding
from monitoring.ingest.bundle import Bundle
from monitoring.services import ingestion
from registry import services
from registry.models import MLModel
from registry.services import deployments
from registry.services import models as model_services
from reports import kpis
from reports.executive import selectors
from reports.executive import services as executive
from tests.governance.approvals.conftest import approve, evidence_everything, submitted
from tests.reports.conftest import load_rulebooks
from tests.risk_answers import TIER_3, US_BANK_SCORECARD, assess

pytestmark = pytest.mark.django_db

URL, STATUS = "/reports/dashboard/", "/reports/dashboard/report/status/"
OCTOBER, SEPTEMBER, AUGUST = date(2026, 10, 1), date(2026, 9, 1), date(2026, 8, 1)
POLLING = f'hx-get="{STATUS}?month=2026-08" hx-trigger="every 2s"'


def on(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    """Every fixture below runs on 3 September 2026 unless it moves the clock on."""
    with time_machine.travel(on(9, 3), tick=False) as traveller:
        yield traveller


@dataclass
class Portfolio:
    september_as_it_closed: kpis.MonthlyFigures


def _register_assistant(owner) -> MLModel:
    model = services.register_model(
        actor=owner,
        slug="support-assistant",
        name="Support assistant",
        business_unit="Customer Operations",
        model_type=MLModel.ModelType.LLM_APPLICATION,
    )
    services.register_version(
        actor=owner, model=model, version="1.0", base_model="gpt-4o", provider="Azure OpenAI"
    )
    return model


def _push_evaluations(owner, assistant: MLModel) -> None:
    suites = [
        {"evaluated_at": on(10, 19).isoformat(), "suite": "jailbreak", "kind": "safety",
         "cases": 400, "passed": 380, "cost_per_request": 0.0021},
        {"evaluated_at": on(10, 20).isoformat(), "suite": "quality", "kind": "quality",
         "cases": 250, "passed": 240, "cost_per_request": 0.0019},
    ]  # fmt: skip
    bundle = Bundle.from_json({"source": "promptfoo", "evaluations": suites})
    ingestion.push_bundle(actor=owner, model=assistant, version="1.0", bundle=bundle)


@pytest.fixture
def portfolio(clock, owner, developer, validator, credit_pd_model) -> Portfolio:
    load_rulebooks()
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    assess(owner, credit_pd_model, "tiering", TIER_3)
    evidence_everything(owner, credit_pd_model)
    version = services.register_version(actor=developer, model=credit_pd_model, version="1.0")
    assistant = _register_assistant(owner)
    clock.move_to(on(9, 10))
    validation = submitted(owner, version, "validation")
    clock.move_to(on(9, 14))
    approve(validation, (validator, "validator"))
    clock.move_to(on(9, 20))
    deployment = submitted(owner, version, "deployment", "production")
    finding = findings.raise_finding(
        actor=validator,
        model=credit_pd_model,
        title="Back-test window too short",
        severity=Finding.Severity.HIGH,
        owner=owner,
        due_on=date(2026, 10, 10),
    )
    clock.move_to(on(10, 1, hour=0) + timedelta(minutes=30))
    september = selectors.figures(SEPTEMBER, months=2)
    clock.move_to(on(10, 2))
    approve(deployment, (validator, "validator"))
    clock.move_to(on(10, 3))
    findings.close_finding(actor=validator, finding=finding, resolution="Window extended")
    clock.move_to(on(10, 5))
    deployments.record_deployment(actor=owner, version=version, environment="production")
    model_services.update_model(actor=owner, model=credit_pd_model, status="production")
    clock.move_to(on(10, 20, hour=18))
    _push_evaluations(owner, assistant)
    clock.move_to(on(11, 2))
    return Portfolio(september_as_it_closed=september)


def card(html: str, key: str) -> str:
    """The text of one figure's card on the page."""
    start = html.index(f'id="figure-{key}"')
    return html[start : html.index("</article>", start)]


def test_the_dashboard_shows_each_figure_with_its_change(client, committee_member, portfolio):
    client.force_login(committee_member)
    response = client.get(URL, {"month": "2026-10"})
    assert response.status_code == 200
    html = response.content.decode()
    report = response.context["report"]
    assert report.period.month == OCTOBER
    expected = {
        "inventory": (2, "2", "±0"),
        "in_production": (1, "1", "+1"),
        "shipped": (1, "1", "+1"),
        "time_to_production": (32.0, "32.0 days", ""),
        "decisions": (1, "1", "±0"),
        "approval_cycle": (12.0, "12.0 days", "+8.0 days"),
        "findings_open": (0, "0", "-1"),
        "cost_per_request": (0.0019, "0.0019", ""),
        "safety_pass_rate": (0.95, "95.0%", ""),
    }
    for key, (value, shown, change) in expected.items():
        assert report.figure(key).value == value, key
        assert shown in card(html, key) and change in card(html, key)
    assert 'aria-label="Approval cycle time by month: May no data, ' in html
    assert "Sep 4.0 days, Oct 12.0 days" in card(html, "approval_cycle")


def test_the_breakdowns_read_each_model_as_it_stood_at_the_months_end(client, auditor, portfolio):
    client.force_login(auditor)
    report = client.get(URL, {"month": "2026-10"}).context["report"]
    status = {row.key: (row.previous, row.value) for row in report.breakdown("status").rows}
    assert status == {
        "development": (2, 1),
        "validation": (0, 0),
        "production": (0, 1),
        "retired": (0, 0),
    }
    tiers = {row.label: row.value for row in report.breakdown("tier").rows}
    assert tiers == {"Tier 1 (high)": 0, "Tier 2 (medium)": 0, "Tier 3 (low)": 1, "Not tiered": 1}
    units = {row.label: row.value for row in report.breakdown("business_unit").rows}
    assert units == {"Customer Operations": 1, "Retail Credit": 1}


def test_a_past_month_reads_the_same_after_later_changes(portfolio):
    assert selectors.figures(SEPTEMBER, months=2) == portfolio.september_as_it_closed
    september = portfolio.september_as_it_closed
    assert september.figure("findings_open").value == 1
    assert [(r.slug, r.reasons) for r in september.top_risks] == [
        ("retail-pd", ("1 high finding open",))
    ]


def test_the_figures_take_the_same_number_of_queries_for_more_models(portfolio, owner):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.gather(OCTOBER, months=6)
        return len(captured)

    before = queries()
    for n in range(5):
        model = services.register_model(
            actor=owner, slug=f"extra-{n}", name=f"Extra {n}", business_unit="Markets",
            model_type=MLModel.ModelType.CLASSICAL_ML,
        )  # fmt: skip
        services.register_version(actor=owner, model=model, version="1.0")
    assert queries() == before


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("committee_member", 200),
        ("auditor", 200),
        ("validator", 200),
        ("admin_user", 200),
        ("owner", 403),
        ("developer", 403),
        ("outsider", 403),
    ],
)
def test_only_those_who_read_every_model_see_the_portfolio(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("month", ["2026-13", "October", "2026-12"])
def test_a_malformed_or_future_month_is_a_bad_request(client, auditor, month):
    client.force_login(auditor)
    assert client.get(URL, {"month": month}).status_code == 400


def test_without_a_month_the_last_complete_one_is_shown(client, auditor):
    client.force_login(auditor)
    report = client.get(URL).context["report"]
    assert report.period.month == date(2026, 8, 1)  # the clock says 3 September
    assert report.period.complete and len(report.periods) == selectors.TREND_MONTHS


def test_a_queued_report_shows_a_spinner_and_polls_for_its_progress(
    client, auditor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # no worker has picked it up yet
        executive.request_report(actor=auditor, month=AUGUST)
    client.force_login(auditor)
    fragment = client.get(STATUS, {"month": "2026-08"}, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert POLLING in html and "spinner-border" in html
    assert f"Queued: the PDF is being generated for {auditor}." in html
    assert "report-download" not in html and "Generate PDF" in html
    assert POLLING in client.get(URL, {"month": "2026-08"}).content.decode()


def test_a_ready_report_shows_its_link_and_hash_and_stops_polling(
    client, auditor, pack_media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = executive.request_report(actor=auditor, month=AUGUST)
    report.refresh_from_db()
    client.force_login(auditor)
    html = client.get(STATUS, {"month": "2026-08"}, headers={"HX-Request": "true"}).content.decode()
    assert 'href="/reports/dashboard/report/?month=2026-08"' in html and "Download PDF" in html
    assert report.sha256 in html and f"by {auditor}" in html and "Regenerate PDF" in html
    assert "hx-trigger" not in html and "spinner-border" not in html


def test_a_month_never_asked_for_shows_no_status(client, auditor):
    client.force_login(auditor)
    html = client.get(STATUS, {"month": "2026-08"}).content.decode()
    assert 'id="report-status"' in html and "hx-trigger" not in html and "Download" not in html
