"""The in-app channel: the Notification row is the message, so sending is writing it; these read and mark it."""

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from ..models import Notification


def inbox(user):
    """The user's notifications, unread first, newest first within each."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("ticket")
        .alias(unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()))
        .order_by("-unread", "-created_at", "-id")
    )


def unread_count(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user, notification_id):
    """Mark one of the user's notifications read; another user's id changes nothing. Returns it or None."""
    notification = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
