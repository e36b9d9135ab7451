from django.utils import timezone

from .models import Heartbeat


def heartbeat_record(*, name, at=None):
    """Upsert one heartbeat row: one statement, safe from any number of workers at once."""
    Heartbeat.objects.update_or_create(name=name[:200], defaults={"seen_at": at or timezone.now()})
