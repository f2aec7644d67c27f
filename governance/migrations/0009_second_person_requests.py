"""Second-person controls become requests: exceptions, waivers, risk acceptances, rulebook
publications and validator appointments are asked for by one person and decided by another."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0008_notices'),
        ('registry', '0004_run_tags_and_version_aliases'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='raciassignment',
            options={'ordering': ['area', 'role'], 'permissions': [('assign_validators', 'Can make validators responsible for models')]},
        ),
        migrations.AlterModelOptions(
            name='rulebook',
            options={'ordering': ['kind', 'name', '-version'], 'permissions': [('publish_rulebook', 'Can publish a rulebook version another person drafted')]},
        ),
        # An exception's named approver was recorded as having approved it: it becomes who decided.
        migrations.RenameField(
            model_name='policyexception',
            old_name='approved_by',
            new_name='decided_by',
        ),
        migrations.AlterField(
            model_name='policyexception',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RenameField(
            model_name='policyexception',
            old_name='created_at',
            new_name='requested_at',
        ),
        migrations.AlterField(
            model_name='policyexception',
            name='requested_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name='policyexception',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='policyexception',
            name='decision_reason',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='policyexception',
            name='state',
            field=models.CharField(choices=[('requested', 'Requested'), ('granted', 'Granted'), ('refused', 'Refused'), ('withdrawn', 'Withdrawn')], default='requested', max_length=12),
        ),
        migrations.CreateModel(
            name='Publication',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('requested', 'Requested'), ('granted', 'Granted'), ('refused', 'Refused'), ('withdrawn', 'Withdrawn')], default='requested', max_length=12)),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_reason', models.TextField(blank=True)),
                ('note', models.TextField(blank=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('rulebook', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='publications', to='governance.rulebook')),
            ],
            options={
                'ordering': ['-requested_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='RiskAcceptance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('requested', 'Requested'), ('granted', 'Granted'), ('refused', 'Refused'), ('withdrawn', 'Withdrawn')], default='requested', max_length=12)),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_reason', models.TextField(blank=True)),
                ('reason', models.TextField()),
                ('accepted_until', models.DateField()),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('finding', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='acceptances', to='governance.finding')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-requested_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='ValidatorRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('requested', 'Requested'), ('granted', 'Granted'), ('refused', 'Refused'), ('withdrawn', 'Withdrawn')], default='requested', max_length=12)),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_reason', models.TextField(blank=True)),
                ('note', models.TextField(blank=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('model', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='validator_requests', to='registry.mlmodel')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('validator', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-requested_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Waiver',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('requested', 'Requested'), ('granted', 'Granted'), ('refused', 'Refused'), ('withdrawn', 'Withdrawn')], default='requested', max_length=12)),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_reason', models.TextField(blank=True)),
                ('reason', models.TextField()),
                ('expires_on', models.DateField()),
                ('control', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='waivers', to='governance.control')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-requested_at', '-pk'],
            },
        ),
        migrations.AlterField(
            model_name='riskassessment',
            name='review',
            field=models.CharField(choices=[('unreviewed', 'Awaiting review'), ('confirmed', 'Confirmed'), ('override_proposed', 'Override proposed'), ('overridden', 'Overridden'), ('override_refused', 'Override refused')], default='unreviewed', max_length=20),
        ),
    ]
