"""Exceptions recorded before requests existed were in force from the moment they were recorded:
mark them granted then, by the approver they named, so the register and the gate read them as
before (the audit trail keeps what really happened)."""

from django.db import migrations
from django.db.models import F


def granted_as_recorded(apps, schema_editor):
    policy_exception = apps.get_model("governance", "PolicyException")
    policy_exception.objects.filter(state="requested").update(
        state="granted", decided_at=F("requested_at")
    )


class Migration(migrations.Migration):
    dependencies = [("governance", "0009_second_person_requests")]

    operations = [migrations.RunPython(granted_as_recorded, migrations.RunPython.noop)]
