"""A provisional EU AI Act result (answers "not known yet", rules version 5 on): the result page,
the validator's review, the model and use case pages, the API and the evidence pack say so and
name the open questions in words."""

import csv
import datetime as dt
import io

import docx
import pytest
import time_machine
from django.urls import reverse

from governance.risk.forms import question_field
from governance.risk.models import RiskAssessment
from governance.risk.rules.results import Question
from reports.packs import assembly
from tests.risk_answers import EU_CREDIT_SCORING, assess

pytestmark = pytest.mark.usefixtures("shipped_rulebooks", "evidence_storage")
# Rules version 5 takes effect on 9 Dec 2026.
AFTER_V5 = dt.datetime(2026, 12, 10, 9, tzinfo=dt.UTC)
USE_CASE_NOT_SETTLED = {
    **EU_CREDIT_SCORING,
    "annex_iii_point": ["unknown"],
    "profiles_natural_persons": False,
    "public_service_deployer": "unknown",
}
OPEN_IN_WORDS = (
    "Which uses listed in those areas is it intended for?",
    "Is the organisation that deploys it a body governed by public law",
)


@pytest.fixture(autouse=True)
def after_version_5():
    with time_machine.travel(AFTER_V5):
        yield


@pytest.fixture
def provisional(owner, lending) -> RiskAssessment:
    return assess(owner, lending, "eu_ai_act", USE_CASE_NOT_SETTLED)


def result_url() -> str:
    return reverse("risk:usecase-result", args=["loan-decisions", "eu_ai_act"])


def test_a_provisional_result_says_so_and_lists_the_open_questions_in_words(
    client, owner, provisional
):
    assert provisional.rulebook.version == 5
    client.force_login(owner)
    page = client.get(result_url()).content.decode()
    assert "Provisional." in page and 'id="provisional"' in page
    assert all(text in page for text in OPEN_IN_WORDS)
    assert "annex_iii_point" not in page.split('id="provisional"')[1].split("</div>")[0]
    questionnaire = reverse("risk:usecase-questionnaire", args=["loan-decisions", "eu_ai_act"])
    assert f'href="{questionnaire}">Answer them in the questionnaire' in page


def test_the_validator_sees_the_open_questions_beside_the_review(client, validator, provisional):
    client.force_login(validator)
    page = client.get(result_url()).content.decode()
    review = page.split('id="review-open-questions"')[1].split("</div>")[0]
    assert all(text in review for text in OPEN_IN_WORDS)


def test_the_model_page_and_the_use_case_page_mark_the_category_provisional(
    client, owner, provisional, credit_pd_model
):
    client.force_login(owner)
    for page in (credit_pd_model.get_absolute_url(), provisional.use_case.get_absolute_url()):
        text = client.get(page).content.decode()
        assert "High risk: Annex III (Art. 6(2))" in text
        assert '<span class="badge text-bg-warning">Provisional</span>' in text


def test_the_api_exposes_provisional_and_the_open_questions(api_client, auditor, provisional):
    listed = api_client(auditor).get("/api/v1/use-cases/loan-decisions/assessments/").json()
    found = listed["results"][0]
    assert found["provisional"] is True
    assert found["open_questions"] == ["annex_iii_point", "public_service_deployer"]


def test_a_settled_result_is_not_provisional_anywhere(api_client, client, owner, lending):
    assess(owner, lending, "eu_ai_act", EU_CREDIT_SCORING)
    found = api_client(owner).get("/api/v1/use-cases/loan-decisions/assessments/").json()
    assert found["results"][0]["provisional"] is False
    client.force_login(owner)
    assert "Provisional" not in client.get(result_url()).content.decode()


def test_the_evidence_pack_marks_the_category_provisional(provisional, credit_pd_model):
    risk = assembly.risk(credit_pd_model, AFTER_V5 + dt.timedelta(hours=1))
    assert risk["eu_provisional"] is True
    eu = next(a for a in risk["in_force"] if a["framework"] == "EU AI Act")
    assert len(eu["open_questions"]) == 2
    assert eu["open_questions"][0].startswith(OPEN_IN_WORDS[0])


def test_not_known_yet_is_offered_and_saved_from_the_questionnaire(client, owner, lending):
    client.force_login(owner)
    answers = reverse("risk:usecase-answers", args=["loan-decisions", "eu_ai_act"])
    client.post(answers, {"shown": ["role", "eu_link"], "role": "deployer", "eu_link": "unknown"})
    page = client.get(
        reverse("risk:usecase-questionnaire", args=["loan-decisions", "eu_ai_act"])
    ).content.decode()
    draft = RiskAssessment.objects.get(use_case=lending, status="draft")
    assert draft.answers["eu_link"] == "unknown"
    assert 'value="unknown" checked' in page and "Not known yet" in page


@pytest.mark.parametrize(
    ("posted", "parsed"), [("unknown", "unknown"), ("2.5e24", 2.5e24), ("", None)]
)
def test_a_number_question_takes_a_number_or_not_known_yet(posted, parsed):
    field = question_field(Question("compute", "How much?", "number", unknown=True))
    assert field.clean(posted) == parsed


def test_the_inventory_register_and_the_model_documentation_mark_the_category_provisional(
    client, owner, credit_pd_model, provisional
):
    client.force_login(owner)
    csv_file = client.get(reverse("reports:register-export", args=["inventory", "csv"]))
    rows = list(csv.DictReader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    (row,) = [row for row in rows if row["Slug"] == credit_pd_model.slug]
    assert row["EU AI Act category"].endswith(" (provisional)")
    document = client.get(reverse("reports:model-documentation", args=[credit_pd_model.slug]))
    cells = [
        cell.text
        for table in docx.Document(io.BytesIO(document.content)).tables
        for row in table.rows
        for cell in row.cells
    ]
    assert any(text.endswith(" (provisional)") for text in cells)
