"""Re-anchor an existing audit chain under the keyed hash.

Events recorded before keyed hashing keep their plain SHA-256. One `audit.reanchored` event,
keyed with the current HMAC key (read from the environment or key file, not the database),
chains onto the last of them: from it on, nobody without the key can rewrite what came before
without the chain showing it. A chain with no events needs no anchor. Not reversible in
substance (the event stays), so the reverse is a no-op.
"""

from django.db import migrations
from django.utils import timezone

from governance import auditkeys, chain


def _payload(event) -> dict:
    # Frozen copy of AuditEvent.payload() as it stood at this migration.
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "verb": event.verb,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "mlmodel_id": event.mlmodel_id,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
    }


def reanchor(apps, schema_editor):
    event_model = apps.get_model("governance", "AuditEvent")
    head_model = apps.get_model("governance", "AuditChainHead")
    last = event_model.objects.order_by("-seq").first()
    if last is None or last.key_id:
        return
    key = auditkeys.current_key()
    event = event_model(
        seq=last.seq + 1,
        occurred_at=timezone.now(),
        actor_name="system",
        verb=chain.REANCHORED,
        target_type="governance.auditchainhead",
        target_id="1",
        target_repr=f"audit head #{last.seq}",
        after={"from_key_id": "", "to_key_id": key.key_id, "at_seq": last.seq},
        request_id="migration 0016",
        prev_hash=last.hash,
        key_id=key.key_id,
    )
    event.hash = chain.keyed_hash(key.secret, key.key_id, event.prev_hash, _payload(event))
    event.save()
    head_model.objects.update_or_create(
        pk=1, defaults={"last_seq": event.seq, "last_hash": event.hash, "key_id": key.key_id}
    )


class Migration(migrations.Migration):
    dependencies = [("governance", "0017_audit_key_id")]

    operations = [migrations.RunPython(reanchor, migrations.RunPython.noop)]
