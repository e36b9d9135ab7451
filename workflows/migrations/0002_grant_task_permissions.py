"""Give the role groups the permissions viewflow checks on the flow's task queues."""

from django.db import migrations

PERMISSIONS = {"office_task": "处理河长办任务(交办、销号)", "verify_task": "核查整改"}
GRANTS = {"office": ["office_task", "verify_task"], "verifier": ["verify_task"]}


def grant(apps, schema_editor):
    # Django creates permissions after all migrations have run; the groups need them now.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="workflows", model="rectificationprocess")
    permissions = {
        codename: Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in PERMISSIONS.items()
    }
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*[permissions[codename] for codename in codenames])


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_initial"), ("tickets", "0003_role_groups")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
