"""Records read back to an earlier instant from the audit trail's before/after snapshots."""

from datetime import UTC, datetime

import pytest
import time_machine

from governance import history
from governance.access.models import RaciAssignment
from governance.access.services import raci
from monitoring.selectors import in_force
from monitoring.services import policies
from registry import services as registry
from registry.models import MLModel

BEFORE = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
CHANGED = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
BETWEEN = datetime(2026, 9, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def model(owner, developer) -> MLModel:
    with time_machine.travel(BEFORE, tick=False):
        return registry.register_model(
            actor=owner,
            slug="retail-pd",
            name="Retail PD scorecard",
            business_unit="Retail Credit",
            model_type=MLModel.ModelType.CLASSICAL_ML,
            intended_purpose="Probability of default",
        )


def test_a_row_reads_back_its_fields_before_later_updates(model, owner, validator) -> None:
    with time_machine.travel(CHANGED, tick=False):
        registry.update_model(
            actor=owner,
            model=model,
            status=MLModel.Status.PRODUCTION,
            business_unit="Group Risk",
            custom_fields={},
        )
    model.refresh_from_db()
    then = history.row_at(model, BETWEEN)
    assert (then.status, then.business_unit) == (MLModel.Status.DEVELOPMENT, "Retail Credit")
    assert then.owner == owner
    assert (model.status, model.business_unit) == (MLModel.Status.PRODUCTION, "Group Risk")
    assert history.row_at(model, CHANGED).status == MLModel.Status.PRODUCTION


def test_a_set_reads_back_rows_removed_since_and_drops_rows_added_since(
    model, owner, developer, validator, head_of_validation
) -> None:
    with time_machine.travel(BEFORE, tick=False):
        kept = raci.assign_raci(
            actor=owner, model=model, user=developer, role="R", area="development"
        )
        withdrawn = raci.assign_raci(
            actor=head_of_validation, model=model, user=validator, role="R", area="validation"
        )
    with time_machine.travel(CHANGED, tick=False):
        raci.remove_raci(actor=head_of_validation, assignment=withdrawn)
        raci.assign_raci(actor=owner, model=model, user=validator, role="C", area="monitoring")

    def at(instant: datetime) -> list[tuple[str, str, str]]:
        rows = history.rows_at(
            RaciAssignment.objects.filter(model=model),
            history.later_events(RaciAssignment, instant, mlmodel_id=model.pk),
            lambda row, event: history.restored(row or RaciAssignment(), event.before),
        )
        return sorted((r.area, r.role, r.principal_name) for r in rows)

    vera = validator.get_full_name()
    assert at(BETWEEN) == [
        ("development", "R", developer.get_full_name()),
        ("validation", "R", vera),
    ]
    assert at(CHANGED) == [
        ("development", "R", developer.get_full_name()),
        ("monitoring", "C", vera),
    ]
    assert kept.pk in {r.pk for r in RaciAssignment.objects.all()}


def test_monitoring_policies_read_back_as_they_stood(model, owner) -> None:
    def set_policy(measure: str, warning: float, critical: float):
        return policies.set_policy(
            actor=owner,
            model=model,
            signal="metric",
            measure=measure,
            direction="higher",
            warning=warning,
            critical=critical,
        )

    with time_machine.travel(BEFORE, tick=False):
        set_policy("auc", 0.80, 0.78)
        gini = set_policy("gini", 0.6, 0.5)
    with time_machine.travel(CHANGED, tick=False):
        set_policy("auc", 0.75, 0.70)
        policies.remove_policy(actor=owner, policy=gini)
        set_policy("ks", 0.4, 0.3)

    def at(instant: datetime) -> list[tuple]:
        found = in_force.policies_at([model.pk], instant)
        return sorted((p.measure, p.warning, p.critical, p.window.days) for p in found)

    assert at(BETWEEN) == [("auc", 0.80, 0.78, 30), ("gini", 0.6, 0.5, 30)]
    assert at(CHANGED) == [("auc", 0.75, 0.70, 30), ("ks", 0.4, 0.3, 30)]
    assert {p.model_id for p in in_force.policies_at([model.pk], BETWEEN)} == {model.pk}
