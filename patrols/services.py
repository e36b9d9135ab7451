"""Recording a patrol: validate, judge validity, store photos, open a ticket per problem found."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import rules
from tickets.errors import TicketPermissionDenied, TicketValidationError
from tickets.models import Source
from tickets.selectors import chief_appointment
from workflows import services as flow_services

from .models import Patrol, PatrolFinding, PatrolPhoto
from .validity import judge, track_length_m

MAX_TRACK_POINTS = 20_000


def may_record_for(actor, chief):
    return actor is not None and actor.is_active and (actor.pk == chief.pk or rules.is_office(actor))


def may_view_patrol(patrol, user):
    return rules.is_office(user) or patrol.chief_id == getattr(user, "pk", None)


def _clean_track(track, errors):
    points = []
    if not track:
        return points
    if not isinstance(track, list) or len(track) > MAX_TRACK_POINTS:
        errors["track"] = _("轨迹格式有误。")
        return points
    for point in track:
        try:
            lat, lng = float(point["lat"]), float(point["lng"])
        except (KeyError, TypeError, ValueError):
            errors["track"] = _("轨迹点须包含经纬度 lat、lng。")
            return []
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            errors["track"] = _("轨迹点经纬度超出范围。")
            return []
        clean = {"lat": lat, "lng": lng}
        if point.get("at"):
            clean["at"] = str(point["at"])
        points.append(clean)
    return points


def _validate(*, actor, chief, segment, started_at, ended_at, distance_m, track):
    errors = {}
    if not may_record_for(actor, chief):
        raise TicketPermissionDenied(_("只有河长本人或河长办可以录入巡河记录。"))
    for name, value in (("started_at", started_at), ("ended_at", ended_at)):
        if not isinstance(value, dt.datetime):
            errors[name] = _("请填写时间。")
    if not errors:
        started_at = started_at if timezone.is_aware(started_at) else timezone.make_aware(started_at)
        ended_at = ended_at if timezone.is_aware(ended_at) else timezone.make_aware(ended_at)
        if ended_at <= started_at:
            errors["ended_at"] = _("结束时间须晚于开始时间。")
        elif ended_at > timezone.now() + dt.timedelta(minutes=5):
            errors["ended_at"] = _("结束时间不能晚于当前时间。")
    points = _clean_track(track, errors)
    if distance_m in (None, ""):
        distance_m = track_length_m(points) if points else None
    try:
        distance_m = int(distance_m)
        if distance_m < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors["distance_m"] = _("请填写巡河里程(米)。")
    appointment = None
    if "started_at" not in errors:
        appointment = chief_appointment(chief=chief, segment=segment, on=timezone.localdate(started_at))
        if appointment is None:
            errors["segment"] = _("巡河时该人员不是此河段的在任河长。")
    if errors:
        raise TicketValidationError(errors)
    return started_at, ended_at, distance_m, points, appointment.level


def patrol_record(
    *, actor, chief, segment, started_at, ended_at, distance_m=None, track=(), notes="", photos=(),
    findings=(), client_uuid=None,
):
    """Record a patrol; return (patrol, created).

    ``client_uuid`` makes the upload safe to retry: a second call with the same id returns the
    first patrol untouched. ``findings`` are dicts (category, description, optional severity,
    latitude, longitude, address); each opens a ticket through the rectification flow.
    """
    if client_uuid is not None:
        existing = Patrol.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return _same_owner(existing, actor), False
    started_at, ended_at, distance_m, points, level = _validate(
        actor=actor, chief=chief, segment=segment, started_at=started_at, ended_at=ended_at,
        distance_m=distance_m, track=list(track or []),
    )
    is_valid, reason = judge(
        duration_minutes=int((ended_at - started_at).total_seconds() // 60), distance_m=distance_m
    )
    fields = {
        "chief": chief, "segment": segment, "level": level, "started_at": started_at, "ended_at": ended_at,
        "distance_m": distance_m, "track": points, "notes": (notes or "").strip(), "is_valid": is_valid,
        "invalid_reason": reason, "recorded_by": actor, "created_at": timezone.now(),
    }
    if client_uuid is not None:
        fields["client_uuid"] = client_uuid
    try:
        with transaction.atomic():
            patrol = Patrol.objects.create(**fields)
            for upload in photos:
                PatrolPhoto.objects.create(patrol=patrol, file=upload, original_name=upload.name[:200])
            for index, finding in enumerate(findings):
                _open_finding(patrol, actor, finding, index)
    except IntegrityError:
        # Two copies of one upload raced: the loser returns the winner's patrol.
        if client_uuid is not None:
            existing = Patrol.objects.filter(client_uuid=client_uuid).first()
            if existing is not None:
                return _same_owner(existing, actor), False
        raise
    return patrol, True


def _same_owner(patrol, actor):
    if not may_record_for(actor, patrol.chief):
        raise TicketPermissionDenied(_("该巡河记录编号已被他人使用。"))
    return patrol


def _open_finding(patrol, actor, finding, index):
    try:
        ticket = flow_services.open_ticket(
            reporter=actor,
            segment=patrol.segment,
            source=Source.PATROL_FINDING,
            source_reference=_("巡河记录 %(id)s") % {"id": patrol.pk},
            received_on=timezone.localdate(patrol.started_at),
            category=finding.get("category", ""),
            severity=finding.get("severity") or "minor",
            description=finding.get("description", ""),
            latitude=finding.get("latitude"),
            longitude=finding.get("longitude"),
            address=finding.get("address", ""),
            attachments=[(upload, "before") for upload in finding.get("photos", ())],
        )
    except TicketValidationError as exc:
        raise TicketValidationError({f"findings[{index}].{k}": v for k, v in exc.errors.items()}) from exc
    PatrolFinding.objects.create(patrol=patrol, ticket=ticket)
    return ticket
