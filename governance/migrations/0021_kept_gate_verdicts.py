# The gate's kept answers, and the per-model counts of changes that make them stale.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0020_rulebook_corrections'),
        ('registry', '0007_version_external_id_unique'),
    ]

    operations = [
        migrations.CreateModel(
            name='GateInputs',
            fields=[
                ('scope', models.BigIntegerField(primary_key=True, serialize=False)),
                ('generation', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='KeptGateAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('gate', models.CharField(choices=[('validation', 'Validation'), ('deployment', 'Deployment'), ('periodic_review', 'Periodic review'), ('material_change', 'Material change'), ('retirement', 'Retirement')], max_length=20)),
                ('environment', models.CharField(max_length=20)),
                ('model_generation', models.BigIntegerField()),
                ('every_model_generation', models.BigIntegerField()),
                ('code', models.CharField(max_length=16)),
                ('computed_at', models.DateTimeField()),
                ('valid_until', models.DateTimeField()),
                ('answer', models.JSONField()),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='kept_gate_answers', to='registry.modelversion')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('version', 'gate', 'environment'), name='governance_keptgateanswer_one')],
            },
        ),
    ]
