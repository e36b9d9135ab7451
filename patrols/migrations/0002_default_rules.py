from django.db import migrations

# From the glossary and the 2022 summary: county quarterly, township monthly, village weekly;
# one county's app: at least 30 minutes and 2 km.
DUTIES = [("county", "quarter", 1), ("township", "month", 1), ("village", "week", 1)]


def create(apps, schema_editor):
    PatrolDuty = apps.get_model("patrols", "PatrolDuty")
    PatrolRules = apps.get_model("patrols", "PatrolRules")
    for level, frequency, per_period in DUTIES:
        PatrolDuty.objects.get_or_create(level=level, defaults={"frequency": frequency, "patrols_per_period": per_period})
    PatrolRules.objects.get_or_create(pk=1, defaults={"min_duration_minutes": 30, "min_distance_m": 2000, "mode": "all"})


class Migration(migrations.Migration):
    dependencies = [("patrols", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
