"""The audit trail: chained appends, tamper detection, the verifier command, append-only rules."""

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from governance import chain
from governance.auditlog import selectors
from governance.auditlog import services as integrity
from governance.auditlog.models import AuditChainHead, AuditEvent
from registry import services


@pytest.fixture
def three_models(credit_pd_model, owner):
    for slug in ("lgd", "ead"):
        services.register_model(
            actor=owner,
            slug=slug,
            name=slug.upper(),
            business_unit="Retail Credit",
            model_type="classical_ml",
        )


def _tamper(sql: str, params: list) -> None:
    """Change stored rows behind the app's back, as a DBA could (trigger disabled on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending checks
            cursor.execute(
                "ALTER TABLE governance_auditevent DISABLE TRIGGER governance_auditevent_append_only"
            )
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE governance_auditevent ENABLE TRIGGER governance_auditevent_append_only"
            )


def test_each_event_chains_onto_the_previous_one(three_models):
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (events[-1].seq, events[-1].hash)


def test_event_records_actor_before_after_and_request_id(credit_pd_model, owner):
    from governance import context

    token = context.request_id.set("req-42")
    try:
        services.update_model(actor=owner, model=credit_pd_model, status="validation")
    finally:
        context.request_id.reset(token)
    event = AuditEvent.objects.get(verb="model.updated")
    assert (event.actor, event.actor_name, event.request_id) == (owner, "olivia", "req-42")
    assert (event.before, event.after) == ({"status": "development"}, {"status": "validation"})
    assert event.mlmodel_id == credit_pd_model.pk


def test_verifier_reports_intact_chain(three_models, capsys):
    call_command("verify_audit_chain")
    assert "intact" in capsys.readouterr().out


def test_verifier_names_the_first_edited_event(three_models):
    _tamper("UPDATE governance_auditevent SET actor_name = %s WHERE seq = %s", ["mallory", 3])
    with pytest.raises(CommandError, match=r"broken at event #3: content does not match"):
        call_command("verify_audit_chain")


def test_verifier_notices_a_deleted_event_in_the_middle(three_models):
    _tamper("DELETE FROM governance_auditevent WHERE seq = %s", [2])
    found = selectors.audit_chain_break()
    assert found is not None
    assert found.seq == 3


def test_verifier_notices_the_newest_events_deleted(three_models):
    last = AuditEvent.objects.order_by("-seq").first().seq
    _tamper("DELETE FROM governance_auditevent WHERE seq = %s", [last])
    found = selectors.audit_chain_break()
    assert found is not None
    assert f"events after #{last - 1} are missing" in found.reason


def test_saving_or_deleting_an_event_through_the_orm_is_refused(credit_pd_model):
    event = AuditEvent.objects.first()
    event.verb = "model.forged"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused(owner):
    from governance import audit

    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        audit.record(actor=owner, verb="x.y", target=owner)


def test_chain_check_appends_its_verdict_as_evidence(three_models):
    event = integrity.record_audit_chain_check()
    assert event.verb == "audit.verified"
    assert event.actor_name == "system"
    assert event.after["intact"] is True
    assert event.after["checked_through_seq"] == event.seq - 1


def test_chain_check_records_where_the_chain_broke(three_models):
    _tamper("UPDATE governance_auditevent SET verb = %s WHERE seq = %s", ["model.forged", 2])
    event = integrity.record_audit_chain_check()
    assert (event.after["intact"], event.after["broken_at_seq"]) == (False, 2)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    ["UPDATE governance_auditevent SET verb = 'x'", "DELETE FROM governance_auditevent"],
)
def test_postgres_trigger_refuses_update_and_delete(credit_pd_model, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert selectors.audit_chain_break() is None
