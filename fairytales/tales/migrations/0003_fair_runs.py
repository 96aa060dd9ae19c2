# Fair runs: a task per user at a time, attempts per run, and a log of runs for the daily quotas.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tales', '0002_failure_details'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='tale',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='tale',
            name='dispatch',
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='tale',
            name='queued_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name='RunLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('new', 'Новая сказка'), ('redo', 'Переделка'), ('retry', 'Повтор'), ('version', 'Прежняя версия')], max_length=16)),
                ('created', models.DateTimeField(default=django.utils.timezone.now)),
                ('tale', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tales.tale')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(fields=['user', 'created'], name='tales_runlo_user_id_0c3677_idx')],
            },
        ),
    ]
