"""The Celery app. Without REDIS_URL tasks run in-process (see settings)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hezhang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _drop_unusable_connections(sender=None, **kwargs):
    """What Django does around each request: close a connection that is broken or past CONN_MAX_AGE.

    With CELERY_DB_REUSE_MAX set, Celery keeps the worker's connection between tasks; this keeps a
    connection the database dropped (a restart, a failover) from failing the tasks that follow.
    """
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # in-process: the caller's connection, maybe inside its transaction
    from django.db import close_old_connections

    close_old_connections()
