"""The daily digest: one message per chief with overdue, rejected and soon-due tickets, once a day."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from notifications import tasks
from notifications.models import Delivery, Notification, NotificationPreference
from tests.factories import AppointmentFactory, ticket_in_state
from tickets import services
from tickets.models import TicketState


@pytest.fixture
def chief(chief):
    chief.email = "chief@example.cn"
    chief.save(update_fields=["email"])
    return chief


@pytest.fixture
def tickets(office, chief, segment, verifier):
    """Four rectifying tickets: due in 1, 4, 20 (rejected once) and 30 days."""
    made = {}
    today = timezone.localdate()
    for name, days in [("overdue", 1), ("soon", 4), ("rejected", 20), ("far", 30)]:
        ticket = ticket_in_state(TicketState.RECTIFYING, office=office, chief=chief, segment=segment)
        made[name] = services.ticket_change_deadline(
            ticket=ticket, actor=office, due_at=today + dt.timedelta(days=days), reason="按计划"
        )
    rejected = made["rejected"]
    from tests.factories import png_upload
    from tickets.models import AttachmentKind

    services.attachment_add(ticket=rejected, actor=chief, upload=png_upload(), kind=AttachmentKind.AFTER)
    services.ticket_submit(ticket=rejected, actor=chief, measures="已清理")
    services.ticket_reject(ticket=rejected, actor=verifier, reason="仍有垃圾")
    Delivery.objects.all().delete()
    mail.outbox.clear()
    return made


@pytest.fixture
def two_days_later(monkeypatch):
    later = timezone.now() + dt.timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    return later


def test_each_chief_gets_one_digest_listing_what_needs_doing(
    tickets, chief, two_days_later, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_digests.apply().get() == 1
    digest = Notification.objects.get(kind="digest")
    assert digest.recipient == chief
    assert digest.digest_date == timezone.localdate(two_days_later)
    assert digest.link == "/tickets/"
    assert digest.title == "【每日待办】逾期 1 件,被退回 1 件,即将到期 1 件"
    (message,) = mail.outbox
    assert message.subject == digest.title
    body = message.body
    overdue, rejected, soon = body.index("已逾期"), body.index("被退回待重新整改"), body.index("即将到期(3 天内)")
    assert overdue < body.index(tickets["overdue"].number) < rejected
    assert rejected < body.index(tickets["rejected"].number) < soon
    assert soon < body.index(tickets["soon"].number)
    assert tickets["far"].number not in body
    assert f"/tickets/{tickets['soon'].number}/" in body


def test_the_digest_is_sent_once_a_day(tickets, two_days_later, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_digests.apply()
        assert tasks.send_digests.apply().get() == 0
    assert Notification.objects.filter(kind="digest").count() == 1
    assert len(mail.outbox) == 1


def test_chiefs_who_opted_out_or_have_nothing_due_get_none(tickets, chief, segment, office, two_days_later):
    idle = AppointmentFactory(segment=segment, level="county", chief__username="idle").chief
    ticket_in_state(TicketState.ASSIGNED, office=office, chief=idle, segment=segment)  # due in 10 days, now 8
    NotificationPreference.objects.create(user=chief, digest_enabled=False)
    assert tasks.send_digests.apply().get() == 0
    assert not Notification.objects.filter(kind="digest").exists()


def test_one_chief_failing_does_not_stop_the_others(tickets, chief, segment, office, two_days_later, monkeypatch):
    other = AppointmentFactory(segment=segment, level="county", chief__username="other").chief
    ticket = ticket_in_state(TicketState.ASSIGNED, office=office, chief=other, segment=segment)
    services.ticket_change_deadline(ticket=ticket, actor=office, due_at=timezone.localdate(), reason="急")
    from notifications import digest

    real = digest.write_digest

    def flaky(*, chief, **kwargs):
        if chief.username == "chief":
            raise RuntimeError("bad data")
        return real(chief=chief, **kwargs)

    monkeypatch.setattr(digest, "write_digest", flaky)
    assert digest.send_digests() == 1
    assert list(Notification.objects.filter(kind="digest").values_list("recipient__username", flat=True)) == ["other"]
