"""An Evidently 0.7 ClassificationPreset report imported through the API: points, not drift."""

import numpy as np
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring.models import DataValidationResult, DriftResult, MetricPoint

IMPORT = "/api/v1/models/retail-pd/versions/1.0.0/imports/evidently/"


def classification_report() -> bytes:
    # Imported here, not at the module's top: Evidently takes two seconds to load, which every
    # test process would pay while collecting even if it never runs this module.
    pytest.importorskip("evidently")
    from evidently import BinaryClassification, DataDefinition, Dataset, Report
    from evidently.presets import ClassificationPreset

    rng = np.random.default_rng(4)
    target = rng.integers(0, 2, 200)
    proba = np.clip(0.4 * target + rng.random(200) * 0.6, 0, 1)
    scored = pd.DataFrame({"target": target, "proba": proba, "label": (proba > 0.5).astype(int)})
    definition = DataDefinition(
        classification=[
            BinaryClassification(
                target="target", prediction_labels="label", prediction_probas="proba"
            )
        ]
    )
    data = Dataset.from_pandas(scored, data_definition=definition)
    return Report([ClassificationPreset()]).run(data, None).json().encode()


@pytest.mark.django_db
def test_classification_report_is_stored_as_labelled_points_not_drift(pd_version, pipeline_client):
    upload = SimpleUploadedFile("quality.json", classification_report(), "application/json")

    response = pipeline_client.post(
        IMPORT, {"file": upload, "evaluated_at": "2026-11-01T09:00:00Z"}
    )

    assert response.status_code == 201, response.content
    stored = MetricPoint.objects.filter(version=pd_version)
    assert stored.filter(name="accuracy", segment="").count() == 1
    assert stored.filter(name="roc_auc").count() == 1
    assert set(stored.filter(name="f1_by_label").values_list("segment", flat=True)) == {
        "label=0",
        "label=1",
    }
    assert not DriftResult.objects.filter(version=pd_version).exists()
    assert not DataValidationResult.objects.filter(version=pd_version).exists()


def legacy_drift_suite() -> bytes:
    pytest.importorskip("evidently")
    from evidently.legacy.test_preset import DataDriftTestPreset
    from evidently.legacy.test_suite import TestSuite

    rng = np.random.default_rng(1)
    reference = pd.DataFrame({"age": rng.normal(40, 5, 300), "income": rng.normal(50, 10, 300)})
    current = pd.DataFrame({"age": rng.normal(40, 5, 300), "income": rng.normal(70, 10, 300)})
    suite = TestSuite(tests=[DataDriftTestPreset()])
    suite.run(reference_data=reference, current_data=current)
    return suite.json().encode()


@pytest.mark.django_db
def test_a_legacy_test_suite_keeps_its_dataset_drift_and_share_on_the_drift_result(
    pd_version, pipeline_client
):
    upload = SimpleUploadedFile("suite.json", legacy_drift_suite(), "application/json")

    response = pipeline_client.post(IMPORT, {"file": upload})

    assert response.status_code == 201, response.content
    drift = DriftResult.objects.get(version=pd_version)
    assert (drift.dataset_drift, drift.drift_share) == (True, 0.5)
    assert response.json()["records"]["drift_results"] == [drift.pk]
