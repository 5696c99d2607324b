import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("callbacks", "0001_initial"),
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="callbacktask",
            name="overall_score",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="总体满意度"),
        ),
        migrations.AddField(
            model_name="callbacktask",
            name="response",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="callback_task",
                to="surveys.response",
                verbose_name="问卷结果",
            ),
        ),
    ]
