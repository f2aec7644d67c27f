"""Exceptions and waivers recorded before requests existed were in force from the moment they
were recorded: mark each exception granted then, by the approver it named, and give each waived
obligation its granted waiver, asked for by whoever the audit trail says recorded it."""

from django.db import migrations
from django.db.models import F


def granted_as_recorded(apps, schema_editor):
    policy_exception = apps.get_model("governance", "PolicyException")
    policy_exception.objects.filter(state="requested").update(
        state="granted", decided_at=F("requested_at")
    )
    control = apps.get_model("governance", "Control")
    waiver = apps.get_model("governance", "Waiver")
    audit_event = apps.get_model("governance", "AuditEvent")
    for waived in control.objects.filter(status="waived", waivers__isnull=True):
        recorded = (
            audit_event.objects.filter(
                verb="control.waived", target_type="governance.control", target_id=str(waived.pk)
            )
            .order_by("-seq")
            .first()
        )
        asked_by = recorded.actor_id if recorded and recorded.actor_id else waived.waiver_approved_by_id
        when = recorded.occurred_at if recorded else waived.updated_at
        waiver.objects.create(
            control=waived,
            reason=waived.waiver_reason,
            expires_on=waived.waiver_expires_on,
            state="granted",
            requested_by_id=asked_by,
            requested_at=when,
            decided_by_id=waived.waiver_approved_by_id,
            decided_at=when,
        )


class Migration(migrations.Migration):
    dependencies = [("governance", "0009_second_person_requests")]

    operations = [migrations.RunPython(granted_as_recorded, migrations.RunPython.noop)]
