from django_celery_beat.models import PeriodicTask

from config.celery import app as celery_app
from notifications import schedules
from notifications.models import NotificationRule


def test_the_migration_schedules_the_sweep_and_the_digest(db):
    tasks = {t.name: t for t in PeriodicTask.objects.filter(name__startswith="notifications:")}
    sweep, digest = tasks[schedules.SWEEP_NAME], tasks[schedules.DIGEST_NAME]
    assert (sweep.task, sweep.interval.every, sweep.interval.period) == (schedules.SWEEP_TASK, 1, "minutes")
    assert (digest.task, digest.crontab.hour, digest.crontab.minute) == (schedules.DIGEST_TASK, "8", "0")
    assert str(digest.crontab.timezone) == "Asia/Shanghai"
    # The names beat sends are the tasks the worker knows.
    celery_app.loader.import_default_modules()
    assert {schedules.SWEEP_TASK, schedules.DIGEST_TASK, "notifications.tasks.deliver"} <= set(celery_app.tasks)


def test_setup_is_idempotent_and_repairs(db):
    PeriodicTask.objects.filter(name=schedules.SWEEP_NAME).update(enabled=False)
    schedules.setup_schedules()
    schedules.setup_schedules()
    assert PeriodicTask.objects.filter(name__startswith="notifications:").count() == 2
    assert PeriodicTask.objects.get(name=schedules.SWEEP_NAME).enabled


def test_default_rules_exist(db):
    assert NotificationRule.objects.filter(is_active=True).count() >= 20
