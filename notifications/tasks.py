"""Celery tasks: thin wrappers that take ids; the work is in outbox and digest, which are safe to run twice."""

from celery import shared_task

from . import digest, outbox


@shared_task(name="notifications.tasks.deliver", ignore_result=True)
def deliver(delivery_id):
    # No Celery-level retry: a failure is recorded on the row with its next attempt, and the sweep
    # hands it back, so retries survive a worker or Redis restart.
    return outbox.deliver(delivery_id)


@shared_task(name="notifications.tasks.sweep", ignore_result=True)
def sweep():
    return outbox.sweep()


@shared_task(name="notifications.tasks.send_digests", ignore_result=True)
def send_digests():
    return digest.send_digests()
