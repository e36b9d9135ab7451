"""Message content, read from Django's locmem mailbox as a chief would read it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import transaction

from notifications.messages import format_deadline
from notifications.models import Notification, NotificationPreference
from tests.factories import open_ticket
from tickets import services

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def chief(chief):
    chief.email = "chief@example.cn"
    chief.first_name = "王河长"
    chief.save(update_fields=["email", "first_name"])
    return chief


@pytest.fixture
def assign(office, chief, segment, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://hezhang.example.cn"

    def run(**ticket_fields):
        ticket = open_ticket(reporter=office, segment=segment, **ticket_fields)
        due = dt.datetime(2099, 6, 30, 23, 59, 59, tzinfo=SHANGHAI)
        with django_capture_on_commit_callbacks(execute=True):
            return services.ticket_assign(
                ticket=ticket, actor=office, chief=chief, due_at=due, instructions="三日内清理完毕"
            )

    return run


def test_the_assignment_email_names_ticket_river_deadline_and_link(assign, segment):
    ticket = assign()
    (message,) = mail.outbox
    assert message.to == ["chief@example.cn"]
    assert message.subject == f"【交办】{ticket.number} 请于 2099-06-30 23:59 前完成整改"
    body = message.body
    assert body.startswith("王河长,您好:河长办向您交办了一件整改工单")
    assert f"河流河段:{segment.river.name} · {segment.name}({segment.area.name})" in body
    assert "整改期限:2099-06-30 23:59" in body
    assert "交办要求:三日内清理完毕" in body
    assert f"查看工单:https://hezhang.example.cn/tickets/{ticket.number}/" in body
    assert message.extra_headers["X-Hezhang-Delivery"]


def test_in_app_text_has_no_url_the_centre_links_the_ticket(assign):
    ticket = assign()
    notification = Notification.objects.get(kind="assigned")
    assert "https://" not in notification.body
    assert notification.link == f"/tickets/{ticket.number}/"


def test_english_for_those_who_chose_it(assign, chief):
    NotificationPreference.objects.create(user=chief, language="en")
    ticket = assign()
    (message,) = mail.outbox
    assert message.subject == f"[Assigned] {ticket.number}: rectify by 2099-06-30 23:59"
    assert "Deadline: 2099-06-30 23:59 (Beijing time)" in message.body
    assert f"View the ticket: https://hezhang.example.cn/tickets/{ticket.number}/" in message.body


def test_text_is_not_html_escaped(assign):
    assign(description="排污口 <DN300> & 暗管")
    assert "排污口 <DN300> & 暗管" in mail.outbox[0].body


def test_deadlines_show_in_shanghai_time():
    assert format_deadline("2030-01-01T15:59:59+00:00") == "2030-01-01 23:59"
    assert format_deadline(dt.datetime(2030, 1, 1, 16, 0, tzinfo=dt.UTC)) == "2030-01-02 00:00"
    assert format_deadline(None) == ""


def test_wording_follows_why_the_person_is_told(office, chief, segment, supervisor, verifier):
    from tests.factories import ticket_in_state
    from tickets.models import TicketState

    ticket_in_state(TicketState.VERIFIED, office=office, chief=chief, segment=segment, reporter=supervisor,
                    verifier=verifier)
    texts = dict(Notification.objects.filter(kind="verified").values_list("recipient__username", "body"))
    assert "感谢您的监督" in texts["supervisor"]
    assert "待河长办销号" in texts["chief"]


def test_a_reminder_uses_the_deadline_it_is_about(office, chief, segment):
    from tests.factories import ticket_in_state
    from tickets.models import EventKind, TicketState

    ticket = ticket_in_state(TicketState.ASSIGNED, office=office, chief=chief, segment=segment)
    with transaction.atomic():
        services.record_event(ticket=ticket, kind=EventKind.REMINDED,
                              payload={"days_before": 2, "due_at": "2099-01-05T15:59:59+00:00"})
    notification = Notification.objects.get(kind="reminded")
    assert notification.title == f"【到期提醒】{ticket.number} 还有 2 天到期"
    assert "将于 2099-01-05 23:59 到期" in notification.body
