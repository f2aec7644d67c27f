"""Drift from raw rows: the import computes it with monitoring.stats.drift and stores it."""

import io
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from django.utils import timezone

from monitoring.adapters import drift as adapter
from monitoring.ingest.errors import BadInput
from monitoring.models import Alert, DriftResult
from monitoring.services import policies
from monitoring.stats import drift
from registry.services import record_deployment


def windows(n: int = 2_000) -> pd.DataFrame:
    """Income shifted by half a standard deviation; age unchanged; a region only seen now."""
    rng = np.random.default_rng(11)
    reference = pd.DataFrame(
        {
            "income": rng.normal(50, 10, n),
            "age": rng.normal(40, 12, n),
            "region": rng.choice(["north", "south"], n),
        }
    )
    current = pd.DataFrame(
        {
            "income": rng.normal(55, 10, n),
            "age": rng.normal(40, 12, n),
            "region": rng.choice(["north", "south", "east"], n, p=[0.45, 0.45, 0.1]),
        }
    )
    return pd.concat(
        [reference.assign(window="reference"), current.assign(window="current")],
        ignore_index=True,
    )


def parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


def scores(check, method: str) -> dict[str, float]:
    return {c.column: c.score for c in check.columns if c.method == method}


def test_every_statistic_comes_from_the_drift_module():
    frame = windows()
    bundle = adapter.read(parquet(frame), filename="w.parquet", options={"reference": "2026-Q1"})
    [check] = bundle.drift
    reference = frame[frame.window == "reference"].drop(columns="window")
    current = frame[frame.window == "current"].drop(columns="window")
    expected = {
        f.feature: f for f in drift.compare_frame(reference, current, categorical=["region"])
    }
    psi = scores(check, "psi")
    assert psi == {name: f.stat("psi").value for name, f in expected.items()}
    assert psi["income"] > 0.2 > psi["age"]
    assert scores(check, "ks")["income"] == expected["income"].stat("ks").value
    assert scores(check, "ks_p_value")["age"] == expected["age"].stat("ks").p_value
    p_region = scores(check, "chi_square_p_value")["region"]
    assert p_region == expected["region"].stat("chi_square").p_value < 0.05
    assert set(scores(check, "jensen_shannon")) == {"income", "age", "region"}
    assert "wasserstein" in {c.method for c in check.columns if c.column == "income"}
    drifted = {c.column for c in check.columns if c.method == "psi" and c.drifted}
    assert drifted == {"income", "region"}
    assert check.drift_share == pytest.approx(2 / 3)
    assert check.dataset_drift is True
    assert (check.reference, check.tool) == ("2026-Q1", "attest")


def test_csv_with_named_columns_and_labels():
    frame = windows(500).rename(columns={"window": "split"})
    frame["split"] = frame["split"].map({"reference": "train", "current": "prod"})
    options = {"window": "split", "reference_label": "train", "current_label": "prod",
               "columns": "income,region"}  # fmt: skip
    [check] = adapter.read(
        frame.to_csv(index=False).encode(), filename="w.csv", options=options
    ).drift
    assert {c.column for c in check.columns} == {"income", "region"}
    assert {c.kind for c in check.columns if c.column == "region"} == {"cat"}


def test_tiny_windows_are_reported_not_judged():
    frame = windows(10)
    [check] = adapter.read(parquet(frame), filename="w.parquet", options={}).drift
    assert all(c.drifted is None for c in check.columns)
    assert check.drift_share is None and check.dataset_drift is None


@pytest.mark.parametrize(
    ("change", "options", "field", "message", "row"),
    [
        (lambda f: f.drop(columns="window"), {}, "window", "required column is missing", None),
        (lambda f: f.assign(window=["reference"] * len(f)), {}, "window",
         "no row belongs to the 'current' window", None),
        (lambda f: f.assign(window=["reference", "holdout"] * (len(f) // 2)), {}, "window",
         "'holdout' is neither 'reference' nor 'current'", 2),
        (lambda f: f, {"categorical": "postcode"}, "categorical",
         "'postcode' is not a column of the file", None),
        (lambda f: f, {"colour": "red"}, "colour", "is not an option of drift", None),
    ],
)  # fmt: skip
def test_bad_input_names_the_field(change, options, field, message, row):
    with pytest.raises(BadInput) as caught:
        adapter.read(parquet(change(windows(100))), filename="w.parquet", options=options)
    assert caught.value.field == field
    assert message in caught.value.message
    assert caught.value.row == row


def test_a_truncated_file_is_refused():
    with pytest.raises(BadInput, match="is not readable Parquet"):
        adapter.read(parquet(windows(100))[:200], filename="w.parquet", options={})


def test_the_import_records_the_result_and_a_psi_breach_raises_an_alert(
    developer, owner, credit_pd_model, pd_version, pipeline_client
):
    record_deployment(
        actor=developer,
        version=pd_version,
        environment="production",
        started_at=timezone.now() - timedelta(days=5),
    )
    policies.set_policy(
        actor=owner,
        model=credit_pd_model,
        signal="drift",
        measure="psi",
        direction="lower",
        warning=0.1,
        critical=0.2,
    )
    upload = io.BytesIO(parquet(windows()))
    upload.name = "windows.parquet"
    answer = pipeline_client.post(
        "/api/v1/models/retail-pd/versions/1.0.0/imports/drift/",
        {"file": upload, "categorical": "region"},
        format="multipart",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["counts"] == {"drift_results": 1}
    result = DriftResult.objects.get()
    assert result.tool == "attest"
    alert = Alert.objects.get()
    assert (alert.key, alert.severity) == ("drift:psi", "critical")
    worst = max(c["score"] for c in result.columns if c["method"] == "psi")
    assert alert.value == pytest.approx(worst)
