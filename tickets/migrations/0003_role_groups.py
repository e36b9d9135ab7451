from django.db import migrations

ROLES = [
    "office",
    "office_head",
    "general_chief",
    "verifier",
    "chief",
    "social_supervisor",
    "congress_supervisor",
    "discipline_supervisor",
    "procuratorate_liaison",
    "provincial_office",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_event_append_only_trigger"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
