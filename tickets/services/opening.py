"""Opening a ticket: validate what the reporter gave, number it, record it."""

from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import rules
from ..errors import TicketPermissionDenied, TicketValidationError
from ..models import Category, EventKind, Segment, Severity, Source, Ticket, TicketCounter
from .attachments import store_attachment
from .audit import record_event
from .scope import remember_chain_head, savepoint_needed

# These sources arrive as a numbered document the office must be able to cite.
SOURCES_WITH_REFERENCE = {Source.PROCURATORATE_ADVICE, Source.PROVINCIAL_NOTICE}


def next_ticket_number(year):
    """ZG-<year>-<5 digits>, gap-free per year; the counter row is locked until commit."""
    # One round trip for every ticket but a year's first: increment and read back in the same UPDATE.
    table, last, year_ = (connection.ops.quote_name(n) for n in (TicketCounter._meta.db_table, "last", "year"))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {last} = {last} + 1 WHERE {year_} = %s RETURNING {last}", [year])
        row = cursor.fetchone()
    if row is not None:
        return f"ZG-{year}-{row[0]:05d}"
    counter, _created = TicketCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"ZG-{year}-{counter.last:05d}"


def _coordinate(value, field, limit, errors):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        number = None
    # "NaN" survives quantize() and then makes the range comparison raise: refuse it here.
    if number is None or not number.is_finite():
        errors[field] = _("请输入数字。")
        return None
    if not -limit <= number <= limit:
        errors[field] = _("超出范围(±%(limit)s)。") % {"limit": limit}
        return None
    return number


def _validate(*, segment, source, category, severity, description, source_reference, received_on, lat, lng):
    errors = {}
    if source not in Source.values:
        errors["source"] = _("未知的问题来源。")
    if category not in Category.values:
        errors["category"] = _("未知的问题类别。")
    if severity not in Severity.values:
        errors["severity"] = _("未知的严重程度。")
    if not (description or "").strip():
        errors["description"] = _("请填写问题描述。")
    if source in SOURCES_WITH_REFERENCE and not (source_reference or "").strip():
        errors["source_reference"] = _("检察建议和督办通知须填写文号。")
    if received_on and received_on > timezone.localdate():
        errors["received_on"] = _("收到日期不能晚于今天。")
    if segment is None or not isinstance(segment, Segment):
        errors["segment"] = _("请选择河段。")
    latitude = _coordinate(lat, "latitude", 90, errors)
    longitude = _coordinate(lng, "longitude", 180, errors)
    if (latitude is None) != (longitude is None) and not {"latitude", "longitude"} & errors.keys():
        errors["longitude" if latitude is not None else "latitude"] = _("经纬度须同时填写。")
    if errors:
        raise TicketValidationError(errors)
    return latitude, longitude


def ticket_open(
    *,
    reporter,
    segment,
    source,
    category,
    description,
    severity=Severity.MINOR,
    source_reference="",
    received_on=None,
    latitude=None,
    longitude=None,
    address="",
    attachments=(),
):
    """Open a ticket. ``attachments`` is a list of (upload, kind) pairs, stored in the same transaction."""
    if not rules.may_open(reporter):
        raise TicketPermissionDenied(_("您无权上报问题。"))
    latitude, longitude = _validate(
        segment=segment, source=source, category=category, severity=severity, description=description,
        source_reference=source_reference, received_on=received_on, lat=latitude, lng=longitude,
    )
    now = timezone.now()
    with transaction.atomic(savepoint=savepoint_needed()):
        ticket = Ticket(
            number=next_ticket_number(timezone.localtime(now).year),
            source=source,
            source_reference=(source_reference or "").strip(),
            received_on=received_on or timezone.localdate(now),
            category=category,
            severity=severity,
            segment=segment,
            latitude=latitude,
            longitude=longitude,
            address=(address or "").strip(),
            description=description.strip(),
            reporter=reporter,
            reported_at=now,
        )
        ticket.save()
        # A ticket saved a moment ago has no events yet: its audit chain starts here.
        remember_chain_head(ticket.pk, 0, "")
        record_event(
            ticket=ticket,
            kind=EventKind.CREATED,
            actor=reporter,
            to_state=ticket.state,
            at=now,
            payload={
                "source": source,
                "source_reference": ticket.source_reference,
                "category": category,
                "severity": severity,
                "segment": segment.pk,
                "received_on": ticket.received_on,
            },
        )
        for upload, kind in attachments:
            store_attachment(ticket=ticket, actor=reporter, upload=upload, kind=kind)
    return ticket
