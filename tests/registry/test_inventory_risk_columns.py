"""The inventory list shows each model's risk tier and EU AI Act category in force, in words."""

import pytest
from django.urls import reverse

from governance.rulebooks import services as rulebooks
from tests.factories.registry import MLModelFactory
from tests.risk_answers import EU_CREDIT_SCORING, TIER_1, US_BANK_SCORECARD, assess

LIST = reverse("registry:model-list")


@pytest.fixture
def assessed(owner, credit_pd_model, lending):
    """The retail PD model tiered Tier 1; its loan-decisions use case classified high risk."""
    rulebooks.load_shipped()
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    assess(owner, credit_pd_model, "tiering", TIER_1)
    assess(owner, lending, "eu_ai_act", EU_CREDIT_SCORING)
    return credit_pd_model


def row_of(body: str, name: str) -> str:
    return body.split(f">{name}</a>", 1)[1].split("</tr>", 1)[0]


def test_the_list_shows_tier_and_category_labels_not_codes(client, auditor, assessed):
    MLModelFactory(name="Unassessed model")
    client.force_login(auditor)
    body = client.get(LIST).content.decode()
    assert "<th" in body and "Risk tier" in body and "EU AI Act" in body
    row = row_of(body, "Retail PD scorecard")
    assert "Tier 1 (high)" in row and "tier_1" not in row
    assert "High risk: Annex III (Art. 6(2))" in row
    row = row_of(body, "Unassessed model")
    assert "Not tiered" in row and "Not classified" in row


def test_the_columns_cost_no_query_per_row(
    client, auditor, assessed, django_assert_max_num_queries
):
    client.force_login(auditor)
    client.get(LIST)
    with django_assert_max_num_queries(20) as few:
        client.get(LIST)
    for n in range(5):
        MLModelFactory(name=f"Extra {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)
