from django.db import migrations


def create_schedules(apps, schema_editor):
    from notifications.schedules import setup_schedules

    setup_schedules(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_default_rules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_schedules, migrations.RunPython.noop)]
