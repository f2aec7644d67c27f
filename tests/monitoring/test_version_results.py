"""What a version's page and read API show of its pushes: one rule for the latest result."""

import pytest

from monitoring.models import DriftResult, FairnessResult
from monitoring.selectors import pages, versions
from registry.models import ModelVersion
from tests.monitoring.pushes import WHEN, full_bundle, push


@pytest.fixture
def version(developer, credit_pd_model) -> ModelVersion:
    assert push(developer, full_bundle()).status_code == 201
    return ModelVersion.objects.get(model=credit_pd_model, version="7")


def test_of_two_results_evaluated_at_once_the_one_received_last_is_latest(developer, version):
    assert push(developer, full_bundle(WHEN)).status_code == 201  # the same instant, again
    first, second = DriftResult.objects.filter(version=version).order_by("pk")
    # Received later but with a lower id: received time decides before the id does.
    DriftResult.objects.filter(pk=first.pk).update(
        recorded_at=second.recorded_at.replace(year=2027)
    )

    assert versions.results(version, "drift").first() == first
    known_at = first.recorded_at.replace(year=2028)
    assert pages.drift_bars(version, [], known_at)[0] == first


def test_equal_evaluated_and_received_times_fall_back_to_the_highest_id(developer, version):
    assert push(developer, full_bundle(WHEN)).status_code == 201
    rows = FairnessResult.objects.filter(version=version)
    rows.update(recorded_at=rows.first().recorded_at)

    assert versions.results(version, "fairness").first() == rows.order_by("-pk").first()


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        ("drift", lambda r: r.columns[0]["column"]),
        ("fairness", lambda r: r.summary["sensitive"]),
        ("validation", lambda r: r.suite),
        ("evaluation", lambda r: r.suite),
    ],
)
def test_each_kind_is_listed_with_its_batch(version, kind, shown):
    found = versions.version_results(version)
    listed = getattr(found, kind)

    assert listed.total == 1
    assert shown(listed.rows[0]) in ("income", ["sex"], "loan_book_checks", "holdout")
    assert listed.rows[0].batch is not None


def test_metrics_are_summarised_per_name_with_the_latest_value(version):
    found = {m.name: m for m in versions.metric_summaries(version)}

    assert set(found) == {"auc", "log_loss"}
    assert (found["auc"].points, found["auc"].latest_value) == (2, 0.8123456)
    assert versions.version_results(version).series[0].name == "auc"


def test_the_page_data_reads_a_fixed_number_of_queries(
    developer, version, django_assert_max_num_queries
):
    for day in range(2, 5):
        assert push(developer, full_bundle(f"2026-11-0{day}T09:00:00+00:00")).status_code == 201
    with django_assert_max_num_queries(10):
        versions.version_results(version)


def test_the_version_page_shows_each_expectations_rule_and_what_it_found(
    client, developer, version
):
    client.force_login(developer)

    page = client.get(version.get_absolute_url()).content.decode()

    table = page[page.index('id="validation-expectations"') :]
    assert "Expect column mean to be between" in table
    assert "min value 18 · max value 100" in table
    assert "observed 131.5" in table
    assert "Not met" in table
