from celery import shared_task

from .health import BEAT_HEARTBEAT
from .services import heartbeat_record


@shared_task(name="ops.beat_heartbeat", ignore_result=True)
def beat_heartbeat():
    """Scheduled by beat every 30 seconds. When its row is fresh, beat, the broker and a worker all work."""
    heartbeat_record(name=BEAT_HEARTBEAT)
