from django.db import migrations, models
from django.db.models import Count


def refuse_duplicates(apps, schema_editor):
    """Name the versions that already share a tracker id, instead of failing on the index.

    They are not merged or renamed here: which label is the right one is a person's decision,
    and changing a registered version must go through the audited services.
    """
    ModelVersion = apps.get_model("registry", "ModelVersion")
    shared = (
        ModelVersion.objects.exclude(external_id="")
        .values("model__slug", "external_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    found = [f"{row['model__slug']}: {row['external_id']} ({row['n']} versions)" for row in shared]
    if found:
        raise RuntimeError(
            "these model versions share an external id; give each tracker version one Attest "
            "version (clear the external id of the extra ones) and migrate again: "
            + "; ".join(found)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_organisation_profile"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="modelversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("external_id", ""), _negated=True),
                fields=("model", "external_id"),
                name="registry_modelversion_unique_external_id",
            ),
        ),
    ]
