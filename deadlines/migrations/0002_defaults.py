"""The default policies, reminders and ladder (deadlines/defaults.py), and the beat entry for the sweep."""

from django.db import migrations

from deadlines.defaults import seed, seed_schedule


def forwards(apps, schema_editor):
    seed(apps.get_model("deadlines", "DeadlinePolicy"), apps.get_model("deadlines", "ReminderStep"),
         apps.get_model("deadlines", "EscalationStep"))
    seed_schedule(apps.get_model("django_celery_beat", "IntervalSchedule"),
                  apps.get_model("django_celery_beat", "PeriodicTask"))


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="deadlines.sweep").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
