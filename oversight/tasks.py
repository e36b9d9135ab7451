"""Celery tasks: thin wrappers over services, taking ids, safe to run twice."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=3, default_retry_delay=30)
def export_ledger(self, export_id):
    from .ledger_export import run_export

    run_export(export_id)


@shared_task
def generate_monthly_bulletin():
    """Beat, on the 1st: the previous month's draft (a published one is left as it is)."""
    from .bulletins import generate_previous_month

    bulletin = generate_previous_month()
    logger.info("monthly bulletin %s generated (%s)", bulletin.pk, bulletin.status)
    return bulletin.pk
