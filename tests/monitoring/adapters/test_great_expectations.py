"""The Great Expectations adapter reads results the installed Great Expectations 1.x writes."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from monitoring.adapters import great_expectations as adapter
from monitoring.ingest.bundle import Bundle, DatasetVersionRef, ExpectationResult
from monitoring.ingest.errors import BadInput

LOANS = {"dataset": "loan-book", "dataset_version": "2026-10"}


@pytest.fixture(scope="module")
def validation() -> dict[str, Any]:
    """A suite run on 25 loans: age is never null (passes), within 0..120 (one row fails).

    Great Expectations is imported here, not at the module's top: loading it takes seconds that
    every test process would pay at collection."""
    gx = pytest.importorskip("great_expectations")
    context = gx.get_context(mode="ephemeral")
    batch_definition = (
        context.data_sources.add_pandas("loans")
        .add_dataframe_asset("book")
        .add_batch_definition_whole_dataframe("all")
    )
    suite = context.suites.add(gx.ExpectationSuite(name="loan-book-checks"))
    suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="age"))
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToBeBetween(column="age", min_value=0, max_value=120)
    )
    # Every age occurs once, so all 25 tie as the most common value: a long observed list.
    suite.add_expectation(
        gx.expectations.ExpectColumnMostCommonValueToBeInSet(column="age", value_set=[20])
    )
    frame = pd.DataFrame({"age": [*range(20, 44), -3]})
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="nightly", data=batch_definition, suite=suite)
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(name="nightly", validation_definitions=[definition])
    )
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    checkpoint_result = checkpoint.run(batch_parameters={"dataframe": frame})
    return {
        "validated": json.dumps(batch.validate(suite).to_json_dict()).encode(),
        "run_results": [r.to_json_dict() for r in checkpoint_result.run_results.values()],
        "run_time": checkpoint_result.run_id.run_time,
        "described": checkpoint_result.describe().encode(),
    }


def results_by_type(bundle: Bundle) -> dict[str, ExpectationResult]:
    return {r.expectation: r for r in bundle.data_validation[0].results}


def test_failing_expectation_is_unsuccessful_with_its_unexpected_count(validation):
    bundle = adapter.read(validation["validated"], filename="result.json", options=LOANS)

    between = results_by_type(bundle)["expect_column_values_to_be_between"]
    assert between.success is False
    assert between.column == "age"
    assert between.observed["unexpected_count"] == 1
    assert between.observed["unexpected_percent"] == 4.0
    assert between.observed["element_count"] == 25
    assert "partial_unexpected_list" not in between.observed
    not_null = results_by_type(bundle)["expect_column_values_to_not_be_null"]
    assert (not_null.success, not_null.observed["unexpected_count"]) == (True, 0)


def test_validation_carries_suite_verdict_statistics_and_dataset(validation):
    bundle = adapter.read(validation["validated"], options=LOANS)

    check = bundle.data_validation[0]
    assert (check.suite, check.success, check.tool) == (
        "loan-book-checks",
        False,
        "great_expectations",
    )
    assert check.statistics["evaluated_expectations"] == 3
    assert check.dataset == DatasetVersionRef(dataset="loan-book", version="2026-10")
    assert bundle.source == "great-expectations"


def test_long_observed_value_is_cut_to_a_sample(validation):
    bundle = adapter.read(validation["validated"], options={})

    most_common = results_by_type(bundle)["expect_column_most_common_value_to_be_in_set"]
    assert most_common.observed["observed_value"] == [-3, *range(20, 39)]
    assert most_common.observed["observed_value_truncated"] is True


def test_batch_validation_is_dated_when_its_batch_was_loaded(validation):
    bundle = adapter.read(validation["validated"], options={})

    evaluated_at = bundle.data_validation[0].evaluated_at
    assert evaluated_at.tzinfo is not None
    assert abs(datetime.now(tz=UTC) - evaluated_at) < timedelta(minutes=10)
    assert bundle.data_validation[0].dataset is None


def test_checkpoint_results_are_dated_by_their_run(validation):
    content = json.dumps(validation["run_results"]).encode()

    bundle = adapter.read(content, options={})

    assert len(bundle.data_validation) == 1
    assert bundle.data_validation[0].evaluated_at == validation["run_time"]
    assert results_by_type(bundle)["expect_column_values_to_be_between"].success is False


def test_checkpoint_description_is_taken_as_it_is_saying_when_it_was_read(validation):
    bundle = adapter.read(validation["described"], options={})

    check = bundle.data_validation[0]
    assert (check.suite, check.success) == ("checkpoint on loans-book", False)
    assert abs(datetime.now(tz=UTC) - check.evaluated_at) < timedelta(minutes=1)
    assert check.statistics["evaluated_at_source"].startswith("read by Attest")
    assert check.statistics["evaluated_expectations"] == 3


def test_each_expectation_keeps_its_rule_so_a_failure_shows_the_threshold_missed(validation):
    for content in (validation["validated"], validation["described"]):
        results = results_by_type(adapter.read(content, options={}))

        assert results["expect_column_values_to_be_between"].kwargs == {
            "column": "age",
            "min_value": 0.0,
            "max_value": 120.0,
        }
        assert results["expect_column_most_common_value_to_be_in_set"].kwargs == {
            "column": "age",
            "value_set": [20],
        }


def test_checkpoint_description_takes_suite_and_time_from_options(validation):
    options = {"suite": "nightly", "evaluated_at": "2026-11-01T02:00:00Z"}
    bundle = adapter.read(validation["described"], options=options)

    check = bundle.data_validation[0]
    assert (check.suite, check.success) == ("nightly", False)
    assert check.evaluated_at == datetime(2026, 11, 1, 2, tzinfo=UTC)
    assert (
        results_by_type(bundle)["expect_column_values_to_be_between"].observed["unexpected_count"]
        == 1
    )


def test_truncated_json_names_the_file_and_where_it_breaks(validation):
    with pytest.raises(BadInput) as caught:
        adapter.read(validation["validated"][:120], options={})

    assert caught.value.field == "file"
    assert caught.value.message.startswith("is not valid JSON:")
    assert "at line 1 column" in caught.value.message


def test_result_of_great_expectations_0x_is_refused_naming_the_version(validation):
    document = json.loads(validation["validated"])
    document["meta"]["great_expectations_version"] = "0.18.21"

    with pytest.raises(BadInput) as caught:
        adapter.read(json.dumps(document).encode(), options={})

    assert caught.value.field == "meta.great_expectations_version"
    assert "0.18.21" in caught.value.message


@pytest.mark.parametrize(
    ("remove", "field"),
    [("results", "results"), ("suite_name", "suite_name"), ("success", "success")],
)
def test_missing_key_is_named(validation, remove, field):
    document = json.loads(validation["validated"])
    del document[remove]

    with pytest.raises(BadInput) as caught:
        adapter.read(json.dumps(document).encode(), options={})

    assert caught.value.field == field


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"dataset_version": "2026-10"}, "dataset"),
        ({"dataset": "loan-book"}, "dataset_version"),
        ({"datasett": "loan-book"}, "datasett"),
        ({"evaluated_at": "2026-11-01T02:00:00"}, "evaluated_at"),
    ],
)
def test_bad_options_are_named(validation, options, field):
    with pytest.raises(BadInput) as caught:
        adapter.read(validation["validated"], options=options)

    assert caught.value.field == field


def test_bundle_survives_the_json_round_trip(validation):
    bundle = adapter.read(validation["validated"], options=LOANS)

    assert Bundle.from_json(json.loads(json.dumps(bundle.as_json()))) == bundle
