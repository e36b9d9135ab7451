"""A small hand-computed world for the oversight figures (March 2026, Asia/Shanghai).

Areas: county C > township T > villages V1 (segment S1), V2 (segment S2).
Chiefs: a (village, S1), b (village, S2), t (township, S1). Office: office.

Tickets (chief a on S1 unless noted):
  T1 reported 03-02, due 03-10, submitted 03-08, closed 03-09          -> closed on time
  T2 reported 03-02, due 03-05, submitted 03-04, rejected 03-05,
     resubmitted 03-07, closed 03-08                                    -> closed late, 1 rejection
  T3 reported 02-10, due 02-20, closed 02-19, reopened 03-03            -> open, overdue, reopened
  T4 reported 03-02, due 03-10, extension approved 03-09 to 03-20,
     submitted 03-18, closed 03-19                                      -> closed on time (extended)
  T5 reported 03-03, due 03-12, suspended 03-11 (not resumed)           -> open, not overdue
  T6 (b, S2) reported 03-05, due 03-15, escalated 03-16 (level 2)       -> open, overdue, escalated
  T7 (S2) reported 03-20, not assigned                                  -> open (area only)
  T8 (S1) reported 03-06, cancelled 03-07                               -> not counted
  T9 reported 04-02                                                     -> next month
Patrols (village duty weekly; weeks ending in March: 02-23..03-01, 03-02..08, 03-09..15, 03-16..22, 03-23..29):
  a: 02-28 valid, 03-03 valid, 03-04 valid (same week), 03-10 valid, 03-17 invalid (10 min) -> 3 of 5
  b: none -> 0 of 5;  t (township, monthly): 03-15 valid -> 1 of 1
"""

import datetime as dt
from contextlib import contextmanager
from types import SimpleNamespace
from unittest import mock
from zoneinfo import ZoneInfo

from patrols.services import patrol_record
from tests.factories import AppointmentFactory, AreaFactory, SegmentFactory, UserFactory, png_upload
from tickets import services
from tickets.models import AreaLevel, EventKind, Ticket
from tickets.services.transitions import locked_ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=10, minute=0, year=2026):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@contextmanager
def clock(moment):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _open(office, segment, when, **extra):
    with clock(when):
        fields = {"source": "supervisor_feedback", "category": "garbage", "description": "河道内有垃圾"} | extra
        return services.ticket_open(reporter=office, segment=segment, **fields)


def _assign(ticket, office, chief, when, due):
    with clock(when):
        return services.ticket_assign(ticket=ticket, actor=office, chief=chief, due_at=due)


def _submit(ticket, chief, when):
    with clock(when):
        if ticket.state == "assigned":
            ticket = services.ticket_start(ticket=ticket, actor=chief)
        services.attachment_add(ticket=ticket, actor=chief, upload=png_upload("after.png"), kind="after")
        return services.ticket_submit(ticket=ticket, actor=chief, measures="已整改")


def _close(ticket, office, when):
    with clock(when):
        ticket = services.ticket_verify(ticket=ticket, actor=office)
        return services.ticket_close(ticket=ticket, actor=office)


def _event(ticket, kind, when, payload=None):
    """What deadlines/ writes for extensions, suspensions and escalations: an audit event."""
    with clock(when), locked_ticket(ticket) as locked:
        services.record_event(ticket=locked, kind=kind, payload=payload or {}, at=when)


def _patrol(chief, segment, start, minutes, metres=3000):
    with clock(at(4, 5)):
        return patrol_record(actor=chief, chief=chief, segment=segment, started_at=start,
                             ended_at=start + dt.timedelta(minutes=minutes), distance_m=metres)[0]


def build():
    county = AreaFactory(name="城关县", code="C", level=AreaLevel.COUNTY)
    township = AreaFactory(name="河西镇", code="CT", level=AreaLevel.TOWNSHIP, parent=county)
    v1 = AreaFactory(name="一村", code="CT1", level=AreaLevel.VILLAGE, parent=township)
    v2 = AreaFactory(name="二村", code="CT2", level=AreaLevel.VILLAGE, parent=township)
    s1 = SegmentFactory(area=v1, code="S1", name="一段")
    s2 = SegmentFactory(area=v2, code="S2", name="二段")
    office = UserFactory(username="office", roles=["office"])
    a = AppointmentFactory(segment=s1, chief__username="chief_a", chief__first_name="甲河长").chief
    b = AppointmentFactory(segment=s2, chief__username="chief_b", chief__first_name="乙河长").chief
    t = AppointmentFactory(segment=s1, level=AreaLevel.TOWNSHIP, chief__username="chief_t",
                           chief__first_name="丙河长").chief

    t1 = _assign(_open(office, s1, at(3, 2)), office, a, at(3, 2, 11), dt.date(2026, 3, 10))
    t1 = _close(_submit(t1, a, at(3, 8)), office, at(3, 9))

    t2 = _assign(_open(office, s1, at(3, 2)), office, a, at(3, 2, 11), dt.date(2026, 3, 5))
    t2 = _submit(t2, a, at(3, 4))
    with clock(at(3, 5)):
        t2 = services.ticket_reject(ticket=t2, actor=office, reason="垃圾未清完")
    t2 = _close(_submit(t2, a, at(3, 7)), office, at(3, 8))

    t3 = _assign(_open(office, s1, at(2, 10)), office, a, at(2, 10, 11), dt.date(2026, 2, 20))
    t3 = _close(_submit(t3, a, at(2, 18)), office, at(2, 19))
    with clock(at(3, 3)):
        t3 = services.ticket_reopen(ticket=t3, actor=office, reason="复查发现垃圾回潮")

    t4 = _assign(_open(office, s1, at(3, 2)), office, a, at(3, 2, 11), dt.date(2026, 3, 10))
    with clock(at(3, 9)):
        t4 = services.ticket_change_deadline(ticket=t4, actor=office, due_at=dt.date(2026, 3, 20), reason="批准延期")
    _event(t4, EventKind.EXTENSION_APPROVED, at(3, 9, 10, 1), {"due_at": "2026-03-20"})
    t4 = _close(_submit(t4, a, at(3, 18)), office, at(3, 19))

    t5 = _assign(_open(office, s1, at(3, 3)), office, a, at(3, 3, 11), dt.date(2026, 3, 12))
    _event(t5, EventKind.SUSPENDED, at(3, 11), {"reason": "汛期"})

    t6 = _assign(_open(office, s2, at(3, 5)), office, b, at(3, 5, 11), dt.date(2026, 3, 15))
    _event(t6, EventKind.ESCALATED, at(3, 16), {"level": 2})
    Ticket.objects.filter(pk=t6.pk).update(escalation_level=2)

    t7 = _open(office, s2, at(3, 20))
    t8 = _open(office, s1, at(3, 6))
    with clock(at(3, 7)):
        t8 = services.ticket_cancel(ticket=t8, actor=office, reason="重复上报")
    t9 = _open(office, s1, at(4, 2))

    _patrol(a, s1, at(2, 28), 60)
    _patrol(a, s1, at(3, 3), 45)
    _patrol(a, s1, at(3, 4), 45)
    _patrol(a, s1, at(3, 10), 40)
    invalid = _patrol(a, s1, at(3, 17), 10, metres=500)
    _patrol(t, s1, at(3, 15), 90, metres=6000)

    return SimpleNamespace(
        county=county, township=township, v1=v1, v2=v2, s1=s1, s2=s2, office=office, a=a, b=b, t=t,
        t1=t1, t2=t2, t3=t3, t4=t4, t5=t5, t6=t6, t7=t7, t8=t8, t9=t9, invalid_patrol=invalid,
    )


NOW = at(4, 5)
