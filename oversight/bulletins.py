"""Bulletins: generate a draft (on demand or by beat), publish it (freeze + notify)."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import rules
from tickets.errors import TicketPermissionDenied, TicketStateConflict

from . import periods
from .models import Bulletin, BulletinStatus
from .notify import notify_named_chiefs
from .reports import build_report


def period_of(bulletin):
    return periods.Period(bulletin.period_kind, bulletin.period_start, bulletin.period_end)


def bulletin_generate(*, period, area=None, actor=None):
    """Create or refresh the draft for the period and area; a published bulletin is returned untouched."""
    if actor is not None and not rules.is_office(actor):
        raise TicketPermissionDenied()
    with transaction.atomic():
        bulletin, created = Bulletin.objects.select_for_update().get_or_create(
            period_kind=period.kind, period_start=period.start, area=area,
            defaults={"period_end": period.end, "snapshot": {}, "generated_at": timezone.now()},
        )
        if bulletin.is_published:
            return bulletin
        bulletin.snapshot = build_report(period, area)
        bulletin.generated_at = timezone.now()
        bulletin.save(update_fields=["snapshot", "generated_at"])
    return bulletin


def bulletin_publish(*, bulletin, actor):
    """Freeze the draft as the office last saw it, and tell the chiefs it names (after commit)."""
    if not rules.is_office(actor):
        raise TicketPermissionDenied()
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if bulletin.is_published:
            raise TicketStateConflict(_("该通报已发布。"), current_state=bulletin.status)
        bulletin.status = BulletinStatus.PUBLISHED
        bulletin.published_at = timezone.now()
        bulletin.published_by = actor
        bulletin.save(update_fields=["status", "published_at", "published_by"])
        link = reverse("oversight:bulletin", args=[bulletin.pk])
        # In-app rows are written in the same transaction: published and told, or neither.
        notify_named_chiefs(bulletin, link=link)
    return bulletin


def bulletins_visible_to(user):
    queryset = Bulletin.objects.select_related("area")
    if rules.is_office(user):
        return queryset
    return queryset.filter(status=BulletinStatus.PUBLISHED)


def generate_previous_month():
    """What beat runs on the 1st: the whole jurisdiction's draft for the month just ended."""
    return bulletin_generate(period=periods.previous_month())
