"""Queuing a task by its name: in-process without a broker, on a real worker when CI provides one."""

import pytest

from governance import queue
from governance.auditlog.models import AuditEvent
from registry import services


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_queued_by_name_runs_and_answers(owner):
    services.register_model(
        actor=owner, slug="pd", name="PD", business_unit="Credit", model_type="classical_ml"
    )
    verdict = queue.enqueue("governance.auditlog.tasks.record_audit_chain_check").get(timeout=60)
    assert verdict["intact"] is True
    assert AuditEvent.objects.get(verb="audit.verified").after == verdict


def test_a_name_no_worker_knows_is_refused_before_anything_is_sent():
    with pytest.raises(LookupError, match=r"no Celery task 'governance\.tasks\.nothing'"):
        queue.enqueue("governance.tasks.nothing", 1)
