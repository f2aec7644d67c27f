"""An event's changes read in words on the history tables: field names, choice labels, Yes/No,
the names behind foreign keys and obligation ids; the event keeps the stored values."""

import re

import pytest
from django.urls import reverse

from governance.auditlog.changes import changes_of
from governance.auditlog.models import AuditEvent
from governance.rulebooks import services as rulebooks
from registry.models import MLModel


def _event(target_type: str, before: dict | None, after: dict, model: MLModel | None = None):
    return AuditEvent(
        target_type=target_type, verb="x.changed", before=before, after=after,
        mlmodel_id=model.pk if model else None,
    )  # fmt: skip


def _table(event: AuditEvent) -> dict[str, tuple[str, str]]:
    return {c.field: (c.before, c.after) for c in changes_of([event])[0]}


def test_a_models_fields_read_by_their_names_and_labels(credit_pd_model, owner):
    event = _event(
        "registry.mlmodel",
        {"status": "development", "owner": None, "model_type": "classical_ml"},
        {"status": "validation", "owner": owner.pk, "model_type": "vendor"},
    )
    table = _table(event)
    assert table["Status"] == ("Development", "Validation")
    assert table["Owner"] == ("—", "Olivia Owner")
    assert table["Model type"][1] == MLModel.ModelType.VENDOR.label
    assert event.after["status"] == "validation"  # the event keeps the code


def test_booleans_codes_dates_and_numbers_read_as_words():
    event = _event(
        "auth.user",
        None,
        {"is_active": False, "record_id": "", "tier": "tier_1", "due_on": "2026-12-21",
         "value": 0.08272262935820562, "answers": {"annex_iii_area": "none"}},
    )  # fmt: skip
    table = _table(event)
    assert table["Active"] == ("—", "No")
    assert _table(_event("registry.modelversion", None, {"source_tracker": ""}))[
        "Source tracker"
    ] == (
        "—",
        "—",
    )  # a blank value, not the choice that names it ("None")
    assert table["Record ID"] == ("—", "—")
    assert table["Tier"] == ("—", "Tier 1 (high)")
    assert table["Due on"] == ("—", "21 Dec 2026")
    assert table["Value"] == ("—", "0.08272")
    assert table["Answers"] == ("—", "Annex III area: None of these")


@pytest.mark.django_db
def test_the_model_history_shows_no_stored_codes(client, owner, credit_pd_model):
    client.force_login(owner)
    page = client.get(reverse("registry:model-detail", args=[credit_pd_model.slug]))
    text = re.sub(r"<[^>]+>", "|", page.content.decode())  # what a reader sees, without markup
    assert "Classical ML" in text and "Business unit" in text
    for code in ("classical_ml", "business_unit", "|development|"):
        assert code not in text


def test_the_people_an_escalation_notified_read_by_name(owner, validator):
    event = _event("governance.approvalrequest", None, {"notified": [owner.pk, validator.pk]})
    shown = _table(event)["Notified"][1]
    assert shown == f"{owner.get_full_name()}, {validator.get_full_name()}"
    assert str(owner.pk) not in shown


def test_a_training_runs_tracker_reads_by_its_name():
    table = _table(_event("registry.trainingrun", {"tracker": "mlflow"}, {"tracker": "wandb"}))
    assert table["Tracker"] == ("MLflow", "Weights & Biases")


@pytest.mark.django_db
def test_an_exceptions_gate_rule_reads_by_its_title():
    rulebooks.load_shipped()
    event = _event("governance.policyexception", None, {"rule_id": "obligations-evidenced"})
    assert _table(event)["Rule"] == ("—", "Every obligation due has evidence or a running waiver")


@pytest.mark.django_db
def test_a_gate_checks_unmet_rules_and_an_alerts_key_read_as_names():
    rulebooks.load_shipped()
    unmet = _table(_event("governance.approvalrequest", None, {"unmet": ["tier-in-force"]}))
    assert "tier-in-force" not in unmet["Unmet"][1]
    key = _table(
        _event("monitoring.alert", None, {"key": "fairness:demographic_parity_difference"})
    )
    assert key["Key"] == ("—", "Fairness: demographic parity difference")
