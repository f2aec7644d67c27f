"""The Inspect AI adapter reads logs Inspect AI wrote with its offline mockllm model
(artifacts/README.md says how): pass rate per task and scorer, tokens and cost per sample."""

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from monitoring.adapters import inspect_logs as adapter
from monitoring.ingest.bundle import Bundle, Evaluation
from monitoring.ingest.errors import BadInput

ARTIFACTS = Path(__file__).parent / "artifacts"
JSON_LOG, EVAL_LOG = "inspect_support_assistant.json", "inspect_support_assistant.eval"
OLD_EVAL_LOG = "inspect_support_assistant_0.3.130.eval"  # deflated members, no cost
SAFETY = {"safety": "refusal_safety"}
# USD per sample at 2.50 / 10.00 per million input / output tokens: (18, 6), (18, 8), (23, 13).
COSTS = (0.000105, 0.000125, 0.0001875)


def read(content: bytes, **options: str) -> Bundle:
    return adapter.read(content, filename="log", options=options)


def log_file(name: str = JSON_LOG) -> bytes:
    return (ARTIFACTS / name).read_bytes()


def edited_log(change: Any) -> bytes:
    document = json.loads(log_file())
    change(document)
    return json.dumps(document).encode()


def sample(document: dict[str, Any], sample_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in document["samples"] if s["id"] == sample_id)
    return found


def by_suite(bundle: Bundle) -> dict[str, Evaluation]:
    return {e.suite: e for e in bundle.evaluations}


def test_each_scorer_is_an_evaluation_with_its_pass_rate_and_kind():
    evaluations = by_suite(read(log_file(), **SAFETY))

    quality = evaluations["support_assistant/includes"]
    safety = evaluations["support_assistant/refusal_safety"]
    assert (quality.kind, quality.cases, quality.passed) == ("quality", 3, 2)
    assert (safety.kind, safety.cases, safety.passed) == ("safety", 3, 2)  # lockpick complied
    assert safety.metrics == {
        "accuracy": 2 / 3,
        "stderr": pytest.approx(1 / 3),
        "errors": 0,
        "unscored": 0,
    }
    assert str(safety.evaluated_at) == "2026-12-07 15:58:41+00:00"


def test_tokens_and_cost_per_request_are_the_means_over_the_samples():
    safety = by_suite(read(log_file(), **SAFETY))["support_assistant/refusal_safety"]

    assert safety.tokens_per_request == pytest.approx((24 + 26 + 36) / 3)
    assert safety.cost_per_request == pytest.approx(sum(COSTS) / 3)


def test_each_samples_usage_cost_time_and_scores_are_points_segmented_by_sample():
    m = read(log_file(), **SAFETY).metrics
    points = {(n, s): v for n, s, v in zip(m.name, m.segment, m.value, strict=True)}

    lockpick = "task=support_assistant, sample=lockpick, epoch=1"
    usage = f"{lockpick}, model=mockllm/model"
    assert points[("input_tokens", usage)] == 23
    assert points[("output_tokens", usage)] == 13
    assert points[("total_cost", usage)] == pytest.approx(COSTS[2])
    assert points[("score.refusal_safety", lockpick)] == 0.0
    assert points[("score.includes", "task=support_assistant, sample=capital, epoch=1")] == 1.0
    assert ("total_time", lockpick) in points
    assert len(m) == 3 * 8  # per sample: 2 scores, 4 usage fields, 2 times


def test_the_eval_log_reads_as_its_json_conversion():
    # Inspect 0.3.285 compresses .eval members with Zstandard, which Python reads from 3.14 only.
    assert read(log_file(EVAL_LOG), **SAFETY) == read(log_file(), **SAFETY)


def test_an_older_deflated_eval_log_is_read_with_the_standard_library_and_has_no_cost():
    bundle = read(log_file(OLD_EVAL_LOG), **SAFETY)

    safety = by_suite(bundle)["support_assistant/refusal_safety"]
    assert (safety.kind, safety.cases, safety.passed) == ("safety", 3, 2)
    assert safety.cost_per_request is None
    assert safety.tokens_per_request == pytest.approx(86 / 3)
    assert "total_cost" not in bundle.metrics.name


def test_without_the_safety_option_every_scorer_is_quality():
    assert {e.kind for e in read(log_file()).evaluations} == {"quality"}


def test_a_safety_scorer_the_log_does_not_have_is_refused_naming_the_scorers():
    with pytest.raises(BadInput, match="'toxicity' is not a scorer of the log") as refused:
        read(log_file(), safety="refusal_safety,toxicity")

    assert refused.value.field == "safety"


def errored(document: dict[str, Any]) -> None:
    document["status"] = "error"
    document["error"] = {"message": "RuntimeError: provider down"}
    sample(document, "reset")["error"] = {"message": "RuntimeError: provider down"}
    del sample(document, "reset")["scores"]


def test_a_run_that_errored_is_refused_unless_allowed_then_its_errors_count_as_failed():
    content = edited_log(errored)

    with pytest.raises(BadInput, match="'error' \\(RuntimeError: provider down\\)"):
        read(content)
    safety = by_suite(read(content, allow_failed="true", **SAFETY))[
        "support_assistant/refusal_safety"
    ]

    assert (safety.cases, safety.passed, safety.metrics["errors"]) == (3, 1, 1)


def test_a_score_that_is_not_pass_fail_is_refused_naming_the_sample_and_scorer():
    def graded(document: dict[str, Any]) -> None:
        sample(document, "lockpick")["scores"]["includes"]["value"] = {"fluency": 4}

    with pytest.raises(BadInput, match="is not a pass/fail score") as refused:
        read(edited_log(graded))

    assert refused.value.field == (
        "samples[1] (task=support_assistant, sample=lockpick, epoch=1).scores.includes.value"
    )


def test_an_eval_log_without_its_header_is_a_run_still_going_and_is_refused():
    with zipfile.ZipFile(ARTIFACTS / OLD_EVAL_LOG) as log, io.BytesIO() as out:
        with zipfile.ZipFile(out, "w") as copy:
            for name in log.namelist():
                if name != "header.json":
                    copy.writestr(name, log.read(name))
        content = out.getvalue()

    with pytest.raises(BadInput, match="still going") as refused:
        read(content)

    assert refused.value.field == "header.json"


def test_another_log_format_version_is_refused():
    with pytest.raises(BadInput, match="reads Inspect log format 2"):
        read(edited_log(lambda d: d.update(version=1)))


def test_a_sample_whose_scores_are_not_an_object_is_refused_naming_it():
    def listed(document: dict[str, Any]) -> None:
        sample(document, "reset")["scores"] = ["C", "C"]

    with pytest.raises(BadInput, match="must be a JSON object") as refused:
        read(edited_log(listed))

    assert refused.value.field == "samples[2].scores"


@pytest.mark.parametrize("content", [b"PK\x03\x04 truncated", b"", b"[]", b'{"eval": 1}'])
def test_a_damaged_log_is_refused_not_a_server_error(content):
    with pytest.raises(BadInput):
        read(content)


def test_an_unscored_sample_is_no_case_and_a_scorer_that_scored_nothing_is_refused():
    def unscored(document: dict[str, Any]) -> None:
        del sample(document, "lockpick")["scores"]["refusal_safety"]

    safety = by_suite(read(edited_log(unscored)))["support_assistant/refusal_safety"]
    assert (safety.cases, safety.passed, safety.metrics["unscored"]) == (2, 2, 1)

    def none_scored(document: dict[str, Any]) -> None:
        for s in document["samples"]:
            del s["scores"]["includes"]

    with pytest.raises(BadInput, match="scored no sample") as refused:
        read(edited_log(none_scored))
    assert refused.value.field == "eval.scorers.includes"


def test_a_log_written_without_its_samples_is_refused():
    with pytest.raises(BadInput, match="no-log-samples"):
        read(edited_log(lambda d: d.update(samples=[])))
