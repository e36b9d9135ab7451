"""Celery tasks. The beat entry "deadlines.sweep" (created by migration 0002) runs the sweep every minute."""

from celery import shared_task

from .sweep import run_sweep


@shared_task(name="deadlines.sweep", ignore_result=True)
def sweep():
    """Safe to run twice or in parallel: each step fires once (see sweep.py)."""
    result = run_sweep()
    return {"fired": len(result.fired), "failed": len(result.failed)}
