"""A call and its events belong to the API client (the CTI) that reported them: call ids are unique
per client, so two stores' telephone systems numbering their calls alike no longer collide, and a
client touches only the calls it reported. Rows from before keep no client (null) and stay unique
among themselves, as they were."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0002_cti_events_scope'),
        ('telephony', '0003_recordings_private'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='callevent',
            name='call_event_unique_per_call',
        ),
        migrations.AddField(
            model_name='callevent',
            name='reported_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='api.apiclient', verbose_name='上报客户端'),
        ),
        migrations.AddField(
            model_name='callrecord',
            name='reported_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='api.apiclient', verbose_name='上报客户端'),
        ),
        migrations.AlterField(
            model_name='callrecord',
            name='call_id',
            field=models.CharField(max_length=100, verbose_name='通话编号'),
        ),
        migrations.AddConstraint(
            model_name='callevent',
            constraint=models.UniqueConstraint(fields=('reported_by', 'call_id', 'event'), name='call_event_unique_per_client'),
        ),
        migrations.AddConstraint(
            model_name='callevent',
            constraint=models.UniqueConstraint(condition=models.Q(('reported_by__isnull', True)), fields=('call_id', 'event'), name='call_event_unique_without_client'),
        ),
        migrations.AddConstraint(
            model_name='callrecord',
            constraint=models.UniqueConstraint(fields=('reported_by', 'call_id'), name='call_unique_per_client'),
        ),
        migrations.AddConstraint(
            model_name='callrecord',
            constraint=models.UniqueConstraint(condition=models.Q(('reported_by__isnull', True)), fields=('call_id',), name='call_unique_without_client'),
        ),
    ]
