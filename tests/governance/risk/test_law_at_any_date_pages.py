"""The law at any date on the result page, the "as of" page, the API and the evidence pack:
in force is read for the day viewed, whatever an old stored outcome says."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.risk import selectors as risk_selectors
from governance.risk.models import RiskAssessment
from reports.packs import assembly
from tests.api_errors import error_fields
from tests.factories.accounts import UserFactory
from tests.risk_answers import EU_CREDIT_SCORING, US_BANK_SCORECARD, assess

pytestmark = pytest.mark.usefixtures("shipped_rulebooks")
AS_OF_API = "/api/v1/use-cases/loan-decisions/assessments/eu_ai_act/as-of/"


def as_of_page(day: str = "") -> str:
    path = reverse("risk:usecase-as-of", args=["loan-decisions", "eu_ai_act"])
    return f"{path}?date={day}" if day else path


def stale(assessment: RiskAssessment) -> RiskAssessment:
    """The outcome as Attest stored it before in force was worked out when read: every label
    flagged "not yet", frozen on the day it was assessed."""
    outcome = assessment.outcome
    flags = dict.fromkeys(outcome["details"]["applies_from"], False)
    outcome["details"]["in_force"] = flags
    RiskAssessment.objects.filter(pk=assessment.pk).update(outcome=outcome)
    return RiskAssessment.objects.get(pk=assessment.pk)


@pytest.fixture
def classified(owner, lending) -> RiskAssessment:
    return stale(assess(owner, lending, "eu_ai_act", EU_CREDIT_SCORING))


def test_the_result_page_reads_in_force_for_today_not_as_stored(client, auditor, classified):
    client.force_login(auditor)
    page = client.get(reverse("risk:usecase-result", args=["loan-decisions", "eu_ai_act"]))
    in_force = next(row for row in page.context["details"] if row.label == "In force")
    assert ("AI literacy (Art. 4)", "Yes") in in_force.pairs  # from 2 Feb 2025: it has passed
    assert "Classify as of" in page.content.decode()


def test_the_as_of_page_shows_the_result_then_and_what_differs_today(client, auditor, classified):
    client.force_login(auditor)
    page = client.get(as_of_page("2026-08-01"))
    found = page.context["found"]
    assert found.then.rulebook.version == 2
    text = page.content.decode()
    assert "High risk: Annex III (Art. 6(2))" in text and "Not yet" in text
    assert "Art. 6(2)" in text and "Compared with today" in text
    assert "high_risk_annex_iii" not in text
    assert not RiskAssessment.objects.exclude(pk=classified.pk).exists()


def test_the_as_of_page_explains_a_date_before_any_rules_and_a_bad_date(
    client, auditor, classified
):
    client.force_login(auditor)
    before = client.get(as_of_page("2024-07-01"))
    assert (
        before.status_code == 200
        and "the first took effect on 1 August 2024" in (before.context["problem"])
    )
    bad = client.get(as_of_page("2026-13-40"))
    assert bad.status_code == 200 and "date" in bad.context["form"].errors


def test_who_may_not_read_the_result_may_not_classify_as_of_a_date(client, classified):
    nobody = UserFactory(username="nobody", roles=[])
    client.force_login(nobody)
    result = client.get(reverse("risk:usecase-result", args=["loan-decisions", "eu_ai_act"]))
    assert client.get(as_of_page("2026-08-01")).status_code == result.status_code == 403


def test_the_api_classifies_as_of_a_date_and_lists_what_differs(api_client, auditor, classified):
    response = api_client(auditor).get(AS_OF_API, {"date": "2026-08-01"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["then"]["rulebook"]["version"], body["then"]["date"]) == (2, "2026-08-01")
    dates = {row["label"]: row for row in body["then"]["application_dates"]}
    assert dates["high_risk_annex_iii"]["applies_from"] == "2027-12-02"
    assert dates["high_risk_annex_iii"]["in_force"] is False
    assert dates["ai_literacy"]["in_force"] is True
    assert body["then"]["outcome"]["details"]["in_force"]["high_risk_annex_iii"] is False
    assert body["assessment"] == classified.pk and "changes" in body


@pytest.mark.parametrize(
    ("query", "field"),
    [({}, "date"), ({"date": "07/12/2026"}, "date"), ({"date": "2024-07-31"}, "date")],
    ids=["missing", "not_iso", "before_the_first_rules"],
)
def test_the_api_refuses_a_bad_date_naming_it(api_client, auditor, classified, query, field):
    response = api_client(auditor).get(AS_OF_API, query)
    assert response.status_code == 400
    assert error_fields(response) == [field]


def test_the_api_keeps_those_out_who_may_not_read_the_subject(
    api_client, outsider, owner, credit_pd_model, classified
):
    nobody = UserFactory(username="nobody", roles=[])
    assert api_client(nobody).get(AS_OF_API, {"date": "2026-08-01"}).status_code == 403
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    scoping = "/api/v1/models/retail-pd/assessments/scoping/as-of/"
    assert api_client(outsider).get(scoping, {"date": "2026-08-01"}).status_code == 404
    assert api_client(owner).get(scoping, {"date": "2026-08-01"}).status_code == 200
    tiering = api_client(owner).get(scoping.replace("scoping", "tiering"), {"date": "2026-08-01"})
    assert (tiering.status_code, error_fields(tiering)) == (400, ["framework"])


def test_the_api_reads_in_force_for_today_not_as_stored(api_client, auditor, classified):
    listed = api_client(auditor).get("/api/v1/use-cases/loan-decisions/assessments/").json()
    in_force = listed["results"][0]["outcome"]["details"]["in_force"]
    assert in_force["ai_literacy"] is True
    today = timezone.localdate().isoformat()
    assert in_force["high_risk_annex_iii"] is (today >= "2027-12-02")


@pytest.mark.parametrize(
    ("day", "applies"), [(date(2027, 12, 1), False), (date(2027, 12, 2), True)]
)
def test_the_pack_reads_in_force_on_its_own_date_not_as_stored(classified, day, applies):
    as_of = datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=12)
    found = risk_selectors.in_force_at(classified.use_case, "eu_ai_act")
    dates = {d["label"]: d for d in assembly.assessment_record(found, as_of)["application_dates"]}
    assert dates["high_risk_annex_iii"] == {
        "label": "high_risk_annex_iii",
        "applies_from": "2027-12-02",
        "in_force": applies,
    }
    assert dates["ai_literacy"]["in_force"] is True
