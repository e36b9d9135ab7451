"""Schedule the beat heartbeat in django-celery-beat's tables (the DatabaseScheduler reads them)."""

from django.db import migrations

TASK_NAME = "ops: beat heartbeat"


def schedule(apps, schema_editor):
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    every_30s, _ = interval_model.objects.get_or_create(every=30, period="seconds")
    task_model.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "ops.beat_heartbeat", "interval": every_30s, "enabled": True,
                  "description": "Proves beat, the broker and a worker work; /readyz reads its time."},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
