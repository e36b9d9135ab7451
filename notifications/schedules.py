"""The beat schedule, as django-celery-beat rows. Idempotent: safe to call from a migration and again by hand."""

SWEEP_TASK = "notifications.tasks.sweep"
DIGEST_TASK = "notifications.tasks.send_digests"
SWEEP_NAME = "notifications: sweep the outbox"
DIGEST_NAME = "notifications: daily digest for chiefs"
# Before the working day starts in the office's time zone.
DIGEST_HOUR, DIGEST_MINUTE, DIGEST_TZ = 8, 0, "Asia/Shanghai"


def setup_schedules(apps=None):
    """Create or repair the two periodic tasks. ``apps`` is the migration's registry (None: the live models)."""
    if apps is None:
        from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
    else:
        CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
        IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")

    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=SWEEP_NAME,
        defaults={"task": SWEEP_TASK, "interval": every_minute, "crontab": None, "enabled": True},
    )
    morning, _ = CrontabSchedule.objects.get_or_create(
        minute=str(DIGEST_MINUTE), hour=str(DIGEST_HOUR), day_of_week="*", day_of_month="*",
        month_of_year="*", timezone=DIGEST_TZ,
    )
    PeriodicTask.objects.update_or_create(
        name=DIGEST_NAME,
        defaults={"task": DIGEST_TASK, "crontab": morning, "interval": None, "enabled": True},
    )
    if apps is None:
        # Beat reloads its schedule when this marker changes; the migration path has no live beat to tell.
        from django_celery_beat.models import PeriodicTasks

        PeriodicTasks.update_changed()
